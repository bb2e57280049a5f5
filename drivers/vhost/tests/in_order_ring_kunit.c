// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the in-order writer against the rest of the vhost core.  What the
 * used ring holds after each kind of publish, the dirty log, and how the
 * window follows fetch, discard, VHOST_SET_VRING_BASE and backend restarts.
 */

#include <kunit/test.h>
#include <linux/mman.h>

#include "vring_fixture.h"

#define IN_ORDER BIT_ULL(VIRTIO_F_IN_ORDER)

/* Post and fetch @n buffers, then complete them all last to first. */
static void complete_reversed(struct vring_fixture *f, unsigned int n,
			      u16 *heads)
{
	u16 seqs[64];
	unsigned int k = n;

	KUNIT_ASSERT_LE(f->test, n, ARRAY_SIZE(seqs));
	vring_fixture_take(f, n, seqs, heads);
	while (k--)
		KUNIT_ASSERT_EQ(f->test, vring_fixture_complete(f, seqs[k], heads[k],
								100 + k), 0);
}

/* Sequences are avail positions, whatever the chains look like. */
static void fetch_seq_follows_chains_and_indirect(struct kunit *test)
{
	static const struct { unsigned int ndesc; bool indirect; } bufs[] = {
		{ 1, false }, { 3, false }, { 2, true }, { 2, false }, { 4, true },
		{ 1, false },
	};
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 65533);
	u16 heads[ARRAY_SIZE(bufs)], seqs[ARRAY_SIZE(bufs)];
	unsigned int k;
	u32 id, len;

	for (k = 0; k < ARRAY_SIZE(bufs); k++) {
		heads[k] = vring_fixture_post(f, bufs[k].ndesc, bufs[k].indirect);
		KUNIT_ASSERT_EQ(test, vring_fixture_fetch(f, &seqs[k]), heads[k]);
		KUNIT_EXPECT_EQ(test, seqs[k], (u16)(65533 + k));
	}
	while (k--)
		KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, seqs[k], heads[k], k), 0);
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY),
			(int)ARRAY_SIZE(bufs));
	for (k = 0; k < ARRAY_SIZE(bufs); k++) {
		vring_fixture_used_elem(f, seqs[k] & 7, &id, &len);
		KUNIT_EXPECT_EQ(test, id, heads[k]);
		KUNIT_EXPECT_EQ(test, len, k);
	}
}

struct run_case {
	unsigned int num;
	u16 base;		/* first buffer's sequence */
	unsigned int n;		/* buffers in the run */
	enum vhost_used_batch mode;
};

static const struct run_case run_cases[] = {
	{ 16, 0,     5, VHOST_USED_EVERY },
	{ 8,  5,     6, VHOST_USED_EVERY },	/* crosses the ring end */
	{ 8,  65533, 8, VHOST_USED_EVERY },	/* the whole ring, 16-bit wrap */
	{ 16, 0,     5, VHOST_USED_LAST },
	{ 8,  65534, 4, VHOST_USED_LAST },	/* crosses the ring end */
	{ 8,  3,     8, VHOST_USED_LAST },	/* the whole ring */
};

static void run_case_desc(const struct run_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "num %u from %u, %u buffers, %s",
		 c->num, c->base, c->n,
		 c->mode == VHOST_USED_LAST ? "single-entry" : "every-entry");
}

KUNIT_ARRAY_PARAM(run, run_cases, run_case_desc);

/*
 * A run completed in reverse is published whole: every-entry writes each
 * buffer's entry in its slot, single-entry writes one entry, the last
 * buffer's, at the first slot.  No other slot is touched, also across the
 * ring end.
 */
