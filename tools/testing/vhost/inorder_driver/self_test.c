// SPDX-License-Identifier: GPL-2.0
/*
 * The checker against a fake device that breaks each rule once: every
 * violation class must be detected, or a passing run proves nothing.
 */
#include "driver.h"

static void fake_use(struct ring *r, u16 slot, u32 id, u32 len)
{
	r->used->ring[slot & (r->num - 1)] = (struct vring_used_elem){ .id = id, .len = len };
}

static enum violation fake_case(enum violation v)
{
	enum violation got;
	struct ring r;
	int i;

	if (ring_init(&r, 8, 1, 64, false))
		return V_COUNT;
	r.in_order = true;
	for (i = 0; i < 4; i++)
		ring_post(&r, 0, 64);
	switch (v) {
	case V_NOT_A_HEAD:	/* id 7 was never made available */
		fake_use(&r, 0, 7, 0);
		r.used->idx = 1;
		break;
	case V_IDX_BACKWARDS:
		fake_use(&r, 0, r.q[0].head, 0);
		r.used->idx = 1;
		ring_consume(&r, 64);
		r.used->idx = 0xfff0;
		break;
	case V_IDX_PAST_OUTSTANDING:
		r.used->idx = 5;
		break;
	case V_OUT_OF_ORDER:	/* buffer 1 alone, before buffer 0 */
		fake_use(&r, 0, r.q[1].head, 0);
		r.used->idx = 1;
		break;
	case V_USED_TWICE:	/* buffer 0, then buffer 0 again */
		fake_use(&r, 0, r.q[0].head, 0);
		r.used->idx = 1;
		ring_consume(&r, 64);
		fake_use(&r, 1, r.q[0].head, 0);
		r.used->idx = 2;
		break;
	case V_BAD_LEN:		/* more than the buffer holds */
		fake_use(&r, 0, r.q[0].head, 65);
		r.used->idx = 1;
		break;
	case V_SKIPPED_LEN:	/* a batch where every length is needed */
		r.every_len = true;
		fake_use(&r, 0, r.q[1].head, 10);
		r.used->idx = 2;
		break;
	case V_DATA: {		/* a net frame with one byte changed */
		u8 f[60] = { 0 };

		net_frame_check(&r, 0, f, sizeof(f));
		break;
	}
	case V_STUCK:		/* a worker busy 900 ms of 1000 with nothing to do */
		worker_idle_check(&r, 900, 1000);
		break;
	default:
		break;
	}
	ring_consume(&r, 64);
	got = r.violation;
	ring_free(&r);
	return got;
}

int self_test(void)
{
	enum violation v;
	int bad = 0;

	for (v = V_NONE + 1; v < V_COUNT; v++) {
		bool ok = fake_case(v) == v;

		printf("self-test: %-40s %s\n", violation_names[v],
		       ok ? "detected" : "MISSED");
		bad |= !ok;
	}
	printf("%s self-test\n", bad ? "FAIL" : "PASS");
	return bad ? EXIT_VIOLATION : 0;
}
