// loader — one twin program loaded and attached through its generated skeleton: set its rodata,
// size the buffer, enable the one program of the chosen attachment, load, attach. The destructor
// is the one cleanup path: links, then the skeleton (object and maps).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../../bpf/common/event.h"

struct bpf_object;
struct bpf_program;
struct bpf_link;
struct bpf_map;

namespace ringbench {

enum class Kind { Ringbuf, Perfbuf };

// How the exit program attaches to sched_process_exit; Auto tries tp_btf, raw_tp, then tp.
enum class Attach { Auto, TpBtf, RawTp, Tp };

struct TransportConfig {
  Kind kind{};
  rb_config bpf{};                   // rodata: target, event bytes, wake-up policy, ...
  uint64_t ringbuf_bytes{};
  uint64_t ring_bytes{};             // bpf.ring_cpus > 0: data bytes of each ring
  uint32_t perfbuf_pages{};          // per CPU
  uint32_t perfbuf_wakeup_events{};
  uint32_t perfbuf_watermark_bytes{};
  Attach attach{};
  bool saturation{};                 // the getpgid saturation trigger, not process exits
};

struct KernelCounters {
  uint64_t hits = 0, drops = 0, filtered = 0;
  uint64_t peak_avail = 0;  // ringbuf: most unread bytes at a failed reserve, over all CPUs
};

struct ProgStats {
  uint64_t run_time_ns = 0, run_cnt = 0;
};

class LoadedTwin {
 public:
  explicit LoadedTwin(const TransportConfig& cfg);  // throws Error with the reason of every way tried
  ~LoadedTwin();
  LoadedTwin(const LoadedTwin&) = delete;
  LoadedTwin& operator=(const LoadedTwin&) = delete;

  // Destroys the links: the programs stop firing; the object stays readable (counters, stats).
  void detach();
  int events_fd() const;
  // The rings the reader reads: the one shared ring, or the ring of every N CPUs (bpf.ring_cpus).
  std::vector<int> ring_fds() const;
  // The kernel's own accounting of the events map (fdinfo memlock); covers the ringbuf, not perf pages.
  uint64_t map_memlock_bytes() const;
  KernelCounters counters() const;
  ProgStats prog_stats() const;
  // tp_btf | raw_tp | tp for exits; fentry | tp_btf/sys_enter for saturation
  const std::string& attached_via() const { return attached_via_; }

  // What a successful load leaves behind, whichever twin it was (filled by the skeleton template).
  struct Loaded {
    bpf_object* obj = nullptr;
    bpf_map* events = nullptr;
    bpf_map* counters = nullptr;
    std::vector<bpf_program*> programs;  // the enabled ones, to attach
    std::function<void()> destroy;       // the skeleton's __destroy
    std::vector<int> ring_fds;           // rings made for the `rings` array (closed by destroy)
  };

 private:
  void attach(const std::string& via);
  void destroy();
  TransportConfig cfg_;
  Loaded loaded_;
  std::vector<bpf_link*> links_;
  std::string attached_via_;
};

}  // namespace ringbench
