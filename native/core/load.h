// load — what drives events during a trial: a fork storm in its own process, or the saturation
// producer threads in ours. Both are held at a start line until the programs are attached, filter
// on a tgid the BPF program knows before load, are bounded in count and time, and report how many
// events they caused (the ground truth the kernel's counts are checked against).
#pragma once

#include <cstdint>
#include <string>

namespace ringbench {

struct LoadOutcome {
  uint64_t generated = 0, failed = 0, elapsed_ns = 0;
  std::string stopped;  // done | deadline | signal | aborted | killed
  bool ok = false;      // the load reported a result
};

class Load {
 public:
  virtual ~Load() = default;
  // the tgid whose events count: the storm's children's parent, or our own process
  virtual uint32_t target_tgid() const = 0;
  virtual void go() = 0;
  // Waits until the load finishes, `limit_ms` passes or `should_abort()` turns true.
  virtual LoadOutcome wait(uint64_t limit_ms, bool (*should_abort)(void*), void* ctx) = 0;
};

}  // namespace ringbench
