// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vhost-scsi: not driven yet.
 */
#include "driver.h"

int run_scsi(const struct opts *o)
{
	(void)o;
	printf("SKIP scsi: the harness does not drive /dev/vhost-scsi yet\n");
	return EXIT_SKIP;
}
