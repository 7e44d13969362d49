/* exit_prog.bpf.h — the exit program both twins share: the filter, the fill routine, the counters,
 * the three ways to attach to sched_process_exit and the saturation triggers. A twin only defines
 * its transport map and the rb_emit_*() functions declared below; everything that decides *which*
 * bytes are sent lives here. */
#ifndef RINGBENCH_EXIT_PROG_BPF_H
#define RINGBENCH_EXIT_PROG_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct rb_config cfg = {
	.event_bytes = sizeof(struct rb_event),
	.wakeup_every = 1,
};

/* One sequence per object: both twins number their own events from 0. */
__u64 seq = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rb_counters);
} counters SEC(".maps");

/* Staging slot for copies (perfbuf output, ringbuf output mode): too big for the BPF stack. */
struct rb_slot { __u8 bytes[RB_MAX_EVENT_BYTES]; };
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rb_slot);
} staging SEC(".maps");

static __always_inline struct rb_counters *rb_counters(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline void *rb_staging(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&staging, &zero);
}

/* Record bytes clamped so the verifier can prove every access stays inside the slot. */
static __always_inline __u32 rb_event_bytes(void)
{
	__u32 n = cfg.event_bytes;
	if (n < sizeof(struct rb_event))
		n = sizeof(struct rb_event);
	if (n > RB_MAX_EVENT_BYTES)
		n = RB_MAX_EVENT_BYTES;
	return n;
}

/* The same fill for every transport: called on the record's final memory (ringbuf reserve) or on
 * the staging slot (copies). Everything but the sequence number, which the emitter takes last. */
static __always_inline void rb_fill_task(struct rb_event *e, struct task_struct *task, __u16 kind,
					 __u32 size, __u64 now)
{
	e->ts_ns = now;
	e->duration_ns = now - BPF_CORE_READ(task, start_time);
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->cpu = bpf_get_smp_processor_id();
	e->kind = kind;
	e->reserved = 0;
	e->size = size;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* The sequence number is taken as late as possible before the record becomes visible, so the
 * ordering metric measures the transport, not the fill. */
static __always_inline __u64 rb_next_seq(void)
{
	return __sync_fetch_and_add(&seq, 1);
}

static __always_inline void rb_fill(struct rb_event *e, struct task_struct *task, __u16 kind,
				    __u32 size, __u64 now)
{
	rb_fill_task(e, task, kind, size, now);
	e->seq = rb_next_seq();
}

/* The twin's transport, defined after including this header. Each returns 0 or a negative error.
 *   rb_emit_event: a full event filled from the task (exits)
 *   rb_emit_exec:  an exec event with its file name
 *   rb_emit_copy:  a saturation record: the header of `tmpl` (filled once per trigger, in the
 *                  staging slot) with its own time and sequence number
 *   rb_emit_seq:   a minimal saturation record: the sequence number alone
 *   rb_occupancy_bytes: the buffer's occupancy now, in bytes (ringbuf), 0 where BPF cannot tell (perfbuf) */
static int rb_emit_event(void *ctx, struct task_struct *task, __u16 kind, __u64 now);
static int rb_emit_exec(void *ctx, struct task_struct *task, const char *filename, __u64 now);
static int rb_emit_copy(void *ctx, struct rb_event *tmpl, __u32 size, __u64 now);
static int rb_emit_seq(void *ctx);
static __u64 rb_occupancy_bytes(void);

/* A failed reserve/output: count it, and keep how full the buffer was (the true peak, which a
 * consumer sampling positions could miss between two of its reads). */
static __always_inline void rb_count_drop(struct rb_counters *c)
{
	__u64 occupancy = rb_occupancy_bytes();

	c->drops++;
	if (occupancy > c->peak_occupancy)
		c->peak_occupancy = occupancy;
}

/* The target filter: with a target, only its direct children count. Returns this CPU's counters
 * for a task that passes, NULL otherwise. */
static __always_inline struct rb_counters *rb_target_counters(struct task_struct *task)
{
	if (cfg.target_tgid && BPF_CORE_READ(task, real_parent, tgid) != cfg.target_tgid)
		return NULL;
	return rb_counters();
}

/* Thread exits are ignored. */
static __always_inline int rb_handle_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct rb_counters *c;
	__u64 now;

	if ((__u32)(id >> 32) != (__u32)id)
		return 0;
	c = rb_target_counters(task);
	if (!c)
		return 0;
	now = bpf_ktime_get_ns();
	if (cfg.min_duration_ns && now - BPF_CORE_READ(task, start_time) < cfg.min_duration_ns) {
		c->filtered++;
		return 0;
	}
	c->hits++;
	if (rb_emit_event(ctx, task, RB_EVENT_EXIT, now))
		rb_count_drop(c);
	return 0;
}

