#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mounted ABI test: runs abi-prog (built against the reference libfuse3)
# with a mount point, on our library, and always cleans the mount up.
#
# usage: abi-mount.sh ABI-PROG OUR-LIBFUSE3
# (meson sets LD_LIBRARY_PATH to our build and LD_BIND_NOW=1)
set -u
prog=$1 lib=$2

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: mounting needs root here (CI runs as root)" >&2
	exit 77
fi

tmp=$(mktemp -d /tmp/fused-abi.XXXXXX) || exit 1
mnt=$tmp/mnt
mkdir "$mnt"

# A stuck server must not hang the cleanup: abort its connection first.
cleanup() {
	local dev
	if grep -q " $mnt " /proc/self/mounts; then
		dev=$(awk -v m="$mnt" '$5 == m { print $3 }' /proc/self/mountinfo | tail -n1)
		[ -n "$dev" ] && echo 1 > "/sys/fs/fuse/connections/${dev#*:}/abort" 2>/dev/null
		timeout 10 umount "$mnt" 2>/dev/null || umount -l "$mnt"
	fi
	grep -q " $tmp/" /proc/self/mounts || rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

timeout 60 "$prog" "$lib" "$mnt"
