// consumer — see consumer.h.
#include "consumer.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "clock.h"
#include "cpu_pair.h"
#include "error.h"

namespace ringbench {

namespace {
// epoll data of the stop eventfd: libbpf's entries hold a ring index (ringbuf) or a pointer (perfbuf)
constexpr uint64_t kStopToken = ~0ull;
}  // namespace

Consumer::Consumer(Transport& t, ConsumerOptions opts) : t_(t), opts_(std::move(opts)) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw Error("creating the consumer's stop eventfd failed: " + errno_text(errno));
}

Consumer::~Consumer() {
  if (thread_.joinable()) {
    stop_ = true;
    wake();
    thread_.join();
  }
  close(stop_fd_);
}

void Consumer::wake() {
  const uint64_t one = 1;
  ssize_t r = write(stop_fd_, &one, sizeof(one));
  (void)r;  // cannot fail short of a counter overflow, which would leave it readable anyway
}

void Consumer::request_stop() {
  stop_ = true;
  wake();
}

void Consumer::start() {
  thread_ = std::thread([this] {
    run();
    finished_ = true;
  });
}

void Consumer::stop_and_drain() {
  if (!thread_.joinable()) return;
  request_stop();
  thread_.join();
}

int Consumer::read() { return opts_.reader == ReaderKind::Custom ? t_.consume_batch() : t_.consume(); }

void Consumer::run() {
  const bool batch = opts_.reader == ReaderKind::Custom;
  pin_to_cpu(opts_.cpu);
  if (opts_.mode == ConsumerMode::Drain) {
    // Wait out the load without reading, then time reading the whole backlog at full speed.
    while (!stop_.load()) usleep(1000);
    uint64_t cpu0 = thread_cpu_ns(), t0 = mono_ns();
    while (t_.occupancy() > 0) {
      int r = read();
      if (r < 0) {
        error_ = -r;
        break;
      }
      if (r == 0 && batch) break;  // only an uncommitted record is left
      wakeups_++;
    }
    drain_ns_ = mono_ns() - t0;
    cpu_ns_ = thread_cpu_ns() - cpu0;
    return;
  }
  uint64_t cpu0 = thread_cpu_ns();
  int ep = t_.epoll_fd();
  epoll_event stop_ev{};
  stop_ev.events = EPOLLIN;
  stop_ev.data.u64 = kStopToken;
  if (opts_.mode != ConsumerMode::Busy && epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd_, &stop_ev) != 0) {
    error_ = errno;
    stop_ = true;  // read nothing during the load; the drain below still reads what arrived
  }
  epoll_event evs[64];
  while (!stop_.load(std::memory_order_relaxed)) {
    if (opts_.mode == ConsumerMode::Busy) {
      if (t_.occupancy() == 0) continue;
      wakeups_++;  // busy mode: a non-empty poll
    } else {
      // b2b: the next batch is made here, right after the last was read; then wait for it as
      // the epoll consumer does (the kernel's wake-up policy still decides when we are woken)
      if (opts_.mode == ConsumerMode::B2B && !opts_.trigger()) {
        usleep(1000);  // the load is over (or not started): wait for stop
        continue;
      }
      // No timeout: the stop eventfd ends the wait. Records are read only after a real wake-up.
      // b2b waits at most 20 ms, then triggers again: its records are usually there before it
      // waits (no timer is armed then), and a wake-up policy that never wakes for one batch
      // (sampled above a batch's bytes) must not stall it.
      int n = epoll_wait(ep, evs, 64, opts_.mode == ConsumerMode::B2B ? 20 : -1);
      if (n < 0 && errno != EINTR) {
        error_ = errno;
        break;
      }
      bool woken = false;
      for (int i = 0; i < n; i++) woken |= evs[i].data.u64 != kStopToken;
      if (!woken) continue;
      wakeups_++;
    }
    int r = read();
    if (r < 0 && r != -EINTR) {
      error_ = -r;
      break;
    }
  }
  // Drain: the load is over, read everything the kernel accepted, including records that were
  // submitted without a wake-up.
  // A record reserved but never committed would stall the ringbuf forever; give up after 1 s
  // without progress rather than hang.
  uint64_t last_progress = mono_ns(), last_occ = t_.occupancy();
  while (last_occ > 0 && mono_ns() - last_progress < 1000000000ull) {
    if (read() < 0) break;
    uint64_t occ = t_.occupancy();
    if (occ != last_occ) last_progress = mono_ns();
    last_occ = occ;
  }
  if (opts_.mode != ConsumerMode::Busy) epoll_ctl(ep, EPOLL_CTL_DEL, stop_fd_, nullptr);
  cpu_ns_ = thread_cpu_ns() - cpu0;
}

}  // namespace ringbench
