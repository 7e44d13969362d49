// cpu_pair — see cpu_pair.h.
#include "cpu_pair.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "clock.h"

namespace ringbench {

namespace {

bool pinned_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

constexpr int kTripsPerChunk = 64;

}  // namespace

void pin_to_cpu(int cpu) {
  if (cpu >= 0) pinned_to(cpu);
}

uint64_t cpu_pair_round_trip_ns(int cpu_a, int cpu_b, uint64_t duration_ns) {
  if (cpu_a < 0 || cpu_b < 0 || cpu_a == cpu_b || cpu_a >= CPU_SETSIZE || cpu_b >= CPU_SETSIZE) return 0;
  // The ball: odd values are the bouncer's turn, even the timer's. Its own cache line, so
  // nothing else travels with it.
  struct alignas(64) Line { std::atomic<uint64_t> v{0}; };
  Line ball;
  alignas(64) std::atomic<bool> stop{false}, ready{false}, failed{false};
  std::thread bouncer([&] {
    if (!pinned_to(cpu_b)) failed = true;
    ready = true;
    uint64_t want = 1;
    while (!stop.load(std::memory_order_relaxed)) {
      if (ball.v.load(std::memory_order_acquire) != want) continue;
      ball.v.store(want + 1, std::memory_order_release);
      want += 2;
    }
  });
  std::vector<uint64_t> chunks;
  std::thread timer([&] {
    if (!pinned_to(cpu_a)) failed = true;
    while (!ready.load()) {
    }
    if (failed.load()) return;
    uint64_t v = 0;
    const uint64_t end = mono_ns() + duration_ns;
    // A descheduled bouncer must not hold the timer past its time: each wait checks the clock.
    for (uint64_t now = mono_ns(); now < end; now = mono_ns()) {
      for (int i = 0; i < kTripsPerChunk; i++) {
        ball.v.store(v + 1, std::memory_order_release);
        for (uint32_t spins = 1; ball.v.load(std::memory_order_acquire) != v + 2; spins++) {
          if (spins % 4096 == 0 && mono_ns() > end) return;
        }
        v += 2;
      }
      chunks.push_back((mono_ns() - now) / kTripsPerChunk);
    }
  });
  timer.join();
  stop = true;
  bouncer.join();
  if (failed.load() || chunks.empty()) return 0;
  std::nth_element(chunks.begin(), chunks.begin() + chunks.size() / 2, chunks.end());
  return chunks[chunks.size() / 2];
}

}  // namespace ringbench
