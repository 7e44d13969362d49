// transport — see transport.h.
#include "transport.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <sstream>

#include "perfbuf_exit.skel.h"
#include "ringbuf_exit.skel.h"

namespace ringbench {

namespace {

thread_local std::string libbpf_log;

int log_to_buffer(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  vsnprintf(line, sizeof(line), fmt, args);
  libbpf_log += line;
  if (libbpf_log.size() > 16384) libbpf_log.erase(0, libbpf_log.size() - 16384);
  return 0;
}

long page_size() { return sysconf(_SC_PAGESIZE); }

std::string errno_text(int err) {
  if (err < 0) err = -err;
  return std::string(strerror(err)) + " (errno " + std::to_string(err) + ")";
}

// The last few lines libbpf said, for an error message.
std::string log_tail() {
  std::string log = take_libbpf_log();
  std::istringstream in(log);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  std::string out;
  size_t from = lines.size() > 4 ? lines.size() - 4 : 0;
  for (size_t i = from; i < lines.size(); i++) out += (out.empty() ? "" : " | ") + lines[i];
  return out.empty() ? "" : "; libbpf: " + out;
}

std::string privilege_hint(int err) {
  if (err < 0) err = -err;
  if (err != EPERM && err != EACCES) return "";
  if (geteuid() == 0) return ": refused even for root (a lockdown or LSM policy may forbid this program type)";
  return ": ringbench needs root, or CAP_BPF + CAP_PERFMON (run it with sudo)";
}

bool tracefs_mounted() {
  std::ifstream mounts("/proc/mounts");
  for (std::string dev, dir, type, rest; mounts >> dev >> dir >> type && std::getline(mounts, rest);)
    if (type == "tracefs") return true;
  return false;
}

// tp/ attachment reads tracefs; a fresh machine has it unmounted. Mount it when we may.
void ensure_tracefs() {
  if (tracefs_mounted()) return;
  if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    throw Error("tracefs is not mounted and mounting it failed (" + errno_text(errno) +
                "); mount it as root: mount -t tracefs nodev /sys/kernel/tracing, or use --attach tp_btf|raw_tp");
}

const void* elf_bytes(Kind kind, size_t* size) {
  return kind == Kind::Ringbuf ? ringbuf_exit__elf_bytes(size) : perfbuf_exit__elf_bytes(size);
}

// Pointer to a global variable's initial value in a section (e.g. ".rodata"), found through BTF.
void* section_var(bpf_object* obj, const char* sec, const char* var, size_t size) {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    const char* name = bpf_map__name(map);
    size_t n = strlen(name), s = strlen(sec);
    if (n >= s && strcmp(name + n - s, sec) == 0) break;
  }
  if (!map) return nullptr;
  size_t map_size = 0;
  char* base = static_cast<char*>(const_cast<void*>(bpf_map__initial_value(map, &map_size)));
  const btf* b = bpf_object__btf(obj);
  int id = btf__find_by_name_kind(b, sec, BTF_KIND_DATASEC);
  if (!base || id < 0) return nullptr;
  const btf_type* t = btf__type_by_id(b, id);
  const btf_var_secinfo* v = btf_var_secinfos(t);
  for (int i = 0; i < btf_vlen(t); i++, v++) {
    const btf_type* vt = btf__type_by_id(b, v->type);
    if (strcmp(btf__name_by_offset(b, vt->name_off), var) == 0 && v->size == size &&
        v->offset + size <= map_size)
      return base + v->offset;
  }
  return nullptr;
}

}  // namespace

void install_libbpf_logger() { libbpf_set_print(log_to_buffer); }

std::string take_libbpf_log() {
  std::string out;
  out.swap(libbpf_log);
  return out;
}

Transport::Transport(const TransportConfig& cfg, EventSink* sink) : cfg_(cfg), sink_(sink) {
  try {
    open_and_load();
    attach();
    setup_reader();
  } catch (...) {
    destroy();
    throw;
  }
}

Transport::~Transport() { destroy(); }

