// SPDX-License-Identifier: GPL-2.0
/*
 * --fuzz CLASS: a hostile guest and VMM against /dev/vhost-test, -net or
 * -scsi, seeded and reproducible.  Each episode runs in a child process:
 * it opens the device, negotiates (mostly with VIRTIO_F_IN_ORDER), starts
 * the backend, then takes random steps of its class mixed with ordinary
 * traffic, and ends by closing its fds in a random order, or by being
 * SIGKILLed by the parent with requests in flight.  Then a well-behaved
 * driver on a fresh fd (the checked harness run of dev_*.c, few buffers)
 * must get full service: that is the liveness check.  A WARN, BUG or KASAN
 * report ends the VM (panic_on_warn); suite.sh also reads the kernel log.
 *
 * Classes:
 *   ioctl    VHOST_SET_FEATURES toggling IN_ORDER and LOG_ALL, SET_VRING_NUM,
 *            _BASE, _ADDR, _KICK, _CALL, _ERR, SET_MEM_TABLE changes with
 *            buffers in flight, the backend (SET_BACKEND, SET/CLEAR_ENDPOINT,
 *            VHOST_TEST_RUN) off and on, RESET_OWNER
 *   ring     avail->idx past num, heads >= num, duplicate heads, chains out
 *            of ring order, descriptor loops, nested indirect tables, zero
 *            and huge lengths, unmapped addresses, garbage used->idx before
 *            the backend starts
 *   request  TX buffers with writable descriptors, header-only and empty
 *            frames, RX buffers with readable descriptors, every scsi
 *            control type and TMF subtype, truncated scsi headers, bad LUN
 *            addresses, responses too small, I/O beyond 2048 pages
 *
 * Episode E of seed S uses the seed mix(S, E) (fz_mix()): `--fuzz CLASS --dev DEV
 * --seed S --episode E` replays it alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_scsi.h>

#include "fz.h"

#define FZ_STEPS 150
#define FZ_HANG_MS 60000	/* an episode that takes this long is stuck */

enum fz_class { FZ_IOCTL, FZ_RING, FZ_REQUEST };

static const char *const class_names[] = { "ioctl", "ring", "request" };

/* Ring sizes to ask for: invalid, odd, ours, huge. */
static const unsigned int vring_nums[] = { 0, 3, 32, FZ_NUM, 1024, 32768, 65536 };

static struct ring *any_ring(struct fz *f)
{
	return &f->r[fz_pick(f, f->nvq)];
}

/* The queue that carries requests: test's only one, net TX, scsi I/O. */
static int req_vq(struct fz *f)
{
	return f->nvq - 1;
}

/* Ordinary traffic: fill a little, kick, take back what was used. */
static void traffic(struct fz *f)
{
	int q = fz_pick(f, f->nvq), n = 1 + fz_pick(f, 8);
	struct ring *r = &f->r[q];

	while (n-- && ring_room(r, FZ_BUF, FZ_BUF))
		fz_post_good(f, q);
	(void)vhost_kick(f->kick[q]);
	/* The device may misbehave after hostile steps: no checks here. */
	ring_consume(r, ~0u);
	r->violation = V_NONE;
}

/* Raw descriptors at the next free slots, then a kick. */
static void post_raw(struct fz *f, int q, struct vring_desc *d, unsigned int n)
{
	if (ring_post_descs(&f->r[q], d, n, FZ_BUF) >= 0)
		(void)vhost_kick(f->kick[q]);
}

