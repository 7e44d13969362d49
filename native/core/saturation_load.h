// saturation_load — the saturation load: producer threads in this process call getpgid() in a loop
// (each pinned to its CPU when asked); the twin emits events_per_call records per call through the
// same transport code as the exit program. It reaches rates a fork storm cannot, so the transport
// rather than process creation sets the pace. Back to back, there are no producer threads: the
// consumer calls trigger() after each poll, as the kernel's ringbuf benchmark does (--rb-b2b).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "load.h"

namespace ringbench {

// Every field is set by the caller (the addon requires each one; the defaults live in TypeScript).
struct SaturationOptions {
  uint64_t events{};           // over all producers
  uint32_t events_per_call{};  // records the program emits per getpgid() call
  uint32_t workers{};
  uint64_t rate{};             // events per second over all producers, 0 = unlimited
  uint64_t timeout_ms{};
  int producer_cpu{};          // producer i runs on CPU (producer_cpu + i) % CPUs; -1 = unpinned
  bool back_to_back{};         // no threads: the consumer triggers through trigger()
};

class SaturationLoad : public Load {
 public:
  explicit SaturationLoad(const SaturationOptions& opts);  // threads start, held at the start line
  ~SaturationLoad() override;
  uint32_t target_tgid() const override;
  void go() override;
  LoadOutcome wait(uint64_t limit_ms, bool (*should_abort)(void*), void* ctx) override;
  // Back to back: one getpgid() call, on the caller's thread, if the load has started and calls
  // are left; false otherwise. Called by one thread only.
  bool trigger();

 private:
  void produce(uint32_t id, uint64_t count);
  void stop_and_join();
  // A producer (or the b2b trigger, the only one) is done; the last records the end and wakes wait().
  void producer_done();
  SaturationOptions opts_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;       // the start line
  std::condition_variable done_cv_;  // the load is over
  bool started_ = false;
  std::atomic<bool> go_{false};  // started_, readable without the lock (trigger)
  uint64_t b2b_calls_ = 0;
  std::atomic<uint64_t> b2b_done_{0};  // written by the consumer only; a plain store on x86
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> running_{0};
  std::atomic<uint64_t> generated_{0};
  std::atomic<bool> deadline_hit_{false};
  uint64_t start_ns_ = 0, end_ns_ = 0;
};

}  // namespace ringbench
