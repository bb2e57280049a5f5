// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vhost-net over a tap: TX frames are checked byte for byte where
 * they come out, on the tap, through a packet socket; RX frames are sent
 * into the tap through the same socket and checked byte for byte when the
 * device has written them, reassembled from mergeable buffers by their
 * num_buffers.  Frames carry an experimental ethertype so nothing else on
 * the interface counts.
 *
 * --hostile: first a device-readable RX buffer, met by a frame: it must
 * not stay fetched (the ring base after a backend stop equals used->idx);
 * then every 500th TX buffer is malformed (a device-writable descriptor),
 * which vhost-net must use all the same, in order, sending nothing; after
 * TX, VHOST_SET_FEATURES without VIRTIO_F_IN_ORDER must be refused while
 * the backend runs.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_net.h>

#include "driver.h"

#define TAP_NAME "vhtap0"
#define TAP_MTU 9000
#define ETH_P_TEST 0x88b5		/* IEEE local experimental */
#define NET_HDR_LEN 12			/* virtio_net_hdr_mrg_rxbuf */
#define FRAME_MAX (TAP_MTU + ETH_HLEN)
#define TX_BUF_LEN 9216
#define IN_FLIGHT 32			/* RX frames sent ahead of the device */

static const unsigned int frame_sizes[] = {
	60, 61, 64, 128, 256, 511, 1000, 1514, 1515, 2048, 4096, 8000, FRAME_MAX,
};

struct net {
	struct ring rx, tx;
	int tap, pkt, ifindex;
	unsigned long tx_frames, tx_bytes, rx_frames, rx_bytes;
	unsigned int max_num_buffers;
	bool big_only;		/* RX frames are all FRAME_MAX (--starve) */
	bool hostile;		/* malformed TX buffers among the frames */
	unsigned long malformed;
	/* RX reassembly */
	u8 frame[FRAME_MAX + NET_HDR_LEN];
	size_t have;
	unsigned int left;	/* buffers still to come for this frame */
};

