#!/usr/bin/env bash
# The test command (README quick start, CI): prepares everything the tests need, then runs them all.
#   - npm dependencies from the lockfile (when node_modules is missing or older than the lockfile)
#   - the host: Docker engine, gVisor (runsc), Squid, debootstrap, busybox-static (scripts/setup-host.sh, needs root or sudo)
#   - the local images built from Debian packages (scripts/build-images.sh, cached by content hash)
#   - type-check, then every test/**/*.test.ts with node's test runner
# Set PLATFORM_TEST_NO_SETUP=1 to skip the host and image steps (tests that need them then say why they skip).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
if [ "${PLATFORM_TEST_NO_SETUP:-}" != "1" ]; then
  bash scripts/setup-host.sh
  bash scripts/build-images.sh
fi
npx tsc --noEmit -p tsconfig.json
echo "test: type-check passed"
# One file at a time: several suites start real Squid/Docker workloads and must not compete for 2 cores.
# (Node 20's --test takes no glob patterns: the files are listed here.)
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 --test-timeout=900000 "${files[@]}"
