#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boots Debian's kernel under qemu (TCG) with a busybox initramfs that
# loads one fuse.ko, shares the host's root read-only over virtio-9p and
# runs vm-suite.sh in it.  The serial console is the log.
#
# usage: vm-run.sh KVER MODULE WORKDIR LOG -- SUITE-ARGS...
#   MODULE   our fuse.ko, or "stock" for the kernel's own
#   WORKDIR  where the initramfs is built (under the build dir)
set -euo pipefail

kver=$1 module=$2 work=$3 log=$4
shift 5
here=$(cd "$(dirname "$0")" && pwd)
moddir=/lib/modules/$kver
kernel=/boot/vmlinuz-$kver

[ "$module" = stock ] && module=$moddir/kernel/fs/fuse/fuse.ko

# Modules to load, dependencies first, resolved through modules.dep.
. "$here/vm-modules.sh"
add_mod virtio_pci 9pnet_virtio 9p

root=$work/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,mods,proc,sys,dev,host}
cp /bin/busybox "$root/bin/busybox"
copy_mods "$root/mods"
cp "$module" "$root/fuse.ko"

# Whatever asks for a module gets nothing: only the fuse.ko above loads.
# It lives on the VM's /run, which stays after switch_root.
cat > "$root/refuse-modprobe" <<'EOS'
#!/bin/sh
echo "KT-MODPROBE-REFUSED: $*" > /dev/console
exit 1
EOS
printf '%q ' "$@" > "$root/suite-args"
# The VM gets fresh /tmp and /run; a source or build tree there (a clone
# made in /tmp) would vanish under them, so its top directory is carried
# over: bound aside before the tmpfs mounts, moved back after.
for a in "$here" "$@"; do
	case $a in
	/tmp/?*|/run/?*) echo "$a" | cut -d/ -f1-3 ;;
	esac
done | sort -u > "$root/keep"
# Stage two runs as pid 1 in the host's root (switch_root, not chroot:
# a chrooted process may not create user namespaces, and tests do).
# What a booted system would give the scripts: /dev/fd for bash's process
# substitution (devtmpfs has none), and room for the fd per inode that
# passthrough servers hold (10000-file tests and benchmarks).
cat > "$root/stage2" <<'EOS'
#!/bin/sh
ln -s /proc/self/fd /dev/fd
ulimit -n 65536
eval "/bin/bash $(cat /run/kt/suite-args)" 2>&1
echo "KT-INIT: done"
/bin/busybox poweroff -f
EOS
cat > "$root/init" <<'EOS'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m || echo "KT-INIT: insmod $m failed"; done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro hostroot /host; then
	echo "KT-INIT: no host root"; poweroff -f
fi
i=0
for p in $(cat /keep); do
	i=$((i + 1)); mkdir -p /keep.$i; mount --bind /host$p /keep.$i
done
for d in tmp run; do mount -t tmpfs tmpfs /host/$d; done
i=0
for p in $(cat /keep); do
	i=$((i + 1)); mkdir -p /host$p; mount --move /keep.$i /host$p
done
mkdir -p /host/run/kt
cp /refuse-modprobe /stage2 /suite-args /host/run/kt/
echo /run/kt/refuse-modprobe > /proc/sys/kernel/modprobe
mount --move /dev /host/dev
mkdir -p /host/dev/shm
mount -t tmpfs tmpfs /host/dev/shm
mount --move /proc /host/proc
mount --move /sys /host/sys
if ! insmod /fuse.ko; then
	echo "KT-INIT: insmod fuse.ko failed"; poweroff -f
fi
echo "KT-INIT: fuse.ko loaded"
exec switch_root /host /run/kt/stage2
EOS
chmod +x "$root/init" "$root/refuse-modprobe" "$root/stage2"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.cpio.gz"

timeout 720 qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet loglevel=4 panic=-1" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	</dev/null > "$log" 2>&1 || echo "qemu exited with $?" >> "$log"
