// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ringbuf_exit — the exit program sending through BPF_MAP_TYPE_RINGBUF. Its size is set from user
 * space before load; wake-ups follow cfg.wakeup_mode. */
#include "exit_prog.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Which wake-up flag this record is submitted with. */
static __always_inline __u64 rb_wakeup_flags(__u64 seq_no)
{
	if (cfg.wakeup_mode == RB_WAKE_EVERY_N)
		return (seq_no + 1) % cfg.wakeup_every == 0 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (cfg.wakeup_mode == RB_WAKE_SAMPLED)
		return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= cfg.wakeup_bytes
			       ? BPF_RB_FORCE_WAKEUP
			       : BPF_RB_NO_WAKEUP;
	return 0;
}

static int rb_emit_event(void *ctx, struct task_struct *task, __u16 kind, __u64 now)
{
	__u32 size = rb_event_bytes();
	struct rb_event *e;

	if (cfg.submit_mode == RB_SUBMIT_OUTPUT) {
		e = rb_staging();
		if (!e)
			return -1;
		rb_fill(e, task, kind, size, now);
		return bpf_ringbuf_output(&events, e, size, rb_wakeup_flags(e->seq));
	}
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		return -1;
	rb_fill(e, task, kind, size, now);
	bpf_ringbuf_submit(e, rb_wakeup_flags(e->seq));
	return 0;
}

static __u64 rb_occupancy_bytes(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
}

static int rb_emit_copy(void *ctx, struct rb_event *tmpl, __u32 size, __u64 now)
{
	struct rb_event *e;

	if (cfg.submit_mode == RB_SUBMIT_OUTPUT) {
		/* the template is the staging slot: only time and number change */
		tmpl->ts_ns = now;
		tmpl->seq = rb_next_seq();
		return bpf_ringbuf_output(&events, tmpl, size, rb_wakeup_flags(tmpl->seq));
	}
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		return -1;
	__builtin_memcpy(e, tmpl, sizeof(*e));
	e->ts_ns = now;
	e->seq = rb_next_seq();
	bpf_ringbuf_submit(e, rb_wakeup_flags(e->seq));
	return 0;
}

static int rb_emit_seq(void *ctx)
{
	struct rb_min_event *e;
	__u64 s;

	if (cfg.submit_mode == RB_SUBMIT_OUTPUT) {
		s = rb_next_seq();
		return bpf_ringbuf_output(&events, &s, sizeof(s), rb_wakeup_flags(s));
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return -1;
	e->seq = rb_next_seq();
	bpf_ringbuf_submit(e, rb_wakeup_flags(e->seq));
	return 0;
}

static int rb_emit_exec(void *ctx, struct task_struct *task, const char *filename, __u64 now)
{
	struct rb_exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return -1;
	rb_fill(&e->hdr, task, RB_EVENT_EXEC, sizeof(*e), now);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
