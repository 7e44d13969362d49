// reader — reads a loaded twin's buffer in user space: through libbpf (consume) or through our own
// view of the mapped pages (consume_batch). One implementation per transport: ringbuf_reader,
// perf_reader; make_reader picks it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "loader.h"

namespace ringbench {

// Called for each record, on the consumer's thread.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const void* data, size_t size) = 0;
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

 protected:
  uint64_t buffer_bytes_ = 0;
  uint64_t lost_reported_ = 0;
};

std::unique_ptr<Reader> make_reader(const TransportConfig& cfg, int events_fd, EventSink* sink);

}  // namespace ringbench
