// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vhost-test: one TX-style queue; the device reads each buffer and
 * writes nothing back, so every used length must be 0.
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vhost.h>

#include "driver.h"

/* drivers/vhost/test.h */
#define VHOST_TEST_RUN _IOW(VHOST_VIRTIO, 0x31, int)

#define TEST_BUF_LEN 64

int run_test(const struct opts *o)
{
	u64 want = vhost_ring_features(o), features;
	struct ring r, *rings[] = { &r };
	int fd, kick, call, one = 1;

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

	while (r.used_bufs < o->buffers && !r.violation) {
		bool any = false;

		while (r.posted < o->buffers &&
		       ring_post(&r, o->chain * TEST_BUF_LEN, 0) >= 0)
			any = true;
		if (any && vhost_kick(kick))
			return EXIT_SETUP;
		if (!vhost_wait(rings, 1, call, 5000)) {
			printf("FAIL test: no progress for 5 s at %lu of %lu buffers\n",
			       r.used_bufs, o->buffers);
			return EXIT_VIOLATION;
		}
		ring_consume(&r, 0);
	}
	ring_report(&r, "test");
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
