// SPDX-License-Identifier: GPL-2.0
/*
 * --faults setup|publish: the kernel fails under a well-behaved driver.
 * Needs a kernel with CONFIG_FAULT_INJECTION, FAILSLAB,
 * FAULT_INJECTION_USERCOPY and FAULT_INJECTION_STACKTRACE_FILTER (the
 * debug kernel of the VM suites); elsewhere it skips (77).
 *
 *   setup    every fault site of a device's bring-up, one at a time:
 *            the N-th slab allocation or user copy of open(), SET_OWNER,
 *            SET_FEATURES, SET_MEM_TABLE, SET_VRING_*, and the backend
 *            start (where the in-order window is allocated) fails, for
 *            N = 1, 2, ... until one bring-up meets no fault
 *            (/proc/thread-self/fail-nth).  A refused call must leave a
 *            device that closes cleanly; a bring-up that reports success
 *            although a fault hit it must then give fully checked in-order
 *            service.  At least one fault must hit the backend start.
 *   publish  one user copy of vhost_in_order_publish() fails on the
 *            device's worker (fail_usercopy with a stack filter on that
 *            function, make-it-fail on the worker thread): the device must
 *            report vq_err() on the error eventfd, must not have made
 *            anything visible it did not write, and must close cleanly.
 *
 * After each, a well-behaved driver on a fresh fd gets full service (the
 * plain harness), as after a fuzz episode.  Leaks show in kmemleak, which
 * suite.sh reads after every suite.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vhost.h>
#include <linux/virtio_scsi.h>

#include "fz.h"

#define FAULT_DBG "/sys/kernel/debug/"
#define FAULT_MAX_SITES 5000
#define FAULT_LIVENESS_EVERY 32
/*
 * The ring of a setup child.  The backend start of vhost-scsi allocates
 * per descriptor; its four big per-command arrays come from the page
 * allocator, which failslab does not fail, but every allocation brings
 * kmemleak's own bookkeeping, so a ring of FZ_NUM failed the same sites 64
 * times over, and each child mapped 12 MiB of rings.  Eight descriptors
 * still fail each in the first, a middle and the last command.
 */
#define FAULT_RING 8
#define FAULT_CHILD_MS 60000
#define PUBLISH_FN "vhost_in_order_publish"

/* Exit codes of a setup child, beyond EXIT_VIOLATION and EXIT_SETUP. */
enum { CHILD_NO_FAULT = 10, CHILD_REFUSED = 11, CHILD_ABSORBED = 12 };

static int put_attr(const char *attr, const char *file, const char *val)
{
	char path[128];
	FILE *fp;
	int r;

	snprintf(path, sizeof(path), FAULT_DBG "%s/%s", attr, file);
	fp = fopen(path, "w");
	if (!fp)
		return -1;
	r = fputs(val, fp) < 0;
	return fclose(fp) || r ? -1 : 0;
}

static long get_long(const char *path)
{
	FILE *fp = fopen(path, "r");
	long v = -1;

	if (fp) {
		if (fscanf(fp, "%ld", &v) != 1)
			v = -1;
		fclose(fp);
	}
	return v;
}

/* Quiet, off, and for every allocation: the state each phase starts from. */
static int attrs_reset(void)
{
	static const char *const attrs[] = { "failslab", "fail_usercopy" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		/* A dump_stack() per fault would read as a splat in the log. */
		if (put_attr(attrs[i], "verbose", "0") ||
		    put_attr(attrs[i], "probability", "0") ||
		    put_attr(attrs[i], "task-filter", "Y") ||
		    put_attr(attrs[i], "require-start", "0") ||
		    put_attr(attrs[i], "require-end", "18446744073709551615"))
			return -1;
	}
	/* GFP_KERNEL allocations are what vhost makes: fail them too. */
	return put_attr("failslab", "ignore-gfp-wait", "N");
}

/*
 * Checked service on the request queue: @n well-formed buffers, every one
 * used in order, in 20 s.  0, or EXIT_VIOLATION after saying why.
 */
