// sink — see sink.h.
#include "sink.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "../../bpf/common/event.h"

namespace ringbench {

MeasuringSink::MeasuringSink(size_t min_bytes, uint32_t latency_every, uint64_t delay_ns, Timeline* tl)
    : min_bytes_(min_bytes),
      timed_(min_bytes >= sizeof(rb_event)),
      // untimed records still read the clock now and then, for the drain bound
      latency_every_(min_bytes >= sizeof(rb_event) ? (latency_every ? latency_every : 1) : kClockEvery),
      until_sample_(latency_every_),
      delay_ns_(delay_ns),
      timeline_(tl) {}

void MeasuringSink::begin_batch() {
  batch_start_ = mono_ns();
  batch_records_ = 0;
  batch_oldest_ = UINT64_MAX;
}

void MeasuringSink::on_event(const void* data, size_t size) {
  if (past_bound_) {
    // past the drain's bound: empty the buffer fast, counting what is left instead of measuring it
    not_drained++;
    return;
  }
  if (size < min_bytes_) {
    malformed++;
    return;
  }
  const auto* e = static_cast<const rb_event*>(data);
  const uint64_t seq = e->seq;
  delivered++;
  seq_sum += seq;
  const uint64_t ts = timed_ ? e->ts_ns : 0;
  order.observe(seq, ts);
  batch_records_++;
  if (timed_) {
    if (ts < oldest_unclocked_) oldest_unclocked_ = ts;
    if (ts < batch_oldest_) batch_oldest_ = ts;
  }
  if (--until_sample_ != 0) {
    pending_++;
  } else {
    until_sample_ = latency_every_;
    const uint64_t now = mono_ns();
    check_bound(now);
    clocked(now);
    if (!timed_) {
      pending_++;
    } else {
      latency.record(now > ts ? now - ts : 0);
      if (latency_every_ == 1) {
        // every record timed (storms): the timeline and last delivery are exact too
        timeline_->delivered(now);
        last_delivery = now;
      } else {
        pending_++;
      }
    }
  }
  if (delay_ns_) {
    // a slow consumer: spin, so the delay costs CPU like real per-event work would
    const uint64_t t0 = mono_ns();
    while (mono_ns() - t0 < delay_ns_) {
    }
  }
}

void MeasuringSink::end_batch(uint64_t unread_bytes) {
  const uint64_t now = mono_ns();
  check_bound(now);
  clocked(now);
  if (batch_start_) {
    // records were pending since the previous read began, or since the oldest was committed
    if (batch_records_) {
      uint64_t from = std::max(prev_batch_start_, batch_oldest_ == UINT64_MAX ? 0 : batch_oldest_);
      if (from) pending_gap.record(batch_start_ > from ? batch_start_ - from : 0);
    }
    prev_batch_start_ = batch_start_;
    batch_start_ = 0;
  }
  if (pending_) {
    timeline_->delivered(now, pending_);
    last_delivery = now;
    pending_ = 0;
  }
  timeline_->occupancy(now, unread_bytes);
}

double calibrate_sink(size_t record_bytes, size_t min_bytes, uint32_t latency_every) {
  constexpr size_t kRecords = 1 << 16, kBatch = 64, kPasses = 3;
  record_bytes = std::max<size_t>(std::max<size_t>(record_bytes, min_bytes), sizeof(uint64_t));
  const size_t stride = (record_bytes + 7) & ~size_t(7);
  std::vector<char> area(kRecords * stride, 0);
  double best = 0;
  for (size_t pass = 0; pass < kPasses; pass++) {
    // numbers from 0 and fresh times each pass, in order, as a transport without drops delivers them
    const uint64_t now = mono_ns();
    uint64_t seq = 0;
    for (size_t i = 0; i < kRecords; i++) {
      char* r = area.data() + i * stride;
      uint64_t s = seq++;
      memcpy(r, &s, sizeof(s));
      if (record_bytes >= sizeof(rb_event)) memcpy(r + offsetof(rb_event, ts_ns), &now, sizeof(now));
    }
    auto tl = std::make_unique<Timeline>();
    tl->start(now, 50000000);
    MeasuringSink sink(min_bytes, latency_every, 0, tl.get());
    const uint64_t cpu0 = thread_cpu_ns();
    for (size_t i = 0; i < kRecords; i++) {
      if (i % kBatch == 0) sink.begin_batch();
      sink.on_event(area.data() + i * stride, record_bytes);
      if ((i + 1) % kBatch == 0) sink.end_batch(0);
    }
    const double ns = double(thread_cpu_ns() - cpu0) / double(kRecords);
    if (pass == 0 || ns < best) best = ns;
  }
  return best;
}

}  // namespace ringbench
