/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-order used-ring writer for vhost (VIRTIO_F_IN_ORDER).
 *
 * Included at the end of vhost.h, after struct vhost_virtqueue.  The
 * contract (callers, locking, barriers) is at the top of in_order.c.
 */
#ifndef _VHOST_IN_ORDER_H
#define _VHOST_IN_ORDER_H

#include <linux/types.h>
#include <linux/virtio_ring.h>

struct vhost_dev;
struct vhost_virtqueue;

/**
 * enum vhost_used_batch - how a completed run is written to the used ring
 * @VHOST_USED_EVERY: one used entry per buffer.  For queues whose driver
 *	reads the length of every buffer (net RX: DPDK sizes each mergeable
 *	buffer from its own entry).
 * @VHOST_USED_LAST: one used entry, at the slot of the run's first buffer,
 *	carrying the id and length of the run's last buffer; used->idx still
 *	advances by the run length.  For queues whose driver needs no skipped
 *	length (net TX, SCSI).  Virtio 1.3, "In-order use of descriptors".
 */
enum vhost_used_batch {
	VHOST_USED_EVERY,
	VHOST_USED_LAST,
};

/**
 * struct vhost_in_order - reorder window of one virtqueue
 * @ready: sequence just past the contiguous run of completed buffers that
 *	starts at vq->last_used_idx; equal to it when nothing waits.
 * @parked: completions recorded beyond a gap, i.e. bits set in @parked_map.
 *	Zero while the device completes in order, which keeps it on the
 *	fast path.
 * @parked_end: sequence just past the latest parked completion; valid
 *	while @parked is not zero.
 * @next_head: head of the next buffer to fetch, when @head_known: in
 *	order the driver places descriptors in ring order, so it is the
 *	previous buffer's head plus the table entries that buffer took.
 * @head_known: @next_head may be used instead of reading avail->ring[];
 *	false until the first fetch after setup, reset or a discard.
 * @num: number of @slots, the ring size the window was set up for.
 * @parked_map: one bit per slot: completed, waiting for an earlier buffer.
 * @slots: completed used elements in ring byte order, indexed like
 *	used->ring (sequence & (num - 1)), so a run goes out in one copy.
 *
 * A buffer's sequence is its avail-ring position when it was fetched.  The
 * buffers between vq->last_used_idx and vq->last_avail_idx are in flight;
 * the window covers at most @num of them, so no two share a slot.
 */
struct vhost_in_order {
	u16 ready;
	u16 parked;
	u16 parked_end;
	u16 next_head;
	bool head_known;
	unsigned int num;
	unsigned long *parked_map;
	struct vring_used_elem slots[] __counted_by(num);
};

int vhost_in_order_complete(struct vhost_virtqueue *vq, u16 seq,
			    unsigned int head, u32 len);
int vhost_in_order_complete_last(struct vhost_virtqueue *vq,
				 const struct vring_used_elem *heads,
				 unsigned int count);
int vhost_in_order_publish(struct vhost_virtqueue *vq,
			   enum vhost_used_batch mode);

u16 vhost_in_order_completed_end(struct vhost_virtqueue *vq);
bool vhost_in_order_ready_to(struct vhost_virtqueue *vq, u16 end);
int vhost_in_order_features_ok(struct vhost_dev *dev, u64 features);

int vhost_add_used_seq(struct vhost_virtqueue *vq, u16 seq, unsigned int head,
		       int len);
void vhost_signal_used(struct vhost_dev *dev, struct vhost_virtqueue *vq,
		       enum vhost_used_batch mode);

/* Hooks for vhost.c only: window lifetime follows the ring's state. */
int vhost_in_order_setup(struct vhost_virtqueue *vq);
void vhost_in_order_reset(struct vhost_virtqueue *vq);
void vhost_in_order_discard(struct vhost_virtqueue *vq, unsigned int n);
void vhost_in_order_free(struct vhost_virtqueue *vq);
int vhost_in_order_get_head(struct vhost_virtqueue *vq, __virtio16 *head,
			    u16 idx);
void vhost_in_order_fetched(struct vhost_virtqueue *vq, unsigned int head,
			    unsigned int slots);

/**
 * vhost_in_order_active() - does this virtqueue publish through the window?
 * @vq: the virtqueue
 *
 * True once vhost_vq_init_access() set up a window because
 * VIRTIO_F_IN_ORDER was negotiated.  Drivers test this rather than the
 * feature bit, so a feature change without a backend restart keeps them on
 * the stock path.
 *
 * Context: vq->mutex held.
 * Return: true if vhost_in_order_complete() may be used on @vq.
 */
static inline bool vhost_in_order_active(struct vhost_virtqueue *vq)
{
	return vq->in_order;
}

/**
 * vhost_in_order_last_seq() - sequence of the buffer just fetched
 * @vq: the virtqueue
 *
 * Context: vq->mutex held, right after vhost_get_vq_desc() returned a head.
 * Return: the avail-ring position of that buffer.
 */
static inline u16 vhost_in_order_last_seq(struct vhost_virtqueue *vq)
{
	return vq->last_avail_idx - 1;
}

#endif
