#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prints the kbuild trees to build the module against, one "KDIR KVER" a
# line, the default first: $1 if given, else /lib/modules/$(uname -r)/build
# if present, else the newest /usr/src/linux-headers-*-amd64.  Every other
# installed linux-headers-*-amd64 tree follows, so one build checks all.
set -u
# the release the kernel reports (uname -r), as vermagic has it
release() { sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h" 2>/dev/null; }

first=${1:-}
if [ -z "$first" ]; then
	if [ -d "/lib/modules/$(uname -r)/build" ]; then
		first=/lib/modules/$(uname -r)/build
	else
		first=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
	fi
fi
[ -n "$first" ] && [ -f "$first/Makefile" ] || exit 0
first=$(readlink -f "$first")
echo "$first $(release "$first")"
for d in $(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V); do
	d=$(readlink -f "$d")
	[ "$d" = "$first" ] && continue
	[ -f "$d/Makefile" ] && [ -n "$(release "$d")" ] && echo "$d $(release "$d")"
done
exit 0
