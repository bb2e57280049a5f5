// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the VIRTIO_F_IN_ORDER reorder window.  Whatever order the device
 * completes in, the driver must see buffers used in ring order, each
 * exactly once, with used->idx never passing a buffer still in flight.
 * Every case runs on a real split ring in user memory.
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include "vring_fixture.h"

enum completion_order {
	ORDER_IN,		/* 0 1 2 ...: the device is already in order */
	ORDER_REVERSED,		/* n-1 ... 1 0: nothing publishable until the end */
	ORDER_RANDOM,		/* a seeded shuffle */
	ORDER_LIFO_PAIRS,	/* vhost-scsi's llist: 31 29 ... 1 30 28 ... 0 */
	ORDER_SWAPPED,		/* 1 0 3 2 ...: short gaps, closed at once */
};

static const char * const order_names[] = {
	[ORDER_IN] = "in-order",
	[ORDER_REVERSED] = "reversed",
	[ORDER_RANDOM] = "random",
	[ORDER_LIFO_PAIRS] = "interleaved",
	[ORDER_SWAPPED] = "swapped",
};

struct window_case {
	unsigned int num;	/* ring size; the ring is filled */
	u16 base;		/* avail/used index at start: wrap rows */
	enum completion_order order;
	enum vhost_used_batch mode;
};

static const struct window_case window_cases[] = {
	{ 1,     0,     ORDER_IN,         VHOST_USED_EVERY },
	{ 1,     65535, ORDER_IN,         VHOST_USED_LAST },
	{ 2,     65535, ORDER_REVERSED,   VHOST_USED_EVERY },
	{ 4,     65534, ORDER_SWAPPED,    VHOST_USED_LAST },
	{ 8,     0,     ORDER_RANDOM,     VHOST_USED_EVERY },
	{ 32,    0,     ORDER_LIFO_PAIRS, VHOST_USED_LAST },
	{ 32,    65520, ORDER_LIFO_PAIRS, VHOST_USED_EVERY },
	{ 256,   0,     ORDER_IN,         VHOST_USED_EVERY },
	{ 256,   65400, ORDER_RANDOM,     VHOST_USED_LAST },
	{ 256,   65535, ORDER_REVERSED,   VHOST_USED_EVERY },
	{ 1024,  65000, ORDER_RANDOM,     VHOST_USED_EVERY },
	{ 1024,  100,   ORDER_SWAPPED,    VHOST_USED_EVERY },
	{ 32768, 0,     ORDER_RANDOM,     VHOST_USED_EVERY },
	{ 32768, 49152, ORDER_REVERSED,   VHOST_USED_LAST },
	{ 32768, 65535, ORDER_IN,         VHOST_USED_LAST },
};

static void window_case_desc(const struct window_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "num %u base %u %s %s", c->num,
		 c->base, order_names[c->order],
		 c->mode == VHOST_USED_LAST ? "single-entry" : "every-entry");
}

KUNIT_ARRAY_PARAM(window, window_cases, window_case_desc);

/* The k-th completion is buffer order[k] (counted from the base). */
static void make_order(enum completion_order order, unsigned int *o,
		       unsigned int n)
{
	struct rnd_state rnd;
	unsigned int i, j, half = (n + 1) / 2;

	for (i = 0; i < n; i++)
		o[i] = i;
	switch (order) {
	case ORDER_IN:
		break;
	case ORDER_REVERSED:
		for (i = 0; i < n; i++)
			o[i] = n - 1 - i;
		break;
	case ORDER_RANDOM:
		prandom_seed_state(&rnd, 0x1f2e3d4c5b6a7988ULL + n);
		for (i = n - 1; i > 0; i--) {
			j = prandom_u32_state(&rnd) % (i + 1);
			swap(o[i], o[j]);
		}
		break;
	case ORDER_LIFO_PAIRS:
		/* Odd positions from the top down, then even ones. */
		for (i = 0; i < n; i++)
			o[i] = i < n / 2 ? n - 1 - 2 * i - (n & 1) :
					   2 * (half - 1 - (i - n / 2));
		break;
	case ORDER_SWAPPED:
		for (i = 0; i + 1 < n; i += 2)
			swap(o[i], o[i + 1]);
		break;
	}
}

/*
 * Fill the ring, complete in the row's order, publish after every
 * completion: each publish must release exactly the new contiguous prefix,
 * written as the row's mode says, and used->idx must follow it.
 */
