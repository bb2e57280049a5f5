// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vhost-scsi in front of an LIO target (set up through configfs by
 * suite.sh): TEST UNIT READY and READ CAPACITY on each LUN, then WRITE(10)
 * and READ(10) mixed at queue depth, every read checked against the
 * generation last written to those blocks.  Blocks are handled in slots,
 * and no slot has two commands in flight, so any order of completion is
 * a correct one: what the device may reorder, the checker sees.
 *
 * Disruptions, each a switch: --tmf posts a LUN RESET, an ABORT TASK and an
 * AN query together on the control queue while I/O is in flight (the TMF
 * is answered asynchronously, the AN query at once: in order, the TMF must
 * still be used first); --reset clears the endpoint mid-flight, checks
 * that every fetched request was used exactly once and that the ring base
 * agrees, then sets it again; --unlink removes LUN 1 from the target
 * mid-flight and links it back, with hotplug negotiated so that the event
 * queue must deliver a REMOVED and a RESCAN event for it, in that order;
 * --release closes the device mid-flight,
 * which must return, and ends the run.  Commands in flight across a disruption
 * are not verified (vhost-scsi answers a command aborted by a LUN RESET
 * with whatever status it had, data moved or not, and the guest's SCSI
 * layer counts it as aborted); they must still be used, once, in order.
 *
 * --hostile, before the I/O: control requests of an unknown type and with
 * no readable type, which must be used (nothing written) ahead of an AN
 * query; a WRITE whose data lies behind an address the device cannot map,
 * which must be answered as failed, never as GOOD, and leave the blocks as
 * they were; the in_order parameter written at runtime, after which the
 * VHOST_F_LOG_ALL toggle of a migration must still be accepted; the
 * endpoint set on a read-only used ring, which must fail; and
 * VHOST_SET_FEATURES without VIRTIO_F_IN_ORDER, which must be refused
 * while the endpoint is set.
 *
 * --held-lun: LUN 2 is a block device whose I/O takes seconds (lio.sh).
 * One READ to it, then WRITEs to LUN 0, which complete at once but wait,
 * in order, behind the READ; then a LUN RESET of LUN 0.  Its answer must
 * not arrive while those completed WRITEs are still invisible: a guest
 * would take them as aborted and reuse their tags.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/vhost.h>
#include <linux/virtio_scsi.h>

#include "driver.h"

#define SCSI_WWPN "naa.5001405000000001"
/* LUN 1 as lio.sh links it */
#define LUN1_LINK "/sys/kernel/config/target/vhost/" SCSI_WWPN "/tpgt_1/lun/lun_1/fio0"
#define LUN1_TARGET "/sys/kernel/config/target/core/fileio_0/fio0"
#define IN_ORDER_PARAM "/sys/module/vhost_scsi/parameters/in_order"
#define HOLE_LEN 8192	/* in the memory table, never mapped by the guest */
#define GEN_UNKNOWN 0xffffffffu	/* a write that failed: contents unknown */
#define SLOT_BLOCKS 8
#define DATA_MAX (SLOT_BLOCKS * 512)
#define REQ_LEN sizeof(struct virtio_scsi_cmd_req)
#define RESP_LEN sizeof(struct virtio_scsi_cmd_resp)
#define IO_BUF_LEN 4352		/* one descriptor for each part */
#define MAX_LUNS 4
#define WORKING_SLOTS 256	/* small enough that reads find written slots */

struct lun {
	unsigned int id;
	u32 block;
	u64 blocks;
	unsigned int nslots;
	u32 *gen;		/* generation written to each slot, 0: never */
	bool *busy;
};

struct cmd {
	bool used;
	u8 op;
	int lun;
	u32 slot;
	u32 gen;
	u32 out;		/* bytes the device reads */
	bool unverified;	/* in flight across a disruption */
	bool must_fail;		/* not carried out: never answered GOOD */
	u64 submitted;		/* ns, for --bench */
	struct virtio_scsi_cmd_resp resp;
};

struct scsi {
	struct ring io, ctl, evt;
	int fd;
	u64 features;
	u8 *hole;		/* --hostile: mapped PROT_NONE */
	unsigned long failed_as_expected;
	int kick;
	int ctl_kick;
	int call;
	bool tmf_pending;	/* a LUN RESET not answered yet */
	u16 tmf_seq;		/* its control-queue position */
	unsigned long unverified;
	unsigned long unit_attentions;
	unsigned int ctl_done;	/* control requests answered as expected */
	unsigned int ctl_want;	/* wait_for(): ctl_done to reach */
	u16 hostile_head;	/* wait_for(): the unmappable WRITE */
	int evt_kick;
	unsigned int events;	/* hotplug events seen, in order */
	struct lun luns[MAX_LUNS];
	int nluns;
	struct cmd *cmds;	/* by head */
	u64 rnd;
	unsigned long reads, writes, bytes;
	u32 *lat_us;		/* --bench: latency of each I/O command */
	unsigned long nlat, maxlat;
};

