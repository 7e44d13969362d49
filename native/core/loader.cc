// loader — see loader.h. One template over the two generated skeletons (ringbuf_exit,
// perfbuf_exit): both have the same programs and maps, so skel->progs.X, skel->maps.X and
// skel->rodata->cfg are spelled once for both twins.
#include "loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "error.h"
#include "libbpf_log.h"
#include "perfbuf_exit.skel.h"
#include "ringbuf_exit.skel.h"

namespace ringbench {

namespace {

// Rings in the `rings` array: one per bpf.ring_cpus CPUs over every possible CPU (BPF indexes it
// by cpu / N); 0 for the one shared ring.
uint32_t ring_count(const TransportConfig& cfg) {
  if (cfg.kind != Kind::Ringbuf || !cfg.bpf.ring_cpus) return 0;
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) throw Error("counting the possible CPUs failed: " + errno_text(-ncpu));
  return (uint32_t(ncpu) + cfg.bpf.ring_cpus - 1) / cfg.bpf.ring_cpus;
}

// Whether this process holds CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN) in its effective set.
bool holds_bpf_privileges() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    uint64_t eff = std::stoull(line.substr(7), nullptr, 16);
    auto has = [eff](int cap) { return (eff >> cap) & 1; };
    return (has(39 /* CAP_BPF */) && has(38 /* CAP_PERFMON */)) || has(21 /* CAP_SYS_ADMIN */);
  }
  return geteuid() == 0;
}

std::string privilege_hint(int err) {
  if (err < 0) err = -err;
  if (err != EPERM && err != EACCES) return "";
  if (geteuid() == 0) return ": refused even for root (a lockdown or LSM policy may forbid this program type)";
  if (holds_bpf_privileges())
    return ": refused with CAP_BPF + CAP_PERFMON (a lockdown or LSM policy may forbid this program type; root may pass)";
  return ": ringbench needs root, or CAP_BPF + CAP_PERFMON (run it as root, or through a launcher that grants them)";
}

bool tracefs_mounted() {
  std::ifstream mounts("/proc/mounts");
  for (std::string dev, dir, type, rest; mounts >> dev >> dir >> type && std::getline(mounts, rest);)
    if (type == "tracefs") return true;
  return false;
}

// tp/ attachment reads tracefs; a fresh machine has it unmounted. Mount it when we may.
void ensure_tracefs() {
  if (tracefs_mounted()) return;
  if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    throw Error("tracefs is not mounted and mounting it failed (" + errno_text(errno) +
                "); mount it as root: mount -t tracefs nodev /sys/kernel/tracing, or use --attach tp_btf|raw_tp");
}

// The program that fires for each event under one way of attaching, and the exec program beside
// it (trace --exec; only tp_btf and raw_tp have one).
template <class Skel>
bpf_program* trigger_program(Skel* s, const std::string& via) {
  if (via == "fentry") return s->progs.saturation_fentry;
  if (via == "tp_btf/sys_enter") return s->progs.saturation_sys_enter;
  if (via == "tp_btf") return s->progs.exit_btf;
  if (via == "raw_tp") return s->progs.exit_raw;
  return s->progs.exit_tp;
}

template <class Skel>
bpf_program* exec_program(Skel* s, const std::string& via) {
  return via == "tp_btf" ? s->progs.exec_btf : via == "raw_tp" ? s->progs.exec_raw : nullptr;
}

template <class Skel>
bool try_load(const TransportConfig& cfg, const std::string& via, LoadedTwin::Loaded* out, std::string* why) {
  take_libbpf_log();
  Skel* s = Skel::open();
  if (!s) {
    *why = "open: " + errno_text(errno) + libbpf_log_tail();
    return false;
  }
  auto fail = [&](const std::string& what, int err) {
    *why = what + ": " + errno_text(err) + privilege_hint(err) + libbpf_log_tail();
    Skel::destroy(s);
    return false;
  };
  s->rodata->cfg = cfg.bpf;
  bpf_program* trigger = trigger_program(s, via);
  bpf_program* exec = cfg.bpf.trace_exec ? exec_program(s, via) : nullptr;
  if (cfg.bpf.trace_exec && !exec) return fail("exec events need tp_btf or raw_tp", EOPNOTSUPP);
  bpf_program* p;
  bpf_object__for_each_program(p, s->obj) bpf_program__set_autoload(p, p == trigger || p == exec);
  const uint32_t nrings = ring_count(cfg);
  std::vector<int> ring_fds;
  auto close_rings = [&] {
    for (int f : ring_fds) close(f);
    ring_fds.clear();
  };
  if (cfg.kind == Kind::Ringbuf && nrings) {
    // The rings are made first: the first is also the array's inner-map template (libbpf 1.1
    // cannot resize the template it would make from BTF). The shared ring stays, at its
    // smallest, for the paths that do not choose a ring (trace exec).
    for (uint32_t i = 0; i < nrings; i++) {
      int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "rings", 0, 0, uint32_t(cfg.ring_bytes), nullptr);
      if (fd < 0) {
        int e = -errno;
        close_rings();
        return fail("creating ring " + std::to_string(i + 1) + " of " + std::to_string(nrings), e);
      }
      ring_fds.push_back(fd);
    }
    bpf_map* rings = bpf_object__find_map_by_name(s->obj, "rings");
    int err = rings ? 0 : -ENOENT;
    if (!err) err = bpf_map__set_max_entries(s->maps.events, uint32_t(sysconf(_SC_PAGESIZE)));
    if (!err) err = bpf_map__set_max_entries(rings, nrings);
    if (!err) err = bpf_map__set_inner_map_fd(rings, ring_fds[0]);
    if (err) {
      close_rings();
      return fail("sizing the array of rings", err);
    }
  } else if (cfg.kind == Kind::Ringbuf) {
    int err = bpf_map__set_max_entries(s->maps.events, uint32_t(cfg.ringbuf_bytes));
    if (err) return fail("sizing the ring buffer", err);
  }
  if (via == "tp") {
    try {
      ensure_tracefs();
    } catch (const Error& e) {
      *why = e.what();
      close_rings();
      Skel::destroy(s);
      return false;
    }
  }
  int err = Skel::load(s);
  if (err) {
    close_rings();
    return fail("load", err);
  }
  if (!ring_fds.empty()) {
    int outer = bpf_map__fd(bpf_object__find_map_by_name(s->obj, "rings"));
    for (uint32_t i = 0; i < ring_fds.size(); i++) {
      if (bpf_map_update_elem(outer, &i, &ring_fds[i], BPF_ANY) != 0) {
        int e = -errno;
        close_rings();
        return fail("placing ring " + std::to_string(i + 1) + " in the array", e);
      }
    }
  }
  out->obj = s->obj;
  out->ring_fds = ring_fds;
  out->events = s->maps.events;
  out->counters = s->maps.counters;
  out->programs = {trigger};
  if (exec) out->programs.push_back(exec);
  out->destroy = [s, ring_fds] {
    Skel::destroy(s);
    for (int f : ring_fds) close(f);
  };
  return true;
}

}  // namespace