static void step_ioctl(struct fz *f)
{
	struct ring *r = any_ring(f);
	int q = r - f->r;
	u64 feat, logbase;
	struct vhost_vring_state s = { .index = q };
	struct vhost_vring_file vf = { .index = q };
	struct vhost_vring_addr a = {
		.index = q, .desc_user_addr = (uintptr_t)r->desc,
		.avail_user_addr = (uintptr_t)r->avail, .used_user_addr = (uintptr_t)r->used,
	};

	switch (fz_pick(f, 12)) {
	case 0:
		feat = f->features ^ (1ULL << VIRTIO_F_IN_ORDER);
		fz_ioctl(f, VHOST_SET_FEATURES, &feat);
		break;
	case 1:
		logbase = (uintptr_t)f->log;
		fz_ioctl(f, VHOST_SET_LOG_BASE, &logbase);
		feat = f->features | (fz_pick(f, 2) ? 1ULL << VHOST_F_LOG_ALL : 0);
		fz_ioctl(f, VHOST_SET_FEATURES, &feat);
		break;
	case 2:
		s.num = vring_nums[fz_pick(f, ARRAY_SIZE(vring_nums))];
		fz_ioctl(f, VHOST_SET_VRING_NUM, &s);
		break;
	case 3:
		s.num = fz_rnd(f) & 0xffff;
		fz_ioctl(f, VHOST_SET_VRING_BASE, &s);
		fz_ioctl(f, VHOST_GET_VRING_BASE, &s);
		break;
	case 4:
		if (fz_pick(f, 2))
			a.used_user_addr += 1 + fz_pick(f, 7);	/* misaligned */
		else
			a.desc_user_addr = 0xdead0000000ULL;	/* unmapped */
		fz_ioctl(f, VHOST_SET_VRING_ADDR, &a);
		break;
	case 5:
		/* Memory table with one region less: buffers in flight there. */
		if (f->nvq > 1)
			(void)vhost_set_mem(f->fd, (struct ring *[]){ &f->r[0] }, 1);
		else
			(void)vhost_set_mem(f->fd, (struct ring *[]){ &f->r[0] }, 0);
		break;
	case 6:
		fz_set_mem(f);
		break;
	case 7:
		fz_backend(f, !f->running);
		break;
	case 8:
		fz_ioctl(f, VHOST_RESET_OWNER, NULL);
		fz_ioctl(f, VHOST_SET_OWNER, NULL);
		break;
	case 9:
		vf.fd = fz_pick(f, 2) ? -1 : f->kick[q];
		fz_ioctl(f, fz_pick(f, 2) ? VHOST_SET_VRING_KICK : VHOST_SET_VRING_CALL, &vf);
		break;
	case 10:
		vf.fd = f->call;
		fz_ioctl(f, VHOST_SET_VRING_ERR, &vf);
		break;
	default:
		/* Restore a sane queue so later steps have traffic to disturb. */
		(void)vhost_setup_vq(f->fd, q, r, f->kick[q], f->call);
		break;
	}
}

static void step_ring(struct fz *f)
{
	int q = fz_pick(f, f->nvq);
	struct ring *r = &f->r[q];
	unsigned int mask = r->num - 1, k;
	u16 slot = r->avail_idx & mask, head = r->free_desc & mask;
	struct vring_desc d[4] = {
		{ .addr = (uintptr_t)r->data, .len = 64 },
		{ .addr = (uintptr_t)r->data + 64, .len = 64, .flags = VRING_DESC_F_WRITE },
	};
	u16 bogus;

	switch (fz_pick(f, 10)) {
	case 0:		/* avail->idx far past what the ring holds */
		bogus = r->avail_idx + r->num + 1 + fz_pick(f, 1000);
		__atomic_store_n(&r->avail->idx, bogus, __ATOMIC_RELEASE);
		(void)vhost_kick(f->kick[q]);
		break;
	case 1:		/* a head past the table */
		fz_post_good(f, q);
		r->avail->ring[slot] = r->num + fz_pick(f, 1000);
		(void)vhost_kick(f->kick[q]);
		break;
	case 2:		/* the same head twice */
		fz_post_good(f, q);
		fz_post_good(f, q);
		r->avail->ring[(slot + 1) & mask] = r->avail->ring[slot];
		(void)vhost_kick(f->kick[q]);
		break;
	case 3:		/* chains out of ring order */
		fz_post_good(f, q);
		r->avail->ring[slot] = fz_pick(f, r->num);
		(void)vhost_kick(f->kick[q]);
		break;
	case 4:		/* a descriptor loop */
		post_raw(f, q, d, 2);
		r->desc[(head + 1) & mask].flags |= VRING_DESC_F_NEXT;
		r->desc[(head + 1) & mask].next = head;
		(void)vhost_kick(f->kick[q]);
		break;
	case 5:		/* an indirect table that holds an indirect descriptor */
		for (k = 0; k < 2; k++)
			r->tables[k] = (struct vring_desc){ .addr = (uintptr_t)r->tables,
				.len = 32, .flags = VRING_DESC_F_INDIRECT };
		d[0] = (struct vring_desc){ .addr = (uintptr_t)r->tables, .len = 32,
					    .flags = VRING_DESC_F_INDIRECT };
		post_raw(f, q, d, 1);
		break;
	case 6:		/* zero and huge lengths */
		d[0].len = fz_pick(f, 2) ? 0 : 0xffffffffu;
		post_raw(f, q, d, 2);
		break;
	case 7:		/* addresses outside the memory table */
		d[fz_pick(f, 2)].addr = 0xdead0000000ULL + fz_pick(f, 4096);
		post_raw(f, q, d, 2);
		break;
	case 8:		/* garbage used->idx, then the backend starts on it */
		fz_backend(f, false);
		r->used->idx = fz_rnd(f);
		fz_backend(f, true);
		break;
	default:	/* an indirect table of a length no table has */
		d[0] = (struct vring_desc){ .addr = (uintptr_t)r->tables,
					    .len = 1 + fz_pick(f, 1 << 20),
					    .flags = VRING_DESC_F_INDIRECT };
		post_raw(f, q, d, 1);
		break;
	}
}