static u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (u64)t.tv_sec * 1000000000 + t.tv_nsec;
}

static u64 next_rnd(struct scsi *s)
{
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 7;
	s->rnd ^= s->rnd << 17;
	return s->rnd;
}

/* The bytes of slot @slot of @lun at generation @gen. */
static void fill(u8 *p, size_t len, int lun, u32 slot, u32 gen)
{
	size_t k;

	for (k = 0; k < len; k += 8) {
		u64 w = ((u64)lun << 56 | (u64)slot << 24 | gen) ^ (k * 0x9e3779b97f4a7c15ULL);

		memcpy(p + k, &w, 8);
	}
}

static void put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * Queue one command: @cdb (its length from the opcode), @wr bytes of data
 * out (already after the request in the buffer), @rd bytes of data in.
 * Returns the head, or -1 if the ring is full.
 */
static int submit(struct scsi *s, int lun, const u8 *cdb, u32 wr, u32 rd,
		  u32 slot, u32 gen)
{
	struct ring *r = &s->io;
	u16 head = r->free_desc & (r->num - 1);
	struct virtio_scsi_cmd_req req = { .task_attr = VIRTIO_SCSI_S_SIMPLE };
	unsigned int id = s->luns[lun].id;
	u8 *b = ring_buf(r, head);

	if (!ring_room(r, REQ_LEN + wr, RESP_LEN + rd))
		return -1;
	req.lun[0] = 1;
	req.lun[1] = 1;		/* tpgt */
	req.lun[2] = 0x40 | (id >> 8);
	req.lun[3] = id & 0xff;
	req.tag = r->avail_idx;
	memcpy(req.cdb, cdb, 16);
	memcpy(b, &req, REQ_LEN);
	if (wr)
		fill(b + REQ_LEN, wr, lun, slot, gen);
	memset(ring_in_buf(r, head, REQ_LEN + wr), 0, RESP_LEN + rd);
	s->cmds[head] = (struct cmd){
		.op = cdb[0], .lun = lun, .slot = slot, .gen = gen, .out = REQ_LEN + wr,
		.unverified = s->tmf_pending,
		.submitted = s->lat_us ? now_ns() : 0,
	};
	return ring_post(r, REQ_LEN + wr, RESP_LEN + rd);
}

/* One command done: its response, and for a READ its data, are checked. */
static void io_used(struct ring *r, u16 seq, u32 len, void *ctx)
{
	struct scsi *s = ctx;
	u16 head = r->q[seq].head;
	struct cmd *c = &s->cmds[head];
	u8 *in = ring_in_buf(r, head, c->out);
	struct lun *l = &s->luns[c->lun];

	(void)len;		/* vhost-scsi reports no length: the response counts */
	memcpy(&c->resp, in, RESP_LEN);
	c->used = true;
	if (c->must_fail) {
		l->busy[c->slot] = false;
		if (c->resp.response == VIRTIO_SCSI_S_OK && !c->resp.status)
			fail(r, V_DATA, "LUN %u: a WRITE not carried out answered GOOD", l->id);
		else
			s->failed_as_expected++;
		return;
	}
	if (c->op != 0x28 && c->op != 0x2a)
		return;
	/* Latency as the driver sees it: submitted to seen used. */
	if (s->lat_us && s->nlat < s->maxlat)
		s->lat_us[s->nlat++] = (now_ns() - c->submitted) / 1000;
	l->busy[c->slot] = false;
	if (c->unverified) {
		s->unverified++;
		if (c->op == 0x2a)
			l->gen[c->slot] = GEN_UNKNOWN;
		return;
	}
	/* After a LUN RESET the next command may get UNIT ATTENTION. */
	if (c->resp.response == VIRTIO_SCSI_S_OK && c->resp.status == 0x02 &&
	    (c->resp.sense[2] & 0xf) == 0x6) {
		s->unit_attentions++;
		if (c->op == 0x2a)
			l->gen[c->slot] = GEN_UNKNOWN;
		return;
	}
	if (c->resp.response != VIRTIO_SCSI_S_OK || c->resp.status) {
		fail(r, V_DATA, "LUN %u %s slot %u: response %u status %#x", l->id,
		     c->op == 0x28 ? "READ" : "WRITE", c->slot, c->resp.response,
		     c->resp.status);
		return;
	}
	if (c->op == 0x2a) {
		l->gen[c->slot] = c->gen;
		s->writes++;
	} else {
		u8 want[DATA_MAX];

		fill(want, DATA_MAX, c->lun, c->slot, c->gen);
		if (memcmp(want, in + RESP_LEN, DATA_MAX)) {
			fail(r, V_DATA, "LUN %u slot %u: read back differs from generation %u",
			     l->id, c->slot, c->gen);
			return;
		}
		s->reads++;
	}
	s->bytes += DATA_MAX;
}

