// saturation_load — see saturation_load.h.
#include "saturation_load.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "clock.h"
#include "cpu_pair.h"

namespace ringbench {

SaturationLoad::SaturationLoad(const SaturationOptions& opts) : opts_(opts) {
  uint32_t workers = opts_.workers ? opts_.workers : 1;
  if (!opts_.events_per_call) opts_.events_per_call = 1;
  // Producers count calls; each call makes events_per_call events.
  uint64_t calls = opts_.events / opts_.events_per_call;
  if (opts_.back_to_back) {
    b2b_calls_ = calls;
    running_ = 1;
    return;
  }
  running_ = workers;
  for (uint32_t i = 0; i < workers; i++) {
    uint64_t share = calls / workers + (i < calls % workers ? 1 : 0);
    threads_.emplace_back([this, i, share] { produce(i, share); });
  }
}

SaturationLoad::~SaturationLoad() { stop_and_join(); }

uint32_t SaturationLoad::target_tgid() const { return uint32_t(getpid()); }

void SaturationLoad::go() {
  std::lock_guard<std::mutex> lock(mu_);
  start_ns_ = mono_ns();
  started_ = true;
  go_.store(true, std::memory_order_release);
  cv_.notify_all();
}

bool SaturationLoad::trigger() {
  if (!go_.load(std::memory_order_acquire) || running_.load(std::memory_order_relaxed) == 0) return false;
  if (stop_.load(std::memory_order_relaxed)) {  // stopped early: make nothing more
    producer_done();
    return false;
  }
  syscall(SYS_getpgid, 0);
  const uint64_t done = b2b_done_.load(std::memory_order_relaxed) + 1;
  b2b_done_.store(done, std::memory_order_relaxed);
  // the deadline is checked every 64 calls: a clock read per call would be part of the measurement
  bool deadline = done % 64 == 0 && mono_ns() >= start_ns_ + opts_.timeout_ms * 1000000ull;
  if (done >= b2b_calls_ || deadline || stop_.load(std::memory_order_relaxed)) {
    if (deadline) deadline_hit_ = true;
    producer_done();
  }
  return true;
}

void SaturationLoad::produce(uint32_t id, uint64_t count) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return started_ || stop_.load(); });
  }
  if (opts_.producer_cpu >= 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    pin_to_cpu(int((uint64_t(opts_.producer_cpu) + id) % uint64_t(cpus > 0 ? cpus : 1)));
  }
  const uint64_t deadline = start_ns_ + opts_.timeout_ms * 1000000ull;
  const uint32_t workers = opts_.workers ? opts_.workers : 1;
  // Pacing in chunks of about 64 records: sleeping per event is impossible at millions per second,
  // and a chunk of many records would be a full-speed burst (64 calls of a 500-record batch are
  // 32,000 records: more than a 512 KiB ring holds, so a capped rate would test the burst).
  const uint64_t chunk = std::max<uint64_t>(1, 64 / opts_.events_per_call);
  const double per_worker = opts_.rate ? double(opts_.rate) / double(opts_.events_per_call) / double(workers) : 0;
  const uint64_t chunk_ns = per_worker > 0 ? uint64_t(1e9 * double(chunk) / per_worker) : 0;
  // A producer that fell behind (preempted) makes up at most 1 ms of the schedule at full speed:
  // a longer catch-up would be a burst the capped rate does not ask for.
  constexpr uint64_t kMaxLagNs = 1000000;
  uint64_t next = start_ns_ + (chunk_ns * id) / workers;
  uint64_t done = 0;
  while (done < count && !stop_.load(std::memory_order_relaxed)) {
    if (chunk_ns) {
      // Sleep most of the gap in slices of at most 1 ms (so stop is noticed), spin the rest.
      uint64_t now = mono_ns();
      for (; now < next && !stop_.load(std::memory_order_relaxed); now = mono_ns()) {
        uint64_t left = next - now;
        if (left > 100000) usleep(useconds_t(std::min<uint64_t>(left / 2, 1000000) / 1000));
      }
      next = std::max(next, now - std::min(now, kMaxLagNs)) + chunk_ns;
    } else if (mono_ns() >= deadline) {
      deadline_hit_ = true;
      break;
    }
    uint64_t n = std::min(chunk, count - done);
    for (uint64_t k = 0; k < n; k++) syscall(SYS_getpgid, 0);
    done += n;
    if (chunk_ns && mono_ns() >= deadline) {
      deadline_hit_ = true;
      break;
    }
  }
  generated_ += done;
  producer_done();
}

void SaturationLoad::producer_done() {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_.load() == 0 || --running_ > 0) return;
  end_ns_ = mono_ns();
  done_cv_.notify_all();
}

void SaturationLoad::stop_and_join() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
}

LoadOutcome SaturationLoad::wait(uint64_t limit_ms, bool (*should_abort)(void*), void* ctx) {
  const uint64_t limit = mono_ns() + limit_ms * 1000000ull;
  bool aborted = false;
  {
    // Sleep until the load ends, waking every 10 ms only to look for a stop: this thread is not
    // pinned, and a wake-up every millisecond would land on the pinned producer's or consumer's CPU.
    std::unique_lock<std::mutex> lock(mu_);
    while (running_.load() > 0) {
      if ((should_abort && should_abort(ctx)) || mono_ns() >= limit) {
        aborted = true;
        break;
      }
      done_cv_.wait_for(lock, std::chrono::milliseconds(10), [this] { return running_.load() == 0; });
    }
  }
  stop_and_join();
  LoadOutcome out;
  out.generated = (opts_.back_to_back ? b2b_done_.load() : generated_.load()) * opts_.events_per_call;
  out.elapsed_ns = (end_ns_ ? end_ns_ : mono_ns()) - start_ns_;
  out.stopped = aborted ? "aborted" : deadline_hit_ ? "deadline" : "done";
  out.ok = true;
  return out;
}

}  // namespace ringbench
