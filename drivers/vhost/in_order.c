// SPDX-License-Identifier: GPL-2.0
/*
 * In-order used-ring writer for vhost (VIRTIO_F_IN_ORDER).
 *
 * With VIRTIO_F_IN_ORDER the device must use buffers in the order they were
 * made available, and may publish a run of them with a single used entry
 * (virtio 1.3, 2.7.9 "In-order use of descriptors").  Devices such as
 * vhost-scsi complete requests in whatever order the backend finishes them,
 * so completions go through a reorder window first.
 *
 * Contract:
 *
 * - A buffer's sequence is its avail-ring position at fetch
 *   (vhost_in_order_last_seq() right after vhost_get_vq_desc()).
 * - The device calls vhost_in_order_complete() once per buffer, in any
 *   order, then vhost_in_order_publish() when it wants the guest to see
 *   what is done: the longest completed run starting at vq->last_used_idx
 *   goes out with one or two user copies (or one entry), one used->idx
 *   store and at most one signal.
 * - Both run under vq->mutex, like vhost_get_vq_desc(); so do the hooks
 *   vhost.c calls (setup from vhost_vq_init_access(), reset from
 *   VHOST_SET_VRING_BASE, discard from vhost_discard_vq_desc(), free from
 *   vhost_vq_reset()).  Nothing here sleeps except setup's allocation.
 * - Barriers: the used entries are ordered before the used->idx store by
 *   smp_wmb(), pairing with the driver's read barrier between reading
 *   used->idx and reading entries (virtio_rmb() in virtqueue_get_buf()).
 *   The idx store is ordered before the driver's event index is read by
 *   the smp_mb() in vhost_notify(), pairing with the driver's barrier after
 *   it writes used_event.  Dirty-log bits are set after the data they cover
 *   is written (smp_wmb() before each log_used()), as the rest of vhost does.
 * - A completion for a buffer that is not in flight, or a second one for
 *   the same buffer, is reported with vq_err() and -EINVAL and changes
 *   nothing.  A guest cannot make the window alias: the in-flight span is
 *   checked against its size.
 *
 * Cost: while completions arrive in order the window is only the staging
 * array the run is copied from (stock vhost stages in vq->heads); the bitmap
 * is touched only after a completion arrived early.
 *
 * This file is built as part of vhost.ko (included from vhost.c) because it
 * writes the ring through vhost.c's static accessors.
 */

/* Fold parked completions that now follow the run into it. */
static void vhost_in_order_absorb(struct vhost_in_order *io)
{
	unsigned int mask = io->num - 1;
	unsigned int slot = io->ready & mask;
	unsigned int end, n;

	end = find_next_zero_bit(io->parked_map, io->num, slot);
	n = end - slot;
	bitmap_clear(io->parked_map, slot, n);
	if (end == io->num && n < io->parked) {
		/* The run goes on past the ring end. */
		end = find_first_zero_bit(io->parked_map, io->num);
		bitmap_clear(io->parked_map, 0, end);
		n += end;
	}
	io->ready += n;
	io->parked -= n;
}

/* Record one completion; @id and @len are already in guest byte order. */
static int vhost_in_order_stage(struct vhost_virtqueue *vq, u16 seq,
				__virtio32 id, __virtio32 len)
{
	struct vhost_in_order *io = vq->in_order;
	unsigned int slot;
	u16 ahead;

	/* 0 for the next buffer in line: the in-order fast path. */
	ahead = seq - io->ready;
	if (unlikely(ahead >= (u16)(vq->last_avail_idx - io->ready) ||
		     (u16)(seq - vq->last_used_idx) >= io->num)) {
		vq_err(vq, "Completion of buffer %u outside in-flight %u..%u\n",
		       seq, io->ready, vq->last_avail_idx);
		return -EINVAL;
	}

	slot = seq & (io->num - 1);
	if (unlikely(ahead)) {
		if (__test_and_set_bit(slot, io->parked_map)) {
			vq_err(vq, "Buffer %u completed twice\n", seq);
			return -EINVAL;
		}
		if (!io->parked || ahead >= (u16)(io->parked_end - io->ready))
			io->parked_end = seq + 1;
		io->parked++;
	}
	io->slots[slot].id = id;
	io->slots[slot].len = len;
	if (likely(!ahead)) {
		io->ready++;
		if (unlikely(io->parked))
			vhost_in_order_absorb(io);
	}
	return 0;
}

