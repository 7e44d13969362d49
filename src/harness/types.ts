/**
 * harness/types — what one trial is: its knobs (ScenarioConfig) and what it measured
 * (TrialResult), plus the environment a run records. Field names are the metric contract of
 * ../shared/DESIGN.md ("counts.delivered", "latencyNs.p99"); results/schema.ts catalogues them.
 */

export type Transport = 'ringbuf' | 'perfbuf';
export const TRANSPORTS: readonly Transport[] = ['ringbuf', 'perfbuf'];

/** One trial's knobs. Every field has a default (see config.ts). */
export interface ScenarioConfig {
  transport: Transport;
  /** storm: real process exits; saturation: a cheap trigger emitting the same event (issue 7). */
  load: 'storm' | 'saturation';
  /** how storm children are made: vfork + _exit, fork + _exit, or vfork + exec of /bin/true */
  stormMode: 'vfork' | 'fork' | 'exec';
  /** storm children in total (storm load) */
  children: number;
  /** storm: pin the storm's workers and children to these CPUs, as the kernel lists them ("0",
   *  "0-1"); "" = not pinned (the scheduler spreads them) */
  stormCpus: string;
  /** events in total (saturation load) */
  events: number;
  /** saturation: records the program emits per trigger (1 = one per getpgid() call) */
  eventsPerCall: number;
  /** parallel producers: storm worker threads */
  workers: number;
  /** children (or events) per second over all workers; 0 = as fast as possible */
  rateCap: number;
  /** ring buffer data bytes: a power-of-two multiple of the page size */
  ringbufBytes: number;
  /** ringbuf: one ring shared by every CPU, a ring per CPU, or a ring per N CPUs ("2"), chosen
   *  by CPU in BPF (an array of rings, as Falco's cpus_for_each_buffer); the rings split
   *  ringbufBytes between them (each rounded down to a power-of-two number of pages) */
  ringbufSharing: string;
  /** perf buffer data pages per CPU (power of two); derived from ringbufBytes when memory = 'equal' */
  perfbufPages: number;
  /** equal: perfbuf data bytes over all CPUs = ringbuf data bytes (fair default); per-cpu: use perfbufPages as given */
  memory: 'equal' | 'per-cpu';
  /** bytes of each event record, padding included (64..4096) */
  eventBytes: number;
  /** ringbuf: reserve/submit in place, or bpf_ringbuf_output of a staged copy */
  ringbufSubmit: 'reserve' | 'output';
  /** ringbuf wake-up policy: adaptive (kernel decides), no-wakeup with forced wake every N, or sampled by available bytes */
  ringbufWakeup: 'adaptive' | 'every-n' | 'sampled';
  /** every-n: force a wake-up every N events */
  wakeupEvery: number;
  /** sampled: force a wake-up when at least this many bytes are unread (bpf_ringbuf_query) */
  wakeupBytes: number;
  /** perfbuf: wake the consumer every N events (perf_event_attr.wakeup_events) */
  perfbufWakeupEvents: number;
  /** perfbuf: wake the consumer at this many bytes instead (watermark); 0 = use perfbufWakeupEvents */
  perfbufWatermarkBytes: number;
  /** epoll: sleep until the kernel wakes the consumer; busy: poll in a loop; drain: read nothing
   *  during the load, then read the backlog as fast as possible (the reader's ceiling); b2b
   *  (saturation): no producer threads, the consumer triggers the next batch after each poll, as
   *  the kernel's ringbuf benchmark does with --rb-b2b */
  consumer: 'epoll' | 'busy' | 'drain' | 'b2b';
  /** libbpf's ring_buffer/perf_buffer reader, or the custom one that walks the mapped pages and
   *  publishes the consumer position once per batch */
  reader: 'libbpf' | 'custom';
  /** busy-wait this long per event in the consumer: a slow consumer */
  consumerDelayNs: number;
  /** CPU to pin the consumer thread to; -1 = no pinning */
  consumerCpu: number;
  /** saturation: CPU of the first producer thread (producer i on producerCpu + i, modulo the
   *  CPUs); -1 = unpinned */
  producerCpu: number;
  /** auto: a saturation scenario with neither CPU given pins the consumer to CPU 0 and the
   *  producers to CPUs 1.. when there are enough CPUs for each its own; off: only what is given */
  pin: 'auto' | 'off';
  /** saturation: full events (the task read once per trigger), or minimal 8-byte records (the
   *  sequence number alone: the kernel ringbuf benchmark's record, for calibration) */
  record: 'full' | 'minimal';
  /** time one delivered record in N for the latency histogram; 0 = auto (1 for storms, whose
   *  accounting stays per event; 64 for saturation and drain) */
  latencyEvery: number;
  /** how the exit program attaches: auto tries tp_btf, raw_tp, then tp (tracefs) */
  attach: 'auto' | 'tp_btf' | 'raw_tp' | 'tp';
  /** hard bound on the load phase; the storm is killed past it */
  timeoutMs: number;
  /** width of a timeline window */
  windowMs: number;
  /** collect per-program run time through BPF_ENABLE_STATS */
  bpfStats: boolean;
}