/* Frame @i: its size and bytes are a function of @i alone. */
static size_t make_frame(unsigned long i, u8 *f)
{
	size_t len = frame_sizes[i % ARRAY_SIZE(frame_sizes)];
	size_t k;

	memset(f, 0xff, ETH_ALEN);
	memcpy(f + ETH_ALEN, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	f[12] = ETH_P_TEST >> 8;
	f[13] = ETH_P_TEST & 0xff;
	memcpy(f + 14, &i, sizeof(i));
	for (k = 14 + sizeof(i); k < len; k++)
		f[k] = (u8)(i * 31 + k);
	return len;
}

/* The @i-th RX frame's number: with big_only, every one is FRAME_MAX. */
static unsigned long rx_frame_id(const struct net *n, unsigned long i)
{
	if (!n->big_only)
		return i;
	return i * ARRAY_SIZE(frame_sizes) + ARRAY_SIZE(frame_sizes) - 1;
}

/* Is @got (@glen bytes) frame @i?  Records a V_DATA violation if not. */
int net_frame_check(struct ring *r, unsigned long i, const u8 *got, size_t glen)
{
	u8 want[FRAME_MAX];
	size_t wlen = make_frame(i, want);
	size_t k;

	if (glen != wlen) {
		fail(r, V_DATA, "frame %lu: %zu bytes, sent %zu", i, glen, wlen);
		return -1;
	}
	for (k = 0; k < wlen; k++)
		if (got[k] != want[k]) {
			fail(r, V_DATA, "frame %lu: byte %zu is %#x, sent %#x", i, k,
			     got[k], want[k]);
			return -1;
		}
	return 0;
}

static int tap_open(struct net *n, const struct opts *o)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int hdr = NET_HDR_LEN, s, rcvbuf = 32 << 20;
	FILE *f;

	n->tap = open("/dev/net/tun", O_RDWR);
	if (n->tap < 0) {
		printf("SKIP net: /dev/net/tun: %s\n", strerror(errno));
		return -EXIT_SKIP;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAP_NAME);
	if (ioctl(n->tap, TUNSETIFF, &ifr) || ioctl(n->tap, TUNSETVNETHDRSZ, &hdr) ||
	    ioctl(n->tap, TUNSETOFFLOAD, 0))
		return -EXIT_SETUP;
	/* A bounded send buffer: sendmsg() may fail with EAGAIN, and TX
	 * takes the unbatched path.
	 */
	if (o->sndbuf) {
		int sndbuf = o->sndbuf;

		if (ioctl(n->tap, TUNSETSNDBUF, &sndbuf))
			return -EXIT_SETUP;
	}
	/* No IPv6 chatter on the interface under test. */
	f = fopen("/proc/sys/net/ipv6/conf/" TAP_NAME "/disable_ipv6", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ifr.ifr_mtu = TAP_MTU;
	if (s < 0 || ioctl(s, SIOCSIFMTU, &ifr) || ioctl(s, SIOCGIFFLAGS, &ifr))
		return -EXIT_SETUP;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		return -EXIT_SETUP;
	close(s);

	n->ifindex = if_nametoindex(TAP_NAME);
	n->pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = n->ifindex;
	if (n->pkt < 0 || bind(n->pkt, (struct sockaddr *)&sll, sizeof(sll)))
		return -EXIT_SETUP;
	setsockopt(n->pkt, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	return 0;
}

/* True once @progress has not moved for 50 waits of 200 ms. */
static bool stalled(unsigned long progress, unsigned long *last, int *idle)
{
	if (progress != *last) {
		*last = progress;
		*idle = 0;
		return false;
	}
	return ++*idle == 50;
}

/* Frames the device sent, as the tap saw them, in order. */
static void tap_drain(struct net *n)
{
	u8 f[FRAME_MAX + 64];
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t len;

	while ((len = recvfrom(n->pkt, f, sizeof(f), MSG_DONTWAIT,
			       (struct sockaddr *)&from, &fl)) > 0) {
		if (from.sll_pkttype == PACKET_OUTGOING || len < 14 ||
		    f[12] != ETH_P_TEST >> 8 || f[13] != (ETH_P_TEST & 0xff))
			continue;
		if (net_frame_check(&n->tx, n->tx_frames, f, len))
			return;
		n->tx_frames++;
		n->tx_bytes += len;
		fl = sizeof(from);
	}
}

static int tap_inject(struct net *n, unsigned long i);

/*
 * A malformed RX buffer first in the ring, and a frame for it: stopped,
 * the device must report a base no further than used->idx.  The buffer is
 * then made well-formed (never fetched, so the driver may) and the tap's
 * queue drained, so that RX starts clean.
 */
static int rx_malformed(struct net *n, int fd, int kick)
{
	struct vring_desc d = { .addr = (uintptr_t)n->rx.data, .len = n->rx.buf_len };
	struct vhost_vring_file b = { .index = 0, .fd = -1 };
	struct vhost_vring_state base = { .index = 0 };
	u8 f[FRAME_MAX + NET_HDR_LEN];
	int head, fl;
	u16 used;

	head = ring_post_descs(&n->rx, &d, 1, n->rx.buf_len);
	if (head < 0 || vhost_kick(kick) || tap_inject(n, 0))
		return EXIT_SETUP;
	usleep(300000);
	if (ioctl(fd, VHOST_NET_SET_BACKEND, &b) || ioctl(fd, VHOST_GET_VRING_BASE, &base))
		return EXIT_SETUP;
	used = __atomic_load_n(&n->rx.used->idx, __ATOMIC_ACQUIRE);
	printf("hostile: net: readable RX buffer: base %u, used->idx %u\n", base.num, used);
	if (base.num != used) {
		fail(&n->rx, V_STUCK, "a malformed RX buffer stays fetched (base %u, used->idx %u)",
		     base.num, used);
		return 0;
	}
	n->rx.desc[head].flags = VRING_DESC_F_WRITE;
	fl = fcntl(n->tap, F_GETFL);
	fcntl(n->tap, F_SETFL, fl | O_NONBLOCK);
	while (read(n->tap, f, sizeof(f)) > 0)
		;
	fcntl(n->tap, F_SETFL, fl);
	b.fd = n->tap;
	return ioctl(fd, VHOST_NET_SET_BACKEND, &b) ? EXIT_SETUP : 0;
}

static int tx_phase(struct net *n, int kick, int call, unsigned long frames)
{
	struct ring *rings[] = { &n->tx };
	unsigned long sent = 0, last = 0;
	int idle = 0;

	while ((n->tx_frames < frames || ring_outstanding(&n->tx)) && !n->tx.violation) {
		bool any = false;

		while (sent < frames && ring_room(&n->tx, TX_BUF_LEN, 0)) {
			u8 *b = ring_buf(&n->tx, n->tx.free_desc & (n->tx.num - 1));
			size_t len;

			if (n->hostile && n->tx.posted % 500 == 499) {
				ring_post(&n->tx, 0, 64);
				n->malformed++;
				continue;
			}
			memset(b, 0, NET_HDR_LEN);
			len = make_frame(sent, b + NET_HDR_LEN);
			ring_post(&n->tx, NET_HDR_LEN + len, 0);
			sent++;
			any = true;
		}
		/* After a malformed buffer the device waits for a kick. */
		if ((any || n->hostile) && vhost_kick(kick))
			return EXIT_SETUP;
		vhost_wait(rings, 1, call, 200);
		ring_consume(&n->tx, 0);
		tap_drain(n);
		if (stalled(n->tx_frames + n->tx.used_bufs, &last, &idle)) {
			fail(&n->tx, V_STUCK, "TX stalled: %lu of %lu frames at the tap",
			     n->tx_frames, frames);
			break;
		}
	}
	return 0;
}

/* One RX buffer used: add it to the frame being reassembled. */
static void rx_used(struct ring *r, u16 seq, u32 len, void *ctx)
{
	struct net *n = ctx;
	const u8 *b = ring_buf(r, r->q[seq].head);
	size_t skip = 0;

	if (len == LEN_IMPLIED)
		return;		/* every_len already reported it */
	if (!n->left) {
		struct virtio_net_hdr_mrg_rxbuf h;

		if (len < NET_HDR_LEN) {
			fail(r, V_BAD_LEN, "RX buffer %u: %u bytes, no header", seq, len);
			return;
		}
		memcpy(&h, b, sizeof(h));
		n->left = r->chain > 1 ? 1 : h.num_buffers;
		if (!n->left) {
			fail(r, V_DATA, "RX frame %lu: num_buffers 0", n->rx_frames);
			return;
		}
		if (n->left > n->max_num_buffers)
			n->max_num_buffers = n->left;
		n->have = 0;
		skip = NET_HDR_LEN;
	}
	if (n->have + len - skip > sizeof(n->frame)) {
		fail(r, V_DATA, "RX frame %lu: longer than any sent", n->rx_frames);
		return;
	}
	memcpy(n->frame + n->have, b + skip, len - skip);
	n->have += len - skip;
	if (--n->left)
		return;
	if (net_frame_check(r, rx_frame_id(n, n->rx_frames), n->frame, n->have))
		return;
	n->rx_frames++;
	n->rx_bytes += n->have;
}

/* Send RX frame @i into the tap, for the device to receive. */
static int tap_inject(struct net *n, unsigned long i)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_ifindex = n->ifindex, .sll_halen = ETH_ALEN,
	};
	u8 f[FRAME_MAX];
	size_t len = make_frame(rx_frame_id(n, i), f);

	if (sendto(n->pkt, f, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len) {
		fprintf(stderr, "inorder_driver: send to the tap: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int rx_phase(struct net *n, int kick, int call, unsigned long frames)
{
	struct ring *rings[] = { &n->rx };
	unsigned long injected = 0, last = 0;
	int idle = 0;

	n->rx.on_used = rx_used;
	n->rx.ctx = n;
	while (n->rx_frames < frames && !n->rx.violation) {
		bool any = false;

		while (ring_post(&n->rx, 0, n->rx.chain * n->rx.buf_len) >= 0)
			any = true;
		if (any && vhost_kick(kick))
			return EXIT_SETUP;
		while (injected < frames && injected - n->rx_frames < IN_FLIGHT) {
			if (tap_inject(n, injected))
				return EXIT_SETUP;
			injected++;
		}
		vhost_wait(rings, 1, call, 200);
		ring_consume(&n->rx, n->rx.chain * n->rx.buf_len);
		if (stalled(n->rx_frames, &last, &idle)) {
			fail(&n->rx, V_STUCK, "RX stalled: %lu of %lu frames received",
			     n->rx_frames, frames);
			break;
		}
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of @dir/@name into @buf; NULL if there is none. */
static char *first_line(const char *dir, const char *name, char *buf, int size)
{
	char path[320], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	p = fgets(buf, size, f);
	fclose(f);
	return p;
}

/* utime + stime of task @dir ("/proc/.../task/TID") if it is named @comm. */
static long task_cpu_ticks(const char *dir, const char *comm)
{
	unsigned long ut, st;
	char buf[512], *p;

	if (!first_line(dir, "comm", buf, sizeof(buf)) ||
	    strncmp(buf, comm, strlen(comm)) || buf[strlen(comm)] != '\n')
		return -1;
	p = first_line(dir, "stat", buf, sizeof(buf));
	p = p ? strrchr(buf, ')') : NULL;
	/* After the comm: state, then fields 4..13, then utime and stime. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return ut + st;
}

/*
 * CPU time (ms) of this process's vhost worker, "vhost-PID": a thread of
 * ours (vhost_task) or a kthread (fork_from_owner=0).  -1 if not found.
 */
static long vhost_worker_cpu_ms(void)
{
	static const char * const roots[] = { "/proc/self/task", "/proc" };
	char comm[32], dir[280];
	struct dirent *e;
	unsigned int i;
	long t;
	DIR *d;

	snprintf(comm, sizeof(comm), "vhost-%d", getpid());
	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		d = opendir(roots[i]);
		while (d && (e = readdir(d))) {
			if (e->d_name[0] < '0' || e->d_name[0] > '9')
				continue;
			snprintf(dir, sizeof(dir), i ? "%s/%s/task/%s" : "%s/%s",
				 roots[i], e->d_name, e->d_name);
			t = task_cpu_ticks(dir, comm);
			if (t >= 0) {
				closedir(d);
				return t * 1000 / sysconf(_SC_CLK_TCK);
			}
		}
		if (d)
			closedir(d);
	}
	return -1;
}

/* A sleeping worker uses next to nothing; a spinning one all of it. */
void worker_idle_check(struct ring *r, long cpu_ms, long wall_ms)
{
	if (cpu_ms * 4 > wall_ms)
		fail(r, V_STUCK, "vhost worker spun with nothing to do: %ld ms CPU in %ld ms",
		     cpu_ms, wall_ms);
}

/*
 * --starve: each RX frame (all FRAME_MAX) first finds only half the
 * buffers it needs.  The device fetches them, cannot place the frame,
 * discards them and must then sleep until the driver adds buffers: the
 * 6.12 RX livelock was a vhost worker that kept re-fetching the same
 * buffers at 100% CPU instead.  Then the rest are posted and the frame
 * must arrive in the refetched buffers, in order.
 */
static int starve_phase(struct net *n, int kick, int call, unsigned long frames)
{
	unsigned int need = (NET_HDR_LEN + FRAME_MAX + n->rx.buf_len - 1) / n->rx.buf_len;
	struct ring *rings[] = { &n->rx };
	long cpu = 0, wall = 0, c0, t0, c1;
	unsigned long i, last = 0;
	int idle = 0;

	n->big_only = true;
	n->rx.on_used = rx_used;
	n->rx.ctx = n;
	if (need < 2 || need > n->rx.num) {
		fprintf(stderr, "inorder_driver: --starve needs 2..ring frames of buffers\n");
		return EXIT_SETUP;
	}
	for (i = 0; i < frames && !n->rx.violation; i++) {
		unsigned long used = n->rx.used_bufs;

		while (ring_outstanding(&n->rx) < need / 2)
			ring_post(&n->rx, 0, n->rx.buf_len);
		if (vhost_kick(kick) || tap_inject(n, i))
			return EXIT_SETUP;
		c0 = vhost_worker_cpu_ms();
		t0 = now_ms();
		while (now_ms() - t0 < 300)
			vhost_wait(rings, 1, call, 50);
		c1 = vhost_worker_cpu_ms();
		if (c0 < 0 || c1 < 0) {
			printf("SKIP net: no vhost-%d worker thread to measure\n", getpid());
			return EXIT_SKIP;
		}
		cpu += c1 - c0;
		wall += now_ms() - t0;
		ring_consume(&n->rx, n->rx.buf_len);
		if (n->rx.used_bufs != used) {
			fail(&n->rx, V_DATA, "RX frame %lu used %lu of %u buffers, too few for it",
			     i, n->rx.used_bufs - used, need / 2);
			break;
		}
		while (ring_outstanding(&n->rx) < need)
			ring_post(&n->rx, 0, n->rx.buf_len);
		if (vhost_kick(kick))
			return EXIT_SETUP;
		while (n->rx_frames <= i && !n->rx.violation) {
			vhost_wait(rings, 1, call, 200);
			ring_consume(&n->rx, n->rx.buf_len);
			if (stalled(n->rx_frames, &last, &idle)) {
				fail(&n->rx, V_STUCK, "RX stalled: frame %lu never arrived", i);
				break;
			}
		}
	}
	printf("net starve: %lu frames of %u buffers, each first offered %u; "
	       "vhost worker CPU while starved: %ld ms in %ld ms\n",
	       i, need, need / 2, cpu, wall);
	worker_idle_check(&n->rx, cpu, wall);
	return 0;
}

int run_net(const struct opts *o)
{
	u64 want = vhost_ring_features(o), features;
	struct net *n = calloc(1, sizeof(*n));
	struct ring *rings[2];
	unsigned int rx_chain = 1;
	int fd, kick[2], call, r, i;

	if (!n)
		return EXIT_SETUP;
	if (o->mrg_rxbuf)
		want |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
	r = tap_open(n, o);
	if (r)
		return -r;
	fd = vhost_open("/dev/vhost-net", want, &features, o->in_order);
	if (fd < 0)
		return -fd;
	/* Without mergeable buffers each RX buffer holds a whole frame. */
	if (!(features & (1ULL << VIRTIO_NET_F_MRG_RXBUF)))
		rx_chain = (NET_HDR_LEN + FRAME_MAX + o->rx_buf - 1) / o->rx_buf;
	if (ring_init(&n->rx, o->num, rx_chain, o->rx_buf, o->indirect) ||
	    ring_init(&n->tx, o->num, 1, TX_BUF_LEN, o->indirect))
		return EXIT_SETUP;
	n->rx.in_order = features & (1ULL << VIRTIO_F_IN_ORDER);
	n->tx.in_order = n->rx.in_order;
	n->rx.every_len = true;
	rings[0] = &n->rx;
	rings[1] = &n->tx;
	call = eventfd(0, EFD_NONBLOCK);
	if (call < 0 || vhost_set_mem(fd, rings, 2))
		return EXIT_SETUP;
	for (i = 0; i < 2; i++) {
		struct vhost_vring_file backend = { .index = i, .fd = n->tap };

		kick[i] = eventfd(0, EFD_NONBLOCK);
		if (kick[i] < 0 || vhost_setup_vq(fd, i, rings[i], kick[i], call))
			return EXIT_SETUP;
		if (o->busy_poll) {
			struct vhost_vring_state bl = { .index = i, .num = o->busy_poll };

			if (ioctl(fd, VHOST_SET_VRING_BUSYLOOP_TIMEOUT, &bl))
				return EXIT_SETUP;
		}
		if (ioctl(fd, VHOST_NET_SET_BACKEND, &backend)) {
			fprintf(stderr, "inorder_driver: VHOST_NET_SET_BACKEND: %s\n",
				strerror(errno));
			return EXIT_SETUP;
		}
	}

	n->hostile = o->hostile;
	r = 0;
	if (o->hostile && n->rx.chain == 1 && n->rx.in_order)
		r = rx_malformed(n, fd, kick[0]);
	if (!r && !n->rx.violation)
		r = tx_phase(n, kick[1], call, o->buffers);
	if (o->hostile) {
		printf("hostile: net: %lu malformed TX buffers posted\n", n->malformed);
		if (!r && vhost_expect_busy(fd, features, "net"))
			fail(&n->tx, V_DATA, "in-order dropped under a running backend");
	}
	if (!r && !n->tx.violation)
		r = o->starve ? starve_phase(n, kick[0], call, o->buffers) :
				rx_phase(n, kick[0], call, o->buffers);
	if (r)
		return r;
	ring_report(&n->tx, "net tx");
	ring_report(&n->rx, "net rx");
	printf("net: TX %lu frames %lu bytes verified at the tap; ", n->tx_frames, n->tx_bytes);
	printf("RX %lu frames %lu bytes verified, up to %u buffers a frame\n",
	       n->rx_frames, n->rx_bytes, n->max_num_buffers);
	for (i = 0; i < 2; i++)
		if (rings[i]->violation) {
			printf("FAIL net %s: %s: %s\n", i ? "tx" : "rx",
			       violation_names[rings[i]->violation], rings[i]->detail);
			return EXIT_VIOLATION;
		}
	printf("PASS net: in-order %s, ring %u, %s, %s, rx buffers %u bytes%s\n",
	       n->rx.in_order ? "on" : "off", o->num,
	       o->event_idx ? "event-idx" : "no event-idx",
	       o->indirect ? "indirect" : "chains", o->rx_buf,
	       features & (1ULL << VIRTIO_NET_F_MRG_RXBUF) ? " mergeable" : "");
	return 0;
}
