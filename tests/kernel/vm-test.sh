#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel suite: for each module built against a kernel whose image is
# installed and has FUSE as a module, boots that kernel twice under qemu,
# once with our fuse.ko and once with its own, runs vm-suite.sh in each and
# prints the results side by side.  Fails if any check fails with ours.
#
# usage: vm-test.sh BUILDDIR HOSTILE SRCDIR [KVER=MODULE...]
set -u
build=$1 hostile=$2 srcdir=$3
shift 3
work=$build/tests/kernel/vm
mkdir -p "$work"

[ $# -gt 0 ] || { echo "SKIP: kernel/fuse.ko was not built (-Dkernel=disabled, or no kbuild tree: install linux-headers-amd64)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 missing (apt-get install qemu-system-x86)"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: /bin/busybox missing (apt-get install busybox-static)"; exit 77; }

ran=0 failed=0
for arg in "$@"; do
	kver=${arg%%=*} mod=${arg#*=}
	if [ ! -f "/boot/vmlinuz-$kver" ]; then
		echo "note: $kver: no /boot/vmlinuz-$kver, module built but not booted"
		continue
	fi
	if grep -q '^CONFIG_FUSE_FS=y' "/boot/config-$kver" 2>/dev/null; then
		echo "note: $kver: FUSE is built into this kernel, our module cannot load there; built only"
		continue
	fi
	if [ ! -f "/lib/modules/$kver/kernel/fs/fuse/fuse.ko" ]; then
		echo "note: $kver: no stock fuse.ko to compare with; skipped"
		continue
	fi
	for which in ours stock; do
		m=$mod; [ $which = stock ] && m=stock
		t0=$(date +%s)
		"$srcdir/vm-run.sh" "$kver" "$m" "$work/$kver-$which" "$work/$kver-$which.log" -- \
			"$srcdir/vm-suite.sh" "$build" "$hostile" "$which"
		echo "$kver $which: VM run took $(( $(date +%s) - t0 )) s, log $work/$kver-$which.log"
	done
	ran=1
	ours=$work/$kver-ours.log stock=$work/$kver-stock.log
	tr -d '\r' < "$ours" > "$ours.txt"
	tr -d '\r' < "$stock" > "$stock.txt"
	echo
	echo "== $kver: our fuse.ko vs the kernel's fuse.ko =="
	printf '%-28s %-6s %-6s  %s\n' check ours stock "detail (ours | stock, where they differ)"
	for name in $(grep -h '^KT|' "$ours.txt" "$stock.txt" | cut -d'|' -f2 | awk '!s[$0]++'); do
		o=$(grep -m1 "^KT|$name|" "$ours.txt") s=$(grep -m1 "^KT|$name|" "$stock.txt")
		od=$(echo "$o" | cut -d'|' -f4-) sd=$(echo "$s" | cut -d'|' -f4-)
		detail=$od; [ "$od" != "$sd" ] && detail="$od | $sd"
		printf '%-28s %-6s %-6s  %s\n' "$name" "$(echo "$o" | cut -d'|' -f3)" \
			"$(echo "$s" | cut -d'|' -f3)" "$detail"
	done
	echo
	if grep -q '^KT|.*|FAIL|' "$ours.txt" || ! grep -q '^KT-END' "$ours.txt"; then
		echo "FAIL: $kver: our module failed checks (or the VM did not finish); console log:"
		cat "$ours.txt"
		failed=1
	fi
	if grep -q 'KT-MODPROBE-REFUSED' "$ours.txt"; then
		echo "note: something asked modprobe for a module in our run:"
		grep 'KT-MODPROBE-REFUSED' "$ours.txt"
	fi
	if ! grep -q '^KT-END' "$stock.txt"; then
		echo "note: $kver: the control run with the stock module did not finish:"
		cat "$stock.txt"
	fi
done
if [ $ran = 0 ]; then
	echo "SKIP: no module built against a bootable kernel (install linux-image-amd64 linux-headers-amd64)"
	exit 77
fi
exit $failed
