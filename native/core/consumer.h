// consumer — the thread that reads a Transport: epoll (sleep until the kernel wakes us) or busy
// poll, sampling buffer occupancy at every wake-up and counting wake-ups and its own CPU time.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "metrics.h"
#include "transport.h"

namespace ringbench {

enum class ConsumerMode { Epoll, Busy, Drain };
enum class ReaderKind { Libbpf, Custom };

struct ConsumerOptions {
  ConsumerMode mode{};  // sleep in epoll, busy poll, or drain: read nothing during the load, then
                        // the backlog flat out (the reader's ceiling)
  ReaderKind reader{};  // libbpf's reader, or the custom batch reader
  int cpu{};            // pin to this CPU; -1 = no pinning
};

class Consumer {
 public:
  // `timeline` may be null; it gets occupancy samples.
  Consumer(Transport& t, ConsumerOptions opts, Timeline* timeline);
  ~Consumer();
  void start();
  // Tells the loop to stop and read whatever is left (returns at once; finished() says when the
  // reading is over), so the caller can bound the drain while it runs.
  void request_stop() { stop_ = true; }
  bool finished() const { return finished_.load(); }
  // Stops the loop, then waits until whatever is left has been read.
  void stop_and_drain();

  uint64_t wakeups() const { return wakeups_; }
  uint64_t cpu_ns() const { return cpu_ns_; }
  uint64_t peak_occupancy() const { return peak_; }
  // drain mode: how long reading the backlog took
  uint64_t drain_ns() const { return drain_ns_; }
  int error() const { return error_; }

 private:
  void run();
  void sample(uint64_t now);
  Transport& t_;
  ConsumerOptions opts_;
  Timeline* timeline_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  uint64_t wakeups_ = 0, cpu_ns_ = 0, peak_ = 0, drain_ns_ = 0;
  int error_ = 0;
};

}  // namespace ringbench
