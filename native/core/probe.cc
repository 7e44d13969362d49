// probe — kernel capability probe of ringbench (see probe.h for the item names).
//
// Every check is an attempt, not a version comparison: create the map, load the program, attach
// it, enable the statistics — then close everything again. The reason of a failed check is the
// errno name and text (e.g. "EPERM (Operation not permitted)") or the verifier's own message, so a
// reader can tell "the kernel lacks it" (EINVAL / unknown helper) from "you lack the privilege"
// (EPERM / EACCES). `ringbench probe` prints every item.
#include "probe.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "error.h"

// Overwrite mode of BPF_MAP_TYPE_RINGBUF: include/uapi/linux/bpf.h gained
// `BPF_F_RB_OVERWRITE = (1U << 19)` in "bpf: Add overwrite mode for BPF ring buffer" (bpf-next,
// merged for 6.19). libbpf 1.1 / Debian 12 uapi headers predate it, so the value is spelled out
// here. Kernels without the feature reject the bit through RINGBUF_CREATE_FLAG_MASK (EINVAL).
#ifndef BPF_F_RB_OVERWRITE
#define BPF_F_RB_OVERWRITE (1U << 19)
#endif

// Instruction builders (the kernel's are in tools/include/linux/filter.h, not installed).
#ifndef BPF_MOV64_IMM
#define BPF_MOV64_IMM(DST, IMM) \
  bpf_insn{BPF_ALU64 | BPF_MOV | BPF_K, (DST), 0, 0, static_cast<__s32>(IMM)}
#endif
#ifndef BPF_EXIT_INSN
#define BPF_EXIT_INSN() bpf_insn{BPF_JMP | BPF_EXIT, 0, 0, 0, 0}
#endif
#ifndef BPF_EMIT_CALL
#define BPF_EMIT_CALL(FUNC) bpf_insn{BPF_JMP | BPF_CALL, 0, 0, 0, static_cast<__s32>(FUNC)}
#endif

namespace ringbench {
namespace {

// Owns one file descriptor returned by the bpf() syscall; closes it when the check is done.
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ~ScopedFd() { reset(); }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// libbpf prints warnings (e.g. on a failed load) to stderr; the probe reports them as items instead.
int silent_libbpf_print(enum libbpf_print_level, const char *, va_list) { return 0; }

class QuietLibbpf {
 public:
  QuietLibbpf() : previous_(libbpf_set_print(silent_libbpf_print)) {}
  ~QuietLibbpf() { libbpf_set_print(previous_); }
  QuietLibbpf(const QuietLibbpf&) = delete;
  QuietLibbpf& operator=(const QuietLibbpf&) = delete;