static int check_service(struct fz *f, unsigned long n, const char *when)
{
	int q = f->nvq - 1;
	struct ring *r = &f->r[q];
	unsigned long posted = 0, quiet = 0;

	while (r->used_bufs < n && !r->violation) {
		unsigned long before = r->used_bufs;

		while (posted < n && ring_room(r, FZ_BUF, FZ_BUF)) {
			fz_post_good(f, q);
			posted++;
		}
		(void)vhost_kick(f->kick[q]);
		(void)vhost_wait(&r, 1, f->call, 100);
		ring_consume(r, ~0u);
		quiet = r->used_bufs == before ? quiet + 1 : 0;
		if (quiet > 200)
			fail(r, V_STUCK, "%lu of %lu buffers used, none for 20 s", r->used_bufs, n);
	}
	if (!r->violation)
		return 0;
	printf("FAIL faults: %s: %s: %s\n", when, violation_names[r->violation], r->detail);
	return EXIT_VIOLATION;
}

/* fz_start()'s steps (fz->step), for the summary; the backend start last. */
static const char *const steps[] = {
	"open", "SET_OWNER", "GET_FEATURES", "SET_FEATURES", "SET_MEM_TABLE",
	"vring setup", "backend start",
};

/* One bring-up with its @nth fault site failing; the child's exit says how. */
static void setup_child(const char *dev, long nth)
{
	struct fz f = { .dev = dev };
	char v[24];
	ssize_t n;
	long left;
	int fd, r;

	/* Opened first: the arming write itself has no fault site after it. */
	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fd < 0 || fz_prepare(&f, FAULT_RING)) {
		printf("faults: cannot prepare: %s\n", strerror(errno));
		_exit(EXIT_SETUP);
	}
	n = snprintf(v, sizeof(v), "%ld", nth);
	if (pwrite(fd, v, n, 0) != n) {
		printf("faults: /proc/thread-self/fail-nth: %s\n", strerror(errno));
		_exit(EXIT_SETUP);
	}
	r = fz_start(&f, true);
	/* 0: the fault was injected; else the sites not reached (or -1). */
	n = pread(fd, v, sizeof(v) - 1, 0);
	left = n > 0 ? (v[n] = 0, strtol(v, NULL, 10)) : -1;
	(void)!pwrite(fd, "0", 1, 0);
	if (r) {
		/* A call refused with no fault injected is a failure. */
		printf("faults-step: %s (%s)\n", f.step, strerror(errno));
		_exit(left == 0 ? CHILD_REFUSED : EXIT_VIOLATION);
	}
	printf("features negotiated: %#llx (in-order %s)\n", (unsigned long long)f.features,
	       f.features & (1ULL << VIRTIO_F_IN_ORDER) ? "yes" : "no");
	/* Twice round the ring and half again: the window wraps twice. */
	if (check_service(&f, 2 * FAULT_RING + FAULT_RING / 2,
			  left ? "no fault" : "a fault absorbed"))
		_exit(EXIT_VIOLATION);
	_exit(left ? CHILD_NO_FAULT : CHILD_ABSORBED);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Fork @fn(@dev, @arg) with its output in @buf; its exit code, or -1 hung. */
static int run_child(void (*fn)(const char *, long), const char *dev, long arg,
		     char *buf, size_t len)
{
	struct timespec t0;
	int p[2], status;
	size_t got = 0;
	pid_t pid;

	if (pipe(p))
		return EXIT_SETUP;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(p[0]);
		dup2(p[1], 1);
		dup2(p[1], 2);
		fn(dev, arg);
		_exit(EXIT_SETUP);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) > 0) {
			n = read(p[0], buf + got, got + 1 < len ? len - got - 1 : 0);
			if (n > 0)
				got += n;
			else if (n == 0 || got + 1 >= len)
				pfd.fd = -1;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (ms_since(&t0) > FAULT_CHILD_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(p[0]);
			buf[got] = 0;
			return -1;
		}
	}
	while (got + 1 < len) {
		ssize_t n = read(p[0], buf + got, len - got - 1);

		if (n <= 0)
			break;
		got += n;
	}
	close(p[0]);
	buf[got] = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_VIOLATION;
}