export interface Counts {
  generated: number;
  seenByBpf: number;
  delivered: number;
  droppedKernel: number;
  lostReported: number;
  /** records still in the buffer when the drain's bound hit (Ctrl-C, SIGTERM, --timeout-ms) */
  notDrained: number;
  missing: number;
  /** perfbuf: records read from each CPU's buffer, indexed by CPU (absent for ringbuf and in old files) */
  perCpuDelivered?: number[];
  /** ringbuf: records read from each ring, indexed by ring (one for a shared ring; absent in old files) */
  perRingDelivered?: number[];
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * How long records waited (the stall record). commitToReadNs: receive time minus the record's BPF
 * timestamp; p50/p99/p999 are the latency histogram's (one record in latencyEvery), max covers
 * every timed record (at the first clock reading at or after its receipt). pendingGapNs: for each
 * consumer read that found records, the time from the previous read's start (or from the oldest
 * record's BPF timestamp, if later) to this read's start. The max* fields repeat the two maxima.
 * Minimal records carry no time: commit-to-read is 0 and gaps run from the previous read's start.
 */
export interface Stalls {
  maxCommitToReadNs: number;
  maxPendingGapNs: number;
  pendingGapNs: { p50: number; p90: number; p99: number; max: number };
  commitToReadNs: { p50: number; p99: number; p999: number; max: number };
}

/** What one trial measured. */
export interface TrialMetrics {
  counts: Counts;
  rates: { generatedPerSec: number; deliveredPerSec: number };
  ordering: {
    inversions: number;
    inversionRatio: number;
    maxDisplacement: number;
    maxTimeRegressionNs: number;
  };
  latencyNs: Percentiles;
  /** how long records waited; optional in old files */
  stalls?: Stalls;
  /** peakCpuOccupancyBytes: the fullest single buffer (perfbuf: one CPU's); optional in old files */
  memory: {
    bufferBytes: number; peakOccupancyBytes: number; peakCpuOccupancyBytes?: number;
    /** the buffers written into (rings: 1 shared or one per N CPUs; perfbuf: one per CPU) and the
     *  data bytes of each; optional in old files */
    rings?: number; bytesPerRing?: number;
  };
  /** sinkNsPerEvent: the measuring sink's own CPU per record (calibrated); optional in old files */
  cpu: { consumerNsPerEvent: number; bpfNsPerEvent: number; wakeups: number; sinkNsPerEvent?: number };
  /** cpuPairNs: where the host put the producer's and consumer's CPUs — a cache line's round trip
   *  between them, the larger of just before and just after the load (saturation with the two
   *  pinned apart; 0 otherwise). Optional in old files. */
  host?: { cpuPairNs: number };
  wallNs: number;
}

export interface Timeline {
  windowNs: number;
  /** events delivered in each window, from the start of the load phase */
  delivered: number[];
  /** peak occupancy (bytes) in each window */
  occupancyBytes: number[];
}

export interface TrialResult extends TrialMetrics {
  /** the configuration actually used (derived sizes filled in) */
  config: ScenarioConfig;
  /** accounting identities checked against what the kernel reported */
  accounting: {
    /** delivered + notDrained + droppedKernel == seenByBpf */
    kernelBalanced: boolean;
    /** seenByBpf == generated */
    filterBalanced: boolean;
    /** plain-language notes when something does not add up or the run was cut short */
    notes: string[];
  };
  attachedVia: string;
  loadPhaseNs: number;
  timeline: Timeline;
  /** true when the trial was stopped (timeout, Ctrl-C) before the storm finished */
  aborted: boolean;
  /** what the kernel itself reported beside the metrics */
  kernel: {
    /** fdinfo memlock of the transport map: the ringbuf's pages; perf pages are not charged to the map */
    mapMemlockBytes: number;
    /** exit program runs counted by bpf_stats (includes runs the filter rejected) */
    bpfRunCount: number;
  };
  /** where the threads ran (optional in old files) */
  placement?: Placement;
  /** checks on what the consumer received */
  integrity: {
    /** sum of delivered sequence numbers: n(n-1)/2 when 0..n-1 each arrived exactly once */
    seqSum: number;
    /** records shorter than an event header */
    malformed: number;
  };
}

/** Where a trial's threads ran: the CPUs they were pinned to (-1 = unpinned; config.pin says
 *  whether --pin auto chose them) and whether they outnumber the CPUs. */
export interface Placement {
  consumerCpu: number;
  /** one per producer thread (saturation); empty for a storm (its own process) and back to back */
  producerCpus: number[];
  cpuCount: number;
  /** producer threads + the consumer > CPUs */
  oversubscribed: boolean;
}

/** The result of the sustainable-rate search (ceiling.ts). */
export interface SustainableRate {
  /** events/s the unthrottled load generated, and delivered */
  ceilingPerSec: number;
  ceilingDeliveredPerSec: number;
  /** the highest tested rate cap a run carried (0 when none did) */
  ratePerSec: number;
  /** the search's rule (search-rule.ts): a capped run carried its cap with no drops and at least
   *  this share of it reached. Absent in results from before the rule: no drops was enough. */
  capReached?: number;
  /** the confirmation run at ratePerSec */
  confirmation: { generatedPerSec: number; droppedKernel: number; delivered: number };
  /** every run of the search, in order */
  steps: SearchRun[];
  /** how long each capped run lasted at its rate (at least MIN_EVENTS records); absent before it */
  trialSeconds?: number;
}

/** One run of a sustainable-rate search. cpuPairNs: TrialMetrics.host's, absent before it;
 *  events and fill (the fullest the producer's buffer got, as a share of its bytes: memory's
 *  peakCpuOccupancyBytes over producerBufferBytes) absent before they were recorded. */
export interface SearchRun {
  rateCap: number;
  generatedPerSec: number;
  droppedKernel: number;
  cpuPairNs?: number;
  events?: number;
  fill?: number;
}

/** One capped run of a loss curve: what it reached, lost and how long its records waited. */
export interface LossRun {
  generatedPerSec: number;
  events: number;
  droppedKernel: number;
  /** the fullest the producer's buffer got, as a share of its bytes */
  fill: number;
  /** the longest a record waited between commit and read (LossCurveRecord.stall says how it was
   *  measured) */
  stallNs: number;
  /** the longest gap between consumer reads while records were pending, when the trial records it */
  pendingGapNs?: number;
  /** the run's CPU pair round trip (TrialMetrics.host), when pinned apart */
  cpuPairNs?: number;
}

export interface Environment {
  kernel: string;
  cpuModel: string;
  cpuCount: number;
  libbpf: string;
  /** which libbpf the addon links: 'system' (the distribution's) or 'tree' (the kernel tree's); absent in older results */
  libbpfSource?: string;
  clang: string;
  bpftool: string;
  node: string;
  ringbench: string;
  gitCommit: string;
  hostname: string;
  date: string;
  /** the probe's JSON (issue 5), when available */
  capabilities?: unknown;
}

