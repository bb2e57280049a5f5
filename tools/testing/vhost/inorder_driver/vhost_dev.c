// SPDX-License-Identifier: GPL-2.0
/*
 * The vhost ioctls every device needs: ownership, features, a 1:1 memory
 * table, virtqueue setup, kicks and waiting for the call eventfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vhost.h>

#include "driver.h"

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg) < 0) {
		fprintf(stderr, "inorder_driver: %s: %s\n", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* The ring features the options ask for, common to every device. */
u64 vhost_ring_features(const struct opts *o)
{
	u64 f = 1ULL << VIRTIO_F_VERSION_1;

	if (o->event_idx)
		f |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (o->indirect)
		f |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	return f;
}

/*
 * Open a vhost device and negotiate @want, less what it does not offer.
 * Returns the fd, or -EXIT_SKIP / -EXIT_SETUP.
 */
int vhost_open(const char *path, u64 want, u64 *negotiated, bool in_order)
{
	u64 offered;
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		printf("SKIP: %s: %s\n", path, strerror(errno));
		return -EXIT_SKIP;
	}
	if (xioctl(fd, VHOST_SET_OWNER, NULL, "VHOST_SET_OWNER") ||
	    xioctl(fd, VHOST_GET_FEATURES, &offered, "VHOST_GET_FEATURES"))
		return -EXIT_SETUP;
	printf("features offered: %#llx (in-order %s)\n", (unsigned long long)offered,
	       offered & (1ULL << VIRTIO_F_IN_ORDER) ? "yes" : "no");
	if (in_order && !(offered & (1ULL << VIRTIO_F_IN_ORDER))) {
		printf("SKIP: %s does not offer VIRTIO_F_IN_ORDER\n", path);
		return -EXIT_SKIP;
	}
	if (in_order)
		want |= 1ULL << VIRTIO_F_IN_ORDER;
	*negotiated = want & offered;
	printf("features negotiated: %#llx (in-order %s)\n",
	       (unsigned long long)*negotiated,
	       *negotiated & (1ULL << VIRTIO_F_IN_ORDER) ? "yes" : "no");
	if (xioctl(fd, VHOST_SET_FEATURES, negotiated, "VHOST_SET_FEATURES"))
		return -EXIT_SETUP;
	return fd;
}

/* Every ring's memory, mapped 1:1: guest addresses are our addresses. */
int vhost_set_mem(int fd, struct ring **rings, int n)
{
	struct vhost_memory *mem;
	int i, r;

	mem = calloc(1, sizeof(*mem) + n * sizeof(mem->regions[0]));
	if (!mem)
		return -1;
	mem->nregions = n;
	for (i = 0; i < n; i++) {
		mem->regions[i].guest_phys_addr = (uintptr_t)rings[i]->mem;
		mem->regions[i].userspace_addr = (uintptr_t)rings[i]->mem;
		mem->regions[i].memory_size = rings[i]->mem_size;
	}
	r = xioctl(fd, VHOST_SET_MEM_TABLE, mem, "VHOST_SET_MEM_TABLE");
	free(mem);
	return r;
}

int vhost_setup_vq(int fd, unsigned int index, struct ring *r, int kick, int call)
{
	struct vhost_vring_state num = { .index = index, .num = r->num };
	struct vhost_vring_state base = { .index = index, .num = 0 };
	struct vhost_vring_file kf = { .index = index, .fd = kick };
	struct vhost_vring_file cf = { .index = index, .fd = call };
	struct vhost_vring_addr addr = {
		.index = index,
		.desc_user_addr = (uintptr_t)r->desc,
		.avail_user_addr = (uintptr_t)r->avail,
		.used_user_addr = (uintptr_t)r->used,
	};

	if (xioctl(fd, VHOST_SET_VRING_NUM, &num, "VHOST_SET_VRING_NUM") ||
	    xioctl(fd, VHOST_SET_VRING_BASE, &base, "VHOST_SET_VRING_BASE") ||
	    xioctl(fd, VHOST_SET_VRING_ADDR, &addr, "VHOST_SET_VRING_ADDR") ||
	    xioctl(fd, VHOST_SET_VRING_KICK, &kf, "VHOST_SET_VRING_KICK") ||
	    xioctl(fd, VHOST_SET_VRING_CALL, &cf, "VHOST_SET_VRING_CALL"))
		return -1;
	return 0;
}

/*
 * With a backend running, VHOST_SET_FEATURES without VIRTIO_F_IN_ORDER must
 * be refused (EBUSY): the queues would go on publishing in order to a
 * driver that reads them the stock way.  Returns 0 if it was refused, 1 if
 * it was taken, -1 on another error.
 */
int vhost_expect_busy(int fd, u64 features, const char *dev)
{
	u64 f = features & ~(1ULL << VIRTIO_F_IN_ORDER);

	if (!ioctl(fd, VHOST_SET_FEATURES, &f)) {
		printf("hostile: %s: VIRTIO_F_IN_ORDER cleared under a running backend\n", dev);
		return 1;
	}
	if (errno != EBUSY) {
		printf("hostile: %s: clearing VIRTIO_F_IN_ORDER: %s, expected EBUSY\n", dev,
		       strerror(errno));
		return -1;
	}
	printf("hostile: %s: clearing VIRTIO_F_IN_ORDER under a running backend: EBUSY\n", dev);
	return 0;
}

/* Signals from the device: the call eventfd counts each one. */
unsigned long vhost_signals;

int vhost_kick(int kick)
{
	u64 v = 1;

	return write(kick, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

/*
 * Ask for a call at the next used buffer of each ring (used_event), then
 * wait up to @ms for one.  Returns 1 if called or something is already
 * used, 0 on timeout.
 */
int vhost_wait(struct ring **rings, int n, int call, int ms)
{
	struct pollfd pfd = { .fd = call, .events = POLLIN };
	u64 v;
	int i;

	for (i = 0; i < n; i++) {
		rings[i]->avail->ring[rings[i]->num] = rings[i]->in_order ?
			rings[i]->used_seen : rings[i]->read_end;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&rings[i]->used->idx, __ATOMIC_ACQUIRE) !=
		    rings[i]->avail->ring[rings[i]->num])
			return 1;
	}
	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	if (read(call, &v, sizeof(v)) < 0) {
		if (errno != EAGAIN)
			return 0;
	} else {
		vhost_signals += v;
	}
	return 1;
}
