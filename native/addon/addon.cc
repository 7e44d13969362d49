// addon — the N-API surface of ringbench: runTrial (async, off the JS thread), abortAll, Tracer,
// Storm, probeKernel, libbpfVersion, the key sets of the contract and the constants TypeScript
// must not copy (page size, event size and batch limits). It only converts between JS values and
// the core's structs, through one field table per struct (fields.h); every decision is made in
// native/core or in the TypeScript layer above, and every default lives in TypeScript.
#include <bpf/libbpf.h>
#include <napi.h>
#include <unistd.h>

#include <memory>

#include "../core/cpu_pair.h"
#include "../core/libbpf_log.h"
#include "../core/probe.h"
#include "../core/storm_process.h"
#include "../core/tracer.h"
#include "../core/trial.h"
#include "enum_names.h"
#include "fields.h"

namespace ringbench {

namespace {

// --- config tables -----------------------------------------------------------------------------

using TC = TransportConfig;

// The buffer and its wake-up policy; the trace filter (target, exec, min duration) is the Tracer's.
Fields<TC> transport_fields() {
  return {
      field<TC>("transport", &TC::kind),
      field<TC>("ringbufBytes", &TC::ringbuf_bytes),
      field<TC>("perfbufPages", &TC::perfbuf_pages),
      field<TC>("perfbufWakeupEvents", &TC::perfbuf_wakeup_events),
      field<TC>("perfbufWatermarkBytes", &TC::perfbuf_watermark_bytes),
      field<TC>("attach", &TC::attach),
      field<TC, uint32_t>("eventBytes", [](TC& t, uint32_t v) { t.bpf.event_bytes = v; }),
      field<TC, rb_wakeup_mode>("ringbufWakeup", [](TC& t, rb_wakeup_mode v) { t.bpf.wakeup_mode = v; }),
      field<TC, uint32_t>("wakeupEvery", [](TC& t, uint32_t v) { t.bpf.wakeup_every = v; }),
      field<TC, uint64_t>("wakeupBytes", [](TC& t, uint64_t v) { t.bpf.wakeup_bytes = v; }),
      field<TC, rb_submit_mode>("ringbufSubmit", [](TC& t, rb_submit_mode v) { t.bpf.submit_mode = v; }),
      field<TC, uint32_t>("ringCpus", [](TC& t, uint32_t v) { t.bpf.ring_cpus = v; }),
      field<TC>("ringBytes", &TC::ring_bytes),
  };
}

Fields<ConsumerOptions> consumer_fields() {
  return {
      field<ConsumerOptions>("consumer", &ConsumerOptions::mode),
      field<ConsumerOptions>("consumerCpu", &ConsumerOptions::cpu),
      field<ConsumerOptions>("reader", &ConsumerOptions::reader),
  };
}

Fields<StormOptions> storm_fields() {
  return {
      field<StormOptions>("stormPath", &StormOptions::path),
      field<StormOptions>("stormMode", &StormOptions::mode),
      field<StormOptions>("children", &StormOptions::children),
      field<StormOptions>("workers", &StormOptions::workers),
      field<StormOptions>("rateCap", &StormOptions::rate),
      field<StormOptions>("timeoutMs", &StormOptions::timeout_ms),
      field<StormOptions>("stormCpus", &StormOptions::cpus),
  };
}

using TR = TrialConfig;

Fields<TR> trial_fields() {
  return concat<TR>({
      nested(&TR::transport, transport_fields()),
      nested(&TR::consumer, consumer_fields()),
      {
          field<TR>("load", &TR::load),
          field<TR, std::string>("stormPath", [](TR& c, std::string v) { c.storm.path = std::move(v); }),
          field<TR, StormMode>("stormMode", [](TR& c, StormMode v) { c.storm.mode = v; }),
          field<TR, std::string>("stormCpus", [](TR& c, std::string v) { c.storm.cpus = std::move(v); }),
          field<TR, uint64_t>("children", [](TR& c, uint64_t v) { c.storm.children = v; }),
          field<TR, uint64_t>("events", [](TR& c, uint64_t v) { c.saturation.events = v; }),
          field<TR, uint32_t>("eventsPerCall", [](TR& c, uint32_t v) { c.saturation.events_per_call = v; }),
          // these bound whichever load runs
          field<TR, uint32_t>("workers", [](TR& c, uint32_t v) { c.storm.workers = c.saturation.workers = v; }),
          field<TR, uint64_t>("rateCap", [](TR& c, uint64_t v) { c.storm.rate = c.saturation.rate = v; }),
          field<TR, uint64_t>("timeoutMs", [](TR& c, uint64_t v) { c.storm.timeout_ms = c.saturation.timeout_ms = v; }),
          field<TR>("consumerDelayNs", &TR::consumer_delay_ns),
          field<TR>("windowMs", &TR::window_ms),
          field<TR>("bpfStats", &TR::bpf_stats),
          field<TR>("record", &TR::record),
          field<TR>("latencyEvery", &TR::latency_every),
          field<TR, int>("producerCpu", [](TR& c, int v) { c.saturation.producer_cpu = v; }),
      },
  });
}

struct TracerConfig {
  TransportConfig transport;
  ConsumerOptions consumer;
};

Fields<TracerConfig> tracer_fields() {
  using T = TracerConfig;
  return concat<T>({
      nested(&T::transport, transport_fields()),
      {
          field<T, uint32_t>("targetTgid", [](T& c, uint32_t v) { c.transport.bpf.target_tgid = v; }),
          field<T, bool>("traceExec", [](T& c, bool v) { c.transport.bpf.trace_exec = v; }),
          field<T, uint64_t>("minDurationNs", [](T& c, uint64_t v) { c.transport.bpf.min_duration_ns = v; }),
      },
      nested(&T::consumer, consumer_fields()),
  });
}

// --- output table ------------------------------------------------------------------------------

using TO = TrialOutput;

OutFields<TO> trial_output_fields() {
  return {
      out("attachedVia", &TO::attached_via),
      out("generated", &TO::generated),
      out("stormFailed", &TO::storm_failed),
      out("seenByBpf", &TO::seen_by_bpf),
      out("delivered", &TO::delivered),
      out("droppedKernel", &TO::dropped_kernel),
      out("lostReported", &TO::lost_reported),
      out("malformed", &TO::malformed),
      out("notDrained", &TO::not_drained),
      out("seqSum", &TO::seq_sum),
      out("loadPhaseNs", &TO::load_phase_ns),
      out("wallNs", &TO::wall_ns),
      out("lastDeliveryNs", &TO::last_delivery_ns),
      out("drainNs", &TO::drain_ns),
      out("inversions", &TO::inversions),
      out("maxDisplacement", &TO::max_displacement),
      out("maxTimeRegressionNs", &TO::max_time_regression_ns),
      out("displacementTruncated", &TO::displacement_truncated),
      out("latP50", &TO::lat_p50),
      out("latP90", &TO::lat_p90),
      out("latP99", &TO::lat_p99),
      out("latP999", &TO::lat_p999),
      out("latMax", &TO::lat_max),
      out("commitToReadMax", &TO::commit_to_read_max),
      out("pendingGapP50", &TO::pending_gap_p50),
      out("pendingGapP90", &TO::pending_gap_p90),
      out("pendingGapP99", &TO::pending_gap_p99),
      out("pendingGapMax", &TO::pending_gap_max),
      out("bufferBytes", &TO::buffer_bytes),
      out("mapMemlockBytes", &TO::map_memlock_bytes),
      out("peakOccupancyBytes", &TO::peak_occupancy_bytes),
      out("peakCpuOccupancyBytes", &TO::peak_cpu_occupancy_bytes),
      out("bpfPeakUnreadBytes", &TO::bpf_peak_unread_bytes),
      out("buffers", &TO::buffers),
      out("bufferDataBytes", &TO::buffer_data_bytes),
      out("perBufferRead", &TO::per_buffer_read),
      out("sinkNsPerEvent", &TO::sink_ns_per_event),
      out("cpuPairBeforeNs", &TO::cpu_pair_before_ns),
      out("cpuPairAfterNs", &TO::cpu_pair_after_ns),
      out("consumerCpuNs", &TO::consumer_cpu_ns),
      out("bpfRunTimeNs", &TO::bpf_run_time_ns),
      out("bpfRunCnt", &TO::bpf_run_cnt),
      out("bpfStatsEnabled", &TO::bpf_stats_enabled),
      out("wakeups", &TO::wakeups),
      out("consumerError", &TO::consumer_error),
      out("windowNs", &TO::window_ns),
      out("timelineDelivered", &TO::timeline_delivered),
      out("timelineOccupancy", &TO::timeline_occupancy),
      out("stormStopped", &TO::storm_stopped),
      out("aborted", &TO::aborted),
  };
}

using TE = TracedEvent;

OutFields<TE> tracer_event_fields() {
  return {
      out_fn<TE>("kind", [](const TE& e) { return std::string(e.kind == RB_EVENT_EXEC ? "exec" : "exit"); }),
      out("seq", &TE::seq),
      out("tsNs", &TE::ts_ns),
      out("durationNs", &TE::duration_ns),
      out("pid", &TE::pid),
      out("ppid", &TE::ppid),
      // raw wait status: code in bits 8..15, terminating signal in bits 0..6
      out_fn<TE>("exitCode", [](const TE& e) { return (e.exit_code >> 8) & 0xff; }),
      out_fn<TE>("exitSignal", [](const TE& e) { return e.exit_code & 0x7f; }),
      out("cpu", &TE::cpu),
      out("comm", &TE::comm),
      out("filename", &TE::filename),
  };
}

OutFields<LoadOutcome> storm_outcome_fields() {
  return {
      out("generated", &LoadOutcome::generated),
      out("failed", &LoadOutcome::failed),
      out("elapsedNs", &LoadOutcome::elapsed_ns),
      out("stopped", &LoadOutcome::stopped),
  };
}

// The tables are built once; readers only look them up.
const Fields<TR>& TRIAL_FIELDS() { static const Fields<TR> t = trial_fields(); return t; }
const Fields<TracerConfig>& TRACER_FIELDS() { static const Fields<TracerConfig> t = tracer_fields(); return t; }
const Fields<StormOptions>& STORM_FIELDS() { static const Fields<StormOptions> t = storm_fields(); return t; }
const OutFields<TO>& TRIAL_OUTPUT_FIELDS() { static const OutFields<TO> t = trial_output_fields(); return t; }
const OutFields<TE>& TRACER_EVENT_FIELDS() { static const OutFields<TE> t = tracer_event_fields(); return t; }
const OutFields<LoadOutcome>& STORM_OUTCOME_FIELDS() {
  static const OutFields<LoadOutcome> t = storm_outcome_fields();
  return t;
}

Napi::Array string_array(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(uint32_t(i), v[i]);
  return a;
}

// A required integer argument (Storm.wait, Tracer.take): no silent default.
uint64_t count_arg(const Napi::CallbackInfo& info, const char* what) {
  if (info.Length() < 1) throw Napi::TypeError::New(info.Env(), std::string(what) + " is missing");
  return fields::convert<uint64_t>(info[0], what);
}

// --- runTrial ----------------------------------------------------------------------------------

class TrialWorker : public Napi::AsyncWorker {
 public:
  TrialWorker(Napi::Env env, TrialConfig cfg)
      : Napi::AsyncWorker(env), cfg_(std::move(cfg)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      out_ = run_trial(cfg_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(write_struct(Env(), out_, TRIAL_OUTPUT_FIELDS())); }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  TrialConfig cfg_;
  TrialOutput out_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value RunTrial(const Napi::CallbackInfo& info) {
  TrialConfig cfg = read_struct(info[0], TRIAL_FIELDS(), "runTrial");
  auto* w = new TrialWorker(info.Env(), std::move(cfg));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value AbortAll(const Napi::CallbackInfo& info) {
  abort_all_trials();
  return info.Env().Undefined();
}

// --- Tracer ------------------------------------------------------------------------------------

class TracerWrap : public Napi::ObjectWrap<TracerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Tracer",
                       {InstanceMethod("take", &TracerWrap::Take), InstanceMethod("stats", &TracerWrap::Stats),
                        InstanceMethod("close", &TracerWrap::Close)});
  }
  explicit TracerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TracerWrap>(info) {
    TracerConfig cfg = read_struct(info[0], TRACER_FIELDS(), "Tracer");
    try {
      tracer_ = std::make_unique<Tracer>(cfg.transport, cfg.consumer);
    } catch (const std::exception& e) {
      Napi::Error::New(info.Env(), e.what()).ThrowAsJavaScriptException();
    }
  }

