// transport — one twin program loaded, attached and readable: a LoadedTwin (loader.h) and the
// Reader of its buffer (ringbuf_reader.h, perf_reader.h). Teardown: links, reader, object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loader.h"
#include "reader.h"

namespace ringbench {

class Transport {
 public:
  Transport(const TransportConfig& cfg, EventSink* sink);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  int epoll_fd() const { return reader_->epoll_fd(); }
  int consume() { return reader_->consume(); }
  int consume_batch() { return reader_->consume_batch(); }
  uint64_t occupancy() const { return reader_->occupancy(); }
  uint64_t buffer_bytes() const { return reader_->buffer_bytes(); }
  uint64_t lost_reported() const { return reader_->lost_reported(); }
  uint64_t peak_unread() const { return reader_->peak_unread(); }
  uint64_t peak_unread_one() const { return reader_->peak_unread_one(); }
  size_t buffers() const { return reader_->buffers(); }
  uint64_t buffer_data_bytes() const { return reader_->buffer_data_bytes(); }
  std::vector<uint64_t> per_buffer_read() const { return reader_->per_buffer_read(); }
  uint64_t map_memlock_bytes() const { return twin_.map_memlock_bytes(); }
  KernelCounters counters() const { return twin_.counters(); }
  ProgStats prog_stats() const { return twin_.prog_stats(); }
  const std::string& attached_via() const { return twin_.attached_via(); }

 private:
  LoadedTwin twin_;
  std::unique_ptr<Reader> reader_;
};

}  // namespace ringbench