static void complete_any_order_publishes_in_ring_order(struct kunit *test)
{
	const struct window_case *c = test->param_value;
	struct vring_fixture *f;
	unsigned int *order, *heads, k, done = 0;
	bool *completed;
	u32 id, len;
	u16 seq;

	f = vring_fixture_create(test, c->num, BIT_ULL(VIRTIO_F_IN_ORDER), c->base);
	order = kunit_kmalloc_array(test, c->num, sizeof(*order), GFP_KERNEL);
	heads = kunit_kmalloc_array(test, c->num, sizeof(*heads), GFP_KERNEL);
	completed = kunit_kcalloc(test, c->num, sizeof(*completed), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, order && heads && completed);
	make_order(c->order, order, c->num);
	vring_fixture_poison_used(f);

	for (k = 0; k < c->num; k++) {
		heads[k] = vring_fixture_post_and_fetch(f, &seq);
		KUNIT_ASSERT_EQ(test, seq, (u16)(c->base + k));
	}

	for (k = 0; k < c->num; k++) {
		unsigned int b = order[k], first = done;
		int n;

		KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, c->base + b,
							     heads[b], b), 0);
		completed[b] = true;
		while (done < c->num && completed[done])
			done++;

		n = vring_fixture_publish(f, c->mode);
		KUNIT_ASSERT_EQ_MSG(test, n, done - first, "completion %u (buffer %u)", k, b);
		KUNIT_ASSERT_EQ(test, vring_fixture_used_idx(f), (u16)(c->base + done));
		if (!n || c->mode != VHOST_USED_LAST)
			continue;
		/* One entry, at the run's first slot, naming its last buffer. */
		vring_fixture_used_elem(f, (u16)(c->base + first) & (c->num - 1), &id, &len);
		KUNIT_ASSERT_EQ(test, id, heads[done - 1]);
		KUNIT_ASSERT_EQ(test, len, done - 1);
	}

	if (c->mode != VHOST_USED_EVERY)
		return;
	for (k = 0; k < c->num; k++) {
		vring_fixture_used_elem(f, (u16)(c->base + k) & (c->num - 1), &id, &len);
		KUNIT_ASSERT_EQ_MSG(test, id, heads[k], "buffer %u", k);
		KUNIT_ASSERT_EQ_MSG(test, len, k, "buffer %u", k);
	}
}

/* Nothing is published while the next buffer in line is outstanding. */
static void publish_waits_for_gap(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 16, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	u16 s[3], h[3];

	vring_fixture_take(f, 3, s, h);

	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[2], h[2], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[1], h[1], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 0);

	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[0], h[0], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 3);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 3);
}

/* A device that completes in order never touches the bitmap. */
static void in_order_completions_skip_bitmap(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 64, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	struct vhost_in_order *io = f->vq.in_order;
	unsigned int k;
	u16 seq, head;

	for (k = 0; k < 48; k++) {
		head = vring_fixture_post_and_fetch(f, &seq);
		KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, seq, head, 0), 0);
		KUNIT_ASSERT_EQ(test, io->parked, 0);
	}
	KUNIT_EXPECT_TRUE(test, bitmap_empty(io->parked_map, io->num));
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), 48);
}

/* Completing a buffer twice, parked or already in the run, is refused. */
static void complete_rejects_duplicate(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	u16 s[3], h[3];

	vring_fixture_take(f, 3, s, h);

	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[2], h[2], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[2], h[2], 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[0], h[0], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[0], h[0], 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->vq.in_order->parked, 1);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[1], h[1], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 3);
}

/* A buffer that was never fetched cannot be completed. */
static void complete_rejects_unfetched(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	u16 seq, head;

	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, 0, 0, 0), -EINVAL);
	head = vring_fixture_post_and_fetch(f, &seq);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, seq + 1, head + 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, seq + 5, head, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 0);
}

/* A buffer already published cannot be completed again. */
static void complete_rejects_published(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 65535);
	u16 seq, head, s1;

	head = vring_fixture_post_and_fetch(f, &seq);
	vring_fixture_post_and_fetch(f, &s1);
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, seq, head, 0), 0);
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 1);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, seq, head, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 0);
}

/*
 * A guest that makes more buffers available than the ring holds (reusing
 * heads still in flight) must not make two sequences share a slot.
 */
