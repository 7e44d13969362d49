// error — the one exception type of the native core and the errno wording every message uses.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>

namespace ringbench {

// An error with one line for the user: what failed and how to fix it.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "EPERM (Operation not permitted)": the name for people who grep, the text for people who read.
// Takes errno or a negative libbpf return value.
inline std::string errno_text(int err) {
  if (err < 0) err = -err;
  const char* name = strerrorname_np(err);
  return (name ? std::string(name) : "errno " + std::to_string(err)) + " (" + strerror(err) + ")";
}

}  // namespace ringbench
