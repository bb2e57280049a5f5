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

# The archive the host's apt uses for Debian (deb.debian.org otherwise).
dist_mirror() {
	m=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list \
		/etc/apt/sources.list.d/ 2>/dev/null | head -1 | tr -d ' ')
	m=${m%/}
	echo "${m:-http://deb.debian.org/debian}"
}
