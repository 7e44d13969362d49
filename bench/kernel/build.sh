#!/usr/bin/env bash
# build.sh — builds the kernel's own ring buffer benchmark
# (tools/testing/selftests/bpf/benchs/bench_ringbufs.c: rb-libbpf, rb-custom, pb-libbpf, pb-custom)
# from Debian's linux-source package, for calibrating ringbench against it.
#
#   bench/kernel/build.sh            prints the path of the built `bench` binary on stdout
#   bench/kernel/build.sh --libbpf   builds only the tree's static libbpf and prints its install
#                                    prefix (include/, lib*/libbpf.a): RINGBENCH_LIBBPF=tree
#
# Only what the four ring buffer benchmarks need is built, with the tree's own tools: a static
# libbpf, the bootstrap bpftool (for the skeletons), the two BPF programs (ringbuf_bench.c,
# perfbuf_bench.c), bench.c, bench_ringbufs.c and parse_num_list() from testing_helpers.c. The
# patches in bench/kernel/patches/ (applied to a copy, the extracted tree stays pristine) keep
# only those four benchmarks in bench.c and add a tp_btf/sys_enter twin of the fentry program,
# filtered to getpgid and to the benchmark's own process, used where the kernel refuses fentry
# (KBENCH_ATTACH=auto|fentry|tp_btf at run time; the bench prints "attach: ...").
#
# Everything is cached per user in ${XDG_CACHE_HOME:-~/.cache}/ringbench/kernel-bench/: the
# extracted subset of the source tree and the binary. A second run with the same source package,
# script, patches and compilers only checks and prints the path. Offline beyond apt.
#
# Environment: KBENCH_KVER (6.12), KBENCH_OPT (-O2; the selftests' default is -O0, RELEASE=1 is
# -O2), KBENCH_CACHE (the cache directory), KBENCH_JOBS (2).
set -euo pipefail

LIBBPF_ONLY=0
[[ ${1:-} == --libbpf ]] && LIBBPF_ONLY=1
HERE=$(cd "$(dirname "$0")" && pwd)
KVER=${KBENCH_KVER:-6.12}
PKG=linux-source-$KVER
TARBALL=/usr/src/$PKG.tar.xz
CACHE=${KBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringbench/kernel-bench}
OPT=${KBENCH_OPT:--O2}
JOBS=${KBENCH_JOBS:-2}
ME=bench/kernel/build.sh
LOG=$CACHE/build.log
STEP=start

fail() { echo "$ME: $*" >&2; STEP=done; exit 1; }
say() { echo "$ME: $*" >&2; }
trap 'rc=$?; ((rc)) && [[ $STEP != done ]] && echo "$ME: failed while $STEP (exit $rc); see $LOG" >&2' EXIT

mkdir -p "$CACHE" || fail "cannot create the cache directory $CACHE"
exec 9>"$CACHE/.lock"
flock 9

# --- tools and headers ----------------------------------------------------------------------
need_pkgs=()
for t in clang:clang make:make cc:gcc cpp:cpp tar:tar xz:xz-utils patch:patch flock:util-linux; do
  command -v "${t%%:*}" >/dev/null || need_pkgs+=("${t#*:}")
