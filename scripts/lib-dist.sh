# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Debian releases this project builds for: sourced by the scripts.

# The host's release codename (bookworm, trixie).
host_dist() {
	(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
}

# The release number Debian puts into a kernel ABI name (+deb12, +deb13).
dist_number() {
	case $1 in
	bookworm) echo 12 ;;
	trixie) echo 13 ;;
	forky) echo 14 ;;
	*) echo "lib-dist: unknown Debian release '$1' (bookworm, trixie)" >&2; return 1 ;;
	esac
}

# Debian's archive and its security archive: deb.debian.org, or
# DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR (a local mirror or proxy).
dist_mirror() {
	echo "${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
}
dist_security_mirror() {
	echo "${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
}

# The lines of a sources.list for release $1; "<release>-backports" is
# the release with its backports (the qemu suite's QEMU 11 and Linux 7.x).
dist_sources() {
	set -- "${1%-backports}" "$1"
	echo "deb $(dist_mirror) $1 main"
	echo "deb $(dist_mirror) $1-updates main"
	echo "deb $(dist_security_mirror) $1-security main"
	[ "$1" = "$2" ] || echo "deb $(dist_mirror) $2 main"
}

# Download PKG[=VERSION]... with the apt options $2 (dist-apt.sh's for
# another release, empty for the host's) and unpack them all into DIR,
# which is made anew: nothing is installed.
dist_unpack() { # DIR APT-OPTIONS PKG...
	_dir=$1
	_opts=$2
	shift 2
	rm -rf "$_dir"
	mkdir -p "$_dir/debs"
	for _p; do
		# shellcheck disable=SC2086
		(cd "$_dir/debs" && apt-get $_opts -o APT::Sandbox::User=root download -q "$_p" >&2) ||
			{ echo "cannot download $_p" >&2; return 1; }
	done
	for _d in "$_dir"/debs/*.deb; do
		dpkg-deb -x "$_d" "$_dir" || return 1
	done
	rm -rf "$_dir/debs"
	# Releases since trixie ship /usr/lib/modules only; depmod -b looks in lib/.
	[ -e "$_dir/lib" ] || ln -s usr/lib "$_dir/lib"
}
