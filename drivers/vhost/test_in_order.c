// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_test's VIRTIO_F_IN_ORDER path: the in-order used-ring writer driven
 * by a device that userspace alone can exercise.
 *
 * Buffers are consumed like stock vhost_test does (TX-style, nothing
 * written back), completed through the reorder window and published once
 * per pass over the ring.  The module parameters make the device complete
 * out of order and choose the used-entry mode, so the window and both
 * writer modes can be tested from tools/ without a guest.
 */

#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/uio.h>

#include "vhost.h"
#include "test_in_order.h"

/* Bounds the on-stack hold list below. */
#define VHOST_TEST_REORDER_MAX 64

static unsigned int reorder;
module_param(reorder, uint, 0644);
MODULE_PARM_DESC(reorder,
		 "In-order queues: complete each group of this many buffers last to first, exercising the reorder window (0 or 1: in order, at most 64)");

static bool used_every;
module_param(used_every, bool, 0644);
MODULE_PARM_DESC(used_every,
		 "In-order queues: write one used entry per buffer instead of one per run");

struct vhost_test_held {
	u16 seq;
	u16 head;
};

/* Complete the held buffers last to first, as a reordering backend would. */
static int vhost_test_complete_held(struct vhost_virtqueue *vq,
				    struct vhost_test_held *held,
				    unsigned int *n)
{
	int r = 0;

	while (*n && !r) {
		--*n;
		r = vhost_in_order_complete(vq, held[*n].seq, held[*n].head, 0);
	}
	*n = 0;
	return r;
}

/**
 * vhost_test_handle_in_order() - consume, complete and publish in order
 * @dev: the vhost_test device
 * @vq: its virtqueue, with an in-order window (vhost_in_order_active())
 *
 * Context: vq->mutex held, guest notifications disabled, on the worker.
 */
void vhost_test_handle_in_order(struct vhost_dev *dev,
				struct vhost_virtqueue *vq)
{
	struct vhost_test_held held[VHOST_TEST_REORDER_MAX];
	unsigned int depth = clamp(READ_ONCE(reorder), 1U,
				   VHOST_TEST_REORDER_MAX);
	enum vhost_used_batch mode = READ_ONCE(used_every) ?
				     VHOST_USED_EVERY : VHOST_USED_LAST;
	unsigned int out, in, nheld = 0, bad = 0;
	size_t len, total_len = 0;
	int head;

	for (;;) {
		head = vhost_get_vq_desc(vq, vq->iov, ARRAY_SIZE(vq->iov),
					 &out, &in, NULL, NULL);
		if (unlikely(head < 0))
			break;
		if (head == vq->num) {
			/* Nothing may stay held while we wait for a kick. */
			if (vhost_test_complete_held(vq, held, &nheld) ||
			    vhost_in_order_publish(vq, mode) < 0)
				return;
			if (unlikely(vhost_enable_notify(dev, vq))) {
				vhost_disable_notify(dev, vq);
				continue;
			}
			return;
		}
		/*
		 * A malformed buffer is used all the same: in order, one
		 * left unused would hold back every later buffer.
		 */
		held[nheld].seq = vhost_in_order_last_seq(vq);
		held[nheld].head = head;
		if (++nheld == depth && vhost_test_complete_held(vq, held, &nheld))
			return;
		len = iov_length(vq->iov, out);
		if (unlikely(in || !len)) {
			vq_err(vq, "Unexpected descriptor format for TX: out %u, in %u, len %zu\n",
			       out, in, len);
			/* Go on: a guest may not kick again for what it posted. */
			if (unlikely(vhost_exceeds_weight(vq, ++bad, total_len)))
				break;
			continue;
		}
		total_len += len;
		if (unlikely(vhost_exceeds_weight(vq, 0, total_len)))
			break;
	}
	if (!vhost_test_complete_held(vq, held, &nheld))
		vhost_in_order_publish(vq, mode);
}
