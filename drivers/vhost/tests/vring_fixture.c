// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: a split ring in user memory mapped into the KUnit thread
 * (kunit_vm_mmap()), a vhost device owned by that thread, and the driver's
 * side of the ring written by the test.  The device's side is the real
 * vhost core: vhost_get_vq_desc(), the VHOST_SET_VRING_BASE ioctl,
 * vhost_vq_init_access() and the in-order writer.
 */

#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include "vring_fixture.h"

/* Every descriptor points at the same bytes: the tests check the ring. */
#define VRING_FIXTURE_BUF_LEN 64
/* Indirect tables live in the second half of the scratch page. */
#define VRING_FIXTURE_INDIRECT (PAGE_SIZE / 2)

KUNIT_DEFINE_ACTION_WRAPPER(vring_fixture_cleanup, vhost_dev_cleanup,
			    struct vhost_dev *);

static void __user *vring_fixture_map(struct kunit *test, size_t size)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, size, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0, "no user mm for the test");
	KUNIT_ASSERT_LT(test, addr, (unsigned long)TASK_SIZE);
	return (void __user *)addr;
}

/* Stop the backend, move the ring to @base, start the backend again. */
void vring_fixture_set_base(struct vring_fixture *f, u16 base)
{
	struct vhost_vring_state s = { .index = 0, .num = base };
	struct vhost_virtqueue *vq = &f->vq;
	struct kunit *test = f->test;

	mutex_lock(&f->dev.mutex);
	mutex_lock(&vq->mutex);
	vhost_vq_set_backend(vq, NULL);
	mutex_unlock(&vq->mutex);

	KUNIT_ASSERT_EQ(test, put_user(cpu_to_vhost16(vq, base), &f->used->idx), 0);
	KUNIT_ASSERT_EQ(test, put_user(cpu_to_vhost16(vq, base), &f->avail->idx), 0);
	KUNIT_ASSERT_EQ(test, copy_to_user(f->scratch, &s, sizeof(s)), 0);
	KUNIT_ASSERT_EQ(test, vhost_vring_ioctl(&f->dev, VHOST_SET_VRING_BASE,
						f->scratch), 0);
	f->avail_idx = base;

	mutex_lock(&vq->mutex);
	vhost_vq_set_backend(vq, f);
	KUNIT_EXPECT_EQ(test, vhost_vq_init_access(vq), 0);
	vhost_disable_notify(&f->dev, vq);
	mutex_unlock(&vq->mutex);
	mutex_unlock(&f->dev.mutex);
}

/**
 * vring_fixture_create() - a started virtqueue over a ring in user memory
 * @test: the running test; everything is released when it ends
 * @num: ring size, a power of two up to 32768
 * @features: features the "driver" acked, besides VIRTIO_F_VERSION_1
 * @base: avail and used index the ring starts at
 *
 * Return: the fixture; the test is aborted if it cannot be built.
 */