static int wait_used(struct scsi *s)
{
	struct ring *rings[] = { &s->io, &s->ctl, &s->evt };

	if (!ring_outstanding(&s->io) && !ring_outstanding(&s->ctl))
		return 0;
	if (vhost_kick(s->kick))
		return -1;
	if (!vhost_wait(rings, 3, s->call, 5000) &&
	    __atomic_load_n(&s->io.used->idx, __ATOMIC_ACQUIRE) == s->io.last_idx &&
	    __atomic_load_n(&s->ctl.used->idx, __ATOMIC_ACQUIRE) == s->ctl.last_idx) {
		fail(&s->io, V_STUCK, "no completion for 5 s, %u commands, %u control in flight",
		     ring_outstanding(&s->io), ring_outstanding(&s->ctl));
		return -1;
	}
	ring_consume(&s->io, 0);
	ring_consume(&s->ctl, 0);
	ring_consume(&s->evt, sizeof(struct virtio_scsi_event));
	return s->io.violation || s->ctl.violation || s->evt.violation ? -1 : 0;
}

/* One command, waited for; retried on UNIT ATTENTION and friends. */
static int sync_cmd(struct scsi *s, int lun, const u8 *cdb, u32 rd, u8 *data)
{
	int tries, head;

	for (tries = 0; tries < 10; tries++) {
		head = submit(s, lun, cdb, 0, rd, 0, 0);
		if (head < 0)
			return -1;
		while (!s->cmds[head].used)
			if (wait_used(s))
				return -1;
		if (s->cmds[head].resp.response == VIRTIO_SCSI_S_OK &&
		    !s->cmds[head].resp.status) {
			if (data)
				memcpy(data, ring_in_buf(&s->io, head, REQ_LEN) + RESP_LEN, rd);
			return 0;
		}
	}
	fail(&s->io, V_DATA, "LUN %u: opcode %#x keeps failing (response %u status %#x)",
	     s->luns[lun].id, cdb[0], s->cmds[head].resp.response,
	     s->cmds[head].resp.status);
	return -1;
}

static int lun_setup(struct scsi *s, int lun)
{
	u8 tur[16] = { 0 }, cap[16] = { 0x25 }, data[8];
	struct lun *l = &s->luns[lun];

	if (sync_cmd(s, lun, tur, 0, NULL) || sync_cmd(s, lun, cap, 8, data))
		return -1;
	l->blocks = (u64)get_be32(data) + 1;
	l->block = get_be32(data + 4);
	if (l->block != 512 || l->blocks < SLOT_BLOCKS) {
		fail(&s->io, V_DATA, "LUN %u: %llu blocks of %u bytes", l->id,
		     (unsigned long long)l->blocks, l->block);
		return -1;
	}
	l->nslots = l->blocks / SLOT_BLOCKS;
	if (l->nslots > WORKING_SLOTS)
		l->nslots = WORKING_SLOTS;
	l->gen = calloc(l->nslots, sizeof(*l->gen));
	l->busy = calloc(l->nslots, sizeof(*l->busy));
	printf("scsi: LUN %u: %llu blocks of %u bytes\n", l->id,
	       (unsigned long long)l->blocks, l->block);
	return l->gen && l->busy ? 0 : -1;
}

/* A READ of a slot written before, or a WRITE of its next generation. */
static int submit_io(struct scsi *s)
{
	int lun = next_rnd(s) % s->nluns;
	struct lun *l = &s->luns[lun];
	u32 slot = next_rnd(s) % l->nslots, gen;
	u8 cdb[16] = { 0 };
	bool read;

	if (l->busy[slot])
		return 0;
	read = l->gen[slot] && l->gen[slot] != GEN_UNKNOWN && (next_rnd(s) & 1);
	gen = read ? l->gen[slot] : (l->gen[slot] == GEN_UNKNOWN ? 1 : l->gen[slot] + 1);
	cdb[0] = read ? 0x28 : 0x2a;
	put_be32(cdb + 2, slot * SLOT_BLOCKS);
	cdb[8] = SLOT_BLOCKS;
	if (submit(s, lun, cdb, read ? 0 : DATA_MAX, read ? DATA_MAX : 0, slot, gen) < 0)
		return -1;
	l->busy[slot] = true;
	return 1;
}

