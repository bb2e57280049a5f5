/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One raw vhost device for the hostile drivers (fuzz.c, faults.c): the
 * rings, eventfds and tap of a device brought up the usual way, so each
 * can then misbehave, or have the kernel fail under it, and the plain
 * harness checks afterwards that a fresh fd still gets service.
 */
#ifndef INORDER_DRIVER_FZ_H
#define INORDER_DRIVER_FZ_H

#include "driver.h"

#define VHOST_TEST_RUN _IOW(VHOST_VIRTIO, 0x31, int)
#define SCSI_WWPN "naa.5001405000000001"
#define FZ_NUM 64
#define FZ_CHAIN 16
#define FZ_BUF 4096
#define FZ_VQS 3
#define REQ_LEN sizeof(struct virtio_scsi_cmd_req)
#define RESP_LEN sizeof(struct virtio_scsi_cmd_resp)

struct fz {
	u64 rnd;
	int cls;
	const char *dev;
	int fd;
	int nvq;
	int kick[FZ_VQS], call, err, tap;
	u64 offered, features;
	struct ring r[FZ_VQS];
	u8 *log;
	bool running;
	const char *step;	/* fz_start() step in progress */
};

u64 fz_mix(u64 x);
unsigned int fz_pick(struct fz *f, unsigned int n);
u64 fz_rnd(struct fz *f);
void fz_ioctl(struct fz *f, unsigned long req, void *arg);
int fz_backend(struct fz *f, bool on);
int fz_set_mem(struct fz *f);
int fz_prepare(struct fz *f, unsigned int num);
int fz_start(struct fz *f, bool in_order);
int fz_setup(struct fz *f);
void fz_post_good(struct fz *f, int q);
int fz_liveness(const struct opts *o, const char *who);

#endif