struct vring_fixture *vring_fixture_create(struct kunit *test, unsigned int num,
					   u64 features, u16 base)
{
	size_t desc_size = num * sizeof(struct vring_desc);
	size_t avail_size = ALIGN(struct_size_t(struct vring_avail, ring, num) +
				  sizeof(__virtio16), 64);
	size_t used_size = struct_size_t(struct vring_used, ring, num) +
			   sizeof(__virtio16);
	struct vhost_iotlb *umem;
	struct vring_fixture *f;
	void __user *ring;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->test = test;
	f->num = num;

	ring = vring_fixture_map(test, desc_size + avail_size + used_size);
	f->desc = ring;
	f->avail = ring + desc_size;
	f->used = ring + desc_size + avail_size;
	f->log = vring_fixture_map(test, PAGE_SIZE);
	f->scratch = vring_fixture_map(test, PAGE_SIZE);
	f->buf = (u64)(uintptr_t)vring_fixture_map(test, PAGE_SIZE);

	f->vqs[0] = &f->vq;
	vhost_dev_init(&f->dev, f->vqs, 1, UIO_MAXIOV, 0, 0, false, NULL);
	KUNIT_ASSERT_EQ(test, vhost_dev_set_owner(&f->dev), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vring_fixture_cleanup,
							&f->dev), 0);

	/* The memory table: buffers and indirect tables, mapped 1:1. */
	umem = vhost_iotlb_alloc(16, 0);
	KUNIT_ASSERT_NOT_NULL(test, umem);
	f->dev.umem = umem;
	KUNIT_ASSERT_EQ(test, vhost_iotlb_add_range(umem, f->buf,
						    f->buf + PAGE_SIZE - 1,
						    f->buf, VHOST_MAP_RW), 0);
	KUNIT_ASSERT_EQ(test, vhost_iotlb_add_range(umem,
						    (uintptr_t)f->scratch,
						    (uintptr_t)f->scratch + PAGE_SIZE - 1,
						    (uintptr_t)f->scratch,
						    VHOST_MAP_RW), 0);

	mutex_lock(&f->vq.mutex);
	f->vq.umem = umem;
	f->vq.num = num;
	f->vq.desc = f->desc;
	f->vq.avail = f->avail;
	f->vq.used = f->used;
	f->vq.acked_features = features | BIT_ULL(VIRTIO_F_VERSION_1);
	mutex_unlock(&f->vq.mutex);

	vring_fixture_set_base(f, base);
	return f;
}

/**
 * vring_fixture_post() - the driver makes one buffer available
 * @f: the fixture
 * @ndesc: descriptors in the buffer's chain
 * @indirect: put the chain in an indirect table (one ring slot)
 *
 * Descriptors are placed in ring order, as VIRTIO_F_IN_ORDER requires.
 *
 * Return: the buffer's head.
 */
u16 vring_fixture_post(struct vring_fixture *f, unsigned int ndesc,
		       bool indirect)
{
	struct vhost_virtqueue *vq = &f->vq;
	struct vring_desc __user *table = f->desc;
	unsigned int mask = f->num - 1, k, first;
	u16 head = f->free_desc & mask;
	struct vring_desc d;

	first = head;
	if (indirect) {
		table = f->scratch + VRING_FIXTURE_INDIRECT;
		first = 0;
		d.addr = cpu_to_vhost64(vq, (uintptr_t)table);
		d.len = cpu_to_vhost32(vq, ndesc * sizeof(d));
		d.flags = cpu_to_vhost16(vq, VRING_DESC_F_INDIRECT);
		d.next = 0;
		KUNIT_ASSERT_EQ(f->test, copy_to_user(&f->desc[head], &d, sizeof(d)), 0);
	}
	for (k = 0; k < ndesc; k++) {
		unsigned int slot = indirect ? first + k : (first + k) & mask;
		bool more = k + 1 < ndesc;

		d.addr = cpu_to_vhost64(vq, f->buf);
		d.len = cpu_to_vhost32(vq, VRING_FIXTURE_BUF_LEN);
		d.flags = cpu_to_vhost16(vq, more ? VRING_DESC_F_NEXT : 0);
		d.next = cpu_to_vhost16(vq, indirect ? slot + 1 : (slot + 1) & mask);
		KUNIT_ASSERT_EQ(f->test, copy_to_user(&table[slot], &d, sizeof(d)), 0);
	}
	f->free_desc += indirect ? 1 : ndesc;

	KUNIT_ASSERT_EQ(f->test, put_user(cpu_to_vhost16(vq, head),
					  &f->avail->ring[f->avail_idx & mask]), 0);
	f->avail_idx++;
	KUNIT_ASSERT_EQ(f->test, put_user(cpu_to_vhost16(vq, f->avail_idx),
					  &f->avail->idx), 0);
	return head;
}

/**
 * vring_fixture_fetch() - the device takes the next available buffer
 * @f: the fixture
 * @seq: set to the buffer's sequence (avail position) on success
 *
 * Return: what vhost_get_vq_desc() returned.
 */
int vring_fixture_fetch(struct vring_fixture *f, u16 *seq)
{
	struct vhost_virtqueue *vq = &f->vq;
	unsigned int out, in;
	int head;

	mutex_lock(&vq->mutex);
	head = vhost_get_vq_desc(vq, vq->iov, ARRAY_SIZE(vq->iov), &out, &in,
				 NULL, NULL);
	if (head >= 0 && head < vq->num)
		*seq = vhost_in_order_last_seq(vq);
	mutex_unlock(&vq->mutex);
	return head;
}