/* A scsi request whose header bytes are @req (@len of them). */
static void scsi_raw(struct fz *f, int q, const void *req, u32 len, u32 in)
{
	struct ring *r = &f->r[q];
	u8 *b = ring_buf(r, r->free_desc & (r->num - 1));
	struct vring_desc d[2] = {
		{ .addr = (uintptr_t)b, .len = len },
		{ .addr = (uintptr_t)b + FZ_BUF, .len = in, .flags = VRING_DESC_F_WRITE },
	};

	memcpy(b, req, len < 256 ? len : 256);
	post_raw(f, q, d, in ? 2 : 1);
}

static void step_request_scsi(struct fz *f)
{
	struct ring *r = &f->r[2];
	struct virtio_scsi_ctrl_tmf_req tmf = {
		.type = VIRTIO_SCSI_T_TMF, .subtype = fz_pick(f, 12),
		.lun = { 1, 1, 0x40, fz_pick(f, 4) },
	};
	struct virtio_scsi_cmd_req cmd = { .lun = { 1, 1, 0x40, fz_pick(f, 4) } };
	struct vring_desc d[FZ_CHAIN];
	u32 type;
	unsigned int k, n;

	switch (fz_pick(f, 8)) {
	case 0:		/* every TMF subtype, on LUNs that may not exist */
		scsi_raw(f, 0, &tmf, sizeof(tmf), sizeof(struct virtio_scsi_ctrl_tmf_resp));
		break;
	case 1:		/* AN query and subscribe, and types nobody knows */
		type = fz_pick(f, 3);
		tmf.type = type == 0 ? VIRTIO_SCSI_T_AN_QUERY :
			   type == 1 ? VIRTIO_SCSI_T_AN_SUBSCRIBE : 3 + fz_pick(f, 1000);
		scsi_raw(f, 0, &tmf, sizeof(struct virtio_scsi_ctrl_an_req),
			 sizeof(struct virtio_scsi_ctrl_an_resp));
		break;
	case 2:		/* a control request cut short, or its answer no room */
		scsi_raw(f, 0, &tmf, fz_pick(f, sizeof(tmf)), fz_pick(f, 2) ? 1 : 0);
		break;
	case 3:		/* an I/O header cut short */
		scsi_raw(f, 2, &cmd, fz_pick(f, REQ_LEN), RESP_LEN);
		break;
	case 4:		/* a response buffer too small */
		scsi_raw(f, 2, &cmd, REQ_LEN, fz_pick(f, RESP_LEN));
		break;
	case 5:		/* LUN addresses vhost-scsi does not take */
		cmd.lun[0] = fz_pick(f, 2) ? 0 : 1;
		cmd.lun[1] = fz_pick(f, 256);
		cmd.lun[2] = fz_rnd(f);
		scsi_raw(f, 2, &cmd, REQ_LEN, RESP_LEN);
		break;
	case 6:		/* a READ of more than 2048 pages: one region, many times */
		cmd.cdb[0] = 0x28;
		cmd.cdb[7] = 0x50;	/* 20480 blocks */
		memcpy(ring_buf(r, r->free_desc & (r->num - 1)), &cmd, REQ_LEN);
		n = 2 + fz_pick(f, FZ_CHAIN - 2);
		d[0] = (struct vring_desc){ .addr = (uintptr_t)ring_buf(r, r->free_desc &
								  (r->num - 1)),
					    .len = REQ_LEN };
		for (k = 1; k < n; k++)
			d[k] = (struct vring_desc){ .addr = (uintptr_t)r->data,
						    .len = (u32)(r->mem_size -
							   (r->data - (u8 *)r->mem)),
						    .flags = VRING_DESC_F_WRITE };
		post_raw(f, 2, d, n);
		break;
	default:	/* a CDB of random bytes */
		for (k = 0; k < sizeof(cmd.cdb); k++)
			cmd.cdb[k] = fz_rnd(f);
		scsi_raw(f, 2, &cmd, REQ_LEN, RESP_LEN);
		break;
	}
}

