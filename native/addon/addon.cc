// addon — the N-API surface of ringbench: runTrial (async, off the JS thread), abortAll, openTracer,
// spawnStorm, probeKernel, libbpfVersion. It only converts between JS values and the core's
// structs; every decision is made in native/core or in the TypeScript layer above.
#include <bpf/libbpf.h>
#include <napi.h>

#include <memory>

#include "../core/probe.h"
#include "../core/storm_process.h"
#include "../core/tracer.h"
#include "../core/trial.h"

using namespace ringbench;

namespace {

// --- reading config objects ------------------------------------------------------------------

double num(const Napi::Object& o, const char* key, double dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}

std::string str(const Napi::Object& o, const char* key, const std::string& dflt) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : dflt;
}

bool flag(const Napi::Object& o, const char* key, bool dflt) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}

TransportConfig transport_config(const Napi::Object& o) {
  TransportConfig t;
  t.kind = str(o, "transport", "ringbuf") == "perfbuf" ? Kind::Perfbuf : Kind::Ringbuf;
  t.ringbuf_bytes = uint64_t(num(o, "ringbufBytes", 256 * 1024));
  t.perfbuf_pages = uint32_t(num(o, "perfbufPages", 32));
  t.perfbuf_wakeup_events = uint32_t(num(o, "perfbufWakeupEvents", 1));
  t.perfbuf_watermark_bytes = uint32_t(num(o, "perfbufWatermarkBytes", 0));
  t.attach = str(o, "attach", "auto");
  t.bpf.target_tgid = uint32_t(num(o, "targetTgid", 0));
  t.bpf.event_bytes = uint32_t(num(o, "eventBytes", sizeof(rb_event)));
  std::string wake = str(o, "ringbufWakeup", "adaptive");
  t.bpf.wakeup_mode = wake == "every-n" ? RB_WAKE_EVERY_N : wake == "sampled" ? RB_WAKE_SAMPLED : RB_WAKE_ADAPTIVE;
  t.bpf.wakeup_every = uint32_t(num(o, "wakeupEvery", 1));
  t.bpf.wakeup_bytes = uint64_t(num(o, "wakeupBytes", 0));
  t.bpf.submit_mode = str(o, "ringbufSubmit", "reserve") == "output" ? RB_SUBMIT_OUTPUT : RB_SUBMIT_RESERVE;
  t.bpf.trace_exec = flag(o, "traceExec", false) ? 1 : 0;
  t.bpf.min_duration_ns = uint64_t(num(o, "minDurationNs", 0));
  t.bpf.synth_batch = 1;
  return t;
}

ConsumerOptions consumer_options(const Napi::Object& o) {
  ConsumerOptions c;
  std::string mode = str(o, "consumer", "epoll");
  c.busy = mode == "busy";
  c.drain = mode == "drain";
  c.cpu = int(num(o, "consumerCpu", -1));
  c.batch = str(o, "reader", "libbpf") == "custom";
  return c;
}

StormOptions storm_options(const Napi::Object& o) {
  StormOptions s;
  s.path = str(o, "stormPath", "");
  s.mode = str(o, "stormMode", "vfork");
  s.children = uint64_t(num(o, "children", 1000));
  s.workers = uint32_t(num(o, "workers", 1));
  s.rate = uint64_t(num(o, "rateCap", 0));
  s.timeout_ms = uint64_t(num(o, "timeoutMs", 60000));
  return s;
}