static int faults_setup(const struct opts *o)
{
	unsigned long refused[ARRAY_SIZE(steps)] = { 0 }, absorbed = 0, total = 0;
	char out[4096];
	long nth;
	unsigned int s;
	int rc;

	for (nth = 1; nth <= FAULT_MAX_SITES; nth++) {
		rc = run_child(setup_child, o->dev, nth, out, sizeof(out));
		if (rc == CHILD_NO_FAULT) {
			/* The bring-up no fault reached: what it negotiated. */
			fputs(out, stdout);
			break;
		}
		if (rc == CHILD_ABSORBED) {
			absorbed++;
		} else if (rc == CHILD_REFUSED) {
			const char *at = strstr(out, "faults-step: ");

			for (s = 0; at && s < ARRAY_SIZE(steps); s++)
				if (!strncmp(at + 13, steps[s], strlen(steps[s])))
					break;
			if (at && s < ARRAY_SIZE(steps))
				refused[s]++;
		} else {
			printf("FAIL faults: setup of %s with fault site %ld failing: %s\n%s",
			       o->dev, nth, rc < 0 ? "hung" : "violation or setup error", out);
			return EXIT_VIOLATION;
		}
		total++;
		if (nth % FAULT_LIVENESS_EVERY == 0 && fz_liveness(o, "faults"))
			return EXIT_VIOLATION;
	}
	if (nth > FAULT_MAX_SITES) {
		printf("FAIL faults: more than %d fault sites in one bring-up\n", FAULT_MAX_SITES);
		return EXIT_VIOLATION;
	}
	if (fz_liveness(o, "faults"))
		return EXIT_VIOLATION;
	printf("faults: setup of %s (ring %d): %lu fault sites; refused at", o->dev,
	       FAULT_RING, total);
	for (s = 0; s < ARRAY_SIZE(steps); s++)
		printf("%s %s %lu", s ? "," : "", steps[s], refused[s]);
	printf("; %lu absorbed with checked service\n", absorbed);
	if (!refused[ARRAY_SIZE(steps) - 1]) {
		printf("FAIL faults: no fault hit the backend start (the window allocation)\n");
		return EXIT_VIOLATION;
	}
	return 0;
}

/* [start, end) of @sym's text in /proc/kallsyms: end is the next symbol. */
static int symbol_range(const char *sym, unsigned long long *start,
			unsigned long long *end)
{
	char line[512], name[256], type;
	unsigned long long a;
	FILE *fp = fopen("/proc/kallsyms", "r");

	if (!fp)
		return -1;
	*start = 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 && !strcmp(name, sym))
			*start = a;
	*end = ~0ULL;
	rewind(fp);
	while (*start && fgets(line, sizeof(line), fp))
		if (sscanf(line, "%llx %c", &a, &type) == 2 && a > *start && a < *end)
			*end = a;
	fclose(fp);
	return *start && *end != ~0ULL ? 0 : -1;
}

/* make-it-fail on (or off) every vhost worker thread of this process. */
static int workers_make_it_fail(int on)
{
	char path[300], comm[32], want[32];
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	if (!d)
		return 0;
	snprintf(want, sizeof(want), "vhost-%d", getpid());
	while ((de = readdir(d))) {
		FILE *fp, *mf;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		if (fgets(comm, sizeof(comm), fp) && !strncmp(comm, want, strlen(want))) {
			snprintf(path, sizeof(path), "/proc/self/task/%s/make-it-fail", de->d_name);
			mf = fopen(path, "w");
			if (mf) {
				fprintf(mf, "%d", on);
				n += !fclose(mf);
			}
		}
		fclose(fp);
	}
	closedir(d);
	return n;
}