void Transport::destroy() {
  for (bpf_link* l : links_) bpf_link__destroy(l);
  links_.clear();
  if (rb_) ring_buffer__free(rb_);
  if (pb_) perf_buffer__free(pb_);
  rb_ = nullptr;
  pb_ = nullptr;
  long page = page_size();
  if (consumer_pos_) munmap((void*)consumer_pos_, page);
  if (producer_pos_) munmap((void*)producer_pos_, ring_map_bytes_);
  consumer_pos_ = producer_pos_ = nullptr;
  ring_data_ = nullptr;
  perf_pages_.clear();
  if (obj_) bpf_object__close(obj_);
  obj_ = nullptr;
}

void Transport::open_and_load() {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    throw Error("the kernel exposes no BTF (/sys/kernel/btf/vmlinux missing): ringbench needs a kernel "
                "built with CONFIG_DEBUG_INFO_BTF=y");
  std::vector<std::string> ways;
  if (cfg_.synthetic)
    ways = {"fentry", "tp_btf/sys_enter"};
  else if (cfg_.attach == "auto")
    ways = {"tp_btf", "raw_tp", "tp"};
  else
    ways = {cfg_.attach};
  std::string why_all;
  for (const std::string& how : ways) {
    std::string why;
    if (try_load(how, &why)) {
      attached_via_ = how;
      return;
    }
    why_all += (why_all.empty() ? "" : "; ") + how + ": " + why;
    if (why.find("needs root") != std::string::npos) break;  // no point trying the others
  }
  throw Error("could not load the " + std::string(cfg_.kind == Kind::Ringbuf ? "ringbuf" : "perfbuf") +
              " exit program (" + why_all + ")");
}

bool Transport::try_load(const std::string& how, std::string* why) {
  size_t size = 0;
  const void* bytes = elf_bytes(cfg_.kind, &size);
  take_libbpf_log();
  bpf_object* obj = bpf_object__open_mem(bytes, size, nullptr);
  if (!obj) {
    *why = "open: " + errno_text(errno) + log_tail();
    return false;
  }
  auto fail = [&](const std::string& what, int err) {
    *why = what + ": " + errno_text(err) + privilege_hint(err) + log_tail();
    bpf_object__close(obj);
    return false;
  };
  auto* rodata = static_cast<rb_config*>(section_var(obj, ".rodata", "cfg", sizeof(rb_config)));
  if (!rodata) return fail("object has no .rodata cfg", EINVAL);
  *rodata = cfg_.bpf;

  const char* exit_prog = how == "fentry"             ? "synth_fentry"
                          : how == "tp_btf/sys_enter" ? "synth_sys_enter"
                          : how == "tp_btf"           ? "exit_btf"
                          : how == "raw_tp"           ? "exit_raw"
                                                      : "exit_tp";
  const char* exec_prog = how == "tp_btf" ? "exec_btf" : how == "raw_tp" ? "exec_raw" : nullptr;
  if (cfg_.bpf.trace_exec && !exec_prog) return fail("exec events need tp_btf or raw_tp", EOPNOTSUPP);
  bpf_program* p;
  bpf_object__for_each_program(p, obj) {
    const char* name = bpf_program__name(p);
    bool on = strcmp(name, exit_prog) == 0 || (cfg_.bpf.trace_exec && exec_prog && strcmp(name, exec_prog) == 0);
    bpf_program__set_autoload(p, on);
  }
  bpf_map* events = bpf_object__find_map_by_name(obj, "events");
  if (cfg_.kind == Kind::Ringbuf) {
    int err = bpf_map__set_max_entries(events, uint32_t(cfg_.ringbuf_bytes));
    if (err) return fail("sizing the ring buffer", err);
  }
  if (how == "tp") {
    try {
      ensure_tracefs();
    } catch (const Error& e) {
      *why = e.what();
      bpf_object__close(obj);
      return false;
    }
  }
  int err = bpf_object__load(obj);
  if (err) return fail("load", err);
  obj_ = obj;
  return true;
}

void Transport::attach() {
  bpf_program* p;
  bpf_object__for_each_program(p, obj_) {
    if (!bpf_program__autoload(p)) continue;
    take_libbpf_log();
    bpf_link* link = bpf_program__attach(p);
    if (!link) {
      int err = errno;
      std::string hint = err == ENOENT && attached_via_ == "tp"
                             ? ": tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)"
                             : privilege_hint(err);
      throw Error(std::string("attaching ") + bpf_program__name(p) + " failed: " + errno_text(err) + hint +
                  log_tail());
    }
    links_.push_back(link);
  }
}

