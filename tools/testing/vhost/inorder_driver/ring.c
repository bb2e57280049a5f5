// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's side of a split ring, and the checker: what an in-order
 * driver may rely on, read the way the strictest readers read it.
 *
 * In order, the entry at the driver's current used slot names either the
 * next buffer or a later one: then every buffer up to it is used, the
 * skipped ones with implied lengths (Linux 7.0 reads it so).  used->idx
 * must cover that whole batch.  A driver that needs every length (DPDK's
 * in-order RX) must not be given a batch that skips any.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "driver.h"

const char *const violation_names[V_COUNT] = {
	[V_NONE] = "none",
	[V_NOT_A_HEAD] = "id is not an outstanding head",
	[V_IDX_BACKWARDS] = "used->idx moved backwards",
	[V_IDX_PAST_OUTSTANDING] = "used->idx past outstanding buffers",
	[V_OUT_OF_ORDER] = "buffer used before an earlier one",
	[V_USED_TWICE] = "buffer used twice",
	[V_BAD_LEN] = "impossible used length",
	[V_SKIPPED_LEN] = "batch skipped lengths the driver reads",
	[V_DATA] = "data differs from what was sent",
	[V_STUCK] = "device stalled or spun",
};

static size_t page_align(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

int ring_init(struct ring *r, unsigned int num, unsigned int chain,
	      unsigned int buf_len, bool indirect)
{
	size_t desc = page_align(num * sizeof(struct vring_desc));
	size_t avail = page_align(sizeof(struct vring_avail) + (num + 1) * 2);
	size_t used = page_align(sizeof(struct vring_used) +
				 num * sizeof(struct vring_used_elem) + 2);
	size_t tables = page_align((size_t)num * chain * sizeof(struct vring_desc));
	size_t data = (size_t)num * chain * buf_len;
	u8 *m;

	memset(r, 0, sizeof(*r));
	r->mem_size = desc + avail + used + tables + data;
	m = mmap(NULL, r->mem_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	r->q = calloc(65536, sizeof(*r->q));
	if (m == MAP_FAILED || !r->q)
		return -1;
	r->mem = m;
	r->num = num;
	r->chain = chain;
	r->buf_len = buf_len;
	r->indirect = indirect;
	r->desc = (void *)m;
	r->avail = (void *)(m + desc);
	r->used = (void *)(m + desc + avail);
	r->tables = (void *)(m + desc + avail + used);
	r->data = m + desc + avail + used + tables;
	r->free_slots = num;
	return 0;
}

void ring_free(struct ring *r)
{
	if (r->mem)
		munmap(r->mem, r->mem_size);
	free(r->q);
	r->mem = NULL;
	r->q = NULL;
}

/* Take write access to the used ring away (a VMM's mistake), or give it back. */
int ring_used_writable(struct ring *r, bool writable)
{
	size_t used = page_align(sizeof(struct vring_used) +
				 r->num * sizeof(struct vring_used_elem) + 2);

	return mprotect(r->used, used, PROT_READ | (writable ? PROT_WRITE : 0));
}

/* The bytes of the buffer whose head is @head: chain * buf_len of them. */
u8 *ring_buf(struct ring *r, u16 head)
{
	return r->data + (size_t)head * r->chain * r->buf_len;
}

unsigned int ring_outstanding(struct ring *r)
{
	return (u16)(r->avail_idx - r->used_seen);
}

/*
 * Make a buffer of @len bytes available.  A device-readable buffer's bytes
 * must already be at ring_buf(r->free_desc & (num - 1)), the head this
 * uses: fill it only after ring_room() said yes.  Returns the head, or -1
 * if the table is full.
 */
static unsigned int ndesc_for(struct ring *r, u32 len)
{
	return (len + r->buf_len - 1) / r->buf_len;
}

/* Is there room for a buffer of @out + @in bytes?  Check before filling. */
bool ring_room(struct ring *r, u32 out, u32 in)
{
	unsigned int ndesc = ndesc_for(r, out) + ndesc_for(r, in);

	return ndesc && ndesc <= r->chain && ring_outstanding(r) < r->num &&
	       r->free_slots >= (r->indirect ? 1 : ndesc);
}

/* Where the device-writable part of the buffer at @head starts. */
u8 *ring_in_buf(struct ring *r, u16 head, u32 out)
{
	return ring_buf(r, head) + (size_t)ndesc_for(r, out) * r->buf_len;
}

/*
 * Make a buffer available: @out bytes the device reads, then @in bytes it
 * may write, each part split into descriptors of at most buf_len.  The
 * bytes to read must already be at ring_buf(r->free_desc & (num - 1)), the
 * head this uses: fill them only after ring_room() said yes.  Returns the
 * head, or -1 if the table is full.
 */
int ring_post(struct ring *r, u32 out, u32 in)
{
	unsigned int mask = r->num - 1, nout = ndesc_for(r, out);
	unsigned int k, first, ndesc = nout + ndesc_for(r, in);
	u16 head = r->free_desc & mask;
	struct vring_desc *table = r->desc;
	u8 *bytes = ring_buf(r, head);

	if (!ring_room(r, out, in))
		return -1;
	first = head;
	if (r->indirect) {
		table = r->tables + (size_t)head * r->chain;
		first = 0;
		r->desc[head].addr = (uintptr_t)table;
		r->desc[head].len = ndesc * sizeof(struct vring_desc);
		r->desc[head].flags = VRING_DESC_F_INDIRECT;
		r->desc[head].next = 0;
	}
	for (k = 0; k < ndesc; k++) {
		unsigned int slot = r->indirect ? first + k : (first + k) & mask;
		bool writable = k >= nout;
		u32 part = writable ? in - (k - nout) * r->buf_len : out - k * r->buf_len;

		table[slot].addr = (uintptr_t)(bytes + (size_t)k * r->buf_len);
		table[slot].len = part < r->buf_len ? part : r->buf_len;
		table[slot].flags = (k + 1 < ndesc ? VRING_DESC_F_NEXT : 0) |
				    (writable ? VRING_DESC_F_WRITE : 0);
		table[slot].next = r->indirect ? slot + 1 : (slot + 1) & mask;
	}
	ndesc = r->indirect ? 1 : ndesc;
	r->free_desc += ndesc;
	r->free_slots -= ndesc;
	r->q[r->avail_idx] = (struct pending){ .head = head, .slots = ndesc, .len = in };
	r->avail->ring[r->avail_idx & mask] = head;
	r->avail_idx++;
	__atomic_store_n(&r->avail->idx, r->avail_idx, __ATOMIC_RELEASE);
	r->posted++;
	return head;
}

/*
 * Make a buffer of @n explicit descriptors available, in ring order and
 * not through an indirect table of ours: requests no well-behaved driver
 * makes (a writable TX descriptor, data behind an address that cannot be
 * mapped).  The caller gives addr, len, VRING_DESC_F_WRITE and
 * VRING_DESC_F_INDIRECT; chaining is done here.  @in is
 * what the device may write, for the checker.  Returns the head, or -1 if
 * the table is full.
 */
int ring_post_descs(struct ring *r, const struct vring_desc *d, unsigned int n, u32 in)
{
	unsigned int mask = r->num - 1, k;
	u16 head = r->free_desc & mask;

	if (!n || ring_outstanding(r) >= r->num || r->free_slots < n)
		return -1;
	for (k = 0; k < n; k++) {
		struct vring_desc *t = &r->desc[(head + k) & mask];

		*t = d[k];
		t->flags = (d[k].flags & (VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT)) |
			   (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		t->next = (head + k + 1) & mask;
	}
	r->free_desc += n;
	r->free_slots -= n;
	r->q[r->avail_idx] = (struct pending){ .head = head, .slots = n, .len = in };
	r->avail->ring[r->avail_idx & mask] = head;
	r->avail_idx++;
	__atomic_store_n(&r->avail->idx, r->avail_idx, __ATOMIC_RELEASE);
	r->posted++;
	return head;
}

/* Retire buffers from the front, giving their descriptors back in order. */
static void retire(struct ring *r, u16 end)
{
	while (r->used_seen != end) {
		r->free_slots += r->q[r->used_seen].slots;
		r->used_seen++;
		r->used_bufs++;
	}
}

static void deliver(struct ring *r, u16 seq, u32 len)
{
	if (r->on_used)
		r->on_used(r, seq, len, r->ctx);
}

/* An in-order entry that names none of the buffers used->idx covers. */
static void report_unknown(struct ring *r, u32 id, u16 covered, u16 outstanding)
{
	unsigned long j;
	u16 k;

	for (k = covered; k < outstanding; k++)
		if (r->q[(u16)(r->used_seen + k)].head == id) {
			fail(r, V_OUT_OF_ORDER,
			     "entry at %u names buffer %u, used->idx covers %u",
			     r->used_seen, (u16)(r->used_seen + k), covered);
			return;
		}
	for (j = 1; j <= r->used_bufs && j <= r->num; j++)
		if (r->q[(u16)(r->used_seen - j)].head == id) {
			fail(r, V_USED_TWICE, "entry at %u names buffer %u again",
			     r->used_seen, (u16)(r->used_seen - j));
			return;
		}
	fail(r, V_NOT_A_HEAD, "entry at %u: id %u", r->used_seen, id);
}

static void consume_in_order(struct ring *r, u16 idx, u16 outstanding, u32 max_len)
{
	u16 mask = r->num - 1;

	while (r->used_seen != idx && !r->violation) {
		struct vring_used_elem e = r->used->ring[r->used_seen & mask];
		u16 k, n = idx - r->used_seen, first = r->used_seen;

		for (k = 0; k < n; k++)
			if (r->q[(u16)(first + k)].head == e.id)
				break;
		if (k == n) {
			report_unknown(r, e.id, n, outstanding);
			return;
		}
		if (e.len > max_len || e.len > r->q[(u16)(first + k)].len) {
			fail(r, V_BAD_LEN, "entry at %u: len %u (max %u, offered %u)",
			     first, e.len, max_len, r->q[(u16)(first + k)].len);
			return;
		}
		if (k && r->every_len) {
			fail(r, V_SKIPPED_LEN, "entry at %u covers %u buffers", first, k + 1);
			return;
		}
		r->entries++;
		r->single_batches += k > 0;
		if (k + 1UL > r->largest)
			r->largest = k + 1;
		retire(r, first + k + 1);
		for (u16 j = 0; j < k; j++)
			deliver(r, first + j, LEN_IMPLIED);
		deliver(r, first + k, e.len);
	}
}

static void consume_any_order(struct ring *r, u16 idx, u16 outstanding, u32 max_len)
{
	u16 mask = r->num - 1;

	while (r->read_end != idx && !r->violation) {
		struct vring_used_elem e = r->used->ring[r->read_end & mask];
		struct pending *p = NULL;
		u16 k;

		for (k = 0; k < outstanding; k++) {
			p = &r->q[(u16)(r->used_seen + k)];
			if (p->head == e.id && !p->done)
				break;
		}
		if (k == outstanding) {
			fail(r, V_NOT_A_HEAD, "entry at %u: id %u", r->read_end, e.id);
			return;
		}
		if (e.len > max_len || e.len > p->len) {
			fail(r, V_BAD_LEN, "entry at %u: len %u", r->read_end, e.len);
			return;
		}
		if ((u16)(r->used_seen + k) != r->read_end)
			r->out_of_order++;
		p->done = true;
		r->entries++;
		r->read_end++;
		deliver(r, r->used_seen + k, e.len);
		while (r->used_seen != r->avail_idx && r->q[r->used_seen].done) {
			r->q[r->used_seen].done = false;
			retire(r, r->used_seen + 1);
		}
	}
}

/* Read what the device used since the last call. */
void ring_consume(struct ring *r, u32 max_len)
{
	u16 idx = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
	u16 outstanding = ring_outstanding(r);
	u16 base = r->in_order ? r->used_seen : r->read_end;

	if ((u16)(idx - r->last_idx) > r->num) {
		fail(r, V_IDX_BACKWARDS, "used->idx %u after %u", idx, r->last_idx);
		return;
	}
	if ((u16)(idx - base) > (u16)(r->avail_idx - base)) {
		fail(r, V_IDX_PAST_OUTSTANDING, "used->idx %u, %u buffers outstanding from %u",
		     idx, outstanding, base);
		return;
	}
	r->last_idx = idx;
	if (r->in_order)
		consume_in_order(r, idx, outstanding, max_len);
	else
		consume_any_order(r, idx, outstanding, max_len);
}

void ring_report(struct ring *r, const char *name)
{
	printf("%s: %lu buffers, %lu used entries, %lu single-entry batches, ",
	       name, r->used_bufs, r->entries, r->single_batches);
	printf("largest batch %lu, %lu out of order\n", r->largest, r->out_of_order);
}
