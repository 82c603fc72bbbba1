#!/usr/bin/env bash
# Builds the sandbox's attack probes as one static executable (sandbox/probes/static, Go's standard
# library only) into build/platform-probe, for the host's architecture unless GOARCH says otherwise.
# Static (CGO_ENABLED=0) so it runs in any app image, with or without a C library, shell or python3.
# Usage: build-probe.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/build/platform-probe"

if ! command -v go >/dev/null 2>&1; then
  echo "build-probe: go not found: the static probe is not built (install Go 1.26 or later and put it on PATH)" >&2
  exit 1
fi
mkdir -p "$ROOT/build"
cd "$ROOT/sandbox/probes/static"
# GOTOOLCHAIN=local: build with the Go that is here, never download another; GOFLAGS=-mod=readonly:
# the module has no dependencies to resolve.
GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT.tmp" .
mv "$OUT.tmp" "$OUT"
echo "build-probe: built $OUT ($(go env GOOS)/${GOARCH:-$(go env GOARCH)})"
