#!/usr/bin/env bash
# setup — makes a checkout ready to run: system packages (installed when missing, as root), npm
# packages, the BPF programs, the native addon and storm generator, and the TypeScript build.
# Quick when nothing changed. `--test` also installs what the tests need (headless Chromium; QEMU,
# busybox-static, cpio, zstd for the kernel matrix test). `--fleet` adds what `ringbench fleet`
# needs on the controller (ansible-core) and what its loopback test needs (openssh-server, ccache);
# `--test` includes it.
# `--unit` prepares only what the unit tier needs: npm packages and the TypeScript build (no root).
set -euo pipefail
cd "$(dirname "$0")/.."

npm_install() {
  # npm packages: when missing or when the lock file is newer than the installed tree
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

if [[ "${1:-}" == "--unit" ]]; then
  npm_install
  rm -rf dist
  npx --no-install tsc -p tsconfig.json
  exit 0
fi

packages=(clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config cmake make g++ fonts-dejavu-core stress-ng)
if [[ "${1:-}" == "--test" || "${1:-}" == "--fleet" ]]; then
  # ringbench fleet: Ansible on the controller; the fleet test's own sshd on 127.0.0.1; ccache,
  # which the playbook's setup uses on a host that has it (the test's two hosts are this machine)
  packages+=(ansible-core openssh-server ccache)
fi
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium)
  # ringbench matrix (its test boots kernels in QEMU guests): QEMU, static busybox for the
  # initramfs, cpio/zstd/xz for kernel packages and modules, kmod for modinfo. virtiofsd is part
  # of qemu-system-common on Debian 12 (/usr/lib/qemu/virtiofsd) and its own package later;
  # unshare and mount make the read-only view of / it serves (essential on Debian anyway).
  packages+=(qemu-system-x86 busybox-static cpio zstd xz-utils kmod util-linux mount)
  if apt-cache show virtiofsd >/dev/null 2>&1; then packages+=(virtiofsd); fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "ringbench setup: missing system packages (${missing[*]}) and no apt-get here: install their equivalents, then rerun" >&2
    exit 1
  fi
  if [[ "$(id -u)" != 0 ]]; then
    echo "ringbench setup: missing system packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "ringbench setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm_install

bash scripts/build.sh