/**
 * vhost_in_order_complete() - record the completion of one buffer
 * @vq: the virtqueue, with a window (vhost_in_order_active())
 * @seq: the buffer's sequence, its avail-ring position at fetch
 * @head: the buffer's head descriptor index, the used entry's id
 * @len: bytes written into the buffer, the used entry's len
 *
 * Nothing is visible to the guest until vhost_in_order_publish().
 *
 * Context: vq->mutex held (the vq's worker, or an ioctl).  Does not sleep.
 * Return: 0, or -EINVAL (after vq_err()) if @seq is not in flight, was
 * already completed, or @vq has no window.
 */
int vhost_in_order_complete(struct vhost_virtqueue *vq, u16 seq,
			    unsigned int head, u32 len)
{
	lockdep_assert_held(&vq->mutex);
	if (unlikely(!vq->in_order)) {
		vq_err(vq, "In-order completion on a queue without a window\n");
		return -EINVAL;
	}
	return vhost_in_order_stage(vq, seq, cpu_to_vhost32(vq, head),
				    cpu_to_vhost32(vq, len));
}
EXPORT_SYMBOL_GPL(vhost_in_order_complete);

/**
 * vhost_in_order_complete_last() - record the completion of the buffers
 *	fetched last
 * @vq: the virtqueue, with a window (vhost_in_order_active())
 * @heads: their used elements, in fetch order and guest byte order, as
 *	vhost_add_used_n() takes them
 * @count: how many; they are the @count buffers just before
 *	vq->last_avail_idx
 *
 * For devices that finish a buffer (or the buffers of one packet) before
 * fetching the next, like vhost-net: no sequence numbers to carry.
 *
 * Context: vq->mutex held.  Does not sleep.
 * Return: 0, or -EINVAL (after vq_err()) as vhost_in_order_complete(); the
 * buffers before the failing one stay completed.
 */