/* The device's worker fails one user copy inside the publish. */
static void publish_child(const char *dev, long unused)
{
	struct fz f = { .dev = dev };
	unsigned long long start, end;
	char v[32];
	int q, i, workers;
	struct ring *r;
	struct pollfd pfd;
	long times;
	u64 e;

	(void)unused;
	if (fz_prepare(&f, FZ_NUM) || fz_start(&f, true)) {
		printf("faults: %s bring-up failed at %s: %s\n", dev, f.step, strerror(errno));
		_exit(EXIT_SETUP);
	}
	q = f.nvq - 1;
	r = &f.r[q];
	printf("features negotiated: %#llx (in-order %s)\n", (unsigned long long)f.features,
	       f.features & (1ULL << VIRTIO_F_IN_ORDER) ? "yes" : "no");
	if (!(f.features & (1ULL << VIRTIO_F_IN_ORDER))) {
		printf("SKIP faults: /dev/vhost-%s does not offer VIRTIO_F_IN_ORDER\n", dev);
		_exit(EXIT_SKIP);
	}
	if (check_service(&f, FZ_NUM, "before the fault"))
		_exit(EXIT_VIOLATION);
	if (symbol_range(PUBLISH_FN, &start, &end)) {
		printf("faults: %s not in /proc/kallsyms\n", PUBLISH_FN);
		_exit(EXIT_SETUP);
	}
	snprintf(v, sizeof(v), "%llu", start);
	if (put_attr("fail_usercopy", "require-start", v))
		_exit(EXIT_SETUP);
	snprintf(v, sizeof(v), "%llu", end);
	if (put_attr("fail_usercopy", "require-end", v) ||
	    put_attr("fail_usercopy", "stacktrace-depth", "32") ||
	    put_attr("fail_usercopy", "times", "1") ||
	    put_attr("fail_usercopy", "interval", "1"))
		_exit(EXIT_SETUP);
	workers = workers_make_it_fail(1);
	if (!workers || put_attr("fail_usercopy", "probability", "100")) {
		printf("faults: no vhost worker thread of %d to fail\n", getpid());
		_exit(EXIT_SETUP);
	}
	for (i = 0; i < FZ_NUM / 2 && ring_room(r, FZ_BUF, FZ_BUF); i++)
		fz_post_good(&f, q);
	(void)vhost_kick(f.kick[q]);
	pfd = (struct pollfd){ .fd = f.err, .events = POLLIN };
	i = poll(&pfd, 1, 10000);
	put_attr("fail_usercopy", "probability", "0");
	workers_make_it_fail(0);
	times = get_long(FAULT_DBG "fail_usercopy/times");
	if (times != 0) {
		printf("FAIL faults: %s: no user copy of %s() was failed (times %ld)\n",
		       dev, PUBLISH_FN, times);
		_exit(EXIT_VIOLATION);
	}
	if (i <= 0 || read(f.err, &e, sizeof(e)) != sizeof(e)) {
		printf("FAIL faults: %s: a failed publish reported no vq_err()\n", dev);
		_exit(EXIT_VIOLATION);
	}
	/* What the guest can see must still be what the device wrote. */
	ring_consume(r, ~0u);
	if (r->violation) {
		printf("FAIL faults: %s: after the failed publish: %s: %s\n", dev,
		       violation_names[r->violation], r->detail);
		_exit(EXIT_VIOLATION);
	}
	printf("faults: publish on %s: a user copy in %s() failed on %d worker(s), ",
	       dev, PUBLISH_FN, workers);
	printf("vq_err() reported, %lu of %lu buffers visible and correct\n",
	       r->used_bufs, r->posted);
	_exit(0);
}

static int faults_publish(const struct opts *o)
{
	char out[4096];
	int rc = run_child(publish_child, o->dev, 0, out, sizeof(out));

	fputs(out, stdout);
	if (rc < 0)
		printf("FAIL faults: the device did not close after a failed publish\n");
	if (rc)
		return rc < 0 ? EXIT_VIOLATION : rc;
	return fz_liveness(o, "faults");
}

int run_faults(const struct opts *o)
{
	char path[32];
	int ret;

	snprintf(path, sizeof(path), "/dev/vhost-%s", o->dev);
	if (access(path, R_OK | W_OK)) {
		printf("SKIP faults: %s: %s\n", path, strerror(errno));
		return EXIT_SKIP;
	}
	if (access(FAULT_DBG "fail_usercopy", F_OK) || access(FAULT_DBG "failslab", F_OK) ||
	    access("/proc/self/fail-nth", F_OK)) {
		printf("SKIP faults: no failslab, fail_usercopy or fail-nth here %s\n",
		       "(CONFIG_FAULT_INJECTION_DEBUG_FS, debugfs mounted)");
		return EXIT_SKIP;
	}
	if (attrs_reset() || put_attr("fail_usercopy", "times", "1")) {
		printf("faults: cannot configure %s: %s\n", FAULT_DBG, strerror(errno));
		return EXIT_SETUP;
	}
	if (!strcmp(o->faults, "setup")) {
		ret = faults_setup(o);
	} else if (!strcmp(o->faults, "publish")) {
		ret = faults_publish(o);
	} else {
		printf("faults: no class %s (setup, publish)\n", o->faults);
		return EXIT_SETUP;
	}
	attrs_reset();
	if (!ret)
		printf("PASS faults: %s on %s\n", o->faults, o->dev);
	return ret;
}
