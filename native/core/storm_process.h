// storm_process — starts ringbench-storm held at its start line, releases it, waits for it with a
// time bound, and kills its whole process group on every other path (destructor included).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ringbench {

struct StormOptions {
  std::string path;          // the ringbench-storm executable
  std::string mode = "vfork";
  uint64_t children = 1000;
  uint32_t workers = 1;
  uint64_t rate = 0;         // children per second, 0 = unlimited
  uint64_t timeout_ms = 60000;
};

struct StormOutcome {
  uint64_t generated = 0, failed = 0, elapsed_ns = 0;
  std::string stopped;  // done | deadline | signal | killed
  bool ok = false;      // the storm reported a result
};

class StormProcess {
 public:
  explicit StormProcess(const StormOptions& opts);  // spawns, held before its first child
  ~StormProcess();
  StormProcess(const StormProcess&) = delete;
  StormProcess& operator=(const StormProcess&) = delete;

  pid_t pid() const { return pid_; }
  void go();
  // Waits until the storm exits, `limit_ms` passes or `should_abort()` turns true; kills the group
  // in the last two cases.
  StormOutcome wait(uint64_t limit_ms, bool (*should_abort)(void*), void* ctx);
  void kill_all();

 private:
  void reap();
  pid_t pid_ = -1;
  int go_fd_ = -1;
  int result_fd_ = -1;
  bool reaped_ = false;
};

}  // namespace ringbench
