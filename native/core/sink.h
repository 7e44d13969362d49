// sink — the measuring consumer's per-record work, kept small enough to stay out of the way at the
// limits: counts, the sequence sum and the ordering tracker for every record (exact); the clock,
// the timeline and the last-delivery time once per batch; the latency histogram for one record in
// `latency_every` (1 = every record, as storms keep). calibrate_sink() measures what it costs.
// Past `read_until` (a bounded drain after a stop) records are only counted as not drained; the
// bound is checked whenever the clock is read, at least every kClockEvery records.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "metrics.h"
#include "reader.h"

namespace ringbench {

class MeasuringSink : public EventSink {
 public:
  // `min_bytes`: the smallest valid record (8 for minimal records: the sequence number alone,
  // which carry no time, so no latency); `delay_ns`: spin per record (a slow consumer).
  MeasuringSink(size_t min_bytes, uint32_t latency_every, uint64_t delay_ns, Timeline* tl);
  void on_event(const void* data, size_t size) override;
  void end_batch(uint64_t occupancy_bytes) override;

  uint64_t delivered = 0, malformed = 0, last_delivery = 0, not_drained = 0;
  std::atomic<uint64_t> read_until{UINT64_MAX};  // CLOCK_MONOTONIC ns; set by the trial's thread
  uint64_t seq_sum = 0;  // with no drops, 0 + 1 + ... + (n-1): every number delivered exactly once
  LatencyHistogram latency;
  OrderTracker order;

 private:
  static constexpr uint32_t kClockEvery = 64;
  void check_bound(uint64_t now) { past_bound_ = now >= read_until.load(std::memory_order_relaxed); }
  size_t min_bytes_;
  bool timed_;               // records carry ts_ns
  bool past_bound_ = false;
  uint32_t latency_every_, until_sample_;
  uint64_t delay_ns_;
  uint64_t pending_ = 0;     // delivered since the timeline last heard
  Timeline* timeline_;
};

// The sink's own CPU cost per record, in ns: a fresh sink fed `records` synthetic in-order records
// of `record_bytes` in batches of 64, on the calling thread (the best of 3 passes).
double calibrate_sink(size_t record_bytes, size_t min_bytes, uint32_t latency_every);

}  // namespace ringbench
