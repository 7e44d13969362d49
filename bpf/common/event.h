/* event.h — the one event layout and configuration shared by both twin programs and user space.
 * Kept free of kernel or libc headers beyond fixed-width types so BPF and C++ agree byte for byte. */
#ifndef RINGBENCH_EVENT_H
#define RINGBENCH_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define RB_COMM_LEN 16
#define RB_FILENAME_LEN 128
/* Largest record a trial may ask for; the perfbuf staging slot is this big. */
#define RB_MAX_EVENT_BYTES 4096

enum rb_event_kind { RB_EVENT_EXIT = 1, RB_EVENT_EXEC = 2, RB_EVENT_SATURATION = 3 };

/* 64 bytes. Padding up to cfg.event_bytes follows the header and is never read. */
struct rb_event {
	__u64 seq;          /* global sequence number, taken in BPF (one counter per object) */
	__u64 ts_ns;        /* bpf_ktime_get_ns() when the event was filled (CLOCK_MONOTONIC) */
	__u64 duration_ns;  /* process lifetime: now - task->start_time */
	__u32 pid;
	__u32 ppid;
	__u32 exit_code;    /* raw wait status: (code << 8) | signal */
	__u32 cpu;
	__u16 kind;         /* enum rb_event_kind */
	__u16 reserved;
	__u32 size;         /* bytes of this record, padding included */
	char comm[RB_COMM_LEN];
};
/* The header's size, the smallest full record; user space reads it from here (no copies). */
#define RB_EVENT_HEADER_BYTES 64
#ifdef __cplusplus
static_assert(sizeof(struct rb_event) == RB_EVENT_HEADER_BYTES, "rb_event is RB_EVENT_HEADER_BYTES");
#else
_Static_assert(sizeof(struct rb_event) == RB_EVENT_HEADER_BYTES, "rb_event is RB_EVENT_HEADER_BYTES");
#endif

/* trace --exec: an exec record carries the file name after the header. */
struct rb_exec_event {
	struct rb_event hdr;
	char filename[RB_FILENAME_LEN];
};

enum rb_wakeup_mode { RB_WAKE_ADAPTIVE = 0, RB_WAKE_EVERY_N = 1, RB_WAKE_SAMPLED = 2 };
enum rb_submit_mode { RB_SUBMIT_RESERVE = 0, RB_SUBMIT_OUTPUT = 1 };
/* What a saturation record holds: the full event (task fields read once per trigger), or only the
 * sequence number (8 bytes: a 16 B ringbuf record, as in the kernel's own ringbuf benchmark). */
enum rb_record_mode { RB_RECORD_FULL = 0, RB_RECORD_MINIMAL = 1 };

/* The minimal record: the sequence number alone (ordering and integrity stay exact). */
struct rb_min_event {
	__u64 seq;
};

/* Set in .rodata before load; the verifier then sees every field as a constant. */
struct rb_config {
	__u32 target_tgid;     /* count only children of this process; 0 = whole system */
	__u32 event_bytes;     /* record size, 64..RB_MAX_EVENT_BYTES */
	__u32 wakeup_mode;     /* ringbuf: enum rb_wakeup_mode */
	__u32 wakeup_every;    /* RB_WAKE_EVERY_N: force a wake-up every N events */
	__u64 wakeup_bytes;    /* RB_WAKE_SAMPLED: force a wake-up at this many unread bytes */
	__u32 submit_mode;     /* ringbuf: enum rb_submit_mode */
	__u32 trace_exec;      /* emit exec events too (trace view) */
	__u64 min_duration_ns; /* drop exits of processes younger than this (trace view) */
	__u32 saturation_batch; /* saturation: records emitted per trigger, 1..RB_MAX_SATURATION_BATCH */
	__u32 record_mode;     /* saturation: enum rb_record_mode */
	__u32 ring_cpus;       /* ringbuf: 0 = the one shared ring; N = a ring per N CPUs, chosen as cpu / N */
};

/* Records per saturation trigger at most: enough to make the reader the bottleneck, as in the
 * kernel's own ringbuf benchmark, while keeping verification short. */
#define RB_MAX_SATURATION_BATCH 512

/* Per-CPU kernel-side counters: the kernel's own account of what happened. */
struct rb_counters {
	__u64 hits;    /* program runs that passed the filter */
	__u64 drops;   /* reserve (ringbuf) or output (perfbuf) failures */
	__u64 filtered;/* runs that passed the target filter but not the min-duration filter */
	__u64 peak_avail; /* ringbuf: most unread bytes seen at a failed reserve (bpf_ringbuf_query) */
};

#endif