static void publish_writes_run_slots_only(struct kunit *test)
{
	const struct run_case *c = test->param_value;
	struct vring_fixture *f = vring_fixture_create(test, c->num, IN_ORDER, c->base);
	unsigned int k, slot, mask = c->num - 1;
	u16 heads[64];
	u32 id, len;

	vring_fixture_poison_used(f);
	complete_reversed(f, c->n, heads);
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, c->mode), c->n);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), (u16)(c->base + c->n));

	for (slot = 0; slot < c->num; slot++) {
		k = (slot - c->base) & mask;	/* which buffer's slot */
		vring_fixture_used_elem(f, slot, &id, &len);
		if (k < c->n && (c->mode == VHOST_USED_EVERY || k == 0)) {
			k = c->mode == VHOST_USED_EVERY ? k : c->n - 1;
			KUNIT_EXPECT_EQ_MSG(test, id, heads[k], "slot %u", slot);
			KUNIT_EXPECT_EQ_MSG(test, len, 100 + k, "slot %u", slot);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, id, VRING_FIXTURE_POISON, "slot %u", slot);
		}
	}
}

/*
 * Dirty log of a run across the ring end: the pages of the ring's last and
 * first entries and of used->idx, none in between.  The used ring of 4096
 * entries spans dirty-log pages 0..8; slots 4094 and 4095 sit on 7 and 8.
 */
static void dirty_log_every_wrap_marks_written_pages(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 4096, IN_ORDER, 4094);
	unsigned int page;
	u16 heads[4];

	vring_fixture_enable_log(f);
	complete_reversed(f, 4, heads);
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 4);
	for (page = 0; page <= 9; page++)
		KUNIT_EXPECT_EQ_MSG(test, vring_fixture_logged(f, page),
				    page == 0 || page == 7 || page == 8, "page %u", page);
}

/*
 * Dirty log of a single-entry run of 600 buffers from slot 2048: the entry
 * (page 4) and used->idx (page 0), not the pages the skipped slots span.
 */
static void dirty_log_last_marks_one_entry(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 4096, IN_ORDER, 2048);
	unsigned int k, page;
	u16 seq, head;

	vring_fixture_enable_log(f);
	for (k = 0; k < 600; k++) {
		head = vring_fixture_post_and_fetch(f, &seq);
		KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, seq, head, 0), 0);
	}
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), 600);
	for (page = 0; page <= 9; page++)
		KUNIT_EXPECT_EQ_MSG(test, vring_fixture_logged(f, page),
				    page == 0 || page == 4, "page %u", page);
}

/* Completed but unpublished buffers do not survive VHOST_SET_VRING_BASE. */
static void set_vring_base_resets_window(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 0);
	u16 s0, s1, h1, seq, head;

	vring_fixture_post_and_fetch(f, &s0);
	h1 = vring_fixture_post_and_fetch(f, &s1);
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s1, h1, 0), 0);

	vring_fixture_set_base(f, 100);
	KUNIT_EXPECT_EQ(test, f->vq.in_order->parked, 0);
	KUNIT_EXPECT_EQ(test, f->vq.in_order->ready, 100);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 0);

	head = vring_fixture_post_and_fetch(f, &seq);
	KUNIT_EXPECT_EQ(test, seq, 100);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, seq, head, 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 1);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 101);
}

/* A discarded buffer comes back under the same sequence, not completed. */
static void discard_forgets_parked_completion(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 0);
	u16 s[3], h[3], seq;

	vring_fixture_take(f, 3, s, h);
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s[2], h[2], 0), 0);

	vring_fixture_discard(f, 1);
	KUNIT_EXPECT_EQ(test, f->vq.in_order->parked, 0);
	KUNIT_ASSERT_EQ(test, vring_fixture_fetch(f, &seq), h[2]);
	KUNIT_EXPECT_EQ(test, seq, s[2]);

	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[0], h[0], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[1], h[1], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 2);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, s[2], h[2], 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 1);
}

/* A discard that cuts into the completed run shortens it. */
static void discard_trims_ready_run(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 0);
	u16 s0, s1, h0, h1, seq;

	h0 = vring_fixture_post_and_fetch(f, &s0);
	h1 = vring_fixture_post_and_fetch(f, &s1);
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s0, h0, 0), 0);
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, s1, h1, 0), 0);

	vring_fixture_discard(f, 1);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 1);
	KUNIT_ASSERT_EQ(test, vring_fixture_fetch(f, &seq), h1);
	KUNIT_EXPECT_EQ(test, vring_fixture_complete(f, seq, h1, 0), 0);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 1);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 2);
}

