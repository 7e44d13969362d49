// consumer — the thread that reads a Transport: epoll (sleep until the kernel wakes us), busy
// poll, drain, or back to back (trigger the next batch itself after each poll, as the kernel's
// ringbuf benchmark does with --rb-b2b); counts wake-ups and its own CPU time. Occupancy is the
// reader's (positions read as records are consumed).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "transport.h"

namespace ringbench {

enum class ConsumerMode { Epoll, Busy, Drain, B2B };
enum class ReaderKind { Libbpf, Custom };

struct ConsumerOptions {
  ConsumerMode mode{};  // sleep in epoll, busy poll, or drain: read nothing during the load, then
                        // the backlog flat out (the reader's ceiling)
  ReaderKind reader{};  // libbpf's reader, or the custom batch reader
  int cpu{};            // pin to this CPU; -1 = no pinning
  // B2B: makes the next batch of records (one trigger); false when the load has none left
  std::function<bool()> trigger;
};

class Consumer {
 public:
  Consumer(Transport& t, ConsumerOptions opts);
  ~Consumer();
  void start();
  // Tells the loop to stop and read whatever is left (returns at once; finished() says when the
  // reading is over), so the caller can bound the drain while it runs.
  void request_stop();
  bool finished() const { return finished_.load(); }
  // Stops the loop, then waits until whatever is left has been read.
  void stop_and_drain();

  uint64_t wakeups() const { return wakeups_; }
  uint64_t cpu_ns() const { return cpu_ns_; }
  // drain mode: how long reading the backlog took
  uint64_t drain_ns() const { return drain_ns_; }
  int error() const { return error_; }

 private:
  void run();
  int read();  // one batch through the chosen reader
  void wake();  // ends an epoll_wait in progress (stop)
  Transport& t_;
  ConsumerOptions opts_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  // Made readable on stop; sits in the transport's epoll set so the consumer can wait without a
  // timeout, as the kernel bench does. On a 2-vCPU VM a 20 ms timeout alone held the adaptive ring
  // buffer in its slow regime, at half the kernel bench's rate (bench/kernel/README.md).
  int stop_fd_ = -1;
  uint64_t wakeups_ = 0, cpu_ns_ = 0, drain_ns_ = 0;
  int error_ = 0;
};

}  // namespace ringbench
