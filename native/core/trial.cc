// trial — see trial.h.
#include "trial.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "cpu_pair.h"
#include "error.h"
#include "metrics.h"
#include "sink.h"

namespace ringbench {

namespace {

std::atomic<uint64_t> abort_generation{0};

// How long a drain may go on after a stop (Ctrl-C, SIGTERM, the load hitting --timeout-ms), and
// past the --timeout-ms bound for a load that finished: a slow consumer can take minutes to read
// a large backlog, and the user asked to stop.
constexpr uint64_t kStopDrainNs = 1000000000ull;

bool aborted_since(void* start_generation) {
  return abort_generation.load() != *static_cast<uint64_t*>(start_generation);
}

}  // namespace

void abort_all_trials() { abort_generation++; }

TrialOutput run_trial(const TrialConfig& cfg) {
  uint64_t generation = abort_generation.load();
  uint64_t wall0 = mono_ns();
  TrialOutput out;

  // The load first, held at its start line: the programs filter on its tgid, set before load.
  const bool saturation = cfg.load == LoadKind::Saturation;
  const bool b2b = cfg.consumer.mode == ConsumerMode::B2B;
  if (b2b && !saturation) throw Error("the back-to-back consumer needs the saturation load");
  std::unique_ptr<Load> load;
  SaturationLoad* sat = nullptr;
  if (saturation) {
    SaturationOptions so = cfg.saturation;
    so.back_to_back = b2b;
    auto l = std::make_unique<SaturationLoad>(so);
    sat = l.get();
    load = std::move(l);
  } else {
    load = std::make_unique<StormProcess>(cfg.storm);
  }
  TransportConfig tc = cfg.transport;
  tc.saturation = saturation;
  tc.bpf.saturation_batch = saturation ? cfg.saturation.events_per_call : 1;
  tc.bpf.target_tgid = load->target_tgid();
  tc.bpf.record_mode = saturation ? cfg.record : RB_RECORD_FULL;
  const size_t min_bytes = tc.bpf.record_mode == RB_RECORD_MINIMAL ? sizeof(rb_min_event) : sizeof(rb_event);

  auto timeline = std::make_unique<Timeline>();
  auto sink = std::make_unique<MeasuringSink>(min_bytes, cfg.latency_every, cfg.consumer_delay_ns, timeline.get());
  Transport transport(tc, sink.get());  // throws: the load's destructor then stops it unstarted
  out.attached_via = transport.attached_via();
  out.buffer_bytes = transport.buffer_bytes();
  out.buffers = transport.buffers();
  out.buffer_data_bytes = transport.buffer_data_bytes();
  out.map_memlock_bytes = transport.map_memlock_bytes();

  int stats_fd = -1;
  if (cfg.bpf_stats) {
    stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
    out.bpf_stats_enabled = stats_fd >= 0;
  }

  ConsumerOptions copts = cfg.consumer;
  if (b2b) copts.trigger = [sat] { return sat->trigger(); };
  // Where the host put the two CPUs, bracketing the load (its threads are not running yet / any more).
  const int producer_cpu = saturation ? cfg.saturation.producer_cpu : -1;
  auto pair_ns = [&] { return cpu_pair_round_trip_ns(producer_cpu, copts.cpu); };
  out.cpu_pair_before_ns = pair_ns();
  Consumer consumer(transport, copts);
  uint64_t t0 = mono_ns();
  timeline->start(t0, cfg.window_ms * 1000000ull);
  consumer.start();
  load->go();
  // The load bounds itself by its timeout; this limit is the backstop if it does not.
  uint64_t timeout_ms = saturation ? cfg.saturation.timeout_ms : cfg.storm.timeout_ms;
  LoadOutcome so = load->wait(timeout_ms + 5000, aborted_since, &generation);
  out.load_phase_ns = so.elapsed_ns ? so.elapsed_ns : mono_ns() - t0;
  // The drain is bounded: kStopDrainNs after a stop, and for a load that finished, kStopDrainNs past
  // the --timeout-ms bound (or past the load's end, if that came later). A stop during the drain
  // brings the bound forward to kStopDrainNs from then.
  uint64_t load_end = mono_ns();
  const bool stopped = so.stopped != "done" || aborted_since(&generation);
  uint64_t timeout_end = t0 + timeout_ms * 1000000ull;
  sink->read_until = (stopped ? load_end : std::max(timeout_end, load_end)) + kStopDrainNs;
  consumer.request_stop();
  while (!consumer.finished()) {
    if (!stopped && !out.stopped_while_draining && aborted_since(&generation)) {
      out.stopped_while_draining = true;
      sink->read_until = std::min(sink->read_until.load(), mono_ns() + kStopDrainNs);
    }
    usleep(5000);
  }
  consumer.stop_and_drain();
  out.cpu_pair_after_ns = pair_ns();

  KernelCounters kc = transport.counters();
  ProgStats ps = transport.prog_stats();
  if (stats_fd >= 0) close(stats_fd);

  out.generated = so.generated;
  out.storm_failed = so.failed;
  out.storm_stopped = so.stopped;
  out.aborted = so.stopped != "done" || out.stopped_while_draining;
  out.seen_by_bpf = kc.hits;
  out.dropped_kernel = kc.drops;
  out.lost_reported = transport.lost_reported();
  out.per_buffer_read = transport.per_buffer_read();
  out.delivered = sink->delivered;
  out.malformed = sink->malformed;
  out.not_drained = sink->not_drained;
  out.seq_sum = sink->seq_sum;
  out.last_delivery_ns = sink->last_delivery > t0 ? sink->last_delivery - t0 : 0;
  out.inversions = sink->order.inversions;
  out.max_displacement = sink->order.max_displacement;
  out.max_time_regression_ns = sink->order.max_time_regression_ns;
  out.displacement_truncated = sink->order.truncated;
  out.lat_p50 = sink->latency.quantile(0.50);
  out.lat_p90 = sink->latency.quantile(0.90);
  out.lat_p99 = sink->latency.quantile(0.99);
  out.lat_p999 = sink->latency.quantile(0.999);
  out.lat_max = sink->latency.max();
  out.commit_to_read_max = std::max(sink->commit_to_read_max, out.lat_max);
  out.pending_gap_p50 = sink->pending_gap.quantile(0.50);
  out.pending_gap_p90 = sink->pending_gap.quantile(0.90);
  out.pending_gap_p99 = sink->pending_gap.quantile(0.99);
  out.pending_gap_max = sink->pending_gap.max();
  // The fullest the buffer got: positions read as records were consumed, and for ringbuf the
  // BPF side's view at a failed reserve (a consumer can read only between its batches).
  out.bpf_peak_unread_bytes = kc.peak_avail;
  out.peak_occupancy_bytes = std::max(transport.peak_unread(), kc.peak_avail);
  out.peak_cpu_occupancy_bytes = std::max(transport.peak_unread_one(), kc.peak_avail);
  out.consumer_cpu_ns = consumer.cpu_ns();
  out.wakeups = consumer.wakeups();
  out.drain_ns = consumer.drain_ns();
  out.consumer_error = consumer.error();
  out.bpf_run_time_ns = ps.run_time_ns;
  out.bpf_run_cnt = ps.run_cnt;
  out.window_ns = timeline->window_ns();
  timeline->finish(&out.timeline_delivered, &out.timeline_occupancy);
  // the sink's own cost, measured with this trial's record size and latency sampling, after the
  // load so it does not compete with it
  size_t record_bytes = min_bytes == sizeof(rb_min_event) ? min_bytes : tc.bpf.event_bytes;
  out.sink_ns_per_event = calibrate_sink(record_bytes, min_bytes, cfg.latency_every);
  out.wall_ns = mono_ns() - wall0;
  return out;
}

}  // namespace ringbench
