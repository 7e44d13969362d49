// SPDX-License-Identifier: MIT
/* ringbuf_ref — the smallest libbpf ring buffer consumer of ringbench's own event, as a yardstick.
 *
 * It loads the very object ringbench loads (the ringbuf twin, from the same bpftool skeleton), with
 * the same .rodata configuration, the same saturation trigger (getpgid() calls from W producer
 * threads of this process) and libbpf's stock reader, but its callback only counts: no clock read,
 * no histogram, no ordering bitmap. What ringbench delivers under the same load should not fall
 * below what this program delivers; bench/ceilings/ceilings.ts runs both side by side.
 *
 *   ringbench-ref [--events N] [--workers W] [--ringbuf-bytes B] [--wakeup adaptive|every-n]
 *                 [--wakeup-every N] [--drain] [--bpf-stats] [--reader libbpf|custom]
 *                 [--events-per-call N] [--record full|minimal] [--producer-cpu C] [--consumer-cpu C]
 *                 [--seconds S [--warmup W]]
 *
 * --events-per-call and --record set the trigger's batch and record as ringbench's options of the
 * same names; --producer-cpu pins producer i to CPU C+i, --consumer-cpu the consumer. --seconds
 * runs the load for W (default 1) + S seconds, whatever --events says, and reports the records
 * delivered in each second after the first W (samplesPerSec), as the kernel's bench samples.
 *
 * Consumer: on the main thread, epoll_wait() without a timeout on libbpf's epoll fd then ring_buffer__consume() (what
 * ring_buffer__poll() does) while the producers run, then ring_buffer__consume() for what is left. --drain reads nothing during the load, then times
 * reading the whole backlog with ring_buffer__consume(): the reader's own ceiling.
 * --reader custom swaps libbpf's reader for a page walk like ringbench's custom reader (same epoll
 * wake-ups; the consumer position is published once per batch instead of once per record), so
 * both readers can be timed without ringbench's measuring sink.
 * --bpf-stats enables BPF_STATS_RUN_TIME (as ringbench does by default) and reports the program's
 * mean run time; it costs the program two clock reads per run.
 *
 * Besides its thread's CPU time per event (consumerNsPerEvent: the wake-ups included), it reports
 * the time spent inside the read calls alone per event (readNsPerEvent: the reader's own cost).
 *
 * Output: one JSON line on stdout. Errors: one line on stderr, exit 1; bad flags exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "event.h"
#include "ringbuf_exit.skel.h"

struct options {
	uint64_t events;
	unsigned workers;
	uint64_t ringbuf_bytes;
	unsigned wakeup_mode;
	unsigned wakeup_every;
	bool drain;
	bool bpf_stats;
	bool custom_reader;
	unsigned events_per_call;
	unsigned record_mode;
	int producer_cpu;
	int consumer_cpu;
	unsigned seconds;
	unsigned warmup;
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "ringbench-ref: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (usage: ringbench-ref [--events N] [--workers W] [--ringbuf-bytes B] "
			"[--wakeup adaptive|every-n] [--wakeup-every N] [--drain] [--bpf-stats] [--reader libbpf|custom] "
			"[--events-per-call N] [--record full|minimal] [--producer-cpu C] [--consumer-cpu C] [--seconds S [--warmup W]])\n");
	exit(2);
}

/* "1048576", "1M", "256K": a size with an optional binary suffix. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

static struct options parse_options(int argc, char **argv)
{
	struct options o = { .events = 1000000, .workers = 2, .ringbuf_bytes = 1 << 20,
			     .wakeup_mode = RB_WAKE_ADAPTIVE, .wakeup_every = 64, .events_per_call = 1,
			     .record_mode = RB_RECORD_FULL, .producer_cpu = -1, .consumer_cpu = -1, .warmup = 1 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;
		if (!strcmp(a, "--drain")) {
			o.drain = true;
			continue;
		}
		if (!strcmp(a, "--bpf-stats")) {
			o.bpf_stats = true;
			continue;
		}
		if (!v)
			usage_error("%s needs a value", a);
		i++;
		if (!strcmp(a, "--events")) {
			if (!parse_size(v, &n) || n < 1)
				usage_error("--events must be a positive integer; got '%s'", v);
			o.events = n;
		} else if (!strcmp(a, "--workers")) {
			if (!parse_size(v, &n) || n < 1 || n > 64)
				usage_error("--workers must be an integer in 1..64; got '%s'", v);
			o.workers = (unsigned)n;
		} else if (!strcmp(a, "--ringbuf-bytes")) {
			long page = sysconf(_SC_PAGESIZE);
			if (!parse_size(v, &n) || n < (uint64_t)page || (n & (n - 1)) || n > (1ull << 30))
				usage_error("--ringbuf-bytes must be a power-of-two multiple of the page, up to 1G; got '%s'", v);
			o.ringbuf_bytes = n;
		} else if (!strcmp(a, "--wakeup")) {
			if (!strcmp(v, "adaptive"))
				o.wakeup_mode = RB_WAKE_ADAPTIVE;
			else if (!strcmp(v, "every-n"))
				o.wakeup_mode = RB_WAKE_EVERY_N;
			else
				usage_error("--wakeup must be adaptive or every-n; got '%s'", v);
		} else if (!strcmp(a, "--reader")) {
			if (!strcmp(v, "libbpf") || !strcmp(v, "custom"))
				o.custom_reader = !strcmp(v, "custom");
			else
				usage_error("--reader must be libbpf or custom; got '%s'", v);
		} else if (!strcmp(a, "--wakeup-every")) {
			if (!parse_size(v, &n) || n < 1 || n > 1000000)
				usage_error("--wakeup-every must be an integer in 1..1000000; got '%s'", v);
			o.wakeup_every = (unsigned)n;
		} else if (!strcmp(a, "--events-per-call")) {
			if (!parse_size(v, &n) || n < 1 || n > RB_MAX_SATURATION_BATCH)
				usage_error("--events-per-call must be an integer in 1..512; got '%s'", v);
			o.events_per_call = (unsigned)n;
		} else if (!strcmp(a, "--record")) {
			if (!strcmp(v, "full"))
				o.record_mode = RB_RECORD_FULL;
			else if (!strcmp(v, "minimal"))
				o.record_mode = RB_RECORD_MINIMAL;
			else
				usage_error("--record must be full or minimal; got '%s'", v);
		} else if (!strcmp(a, "--producer-cpu") || !strcmp(a, "--consumer-cpu")) {
			if (!parse_size(v, &n) || n >= (uint64_t)sysconf(_SC_NPROCESSORS_ONLN))
				usage_error("%s must be an online CPU number", a);
			*(a[2] == 'p' ? &o.producer_cpu : &o.consumer_cpu) = (int)n;
		} else if (!strcmp(a, "--seconds") || !strcmp(a, "--warmup")) {
			if (!parse_size(v, &n) || n > 600)
				usage_error("--seconds and --warmup must be integers in 0..600; got '%s'", v);
			*(a[2] == 's' ? &o.seconds : &o.warmup) = (unsigned)n;
		} else {
			usage_error("unknown flag '%s'", a);
		}
	}
	if (o.seconds && o.drain)
		usage_error("--seconds cannot be combined with %s: it samples a consumer that reads during the load", "--drain");
	if (!o.seconds && o.events % o.events_per_call) {
		char got[64];
		snprintf(got, sizeof(got), "%" PRIu64 " and %u", o.events, o.events_per_call);
		usage_error("--events must be a multiple of --events-per-call; got %s", got);
	}
	return o;
}

/* --- producers: W threads held at a start line, then getpgid() N/W times each ---------------- */

