// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vhost-test: one TX-style queue; the device reads each buffer and
 * writes nothing back, so every used length must be 0.
 *
 * --hostile: the backend is restarted once with the used ring read-only,
 * which must fail; every 1000th buffer is malformed (device-writable),
 * which must still be used, in order; halfway, VHOST_SET_FEATURES without
 * VIRTIO_F_IN_ORDER, which must be refused while the backend runs (if it
 * is taken, the checker reads the ring the stock way from then on, as a
 * driver that renegotiated would, and sees what the device really does).
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vhost.h>

#include "driver.h"

/* drivers/vhost/test.h */
#define VHOST_TEST_RUN _IOW(VHOST_VIRTIO, 0x31, int)
#define VHOST_TEST_SET_BACKEND _IOW(VHOST_VIRTIO, 0x32, int)

#define TEST_BUF_LEN 64

/* A backend started on a used ring it cannot write must not run. */
static int restart_unwritable(int fd, struct ring *r)
{
	struct vhost_vring_file b = { .index = 0, .fd = -1 };
	int ret;

	if (ioctl(fd, VHOST_TEST_SET_BACKEND, &b) || ring_used_writable(r, false))
		return EXIT_SETUP;
	b.fd = 0;
	ret = ioctl(fd, VHOST_TEST_SET_BACKEND, &b);
	if (ring_used_writable(r, true))
		return EXIT_SETUP;
	if (!ret) {
		fail(r, V_DATA, "backend started with the used ring read-only");
		return 0;
	}
	printf("hostile: test: backend with a read-only used ring: %s\n", strerror(errno));
	return ioctl(fd, VHOST_TEST_SET_BACKEND, &b) ? EXIT_SETUP : 0;
}

/* Halfway: the driver asks to drop in-order under a running backend. */
static void drop_in_order(int fd, struct ring *r, u64 features)
{
	int ret = vhost_expect_busy(fd, features, "test");

	if (ret < 0)
		fail(r, V_DATA, "VHOST_SET_FEATURES failed, but not with EBUSY");
	if (ret <= 0)
		return;
	/* Taken: read the ring as a driver without in-order does. */
	r->in_order = false;
	r->read_end = r->used_seen;
}

int run_test(const struct opts *o)
{
	u64 want = vhost_ring_features(o), features;
	struct ring r, *rings[] = { &r };
	int fd, kick, call, one = 1, ret;
	bool dropped = false;
	unsigned long malformed = 0;

	fd = vhost_open("/dev/vhost-test", want, &features, o->in_order);
	if (fd < 0)
		return -fd;
	kick = eventfd(0, EFD_NONBLOCK);
	call = eventfd(0, EFD_NONBLOCK);
	if (kick < 0 || call < 0 ||
	    ring_init(&r, o->num, o->chain, TEST_BUF_LEN, o->indirect))
		return EXIT_SETUP;
	r.in_order = features & (1ULL << VIRTIO_F_IN_ORDER);
	if (vhost_set_mem(fd, rings, 1) || vhost_setup_vq(fd, 0, &r, kick, call) ||
	    ioctl(fd, VHOST_TEST_RUN, &one))
		return EXIT_SETUP;
	if (o->hostile) {
		ret = restart_unwritable(fd, &r);
		if (ret)
			return ret;
	}

	while (r.used_bufs < o->buffers && !r.violation) {
		bool any = false;

		for (;;) {
			bool bad = o->hostile && r.posted % 1000 == 999;

			if (r.posted >= o->buffers ||
			    ring_post(&r, bad ? 0 : o->chain * TEST_BUF_LEN,
				      bad ? TEST_BUF_LEN : 0) < 0)
				break;
			malformed += bad;
			any = true;
		}
		/* After a malformed buffer the device waits for a kick. */
		if ((any || o->hostile) && vhost_kick(kick))
			return EXIT_SETUP;
		if (o->hostile && !dropped && r.used_bufs >= o->buffers / 2) {
			dropped = true;
			drop_in_order(fd, &r, features);
		}
		if (!vhost_wait(rings, 1, call, 5000)) {
			printf("FAIL test: no progress for 5 s at %lu of %lu buffers\n",
			       r.used_bufs, o->buffers);
			return EXIT_VIOLATION;
		}
		ring_consume(&r, 0);
	}
	ring_report(&r, "test");
	if (o->hostile)
		printf("hostile: test: %lu malformed buffers posted\n", malformed);
	if (r.violation) {
		printf("FAIL test: %s: %s\n", violation_names[r.violation], r.detail);
		return EXIT_VIOLATION;
	}
	printf("PASS test: in-order %s, ring %u, %s, %s\n", r.in_order ? "on" : "off",
	       o->num, o->event_idx ? "event-idx" : "no event-idx",
	       o->indirect ? "indirect" : "chains");
	close(fd);
	ring_free(&r);
	return 0;
}
