// load_phases — see load_phases.h.
#include "load_phases.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "clock.h"
#include "error.h"
#include "libbpf_log.h"
#include "perfbuf_exit.skel.h"
#include "ringbuf_exit.skel.h"

namespace ringbench {

namespace {

constexpr uint32_t kLogStats = 4;  // BPF_LOG_STATS: the verifier reports its time, not its trace

// "verification time 123 usec" in the verifier's log, in ns (0 when absent).
uint64_t verification_ns(const char* log) {
  const char* at = std::strstr(log, "verification time ");
  return at ? std::strtoull(at + std::strlen("verification time "), nullptr, 10) * 1000 : 0;
}

template <class Skel>
LoadPhases measure(const char* name) {
  LoadPhases t;
  take_libbpf_log();
  uint64_t start = thread_cpu_ns();
  btf* vmlinux = btf__load_vmlinux_btf();
  t.btf_ns = thread_cpu_ns() - start;
  if (!vmlinux) throw Error(std::string("load phases: reading the kernel's BTF: ") + errno_text(errno));
  btf__free(vmlinux);

  start = thread_cpu_ns();
  Skel* s = Skel::open();
  t.open_ns = thread_cpu_ns() - start;
  if (!s) throw Error(std::string("load phases: opening the ") + name + " skeleton: " + errno_text(errno));
  auto fail = [&](const char* what, int err) {
    std::string why = std::string("load phases: ") + what + " the " + name + " exit program: " + errno_text(err) +
                      libbpf_log_tail();
    Skel::destroy(s);
    return Error(why);
  };
  bpf_program* prog = s->progs.exit_btf;
  bpf_program* p;
  bpf_object__for_each_program(p, s->obj) bpf_program__set_autoload(p, p == prog);
  std::vector<char> log(64 * 1024);
  bpf_program__set_log_buf(prog, log.data(), log.size());
  bpf_program__set_log_level(prog, kLogStats);

  start = thread_cpu_ns();
  int err = Skel::load(s);
  t.load_ns = thread_cpu_ns() - start;
  if (err) throw fail("loading", err);
  t.verify_ns = verification_ns(log.data());

  start = thread_cpu_ns();
  bpf_link* link = bpf_program__attach(prog);
  t.attach_ns = thread_cpu_ns() - start;
  if (!link) throw fail("attaching", errno);

  start = thread_cpu_ns();
  bpf_link__destroy(link);
  Skel::destroy(s);
  t.destroy_ns = thread_cpu_ns() - start;
  return t;
}

}  // namespace

LoadPhases measure_load_phases(Kind kind) {
  return kind == Kind::Ringbuf ? measure<ringbuf_exit>("ringbuf") : measure<perfbuf_exit>("perfbuf");
}

}  // namespace ringbench