static pthread_mutex_t start_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cv = PTHREAD_COND_INITIALIZER;
static bool started;
static atomic_uint running;
static atomic_uint_fast64_t generated;
static uint64_t load_end_ns;

static atomic_bool stop_load; /* --seconds: the consumer ends the load */
/* Readable once the last producer is done: the consumer waits in epoll_wait() without a timeout, as
 * the kernel's bench does (on a 2-vCPU VM a timed wait halved the adaptive ring buffer's rate:
 * bench/kernel/README.md). */
static int done_fd = -1;
static unsigned records_per_call = 1;

static void pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct producer { uint64_t calls; int cpu; };

static void *produce(void *arg)
{
	const struct producer *p = arg;
	pthread_mutex_lock(&start_mu);
	while (!started)
		pthread_cond_wait(&start_cv, &start_mu);
	pthread_mutex_unlock(&start_mu);
	if (p->cpu >= 0)
		pin_to(p->cpu);
	uint64_t k = 0;
	for (; k < p->calls && !atomic_load_explicit(&stop_load, memory_order_relaxed); k++)
		syscall(SYS_getpgid, 0);
	atomic_fetch_add(&generated, k * records_per_call);
	if (atomic_fetch_sub(&running, 1) == 1) {
		load_end_ns = now_ns(CLOCK_MONOTONIC);
		const uint64_t one = 1;
		if (write(done_fd, &one, sizeof(one)) < 0) /* ends the consumer's epoll_wait */
			abort();
	}
	return NULL;
}

