// probe — kernel capability probe of ringbench.
//
// Asks the running kernel, by actually trying, whether it can do what ringbench needs: create the
// two transport maps (and the optional ones), call the transport helpers from the program types
// the harness uses, attach to sched_process_exit without tracefs (raw_tp, tp_btf), and turn on BPF
// run-time statistics. Each answer is one ProbeItem with a human-readable reason (errno text on
// failure) so that the TypeScript side (src/harness/probe.ts) can explain what is missing and how to fix
// it. Plain C++17 + libbpf; no N-API here (the addon binds it as probeKernel()).
//
// Item names are a contract with src/harness/probe.ts:
//   btf.vmlinux
//   map.ringbuf  map.perf_event_array  map.user_ringbuf  map.ringbuf_overwrite
//   prog.tracepoint  prog.raw_tracepoint  prog.tracing
//   helper.<tracepoint|raw_tracepoint|tracing>.<ringbuf_reserve|ringbuf_submit|ringbuf_output|
//          ringbuf_query|perf_event_output|ringbuf_reserve_dynptr|ringbuf_submit_dynptr|
//          ringbuf_discard_dynptr|user_ringbuf_drain>
//   btf.ringbuf_lock  btf.rb_overwrite_enum   (probe_btf.cc)
//   attach.raw_tracepoint  attach.tp_btf
//   stats.run_time
#pragma once

#include <string>
#include <vector>

namespace ringbench {

struct ProbeItem {
  std::string name;
  bool available;
  std::string reason;
};

// Runs every check in a fixed order and returns one item per check. Never throws for a missing
// capability (that is an item with available=false); every fd it creates is closed before it
// returns. Not thread-safe: it swaps libbpf's global print callback while probing.
std::vector<ProbeItem> probe_kernel();

// What vmlinux BTF says about the ring buffer (probe_btf.cc); called by probe_kernel().
void probe_btf_facts(std::vector<ProbeItem>& items);

}  // namespace ringbench
