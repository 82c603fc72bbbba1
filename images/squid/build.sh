#!/usr/bin/env bash
# Builds the egress proxy image from Debian's squid package on a local Debian root filesystem image.
# Usage: images/squid/build.sh <target-tag> <debian-base-tag>
#   <debian-base-tag>  e.g. platform/debian-minbase:bookworm (scripts/build-images.sh makes it)
# Prints the image ID on stdout (progress goes to stderr). An image whose platform.inputs-hash label
# matches this Dockerfile and the base image's ID is reused, not rebuilt.
set -euo pipefail
TAG=${1:?usage: build.sh <target-tag> <debian-base-tag>}
BASE=${2:?usage: build.sh <target-tag> <debian-base-tag>}
HERE=$(cd "$(dirname "$0")" && pwd)
HASH_LABEL=platform.inputs-hash

base_id=$(docker image inspect -f '{{.Id}}' "$BASE" 2>/dev/null) \
  || { echo "squid image: base image $BASE not found; build it first (scripts/build-images.sh)" >&2; exit 1; }
hash=$( { sha256sum "$HERE/Dockerfile" | cut -d' ' -f1; echo "$base_id"; } | sha256sum | cut -d' ' -f1)

if [ "$(docker image inspect -f "{{index .Config.Labels \"$HASH_LABEL\"}}" "$TAG" 2>/dev/null || true)" = "$hash" ]; then
  echo "squid image: $TAG is up to date ($hash)" >&2
else
  echo "squid image: building $TAG FROM $BASE" >&2
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  docker build -q --build-arg BASE="$BASE" --label "$HASH_LABEL=$hash" -t "$TAG" "$HERE" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
docker image inspect -f '{{.Id}}' "$TAG"
