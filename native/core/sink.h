// sink — the measuring consumer's per-record work, kept small enough to stay out of the way at the
// limits: counts, the sequence sum and the ordering tracker for every record (exact); the clock,
// the timeline and the last-delivery time once per batch; the latency histogram for one record in
// `latency_every` (1 = every record, as storms keep). calibrate_sink() measures what it costs.
// Past `read_until` (a bounded drain after a stop) records are only counted as not drained; the
// bound is checked whenever the clock is read, at least every kClockEvery records.
// The stall record: how long records waited. Commit-to-read is a clock reading minus the record's
// BPF timestamp; its maximum covers every timed record, at the first clock reading at or after
// the record was received (exact when every record is timed, at most `latency_every` records late
// otherwise): a compare per record, no extra clock. Pending gaps: for each read that found
// records, the time from the previous read's start (or the oldest record's BPF timestamp, if
// later) to this read's start: how long records waited for a read to begin.
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
  void begin_batch() override;
  void on_event(const void* data, size_t size) override;
  void end_batch(uint64_t unread_bytes) override;

  uint64_t delivered = 0, malformed = 0, last_delivery = 0, not_drained = 0;
  std::atomic<uint64_t> read_until{UINT64_MAX};  // CLOCK_MONOTONIC ns; set by the trial's thread
  uint64_t seq_sum = 0;  // with no drops, 0 + 1 + ... + (n-1): every number delivered exactly once
  LatencyHistogram latency;
  OrderTracker order;
  uint64_t commit_to_read_max = 0;  // over every timed record (see above)
  LatencyHistogram pending_gap;      // one value per read that found records

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
  // the oldest BPF timestamp received since the clock was last read, and in this read
  uint64_t oldest_unclocked_ = UINT64_MAX, batch_oldest_ = UINT64_MAX;
  uint64_t batch_start_ = 0, prev_batch_start_ = 0, batch_records_ = 0;
  void clocked(uint64_t now) {
    if (oldest_unclocked_ != UINT64_MAX && now > oldest_unclocked_ && now - oldest_unclocked_ > commit_to_read_max)
      commit_to_read_max = now - oldest_unclocked_;
    oldest_unclocked_ = UINT64_MAX;
  }
};

// The sink's own CPU cost per record, in ns: a fresh sink fed `records` synthetic in-order records
// of `record_bytes` in batches of 64, on the calling thread (the best of 3 passes).
double calibrate_sink(size_t record_bytes, size_t min_bytes, uint32_t latency_every);

}  // namespace ringbench
