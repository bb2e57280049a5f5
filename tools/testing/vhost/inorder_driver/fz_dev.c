// SPDX-License-Identifier: GPL-2.0
/*
 * A raw vhost device for the hostile drivers (fz.h): seeded randomness,
 * the usual bring-up in two halves (fz_prepare(): our own memory, eventfds
 * and tap; fz_start(): every vhost ioctl, so a fault injected into the
 * kernel hits only those), a well-formed buffer per queue, and the
 * liveness check that follows every hostile episode.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_scsi.h>

#include "fz.h"

u64 fz_mix(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

u64 fz_rnd(struct fz *f)
{
	f->rnd = fz_mix(f->rnd);
	return f->rnd;
}

unsigned int fz_pick(struct fz *f, unsigned int n)
{
	return fz_rnd(f) % n;
}

void fz_ioctl(struct fz *f, unsigned long req, void *arg)
{
	/* Errors are expected: only the kernel's survival counts. */
	(void)!ioctl(f->fd, req, arg);
}

/* Start or stop the backend of every queue; -1 if the device refused. */
int fz_backend(struct fz *f, bool on)
{
	struct vhost_scsi_target t = { .abi_version = VHOST_SCSI_ABI_VERSION };
	int one = on, i, r = 0;

	if (!strcmp(f->dev, "test")) {
		r = ioctl(f->fd, VHOST_TEST_RUN, &one);
	} else if (!strcmp(f->dev, "net")) {
		for (i = 0; i < 2 && !r; i++) {
			struct vhost_vring_file b = { .index = i, .fd = on ? f->tap : -1 };

			r = ioctl(f->fd, VHOST_NET_SET_BACKEND, &b);
		}
	} else {
		snprintf(t.vhost_wwpn, sizeof(t.vhost_wwpn), "%s", SCSI_WWPN);
		r = ioctl(f->fd, on ? VHOST_SCSI_SET_ENDPOINT : VHOST_SCSI_CLEAR_ENDPOINT, &t);
	}
	f->running = on && !r;
	return r ? -1 : 0;
}

int fz_set_mem(struct fz *f)
{
	struct ring *rings[FZ_VQS];
	int i;

	for (i = 0; i < f->nvq; i++)
		rings[i] = &f->r[i];
	return vhost_set_mem(f->fd, rings, f->nvq);
}

static int tap_create(struct fz *f)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = 12, s;

	f->tap = open("/dev/net/tun", O_RDWR);
	if (f->tap < 0)
		return -1;
	snprintf(ifr.ifr_name, IFNAMSIZ, "vhfz0");
	if (ioctl(f->tap, TUNSETIFF, &ifr) || ioctl(f->tap, TUNSETVNETHDRSZ, &hdr))
		return -1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s >= 0) {
		ifr.ifr_flags = IFF_UP;
		(void)!ioctl(s, SIOCSIFFLAGS, &ifr);
		close(s);
	}
	return 0;
}

/* What the driver owns: rings of @num, dirty log, eventfds, net's tap. */
int fz_prepare(struct fz *f, unsigned int num)
{
	int i;

	f->fd = -1;
	f->nvq = !strcmp(f->dev, "test") ? 1 : !strcmp(f->dev, "net") ? 2 : 3;
	f->log = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->call = eventfd(0, EFD_NONBLOCK);
	f->err = eventfd(0, EFD_NONBLOCK);
	if (f->log == MAP_FAILED || f->call < 0 || f->err < 0)
		return -1;
	for (i = 0; i < f->nvq; i++) {
		f->kick[i] = eventfd(0, EFD_NONBLOCK);
		if (f->kick[i] < 0 || ring_init(&f->r[i], num, FZ_CHAIN, FZ_BUF, false))
			return -1;
	}
	if (!strcmp(f->dev, "net") && tap_create(f))
		return -1;
	return 0;
}

/*
 * Open, negotiate (VIRTIO_F_IN_ORDER if @in_order and offered), lay out
 * the rings, start the backend.  -1 at the first call the kernel refused.
 */
