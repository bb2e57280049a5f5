/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A split ring in test-owned user memory, with the driver's side played by
 * the test and the device's side by the real vhost core.
 */
#ifndef _VHOST_TESTS_VRING_FIXTURE_H
#define _VHOST_TESTS_VRING_FIXTURE_H

#include <kunit/test.h>
#include "../vhost.h"

/**
 * struct vring_fixture - one vhost virtqueue over a ring in user memory
 * @test: the running test
 * @dev: vhost device owning @vq, owned by the test thread's mm
 * @vq: the virtqueue under test
 * @vqs: @dev's virtqueue array
 * @num: ring size
 * @desc: descriptor table (user memory)
 * @avail: avail ring (user memory)
 * @used: used ring (user memory)
 * @log: dirty log bitmap, one bit per 4 KiB page, used ring at address 0
 * @scratch: a user page for ioctl arguments and indirect tables
 * @buf: user address every descriptor points into
 * @avail_idx: driver's next avail position
 * @free_desc: driver's next descriptor slot; descriptors go in ring order
 */
struct vring_fixture {
	struct kunit *test;
	struct vhost_dev dev;
	struct vhost_virtqueue vq;
	struct vhost_virtqueue *vqs[1];
	unsigned int num;
	struct vring_desc __user *desc;
	struct vring_avail __user *avail;
	struct vring_used __user *used;
	u8 __user *log;
	void __user *scratch;
	u64 buf;
	u16 avail_idx;
	u16 free_desc;
};

/* Size of a dirty-log page, as vhost counts them (VHOST_PAGE_SIZE). */
#define VRING_FIXTURE_LOG_PAGE 0x1000

struct vring_fixture *vring_fixture_create(struct kunit *test, unsigned int num,
					   u64 features, u16 base);
void vring_fixture_set_base(struct vring_fixture *f, u16 base);
u16 vring_fixture_post(struct vring_fixture *f, unsigned int ndesc,
		       bool indirect);
int vring_fixture_fetch(struct vring_fixture *f, u16 *seq);
u16 vring_fixture_post_and_fetch(struct vring_fixture *f, u16 *seq);
void vring_fixture_take(struct vring_fixture *f, unsigned int n, u16 *seqs,
			u16 *heads);
int vring_fixture_complete(struct vring_fixture *f, u16 seq,
			   unsigned int head, u32 len);
int vring_fixture_publish(struct vring_fixture *f, enum vhost_used_batch mode);
void vring_fixture_discard(struct vring_fixture *f, int n);
u16 vring_fixture_used_idx(struct vring_fixture *f);
void vring_fixture_used_elem(struct vring_fixture *f, unsigned int slot,
			     u32 *id, u32 *len);
void vring_fixture_poison_used(struct vring_fixture *f);
void vring_fixture_set_avail_head(struct vring_fixture *f, u16 pos, u16 head);
void vring_fixture_enable_log(struct vring_fixture *f);
bool vring_fixture_logged(struct vring_fixture *f, unsigned int page);

#define VRING_FIXTURE_POISON 0xdeadbeef

#endif