/* A used ring that cannot be written publishes nothing and loses nothing. */
static void publish_fault_keeps_run(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 0);
	vring_used_t __user *good = f->vq.used;
	unsigned long ro;
	u16 heads[2];

	ro = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ,
			   MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, ro, 0);
	complete_reversed(f, 2, heads);

	mutex_lock(&f->vq.mutex);
	f->vq.used = (vring_used_t __user *)ro;
	mutex_unlock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), -EFAULT);
	KUNIT_EXPECT_EQ(test, f->vq.last_used_idx, 0);

	mutex_lock(&f->vq.mutex);
	f->vq.used = good;
	mutex_unlock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vring_fixture_publish(f, VHOST_USED_EVERY), 2);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 2);
}

/* A backend restart after VHOST_SET_VRING_NUM sizes the window anew. */
static void backend_restart_follows_ring_size(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 32, IN_ORDER, 0);
	struct vhost_vring_state s = { .index = 0, .num = 16 };

	KUNIT_EXPECT_EQ(test, f->vq.in_order->num, 32);
	mutex_lock(&f->vq.mutex);
	vhost_vq_set_backend(&f->vq, NULL);
	mutex_unlock(&f->vq.mutex);
	KUNIT_ASSERT_EQ(test, copy_to_user(f->scratch, &s, sizeof(s)), 0);
	KUNIT_ASSERT_EQ(test, vhost_vring_ioctl(&f->dev, VHOST_SET_VRING_NUM,
						f->scratch), 0);
	f->num = 16;
	vring_fixture_set_base(f, 0);
	KUNIT_EXPECT_EQ(test, f->vq.in_order->num, 16);
}

/* Without the feature, vhost_add_used_seq() is vhost_add_used(): at once. */
static void add_used_seq_without_window_is_stock(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, 0, 0);
	u16 seq, head;
	u32 id, len;

	head = vring_fixture_post_and_fetch(f, &seq);
	mutex_lock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vhost_add_used_seq(&f->vq, seq, head, 7), 0);
	mutex_unlock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 1);
	vring_fixture_used_elem(f, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, id, head);
	KUNIT_EXPECT_EQ(test, len, 7);
}

/* With the feature, nothing is visible until vhost_signal_used(). */
static void add_used_seq_with_window_waits_for_signal_used(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 0);
	u16 s[2], h[2];

	vring_fixture_take(f, 2, s, h);
	mutex_lock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vhost_add_used_seq(&f->vq, s[1], h[1], 0), 0);
	KUNIT_EXPECT_EQ(test, vhost_add_used_seq(&f->vq, s[0], h[0], 0), 0);
	mutex_unlock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 0);

	mutex_lock(&f->vq.mutex);
	vhost_signal_used(&f->dev, &f->vq, VHOST_USED_LAST);
	mutex_unlock(&f->vq.mutex);
	KUNIT_EXPECT_EQ(test, vring_fixture_used_idx(f), 2);
}

static struct kunit_case vhost_in_order_ring_cases[] = {
	KUNIT_CASE(add_used_seq_without_window_is_stock),
	KUNIT_CASE(add_used_seq_with_window_waits_for_signal_used),
	KUNIT_CASE(fetch_seq_follows_chains_and_indirect),
	KUNIT_CASE_PARAM(publish_writes_run_slots_only, run_gen_params),
	KUNIT_CASE(dirty_log_every_wrap_marks_written_pages),
	KUNIT_CASE(dirty_log_last_marks_one_entry),
	KUNIT_CASE(set_vring_base_resets_window),
	KUNIT_CASE(discard_forgets_parked_completion),
	KUNIT_CASE(discard_trims_ready_run),
	KUNIT_CASE(publish_fault_keeps_run),
	KUNIT_CASE(backend_restart_follows_ring_size),
	{}
};

static struct kunit_suite vhost_in_order_ring_suite = {
	.name = "vhost_in_order_ring",
	.test_cases = vhost_in_order_ring_cases,
};

kunit_test_suite(vhost_in_order_ring_suite);
