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

RingbufReader::RingbufReader(const TransportConfig& cfg, int events_fd, EventSink* sink)
    : sink_(sink), data_bytes_(cfg.ringbuf_bytes) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  try {
    take_libbpf_log();
    rb_ = ring_buffer__new(events_fd, on_record, this, nullptr);
    if (!rb_) throw Error("creating the ring buffer reader failed: " + errno_text(errno) + libbpf_log_tail());
    // Our own mapping beside libbpf's: 1.1 does not expose its positions, and the custom reader
    // needs them. The data area follows the producer page, mapped twice by the kernel.
    map_bytes_ = page + 2 * data_bytes_;
    void* c = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED, events_fd, 0);
    if (c == MAP_FAILED) throw Error("mapping the ring buffer consumer page failed: " + errno_text(errno));
    consumer_pos_ = static_cast<volatile unsigned long*>(c);
    void* p = mmap(nullptr, map_bytes_, PROT_READ, MAP_SHARED, events_fd, long(page));
    if (p == MAP_FAILED) throw Error("mapping the ring buffer data failed: " + errno_text(errno));
    producer_pos_ = static_cast<volatile unsigned long*>(p);
    data_ = static_cast<const char*>(p) + page;
  } catch (...) {
    release();
    throw;
  }
  // data pages plus the kernel's three metadata pages (header, consumer, producer)
  buffer_bytes_ = data_bytes_ + 3 * uint64_t(page);
}

RingbufReader::~RingbufReader() { release(); }

void RingbufReader::release() {
  if (rb_) ring_buffer__free(rb_);
  rb_ = nullptr;
  if (consumer_pos_) munmap((void*)consumer_pos_, size_t(sysconf(_SC_PAGESIZE)));
  if (producer_pos_) munmap((void*)producer_pos_, map_bytes_);
  consumer_pos_ = producer_pos_ = nullptr;
  data_ = nullptr;
}

int RingbufReader::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<RingbufReader*>(ctx);
  self->sink_->on_event(data, size);
  // libbpf publishes the consumer position after each record: read both now and then
  if (++self->since_note_ >= kNoteEvery) {
    self->since_note_ = 0;
    self->note_occupancy(0, self->occupancy());
  }
  return 0;
}

int RingbufReader::epoll_fd() const { return ring_buffer__epoll_fd(rb_); }

int RingbufReader::consume() {
  note_occupancy(0, occupancy());  // what is there before libbpf starts publishing
  int n = ring_buffer__consume(rb_);
  note_occupancy(0, occupancy());
  end_batch(sink_);
  return n;
}

int RingbufReader::consume_batch() {
  const unsigned long mask = data_bytes_ - 1;
  unsigned long cons = __atomic_load_n(consumer_pos_, __ATOMIC_RELAXED);  // we are its only writer
  const unsigned long prod = __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE);
  int n = 0;
  while (cons < prod) {
    const auto* hdr = reinterpret_cast<const uint32_t*>(data_ + (cons & mask));
    uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
    if (len & BPF_RINGBUF_BUSY_BIT) break;  // reserved, not yet committed: stop here
    uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
      sink_->on_event(reinterpret_cast<const char*>(hdr) + BPF_RINGBUF_HDR_SZ, size);
      n++;
    }
    cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
  }
  // the fullest since our last publication, then publish: once per batch
  note_occupancy(0, __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE) - __atomic_load_n(consumer_pos_, __ATOMIC_RELAXED));
  __atomic_store_n(consumer_pos_, cons, __ATOMIC_RELEASE);
  end_batch(sink_);
  return n;
}

uint64_t RingbufReader::occupancy() const {
  return __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE) - __atomic_load_n(consumer_pos_, __ATOMIC_ACQUIRE);
}

}  // namespace ringbench
