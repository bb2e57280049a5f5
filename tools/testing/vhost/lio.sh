# SPDX-License-Identifier: GPL-2.0
# Sourced by suite.sh and demo-guest.sh, inside the VM.
#
# An LIO target for vhost-scsi through configfs, no targetcli: LUN 0 an
# rd_mcp ramdisk, LUN 1 a fileio file, behind the WWPN the harness uses.
lio_tpg=/sys/kernel/config/target/vhost/naa.5001405000000001/tpgt_1

lio_setup() {
	cfg=/sys/kernel/config/target
	# Once per boot: a later suite of the same boot (suites.sh) gets the
	# same target back, without the held LUN of the scsi suite.
	if [ -e $lio_tpg/nexus ]; then
		lio_held_lun_remove
		return
	fi
	mkdir -p $cfg/core/rd_mcp_0/rd0 &&
	echo rd_pages=8192 > $cfg/core/rd_mcp_0/rd0/control &&
	echo 1 > $cfg/core/rd_mcp_0/rd0/enable &&
	truncate -s 32M /tmp/lun1.img &&
	mkdir -p $cfg/core/fileio_0/fio0 &&
	echo fd_dev_name=/tmp/lun1.img,fd_dev_size=33554432 > $cfg/core/fileio_0/fio0/control &&
	echo 1 > $cfg/core/fileio_0/fio0/enable &&
	lio_vhost_target
}

# The vhost target of lio_setup over its two backstores.
lio_vhost_target() {
	cfg=/sys/kernel/config/target
	tpg=$cfg/vhost/naa.5001405000000001/tpgt_1
	mkdir -p $tpg/lun/lun_0 $tpg/lun/lun_1 &&
	ln -s $cfg/core/rd_mcp_0/rd0 $tpg/lun/lun_0/rd0 &&
	ln -s $cfg/core/fileio_0/fio0 $tpg/lun/lun_1/fio0 &&
	echo naa.5001405000000002 > $tpg/nexus
}

# Remove the vhost target and the fabric directory, so vhost_scsi can be
# unloaded; the backstores (and their data) stay.
lio_vhost_remove() {
	cfg=/sys/kernel/config/target
	tpg=$cfg/vhost/naa.5001405000000001/tpgt_1
	rm -f $tpg/lun/lun_0/rd0 $tpg/lun/lun_1/fio0 &&
	rmdir $tpg/lun/lun_* $tpg $cfg/vhost/naa.5001405000000001 $cfg/vhost
}

# LUN 2: a block LUN on null_blk in timer mode, every I/O held for 2 s: a
# backend slow enough that completions of other LUNs wait behind it.
lio_held_lun() {
	cfg=/sys/kernel/config/target
	tpg=$cfg/vhost/naa.5001405000000001/tpgt_1
	modprobe target_core_iblock &&
	modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=2000000000 gb=1 &&
	mkdir -p $cfg/core/iblock_0/held &&
	echo udev_path=/dev/nullb0 > $cfg/core/iblock_0/held/control &&
	echo 1 > $cfg/core/iblock_0/held/enable &&
	mkdir -p $tpg/lun/lun_2 &&
	ln -s $cfg/core/iblock_0/held $tpg/lun/lun_2/held
}

# Take LUN 2 of lio_held_lun out of the target again, if it is there.
lio_held_lun_remove() {
	lun=$lio_tpg/lun/lun_2
	[ -d $lun ] || return 0
	rm -f $lun/held && rmdir $lun
}
