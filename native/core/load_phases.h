// load_phases — the fixed cost a trial pays at the native boundary before and after its events,
// phase by phase, for `npm run bench:js`: open the skeleton, parse the kernel's BTF, load (BTF,
// relocations, maps, the verifier), attach, destroy. The exit program through tp_btf, as a
// trial's default; nothing else runs while it is attached. Phases are the calling thread's CPU
// time (user and kernel: the bpf() syscalls' work is charged to it), so a shared machine's other
// tenants do not inflate them; only verify_ns is the kernel's own wall-clock figure.
#pragma once

#include <cstdint>

#include "loader.h"

namespace ringbench {

struct LoadPhases {
  uint64_t open_ns = 0;     // Skel::open: parse the embedded ELF object
  uint64_t btf_ns = 0;      // btf__load_vmlinux_btf, what the load does first for CO-RE, timed alone
  uint64_t load_ns = 0;     // Skel::load: BTF, relocations, maps, the verifier (verify_ns included)
  uint64_t verify_ns = 0;   // the verifier's own "verification time" for the program (BPF_LOG_STATS)
  uint64_t attach_ns = 0;   // bpf_program__attach
  uint64_t destroy_ns = 0;  // the link, then the skeleton
};

// Throws Error when a phase fails (no BTF, no privileges).
LoadPhases measure_load_phases(Kind kind);

}  // namespace ringbench
