// metrics — see metrics.h.
#include "metrics.h"

#include <algorithm>

namespace ringbench {

size_t LatencyHistogram::index_of(uint64_t v) {
  if (v < 128) return size_t(v);
  int msb = 63 - __builtin_clzll(v);
  if (msb > kMaxMsb) return kBuckets - 1;
  int shift = msb - kSubBits;
  return 128 + size_t(msb - kSubBits - 1) * 64 + size_t((v >> shift) - 64);
}

uint64_t LatencyHistogram::midpoint_of(size_t idx) {
  if (idx < 128) return idx;
  size_t octave = (idx - 128) / 64, sub = (idx - 128) % 64;
  int shift = int(octave) + 1;
  uint64_t lo = uint64_t(64 + sub) << shift;
  return lo + ((uint64_t(1) << shift) >> 1);
}

void LatencyHistogram::record(uint64_t v) {
  buckets_[index_of(v)]++;
  count_++;
  if (v > max_) max_ = v;
}

uint64_t LatencyHistogram::quantile(double q) const {
  if (!count_) return 0;
  uint64_t rank = uint64_t(q * double(count_ - 1)) + 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); i++) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(midpoint_of(i), max_);
  }
  return max_;
}

void OrderTracker::clear(uint64_t s) {
  uint64_t& word = bits_[(s % kWindow) / 64];
  uint64_t bit = 1ull << (s % 64);
  if (word & bit) {
    word &= ~bit;
    block_counts_[(s % kWindow) / kBlock]--;
  }
}

uint64_t OrderTracker::count_between(uint64_t lo, uint64_t hi) const {
  // Whole blocks, then whole words, then single bits: kWindow is a multiple of kBlock, so an
  // aligned sequence number is also aligned in the ring.
  uint64_t n = 0;
  for (uint64_t s = lo + 1; s <= hi;) {
    if (s % kBlock == 0 && s + kBlock - 1 <= hi) {
      n += block_counts_[(s % kWindow) / kBlock];
      s += kBlock;
    } else if (s % 64 == 0 && s + 63 <= hi) {
      n += uint64_t(__builtin_popcountll(bits_[(s % kWindow) / 64]));
      s += 64;
    } else {
      n += test(s);
      s++;
    }
  }
  return n;
}

void OrderTracker::observe_any(uint64_t seq, uint64_t ts) {
  if (!any_ || seq > max_seq_) {
    // numbers skipped on the way up are not delivered (yet): clear their stale window bits
    uint64_t from = any_ ? max_seq_ + 1 : (seq >= kWindow ? seq - kWindow + 1 : 0);
    if (seq - from >= kWindow) from = seq - kWindow + 1;
    for (uint64_t s = from; s < seq; s++) clear(s);
    set(seq);
    max_seq_ = seq;
    any_ = true;
  } else {
    inversions++;
    uint64_t lo = seq;
    if (max_seq_ - seq >= kWindow) {
      lo = max_seq_ - kWindow + 1;
      truncated = true;
    }
    max_displacement = std::max(max_displacement, count_between(lo, max_seq_));
    set(seq);
  }
  if (ts < max_ts_) {
    max_time_regression_ns = std::max(max_time_regression_ns, max_ts_ - ts);
  } else {
    max_ts_ = ts;
  }
}

void Timeline::start(uint64_t t0_ns, uint64_t window_ns) {
  t0_ = t0_ns;
  window_ns_ = window_ns ? window_ns : 50000000;
  std::fill(delivered_.begin(), delivered_.end(), 0);
  std::fill(occupancy_.begin(), occupancy_.end(), 0);
}

size_t Timeline::slot(uint64_t now_ns) const {
  if (now_ns <= t0_) return 0;
  return std::min<size_t>((now_ns - t0_) / window_ns_, kMaxWindows - 1);
}

void Timeline::occupancy(uint64_t now_ns, uint64_t bytes) {
  uint64_t& o = occupancy_[slot(now_ns)];
  if (bytes > o) o = bytes;
}

void Timeline::finish(std::vector<uint64_t>* delivered, std::vector<uint64_t>* occupancy) const {
  size_t n = kMaxWindows;
  while (n > 0 && !delivered_[n - 1] && !occupancy_[n - 1]) n--;
  delivered->assign(delivered_.begin(), delivered_.begin() + n);
  occupancy->assign(occupancy_.begin(), occupancy_.begin() + n);
}

}  // namespace ringbench