static int scsi_open(struct scsi *s, const struct opts *o)
{
	struct ring *ctl = &s->ctl, *evt = &s->evt;
	u64 want = vhost_ring_features(o), features;
	struct vhost_scsi_target t = { .abi_version = VHOST_SCSI_ABI_VERSION };
	struct ring hole = { 0 }, *rings[] = { ctl, evt, &s->io, &hole };
	int fd, i, kick[3];

	if (o->unlink)
		want |= 1ULL << VIRTIO_SCSI_F_HOTPLUG;
	fd = vhost_open("/dev/vhost-scsi", want, &features, o->in_order);
	if (fd < 0)
		return fd;
	if (ring_init(ctl, 8, 2, 128, false) || ring_init(evt, 8, 1, 64, false) ||
	    ring_init(&s->io, o->num, 2, IO_BUF_LEN, o->indirect))
		return -EXIT_SETUP;
	s->io.in_order = features & (1ULL << VIRTIO_F_IN_ORDER);
	s->ctl.in_order = s->io.in_order;
	s->evt.in_order = s->io.in_order;
	s->evt.every_len = true;	/* each event is read on its own */
	s->call = eventfd(0, EFD_NONBLOCK);
	if (o->hostile) {
		s->hole = mmap(NULL, HOLE_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s->hole == MAP_FAILED)
			return -EXIT_SETUP;
		hole.mem = s->hole;
		hole.mem_size = HOLE_LEN;
	}
	if (s->call < 0 || vhost_set_mem(fd, rings, o->hostile ? 4 : 3))
		return -EXIT_SETUP;
	for (i = 0; i < 3; i++) {
		kick[i] = eventfd(0, EFD_NONBLOCK);
		if (kick[i] < 0 || vhost_setup_vq(fd, i, rings[i], kick[i], s->call))
			return -EXIT_SETUP;
	}
	s->kick = kick[2];
	s->ctl_kick = kick[0];
	s->evt_kick = kick[1];
	s->fd = fd;
	s->features = features;
	snprintf(t.vhost_wwpn, sizeof(t.vhost_wwpn), "%s", SCSI_WWPN);
	if (ioctl(fd, VHOST_SCSI_SET_ENDPOINT, &t)) {
		printf("SKIP scsi: VHOST_SCSI_SET_ENDPOINT %s: %s (no LIO target?)\n",
		       SCSI_WWPN, strerror(errno));
		return -EXIT_SKIP;
	}
	return fd;
}

/* Hotplug events for LUN 1: REMOVED at unlink, then RESCAN at relink. */
static void evt_used(struct ring *r, u16 seq, u32 len, void *ctx)
{
	static const u32 reasons[] = { VIRTIO_SCSI_EVT_RESET_REMOVED,
				       VIRTIO_SCSI_EVT_RESET_RESCAN };
	struct virtio_scsi_event e;
	struct scsi *s = ctx;

	(void)len;		/* vhost-scsi writes 0: drivers read the event */
	memcpy(&e, ring_in_buf(r, r->q[seq].head, 0), sizeof(e));
	if (s->events >= ARRAY_SIZE(reasons) ||
	    (e.event & ~0x80000000u) != VIRTIO_SCSI_T_TRANSPORT_RESET ||
	    e.reason != reasons[s->events] || e.lun[3] != 1) {
		fail(r, V_DATA, "event %u: type %#x reason %u LUN %u, expected reason %u",
		     s->events, e.event, e.reason, e.lun[3],
		     s->events < ARRAY_SIZE(reasons) ? reasons[s->events] : 0);
		return;
	}
	s->events++;
}

/* What each control request must be answered with, by its avail position. */
static struct {
	u8 response;
	u8 offset;		/* of the response byte in the reply */
} ctl_expect[256];

static void ctl_used(struct ring *r, u16 seq, u32 len, void *ctx)
{
	struct scsi *s = ctx;
	u8 *in = ring_in_buf(r, r->q[seq].head, 64);
	u8 got = in[ctl_expect[(u8)seq].offset];

	(void)len;
	if (got != ctl_expect[(u8)seq].response) {
		fail(r, V_DATA, "control request %u: response %u, expected %u", seq,
		     got, ctl_expect[(u8)seq].response);
		return;
	}
	if (s->tmf_pending && seq == s->tmf_seq)
		s->tmf_pending = false;
	s->ctl_done++;
}

/* A TMF or AN request on the control queue, answered as @expect. */
static void ctl_post(struct scsi *s, u32 type, u32 subtype, u8 expect)
{
	struct ring *r = &s->ctl;
	u16 head = r->free_desc & (r->num - 1);
	u8 *b = ring_buf(r, head);

	if (!ring_room(r, 64, 64))
		return;
	memset(b, 0, 64);
	memcpy(b, &type, 4);
	if (type == VIRTIO_SCSI_T_TMF) {
		struct virtio_scsi_ctrl_tmf_req *t = (void *)b;

		t->subtype = subtype;
		t->lun[0] = 1;
		t->lun[1] = 1;
		t->lun[2] = 0x40;
		t->tag = 0;
	} else {
		struct virtio_scsi_ctrl_an_req *a = (void *)b;

		a->lun[0] = 1;
		a->lun[1] = 1;
		a->lun[2] = 0x40;
	}
	memset(ring_in_buf(r, head, 64), 0xee, 64);
	ctl_expect[(u8)r->avail_idx].response = expect;
	ctl_expect[(u8)r->avail_idx].offset = type == VIRTIO_SCSI_T_TMF ? 0 :
		offsetof(struct virtio_scsi_ctrl_an_resp, response);
	ring_post(r, type == VIRTIO_SCSI_T_TMF ? sizeof(struct virtio_scsi_ctrl_tmf_req) :
		  sizeof(struct virtio_scsi_ctrl_an_req),
		  type == VIRTIO_SCSI_T_TMF ? sizeof(struct virtio_scsi_ctrl_tmf_resp) :
		  sizeof(struct virtio_scsi_ctrl_an_resp));
}

