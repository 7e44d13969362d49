// ringbuf_reader — the BPF ring buffer(s) read through libbpf's ring_buffer, or by walking our own
// mapping of each and publishing its consumer position once per batch. One ring (shared), or the
// rings of an array chosen by CPU (--ringbuf-sharing): one ring_buffer over all of them
// (ring_buffer__add), and the custom reader walks them in turn.
#pragma once

#include <vector>

#include "reader.h"

struct ring_buffer;

namespace ringbench {

class RingbufReader : public Reader {
 public:
  RingbufReader(const TransportConfig& cfg, const std::vector<int>& ring_fds, EventSink* sink);
  ~RingbufReader() override;
  int epoll_fd() const override;
  int consume() override;
  int consume_batch() override;
  uint64_t occupancy() const override;

 private:
  // Our own view of one ring: the consumer page (read-write), then the producer page and the data
  // area, which the kernel maps twice in a row so a record never wraps.
  struct Ring {
    RingbufReader* self = nullptr;
    size_t index = 0;
    volatile unsigned long* consumer_pos = nullptr;
    volatile unsigned long* producer_pos = nullptr;
    const char* data = nullptr;
    uint32_t since_note = 0;  // libbpf reader: records since positions were last noted
    uint64_t unread() const;
  };
  static int on_record(void* ctx, void* data, size_t size);
  void release();
  EventSink* sink_;
  uint64_t data_bytes_;  // per ring
  size_t map_bytes_ = 0;
  ring_buffer* rb_ = nullptr;
  std::vector<Ring> rings_;
};

}  // namespace ringbench
