#!/usr/bin/env bash
# Deploys a stack (default: dev) with `pulumi up` on the local file backend and the passphrase secrets provider.
# Usage: npm run deploy [-- --stack NAME] [-- any further `pulumi up` flags, e.g. --yes]
set -euo pipefail
cd "$(dirname "$0")/.."
stack=dev
if [ "${1:-}" = "--stack" ]; then stack=$2; shift 2; fi

fail() { printf 'deploy: %s\n' "$*" >&2; exit 1; }
command -v pulumi >/dev/null 2>&1 || fail "the Pulumi CLI is not installed. Install it (https://www.pulumi.com/docs/install/), then run this again."
command -v docker >/dev/null 2>&1 || fail "the docker command is not installed. Install a Docker engine (Debian: sudo bash scripts/setup-host.sh), then run this again."
docker info >/dev/null 2>&1 || fail "no Docker engine answers. Start it (e.g. sudo systemctl start docker, or sudo bash scripts/setup-host.sh) and make sure you may use it (docker info), then run this again."
[ -f "Pulumi.$stack.yaml" ] || fail "there is no Pulumi.$stack.yaml: create the stack's config first (see README, 'Stack config')."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi

# Validate the config before anything else: every problem is listed with its key.
images=$(npx tsx scripts/list-images.ts "$stack") || fail "Pulumi.$stack.yaml is not valid (see above); nothing was deployed."

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
exec pulumi up --stack "$stack" "$@"
