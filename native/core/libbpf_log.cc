// libbpf_log — see libbpf_log.h.
#include "libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <sstream>
#include <vector>

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

}  // namespace

void install_libbpf_logger() { libbpf_set_print(log_to_buffer); }

std::string take_libbpf_log() {
  std::string out;
  out.swap(libbpf_log);
  return out;
}

std::string libbpf_log_tail() {
  std::istringstream in(take_libbpf_log());
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  std::string out;
  size_t from = lines.size() > 4 ? lines.size() - 4 : 0;
  for (size_t i = from; i < lines.size(); i++) out += (out.empty() ? "" : " | ") + lines[i];
  return out.empty() ? "" : "; libbpf: " + out;
}

}  // namespace ringbench
