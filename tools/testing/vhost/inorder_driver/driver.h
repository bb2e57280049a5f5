/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inorder_driver: a userspace virtio driver for /dev/vhost-*, and a strict
 * checker of how the device uses buffers.
 */
#ifndef INORDER_DRIVER_H
#define INORDER_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/virtio_ring.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef VIRTIO_F_IN_ORDER
#define VIRTIO_F_IN_ORDER 35
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define EXIT_VIOLATION 1
#define EXIT_SETUP 2
#define EXIT_SKIP 77

/* A skipped buffer of a single-entry batch: its length is implied. */
#define LEN_IMPLIED 0xffffffffu

enum violation {
	V_NONE,
	V_NOT_A_HEAD,		/* used id names no outstanding buffer */
	V_IDX_BACKWARDS,	/* used->idx moved back */
	V_IDX_PAST_OUTSTANDING,	/* used->idx passed what was made available */
	V_OUT_OF_ORDER,		/* an entry names a buffer beyond used->idx */
	V_USED_TWICE,		/* an entry names a buffer already used */
	V_BAD_LEN,		/* a length the device cannot have written */
	V_SKIPPED_LEN,		/* a batch skipped lengths the driver needs */
	V_DATA,			/* bytes or counts differ from what was sent */
	V_STUCK,		/* no progress, or a worker busy with nothing */
	V_COUNT,
};

extern const char *const violation_names[V_COUNT];

struct opts {
	const char *dev;
	unsigned int num;
	unsigned long buffers;
	unsigned int chain;
	bool in_order;
	bool event_idx;
	bool indirect;
	bool mrg_rxbuf;
	unsigned int rx_buf;
	unsigned int depth;
	bool tmf;		/* scsi: TMFs and an AN query mid-flight */
	bool reset;		/* scsi: endpoint cleared and set mid-flight */
	bool unlink;		/* scsi: a LUN unlinked and relinked mid-flight */
	bool release;		/* scsi: the device closed mid-flight */
	bool starve;		/* net: RX frames offered too few buffers first */
	unsigned int busy_poll;	/* net: busy-loop timeout, microseconds */
	unsigned int sndbuf;	/* net: tap send buffer, 0 for unlimited */
	bool bench;		/* print a "bench:" line of measurements */
	unsigned int luns;	/* scsi: LUN 0 (rd_mcp) only, or LUNs 0 and 1 */
	bool hostile;		/* malformed requests and VMM misuse mid-run */
	bool held_lun;		/* scsi: a LUN RESET while LUN 2's backend holds */
	const char *fuzz;	/* --fuzz CLASS: hostile episodes (fuzz.c) */
	const char *faults;	/* --faults CLASS: injected kernel faults (faults.c) */
	u64 seed;
	unsigned long episodes;
	long episode;		/* replay this one only, or -1 */
};

/* One buffer made available, in avail order. */
struct pending {
	u16 head;
	u16 slots;		/* descriptor-table slots it occupies */
	u32 len;		/* bytes the device may write */
	bool done;		/* used (out-of-order mode only) */
};

struct ring;
typedef void (*used_fn)(struct ring *r, u16 seq, u32 len, void *ctx);

/*
 * The driver's side of one split virtqueue.
 *
 * Descriptors are placed in ring order, as VIRTIO_F_IN_ORDER requires, and
 * given back in order: a buffer's descriptors are reused only once every
 * earlier buffer was used too.
 */
struct ring {
	unsigned int num;
	unsigned int chain;	/* descriptors (or indirect entries) at most */
	unsigned int buf_len;	/* bytes behind each descriptor */
	bool indirect;
	bool in_order;		/* negotiated: check the strict rules */
	bool every_len;		/* the driver needs every length (RX) */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	struct vring_desc *tables;
	u8 *data;
	void *mem;
	size_t mem_size;
	u16 avail_idx;		/* next avail position */
	u16 used_seen;		/* first buffer not yet retired */
	u16 read_end;		/* next used entry (out-of-order reader) */
	u16 last_idx;		/* used->idx at the previous read */
	u16 free_desc;		/* next descriptor slot */
	unsigned int free_slots;
	struct pending *q;	/* indexed by avail position */
	used_fn on_used;
	void *ctx;
	/* what the device did */
	unsigned long posted, used_bufs, entries, single_batches, largest;
	unsigned long out_of_order;
	enum violation violation;
	char detail[200];
};

/* Record the first violation; snprintf() checks the format. */
#define fail(r, v, ...) do {						\
	struct ring *_r = (r);						\
									\
	if (!_r->violation) {						\
		_r->violation = (v);					\
		snprintf(_r->detail, sizeof(_r->detail), __VA_ARGS__);	\
	}								\
} while (0)

int ring_init(struct ring *r, unsigned int num, unsigned int chain,
	      unsigned int buf_len, bool indirect);
void ring_free(struct ring *r);
bool ring_room(struct ring *r, u32 out, u32 in);
int ring_post(struct ring *r, u32 out, u32 in);
int ring_post_descs(struct ring *r, const struct vring_desc *d, unsigned int n, u32 in);
int ring_used_writable(struct ring *r, bool writable);
u8 *ring_buf(struct ring *r, u16 head);
u8 *ring_in_buf(struct ring *r, u16 head, u32 out);
unsigned int ring_outstanding(struct ring *r);
void ring_consume(struct ring *r, u32 max_len);
void ring_report(struct ring *r, const char *name);

u64 vhost_ring_features(const struct opts *o);
int vhost_open(const char *path, u64 want, u64 *negotiated, bool in_order);
int vhost_set_mem(int fd, struct ring **rings, int n);
int vhost_setup_vq(int fd, unsigned int index, struct ring *r, int kick,
		   int call);
int vhost_expect_busy(int fd, u64 features, const char *dev);

extern unsigned long vhost_signals;
int vhost_kick(int kick);
int vhost_wait(struct ring **rings, int n, int call, int ms);

int net_frame_check(struct ring *r, unsigned long i, const u8 *got, size_t glen);
void worker_idle_check(struct ring *r, long cpu_ms, long wall_ms);

int run_test(const struct opts *o);
int run_net(const struct opts *o);
int run_scsi(const struct opts *o);
int self_test(void);
int run_fuzz(const struct opts *o);
int run_faults(const struct opts *o);

#endif