 private:
  libbpf_print_fn_t previous_;
};

const char* const kSchedExitTracepoint = "sched_process_exit";
const char* const kSchedExitBtfTypedef = "btf_trace_sched_process_exit";

// The program types whose helper tables matter to ringbench: tp/, raw_tp/ and tp_btf/ programs.
struct ProgKind {
  const char* item_suffix;  // used in item names: prog.<suffix>, helper.<suffix>.<helper>
  const char* type_name;    // used in reasons
  bpf_prog_type type;
  bool needs_btf_target;    // BPF_PROG_TYPE_TRACING needs attach_btf_id + expected_attach_type
};

const ProgKind kProgKinds[] = {
    {"tracepoint", "BPF_PROG_TYPE_TRACEPOINT", BPF_PROG_TYPE_TRACEPOINT, false},
    {"raw_tracepoint", "BPF_PROG_TYPE_RAW_TRACEPOINT", BPF_PROG_TYPE_RAW_TRACEPOINT, false},
    {"tracing", "BPF_PROG_TYPE_TRACING (tp_btf)", BPF_PROG_TYPE_TRACING, true},
};

struct HelperId {
  const char* name;
  bpf_func_id id;
};

const HelperId kHelpers[] = {
    {"ringbuf_reserve", BPF_FUNC_ringbuf_reserve},
    {"ringbuf_submit", BPF_FUNC_ringbuf_submit},
    {"ringbuf_output", BPF_FUNC_ringbuf_output},
    {"ringbuf_query", BPF_FUNC_ringbuf_query},
    {"perf_event_output", BPF_FUNC_perf_event_output},
    {"ringbuf_reserve_dynptr", BPF_FUNC_ringbuf_reserve_dynptr},
    {"ringbuf_submit_dynptr", BPF_FUNC_ringbuf_submit_dynptr},
    {"ringbuf_discard_dynptr", BPF_FUNC_ringbuf_discard_dynptr},
    {"user_ringbuf_drain", BPF_FUNC_user_ringbuf_drain},
};

// Result of one BPF_PROG_LOAD: the fd (owned), the errno on failure, and the verifier log.
struct LoadAttempt {
  ScopedFd fd;
  int err = 0;
  std::string log;
};

// The vmlinux BTF id of btf_trace_sched_process_exit: what a tp_btf program must name as its
// attach target. 0 with a reason when BTF is absent or the typedef is not there.
struct BtfTarget {
  __u32 id = 0;
  std::string reason;
};

void load_program(LoadAttempt& attempt, const ProgKind& kind, const bpf_insn* insns,
                  size_t insn_count, __u32 attach_btf_id, bool with_log) {
  // The verifier log of a two-instruction program is a few lines; 64 KiB never truncates it.
  static thread_local char log_buf[64 * 1024];
  bpf_prog_load_opts opts{};
  opts.sz = sizeof(opts);
  if (kind.needs_btf_target) {
    opts.expected_attach_type = BPF_TRACE_RAW_TP;
    opts.attach_btf_id = attach_btf_id;
  }
  if (with_log) {
    log_buf[0] = '\0';
    opts.log_buf = log_buf;
    opts.log_size = sizeof(log_buf);
    opts.log_level = 1;
  }
  int fd = bpf_prog_load(kind.type, "rb_probe", "GPL", insns, insn_count, &opts);
  attempt.err = fd < 0 ? errno : 0;
  attempt.fd.reset(fd < 0 ? -1 : fd);
  attempt.log = with_log ? std::string(log_buf) : std::string();
}

// A trivial "return 0" program: enough for prog-type and attach checks.
void load_trivial_program(LoadAttempt& attempt, const ProgKind& kind, __u32 attach_btf_id) {
  const bpf_insn insns[] = {BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN()};
  load_program(attempt, kind, insns, sizeof(insns) / sizeof(insns[0]), attach_btf_id, false);
}

// The verifier log line that contains `needle` (the log ends with statistics, not the error).
std::string log_line_with(const std::string& log, const std::string& needle) {
  size_t at = log.find(needle);
  if (at == std::string::npos) return std::string();
  size_t start = log.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  size_t end = log.find('\n', at);
  return log.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The verifier's three ways of saying "this helper is not callable here": unknown id
// ("invalid func"), and not allowed for the program type ("unknown func" on older kernels,
// "program of this type cannot use helper" on newer ones). libbpf 1.1's libbpf_probe_bpf_helper() only
// knows the first two, so on this kernel it reports every disallowed helper as available; the
// probe therefore reads the log itself.
const char* const kHelperRejections[] = {
    "invalid func ",
    "unknown func ",
    "program of this type cannot use helper",
};

// The verifier's rejection of the helper itself, or "" when it did not reject the helper.
std::string helper_rejection(const std::string& log) {
  for (const char* needle : kHelperRejections) {
    std::string line = log_line_with(log, needle);
    if (!line.empty()) return line;
  }
  return std::string();
}

BtfTarget find_sched_exit_btf_target(std::vector<ProbeItem>& items) {
  BtfTarget target;
  errno = 0;
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) {
    int err = errno ? errno : ENOENT;
    target.reason = "cannot load vmlinux BTF: " + errno_text(err);
    items.push_back({"btf.vmlinux", false, target.reason});
    return target;
  }
  items.push_back({"btf.vmlinux", true,
                   "loaded vmlinux BTF (" + std::to_string(btf__type_cnt(vmlinux)) + " types)"});
  __s32 id = btf__find_by_name_kind(vmlinux, kSchedExitBtfTypedef, BTF_KIND_TYPEDEF);
  if (id > 0) {
    target.id = static_cast<__u32>(id);
  } else {
    target.reason = std::string("vmlinux BTF has no ") + kSchedExitBtfTypedef + ": " + errno_text(id);
  }
  btf__free(vmlinux);
  return target;
}

void probe_map_type(std::vector<ProbeItem>& items, const char* item_name, bpf_map_type type,
                    const char* type_name) {
  int supported = libbpf_probe_bpf_map_type(type, nullptr);
  if (supported == 1) {
    items.push_back({item_name, true, std::string("created a ") + type_name + " map"});
    return;
  }
  if (supported < 0) {
    items.push_back({item_name, false, "libbpf cannot probe it: " + errno_text(supported)});
    return;
  }
  // libbpf answers a bare "no"; repeat the creation to learn whether the kernel lacks the map
  // type (EINVAL) or the caller lacks the privilege (EPERM).
  long page = sysconf(_SC_PAGESIZE);
  __u32 key_size = 0, value_size = 0, max_entries = static_cast<__u32>(page);
  if (type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
    key_size = value_size = sizeof(__u32);
    max_entries = 1;
  }
  ScopedFd map(bpf_map_create(type, "rb_probe", key_size, value_size, max_entries, nullptr));
  if (map.valid()) {
    items.push_back({item_name, true, std::string("created a ") + type_name + " map"});
    return;
  }
  int err = errno;
  std::string reason = errno_text(err);
  if (err == EINVAL) reason = std::string("kernel does not know ") + type_name + ": " + reason;
  items.push_back({item_name, false, reason});
}

void probe_ringbuf_overwrite(std::vector<ProbeItem>& items) {
  bpf_map_create_opts opts{};
  opts.sz = sizeof(opts);
  opts.map_flags = BPF_F_RB_OVERWRITE;
  long page = sysconf(_SC_PAGESIZE);
  ScopedFd map(bpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb_probe_ovw", 0, 0,
                              static_cast<__u32>(page), &opts));
  if (map.valid()) {
    items.push_back({"map.ringbuf_overwrite", true,
                     "kernel accepts BPF_F_RB_OVERWRITE (1U << 19) on a ringbuf"});
    return;
  }
  int err = errno;
  if (err == EINVAL) {
    items.push_back({"map.ringbuf_overwrite", false,
                     "kernel rejects flag BPF_F_RB_OVERWRITE (EINVAL); added in Linux 6.19"});
  } else {
    items.push_back({"map.ringbuf_overwrite", false, errno_text(err)});
  }
}

// Can a trivial program of this type load at all? Gates the helper checks for the type.
bool probe_prog_type(std::vector<ProbeItem>& items, const ProgKind& kind, const BtfTarget& btf,
                     std::string& why_not) {
  std::string item = std::string("prog.") + kind.item_suffix;
  if (kind.needs_btf_target && btf.id == 0) {
    why_not = btf.reason;
    items.push_back({item, false, why_not});
    return false;
  }
  LoadAttempt attempt;
  load_trivial_program(attempt, kind, btf.id);
  if (!attempt.fd.valid()) {
    why_not = std::string("cannot load a ") + kind.type_name + " program: " + errno_text(attempt.err);
    items.push_back({item, false, why_not});
    return false;
  }
  items.push_back({item, true, std::string("loaded a trivial ") + kind.type_name + " program"});
  return true;
}

void probe_helper(std::vector<ProbeItem>& items, const ProgKind& kind, const HelperId& helper,
                  const BtfTarget& btf) {
  std::string item = std::string("helper.") + kind.item_suffix + "." + helper.name;
  // A call with unset arguments: the verifier either rejects the helper itself (not available)
  // or complains about the arguments / accepts it (available).
  const bpf_insn insns[] = {BPF_EMIT_CALL(helper.id), BPF_EXIT_INSN()};
  LoadAttempt attempt;
  load_program(attempt, kind, insns, sizeof(insns) / sizeof(insns[0]), btf.id, true);
  std::string where = std::string("bpf_") + helper.name + " in " + kind.type_name;
  std::string rejection = helper_rejection(attempt.log);
  if (!rejection.empty()) {
    items.push_back({item, false, "verifier: " + rejection});
    return;
  }
  if (!attempt.fd.valid() && attempt.log.empty()) {
    // No verifier log means the load was refused before verification (EPERM, ENOMEM, ...).
    items.push_back({item, false, "cannot load a probe program: " + errno_text(attempt.err)});
    return;
  }
  std::string reason = "verifier accepts " + where;
  if (!kind.needs_btf_target) {
    // Cross-check with libbpf's probe for the types it supports (it refuses TRACING); a
    // disagreement is worth reporting, the verifier log above is the authority.
    int libbpf_says = libbpf_probe_bpf_helper(kind.type, helper.id, nullptr);
    if (libbpf_says == 0) reason += " (libbpf_probe_bpf_helper disagrees)";
  }
  items.push_back({item, true, reason});
}

void probe_raw_tracepoint_attach(std::vector<ProbeItem>& items) {
  const ProgKind& kind = kProgKinds[1];
  LoadAttempt attempt;
  load_trivial_program(attempt, kind, 0);
  if (!attempt.fd.valid()) {
    items.push_back({"attach.raw_tracepoint", false,
                     "cannot load a raw_tp program: " + errno_text(attempt.err)});
    return;
  }
  ScopedFd link(bpf_raw_tracepoint_open(kSchedExitTracepoint, attempt.fd.get()));
  if (!link.valid()) {
    items.push_back({"attach.raw_tracepoint", false,
                     std::string("raw_tp/") + kSchedExitTracepoint + ": " + errno_text(errno)});
    return;
  }
  items.push_back({"attach.raw_tracepoint", true,
                   std::string("attached and detached raw_tp/") + kSchedExitTracepoint});
}

void probe_btf_tracepoint_attach(std::vector<ProbeItem>& items, const BtfTarget& btf) {
  if (btf.id == 0) {
    items.push_back({"attach.tp_btf", false, btf.reason});
    return;
  }
  const ProgKind& kind = kProgKinds[2];
  LoadAttempt attempt;
  load_trivial_program(attempt, kind, btf.id);
  if (!attempt.fd.valid()) {
    items.push_back({"attach.tp_btf", false,
                     "cannot load a tp_btf program: " + errno_text(attempt.err)});
    return;
  }
  // raw_tracepoint_open with a NULL name attaches a TRACING program to its attach_btf_id target;
  // it works on every kernel with tp_btf (5.5+), unlike BPF_LINK_CREATE for this attach type.
  ScopedFd link(bpf_raw_tracepoint_open(nullptr, attempt.fd.get()));
  if (!link.valid()) {
    items.push_back({"attach.tp_btf", false,
                     std::string("tp_btf/") + kSchedExitTracepoint + ": " + errno_text(errno)});
    return;
  }
  items.push_back({"attach.tp_btf", true,
                   std::string("attached and detached tp_btf/") + kSchedExitTracepoint});
}

#if defined(__x86_64__)
const char* const kSaturationSyscall = "__x64_sys_getpgid";
#elif defined(__aarch64__)
const char* const kSaturationSyscall = "__arm64_sys_getpgid";
#else
const char* const kSaturationSyscall = "sys_getpgid";
#endif

// fentry on getpgid: the saturation load's preferred trigger (it falls back to tp_btf/sys_enter).
void probe_fentry_attach(std::vector<ProbeItem>& items) {
  const char* item = "attach.fentry";
  errno = 0;
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) {
    items.push_back({item, false, "cannot load vmlinux BTF: " + errno_text(errno ? errno : ENOENT)});
    return;
  }
  __s32 id = btf__find_by_name_kind(vmlinux, kSaturationSyscall, BTF_KIND_FUNC);
  btf__free(vmlinux);
  if (id <= 0) {
    items.push_back({item, false, std::string("vmlinux BTF has no function ") + kSaturationSyscall});
    return;
  }
  const bpf_insn insns[] = {BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN()};
  bpf_prog_load_opts opts{};
  opts.sz = sizeof(opts);
  opts.expected_attach_type = BPF_TRACE_FENTRY;
  opts.attach_btf_id = static_cast<__u32>(id);
  ScopedFd prog(bpf_prog_load(BPF_PROG_TYPE_TRACING, "rb_probe", "GPL", insns, 2, &opts));
  if (!prog.valid()) {
    int err = errno;
    std::string why = "cannot load an fentry program: " + errno_text(err);
    if (err == EPERM && geteuid() == 0) why += " even as root (a lockdown or LSM policy)";
    why += "; saturation uses tp_btf/sys_enter instead";
    items.push_back({item, false, why});
    return;
  }
  ScopedFd link(bpf_raw_tracepoint_open(nullptr, prog.get()));
  if (!link.valid()) {
    items.push_back({item, false, std::string("fentry/") + kSaturationSyscall + ": " + errno_text(errno)});
    return;
  }
  items.push_back({item, true, std::string("attached and detached fentry/") + kSaturationSyscall});
}

