/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VHOST_TEST_IN_ORDER_H
#define _VHOST_TEST_IN_ORDER_H

struct vhost_dev;
struct vhost_virtqueue;

void vhost_test_handle_in_order(struct vhost_dev *dev,
				struct vhost_virtqueue *vq);

#endif
