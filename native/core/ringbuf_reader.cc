// ringbuf_reader — see ringbuf_reader.h.
#include "ringbuf_reader.h"

#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "error.h"
#include "libbpf_log.h"

namespace ringbench {

RingbufReader::RingbufReader(const TransportConfig& cfg, const std::vector<int>& ring_fds, EventSink* sink)
    : sink_(sink), data_bytes_(cfg.bpf.ring_cpus ? cfg.ring_bytes : cfg.ringbuf_bytes) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  map_bytes_ = page + 2 * data_bytes_;
  // every Ring's address is handed to libbpf as its callback context: no reallocation after this
  rings_.resize(ring_fds.size());
  try {
    for (size_t i = 0; i < ring_fds.size(); i++) {
      Ring& r = rings_[i];
      r.self = this;
      r.index = i;
      take_libbpf_log();
      int err = rb_ ? ring_buffer__add(rb_, ring_fds[i], on_record, &r) : 0;
      if (!rb_) rb_ = ring_buffer__new(ring_fds[i], on_record, &r, nullptr);
      if (!rb_ || err) throw Error("creating the ring buffer reader failed: " + errno_text(rb_ ? err : errno) + libbpf_log_tail());
      // Our own mapping beside libbpf's: 1.1 does not expose its positions, and the custom reader
      // needs them. The data area follows the producer page, mapped twice by the kernel.
      void* c = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED, ring_fds[i], 0);
      if (c == MAP_FAILED) throw Error("mapping the ring buffer consumer page failed: " + errno_text(errno));
      r.consumer_pos = static_cast<volatile unsigned long*>(c);
      void* p = mmap(nullptr, map_bytes_, PROT_READ, MAP_SHARED, ring_fds[i], long(page));
      if (p == MAP_FAILED) throw Error("mapping the ring buffer data failed: " + errno_text(errno));
      r.producer_pos = static_cast<volatile unsigned long*>(p);
      r.data = static_cast<const char*>(p) + page;
    }
  } catch (...) {
    release();
    throw;
  }
  // per ring: data pages plus the kernel's three metadata pages (header, consumer, producer)
  buffer_bytes_ = uint64_t(rings_.size()) * (data_bytes_ + 3 * uint64_t(page));
  buffers_ = rings_.size();
  buffer_data_bytes_ = data_bytes_;
}

RingbufReader::~RingbufReader() { release(); }

void RingbufReader::release() {
  if (rb_) ring_buffer__free(rb_);
  rb_ = nullptr;
  for (Ring& r : rings_) {
    if (r.consumer_pos) munmap((void*)r.consumer_pos, size_t(sysconf(_SC_PAGESIZE)));
    if (r.producer_pos) munmap((void*)r.producer_pos, map_bytes_);
    r.consumer_pos = r.producer_pos = nullptr;
    r.data = nullptr;
  }
}

uint64_t RingbufReader::Ring::unread() const {
  return __atomic_load_n(producer_pos, __ATOMIC_ACQUIRE) - __atomic_load_n(consumer_pos, __ATOMIC_ACQUIRE);
}

int RingbufReader::on_record(void* ctx, void* data, size_t size) {
  auto* r = static_cast<Ring*>(ctx);
  RingbufReader* self = r->self;
  self->sink_->on_event(data, size);
  self->count_delivered(r->index);
  // libbpf publishes the consumer position after each record: read both now and then
  if (++r->since_note >= kNoteEvery) {
    r->since_note = 0;
    self->note_unread(r->index, r->unread());
  }
  return 0;
}

int RingbufReader::epoll_fd() const { return ring_buffer__epoll_fd(rb_); }

int RingbufReader::consume() {
  sink_->begin_batch();
  for (const Ring& r : rings_) note_unread(r.index, r.unread());  // before libbpf starts publishing
  int n = ring_buffer__consume(rb_);
  for (const Ring& r : rings_) note_unread(r.index, r.unread());
  end_batch(sink_);
  return n;
}

int RingbufReader::consume_batch() {
  sink_->begin_batch();
  const unsigned long mask = data_bytes_ - 1;
  int n = 0;
  for (Ring& r : rings_) {
    unsigned long cons = __atomic_load_n(r.consumer_pos, __ATOMIC_RELAXED);  // we are its only writer
    const unsigned long prod = __atomic_load_n(r.producer_pos, __ATOMIC_ACQUIRE);
    int got = 0;
    while (cons < prod) {
      const auto* hdr = reinterpret_cast<const uint32_t*>(r.data + (cons & mask));
      uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
      if (len & BPF_RINGBUF_BUSY_BIT) break;  // reserved, not yet committed: stop here
      uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
      if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
        sink_->on_event(reinterpret_cast<const char*>(hdr) + BPF_RINGBUF_HDR_SZ, size);
        got++;
      }
      cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
    }
    count_delivered(r.index, uint64_t(got));
    n += got;
    // the fullest since our last publication, then publish: once per ring per batch
    note_unread(r.index, __atomic_load_n(r.producer_pos, __ATOMIC_ACQUIRE) - __atomic_load_n(r.consumer_pos, __ATOMIC_RELAXED));
    __atomic_store_n(r.consumer_pos, cons, __ATOMIC_RELEASE);
  }
  end_batch(sink_);
  return n;
}

uint64_t RingbufReader::occupancy() const {
  uint64_t total = 0;
  for (const Ring& r : rings_) total += r.unread();
  return total;
}

}  // namespace ringbench
