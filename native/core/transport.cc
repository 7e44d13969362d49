// transport — see transport.h.
#include "transport.h"

#include "perf_reader.h"
#include "ringbuf_reader.h"

namespace ringbench {

std::unique_ptr<Reader> make_reader(const TransportConfig& cfg, int events_fd, EventSink* sink) {
  if (cfg.kind == Kind::Ringbuf) return std::make_unique<RingbufReader>(cfg, events_fd, sink);
  return std::make_unique<PerfReader>(cfg, events_fd, sink);
}

// A reader that fails to set up throws; twin_'s destructor then detaches and frees the programs.
Transport::Transport(const TransportConfig& cfg, EventSink* sink)
    : twin_(cfg), reader_(make_reader(cfg, twin_.events_fd(), sink)) {}

Transport::~Transport() {
  twin_.detach();  // stop producing before the reader goes
  reader_.reset();
}

}  // namespace ringbench
