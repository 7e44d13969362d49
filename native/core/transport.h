// transport — one twin program loaded, attached and readable: open the embedded object, set its
// rodata, size the buffer, load, attach, and read it through libbpf's ring_buffer or perf_buffer.
// The destructor is the one cleanup path: links, buffers, object, in that order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../bpf/common/event.h"

struct bpf_object;
struct bpf_link;
struct ring_buffer;
struct perf_buffer;

namespace ringbench {

// An error with one line for the user: what failed and how to fix it.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Kind { Ringbuf, Perfbuf };

struct TransportConfig {
  Kind kind = Kind::Ringbuf;
  rb_config bpf{};                  // rodata: target, event bytes, wake-up policy, ...
  uint64_t ringbuf_bytes = 256 * 1024;
  uint32_t perfbuf_pages = 32;      // per CPU
  uint32_t perfbuf_wakeup_events = 1;
  uint32_t perfbuf_watermark_bytes = 0;
  std::string attach = "auto";      // auto | tp_btf | raw_tp | tp
  bool synthetic = false;           // saturation load: the getpgid fentry trigger, not process exits
};

// Called for each record, on the consumer's thread.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const void* data, size_t size) = 0;
};

struct KernelCounters {
  uint64_t hits = 0, drops = 0, filtered = 0;
};

struct ProgStats {
  uint64_t run_time_ns = 0, run_cnt = 0;
};

class Transport {
 public:
  Transport(const TransportConfig& cfg, EventSink* sink);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  int epoll_fd() const;
  // Reads every record available now through libbpf; returns <0 on error.
  int consume();
  // The custom reader: walks the mapped pages itself and publishes the new consumer position once
  // per batch instead of once per record (ringbuf) / hands records over without libbpf's
  // callback-per-ring machinery (perfbuf). Returns records read.
  int consume_batch();
  // Unread bytes in the buffer right now (sum over CPUs for perfbuf).
  uint64_t occupancy() const;
  // Kernel memory of the buffer: ringbuf data + metadata pages; perfbuf CPUs x (pages + 1) pages.
  uint64_t buffer_bytes() const { return buffer_bytes_; }
  // The kernel's own accounting of the map (fdinfo memlock); covers the ringbuf, not perf pages.
  uint64_t map_memlock_bytes() const;
  KernelCounters counters() const;
  ProgStats prog_stats() const;
  uint64_t lost_reported() const { return lost_reported_; }
  const std::string& attached_via() const { return attached_via_; }
  Kind kind() const { return cfg_.kind; }

 private:
  void open_and_load();
  bool try_load(const std::string& how, std::string* why);
  void attach();
  void setup_reader();
  void destroy();
  static int on_ringbuf(void* ctx, void* data, size_t size);
  static int on_perf(void* ctx, int cpu, void* event);

  TransportConfig cfg_;
  EventSink* sink_;
  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
  ring_buffer* rb_ = nullptr;
  perf_buffer* pb_ = nullptr;
  int events_fd_ = -1;
  int consume_ringbuf_batch();
  int consume_perf_batch();
  // Our own view of the ring buffer: the consumer page (read-write), then the producer page and
  // the data area, which the kernel maps twice in a row so a record never wraps.
  volatile unsigned long* consumer_pos_ = nullptr;
  volatile unsigned long* producer_pos_ = nullptr;
  const char* ring_data_ = nullptr;
  size_t ring_map_bytes_ = 0;
  std::vector<void*> perf_pages_;  // per-CPU perf_event_mmap_page headers
  size_t perf_data_bytes_ = 0;     // data bytes per CPU
  std::vector<char> scratch_;      // a perf record that wraps the ring end is reassembled here
  uint64_t buffer_bytes_ = 0;
  uint64_t lost_reported_ = 0;
  std::string attached_via_;
};

// Saves libbpf's messages on this thread so a failure can quote them; silent otherwise.
void install_libbpf_logger();
std::string take_libbpf_log();

}  // namespace ringbench
