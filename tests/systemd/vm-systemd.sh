#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused under a real systemd: boots Debian's 6.1 kernel under qemu (TCG)
# with systemd as PID 1 on a writable copy of this machine's root, the
# Debian packages of debian/ installed in it, and runs guest-test.sh there
# as users would (suite 'systemd', as root; see README.md).
#
#   vm-systemd.sh WORKDIR [DEBDIR]
#
# WORKDIR (under the build dir) gets the initramfs, the packages when none
# are given (DEBDIR or $FUSED_DEB_DIR: prebuilt .debs) and console.log, the
# guest's serial console, which is the test's only output channel: lines
# "ok - ..." and "FAIL - ..." from the guest, "SV: ..." from the initramfs.
#
# Skips (77) without qemu-system-x86_64 or a 6.1 kernel image with its
# modules; fails when the guest misbehaves (no boot, a FAIL, a missing
# phase, no power-off in time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
work=$(mkdir -p "$1" && cd "$1" && pwd)
debdir=${2:-${FUSED_DEB_DIR:-}}

skip() { echo "SKIP: $*" >&2; exit 77; }
die() { echo "vm-systemd: FATAL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (dpkg-buildpackage is fine without, the initramfs's device nodes and qemu's 9p export of / are not)"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
command -v busybox >/dev/null || skip "no busybox (apt-get install busybox-static)"
# Debian's 6.1 kernel: FUSE, overlayfs and 9p as modules, as the guest
# needs them.  The newest one with its modules tree.
kver=
for k in /boot/vmlinuz-6.1.*-amd64; do
  [ -e "$k" ] || continue
  v=${k#/boot/vmlinuz-}
  [ -e "/lib/modules/$v/modules.dep" ] && kver=$v
done
[ -n "$kver" ] || skip "no /boot/vmlinuz-6.1.*-amd64 with its /lib/modules tree (apt-get install linux-image-amd64 on Debian 12)"
[ -x /lib/systemd/systemd ] || skip "no systemd installed to boot as init"
for need in mksquashfs cpio gzip sshfs squashfuse; do
  command -v "$need" >/dev/null || die "missing $need (tools/install-deps)"
done
moddir=/lib/modules/$kver

# --- the packages ------------------------------------------------------------
if [ -z "$debdir" ]; then
  echo "# building the Debian packages (dpkg-buildpackage; log: $work/debs/build.log)"
  rm -rf "$work/debs"
  t0=$SECONDS
  "$srcdir/tests/packaging/build-debs.sh" "$srcdir" "$work/debs" || die "the packages did not build"
  rm -rf "$work/debs/src"
  echo "# packages built in $((SECONDS - t0)) s"
  debdir=$work/debs
fi
for p in fused libfuse3-3-fused libfuse3-4-fused libfuse3-fused-dev; do
  compgen -G "$debdir/${p}_*.deb" >/dev/null || die "no ${p}_*.deb in $debdir"
done

# --- the initramfs -------------------------------------------------------------
# Modules to load, dependencies first, resolved through modules.dep: 9p for
# the host's root, overlay to make it writable, and the kernel's own fuse.
. "$srcdir/tests/kernel/vm-modules.sh"
add_mod virtio_pci 9pnet_virtio 9p overlay fuse

root=$work/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,mods,proc,sys,dev,lower,ovl,newroot,payload/debs}
cp "$(command -v busybox)" "$root/bin/busybox"
copy_mods "$root/mods"

# What the initramfs writes into the guest's root: the packages, the
# guest's script and units, and a squashfs image for the filesystems to
# serve (made here: TCG is slow).
cp "$debdir"/fused_*.deb "$debdir"/libfuse3-3-fused_*.deb "$debdir"/libfuse3-4-fused_*.deb \
   "$debdir"/libfuse3-fused-dev_*.deb "$root/payload/debs/"
cp "$here/guest-test.sh" "$here"/units/* "$here/setup-root.sh" "$root/payload/"
rm -rf "$work/image-src"
mkdir -p "$work/image-src/dir"
echo "served by squashfuse" >"$work/image-src/hello.txt"
echo "a file in a directory" >"$work/image-src/dir/file.txt"
mksquashfs "$work/image-src" "$root/payload/hello.squashfs" -quiet -noappend -no-progress -all-root >/dev/null

cat >"$root/init" <<'EOS'
#!/bin/busybox sh
# Stage one: make a writable root of the host's (9p, read-only) with an
# overlay on tmpfs, install the packages and the test into it, and hand
# over to systemd.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
fail() { echo "SV: FATAL: $*"; poweroff -f; }
for m in $(cat /mods/order); do insmod /mods/$m || fail "insmod $m"; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /lower || fail "no host root"
mount -t tmpfs -o mode=0755 ovl /ovl
mkdir /ovl/upper /ovl/work
mount -t overlay -o lowerdir=/lower,upperdir=/ovl/upper,workdir=/ovl/work overlay /newroot ||
	fail "no overlay over the host root"
echo "SV: overlay root ready"
mount -t proc proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
mount -t tmpfs -o mode=0755 run /newroot/run
mount -t tmpfs -o mode=1777 tmp /newroot/tmp
mkdir -p /newroot/run/fused-vmtest
cp -a /payload/. /newroot/run/fused-vmtest/
chroot /newroot /bin/sh /run/fused-vmtest/setup-root.sh || fail "setting up the guest's root"
umount /newroot/proc
# systemd gets an empty /run, as at any boot: /run/fused must come from
# tmpfiles.d.  /tmp stays a tmpfs: the host's /tmp below it is nothing of
# the guest's, and systemd-tmpfiles would empty it at boot, file by file,
# over 9p.
umount /newroot/run
echo "SV: switching to systemd at $(cut -d" " -f1 /proc/uptime) s of uptime"
exec switch_root /newroot /lib/systemd/systemd
EOS
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"

# --- the boot ------------------------------------------------------------------
log=$work/console.log
echo "# booting $kver with systemd as init (console: $log)"
t0=$SECONDS
# systemd.unit: our target, not multi-user.target with everything this
# container image enables.  The guest powers off when done; 900 s is the
# limit for a run that takes 200-280 s alone on two cores, 440 s beside
# another VM.
rc=0
timeout 900 qemu-system-x86_64 -accel tcg -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "/boot/vmlinuz-$kver" -initrd "$work/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 systemd.unit=fused-vmtest.target systemd.show_status=error ${FUSED_VM_APPEND:-}" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  </dev/null >"$log" 2>&1 &
qemu=$!
# Killed ourselves (meson's timeout, ^C): the VM goes too (timeout passes
# the signal on to qemu).
trap 'kill $qemu 2>/dev/null' EXIT
trap 'exit 1' TERM INT
wait $qemu || rc=$?
trap - EXIT
secs=$((SECONDS - t0))
tr -d '\r' <"$log" >"$log.txt"

# --- the verdict ----------------------------------------------------------------
grep -E '^(ok|FAIL|#) |^SV: ' "$log.txt" || true
echo "# qemu ran $secs s (exit $rc)"
bad=0
if [ "$rc" = 124 ]; then
  echo "FAIL - the guest did not power off within 900 s; the console's end:"
  tail -30 "$log.txt"
  bad=1
fi
nok=$(grep -c '^ok - ' "$log.txt" || true)
nfail=$(grep -c '^FAIL - ' "$log.txt" || true)
# Each phase of guest-test.sh says it is over; a phase that never ran (a
# unit that did not start) is a failure too.
for phase in early main shutdown; do
  grep -q "^# phase $phase done" "$log.txt" || { echo "FAIL - phase $phase never finished"; bad=1; }
done
echo "# $nok ok, $nfail FAIL"
[ "$nfail" = 0 ] && [ "$nok" -gt 0 ] && [ "$bad" = 0 ] || { echo "(console: $log.txt)"; exit 1; }
