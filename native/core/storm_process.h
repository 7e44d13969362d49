// storm_process — starts ringbench-storm held at its start line, releases it, waits for it with a
// time bound, and kills its whole process group on every other path (destructor included).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "load.h"

namespace ringbench {

enum class StormMode { Vfork, Fork, Exec };

// Every field is set by the caller (the addon requires each one; the defaults live in TypeScript).
struct StormOptions {
  std::string path;          // the ringbench-storm executable
  StormMode mode{};
  uint64_t children{};
  uint32_t workers{};
  uint64_t rate{};           // children per second, 0 = unlimited
  uint64_t timeout_ms{};
  std::string cpus;          // pin the storm and its children to this CPU list ("0,1"); "" = not pinned
};

class StormProcess : public Load {
 public:
  explicit StormProcess(const StormOptions& opts);  // spawns, held before its first child
  ~StormProcess() override;
  StormProcess(const StormProcess&) = delete;
  StormProcess& operator=(const StormProcess&) = delete;

  pid_t pid() const { return pid_; }
  uint32_t target_tgid() const override { return uint32_t(pid_); }
  void go() override;
  // Waits until the storm exits, `limit_ms` passes or `should_abort()` turns true; kills the group
  // in the last two cases.
  LoadOutcome wait(uint64_t limit_ms, bool (*should_abort)(void*), void* ctx) override;
  void kill_all();

 private:
  void reap();
  pid_t pid_ = -1;
  int go_fd_ = -1;
  int result_fd_ = -1;
  bool reaped_ = false;
};

}  // namespace ringbench