done
[[ -f /usr/include/libelf.h || -f /usr/include/elfutils/libelf.h ]] || need_pkgs+=(libelf-dev)
[[ -f /usr/include/zlib.h ]] || need_pkgs+=(zlib1g-dev)
[[ -f $TARBALL ]] || need_pkgs+=("$PKG")
if ((${#need_pkgs[@]})); then
  cmd="apt-get install -y --no-install-recommends ${need_pkgs[*]}"
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    fail "missing ${need_pkgs[*]}; run: sudo $cmd"
  fi
  STEP="installing ${need_pkgs[*]} with apt-get"
  say "installing ${need_pkgs[*]} (apt-get)"
  if ! DEBIAN_FRONTEND=noninteractive $cmd >"$CACHE/apt.log" 2>&1; then
    { apt-get update && DEBIAN_FRONTEND=noninteractive $cmd; } >>"$CACHE/apt.log" 2>&1 ||
      fail "could not install ${need_pkgs[*]}; run: $cmd (log: $CACHE/apt.log)"
  fi
  [[ -f $TARBALL ]] || fail "$PKG is installed but $TARBALL is missing"
fi

# --- up to date? ------------------------------------------------------------------------------
tar_id=$(stat -c '%s %Y' "$TARBALL")
key=$( {
  echo "$tar_id $OPT"
  cat "$HERE/build.sh" "$HERE"/patches/*.patch
  clang --version | head -1
  cc --version | head -1
} | sha256sum | cut -c1-16)
BIN=$CACHE/bench
if ((!LIBBPF_ONLY)) && [[ -x $BIN && -f $CACHE/bench.key && $(cat "$CACHE/bench.key") == "$key" ]]; then
  STEP=done
  echo "$BIN"
  exit 0
fi
((LIBBPF_ONLY)) && [[ -f $LOG ]] || : >"$LOG"

# --- extract the subset of the tree the build needs --------------------------------------------
SRC=$CACHE/src/$PKG
if [[ ! -f $SRC/.ringbench-extracted || $(cat "$SRC/.ringbench-extracted") != "$tar_id" ]]; then
  STEP="extracting $TARBALL"
  say "extracting tools/ from $TARBALL (about 30 s)"
  rm -rf "$CACHE/src" "$CACHE/src.tmp"
  mkdir -p "$CACHE/src.tmp"
  nice -n 10 tar -xJf "$TARBALL" -C "$CACHE/src.tmp" --wildcards \
    "$PKG/tools/*" "$PKG/kernel/bpf/disasm.*" "$PKG/include/uapi/*" "$PKG/scripts/*" "$PKG/Makefile" >>"$LOG" 2>&1
  echo "$tar_id" >"$CACHE/src.tmp/$PKG/.ringbench-extracted"
  mv "$CACHE/src.tmp" "$CACHE/src"
fi
SEL=$SRC/tools/testing/selftests/bpf
[[ -f $SEL/benchs/bench_ringbufs.c ]] || fail "$SEL/benchs/bench_ringbufs.c is missing from $TARBALL"

case $(uname -m) in
  x86_64) SRCARCH=x86 ;;
  aarch64) SRCARCH=arm64 ;;
  s390x) SRCARCH=s390 ;;
  riscv64) SRCARCH=riscv ;;
  *) fail "unsupported architecture $(uname -m)" ;;
esac

OUT=$CACHE/build
mkdir -p "$OUT/libbpf" "$OUT/libbpf-pic" "$OUT/bpftool" "$OUT/obj"

if ((LIBBPF_ONLY)); then
  # ringbench links it into a shared object (the N-API addon): position-independent, its own copy,
  # so the benchmark's libbpf stays built as the selftests build it
  STEP="building libbpf (-fPIC) for ringbench"
  [[ -f $OUT/inst-pic/include/bpf/libbpf.h ]] || say "building the kernel tree's libbpf (static, -fPIC, $OPT) for ringbench (about 1 min)"
  nice -n 10 make -s -j"$JOBS" -C "$SRC/tools/lib/bpf" OUTPUT="$OUT/libbpf-pic/" BUILD_STATIC_ONLY=1 \
    EXTRA_CFLAGS="-g $OPT -fPIC" DESTDIR="$OUT/inst-pic" prefix= install >>"$LOG" 2>&1
  STEP=done
  echo "$OUT/inst-pic"
  exit 0
fi

# --- static libbpf and the bootstrap bpftool, from the same tree (make is incremental) ----------
STEP="building libbpf"
say "building libbpf (static, $OPT)"
nice -n 10 make -s -j"$JOBS" -C "$SRC/tools/lib/bpf" OUTPUT="$OUT/libbpf/" BUILD_STATIC_ONLY=1 \
  EXTRA_CFLAGS="-g $OPT" DESTDIR="$OUT/inst" prefix= install >>"$LOG" 2>&1
LIBBPF_A=$(ls "$OUT"/inst/lib*/libbpf.a | head -1)

STEP="building the bootstrap bpftool"
say "building the bootstrap bpftool"
nice -n 10 make -s -j"$JOBS" -C "$SRC/tools/bpf/bpftool" OUTPUT="$OUT/bpftool/" \
  LIBBPF_BOOTSTRAP_OUTPUT="$OUT/libbpf/" LIBBPF_BOOTSTRAP_DESTDIR="$OUT/inst/" \
  EXTRA_CFLAGS="-g $OPT" bootstrap >>"$LOG" 2>&1
BPFTOOL=$OUT/bpftool/bootstrap/bpftool

# --- a patched copy of the benchmark's sources -------------------------------------------------
STEP="patching a copy of the benchmark sources"
W=$OUT/src
rm -rf "$W"
mkdir -p "$W/benchs" "$W/progs"
for f in bench.c bench.h bpf_util.h testing_helpers.h benchs/bench_ringbufs.c \
  progs/ringbuf_bench.c progs/perfbuf_bench.c progs/bpf_misc.h; do
  cp "$SEL/$f" "$W/$f"
done
for p in "$HERE"/patches/*.patch; do
  patch -s -p1 -d "$W" --no-backup-if-mismatch <"$p" >>"$LOG" 2>&1 ||
    fail "patch $(basename "$p") does not apply to $PKG (log: $LOG)"
done
{
  echo '// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)'
  echo "/* generated by $ME: parse_num_list() from testing_helpers.c, all bench.c uses of it */"
  echo '#include <stdbool.h>'
  echo '#include <stdlib.h>'
  echo '#include <errno.h>'
  awk '/^int parse_num_list\(/{p=1} p{print} p&&/^}/{exit}' "$SEL/testing_helpers.c"
} >"$W/num_list.c"
grep -q parse_num_list "$W/num_list.c" || fail "parse_num_list() not found in testing_helpers.c"

# --- BPF programs and skeletons ------------------------------------------------------------------
STEP="compiling the BPF programs"
say "compiling ringbuf_bench / perfbuf_bench and their skeletons"
NR_GETPGID=$(printf '#include <sys/syscall.h>\nSYS_getpgid\n' | cpp -P | tail -1)
[[ $NR_GETPGID =~ ^[0-9]+$ ]] || fail "cannot find getpgid's syscall number (got '$NR_GETPGID')"
# the selftests' CLANG_SYS_INCLUDES; -I"$SEL" for the selftests' own gnu/stubs.h (no 32-bit stubs)
SYSINC=$(clang -v -E - </dev/null 2>&1 | sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
for prog in ringbuf_bench perfbuf_bench; do
  # shellcheck disable=SC2086
  nice -n 10 clang -g -Wall -Werror -D__TARGET_ARCH_$SRCARCH -mlittle-endian \
    -DBENCH_NR_GETPGID="$NR_GETPGID" -I"$OUT/inst/include" -I"$W" -I"$W/progs" -I"$SEL" \
    -I"$SRC/tools/include/uapi" -Wno-compare-distinct-pointer-types $SYSINC \
    -O2 --target=bpf -mcpu=v3 -c "$W/progs/$prog.c" -o "$OUT/obj/$prog.bpf.o" >>"$LOG" 2>&1
  "$BPFTOOL" gen skeleton "$OUT/obj/$prog.bpf.o" name "$prog" >"$OUT/obj/$prog.skel.h" 2>>"$LOG"
done

# --- the runner ---------------------------------------------------------------------------------
STEP="compiling bench"
say "compiling bench ($OPT)"
CFLAGS=(-g "$OPT" -Wall -Werror -fno-omit-frame-pointer -I"$W" -I"$OUT/obj" -I"$OUT/inst/include"
  -I"$SRC/tools/include" -I"$SRC/tools/arch/$SRCARCH/include" -I"$SRC/tools/include/uapi")
for c in bench.c benchs/bench_ringbufs.c num_list.c; do
  nice -n 10 cc "${CFLAGS[@]}" -c "$W/$c" -o "$OUT/obj/$(basename "${c%.c}").o" >>"$LOG" 2>&1
done
nice -n 10 cc -g -rdynamic "$OUT/obj/bench.o" "$OUT/obj/bench_ringbufs.o" "$OUT/obj/num_list.o" \
  "$LIBBPF_A" -lelf -lz -lrt -lpthread -lm -o "$OUT/obj/bench" >>"$LOG" 2>&1
"$OUT/obj/bench" --list >>"$LOG" 2>&1 || fail "the built bench does not run (log: $LOG)"

cp "$OUT/obj/bench" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
{
  echo "package=$PKG $(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || echo unknown)"
  echo "opt=$OPT"
  echo "clang=$(clang --version | head -1)"
  echo "built=$(date -u +%FT%TZ)"
} >"$CACHE/bench.info"
echo "$key" >"$CACHE/bench.key"
STEP=done
say "built $BIN"
echo "$BIN"