static int disrupt_tmf(struct scsi *s)
{
	/* Anything submitted before the reset is answered may be aborted. */
	s->tmf_pending = true;
	s->tmf_seq = s->ctl.avail_idx;
	/* 6.12 performs LUN RESET only; ABORT TASK is rejected. */
	ctl_post(s, VIRTIO_SCSI_T_TMF, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET,
		 VIRTIO_SCSI_S_FUNCTION_SUCCEEDED);
	ctl_post(s, VIRTIO_SCSI_T_TMF, VIRTIO_SCSI_T_TMF_ABORT_TASK,
		 VIRTIO_SCSI_S_FUNCTION_REJECTED);
	ctl_post(s, VIRTIO_SCSI_T_AN_QUERY, 0, VIRTIO_SCSI_S_OK);
	printf("scsi: LUN RESET, ABORT TASK and AN query posted with %u commands in flight\n",
	       ring_outstanding(&s->io));
	return vhost_kick(s->ctl_kick);
}

/*
 * Clear the endpoint with commands in flight: when the ioctl returns every
 * request the device fetched must be used, once, and the ring base it
 * reports must be where used->idx stands.  Then set it again.
 */
static int disrupt_reset(struct scsi *s)
{
	struct vhost_scsi_target t = { .abi_version = VHOST_SCSI_ABI_VERSION };
	struct vhost_vring_state base = { .index = 2 };
	unsigned int before = ring_outstanding(&s->io);
	u16 used;

	snprintf(t.vhost_wwpn, sizeof(t.vhost_wwpn), "%s", SCSI_WWPN);
	if (ioctl(s->fd, VHOST_SCSI_CLEAR_ENDPOINT, &t) ||
	    ioctl(s->fd, VHOST_GET_VRING_BASE, &base))
		return -1;
	ring_consume(&s->io, 0);
	used = __atomic_load_n(&s->io.used->idx, __ATOMIC_ACQUIRE);
	printf("scsi: endpoint cleared with %u commands in flight: ", before);
	printf("base %u, used->idx %u, %u not fetched\n", base.num, used,
	       ring_outstanding(&s->io));
	if (base.num != used) {
		fail(&s->io, V_DATA, "after clearing the endpoint: base %u but used->idx %u",
		     base.num, used);
		return -1;
	}
	if (ioctl(s->fd, VHOST_SET_VRING_BASE, &base) ||
	    ioctl(s->fd, VHOST_SCSI_SET_ENDPOINT, &t))
		return -1;
	return 0;
}

/* Take LUN 1 away from the target with commands in flight, give it back. */
static int disrupt_unlink(struct scsi *s)
{
	unsigned int before = ring_outstanding(&s->io);
	int r;

	if (unlink(LUN1_LINK)) {
		fprintf(stderr, "inorder_driver: unlink %s: %s\n", LUN1_LINK, strerror(errno));
		return -1;
	}
	/* Relink whatever happened meanwhile: later runs need LUN 1. */
	r = wait_used(s);
	if (symlink(LUN1_TARGET, LUN1_LINK)) {
		fprintf(stderr, "inorder_driver: relink %s: %s\n", LUN1_LINK, strerror(errno));
		return -1;
	}
	if (r)
		return -1;
	printf("scsi: LUN 1 unlinked and relinked with %u commands in flight\n", before);
	return 0;
}

/* A control request vhost-scsi cannot parse: @out bytes, type @type. */
static void ctl_post_malformed(struct scsi *s, u32 type, u32 out)
{
	struct ring *r = &s->ctl;
	u8 *b = ring_buf(r, r->free_desc & (r->num - 1));

	if (!ring_room(r, out, 64))
		return;
	memset(b, 0, 64);
	memcpy(b, &type, 4);
	memset(ring_in_buf(r, r->free_desc & (r->num - 1), out), 0xee, 64);
	/* Used, with nothing written: the poison stays. */
	ctl_expect[(u8)r->avail_idx].response = 0xee;
	ctl_expect[(u8)r->avail_idx].offset = 0;
	ring_post(r, out, 64);
}

/* Wait until @done() says so, or the device stalls (a violation). */
static int wait_for(struct scsi *s, bool (*done)(struct scsi *s))
{
	while (!done(s))
		if (wait_used(s))
			return -1;
	return 0;
}

