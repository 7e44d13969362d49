#!/usr/bin/env bash
# build — BPF objects + skeletons, the N-API addon and the storm generator (cmake-js, Node-API
# mode: nothing is downloaded), then the TypeScript sources.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install cmake-js compile --log-level error >/tmp/ringbench-build.$$.log 2>&1 || {
  cat /tmp/ringbench-build.$$.log >&2
  rm -f /tmp/ringbench-build.$$.log
  echo "ringbench build: the native build failed (log above)" >&2
  exit 1
}
rm -f /tmp/ringbench-build.$$.log
# A clean dist/: files moved or removed in src/ must not linger as stale modules.
rm -rf dist
npx --no-install tsc -p tsconfig.json