Napi::Array to_array(Napi::Env env, const std::vector<uint64_t>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(uint32_t(i), double(v[i]));
  return a;
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

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object r = Napi::Object::New(env);
    auto set = [&](const char* k, double v) { r.Set(k, v); };
    r.Set("attachedVia", out_.attached_via);
    set("generated", double(out_.generated));
    set("stormFailed", double(out_.storm_failed));
    set("seenByBpf", double(out_.seen_by_bpf));
    set("delivered", double(out_.delivered));
    set("droppedKernel", double(out_.dropped_kernel));
    set("lostReported", double(out_.lost_reported));
    set("malformed", double(out_.malformed));
    set("seqSum", double(out_.seq_sum));
    set("loadPhaseNs", double(out_.load_phase_ns));
    set("wallNs", double(out_.wall_ns));
    set("lastDeliveryNs", double(out_.last_delivery_ns));
    set("drainNs", double(out_.drain_ns));
    set("inversions", double(out_.inversions));
    set("maxDisplacement", double(out_.max_displacement));
    set("maxTimeRegressionNs", double(out_.max_time_regression_ns));
    r.Set("displacementTruncated", out_.displacement_truncated);
    set("latP50", double(out_.lat_p50));
    set("latP90", double(out_.lat_p90));
    set("latP99", double(out_.lat_p99));
    set("latP999", double(out_.lat_p999));
    set("latMax", double(out_.lat_max));
    set("bufferBytes", double(out_.buffer_bytes));
    set("mapMemlockBytes", double(out_.map_memlock_bytes));
    set("peakOccupancyBytes", double(out_.peak_occupancy_bytes));
    set("consumerCpuNs", double(out_.consumer_cpu_ns));
    set("bpfRunTimeNs", double(out_.bpf_run_time_ns));
    set("bpfRunCnt", double(out_.bpf_run_cnt));
    r.Set("bpfStatsEnabled", out_.bpf_stats_enabled);
    set("wakeups", double(out_.wakeups));
    set("consumerError", double(out_.consumer_error));
    set("windowNs", double(out_.window_ns));
    r.Set("timelineDelivered", to_array(env, out_.timeline_delivered));
    r.Set("timelineOccupancy", to_array(env, out_.timeline_occupancy));
    r.Set("stormStopped", out_.storm_stopped);
    r.Set("aborted", out_.aborted);
    deferred_.Resolve(r);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  TrialConfig cfg_;
  TrialOutput out_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value RunTrial(const Napi::CallbackInfo& info) {
  Napi::Object o = info[0].As<Napi::Object>();
  TrialConfig cfg;
  cfg.transport = transport_config(o);
  cfg.storm = storm_options(o);
  cfg.synthetic = str(o, "load", "storm") == "saturation";
  cfg.synth.events = uint64_t(num(o, "events", 1000000));
  cfg.synth.events_per_call = uint32_t(num(o, "eventsPerCall", 1));
  cfg.synth.workers = uint32_t(num(o, "workers", 1));
  cfg.synth.rate = uint64_t(num(o, "rateCap", 0));
  cfg.synth.timeout_ms = uint64_t(num(o, "timeoutMs", 60000));
  cfg.consumer = consumer_options(o);
  cfg.consumer_delay_ns = uint64_t(num(o, "consumerDelayNs", 0));
  cfg.window_ns = uint64_t(num(o, "windowMs", 50) * 1e6);
  cfg.bpf_stats = flag(o, "bpfStats", true);
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
    Napi::Object o = info[0].As<Napi::Object>();
    try {
      tracer_ = std::make_unique<Tracer>(transport_config(o), consumer_options(o));
    } catch (const std::exception& e) {
      Napi::Error::New(info.Env(), e.what()).ThrowAsJavaScriptException();
    }
  }

 private:
  Napi::Value Take(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t max = info.Length() > 0 && info[0].IsNumber() ? size_t(info[0].As<Napi::Number>().Int64Value()) : 4096;
    std::vector<TracedEvent> evs = tracer_ ? tracer_->take(max) : std::vector<TracedEvent>{};
    Napi::Array a = Napi::Array::New(env, evs.size());
    for (size_t i = 0; i < evs.size(); i++) {
      const TracedEvent& e = evs[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("kind", e.kind == RB_EVENT_EXEC ? "exec" : "exit");
      o.Set("seq", double(e.seq));
      o.Set("tsNs", double(e.ts_ns));
      o.Set("durationNs", double(e.duration_ns));
      o.Set("pid", e.pid);
      o.Set("ppid", e.ppid);
      // raw wait status: code in bits 8..15, terminating signal in bits 0..6
      o.Set("exitCode", (e.exit_code >> 8) & 0xff);
      o.Set("exitSignal", e.exit_code & 0x7f);
      o.Set("cpu", e.cpu);
      o.Set("comm", e.comm);
      o.Set("filename", e.filename);
      a.Set(uint32_t(i), o);
    }
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
    try {
      storm_ = std::make_unique<StormProcess>(storm_options(info[0].As<Napi::Object>()));
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
    uint64_t limit = info.Length() > 0 && info[0].IsNumber() ? uint64_t(info[0].As<Napi::Number>().Int64Value()) : 60000;
    LoadOutcome so = storm_->wait(limit, nullptr, nullptr);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("generated", double(so.generated));
    o.Set("failed", double(so.failed));
    o.Set("elapsedNs", double(so.elapsed_ns));
    o.Set("stopped", so.stopped);
    return o;
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
  exports.Set("libbpfVersion", Napi::Function::New(env, LibbpfVersion));
  return exports;
}

}  // namespace

NODE_API_MODULE(ringbench, Init)
