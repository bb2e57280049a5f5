// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the window and its backend.  A queue whose start failed keeps no
 * window from an earlier start; VIRTIO_F_IN_ORDER cannot be acked or
 * cleared under a running backend; and a device can wait until what it
 * completed is visible (vhost-scsi's TMF answers do).
 */

#include <kunit/test.h>
#include <linux/mman.h>

#include "vring_fixture.h"

/* Restart the backend with the used ring at @used. */
static int restart_with_used(struct vring_fixture *f,
			     struct vring_used __user *used)
{
	struct vhost_virtqueue *vq = &f->vq;
	int r;

	mutex_lock(&vq->mutex);
	vhost_vq_set_backend(vq, NULL);
	vq->used = used;
	vhost_vq_set_backend(vq, f);
	r = vhost_vq_init_access(vq);
	mutex_unlock(&vq->mutex);
	return r;
}

/* A used ring the device cannot write: the start fails, the window goes. */
static void failed_start_drops_window(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	unsigned long ro;

	KUNIT_ASSERT_TRUE(test, vhost_in_order_active(&f->vq));
	ro = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, ro, 0);

	KUNIT_EXPECT_EQ(test, restart_with_used(f, (void __user *)ro), -EFAULT);
	KUNIT_EXPECT_FALSE(test, vhost_in_order_active(&f->vq));

	/* A good start sets it up again. */
	KUNIT_EXPECT_EQ(test, restart_with_used(f, f->used), 0);
	KUNIT_EXPECT_TRUE(test, vhost_in_order_active(&f->vq));
}

static int features_ok(struct vring_fixture *f, u64 features)
{
	int r;

	mutex_lock(&f->dev.mutex);
	r = vhost_in_order_features_ok(&f->dev, features);
	mutex_unlock(&f->dev.mutex);
	return r;
}

/* Under a running backend the bit may not change; LOG_ALL may. */
static void features_keep_mode_under_backend(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	u64 acked = f->vq.acked_features;

	KUNIT_EXPECT_EQ(test, features_ok(f, acked | BIT_ULL(VHOST_F_LOG_ALL)), 0);
	KUNIT_EXPECT_EQ(test, features_ok(f, acked & ~BIT_ULL(VIRTIO_F_IN_ORDER)), -EBUSY);
}

/* Without in-order, acking it under a running backend is refused too. */
static void features_refuse_in_order_late(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, 0, 0);

	KUNIT_EXPECT_EQ(test, features_ok(f, f->vq.acked_features |
					  BIT_ULL(VIRTIO_F_IN_ORDER)), -EBUSY);
}

/*
 * A restart that failed leaves the backend running without a window
 * (vhost-net keeps its old socket): LOG_ALL must still be taken.
 */
static void features_log_all_without_window(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	unsigned long ro;

	ro = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, ro, 0);
	KUNIT_ASSERT_EQ(test, restart_with_used(f, (void __user *)ro), -EFAULT);
	KUNIT_EXPECT_EQ(test, features_ok(f, f->vq.acked_features | BIT_ULL(VHOST_F_LOG_ALL)), 0);
}

/* With the backend stopped any change is fine. */
static void features_change_when_stopped(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);

	mutex_lock(&f->vq.mutex);
	vhost_vq_set_backend(&f->vq, NULL);
	mutex_unlock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, features_ok(f, f->vq.acked_features &
					  ~BIT_ULL(VIRTIO_F_IN_ORDER)), 0);
}

static u16 completed_end(struct vring_fixture *f)
{
	u16 end;

	mutex_lock(&f->vq.mutex);
	end = vhost_in_order_completed_end(&f->vq);
	mutex_unlock(&f->vq.mutex);
	return end;
}

static bool ready_to(struct vring_fixture *f, u16 end)
{
	bool r;

	mutex_lock(&f->vq.mutex);
	r = vhost_in_order_ready_to(&f->vq, end);
	mutex_unlock(&f->vq.mutex);
	return r;
}

struct end_case {
	u16 base;
	unsigned int parked;	/* completed beyond the gap, latest last */
};

static const struct end_case end_cases[] = {
	{ 0, 1 }, { 0, 5 }, { 65533, 5 }, { 65535, 1 },
};

static void end_case_desc(const struct end_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "base %u, %u parked", c->base, c->parked);
}

KUNIT_ARRAY_PARAM(end, end_cases, end_case_desc);

/*
 * Buffers completed behind a gap count in the completed end, the latest
 * one wherever it was completed; the run reaches it once the gap closes.
 */
static void completed_end_covers_parked(struct kunit *test)
{
	const struct end_case *c = test->param_value;
	struct vring_fixture *f;
	u16 s[7], h[7], end;
	unsigned int k;

	f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), c->base);
	vring_fixture_take(f, c->parked + 2, s, h);
	KUNIT_EXPECT_EQ(test, completed_end(f), c->base);
	/* The latest first, then the others: the end must not move back. */
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s[c->parked], h[c->parked], 0), 0);
	for (k = 1; k < c->parked; k++)
		KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s[k], h[k], 0), 0);
	end = completed_end(f);
	KUNIT_EXPECT_EQ(test, end, (u16)(s[c->parked] + 1));
	KUNIT_EXPECT_FALSE(test, ready_to(f, end));

	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s[0], h[0], 0), 0);
	KUNIT_EXPECT_TRUE(test, ready_to(f, end));
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), c->parked + 1);
	KUNIT_EXPECT_TRUE(test, ready_to(f, end));
	/* The last buffer is still in flight. */
	KUNIT_EXPECT_FALSE(test, ready_to(f, s[c->parked + 1] + 1));
	/* Published past @end: still reached. */
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s[c->parked + 1],
						     h[c->parked + 1], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), 1);
	KUNIT_EXPECT_TRUE(test, ready_to(f, end));
}

/* Nothing completed beyond what was published: nothing to wait for. */
static void ready_to_published(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	u16 s[2], h[2];

	vring_fixture_take(f, 2, s, h);
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s[0], h[0], 0), 0);
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), 1);
	KUNIT_EXPECT_EQ(test, completed_end(f), s[1]);
	KUNIT_EXPECT_TRUE(test, ready_to(f, completed_end(f)));
}

static struct kunit_case vhost_in_order_backend_cases[] = {
	KUNIT_CASE(failed_start_drops_window),
	KUNIT_CASE(features_keep_mode_under_backend),
	KUNIT_CASE(features_refuse_in_order_late),
	KUNIT_CASE(features_change_when_stopped),
	KUNIT_CASE(features_log_all_without_window),
	KUNIT_CASE_PARAM(completed_end_covers_parked, end_gen_params),
	KUNIT_CASE(ready_to_published),
	{}
};

static struct kunit_suite vhost_in_order_backend_suite = {
	.name = "vhost_in_order_backend",
	.test_cases = vhost_in_order_backend_cases,
};

kunit_test_suite(vhost_in_order_backend_suite);