int vhost_in_order_complete_last(struct vhost_virtqueue *vq,
				 const struct vring_used_elem *heads,
				 unsigned int count)
{
	u16 seq = vq->last_avail_idx - count;
	unsigned int i;
	int r;

	lockdep_assert_held(&vq->mutex);
	if (unlikely(!vq->in_order)) {
		vq_err(vq, "In-order completion on a queue without a window\n");
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		r = vhost_in_order_stage(vq, seq + i, heads[i].id, heads[i].len);
		if (unlikely(r))
			return r;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_in_order_complete_last);

/* Write @n window slots from @start to the used ring and log them. */
static int vhost_in_order_put(struct vhost_virtqueue *vq,
			      struct vring_used_elem *elem,
			      unsigned int start, unsigned int n)
{
	if (vhost_put_used(vq, elem, start, n))
		return -EFAULT;
	if (unlikely(vq->log_used)) {
		/* Make sure data is seen before log. */
		smp_wmb();
		log_used(vq, offsetof(struct vring_used, ring[start]),
			 n * sizeof(*elem));
	}
	return 0;
}

/**
 * vhost_in_order_publish() - make the completed run visible to the guest
 * @vq: the virtqueue, with a window (vhost_in_order_active())
 * @mode: every entry, or one entry naming the run's last buffer
 *
 * Publishes the longest run of completed buffers starting at
 * vq->last_used_idx: its used entries (one or two user copies, or a single
 * entry), then one used->idx store, the dirty log of exactly what was
 * written, and one vhost_signal().  Buffers completed beyond a gap stay in
 * the window.  On a fault nothing is published (used->idx does not move)
 * and the run stays ready.
 *
 * Context: vq->mutex held, the vq's mm attached (worker or ioctl).
 * Return: the number of buffers published (0 if none was ready), or
 * -EFAULT (after vq_err()) if the used ring could not be written.
 */
int vhost_in_order_publish(struct vhost_virtqueue *vq,
			   enum vhost_used_batch mode)
{
	struct vhost_in_order *io = vq->in_order;
	u16 first = vq->last_used_idx;
	u16 n = io ? (u16)(io->ready - first) : 0;
	unsigned int mask, start, part;
	int r;

	lockdep_assert_held(&vq->mutex);
	if (!n)
		return 0;

	mask = io->num - 1;
	start = first & mask;
	if (mode == VHOST_USED_LAST) {
		r = vhost_in_order_put(vq, &io->slots[(u16)(io->ready - 1) & mask],
				       start, 1);
	} else {
		part = min_t(unsigned int, n, io->num - start);
		r = vhost_in_order_put(vq, &io->slots[start], start, part);
		if (!r && part < n)
			r = vhost_in_order_put(vq, io->slots, 0, n - part);
	}
	if (unlikely(r)) {
		vq_err(vq, "Failed to write used");
		return r;
	}

	/* Make sure the entries are written before the index. */
	smp_wmb();
	vq->last_used_idx = io->ready;
	if (vhost_put_used_idx(vq)) {
		vq->last_used_idx = first;
		vq_err(vq, "Failed to increment used idx");
		return -EFAULT;
	}
	if (unlikely(vq->log_used)) {
		/* Make sure used idx is seen before log. */
		smp_wmb();
		log_used(vq, offsetof(struct vring_used, idx),
			 sizeof(vq->used->idx));
		if (vq->log_ctx)
			eventfd_signal(vq->log_ctx);
	}
	/* As in stock vhost: a very long silence may wrap signalled_used. */
	if (unlikely((u16)(io->ready - vq->signalled_used) < n))
		vq->signalled_used_valid = false;

	vhost_signal(vq->dev, vq);
	return n;
}
EXPORT_SYMBOL_GPL(vhost_in_order_publish);

/**
 * vhost_in_order_completed_end() - sequence just past the last completion
 * @vq: the virtqueue
 *
 * Every buffer completed so far, published, ready or parked behind a gap,
 * has a sequence before this one.  A device that must not answer
 * something before the guest can see earlier completions (vhost-scsi's
 * TMF responses) records it, then waits for vhost_in_order_ready_to().
 *
 * Context: vq->mutex held.
 * Return: that sequence; vq->last_used_idx if @vq has no window.
 */
u16 vhost_in_order_completed_end(struct vhost_virtqueue *vq)
{
	struct vhost_in_order *io = vq->in_order;
	u16 end;

	lockdep_assert_held(&vq->mutex);
	if (!io)
		return vq->last_used_idx;
	if (!io->parked)
		return io->ready;
	/* A discard may have taken the latest parked buffer back. */
	end = io->parked_end;
	if ((u16)(end - vq->last_used_idx) >
	    (u16)(vq->last_avail_idx - vq->last_used_idx))
		end = vq->last_avail_idx;
	return end;
}
EXPORT_SYMBOL_GPL(vhost_in_order_completed_end);

/**
 * vhost_in_order_ready_to() - does the completed run reach a sequence?
 * @vq: the virtqueue
 * @end: a sequence from vhost_in_order_completed_end()
 *
 * True once every buffer before @end is completed and none of them waits
 * for an earlier one: the run is published, or is being published by the
 * code that completed it (a publish that faulted does not hold it back:
 * the guest is told through vq_err() instead).  @end is compared with the
 * buffers still in flight, so the answer stays true as the queue moves on;
 * a caller that waits should ask again at least once per publish of the
 * queue and remember the first true (16-bit sequences wrap).
 *
 * Context: vq->mutex held.
 * Return: true if nothing before @end is held back; always true without a
 * window.
 */
bool vhost_in_order_ready_to(struct vhost_virtqueue *vq, u16 end)
{
	struct vhost_in_order *io = vq->in_order;
	u16 ahead;

	lockdep_assert_held(&vq->mutex);
	if (!io)
		return true;
	/* Not reached: @end lies past the run, among the buffers in flight. */
	ahead = end - io->ready;
	return !ahead || ahead > (u16)(vq->last_avail_idx - io->ready);
}
EXPORT_SYMBOL_GPL(vhost_in_order_ready_to);

/**
 * vhost_in_order_features_ok() - may VHOST_SET_FEATURES ack these now?
 * @dev: the vhost device
 * @features: the features about to be acked
 *
 * A queue gets or drops its window when its backend starts
 * (vhost_vq_init_access()), and only then.  Acking or clearing
 * VIRTIO_F_IN_ORDER while a backend runs would leave the queue publishing
 * one way to a driver that reads the other: single-entry batches read as
 * stale slots, or completion order read as ring order.  A VMM renegotiates
 * with the backend stopped; toggling VHOST_F_LOG_ALL for migration keeps
 * the bit and is unaffected.
 *
 * The acked bit is compared, not the window: a queue left without one by a
 * failed restart (vhost-net keeps the old socket running) still takes the
 * LOG_ALL toggles of a migration.
 *
 * Context: dev->mutex held, as VHOST_SET_FEATURES handlers hold it; takes
 * each vq->mutex in turn.
 * Return: 0, or -EBUSY if a set-up queue with a backend would change mode.
 */
int vhost_in_order_features_ok(struct vhost_dev *dev, u64 features)
{
	bool want = features & BIT_ULL(VIRTIO_F_IN_ORDER);
	int i, r = 0;

	lockdep_assert_held(&dev->mutex);
	for (i = 0; i < dev->nvqs && !r; i++) {
		struct vhost_virtqueue *vq = dev->vqs[i];

		mutex_lock(&vq->mutex);
		if (vhost_vq_get_backend(vq) && vhost_vq_is_setup(vq) &&
		    vhost_has_feature(vq, VIRTIO_F_IN_ORDER) != want)
			r = -EBUSY;
		mutex_unlock(&vq->mutex);
	}
	return r;
}
EXPORT_SYMBOL_GPL(vhost_in_order_features_ok);

/**
 * vhost_add_used_seq() - use one buffer, in ring order if the queue is
 * @vq: the virtqueue
 * @seq: the buffer's sequence (vhost_in_order_last_seq() at fetch)
 * @head: the buffer's head descriptor index
 * @len: bytes written into the buffer
 *
 * With a window the buffer is completed there, and the guest sees it at the
 * next vhost_signal_used(); without one this is vhost_add_used(), so a
 * driver converted to this pair behaves exactly as before when
 * VIRTIO_F_IN_ORDER is not negotiated.
 *
 * Context: vq->mutex held.
 * Return: 0, or a negative error from vhost_in_order_complete() or
 * vhost_add_used().
 */
int vhost_add_used_seq(struct vhost_virtqueue *vq, u16 seq, unsigned int head,
		       int len)
{
	if (vhost_in_order_active(vq))
		return vhost_in_order_complete(vq, seq, head, len);
	return vhost_add_used(vq, head, len);
}
EXPORT_SYMBOL_GPL(vhost_add_used_seq);

/**
 * vhost_signal_used() - let the guest know about used buffers
 * @dev: the vhost device
 * @vq: the virtqueue
 * @mode: with a window, how the run is written (see &enum vhost_used_batch)
 *
 * With a window: vhost_in_order_publish(), which signals once for the whole
 * run.  Without: vhost_signal().
 *
 * Context: vq->mutex held when @vq has a window.
 */
void vhost_signal_used(struct vhost_dev *dev, struct vhost_virtqueue *vq,
		       enum vhost_used_batch mode)
{
	if (vhost_in_order_active(vq))
		vhost_in_order_publish(vq, mode);
	else
		vhost_signal(dev, vq);
}
EXPORT_SYMBOL_GPL(vhost_signal_used);

/*
 * From vhost_vq_init_access(), a backend was set: the window exists exactly
 * when VIRTIO_F_IN_ORDER is negotiated, sized for the current ring, and
 * starts empty at the used index just read from the ring.
 */
int vhost_in_order_setup(struct vhost_virtqueue *vq)
{
	struct vhost_in_order *io = vq->in_order;
	size_t bytes;

	if (!vhost_has_feature(vq, VIRTIO_F_IN_ORDER)) {
		vhost_in_order_free(vq);
		return 0;
	}
	if (!io || io->num != vq->num) {
		vhost_in_order_free(vq);
		bytes = size_add(struct_size(io, slots, vq->num),
				 BITS_TO_LONGS(vq->num) * sizeof(long));
		io = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
		if (!io)
			return -ENOMEM;
		io->num = vq->num;
		io->parked_map = (unsigned long *)&io->slots[vq->num];
		vq->in_order = io;
	}
	vhost_in_order_reset(vq);
	return 0;
}

/*
 * The ring position moved under the window (VHOST_SET_VRING_BASE, a new
 * backend): whatever was completed and not published belongs to buffers
 * the device no longer owns.
 */
void vhost_in_order_reset(struct vhost_virtqueue *vq)
{
	struct vhost_in_order *io = vq->in_order;

	if (!io)
		return;
	io->ready = vq->last_used_idx;
	io->head_known = false;
	if (io->parked)
		bitmap_zero(io->parked_map, io->num);
	io->parked = 0;
}

/*
 * vhost_get_vq_desc() was undone for the @n buffers from vq->last_avail_idx
 * on: they will be fetched again under the same sequences, so none of them
 * may stay completed.
 */
void vhost_in_order_discard(struct vhost_virtqueue *vq, unsigned int n)
{
	struct vhost_in_order *io = vq->in_order;
	u16 seq = vq->last_avail_idx;
	unsigned int i;

	if (!io)
		return;
	/* The next head is read from the ring again, not rewound. */
	io->head_known = false;
	if ((u16)(io->ready - vq->last_used_idx) >
	    (u16)(seq - vq->last_used_idx))
		io->ready = seq;
	for (i = 0; io->parked && i < min(n, io->num); i++, seq++) {
		if (__test_and_clear_bit(seq & (io->num - 1), io->parked_map))
			io->parked--;
	}
}

void vhost_in_order_free(struct vhost_virtqueue *vq)
{
	kvfree(vq->in_order);
	vq->in_order = NULL;
}

/*
 * The avail-ring read that in order saves, kept out of line so tracing can
 * count how often it still happens (make bench does, with a kprobe).
 */
static noinline int vhost_in_order_read_head(struct vhost_virtqueue *vq,
					     __virtio16 *head, u16 idx)
{
	return vhost_get_avail_head(vq, head, idx);
}

/*
 * From vhost_get_vq_desc(), in place of reading avail->ring[@idx]: with
 * VIRTIO_F_IN_ORDER the driver places descriptors in ring order (virtio
 * 1.3, 2.7.9), so the next buffer's head follows from the previous one.
 * The ring is read when that is not known: for the first buffer after the
 * window was set up or reset (VHOST_SET_VRING_BASE), and after a discard.
 * A driver that breaks the rule gets its own descriptors misread, nothing
 * else: the head stays below vq->num.
 */
int vhost_in_order_get_head(struct vhost_virtqueue *vq, __virtio16 *head,
			    u16 idx)
{
	struct vhost_in_order *io = vq->in_order;

	if (likely(io && io->head_known)) {
		*head = cpu_to_vhost16(vq, io->next_head);
		return 0;
	}
	if (io)
		return vhost_in_order_read_head(vq, head, idx);
	return vhost_get_avail_head(vq, head, idx);
}

/*
 * From vhost_get_vq_desc(), on success: the buffer at @head took @slots
 * descriptor-table entries (an indirect table takes one).
 */
void vhost_in_order_fetched(struct vhost_virtqueue *vq, unsigned int head,
			    unsigned int slots)
{
	struct vhost_in_order *io = vq->in_order;

	if (io) {
		io->next_head = (head + slots) & (io->num - 1);
		io->head_known = true;
	}
}