/* One single-descriptor buffer, posted and fetched; returns its head. */
u16 vring_fixture_post_and_fetch(struct vring_fixture *f, u16 *seq)
{
	u16 head = vring_fixture_post(f, 1, false);

	KUNIT_ASSERT_EQ(f->test, vring_fixture_fetch(f, seq), head);
	return head;
}

/* @n single-descriptor buffers, posted and fetched in turn. */
void vring_fixture_take(struct vring_fixture *f, unsigned int n, u16 *seqs,
			u16 *heads)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		heads[k] = vring_fixture_post_and_fetch(f, &seqs[k]);
}

int vring_fixture_complete(struct vring_fixture *f, u16 seq,
			   unsigned int head, u32 len)
{
	int r;

	mutex_lock(&f->vq.mutex);
	r = vhost_in_order_complete(&f->vq, seq, head, len);
	mutex_unlock(&f->vq.mutex);
	return r;
}

int vring_fixture_publish(struct vring_fixture *f, enum vhost_used_batch mode)
{
	int r;

	mutex_lock(&f->vq.mutex);
	r = vhost_in_order_publish(&f->vq, mode);
	mutex_unlock(&f->vq.mutex);
	return r;
}

void vring_fixture_discard(struct vring_fixture *f, int n)
{
	mutex_lock(&f->vq.mutex);
	vhost_discard_vq_desc(&f->vq, n);
	mutex_unlock(&f->vq.mutex);
}

/* Overwrite avail->ring[@pos], as a driver breaking ring order would. */
void vring_fixture_set_avail_head(struct vring_fixture *f, u16 pos, u16 head)
{
	KUNIT_ASSERT_EQ(f->test, put_user(cpu_to_vhost16(&f->vq, head),
					  &f->avail->ring[pos & (f->num - 1)]), 0);
}

/* used->idx as the driver reads it. */
u16 vring_fixture_used_idx(struct vring_fixture *f)
{
	__virtio16 idx;

	KUNIT_ASSERT_EQ(f->test, get_user(idx, &f->used->idx), 0);
	return vhost16_to_cpu(&f->vq, idx);
}

void vring_fixture_used_elem(struct vring_fixture *f, unsigned int slot,
			     u32 *id, u32 *len)
{
	struct vring_used_elem e;

	KUNIT_ASSERT_EQ(f->test, copy_from_user(&e, &f->used->ring[slot],
						sizeof(e)), 0);
	*id = vhost32_to_cpu(&f->vq, e.id);
	*len = vhost32_to_cpu(&f->vq, e.len);
}

/* Fill every used entry with VRING_FIXTURE_POISON, to see what is written. */
void vring_fixture_poison_used(struct vring_fixture *f)
{
	__virtio32 p = cpu_to_vhost32(&f->vq, VRING_FIXTURE_POISON);
	unsigned int i;

	for (i = 0; i < f->num; i++) {
		KUNIT_ASSERT_EQ(f->test, put_user(p, &f->used->ring[i].id), 0);
		KUNIT_ASSERT_EQ(f->test, put_user(p, &f->used->ring[i].len), 0);
	}
}

/* Start dirty logging with the used ring at guest address 0. */
void vring_fixture_enable_log(struct vring_fixture *f)
{
	KUNIT_ASSERT_EQ(f->test, clear_user(f->log, PAGE_SIZE), 0);
	mutex_lock(&f->vq.mutex);
	f->vq.log_base = f->log;
	f->vq.log_addr = 0;
	f->vq.log_used = true;
	mutex_unlock(&f->vq.mutex);
}

/* Is dirty-log page @page (of the used ring) marked? */
bool vring_fixture_logged(struct vring_fixture *f, unsigned int page)
{
	u8 byte;

	KUNIT_ASSERT_EQ(f->test, get_user(byte, f->log + page / 8), 0);
	return byte & BIT(page % 8);
}