LoadedTwin::LoadedTwin(const TransportConfig& cfg) : cfg_(cfg) {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    throw Error("the kernel exposes no BTF (/sys/kernel/btf/vmlinux missing): ringbench needs a kernel "
                "built with CONFIG_DEBUG_INFO_BTF=y");
  std::vector<std::string> ways;
  if (cfg_.saturation)
    ways = {"fentry", "tp_btf/sys_enter"};
  else if (cfg_.attach == Attach::Auto)
    ways = {"tp_btf", "raw_tp", "tp"};
  else
    ways = {cfg_.attach == Attach::TpBtf ? "tp_btf" : cfg_.attach == Attach::RawTp ? "raw_tp" : "tp"};
  std::string why_all;
  for (const std::string& via : ways) {
    std::string why;
    bool ok = cfg_.kind == Kind::Ringbuf ? try_load<ringbuf_exit>(cfg_, via, &loaded_, &why)
                                         : try_load<perfbuf_exit>(cfg_, via, &loaded_, &why);
    if (ok) {
      try {
        attach(via);
      } catch (...) {
        destroy();
        throw;
      }
      attached_via_ = via;
      return;
    }
    why_all += (why_all.empty() ? "" : "; ") + via + ": " + why;
    // Without the privileges no other way loads either. With them, one way may be refused where
    // the next is allowed (fentry is, under lockdown, while tp_btf is not): keep trying.
    if (!holds_bpf_privileges()) break;
  }
  throw Error("could not load the " + std::string(cfg_.kind == Kind::Ringbuf ? "ringbuf" : "perfbuf") +
              (cfg_.saturation ? " saturation trigger program (" : " exit program (") + why_all + ")");
}

LoadedTwin::~LoadedTwin() { destroy(); }

void LoadedTwin::detach() {
  for (bpf_link* l : links_) bpf_link__destroy(l);
  links_.clear();
}

void LoadedTwin::destroy() {
  detach();
  if (loaded_.destroy) loaded_.destroy();
  loaded_ = Loaded{};
}

void LoadedTwin::attach(const std::string& via) {
  for (bpf_program* p : loaded_.programs) {
    take_libbpf_log();
    bpf_link* link = bpf_program__attach(p);
    if (!link) {
      int err = errno;
      std::string hint = err == ENOENT && via == "tp"
                             ? ": tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)"
                             : privilege_hint(err);
      throw Error(std::string("attaching ") + bpf_program__name(p) + " failed: " + errno_text(err) + hint +
                  libbpf_log_tail());
    }
    links_.push_back(link);
  }
}

int LoadedTwin::events_fd() const { return bpf_map__fd(loaded_.events); }

std::vector<int> LoadedTwin::ring_fds() const {
  return loaded_.ring_fds.empty() ? std::vector<int>{events_fd()} : loaded_.ring_fds;
}

uint64_t LoadedTwin::map_memlock_bytes() const {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(events_fd()));
  for (std::string key; info >> key;) {
    uint64_t v = 0;
    if (key == "memlock:" && info >> v) return v;
  }
  return 0;
}

KernelCounters LoadedTwin::counters() const {
  KernelCounters sum;
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0 || !loaded_.counters) return sum;
  std::vector<rb_counters> per_cpu(static_cast<size_t>(ncpu));  // 32-byte values are already 8-aligned
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(loaded_.counters), &zero, per_cpu.data()) != 0) return sum;
  for (const rb_counters& c : per_cpu) {
    sum.hits += c.hits;
    sum.drops += c.drops;
    sum.filtered += c.filtered;
    if (c.peak_avail > sum.peak_avail) sum.peak_avail = c.peak_avail;
  }
  return sum;
}

ProgStats LoadedTwin::prog_stats() const {
  ProgStats s;
  for (bpf_program* p : loaded_.programs) {
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) == 0) {
      s.run_time_ns += info.run_time_ns;
      s.run_cnt += info.run_cnt;
    }
  }
  return s;
}

}  // namespace ringbench
