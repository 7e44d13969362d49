// tracer — a transport whose consumer keeps decoded events in a bounded queue for JavaScript to
// take in batches: the live trace view and the twin-payload test. Not used on the measured path.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "consumer.h"
#include "transport.h"

namespace ringbench {

struct TracedEvent {
  uint16_t kind;
  uint64_t seq, ts_ns, duration_ns;
  uint32_t pid, ppid, exit_code, cpu;
  std::string comm, filename;
};

class Tracer : public EventSink {
 public:
  static constexpr size_t kMaxQueued = 1 << 16;
  Tracer(const TransportConfig& cfg, ConsumerOptions opts);
  ~Tracer() override;
  void on_event(const void* data, size_t size) override;
  std::vector<TracedEvent> take(size_t max);
  // Stops the consumer after draining and frees the programs; queued events stay takeable.
  void close();
  uint64_t delivered() const { return delivered_; }
  uint64_t overflow() const { return overflow_; }
  KernelCounters counters() const { return closed_counters_set_ ? closed_counters_ : transport_->counters(); }
  uint64_t lost_reported() const { return transport_ ? transport_->lost_reported() : closed_lost_; }
  std::string attached_via() const { return attached_via_; }

 private:
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Consumer> consumer_;
  std::mutex mu_;
  std::deque<TracedEvent> queue_;
  uint64_t delivered_ = 0, overflow_ = 0, closed_lost_ = 0;
  KernelCounters closed_counters_;
  bool closed_counters_set_ = false;
  std::string attached_via_;
};

}  // namespace ringbench