int Transport::on_ringbuf(void* ctx, void* data, size_t size) {
  static_cast<Transport*>(ctx)->sink_->on_event(data, size);
  return 0;
}

int Transport::on_perf(void* ctx, int, void* event) {
  auto* self = static_cast<Transport*>(ctx);
  auto* hdr = static_cast<perf_event_header*>(event);
  if (hdr->type == PERF_RECORD_SAMPLE) {
    struct sample { perf_event_header header; uint32_t size; char data[]; };
    auto* s = static_cast<sample*>(event);
    self->sink_->on_event(s->data, s->size);
  } else if (hdr->type == PERF_RECORD_LOST) {
    struct lost { perf_event_header header; uint64_t id; uint64_t lost; };
    self->lost_reported_ += static_cast<lost*>(event)->lost;
  }
  return LIBBPF_PERF_EVENT_CONT;
}

void Transport::setup_reader() {
  long page = page_size();
  events_fd_ = bpf_map__fd(bpf_object__find_map_by_name(obj_, "events"));
  take_libbpf_log();
  if (cfg_.kind == Kind::Ringbuf) {
    rb_ = ring_buffer__new(events_fd_, on_ringbuf, this, nullptr);
    if (!rb_) throw Error("creating the ring buffer reader failed: " + errno_text(errno) + log_tail());
    // Our own mapping beside libbpf's: 1.1 does not expose its positions, and the custom reader
    // needs them. The data area follows the producer page, mapped twice by the kernel.
    ring_map_bytes_ = size_t(page) + 2 * cfg_.ringbuf_bytes;
    void* c = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED, events_fd_, 0);
    if (c == MAP_FAILED) throw Error("mapping the ring buffer consumer page failed: " + errno_text(errno));
    consumer_pos_ = static_cast<volatile unsigned long*>(c);
    void* p = mmap(nullptr, ring_map_bytes_, PROT_READ, MAP_SHARED, events_fd_, page);
    if (p == MAP_FAILED) throw Error("mapping the ring buffer data failed: " + errno_text(errno));
    producer_pos_ = static_cast<volatile unsigned long*>(p);
    ring_data_ = static_cast<const char*>(p) + page;
    // data pages plus the kernel's three metadata pages (header, consumer, producer)
    buffer_bytes_ = cfg_.ringbuf_bytes + 3 * uint64_t(page);
    return;
  }
  perf_event_attr attr{};
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_BPF_OUTPUT;
  attr.sample_type = PERF_SAMPLE_RAW;
  attr.sample_period = 1;
  if (cfg_.perfbuf_watermark_bytes) {
    attr.watermark = 1;
    attr.wakeup_watermark = cfg_.perfbuf_watermark_bytes;
  } else {
    attr.wakeup_events = cfg_.perfbuf_wakeup_events ? cfg_.perfbuf_wakeup_events : 1;
  }
  pb_ = perf_buffer__new_raw(events_fd_, cfg_.perfbuf_pages, &attr,
                             reinterpret_cast<perf_buffer_event_fn>(on_perf), this, nullptr);
  if (!pb_) throw Error("creating the perf buffer failed: " + errno_text(errno) + log_tail());
  size_t n = perf_buffer__buffer_cnt(pb_);
  for (size_t i = 0; i < n; i++) {
    void* base = nullptr;
    size_t data_size = 0;
    if (perf_buffer__buffer(pb_, int(i), &base, &data_size) == 0) {
      perf_pages_.push_back(base);
      perf_data_bytes_ = data_size;
      buffer_bytes_ += data_size + uint64_t(page);  // data pages + the header page
    }
  }
  scratch_.resize(RB_MAX_EVENT_BYTES + 64);
}

int Transport::epoll_fd() const { return rb_ ? ring_buffer__epoll_fd(rb_) : perf_buffer__epoll_fd(pb_); }

int Transport::consume() { return rb_ ? ring_buffer__consume(rb_) : perf_buffer__consume(pb_); }

