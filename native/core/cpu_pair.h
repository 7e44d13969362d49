// cpu_pair — where the host put two of our CPUs. A cache line bounced between threads pinned to
// them takes ~100 ns to come back when the CPUs share a last-level cache and ~450 ns when they do
// not (measured on this repo's 2-vCPU KVM guest on AMD EPYC, whose host moves the vCPUs between
// core complexes every few seconds). The transports move every record and position between the
// producer's and the consumer's CPU, so their ceilings follow that distance; a saturation trial
// measures it before and after its load to say which placement it ran in.
#pragma once

#include <cstdint>

namespace ringbench {

// Pins the calling thread to `cpu` (ignored when the CPU is not available).
void pin_to_cpu(int cpu);

// How long a probe bounces: long enough for a median over a hundred-odd chunks of round trips,
// short beside any load.
constexpr uint64_t kCpuPairProbeNs = 3000000ull;

// The median round trip of a cache line between a thread on cpu_a and one on cpu_b, in ns, over
// about `duration_ns` of bouncing. 0 when either CPU cannot be used.
uint64_t cpu_pair_round_trip_ns(int cpu_a, int cpu_b, uint64_t duration_ns = kCpuPairProbeNs);

}  // namespace ringbench
