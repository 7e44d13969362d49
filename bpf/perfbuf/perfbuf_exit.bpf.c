// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* perfbuf_exit — the twin sending through BPF_MAP_TYPE_PERF_EVENT_ARRAY: same tracepoint, filter and
 * fill; the record is staged per CPU and copied out with bpf_perf_event_output(). Wake-ups are set
 * on the perf events by user space (wakeup_events / watermark), not here. */
#include "exit_prog.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static int rb_emit_event(void *ctx, struct task_struct *task, __u16 kind, __u64 now)
{
	__u32 size = rb_event_bytes();
	struct rb_event *e = rb_staging();

	if (!e)
		return -1;
	rb_fill(e, task, kind, size, now);
	return bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, size);
}

/* BPF cannot see a perf buffer's positions: the consumer measures its occupancy. */
static __u64 rb_occupancy_bytes(void)
{
	return 0;
}

/* The template is the staging slot: only time and number change before the copy out. */
static int rb_emit_copy(void *ctx, struct rb_event *tmpl, __u32 size, __u64 now)
{
	tmpl->ts_ns = now;
	tmpl->seq = rb_next_seq();
	return bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, tmpl, size);
}

static int rb_emit_seq(void *ctx)
{
	__u64 s = rb_next_seq();

	return bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &s, sizeof(s));
}

static int rb_emit_exec(void *ctx, struct task_struct *task, const char *filename, __u64 now)
{
	struct rb_exec_event *e = rb_staging();

	if (!e)
		return -1;
	rb_fill(&e->hdr, task, RB_EVENT_EXEC, sizeof(*e), now);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	return bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, sizeof(*e));
}
