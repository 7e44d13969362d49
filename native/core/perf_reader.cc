// perf_reader — see perf_reader.h.
#include "perf_reader.h"

#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"
#include "libbpf_log.h"

namespace ringbench {

PerfReader::PerfReader(const TransportConfig& cfg, int events_fd, EventSink* sink) : sink_(sink) {
  const long page = sysconf(_SC_PAGESIZE);
  perf_event_attr attr{};
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_BPF_OUTPUT;
  attr.sample_type = PERF_SAMPLE_RAW;
  attr.sample_period = 1;
  if (cfg.perfbuf_watermark_bytes) {
    attr.watermark = 1;
    attr.wakeup_watermark = cfg.perfbuf_watermark_bytes;
  } else {
    attr.wakeup_events = cfg.perfbuf_wakeup_events ? cfg.perfbuf_wakeup_events : 1;
  }
  take_libbpf_log();
  pb_ = perf_buffer__new_raw(events_fd, cfg.perfbuf_pages, &attr,
                             reinterpret_cast<perf_buffer_event_fn>(on_record), this, nullptr);
  if (!pb_) throw Error("creating the perf buffer failed: " + errno_text(errno) + libbpf_log_tail());
  size_t n = perf_buffer__buffer_cnt(pb_);
  for (size_t i = 0; i < n; i++) {
    void* base = nullptr;
    size_t data_size = 0;
    if (perf_buffer__buffer(pb_, int(i), &base, &data_size) == 0) {
      pages_.push_back(base);
      data_bytes_ = data_size;
      buffer_bytes_ += data_size + uint64_t(page);  // data pages + the header page
    }
  }
  scratch_.resize(RB_MAX_EVENT_BYTES + 64);
  buffers_ = pages_.size();
  buffer_data_bytes_ = data_bytes_;
}

PerfReader::~PerfReader() {
  if (pb_) perf_buffer__free(pb_);
}

int PerfReader::on_record(void* ctx, int cpu, void* event) {
  auto* self = static_cast<PerfReader*>(ctx);
  auto* hdr = static_cast<perf_event_header*>(event);
  if (hdr->type == PERF_RECORD_SAMPLE) {
    struct sample { perf_event_header header; uint32_t size; char data[]; };
    auto* s = static_cast<sample*>(event);
    self->sink_->on_event(s->data, s->size);
    self->count_delivered(size_t(cpu));
    // libbpf publishes this CPU's tail after its batch: its positions now are the fill so far
    if (++self->since_note_ >= kNoteEvery && size_t(cpu) < self->pages_.size()) {
      self->since_note_ = 0;
      self->note_unread(size_t(cpu), self->unread(size_t(cpu)));
    }
  } else if (hdr->type == PERF_RECORD_LOST) {
    struct lost { perf_event_header header; uint64_t id; uint64_t lost; };
    self->lost_reported_ += static_cast<lost*>(event)->lost;
  }
  return LIBBPF_PERF_EVENT_CONT;
}

int PerfReader::epoll_fd() const { return perf_buffer__epoll_fd(pb_); }

int PerfReader::consume() {
  sink_->begin_batch();
  for (size_t i = 0; i < pages_.size(); i++) note_unread(i, unread(i));  // before libbpf publishes
  int n = perf_buffer__consume(pb_);
  for (size_t i = 0; i < pages_.size(); i++) note_unread(i, unread(i));
  end_batch(sink_);
  return n;
}

uint64_t PerfReader::unread(size_t i) const {
  auto* meta = static_cast<perf_event_mmap_page*>(pages_[i]);
  return __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE) - __atomic_load_n(&meta->data_tail, __ATOMIC_ACQUIRE);
}

int PerfReader::consume_batch() {
  sink_->begin_batch();
  const long page = sysconf(_SC_PAGESIZE);
  const uint64_t mask = data_bytes_ - 1;
  int n = 0;
  for (size_t i = 0; i < pages_.size(); i++) {
    void* base = pages_[i];
    auto* meta = static_cast<perf_event_mmap_page*>(base);
    const char* data = static_cast<const char*>(base) + page;
    uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = meta->data_tail;
    uint64_t got = 0;
    while (tail < head) {
      // headers are 8-byte aligned and never wrap; a record's body may
      const auto* hdr = reinterpret_cast<const perf_event_header*>(data + (tail & mask));
      const char* rec = reinterpret_cast<const char*>(hdr);
      size_t off = tail & mask;
      if (off + hdr->size > data_bytes_ && hdr->size <= scratch_.size()) {
        size_t first = data_bytes_ - off;
        memcpy(scratch_.data(), rec, first);
        memcpy(scratch_.data() + first, data, hdr->size - first);
        rec = scratch_.data();
      }
      if (hdr->type == PERF_RECORD_SAMPLE) {
        uint32_t size;
        memcpy(&size, rec + sizeof(perf_event_header), sizeof(size));
        sink_->on_event(rec + sizeof(perf_event_header) + sizeof(uint32_t), size);
        got++;
      } else if (hdr->type == PERF_RECORD_LOST) {
        uint64_t lost;
        memcpy(&lost, rec + sizeof(perf_event_header) + sizeof(uint64_t), sizeof(lost));
        lost_reported_ += lost;
      }
      tail += hdr->size;
    }
    // buffer i is CPU i: libbpf maps one per possible CPU, in order (all online here)
    count_delivered(i, got);
    n += int(got);
    // the fullest since our last publication, then publish: once per CPU per batch
    note_unread(i, __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE) - meta->data_tail);
    __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
  }
  end_batch(sink_);
  return n;
}

uint64_t PerfReader::occupancy() const {
  uint64_t total = 0;
  for (size_t i = 0; i < pages_.size(); i++) total += unread(i);
  return total;
}

}  // namespace ringbench
