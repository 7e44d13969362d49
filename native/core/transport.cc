// transport — see transport.h.
#include "transport.h"

#include "perf_reader.h"
#include "ringbuf_reader.h"

namespace ringbench {

std::unique_ptr<Reader> make_reader(const TransportConfig& cfg, const LoadedTwin& twin, EventSink* sink) {
  if (cfg.kind == Kind::Ringbuf) return std::make_unique<RingbufReader>(cfg, twin.ring_fds(), sink);
  return std::make_unique<PerfReader>(cfg, twin.events_fd(), sink);
}

void Reader::note_unread(size_t buf, uint64_t bytes) {
  if (buf >= unread_.size()) unread_.resize(buf + 1, 0);
  unread_[buf] = bytes;
  uint64_t total = 0;
  for (uint64_t u : unread_) total += u;
  if (bytes > peak_one_) peak_one_ = bytes;
  if (total > peak_total_) peak_total_ = total;
  if (total > batch_peak_) batch_peak_ = total;
}

void Reader::end_batch(EventSink* sink) {
  sink->end_batch(batch_peak_);
  batch_peak_ = 0;
}

// A reader that fails to set up throws; twin_'s destructor then detaches and frees the programs.
Transport::Transport(const TransportConfig& cfg, EventSink* sink)
    : twin_(cfg), reader_(make_reader(cfg, twin_, sink)) {}

Transport::~Transport() {
  twin_.detach();  // stop producing before the reader goes
  reader_.reset();
}

}  // namespace ringbench
