#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# show-modules.sh MODDIR MODULE...
#
# What `make` built: each module's vermagic and parameters, and whether its
# driver offers VIRTIO_F_IN_ORDER (read from the feature mask in the
# assembled source, since this machine cannot load modules to ask
# VHOST_GET_FEATURES; `make vmtest` asks the real devices).
set -eu
dir=$1
shift

src_of() {
	case $1 in
	vhost) echo vhost.c ;;
	vhost_net) echo net.c ;;
	vhost_scsi) echo scsi.c ;;
	vhost_vsock) echo vsock.c ;;
	vhost_vdpa) echo vdpa.c ;;
	vhost_test) echo test.c ;;
	vhost_iotlb) echo iotlb.c ;;
	esac
}

printf '%-12s %-9s %-26s %-9s %s\n' module size vermagic in-order parameters
for m in "$@"; do
	ko=$dir/$m.ko
	if [ ! -f "$ko" ]; then
		echo "show-modules: $ko was not built" >&2
		exit 1
	fi
	vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	parms=$(modinfo -F parm "$ko" | cut -d: -f1 | tr '\n' ' ')
	if [ "$m" = vhost ]; then
		io="(core)"
	elif [ "$m" = vhost_iotlb ]; then
		io=-
	elif grep -q '1ULL << VIRTIO_F_IN_ORDER' "$dir/$(src_of "$m")"; then
		io=offered
	else
		io=no
	fi
	printf '%-12s %-9s %-26s %-9s %s\n' "$m" "$(du -k "$ko" | cut -f1)K" "$vm" "$io" "${parms:--}"
done
