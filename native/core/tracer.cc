// tracer — see tracer.h.
#include "tracer.h"

#include <cstring>

namespace ringbench {

Tracer::Tracer(const TransportConfig& cfg, ConsumerOptions opts) {
  transport_ = std::make_unique<Transport>(cfg, this);
  attached_via_ = transport_->attached_via();
  consumer_ = std::make_unique<Consumer>(*transport_, opts);
  consumer_->start();
}

Tracer::~Tracer() { close(); }

void Tracer::on_event(const void* data, size_t size) {
  if (size < sizeof(rb_event)) return;
  const auto* e = static_cast<const rb_event*>(data);
  TracedEvent t{e->kind, e->seq, e->ts_ns, e->duration_ns, e->pid, e->ppid, e->exit_code, e->cpu,
                std::string(e->comm, strnlen(e->comm, sizeof(e->comm))), {}};
  if (e->kind == RB_EVENT_EXEC && size >= sizeof(rb_exec_event)) {
    const auto* x = static_cast<const rb_exec_event*>(data);
    t.filename.assign(x->filename, strnlen(x->filename, sizeof(x->filename)));
  }
  std::lock_guard<std::mutex> lock(mu_);
  delivered_++;
  if (queue_.size() >= kMaxQueued) {
    overflow_++;
    return;
  }
  queue_.push_back(std::move(t));
}

std::vector<TracedEvent> Tracer::take(size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = std::min(max, queue_.size());
  std::vector<TracedEvent> out(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + long(n)));
  queue_.erase(queue_.begin(), queue_.begin() + long(n));
  return out;
}

void Tracer::close() {
  if (!transport_) return;
  consumer_->stop_and_drain();
  closed_counters_ = transport_->counters();
  closed_counters_set_ = true;
  closed_lost_ = transport_->lost_reported();
  consumer_.reset();
  transport_.reset();
}

}  // namespace ringbench
