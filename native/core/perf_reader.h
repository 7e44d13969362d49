// perf_reader — the per-CPU perf buffers read through libbpf's perf_buffer, or by walking their
// mapped pages ourselves; counts the samples perf reports lost.
#pragma once

#include <vector>

#include "reader.h"

struct perf_buffer;

namespace ringbench {

class PerfReader : public Reader {
 public:
  PerfReader(const TransportConfig& cfg, int events_fd, EventSink* sink);
  ~PerfReader() override;
  int epoll_fd() const override;
  int consume() override;
  int consume_batch() override;
  uint64_t occupancy() const override;

 private:
  static int on_record(void* ctx, int cpu, void* event);
  uint64_t cpu_occupancy(size_t i) const;  // CPU buffer i: data_head - data_tail
  EventSink* sink_;
  perf_buffer* pb_ = nullptr;
  std::vector<void*> pages_;    // per-CPU perf_event_mmap_page headers
  size_t data_bytes_ = 0;       // data bytes per CPU
  std::vector<char> scratch_;   // a record that wraps the ring end is reassembled here
  uint32_t since_note_ = 0;     // libbpf reader: records since positions were last noted
};

}  // namespace ringbench