static bool ctl_answered(struct scsi *s)
{
	return s->ctl_done >= s->ctl_want;
}

static bool hostile_write_used(struct scsi *s)
{
	return s->cmds[s->hostile_head].used;
}

static int hostile_ctl(struct scsi *s)
{
	s->ctl_want = s->ctl_done + 3;
	ctl_post_malformed(s, 0x7777, 64);
	ctl_post_malformed(s, VIRTIO_SCSI_T_TMF, 2);	/* the type is cut short */
	ctl_post(s, VIRTIO_SCSI_T_AN_QUERY, 0, VIRTIO_SCSI_S_OK);
	if (vhost_kick(s->ctl_kick) || wait_for(s, ctl_answered))
		return -1;
	printf("hostile: scsi: malformed control requests used, then the AN query answered\n");
	return 0;
}

/* A WRITE of LUN 0 slot 0 whose data the device cannot map. */
static int hostile_unmappable(struct scsi *s)
{
	struct ring *r = &s->io;
	struct virtio_scsi_cmd_req req = { .task_attr = VIRTIO_SCSI_S_SIMPLE };
	struct vring_desc d[3];
	struct lun *l = &s->luns[0];
	u16 head = r->free_desc & (r->num - 1);
	u8 *b = ring_buf(r, head);
	int h;

	req.lun[0] = 1;
	req.lun[1] = 1;
	req.lun[2] = 0x40;
	req.cdb[0] = 0x2a;
	req.cdb[8] = SLOT_BLOCKS;
	memcpy(b, &req, REQ_LEN);
	/* Stale memory reads as OK/GOOD, as a reused response would. */
	memset(ring_in_buf(r, head, REQ_LEN), 0, RESP_LEN);
	d[0] = (struct vring_desc){ .addr = (uintptr_t)b, .len = REQ_LEN };
	d[1] = (struct vring_desc){ .addr = (uintptr_t)s->hole, .len = DATA_MAX };
	d[2] = (struct vring_desc){ .addr = (uintptr_t)ring_in_buf(r, head, REQ_LEN),
				    .len = RESP_LEN, .flags = VRING_DESC_F_WRITE };
	s->cmds[head] = (struct cmd){ .op = 0x2a, .lun = 0, .slot = 0, .out = REQ_LEN,
				      .must_fail = true };
	l->busy[0] = true;
	h = ring_post_descs(r, d, 3, RESP_LEN);
	if (h < 0)
		return -1;
	s->hostile_head = h;
	if (vhost_kick(s->kick) || wait_for(s, hostile_write_used))
		return -1;
	printf("hostile: scsi: WRITE with unmappable data answered response %u status %#x\n",
	       s->cmds[h].resp.response, s->cmds[h].resp.status);
	return r->violation ? -1 : 0;
}

/* The parameter written at runtime; a migration's LOG_ALL must still work. */
static int hostile_param(struct scsi *s)
{
	u64 f = s->features | 1ULL << VHOST_F_LOG_ALL;
	int pfd = open(IN_ORDER_PARAM, O_WRONLY);
	bool changed = pfd >= 0 && write(pfd, "0", 1) == 1;
	int ret = 0;

	if (pfd >= 0)
		close(pfd);
	printf("hostile: scsi: writing 0 to %s: %s\n", IN_ORDER_PARAM,
	       changed ? "taken" : "refused");
	if (ioctl(s->fd, VHOST_SET_FEATURES, &f) ||
	    ioctl(s->fd, VHOST_SET_FEATURES, &s->features)) {
		fail(&s->io, V_DATA, "VHOST_F_LOG_ALL refused (%s) after the parameter changed",
		     strerror(errno));
		ret = -1;
	}
	if (changed) {
		pfd = open(IN_ORDER_PARAM, O_WRONLY);
		if (pfd < 0 || write(pfd, "1", 1) != 1)
			ret = -1;
		if (pfd >= 0)
			close(pfd);
	}
	return ret;
}

/* The endpoint set again on a used ring the device cannot write. */
static int hostile_endpoint(struct scsi *s)
{
	struct vhost_scsi_target t = { .abi_version = VHOST_SCSI_ABI_VERSION };
	int ret;

	snprintf(t.vhost_wwpn, sizeof(t.vhost_wwpn), "%s", SCSI_WWPN);
	if (ioctl(s->fd, VHOST_SCSI_CLEAR_ENDPOINT, &t) || ring_used_writable(&s->io, false))
		return -1;
	ret = ioctl(s->fd, VHOST_SCSI_SET_ENDPOINT, &t);
	if (ring_used_writable(&s->io, true))
		return -1;
	if (!ret) {
		fail(&s->io, V_DATA, "endpoint set on a read-only used ring");
		return -1;
	}
	printf("hostile: scsi: endpoint on a read-only used ring: %s\n", strerror(errno));
	if (ioctl(s->fd, VHOST_SCSI_SET_ENDPOINT, &t))
		return -1;
	return 0;
}

