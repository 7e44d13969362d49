// clock — the two clocks of the native core: CLOCK_MONOTONIC, the clock bpf_ktime_get_ns() reads,
// so BPF timestamps and ours compare directly; and the calling thread's CPU time.
#pragma once

#include <cstdint>
#include <ctime>

namespace ringbench {

inline uint64_t clock_ns(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

inline uint64_t mono_ns() { return clock_ns(CLOCK_MONOTONIC); }
inline uint64_t thread_cpu_ns() { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }

}  // namespace ringbench