/* --- consumer: count, nothing else --------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* The custom reader: walk the mapped data pages from the consumer position to the producer
 * position, count committed records, skip discarded ones, stop at one still reserved, and store
 * the new consumer position once for the whole batch (libbpf stores it after every record). */
struct page_reader {
	unsigned long *consumer_pos; /* the consumer page, mapped read-write */
	const unsigned long *producer_pos; /* the producer page, then the data pages mapped twice */
	const char *data;
	unsigned long mask;
	size_t map_bytes;
};

static int page_reader_open(struct page_reader *r, int map_fd, uint64_t ring_bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	void *c = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (c == MAP_FAILED)
		return -errno;
	r->map_bytes = (size_t)page + 2 * ring_bytes;
	void *p = mmap(NULL, r->map_bytes, PROT_READ, MAP_SHARED, map_fd, page);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = c;
	r->producer_pos = p;
	r->data = (const char *)p + page;
	r->mask = ring_bytes - 1;
	return 0;
}

static int page_reader_consume(struct page_reader *r, uint64_t *count)
{
	unsigned long cons = __atomic_load_n(r->consumer_pos, __ATOMIC_RELAXED); /* we alone write it */
	unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	int n = 0;
	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(r->data + (cons & r->mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			break;
		uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		if (!(len & BPF_RINGBUF_DISCARD_BIT))
			n++;
		cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
	}
	__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	*count += (uint64_t)n;
	return n;
}

/* --- loading ------------------------------------------------------------------------------- */

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

/* Opens, configures and loads the skeleton with exactly one trigger program autoloaded. */
static struct ringbuf_exit *load_with(const struct options *o, struct bpf_program *(*pick)(struct ringbuf_exit *),
				      int *err)
{
	struct ringbuf_exit *skel = ringbuf_exit__open();
	if (!skel) {
		*err = -errno;
		return NULL;
	}
	skel->rodata->cfg.target_tgid = (uint32_t)getpid();
	skel->rodata->cfg.event_bytes = sizeof(struct rb_event);
	skel->rodata->cfg.wakeup_mode = o->wakeup_mode;
	skel->rodata->cfg.wakeup_every = o->wakeup_every;
	skel->rodata->cfg.saturation_batch = o->events_per_call;
	skel->rodata->cfg.record_mode = o->record_mode;
	struct bpf_program *want = pick(skel), *p;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == want);
	*err = bpf_map__set_max_entries(skel->maps.events, (uint32_t)o->ringbuf_bytes);
	if (!*err)
		*err = ringbuf_exit__load(skel);
	if (*err) {
		ringbuf_exit__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct bpf_program *pick_fentry(struct ringbuf_exit *s) { return s->progs.saturation_fentry; }
static struct bpf_program *pick_sys_enter(struct ringbuf_exit *s) { return s->progs.saturation_sys_enter; }

/* Sum of the per-CPU counters map. */
static int read_counters(struct ringbuf_exit *skel, struct rb_counters *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu;
	struct rb_counters *v = calloc((size_t)ncpu, sizeof(*v)); /* 24 bytes: already 8-aligned */
	uint32_t zero = 0;
	int err = v ? bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &zero, v) : -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; !err && i < ncpu; i++) {
		sum->hits += v[i].hits;
		sum->drops += v[i].drops;
	}
	free(v);
	return err ? -errno : 0;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "ringbench-ref: %s: %s%s\n", what, strerror(err < 0 ? -err : err),
		(err == -EPERM || err == EPERM) && geteuid() ? " (needs root or CAP_BPF + CAP_PERFMON)" : "");
	exit(1);
}

