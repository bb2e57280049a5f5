#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# phase.sh LOG NAME CMD... - run CMD, append "NAME: N s (rc R)" to LOG and
# say it; exit with CMD's status.  make test's phases, so that a CI log
# shows where its minutes went.
log=$1 name=$2
shift 2
t0=$(date +%s)
"$@"
rc=$?
line="phase $name: $(($(date +%s) - t0)) s (rc $rc)"
echo "$line" >> "$log"
echo "$line"
exit $rc
