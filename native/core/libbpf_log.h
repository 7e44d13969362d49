// libbpf_log — keeps what libbpf says on this thread so a failure can quote it; silent otherwise.
#pragma once

#include <string>

namespace ringbench {

void install_libbpf_logger();
// Everything said since the last call, cleared.
std::string take_libbpf_log();
// The last few lines libbpf said, as "; libbpf: a | b" for an error message ("" when silent).
std::string libbpf_log_tail();

}  // namespace ringbench