void probe_run_time_stats(std::vector<ProbeItem>& items) {
  // The fd keeps run-time accounting on while open; closing it right away restores the setting.
  ScopedFd stats(bpf_enable_stats(BPF_STATS_RUN_TIME));
  if (!stats.valid()) {
    items.push_back({"stats.run_time", false,
                     "bpf_enable_stats(BPF_STATS_RUN_TIME): " + errno_text(errno)});
    return;
  }
  items.push_back({"stats.run_time", true, "bpf_enable_stats(BPF_STATS_RUN_TIME) returned an fd"});
}

}  // namespace

std::vector<ProbeItem> probe_kernel() {
  QuietLibbpf quiet;
  std::vector<ProbeItem> items;

  BtfTarget btf = find_sched_exit_btf_target(items);

  probe_map_type(items, "map.ringbuf", BPF_MAP_TYPE_RINGBUF, "BPF_MAP_TYPE_RINGBUF");
  probe_map_type(items, "map.perf_event_array", BPF_MAP_TYPE_PERF_EVENT_ARRAY,
                 "BPF_MAP_TYPE_PERF_EVENT_ARRAY");
  probe_map_type(items, "map.user_ringbuf", BPF_MAP_TYPE_USER_RINGBUF, "BPF_MAP_TYPE_USER_RINGBUF");
  probe_ringbuf_overwrite(items);

  for (const ProgKind& kind : kProgKinds) {
    std::string why_not;
    bool loads = probe_prog_type(items, kind, btf, why_not);
    for (const HelperId& helper : kHelpers) {
      if (loads) {
        probe_helper(items, kind, helper, btf);
      } else {
        items.push_back({std::string("helper.") + kind.item_suffix + "." + helper.name, false, why_not});
      }
    }
  }

  probe_raw_tracepoint_attach(items);
  probe_btf_tracepoint_attach(items, btf);
  probe_fentry_attach(items);
  probe_run_time_stats(items);
  probe_btf_facts(items);
  return items;
}

}  // namespace ringbench