 private:
  Napi::Value Take(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t max = size_t(count_arg(info, "Tracer.take: max"));
    std::vector<TracedEvent> evs = tracer_ ? tracer_->take(max) : std::vector<TracedEvent>{};
    Napi::Array a = Napi::Array::New(env, evs.size());
    for (size_t i = 0; i < evs.size(); i++) a.Set(uint32_t(i), write_struct(env, evs[i], TRACER_EVENT_FIELDS()));
    return a;
  }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    if (!tracer_) return o;
    KernelCounters c = tracer_->counters();
    o.Set("delivered", double(tracer_->delivered()));
    o.Set("seenByBpf", double(c.hits));
    o.Set("droppedKernel", double(c.drops));
    o.Set("filtered", double(c.filtered));
    o.Set("lostReported", double(tracer_->lost_reported()));
    o.Set("captureOverflow", double(tracer_->overflow()));
    o.Set("attachedVia", tracer_->attached_via());
    return o;
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (tracer_) tracer_->close();
    return info.Env().Undefined();
  }
  std::unique_ptr<Tracer> tracer_;
};

// --- Storm (tests and trace demos drive it directly) ----------------------------------------

class StormWrap : public Napi::ObjectWrap<StormWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Storm",
                       {InstanceAccessor("pid", &StormWrap::Pid, nullptr), InstanceMethod("go", &StormWrap::Go),
                        InstanceMethod("wait", &StormWrap::Wait), InstanceMethod("kill", &StormWrap::Kill)});
  }
  explicit StormWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StormWrap>(info) {
    StormOptions opts = read_struct(info[0], STORM_FIELDS(), "Storm");
    try {
      storm_ = std::make_unique<StormProcess>(opts);
    } catch (const std::exception& e) {
      Napi::Error::New(info.Env(), e.what()).ThrowAsJavaScriptException();
    }
  }

 private:
  Napi::Value Pid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), storm_ ? storm_->pid() : -1); }
  Napi::Value Go(const Napi::CallbackInfo& info) {
    try {
      storm_->go();
    } catch (const std::exception& e) {
      Napi::Error::New(info.Env(), e.what()).ThrowAsJavaScriptException();
    }
    return info.Env().Undefined();
  }
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    uint64_t limit = count_arg(info, "Storm.wait: limitMs");
    return write_struct(info.Env(), storm_->wait(limit, nullptr, nullptr), STORM_OUTCOME_FIELDS());
  }
  Napi::Value Kill(const Napi::CallbackInfo& info) {
    storm_.reset();  // the destructor kills the group and reaps
    return info.Env().Undefined();
  }
  std::unique_ptr<StormProcess> storm_;
};

