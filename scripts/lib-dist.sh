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

# The lines of a sources.list for release $1.
dist_sources() {
	echo "deb $(dist_mirror) $1 main"
	echo "deb $(dist_mirror) $1-updates main"
	echo "deb $(dist_security_mirror) $1-security main"
}