int fz_start(struct fz *f, bool in_order)
{
	char path[32];
	int i;

	snprintf(path, sizeof(path), "/dev/vhost-%s", f->dev);
	f->step = "open";
	f->fd = open(path, O_RDWR);
	if (f->fd < 0)
		return -1;
	f->step = "SET_OWNER";
	if (ioctl(f->fd, VHOST_SET_OWNER, NULL))
		return -1;
	f->step = "GET_FEATURES";
	if (ioctl(f->fd, VHOST_GET_FEATURES, &f->offered))
		return -1;
	f->features = f->offered & (1ULL << VIRTIO_F_VERSION_1 |
				    1ULL << VIRTIO_RING_F_EVENT_IDX |
				    1ULL << VIRTIO_RING_F_INDIRECT_DESC |
				    1ULL << VIRTIO_F_IN_ORDER | 1ULL << 15 /* MRG_RXBUF */);
	if (!in_order)
		f->features &= ~(1ULL << VIRTIO_F_IN_ORDER);
	f->step = "SET_FEATURES";
	if (ioctl(f->fd, VHOST_SET_FEATURES, &f->features))
		return -1;
	for (i = 0; i < f->nvq; i++)
		f->r[i].in_order = f->features & (1ULL << VIRTIO_F_IN_ORDER);
	f->step = "SET_MEM_TABLE";
	if (fz_set_mem(f))
		return -1;
	f->step = "vring setup";
	for (i = 0; i < f->nvq; i++) {
		struct vhost_vring_file e = { .index = i, .fd = f->err };

		if (vhost_setup_vq(f->fd, i, &f->r[i], f->kick[i], f->call) ||
		    ioctl(f->fd, VHOST_SET_VRING_ERR, &e))
			return -1;
	}
	f->step = "backend start";
	return fz_backend(f, true);
}

/* A driver's usual setup, negotiating in-order seven times in eight. */
int fz_setup(struct fz *f)
{
	return fz_prepare(f, FZ_NUM) || fz_start(f, fz_pick(f, 8) != 0) ? -1 : 0;
}

/* A well-formed buffer for queue @q, as the device expects it. */
void fz_post_good(struct fz *f, int q)
{
	struct ring *r = &f->r[q];
	u8 *b = ring_buf(r, r->free_desc & (r->num - 1));

	if (!strcmp(f->dev, "test")) {
		ring_post(r, 64, 0);
	} else if (!strcmp(f->dev, "net")) {
		if (q == 0) {
			ring_post(r, 0, 2048);
		} else {
			memset(b, 0, 12 + 60);
			memset(b + 12, 0xff, 12);	/* broadcast, from ours */
			ring_post(r, 12 + 60, 0);
		}
	} else if (q == 2) {
		struct virtio_scsi_cmd_req req = { .lun = { 1, 1, 0x40, 0 } };

		memcpy(b, &req, REQ_LEN);	/* TEST UNIT READY */
		ring_post(r, REQ_LEN, RESP_LEN);
	} else if (q == 1) {
		ring_post(r, 0, sizeof(struct virtio_scsi_event));
	} else {
		u32 type = VIRTIO_SCSI_T_AN_QUERY;

		memset(b, 0, 64);
		memcpy(b, &type, 4);
		ring_post(r, sizeof(struct virtio_scsi_ctrl_an_req),
			  sizeof(struct virtio_scsi_ctrl_an_resp));
	}
}

/* A well-behaved driver on a fresh fd: the checked harness, few buffers. */
int fz_liveness(const struct opts *o, const char *who)
{
	struct opts l = *o;
	char log[] = "/tmp/inorder-check.XXXXXX";
	int fd = mkstemp(log), status;
	pid_t pid;

	if (fd < 0)
		return EXIT_SETUP;
	l.fuzz = NULL;
	l.faults = NULL;
	l.buffers = !strcmp(o->dev, "test") ? 500 : !strcmp(o->dev, "net") ? 100 : 300;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(fd, 1);
		dup2(fd, 2);
		_exit(!strcmp(l.dev, "test") ? run_test(&l) :
		      !strcmp(l.dev, "net") ? run_net(&l) : run_scsi(&l));
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char buf[4096];
		ssize_t n;

		lseek(fd, 0, SEEK_SET);
		printf("FAIL %s: a well-behaved driver did not get service afterwards:\n", who);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		close(fd);
		unlink(log);
		return EXIT_VIOLATION;
	}
	close(fd);
	unlink(log);
	return 0;
}

