#!/usr/bin/env bash
# Deploys a stack (default: dev) with `pulumi up` on the local file backend and the passphrase secrets provider.
# Usage: see `usage` below (npm run deploy -- --help). Usage errors follow cli/args.ts: `deploy: <problem>`,
# a blank line and the usage on stderr, exit 2.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: npm run deploy [-- [--stack NAME] [PULUMI_UP_FLAGS...]]

Deploys the stack NAME (default: dev) with `pulumi up` on the local file backend (.pulumi-state/) and the
passphrase secrets provider. Pulumi.<NAME>.yaml is validated first (nothing is created when it is
invalid), the repo's own images are built and any other image the stack names is pulled.
  --stack NAME, -s NAME   the stack to deploy (also --stack=NAME), anywhere on the command line
  -h, --help              print this help
Every other argument goes to `pulumi up`, e.g. --yes (see `pulumi up --help`).
PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE[_FILE] override the backend and the passphrase.
EOF
}

usage_error() {
  printf 'deploy: %s\n\n' "$*" >&2
  usage >&2
  exit 2
}

stack=dev
up_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --stack | -s)
      if [ $# -lt 2 ] || [ -z "$2" ] || [[ "$2" == -* ]]; then usage_error "$1 needs a value"; fi
      stack=$2
      shift 2
      ;;
    --stack=* | -s=*)
      stack=${1#*=}
      [ -n "$stack" ] || usage_error "${1%%=*} needs a value"
      shift
      ;;
    *)
      up_args+=("$1")
      shift
      ;;
  esac
done
# Pulumi's own rule for stack names; it also keeps Pulumi.<NAME>.yaml inside this directory.
[[ "$stack" =~ ^[A-Za-z0-9_.-]+$ && "$stack" != "." && "$stack" != ".." ]] || usage_error "--stack must be a stack name (letters, digits, '_', '.', '-'), not \"$stack\""

fail() { printf 'deploy: %s\n' "$*" >&2; exit 1; }
command -v pulumi >/dev/null 2>&1 || fail "the Pulumi CLI is not installed. Install it (https://www.pulumi.com/docs/install/), then run this again."
command -v docker >/dev/null 2>&1 || fail "the docker command is not installed. Install a Docker engine (Debian: sudo bash scripts/setup-host.sh), then run this again."
docker info >/dev/null 2>&1 || fail "no Docker engine answers. Start it (e.g. sudo systemctl start docker, or sudo bash scripts/setup-host.sh) and make sure you may use it (docker info), then run this again."
[ -f "Pulumi.$stack.yaml" ] || fail "there is no Pulumi.$stack.yaml: create the stack's config first (see README, 'Stack config')."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi

# Validate the config before anything else: list-images prints every problem once, with its key.
images=$(npx tsx scripts/list-images.ts "$stack") || fail "Pulumi.$stack.yaml is not valid (the problems are listed above); nothing was deployed."
# Docker refuses a network that overlaps one it has: ask the engine now, not halfway through pulumi up.
npx tsx scripts/engine-networks.ts "$stack" || fail "the stack's networks overlap networks of the Docker engine (listed above); nothing was deployed."

# A Swarm stack: every node must meet what its services cannot set themselves (docs/swarm-preflight.md),
# checked through the manager before anything is created on the swarm.
if [ "$(npx tsx scripts/stack-orchestrator.ts "$stack")" = swarm ]; then
  npx tsx preflight/cli.ts --stack "$stack" || fail "the swarm is not ready for Pulumi.$stack.yaml (see above; npm run swarm:node-setup -- --stack $stack --write on a node that fails); nothing was deployed."
  printf 'deploy: Swarm stack: every node that runs a task needs its image (this engine builds and pulls only its own)\n'
fi

# Images the repo builds itself (platform/*), then any other image the stack names that is not present yet.
if grep -q '^platform/' <<<"$images"; then bash scripts/build-images.sh; fi
while read -r image; do
  [ -n "$image" ] || continue
  docker image inspect "$image" >/dev/null 2>&1 && continue
  printf 'deploy: pulling %s\n' "$image"
  docker pull "$image" || fail "image $image is not present and could not be pulled: pull or build it, or change the stack's config."
done <<<"$images"

state_dir="$PWD/.pulumi-state"
mkdir -p "$state_dir"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$state_dir}"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  passphrase_file="$state_dir/passphrase"
  if [ ! -s "$passphrase_file" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$passphrase_file")
    printf 'deploy: generated a secrets passphrase in %s (keep it: it decrypts this stack'"'"'s secrets)\n' "$passphrase_file"
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi

pulumi stack select "$stack" >/dev/null 2>&1 || pulumi stack init "$stack" --secrets-provider passphrase
exec pulumi up --stack "$stack" ${up_args[@]+"${up_args[@]}"}
