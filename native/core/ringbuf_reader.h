// ringbuf_reader — the BPF ring buffer read through libbpf's ring_buffer, or by walking our own
// mapping of it and publishing the consumer position once per batch.
#pragma once

#include "reader.h"

struct ring_buffer;

namespace ringbench {

class RingbufReader : public Reader {
 public:
  RingbufReader(const TransportConfig& cfg, int events_fd, EventSink* sink);
  ~RingbufReader() override;
  int epoll_fd() const override;
  int consume() override;
  int consume_batch() override;
  uint64_t occupancy() const override;

 private:
  static int on_record(void* ctx, void* data, size_t size);
  void release();
  EventSink* sink_;
  uint64_t data_bytes_;
  ring_buffer* rb_ = nullptr;
  // Our own view: the consumer page (read-write), then the producer page and the data area, which
  // the kernel maps twice in a row so a record never wraps.
  volatile unsigned long* consumer_pos_ = nullptr;
  volatile unsigned long* producer_pos_ = nullptr;
  const char* data_ = nullptr;
  size_t map_bytes_ = 0;
  uint32_t since_note_ = 0;  // libbpf reader: records since positions were last noted
};

}  // namespace ringbench