// --- probe ---------------------------------------------------------------------------------------

Napi::Value ProbeKernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<ProbeItem> items = probe_kernel();
  Napi::Array a = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", items[i].name);
    o.Set("available", items[i].available);
    o.Set("reason", items[i].reason);
    a.Set(uint32_t(i), o);
  }
  return a;
}

// cpuPairNs(cpuA, cpuB): a cache line's median round trip between the two CPUs, probed as a trial
// probes them (kCpuPairProbeNs, on the calling thread, which it does not pin).
Napi::Value CpuPairNs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "cpuPairNs(cpuA, cpuB) takes two CPU numbers");
  }
  int a = info[0].As<Napi::Number>().Int32Value(), b = info[1].As<Napi::Number>().Int32Value();
  return Napi::Number::New(env, double(cpu_pair_round_trip_ns(a, b)));
}

Napi::Value LibbpfVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), libbpf_version_string());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  install_libbpf_logger();
  exports.Set("runTrial", Napi::Function::New(env, RunTrial));
  exports.Set("abortAll", Napi::Function::New(env, AbortAll));
  exports.Set("Tracer", TracerWrap::Define(env));
  exports.Set("Storm", StormWrap::Define(env));
  exports.Set("probeKernel", Napi::Function::New(env, ProbeKernel));
  exports.Set("cpuPairNs", Napi::Function::New(env, CpuPairNs));
  exports.Set("libbpfVersion", Napi::Function::New(env, LibbpfVersion));
  auto keys = [&](const char* name, std::vector<std::string> list) {
    exports.Set(name, Napi::Function::New(env, [list](const Napi::CallbackInfo& info) -> Napi::Value {
                  return string_array(info.Env(), list);
                }));
  };
  keys("trialConfigKeys", keys_of(TRIAL_FIELDS()));
  keys("trialOutputKeys", keys_of(TRIAL_OUTPUT_FIELDS()));
  keys("tracerConfigKeys", keys_of(TRACER_FIELDS()));
  keys("stormConfigKeys", keys_of(STORM_FIELDS()));
  keys("tracerEventKeys", keys_of(TRACER_EVENT_FIELDS()));
  keys("stormOutcomeKeys", keys_of(STORM_OUTCOME_FIELDS()));
  exports.Set("PAGE_SIZE", double(sysconf(_SC_PAGESIZE)));
  exports.Set("MIN_EVENT_BYTES", double(sizeof(rb_event)));
  exports.Set("MAX_EVENT_BYTES", double(RB_MAX_EVENT_BYTES));
  exports.Set("MAX_SATURATION_BATCH", double(RB_MAX_SATURATION_BATCH));
  return exports;
}

}  // namespace
}  // namespace ringbench

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return ringbench::Init(env, exports); }

NODE_API_MODULE(ringbench, InitAddon)