int main(int argc, char **argv)
{
	struct options o = parse_options(argc, argv);
	libbpf_set_print(silent);

	/* fentry first, as the kernel's own ringbuf benchmark; the syscall-entry tracepoint where the
	 * kernel refuses trampolines (load or attach). */
	const char *via = "fentry";
	int err = 0;
	struct bpf_link *link = NULL;
	struct ringbuf_exit *skel = load_with(&o, pick_fentry, &err);
	if (skel) {
		link = bpf_program__attach(skel->progs.saturation_fentry);
		if (!link) {
			err = -errno;
			ringbuf_exit__destroy(skel);
			skel = NULL;
		}
	}
	if (!skel) {
		int fentry_err = err;
		via = "tp_btf/sys_enter";
		skel = load_with(&o, pick_sys_enter, &err);
		if (!skel) {
			fprintf(stderr, "ringbench-ref: fentry: %s; ", strerror(-fentry_err));
			die("loading saturation_sys_enter", err);
		}
		link = bpf_program__attach(skel->progs.saturation_sys_enter);
		if (!link)
			die("attaching saturation_sys_enter", -errno);
	}
	struct bpf_program *prog = strcmp(via, "fentry") ? skel->progs.saturation_sys_enter : skel->progs.saturation_fentry;

	uint64_t delivered = 0;
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &delivered, NULL);
	if (!rb)
		die("ring_buffer__new", -errno);

	struct page_reader pr = { 0 };
	if (o.custom_reader && (err = page_reader_open(&pr, bpf_map__fd(skel->maps.events), o.ringbuf_bytes)))
		die("mapping the ring buffer", err);
	int epfd = ring_buffer__epoll_fd(rb);
	done_fd = eventfd(0, EFD_CLOEXEC);
	struct epoll_event done_ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX }; /* libbpf's hold ring ids */
	if (done_fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, done_fd, &done_ev))
		die("adding an eventfd to the epoll set", -errno);

	int stats_fd = -1;
	if (o.bpf_stats && (stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME)) < 0)
		die("enabling BPF run-time stats", -errno);

	pthread_t *threads = calloc(o.workers, sizeof(*threads));
	struct producer *producers = calloc(o.workers, sizeof(*producers));
	if (!threads || !producers)
		die("allocating threads", ENOMEM);
	atomic_store(&running, o.workers);
	records_per_call = o.events_per_call;
	const uint64_t calls = o.seconds ? UINT64_MAX : o.events / o.events_per_call;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	for (unsigned i = 0; i < o.workers; i++) {
		producers[i].calls = calls / o.workers + (i < calls % o.workers ? 1 : 0);
		producers[i].cpu = o.producer_cpu < 0 ? -1 : (int)((o.producer_cpu + i) % ncpus);
		if ((err = pthread_create(&threads[i], NULL, produce, &producers[i])))
			die("starting a producer", err);
	}
	if (o.consumer_cpu >= 0)
		pin_to(o.consumer_cpu);
	/* --seconds: delivered per second after --warmup seconds, as the kernel's bench samples */
	uint64_t samples[600] = { 0 }, at_mark = 0;
	unsigned nsamples = 0;
	bool measuring = false;

	uint64_t cpu0 = 0, polls = 0, read_ns = 0;
	pthread_mutex_lock(&start_mu);
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	started = true;
	pthread_cond_broadcast(&start_cv);
	pthread_mutex_unlock(&start_mu);

	if (!o.drain) {
		cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		/* ring_buffer__poll() spelled out (epoll_wait, then consume) so the read can be timed alone */
		uint64_t mark = t0 + 1000000000ull * o.warmup;
		while (atomic_load(&running) > 0) {
			if (o.seconds) {
				uint64_t now = now_ns(CLOCK_MONOTONIC);
				if (now >= mark) {
					if (measuring)
						samples[nsamples++] = delivered - at_mark;
					measuring = true;
					at_mark = delivered;
					mark += 1000000000ull;
					if (nsamples == o.seconds)
						atomic_store(&stop_load, true);
				}
			}
			struct epoll_event ev;
			int n = epoll_wait(epfd, &ev, 1, -1);
			if (n < 0 && errno != EINTR)
				die("epoll_wait", -errno);
			if (n <= 0)
				continue;
			uint64_t r0 = now_ns(CLOCK_MONOTONIC);
			err = o.custom_reader ? page_reader_consume(&pr, &delivered) : ring_buffer__consume(rb);
			read_ns += now_ns(CLOCK_MONOTONIC) - r0;
			if (err < 0)
				die("ring_buffer__consume", err);
			if (err > 0)
				polls++;
		}
	}
	for (unsigned i = 0; i < o.workers; i++)
		pthread_join(threads[i], NULL);
	/* In --drain, the clock starts now: the reader's speed alone. */
	uint64_t drain0 = now_ns(CLOCK_MONOTONIC);
	if (o.drain)
		cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (;;) {
		uint64_t r0 = now_ns(CLOCK_MONOTONIC);
		err = o.custom_reader ? page_reader_consume(&pr, &delivered) : ring_buffer__consume(rb);
		read_ns += now_ns(CLOCK_MONOTONIC) - r0;
		if (err < 0)
			die("ring_buffer__consume", err);
		if (err == 0)
			break;
		polls++;
	}
	uint64_t t1 = now_ns(CLOCK_MONOTONIC);
	uint64_t consumer_cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;

	struct rb_counters c;
	if ((err = read_counters(skel, &c)))
		die("reading the counters map", err);
	uint64_t run_time_ns = 0, run_cnt = 0;
	if (stats_fd >= 0) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len)) {
			run_time_ns = info.run_time_ns;
			run_cnt = info.run_cnt;
		}
		close(stats_fd);
	}

	uint64_t gen = atomic_load(&generated);
	uint64_t load_ns = load_end_ns - t0;
	/* Delivery ends with the last record read: after the load (it read along) or after the drain. */
	uint64_t elapsed = o.drain ? t1 - drain0 : t1 - t0;
	printf("{\"reference\":\"%s, count only\",\"libbpf\":\"%u.%u\",\"attachedVia\":\"%s\","
	       "\"events\":%" PRIu64 ",\"workers\":%u,\"ringbufBytes\":%" PRIu64 ",\"wakeup\":\"%s\",\"wakeupEvery\":%u,"
	       "\"consumer\":\"%s\",\"generated\":%" PRIu64 ",\"seenByBpf\":%" PRIu64 ",\"delivered\":%" PRIu64
	       ",\"dropped\":%" PRIu64 ",\"loadPhaseNs\":%" PRIu64 ",\"elapsedNs\":%" PRIu64
	       ",\"generatedPerSec\":%.1f,\"deliveredPerSec\":%.1f,\"consumerNsPerEvent\":%.2f,\"readNsPerEvent\":%.2f,\"polls\":%" PRIu64
	       ",\"bpfRunCount\":%" PRIu64 ",\"bpfNsPerEvent\":%.2f,\"eventsPerCall\":%u,\"record\":\"%s\",\"samplesPerSec\":[",
	       o.custom_reader ? "custom page reader" : "libbpf ring_buffer",
	       libbpf_major_version(), libbpf_minor_version(), via, o.events, o.workers, o.ringbuf_bytes,
	       o.wakeup_mode == RB_WAKE_EVERY_N ? "every-n" : "adaptive", o.wakeup_every, o.drain ? "drain" : "epoll",
	       gen, (uint64_t)c.hits, delivered, (uint64_t)c.drops, load_ns, elapsed,
	       load_ns ? gen * 1e9 / (double)load_ns : 0.0, elapsed ? delivered * 1e9 / (double)elapsed : 0.0,
	       delivered ? (double)consumer_cpu / (double)delivered : 0.0, delivered ? (double)read_ns / (double)delivered : 0.0,
	       polls, run_cnt,
	       run_cnt ? (double)run_time_ns / (double)run_cnt : 0.0, o.events_per_call,
	       o.record_mode == RB_RECORD_MINIMAL ? "minimal" : "full");
	for (unsigned i = 0; i < nsamples; i++)
		printf("%s%" PRIu64, i ? "," : "", samples[i]);
	printf("]}\n");

	free(threads);
	free(producers);
	if (pr.producer_pos) {
		munmap((void *)pr.producer_pos, pr.map_bytes);
		munmap(pr.consumer_pos, (size_t)sysconf(_SC_PAGESIZE));
	}
	ring_buffer__free(rb);
	bpf_link__destroy(link);
	ringbuf_exit__destroy(skel);
	return 0;
}
