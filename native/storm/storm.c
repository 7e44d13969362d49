/* ringbench-storm — a bounded fork storm run as its own process.
 *
 * W worker threads each create children one at a time (so at most W children exist at once) with
 * vfork+_exit, fork+_exit or vfork+exec(/bin/true), reap them, and stop at the child count, the
 * deadline or SIGTERM, whichever comes first. The storm waits for one byte on --go-fd before it
 * starts, so the harness can attach BPF programs filtered on this process's pid first. It leads its
 * own process group and dies with its parent, so `kill(-pid, SIGKILL)` or the harness's death
 * always takes every child with it. On exit it writes one line to --result-fd:
 *   generated=N failed=N elapsed_ns=N stopped=deadline|signal|done
 * where generated counts children that were created and reaped.
 *
 * --cpus LIST (e.g. 0 or 0,2-3) pins the storm, its workers and so its children (they inherit the
 * mask) to those CPUs before the start line: skewed load.
 *
 * --mode getpgid makes no children: each worker calls getpgid() (the saturation load's trigger)
 * --children times in total, and generated counts the calls. With no BPF attached it is the bare
 * trigger loop a run's control measures the machine with (ResultsFile.control). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_VFORK, MODE_FORK, MODE_EXEC, MODE_GETPGID };

static struct {
	enum mode mode;
	long children;
	long workers;
	double rate; /* children per second over all workers; 0 = unlimited */
	long timeout_ms;
	int go_fd;
	int result_fd;
	const char *cpus; /* NULL = not pinned */
} opt = { MODE_VFORK, 1000, 1, 0, 60000, -1, -1, NULL };

static atomic_long next_child;   /* index of the next child to create */
static atomic_long generated;
static atomic_long failed;
static atomic_int stop_reason;   /* 0 running, 1 deadline, 2 signal */
static uint64_t start_ns, deadline_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_term(int sig)
{
	(void)sig;
	atomic_store(&stop_reason, 2);
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !atomic_load(&stop_reason))
		;
}

static char *const exec_argv[] = { "true", NULL };
static char *const exec_envp[] = { NULL };

/* One child: its exit code varies with its index so payload tests can tell children apart. */
static pid_t make_child(long index)
{
	int code = (int)(index % 100);
	pid_t pid;

	switch (opt.mode) {
	case MODE_FORK:
		pid = fork();
		if (pid == 0)
			_exit(code);
		return pid;
	case MODE_EXEC:
		pid = vfork();
		if (pid == 0) {
			execve("/bin/true", exec_argv, exec_envp);
			_exit(127);
		}
		return pid;
	default:
		pid = vfork();
		if (pid == 0)
			_exit(code);
		return pid;
	}
}

/* A worker stops when told to, or at the deadline (which it then records as the reason). */
static bool should_stop(void)
{
	if (atomic_load(&stop_reason))
		return true;
	if (now_ns() >= deadline_ns) {
		atomic_store(&stop_reason, 1);
		return true;
	}
	return false;
}

/* The trigger loop: claim calls in chunks so workers do not contend on the counter per call. */
static void getpgid_loop(void)
{
	const long chunk = 256;
	for (;;) {
		if (should_stop())
			break;
		long first = atomic_fetch_add(&next_child, chunk);
		if (first >= opt.children)
			break;
		long n = opt.children - first < chunk ? opt.children - first : chunk;
		for (long k = 0; k < n; k++)
			syscall(SYS_getpgid, 0);
		atomic_fetch_add(&generated, n);
	}
}

static void *worker(void *arg)
{
	long id = (long)arg;
	if (opt.mode == MODE_GETPGID) {
		getpgid_loop();
		return NULL;
	}
	double per_worker = opt.rate > 0 ? opt.rate / (double)opt.workers : 0;
	uint64_t period = per_worker > 0 ? (uint64_t)(1e9 / per_worker) : 0;
	uint64_t next = start_ns + (period ? (period * (uint64_t)id) / (uint64_t)opt.workers : 0);

	for (;;) {
		if (should_stop())
			break;
		long index = atomic_fetch_add(&next_child, 1);
		if (index >= opt.children)
			break;
		if (period) {
			sleep_until(next);
			next += period;
		}
		pid_t pid = make_child(index);
		if (pid < 0) {
			atomic_fetch_add(&failed, 1);
			continue;
		}
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		atomic_fetch_add(&generated, 1);
	}
	return NULL;
}

