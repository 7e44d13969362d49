#!/usr/bin/env bash
# build — BPF objects + skeletons, the N-API addon and the storm generator (cmake-js, Node-API
# mode: nothing is downloaded), then the TypeScript sources.
# RINGBENCH_LIBBPF=system (Debian's libbpf-dev) or tree (the kernel tree's libbpf, built static from
# linux-source-6.12 by bench/kernel/build.sh --libbpf, cached): which libbpf the addon links.
set -euo pipefail
cd "$(dirname "$0")/.."
export RINGBENCH_LIBBPF=${RINGBENCH_LIBBPF:-system}
case $RINGBENCH_LIBBPF in
  system) unset RINGBENCH_LIBBPF_PREFIX ;;
  tree) RINGBENCH_LIBBPF_PREFIX=$(bash bench/kernel/build.sh --libbpf) || {
      echo "ringbench build: RINGBENCH_LIBBPF=tree: building the kernel tree's libbpf failed (above)" >&2
      exit 1
    }
    export RINGBENCH_LIBBPF_PREFIX ;;
  *) echo "ringbench build: RINGBENCH_LIBBPF must be system or tree; got '$RINGBENCH_LIBBPF'" >&2; exit 2 ;;
esac
# cmake reads the choice when it configures: a different choice configures afresh
choice="$RINGBENCH_LIBBPF ${RINGBENCH_LIBBPF_PREFIX:-}"
if [[ -f build/CMakeCache.txt && "$(cat build/libbpf-choice 2>/dev/null)" != "$choice" ]]; then
  rm -f build/CMakeCache.txt
fi
mkdir -p build
echo "$choice" >build/libbpf-choice
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
