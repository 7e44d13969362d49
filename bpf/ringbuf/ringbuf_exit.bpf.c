// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ringbuf_exit — the exit program sending through BPF_MAP_TYPE_RINGBUF. Its size is set from user
 * space before load; wake-ups follow cfg.wakeup_mode. The ring is one shared map (`events`), or,
 * with cfg.ring_cpus = N, one of the rings in `rings` chosen by CPU (cpu / N), as Falco's
 * cpus_for_each_buffer does: the same fill and submit, only the map differs (rb_ring). */
#include "exit_prog.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* The rings shared by N CPUs each; user space sizes the template and the array before load and
 * puts a ring of that size in every slot after it. Unused (one slot) for a shared ring. */
struct rb_ring_slot {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct rb_ring_slot);
} rings SEC(".maps");

/* The ring this CPU writes into; NULL only if user space left its slot empty. */
static __always_inline void *rb_ring(void)
{
	__u32 idx;

	if (!cfg.ring_cpus)
		return &events;
	idx = bpf_get_smp_processor_id() / cfg.ring_cpus;
	return bpf_map_lookup_elem(&rings, &idx);
}

/* Which wake-up flag this record is submitted with. */
static __always_inline __u64 rb_wakeup_flags(void *ring, __u64 seq_no)
{
	if (cfg.wakeup_mode == RB_WAKE_EVERY_N)
		return (seq_no + 1) % cfg.wakeup_every == 0 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (cfg.wakeup_mode == RB_WAKE_SAMPLED)
		return bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= cfg.wakeup_bytes
			       ? BPF_RB_FORCE_WAKEUP
			       : BPF_RB_NO_WAKEUP;
	return 0;
}

static int rb_emit_event(void *ctx, struct task_struct *task, __u16 kind, __u64 now)
{
	__u32 size = rb_event_bytes();
	void *ring = rb_ring();
	struct rb_event *e;

	if (!ring)
		return -1;
	if (cfg.submit_mode == RB_SUBMIT_OUTPUT) {
		e = rb_staging();
		if (!e)
			return -1;
		rb_fill(e, task, kind, size, now);
		return bpf_ringbuf_output(ring, e, size, rb_wakeup_flags(ring, e->seq));
	}
	e = bpf_ringbuf_reserve(ring, size, 0);
	if (!e)
		return -1;
	rb_fill(e, task, kind, size, now);
	bpf_ringbuf_submit(e, rb_wakeup_flags(ring, e->seq));
	return 0;
}

static __u64 rb_unread_bytes(void)
{
	void *ring = rb_ring();

	return ring ? bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) : 0;
}

static int rb_emit_copy(void *ctx, struct rb_event *tmpl, __u32 size, __u64 now)
{
	void *ring = rb_ring();
	struct rb_event *e;

	if (!ring)
		return -1;
	if (cfg.submit_mode == RB_SUBMIT_OUTPUT) {
		/* the template is the staging slot: only time and number change */
		tmpl->ts_ns = now;
		tmpl->seq = rb_next_seq();
		return bpf_ringbuf_output(ring, tmpl, size, rb_wakeup_flags(ring, tmpl->seq));
	}
	e = bpf_ringbuf_reserve(ring, size, 0);
	if (!e)
		return -1;
	__builtin_memcpy(e, tmpl, sizeof(*e));
	e->ts_ns = now;
	e->seq = rb_next_seq();
	bpf_ringbuf_submit(e, rb_wakeup_flags(ring, e->seq));
	return 0;
}

static int rb_emit_seq(void *ctx)
{
	void *ring = rb_ring();
	struct rb_min_event *e;
	__u64 s;

	if (!ring)
		return -1;
	if (cfg.submit_mode == RB_SUBMIT_OUTPUT) {
		s = rb_next_seq();
		return bpf_ringbuf_output(ring, &s, sizeof(s), rb_wakeup_flags(ring, s));
	}
	e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);
	if (!e)
		return -1;
	e->seq = rb_next_seq();
	bpf_ringbuf_submit(e, rb_wakeup_flags(ring, e->seq));
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
