// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the avail side in order.  vhost_get_vq_desc() takes the next head
 * from the previous buffer (descriptors are in ring order) and reads
 * avail->ring[] only when that is not known: after setup, after
 * VHOST_SET_VRING_BASE and after a discard.  To tell a derived head from a
 * read one, the tests overwrite avail->ring[] with a different head.
 */

#include <kunit/test.h>

#include "vring_fixture.h"

#define IN_ORDER BIT_ULL(VIRTIO_F_IN_ORDER)

struct chain_case {
	const char *name;
	unsigned int ndesc;
	bool indirect;
	u16 base;
};

static const struct chain_case chain_cases[] = {
	{ "single descriptors", 1, false, 0 },
	{ "chains of 3, across the table end", 3, false, 0 },
	{ "chains of 8 = the whole table", 8, false, 0 },
	{ "indirect tables of 4", 4, true, 0 },
	{ "chains of 2, 16-bit index wrap", 2, false, 65530 },
};

static void chain_case_desc(const struct chain_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(chain, chain_cases, chain_case_desc);

/* After the first buffer every head is derived, never read. */
static void next_head_follows_previous_buffer(struct kunit *test)
{
	const struct chain_case *c = test->param_value;
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, c->base);
	unsigned int k;
	u16 head, seq;

	for (k = 0; k < 20; k++) {
		head = vring_fixture_post(f, c->ndesc, c->indirect);
		if (k)
			vring_fixture_set_avail_head(f, f->avail_idx - 1, (head + 1) & 7);
		KUNIT_ASSERT_EQ_MSG(test, vring_fixture_fetch(f, &seq), head, "buffer %u", k);
		KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, seq, head, 0), 0);
		KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), 1);
	}
}

/* A new ring position may come with a new table position: read it. */
static void set_base_reads_the_ring(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 0);
	u16 head, seq;

	head = vring_fixture_post_and_fetch(f, &seq);
	KUNIT_ASSERT_EQ(test, vring_fixture_complete(f, seq, head, 0), 0);
	KUNIT_ASSERT_EQ(test, vring_fixture_publish(f, VHOST_USED_LAST), 1);

	vring_fixture_set_base(f, 100);
	f->free_desc = 5;	/* the driver starts its table over elsewhere */
	head = vring_fixture_post(f, 2, false);
	KUNIT_ASSERT_EQ(test, head, 5);
	KUNIT_EXPECT_EQ(test, vring_fixture_fetch(f, &seq), 5);
	KUNIT_EXPECT_EQ(test, seq, 100);
}

/* A discarded buffer is fetched again from what the ring says. */
static void discard_reads_the_ring(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, IN_ORDER, 0);
	u16 s[2], h[2], seq;

	vring_fixture_take(f, 2, s, h);
	vring_fixture_discard(f, 1);
	vring_fixture_set_avail_head(f, s[1], 6);
	KUNIT_EXPECT_EQ(test, vring_fixture_fetch(f, &seq), 6);
	KUNIT_EXPECT_EQ(test, seq, s[1]);
}

/* Without VIRTIO_F_IN_ORDER every head is read from the ring. */
static void not_negotiated_reads_every_head(struct kunit *test)
{
	struct vring_fixture *f = vring_fixture_create(test, 8, 0, 0);
	u16 seq;

	vring_fixture_post_and_fetch(f, &seq);
	vring_fixture_post(f, 1, false);
	vring_fixture_set_avail_head(f, f->avail_idx - 1, 4);
	KUNIT_EXPECT_EQ(test, vring_fixture_fetch(f, &seq), 4);
}

static struct kunit_case vhost_in_order_avail_cases[] = {
	KUNIT_CASE_PARAM(next_head_follows_previous_buffer, chain_gen_params),
	KUNIT_CASE(set_base_reads_the_ring),
	KUNIT_CASE(discard_reads_the_ring),
	KUNIT_CASE(not_negotiated_reads_every_head),
	{}
};

static struct kunit_suite vhost_in_order_avail_suite = {
	.name = "vhost_in_order_avail",
	.test_cases = vhost_in_order_avail_cases,
};

kunit_test_suite(vhost_in_order_avail_suite);
