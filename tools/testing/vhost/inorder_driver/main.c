// SPDX-License-Identifier: GPL-2.0
/*
 * inorder_driver - play a virtio driver against /dev/vhost-* and check,
 * strictly, that the device uses buffers as VIRTIO_F_IN_ORDER requires
 * (ring.c), with the data verified end to end (dev_*.c).
 *
 * Exit: 0 pass, 1 a violation, 2 a setup error, 77 skipped (no such
 * device, or it does not offer in-order and --no-in-order was not given).
 * --self-test runs the checker against a fake device that commits each
 * kind of violation (self_test.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

static void print_help(void)
{
	fprintf(stderr,
		"%s [--dev test|net|scsi] [--ring N] [--buffers N] [--chain N]\n"
		"  [--no-event-idx] [--indirect] [--no-in-order] [--no-mrg-rxbuf]\n"
		"  [--rx-buf BYTES] [--depth N] [--tmf] [--reset] [--unlink] [--release]\n"
		"  [--luns 1|2] [--starve] [--busy-poll US] [--sndbuf BYTES] [--bench]\n"
		"  [--hostile] [--held-lun] [--self-test]\n"
		"  [--fuzz ioctl|ring|request [--seed N] [--episodes N] [--episode E]]\n"
		"  [--faults setup|publish]\n",
		program_invocation_short_name);
	exit(EXIT_SETUP);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "ring", required_argument, NULL, 'r' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "chain", required_argument, NULL, 'c' },
		{ "no-event-idx", no_argument, NULL, 'E' },
		{ "indirect", no_argument, NULL, 'i' },
		{ "no-in-order", no_argument, NULL, 'O' },
		{ "no-mrg-rxbuf", no_argument, NULL, 'M' },
		{ "rx-buf", required_argument, NULL, 'x' },
		{ "depth", required_argument, NULL, 'q' },
		{ "self-test", no_argument, NULL, 'S' },
		{ "tmf", no_argument, NULL, 'T' },
		{ "reset", no_argument, NULL, 'R' },
		{ "unlink", no_argument, NULL, 'U' },
		{ "release", no_argument, NULL, 'L' },
		{ "bench", no_argument, NULL, 'B' },
		{ "luns", required_argument, NULL, 'n' },
		{ "starve", no_argument, NULL, 'V' },
		{ "busy-poll", required_argument, NULL, 'P' },
		{ "sndbuf", required_argument, NULL, 'W' },
		{ "hostile", no_argument, NULL, 'H' },
		{ "held-lun", no_argument, NULL, 'D' },
		{ "fuzz", required_argument, NULL, 'F' },
		{ "faults", required_argument, NULL, 'J' },
		{ "seed", required_argument, NULL, 's' },
		{ "episodes", required_argument, NULL, 'e' },
		{ "episode", required_argument, NULL, 'p' },
		{ }
	};
	struct opts o = {
		.dev = "test", .num = 256, .buffers = 100000, .chain = 1,
		.in_order = true, .event_idx = true, .mrg_rxbuf = true,
		.rx_buf = 1024, .depth = 32, .luns = 2,
		.seed = 1, .episodes = 20, .episode = -1,
	};
	bool self = false;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dev = optarg;
			break;
		case 'r':
			o.num = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			o.buffers = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o.chain = strtoul(optarg, NULL, 0);
			break;
		case 'E':
			o.event_idx = false;
			break;
		case 'i':
			o.indirect = true;
			break;
		case 'O':
			o.in_order = false;
			break;
		case 'M':
			o.mrg_rxbuf = false;
			break;
		case 'x':
			o.rx_buf = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			o.depth = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			self = true;
			break;
		case 'T':
			o.tmf = true;
			break;
		case 'R':
			o.reset = true;
			break;
		case 'U':
			o.unlink = true;
			break;
		case 'L':
			o.release = true;
			break;
		case 'B':
			o.bench = true;
			break;
		case 'n':
			o.luns = strtoul(optarg, NULL, 0);
			break;
		case 'V':
			o.starve = true;
			break;
		case 'P':
			o.busy_poll = strtoul(optarg, NULL, 0);
			break;
		case 'W':
			o.sndbuf = strtoul(optarg, NULL, 0);
			break;
		case 'H':
			o.hostile = true;
			break;
		case 'D':
			o.held_lun = true;
			break;
		case 'J':
			o.faults = optarg;
			break;
		case 'F':
			o.fuzz = optarg;
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'e':
			o.episodes = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.episode = strtol(optarg, NULL, 0);
			break;
		default:
			print_help();
		}
	}
	if (!o.num || (o.num & (o.num - 1)) || o.num > 32768 || !o.chain ||
	    o.chain > o.num || o.rx_buf < 64 || !o.depth || !o.luns || o.luns > 2)
		print_help();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (self)
		return self_test();
	if (o.fuzz)
		return run_fuzz(&o);
	if (o.faults)
		return run_faults(&o);
	if (!strcmp(o.dev, "test"))
		return run_test(&o);
	if (!strcmp(o.dev, "net"))
		return run_net(&o);
	if (!strcmp(o.dev, "scsi"))
		return run_scsi(&o);
	print_help();
	return EXIT_SETUP;
}