static void step_request(struct fz *f)
{
	int q = req_vq(f);
	struct ring *r = &f->r[q];
	struct vring_desc d[2] = {
		{ .addr = (uintptr_t)r->data, .len = 64 },
	};

	if (!strcmp(f->dev, "scsi")) {
		step_request_scsi(f);
		return;
	}
	switch (fz_pick(f, 4)) {
	case 0:		/* TX with a device-writable descriptor */
		d[0].flags = VRING_DESC_F_WRITE;
		post_raw(f, q, d, 1);
		break;
	case 1:		/* a header and nothing else, or nothing at all */
		d[0].len = fz_pick(f, 2) ? 12 : 0;
		post_raw(f, q, d, 1);
		break;
	case 2:		/* readable then writable: a TX buffer with a tail */
		d[1] = (struct vring_desc){ .addr = (uintptr_t)r->data + 64, .len = 64,
					    .flags = VRING_DESC_F_WRITE };
		post_raw(f, q, d, 2);
		break;
	default:	/* net RX: readable descriptors, or one byte of room */
		if (f->nvq == 2) {
			d[0].flags = fz_pick(f, 2) ? 0 : VRING_DESC_F_WRITE;
			d[0].len = d[0].flags ? 1 : 64;
			post_raw(f, 0, d, 1);
		}
		break;
	}
}

/* The child: one episode, then exit; fds close with it, or in order. */
static void episode(struct fz *f)
{
	int fds[8], n = 0, i, s;

	if (fz_setup(f))
		_exit(EXIT_SETUP);
	for (s = 0; s < FZ_STEPS; s++) {
		if (fz_pick(f, 3) == 0)
			traffic(f);
		else if (f->cls == FZ_IOCTL)
			step_ioctl(f);
		else if (f->cls == FZ_RING)
			step_ring(f);
		else
			step_request(f);
	}
	/* Close in a random order: device, eventfds, tap. */
	fds[n++] = f->fd;
	fds[n++] = f->call;
	for (i = 0; i < f->nvq; i++)
		fds[n++] = f->kick[i];
	if (f->tap > 0)
		fds[n++] = f->tap;
	for (i = n - 1; i > 0; i--) {
		int j = fz_pick(f, i + 1), t = fds[i];

		fds[i] = fds[j];
		fds[j] = t;
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	_exit(0);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Run one episode in a child; SIGKILL it mid-way when the seed says so. */
static int run_episode(struct fz *f)
{
	long kill_at = fz_pick(f, 3) == 0 ? (long)fz_pick(f, 300) : -1;
	struct timespec t0;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return EXIT_SETUP;
	if (!pid)
		episode(f);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (kill_at >= 0 && ms_since(&t0) >= kill_at) {
			kill(pid, SIGKILL);
			kill_at = -1;
		}
		if (ms_since(&t0) > FZ_HANG_MS) {
			printf("FAIL fuzz: episode still running after %d ms\n", FZ_HANG_MS);
			kill(pid, SIGKILL);
			return EXIT_VIOLATION;
		}
		usleep(1000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SETUP) {
		printf("fuzz: episode setup failed\n");
		return EXIT_SETUP;
	}
	return 0;
}

int run_fuzz(const struct opts *o)
{
	struct fz f;
	unsigned long e, first = o->episode >= 0 ? (unsigned long)o->episode : 0;
	unsigned long last = o->episode >= 0 ? first + 1 : o->episodes;
	char path[32];
	int cls, ret;

	for (cls = 0; cls < 3 && strcmp(o->fuzz, class_names[cls]); cls++)
		;
	if (cls == 3) {
		printf("fuzz: no class %s (ioctl, ring, request)\n", o->fuzz);
		return EXIT_SETUP;
	}
	snprintf(path, sizeof(path), "/dev/vhost-%s", o->dev);
	if (access(path, R_OK | W_OK)) {
		printf("SKIP fuzz: %s: %s\n", path, strerror(errno));
		return EXIT_SKIP;
	}
	printf("fuzz: class %s, device %s, seed %llu, episodes %lu..%lu\n", o->fuzz, o->dev,
	       (unsigned long long)o->seed, first, last - 1);
	for (e = first; e < last; e++) {
		memset(&f, 0, sizeof(f));
		f.rnd = fz_mix(o->seed ^ fz_mix(e));
		f.cls = cls;
		f.dev = o->dev;
		ret = run_episode(&f);
		if (!ret)
			ret = fz_liveness(o, "fuzz");
		if (ret) {
			printf("FAIL fuzz: episode %lu; replay with ", e);
			printf("--fuzz %s --dev %s --seed %llu --episode %lu\n",
			       o->fuzz, o->dev, (unsigned long long)o->seed, e);
			return ret;
		}
	}
	printf("PASS fuzz: %s on %s, %lu episodes of %d steps, seed %llu, service after each\n",
	       o->fuzz, o->dev, last - first, FZ_STEPS, (unsigned long long)o->seed);
	return 0;
}