static long parse_long(const char *flag, const char *v, long lo, long hi)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || *end || x < lo || x > hi) {
		fprintf(stderr, "ringbench-storm: %s must be an integer in %ld..%ld, got '%s'\n", flag, lo, hi, v);
		exit(2);
	}
	return x;
}

/* Pins this process (and every thread and child it makes afterwards) to a CPU list: N or N-M
 * items separated by commas. The harness has validated it; a refusal still stops the storm. */
static void pin_to(const char *list)
{
	cpu_set_t set;
	const char *p = list;

	CPU_ZERO(&set);
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || lo < 0 || lo >= CPU_SETSIZE)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi >= CPU_SETSIZE)
				goto bad;
		}
		for (long c = lo; c <= hi; c++)
			CPU_SET((int)c, &set);
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (sched_setaffinity(0, sizeof(set), &set) == 0)
		return;
	fprintf(stderr, "ringbench-storm: pinning to CPUs %s failed: %s\n", list, strerror(errno));
	exit(4);
bad:
	fprintf(stderr, "ringbench-storm: --cpus must be a CPU list such as 0 or 0,2-3, got '%s'\n", list);
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "vfork")) opt.mode = MODE_VFORK;
			else if (!strcmp(v, "fork")) opt.mode = MODE_FORK;
			else if (!strcmp(v, "exec")) opt.mode = MODE_EXEC;
			else if (!strcmp(v, "getpgid")) opt.mode = MODE_GETPGID;
			else { fprintf(stderr, "ringbench-storm: --mode must be vfork, fork, exec or getpgid, got '%s'\n", v); return 2; }
		} else if (!strcmp(a, "--children")) opt.children = parse_long(a, v, 1, 1000000000);
		else if (!strcmp(a, "--workers")) opt.workers = parse_long(a, v, 1, 256);
		else if (!strcmp(a, "--rate")) opt.rate = (double)parse_long(a, v, 0, 100000000);
		else if (!strcmp(a, "--timeout-ms")) opt.timeout_ms = parse_long(a, v, 1, 86400000);
		else if (!strcmp(a, "--go-fd")) opt.go_fd = (int)parse_long(a, v, 0, 1 << 20);
		else if (!strcmp(a, "--result-fd")) opt.result_fd = (int)parse_long(a, v, 0, 1 << 20);
		else if (!strcmp(a, "--cpus")) opt.cpus = v;
		else { fprintf(stderr, "ringbench-storm: unknown argument '%s'\n", a); return 2; }
		i++;
	}

	/* Die with the harness; lead a process group so one kill reaches every child. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 1;
	setpgid(0, 0);
	if (opt.cpus)
		pin_to(opt.cpus);
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (opt.go_fd >= 0) {
		char go;
		ssize_t n;
		while ((n = read(opt.go_fd, &go, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			return 3; /* harness gave up before starting: create nothing */
		close(opt.go_fd);
	}

	start_ns = now_ns();
	deadline_ns = start_ns + (uint64_t)opt.timeout_ms * 1000000ull;
	pthread_t tids[256];
	long started = 0;
	for (long i = 0; i < opt.workers; i++) {
		if (pthread_create(&tids[i], NULL, worker, (void *)i))
			break;
		started++;
	}
	for (long i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	uint64_t elapsed = now_ns() - start_ns;

	static const char *reasons[] = { "done", "deadline", "signal" };
	char line[256];
	int len = snprintf(line, sizeof(line), "generated=%ld failed=%ld elapsed_ns=%llu stopped=%s workers=%ld\n",
			   atomic_load(&generated), atomic_load(&failed), (unsigned long long)elapsed,
			   reasons[atomic_load(&stop_reason)], started);
	if (opt.result_fd >= 0 && write(opt.result_fd, line, (size_t)len) < 0)
		return 1;
	return 0;
}