static int hostile(struct scsi *s)
{
	if (hostile_ctl(s) || hostile_unmappable(s) || hostile_param(s) ||
	    hostile_endpoint(s))
		return -1;
	if (vhost_expect_busy(s->fd, s->features, "scsi")) {
		fail(&s->io, V_DATA, "VIRTIO_F_IN_ORDER not refused with the endpoint set");
		return -1;
	}
	return 0;
}

static bool all_io_used(struct scsi *s)
{
	return !ring_outstanding(&s->io);
}

/*
 * A READ of the held LUN 2, WRITEs of LUN 0 behind it, then a LUN RESET
 * of LUN 0: its answer must find the WRITEs visible.
 */
static int held_lun(struct scsi *s)
{
	struct ring *r = &s->io;
	u8 cdb[16] = { 0x28 }, wr[16] = { 0x2a };
	u16 first = r->avail_idx, end, idx, ctl_idx = s->ctl.avail_idx;
	u64 start;
	int h, i;

	cdb[8] = SLOT_BLOCKS;
	wr[8] = SLOT_BLOCKS;
	h = submit(s, 2, cdb, 0, DATA_MAX, 0, 0);
	if (h < 0)
		return -1;
	s->cmds[h].unverified = true;	/* null_blk: nothing to compare */
	for (i = 0; i < 8; i++) {
		struct lun *l = &s->luns[0];
		u32 gen = l->gen[i] == GEN_UNKNOWN ? 1 : l->gen[i] + 1;

		put_be32(wr + 2, i * SLOT_BLOCKS);
		if (submit(s, 0, wr, DATA_MAX, 0, i, gen) < 0)
			return -1;
		l->busy[i] = true;
	}
	end = r->avail_idx;
	if (vhost_kick(s->kick))
		return -1;
	usleep(300000);		/* the WRITEs are done by now, the READ is not */
	idx = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
	printf("scsi: held LUN: READ at %u, 8 WRITEs to %u, used->idx %u after 300 ms\n",
	       first, end, idx);
	ctl_post(s, VIRTIO_SCSI_T_TMF, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET,
		 VIRTIO_SCSI_S_FUNCTION_SUCCEEDED);
	start = now_ns();
	if (vhost_kick(s->ctl_kick))
		return -1;
	while (__atomic_load_n(&s->ctl.used->idx, __ATOMIC_ACQUIRE) == ctl_idx) {
		if (now_ns() - start > 20000000000ULL) {
			fail(&s->ctl, V_STUCK, "LUN RESET not answered in 20 s");
			return -1;
		}
		usleep(1000);
	}
	idx = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
	printf("scsi: held LUN: LUN RESET answered after %llu ms, io used->idx %u\n",
	       (unsigned long long)(now_ns() - start) / 1000000, idx);
	if ((u16)(idx - first) < (u16)(end - first)) {
		fail(&s->ctl, V_OUT_OF_ORDER,
		     "LUN RESET answered while LUN 0's completed WRITEs %u..%u were not visible (used->idx %u)",
		     (u16)(first + 1), (u16)(end - 1), idx);
		return -1;
	}
	s->ctl_want = s->ctl_done + 1;
	return wait_for(s, all_io_used) || wait_for(s, ctl_answered) ? -1 : 0;
}