static __always_inline int rb_handle_exec(void *ctx, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct rb_counters *c;

	if (!cfg.trace_exec)
		return 0;
	c = rb_target_counters(task);
	if (!c)
		return 0;
	c->hits++;
	if (rb_emit_exec(ctx, task, BPF_CORE_READ(bprm, filename), bpf_ktime_get_ns()))
		rb_count_drop(c);
	return 0;
}

/* Saturation load: the harness's producer threads call getpgid() in a loop; each call emits
 * cfg.saturation_batch records through the same transport code. Cheap by design: getpgid does
 * almost nothing, so the rate is bounded by the transport. The filter is the harness's own tgid
 * (cfg.target_tgid), so nothing else on the system counts. A full record's task fields are read
 * once per trigger (they are the same task's); each record still gets its own time and number. A
 * minimal record is the number alone: the kernel benchmark's work, for a like-for-like ceiling. */
static __always_inline int rb_handle_saturation(void *ctx)
{
	struct rb_counters *c;
	struct rb_event *tmpl = NULL;
	__u32 size = rb_event_bytes();

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != cfg.target_tgid)
		return 0;
	c = rb_counters();
	if (!c)
		return 0;
	if (cfg.record_mode == RB_RECORD_FULL) {
		tmpl = rb_staging();
		if (!tmpl)
			return 0;
		rb_fill_task(tmpl, (struct task_struct *)bpf_get_current_task(), RB_EVENT_SATURATION, size,
			     bpf_ktime_get_ns());
	}
	for (__u32 i = 0; i < RB_MAX_SATURATION_BATCH; i++) {
		if (i >= cfg.saturation_batch && i > 0)
			break;
		c->hits++;
		if (tmpl ? rb_emit_copy(ctx, tmpl, size, bpf_ktime_get_ns()) : rb_emit_seq(ctx))
			rb_count_drop(c);
	}
	return 0;
}

#if defined(__TARGET_ARCH_x86)
#define RB_SYSCALL(name) "__x64_sys_" #name
#define RB_NR_GETPGID 121
#elif defined(__TARGET_ARCH_arm64)
#define RB_SYSCALL(name) "__arm64_sys_" #name
#define RB_NR_GETPGID 155
#else
#error "add this architecture's syscall prefix and getpgid number"
#endif

/* Preferred: a trampoline on the syscall itself, as the kernel's own ringbuf benchmark does. */
SEC("fentry/" RB_SYSCALL(getpgid))
int BPF_PROG(saturation_fentry) { return rb_handle_saturation(ctx); }

/* Fallback where fentry is refused: the raw syscall-entry tracepoint. It runs for every syscall
 * on the machine while attached, so it rejects other syscalls first, with one compare. */
SEC("tp_btf/sys_enter")
int BPF_PROG(saturation_sys_enter, struct pt_regs *regs, long id)
{
	if (id != RB_NR_GETPGID)
		return 0;
	return rb_handle_saturation(ctx);
}

/* Three ways to attach the same handler; user space enables exactly one before load.
 * tp_btf and raw_tp need no tracefs; tp needs tracefs mounted. */
SEC("tp_btf/sched_process_exit")
int exit_btf(void *ctx) { return rb_handle_exit(ctx); }

SEC("raw_tp/sched_process_exit")
int exit_raw(void *ctx) { return rb_handle_exit(ctx); }

SEC("tp/sched/sched_process_exit")
int exit_tp(void *ctx) { return rb_handle_exit(ctx); }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return rb_handle_exec(ctx, bprm);
}

SEC("raw_tp/sched_process_exec")
int exec_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return rb_handle_exec(ctx, (struct linux_binprm *)ctx->args[2]);
}

#endif
