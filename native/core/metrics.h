// metrics — constant-memory measurement of a stream of events: a log-linear latency histogram,
// an ordering tracker over the BPF sequence numbers and a fixed-size timeline. Whatever the event
// count, these use the same few hundred KiB; nothing here allocates per event.
#pragma once

#include <cstdint>
#include <vector>

#include "clock.h"

namespace ringbench {

// Values below 128 are exact; above, each power of two is split into 64 buckets, so a reported
// percentile is within 1/64 (1.6%) of the true value. Covers up to ~2^48 ns (3 days).
class LatencyHistogram {
 public:
  LatencyHistogram() : buckets_(kBuckets, 0) {}
  void record(uint64_t v);
  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  // q in [0, 1]; 0 when empty
  uint64_t quantile(double q) const;

 private:
  static constexpr int kSubBits = 6;
  static constexpr int kMaxMsb = 47;
  static constexpr size_t kBuckets = 128 + (kMaxMsb - kSubBits) * 64;
  static size_t index_of(uint64_t v);
  static uint64_t midpoint_of(size_t idx);
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

// An event is an inversion when its sequence number is lower than one already delivered. Its
// displacement is how many already-delivered events carry a higher number: the positional
// distance it arrived late by. A bitmap over the last kWindow sequence numbers answers that
// exactly for displacements inside the window; beyond it the count is a lower bound and
// `truncated` says so. Per-block counts keep a query to a few hundred steps however late the
// event is (a perf buffer read one CPU after the other makes half its events very late).
class OrderTracker {
 public:
  OrderTracker() : bits_(kWindow / 64, 0), block_counts_(kWindow / kBlock, 0) {}
  // Inline for the common case, the next number in order: a saturated transport delivers tens of
  // millions a second, and this runs for each.
  void observe(uint64_t seq, uint64_t ts_ns) {
    if (any_ && seq == max_seq_ + 1 && ts_ns >= max_ts_) {
      set(seq);
      max_seq_ = seq;
      max_ts_ = ts_ns;
      return;
    }
    observe_any(seq, ts_ns);
  }
  uint64_t inversions = 0;
  uint64_t max_displacement = 0;
  uint64_t max_time_regression_ns = 0;
  bool truncated = false;

 private:
  static constexpr uint64_t kWindow = 1ull << 20;
  static constexpr uint64_t kBlock = 4096;  // bits per counted block
  void observe_any(uint64_t seq, uint64_t ts_ns);
  bool test(uint64_t s) const { return bits_[(s % kWindow) / 64] >> (s % 64) & 1; }
  void set(uint64_t s) {
    uint64_t& word = bits_[(s % kWindow) / 64];
    const uint64_t bit = 1ull << (s % 64);
    if (!(word & bit)) {
      word |= bit;
      block_counts_[(s % kWindow) / kBlock]++;
    }
  }
  void clear(uint64_t s);
  uint64_t count_between(uint64_t lo, uint64_t hi) const;  // set bits in (lo, hi]
  std::vector<uint64_t> bits_;
  std::vector<uint32_t> block_counts_;
  bool any_ = false;
  uint64_t max_seq_ = 0;
  uint64_t max_ts_ = 0;
};

// Events delivered and peak occupancy (bytes) per window since the start of the load phase. The last
// window absorbs anything past the end, so memory stays fixed.
class Timeline {
 public:
  static constexpr size_t kMaxWindows = 4096;
  void start(uint64_t t0_ns, uint64_t window_ns);
  void delivered(uint64_t now_ns, uint64_t n = 1) { delivered_[slot(now_ns)] += n; }
  void occupancy(uint64_t now_ns, uint64_t bytes);
  // trims to the last window that saw anything
  void finish(std::vector<uint64_t>* delivered, std::vector<uint64_t>* occupancy) const;
  uint64_t window_ns() const { return window_ns_; }

 private:
  size_t slot(uint64_t now_ns) const;
  uint64_t t0_ = 0;
  uint64_t window_ns_ = 50000000;
  std::vector<uint64_t> delivered_ = std::vector<uint64_t>(kMaxWindows, 0);
  std::vector<uint64_t> occupancy_ = std::vector<uint64_t>(kMaxWindows, 0);
};

}  // namespace ringbench
