// reader — reads a loaded twin's buffer in user space: through libbpf (consume) or through our own
// view of the mapped pages (consume_batch). One implementation per transport: ringbuf_reader,
// perf_reader; make_reader picks it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "loader.h"

namespace ringbench {

// Called once as a read starts (before libbpf or our walk looks at the positions), for each
// record, on the consumer's thread; then once at the end of each batch with the most unread bytes
// seen during it, so per-batch work (the clock, the timeline) is done once.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void begin_batch() {}
  virtual void on_event(const void* data, size_t size) = 0;
  virtual void end_batch(uint64_t /*unread_bytes*/) {}
};

class Reader {
 public:
  virtual ~Reader() = default;
  virtual int epoll_fd() const = 0;
  // Reads every record available now through libbpf; returns <0 on error.
  virtual int consume() = 0;
  // The custom reader: walks the mapped pages itself and publishes the new consumer position once
  // per batch instead of once per record (ringbuf) / hands records over without libbpf's
  // callback-per-ring machinery (perfbuf). Returns records read.
  virtual int consume_batch() = 0;
  // Unread bytes in the buffer right now (sum over CPUs for perfbuf).
  virtual uint64_t occupancy() const = 0;
  // Kernel memory of the buffer: ringbuf data + metadata pages; perfbuf CPUs x (pages + 1) pages.
  uint64_t buffer_bytes() const { return buffer_bytes_; }
  // Samples perf says it lost (PERF_RECORD_LOST); always 0 for the ring buffer.
  uint64_t lost_reported() const { return lost_reported_; }
  // The fullest the buffer got, from positions read as records are consumed: all buffers together,
  // and the fullest single one (perfbuf: one CPU's; ringbuf: the same as the total).
  uint64_t peak_unread() const { return peak_total_; }
  uint64_t peak_unread_one() const { return peak_one_; }
  // The buffers read (rings, or perf's CPU buffers), the data bytes of each, and the records read
  // from each: perfbuf indexes them by CPU, an array of rings by ring.
  size_t buffers() const { return buffers_; }
  uint64_t buffer_data_bytes() const { return buffer_data_bytes_; }
  std::vector<uint64_t> per_buffer_read() const {
    std::vector<uint64_t> v = per_buffer_;
    v.resize(buffers_, 0);
    return v;
  }

 protected:
  // Records that buffer `buf` held `bytes` unread. Called before the reader publishes a new
  // consumer position: between two publications only the producer moves, so the value just
  // before one is the fullest the buffer got since the last.
  void note_unread(size_t buf, uint64_t bytes);
  // Hands the batch's fullest total to the sink and starts a new batch.
  void end_batch(EventSink* sink);
  void count_delivered(size_t buf, uint64_t n = 1) {
    if (buf >= per_buffer_.size()) per_buffer_.resize(buf + 1, 0);
    per_buffer_[buf] += n;
  }
  // The libbpf readers publish inside libbpf: they note positions every kNoteEvery records.
  static constexpr uint32_t kNoteEvery = 16;
  uint64_t buffer_bytes_ = 0;
  uint64_t lost_reported_ = 0;
  size_t buffers_ = 0;
  uint64_t buffer_data_bytes_ = 0;

 private:
  std::vector<uint64_t> unread_;  // per buffer, last noted
  std::vector<uint64_t> per_buffer_;
  uint64_t peak_total_ = 0, peak_one_ = 0, batch_peak_ = 0;
};

std::unique_ptr<Reader> make_reader(const TransportConfig& cfg, const LoadedTwin& twin, EventSink* sink);

}  // namespace ringbench