static void complete_rejects_window_overflow(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);

	mutex_lock(&f->vq.mutex);
	f->vq.last_avail_idx = 8 + 3;	/* as if fetched past the window */
	mutex_unlock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, 9, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, 8, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, 7, 7, 0), 0);
	KUNIT_EXPECT_EQ(test, f->vq.in_order->parked, 1);
}

/* Without VIRTIO_F_IN_ORDER there is no window and the stock path runs. */
static void not_negotiated_has_no_window(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, 0, 0);
	u16 seq, head;

	KUNIT_EXPECT_FALSE(test, vhost_in_order_active(&f->vq));
	head = vring_fixture_post_and_fetch(f, &seq);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, seq, head, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 0);
}

/* Hand the @n buffers fetched last to the window, as vhost-net does. */
static int complete_last(struct vring_fixture *f, const u16 *heads,
			 const u32 *lens, unsigned int n)
{
	struct vring_used_elem elems[8];
	unsigned int k;
	int r;

	for (k = 0; k < n; k++) {
		elems[k].id = cpu_to_vhost32(&f->vq, heads[k]);
		elems[k].len = cpu_to_vhost32(&f->vq, lens[k]);
	}
	mutex_lock(&f->vq.mutex);
	r = vhost_in_order_complete_last(&f->vq, elems, n);
	mutex_unlock(&f->vq.mutex);
	return r;
}

/* The buffers fetched last are completed under their own sequences. */
static void complete_last_uses_fetch_order(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 65534);
	static const u32 lens[] = { 1500, 2048, 77 };
	u16 s[3], h[3];
	unsigned int k;
	u32 id, len;

	vring_fixture_take(f, 3, s, h);
	KUNIT_ASSERT_EQ(test, complete_last(f, h, lens, 3), 0);
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 3);
	for (k = 0; k < 3; k++) {
		vring_fixture_used_elem(f, s[k] & 7, &id, &len);
		KUNIT_EXPECT_EQ(test, id, h[k]);
		KUNIT_EXPECT_EQ(test, len, lens[k]);
	}
}

/*
 * vhost-net RX: buffers fetched for a packet that does not fit are
 * discarded and fetched again later, with more; the window must take them
 * under the same sequences.
 */
static void complete_last_after_discard(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	static const u32 lens[] = { 100, 200, 300, 400, 500 };
	u16 s[5], h[5], s2[5], h2[5];
	unsigned int k;

	vring_fixture_take(f, 3, s, h);
	vring_fixture_discard(f, 3);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 0);
	for (k = 0; k < 3; k++)
		KUNIT_ASSERT_EQ(test, vring_fixture_fetch(f, &s2[k]), h[k]);
	vring_fixture_take(f, 2, s2 + 3, h2 + 3);
	memcpy(h2, h, 3 * sizeof(*h));
	KUNIT_ASSERT_EQ(test, complete_last(f, h2, lens, 5), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), 5);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 5);
}

/* More buffers than were fetched cannot be completed. */
static void complete_last_rejects_unfetched(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, BIT_ULL(VIRTIO_F_IN_ORDER), 0);
	static const u32 lens[] = { 1, 2, 3 };
	u16 s[2], h[3] = { };

	vring_fixture_take(f, 2, s, h);
	KUNIT_EXPECT_EQ(test, complete_last(f, h, lens, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 0);
}

static struct kunit_case vhost_in_order_window_cases[] = {
	KUNIT_CASE_PARAM(complete_any_order_publishes_in_ring_order, window_gen_params),
	KUNIT_CASE(publish_waits_for_gap),
	KUNIT_CASE(in_order_completions_skip_bitmap),
	KUNIT_CASE(complete_rejects_duplicate),
	KUNIT_CASE(complete_rejects_unfetched),
	KUNIT_CASE(complete_rejects_published),
	KUNIT_CASE(complete_rejects_window_overflow),
	KUNIT_CASE(not_negotiated_has_no_window),
	KUNIT_CASE(complete_last_uses_fetch_order),
	KUNIT_CASE(complete_last_after_discard),
	KUNIT_CASE(complete_last_rejects_unfetched),
	{}
};

static struct kunit_suite vhost_in_order_window_suite = {
	.name = "vhost_in_order_window",
	.test_cases = vhost_in_order_window_cases,
};

kunit_test_suite(vhost_in_order_window_suite);

MODULE_DESCRIPTION("KUnit tests for the vhost VIRTIO_F_IN_ORDER used-ring writer");
MODULE_LICENSE("GPL");