static int disrupt(struct scsi *s, const struct opts *o)
{
	struct ring *r = &s->io;
	u16 seq;

	/* Whatever is in flight now is caught by the disruption. */
	for (seq = r->used_seen; seq != r->avail_idx; seq++)
		s->cmds[r->q[seq].head].unverified = true;
	if (o->tmf && disrupt_tmf(s))
		return -1;
	if (o->reset && disrupt_reset(s))
		return -1;
	if (o->unlink && disrupt_unlink(s))
		return -1;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* One line for bench.sh: throughput, latency, and what crossed the ring. */
static void bench_report(struct scsi *s, const struct opts *o, u64 ns)
{
	double per = s->io.used_bufs ? 1000.0 / s->io.used_bufs : 0;

	if (!s->nlat)
		return;
	qsort(s->lat_us, s->nlat, sizeof(*s->lat_us), cmp_u32);
	printf("bench: %s,%u,%s,%.0f,%u,%u,%.1f,%.1f\n",
	       s->nluns == 1 ? "scsi-rd" : "scsi-mixed", o->depth,
	       s->io.in_order ? "in_order" : "not_in_order",
	       s->nlat * 1e9 / ns, s->lat_us[s->nlat / 2], s->lat_us[s->nlat * 99 / 100],
	       s->io.entries * per, vhost_signals * per);
}

int run_scsi(const struct opts *o)
{
	struct scsi *s = calloc(1, sizeof(*s));
	unsigned long issued = 0, disrupt_at = o->buffers / 2;
	u64 start = now_ns();
	bool disrupted = !(o->tmf || o->reset || o->unlink || o->release);
	int fd, i;

	if (!s)
		return EXIT_SETUP;
	fd = scsi_open(s, o);
	if (fd < 0)
		return -fd;
	s->cmds = calloc(o->num, sizeof(*s->cmds));
	if (!s->cmds)
		return EXIT_SETUP;
	s->io.on_used = io_used;
	s->io.ctx = s;
	s->ctl.on_used = ctl_used;
	s->ctl.ctx = s;
	s->evt.on_used = evt_used;
	s->evt.ctx = s;
	/* Event buffers for the device to fill, should it send any. */
	while (ring_post(&s->evt, 0, sizeof(struct virtio_scsi_event)) >= 0)
		;
	if (vhost_kick(s->evt_kick))
		goto out;
	s->rnd = 0x2545f4914f6cdd1dULL;
	if (o->bench) {
		s->maxlat = o->buffers;
		s->lat_us = calloc(s->maxlat, sizeof(*s->lat_us));
		if (!s->lat_us)
			return EXIT_SETUP;
	}
	s->nluns = o->luns;
	for (i = 0; i < s->nluns; i++) {
		s->luns[i].id = i;
		if (lun_setup(s, i))
			goto out;
	}
	/* LUN 2 takes no part in the random I/O. */
	s->luns[2].id = 2;
	if ((o->hostile && s->io.in_order && hostile(s)) ||
	    (o->held_lun && (lun_setup(s, 2) || held_lun(s)))) {
		if (!s->io.violation && !s->ctl.violation)
			fail(&s->io, V_DATA, "%s failed", o->hostile ? "--hostile" : "--held-lun");
		goto out;
	}

	start = now_ns();
	vhost_signals = 0;
	s->io.entries = 0;
	s->io.used_bufs = 0;
	while ((issued < o->buffers || ring_outstanding(&s->io)) && !s->io.violation) {
		while (issued < o->buffers && ring_outstanding(&s->io) < o->depth) {
			int r = submit_io(s);

			if (r < 0)
				break;
			issued += r;
		}
		if (!disrupted && issued >= disrupt_at) {
			disrupted = true;
			if (vhost_kick(s->kick) || disrupt(s, o)) {
				fail(&s->io, V_DATA, "the disruption failed");
				break;
			}
			if (o->release) {
				/* vhost_scsi_release() flushes what is in flight. */
				printf("scsi: device closed with %u commands in flight\n",
				       ring_outstanding(&s->io));
				close(s->fd);
				s->fd = -1;
				break;
			}
		}
		if (wait_used(s))
			break;
	}
	while (o->tmf && s->ctl_done < 3 && !s->io.violation && !s->ctl.violation)
		if (wait_used(s))
			break;
	/* The hotplug events are queued to the worker: give them a moment. */
	for (i = 0; o->unlink && s->events < 2 && i < 50 && !s->evt.violation; i++) {
		struct ring *er[] = { &s->evt };

		vhost_wait(er, 1, s->call, 100);
		ring_consume(&s->evt, sizeof(struct virtio_scsi_event));
	}
	if (o->unlink && s->events < 2 && !s->evt.violation)
		fail(&s->evt, V_DATA, "%u of 2 hotplug events for LUN 1", s->events);
out:
	ring_report(&s->io, "scsi io");
	if (o->tmf)
		ring_report(&s->ctl, "scsi ctl");
	if (o->unlink)
		ring_report(&s->evt, "scsi evt");
	printf("scsi: %lu commands, %lu writes, %lu reads verified, %lu bytes, depth %u, ",
	       s->writes + s->reads, s->writes, s->reads, s->bytes, o->depth);
	printf("%lu completed out of order, %lu caught by a disruption, %lu unit attentions\n",
	       s->io.out_of_order, s->unverified, s->unit_attentions);
	if (o->hostile)
		printf("hostile: scsi: %lu requests failed as they had to\n",
		       s->failed_as_expected);
	for (i = 0; i < 3; i++) {
		static const char *const names[] = { "io", "ctl", "evt" };
		struct ring *r = i == 0 ? &s->io : i == 1 ? &s->ctl : &s->evt;

		if (r->violation) {
			printf("FAIL scsi %s: %s: %s\n", names[i],
			       violation_names[r->violation], r->detail);
			return EXIT_VIOLATION;
		}
	}
	if (o->bench)
		bench_report(s, o, now_ns() - start);
	if (s->fd >= 0)
		close(s->fd);
	printf("PASS scsi: in-order %s, ring %u, depth %u, %s, %s\n",
	       s->io.in_order ? "on" : "off", o->num, o->depth,
	       o->event_idx ? "event-idx" : "no event-idx",
	       o->indirect ? "indirect" : "chains");
	return 0;
}