int Transport::consume_batch() { return rb_ ? consume_ringbuf_batch() : consume_perf_batch(); }

int Transport::consume_ringbuf_batch() {
  const unsigned long mask = cfg_.ringbuf_bytes - 1;
  unsigned long cons = __atomic_load_n(consumer_pos_, __ATOMIC_RELAXED);  // we are its only writer
  const unsigned long prod = __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE);
  int n = 0;
  while (cons < prod) {
    const auto* hdr = reinterpret_cast<const uint32_t*>(ring_data_ + (cons & mask));
    uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
    if (len & BPF_RINGBUF_BUSY_BIT) break;  // reserved, not yet committed: stop here
    uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
      sink_->on_event(reinterpret_cast<const char*>(hdr) + BPF_RINGBUF_HDR_SZ, size);
      n++;
    }
    cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
  }
  __atomic_store_n(consumer_pos_, cons, __ATOMIC_RELEASE);  // once per batch
  return n;
}

int Transport::consume_perf_batch() {
  const long page = page_size();
  const uint64_t mask = perf_data_bytes_ - 1;
  int n = 0;
  for (void* base : perf_pages_) {
    auto* meta = static_cast<perf_event_mmap_page*>(base);
    const char* data = static_cast<const char*>(base) + page;
    uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = meta->data_tail;
    while (tail < head) {
      // headers are 8-byte aligned and never wrap; a record's body may
      const auto* hdr = reinterpret_cast<const perf_event_header*>(data + (tail & mask));
      const char* rec = reinterpret_cast<const char*>(hdr);
      size_t off = tail & mask;
      if (off + hdr->size > perf_data_bytes_ && hdr->size <= scratch_.size()) {
        size_t first = perf_data_bytes_ - off;
        memcpy(scratch_.data(), rec, first);
        memcpy(scratch_.data() + first, data, hdr->size - first);
        rec = scratch_.data();
      }
      if (hdr->type == PERF_RECORD_SAMPLE) {
        uint32_t size;
        memcpy(&size, rec + sizeof(perf_event_header), sizeof(size));
        sink_->on_event(rec + sizeof(perf_event_header) + sizeof(uint32_t), size);
        n++;
      } else if (hdr->type == PERF_RECORD_LOST) {
        uint64_t lost;
        memcpy(&lost, rec + sizeof(perf_event_header) + sizeof(uint64_t), sizeof(lost));
        lost_reported_ += lost;
      }
      tail += hdr->size;
    }
    __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
  }
  return n;
}

uint64_t Transport::occupancy() const {
  if (rb_) return __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE) - __atomic_load_n(consumer_pos_, __ATOMIC_ACQUIRE);
  uint64_t total = 0;
  for (void* p : perf_pages_) {
    auto* meta = static_cast<perf_event_mmap_page*>(p);
    total += __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE) - __atomic_load_n(&meta->data_tail, __ATOMIC_ACQUIRE);
  }
  return total;
}

uint64_t Transport::map_memlock_bytes() const {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(events_fd_));
  for (std::string key; info >> key;) {
    uint64_t v = 0;
    if (key == "memlock:" && info >> v) return v;
  }
  return 0;
}

KernelCounters Transport::counters() const {
  KernelCounters sum;
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0 || !obj_) return sum;
  std::vector<rb_counters> per_cpu(static_cast<size_t>(ncpu));  // 24-byte values are already 8-aligned
  uint32_t zero = 0;
  int fd = bpf_map__fd(bpf_object__find_map_by_name(obj_, "counters"));
  if (bpf_map_lookup_elem(fd, &zero, per_cpu.data()) != 0) return sum;
  for (const rb_counters& c : per_cpu) {
    sum.hits += c.hits;
    sum.drops += c.drops;
    sum.filtered += c.filtered;
  }
  return sum;
}

ProgStats Transport::prog_stats() const {
  ProgStats s;
  bpf_program* p;
  bpf_object__for_each_program(p, obj_) {
    if (!bpf_program__autoload(p)) continue;
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) == 0) {
      s.run_time_ns += info.run_time_ns;
      s.run_cnt += info.run_cnt;
    }
  }
  return s;
}

}  // namespace ringbench
