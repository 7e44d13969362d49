// trial — one measured scenario end to end: hold the storm at its start line, load and attach
// the twin filtered on the storm's pid, start the consumer, release the storm, wait (bounded),
// drain, read the kernel's counters, free everything. Runs entirely in native code.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "consumer.h"
#include "saturation_load.h"
#include "storm_process.h"
#include "transport.h"

namespace ringbench {

enum class LoadKind { Storm, Saturation };

// Every field is set by the caller (the addon requires each one; the defaults live in TypeScript).
// The trial itself sets what follows from its load: the target tgid and the saturation batch.
struct TrialConfig {
  TransportConfig transport;
  ConsumerOptions consumer;
  LoadKind load{};
  StormOptions storm;            // load == Storm
  SaturationOptions saturation;  // load == Saturation
  uint64_t consumer_delay_ns{};
  uint64_t window_ms{};
  bool bpf_stats{};
  rb_record_mode record{};       // saturation: full events or the sequence number alone
  uint32_t latency_every{};      // time one record in N for the latency histogram (1 = all)
};

struct TrialOutput {
  std::string attached_via;
  // counts
  uint64_t generated = 0, storm_failed = 0, seen_by_bpf = 0, delivered = 0, dropped_kernel = 0,
           lost_reported = 0, malformed = 0, seq_sum = 0;
  // records read after the drain's bound (Ctrl-C, SIGTERM, --timeout-ms) and counted, not measured
  uint64_t not_drained = 0;
  // time
  uint64_t load_phase_ns = 0, wall_ns = 0, last_delivery_ns = 0;  // last delivery: since load start
  uint64_t drain_ns = 0;  // drain consumer: time to read the backlog
  // ordering
  uint64_t inversions = 0, max_displacement = 0, max_time_regression_ns = 0;
  bool displacement_truncated = false;
  // latency percentiles
  uint64_t lat_p50 = 0, lat_p90 = 0, lat_p99 = 0, lat_p999 = 0, lat_max = 0;
  // stalls (sink.h): the longest commit-to-read over every timed record; gaps between reads
  uint64_t commit_to_read_max = 0;
  uint64_t pending_gap_p50 = 0, pending_gap_p90 = 0, pending_gap_p99 = 0, pending_gap_max = 0;
  // memory
  uint64_t buffer_bytes = 0, map_memlock_bytes = 0, peak_occupancy_bytes = 0;
  uint64_t peak_cpu_occupancy_bytes = 0;  // the fullest single buffer (perfbuf: one CPU's)
  uint64_t buffers = 0, buffer_data_bytes = 0;  // rings (or perf CPU buffers) and the data bytes of each
  std::vector<uint64_t> per_buffer_read;        // records read from each (perfbuf: by CPU)
  uint64_t bpf_peak_unread_bytes = 0;     // ringbuf: most unread bytes at a failed reserve
  // cpu
  uint64_t consumer_cpu_ns = 0, bpf_run_time_ns = 0, bpf_run_cnt = 0, wakeups = 0;
  double sink_ns_per_event = 0;  // the sink's own cost per record (calibrate_sink)
  // saturation with the producer and consumer pinned apart: the cache-line round trip between
  // their CPUs just before and just after the load (cpu_pair.h); 0 when not measured
  uint64_t cpu_pair_before_ns = 0, cpu_pair_after_ns = 0;
  bool bpf_stats_enabled = false;
  int consumer_error = 0;
  // timeline
  uint64_t window_ns = 0;
  std::vector<uint64_t> timeline_delivered, timeline_occupancy;
  std::string storm_stopped;
  bool aborted = false;
  bool stopped_while_draining = false;  // the stop came after the load had finished
};

TrialOutput run_trial(const TrialConfig& cfg);

// Ctrl-C: every trial running now stops its storm, drains for at most 1 s more and returns
// with aborted = true.
void abort_all_trials();

}  // namespace ringbench
