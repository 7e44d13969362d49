// storm_process — see storm_process.h.
#include "storm_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "clock.h"
#include "error.h"

extern char** environ;

namespace ringbench {

StormProcess::StormProcess(const StormOptions& o) {
  if (access(o.path.c_str(), X_OK) != 0)
    throw Error("storm generator not found at " + o.path + " (run: npm run setup)");
  int go[2], result[2];
  if (pipe2(go, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + strerror(errno));
  if (pipe2(result, O_CLOEXEC) != 0) {
    close(go[0]);
    close(go[1]);
    throw Error(std::string("pipe: ") + strerror(errno));
  }
  std::vector<std::string> args = {o.path,
                                   "--mode", o.mode == StormMode::Fork ? "fork" : o.mode == StormMode::Exec ? "exec" : "vfork",
                                   "--children", std::to_string(o.children),
                                   "--workers", std::to_string(o.workers),
                                   "--rate", std::to_string(o.rate),
                                   "--timeout-ms", std::to_string(o.timeout_ms),
                                   "--go-fd", "3",
                                   "--result-fd", "4"};
  if (!o.cpus.empty()) {
    args.push_back("--cpus");
    args.push_back(o.cpus);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, go[0], 3);
  posix_spawn_file_actions_adddup2(&fa, result[1], 4);
  int err = posix_spawn(&pid_, o.path.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(go[0]);
  close(result[1]);
  if (err != 0) {
    close(go[1]);
    close(result[0]);
    pid_ = -1;
    throw Error("starting the storm failed: " + std::string(strerror(err)));
  }
  go_fd_ = go[1];
  result_fd_ = result[0];
}

StormProcess::~StormProcess() {
  if (!reaped_ && pid_ > 0) {
    kill_all();
    reap();
  }
  if (go_fd_ >= 0) close(go_fd_);
  if (result_fd_ >= 0) close(result_fd_);
}

void StormProcess::go() {
  char c = 'g';
  if (write(go_fd_, &c, 1) != 1) throw Error(std::string("releasing the storm failed: ") + strerror(errno));
  close(go_fd_);
  go_fd_ = -1;
}

void StormProcess::kill_all() {
  if (pid_ <= 0 || reaped_) return;
  // Closing the start line first makes a storm that never started exit on its own.
  if (go_fd_ >= 0) {
    close(go_fd_);
    go_fd_ = -1;
  }
  ::kill(-pid_, SIGKILL);  // the storm leads its own process group: children included
  ::kill(pid_, SIGKILL);   // in case it had not called setpgid yet
}

void StormProcess::reap() {
  // Children of a killed storm outlive it in its process group: kill the group first, while the
  // unreaped leader still pins the group id (after waitpid the id could name someone else's group).
  ::kill(-pid_, SIGKILL);
  int status;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

LoadOutcome StormProcess::wait(uint64_t limit_ms, bool (*should_abort)(void*), void* ctx) {
  LoadOutcome out;
  int pidfd = int(syscall(SYS_pidfd_open, pid_, 0));
  uint64_t deadline = mono_ns() + limit_ms * 1000000ull;
  bool killed = false;
  for (;;) {
    if (should_abort && should_abort(ctx)) {
      killed = true;
      break;
    }
    if (mono_ns() >= deadline) {
      killed = true;
      break;
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      if (poll(&p, 1, 50) > 0) break;
    } else {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        break;
      }
      usleep(5000);
    }
  }
  if (killed) {
    // Ask first: on SIGTERM the storm stops creating children, reaps the ones it has and still
    // reports how many it made. Force only if it does not finish within 2 s.
    ::kill(pid_, SIGTERM);
    bool exited = false;
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      exited = poll(&p, 1, 2000) > 0;
    }
    if (!exited) kill_all();
  }
  if (pidfd >= 0) close(pidfd);
  if (!reaped_) reap();

  char buf[512] = {0};
  ssize_t n = read(result_fd_, buf, sizeof(buf) - 1);
  if (n > 0) {
    unsigned long long g = 0, f = 0, e = 0;
    char stopped[32] = {0};
    if (sscanf(buf, "generated=%llu failed=%llu elapsed_ns=%llu stopped=%31s", &g, &f, &e, stopped) == 4) {
      out.generated = g;
      out.failed = f;
      out.elapsed_ns = e;
      out.stopped = stopped;
      out.ok = true;
    }
  }
  if (killed) out.stopped = out.ok ? "aborted" : "killed";
  return out;
}

}  // namespace ringbench
