#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs in the initramfs, chrooted into the guest's (overlay) root before
# systemd starts: what an admin would do on a fresh system, then the test's
# own units.  Its output is the console.
set -eu
p=/run/fused-vmtest

# This root is a container image's: with /.dockerenv, systemd would take
# itself for a container's init and ignore the kernel's command line
# (systemd.unit=).  It is a VM's init here.
rm -f /.dockerenv /run/.containerenv
# So is its policy-rc.d, which forbids every service action of maintainer
# scripts (exit 101): deb-systemd-invoke would do nothing at all.
rm -f /usr/sbin/policy-rc.d

# Triggers that would cost minutes under TCG and test nothing of ours:
# fuse3's postrm rebuilds the initramfs, man-db its index.
mkdir -p /etc/initramfs-tools
echo update_initramfs=no >>/etc/initramfs-tools/update-initramfs.conf
rm -f /var/lib/man-db/auto-update

# The packages, over Debian's fuse3, libfuse3-3 and libfuse3-dev (dpkg removes them:
# ours Conflict with and Replace them), no systemd running yet, as
# debootstrap or an image build would install them.  Dependents first:
# dpkg removes libfuse3-3 only once nothing installed needs it (the -dev
# and fuse3 did).
if ! dpkg -i $p/debs/libfuse3-fused-dev_*.deb $p/debs/libfuse3-4-fused_*.deb $p/debs/fused_*.deb \
	     $p/debs/libfuse3-3-fused_*.deb >$p/dpkg.log 2>&1; then
	cat $p/dpkg.log
	echo "SV: FATAL: dpkg -i of the packages"
	exit 1
fi
echo "SV: installed $(cd $p/debs && echo *.deb) at $(cut -d" " -f1 /proc/uptime) s of uptime"

# The user of the checks, and where it mounts.
groupadd -g 61000 fusetest
useradd -u 61000 -g 61000 -m -s /bin/sh fusetest
install -m 0644 $p/hello.squashfs /srv/hello.squashfs
install -d -o fusetest -g fusetest -m 0755 /srv/fs-svc /srv/fstab /srv/fstab-local /home/fusetest/mnt

# fused-fs@fusetest: squashfuse on the image, run by user fusetest.
mkdir -p /etc/fused/fs
cat >/etc/fused/fs/fusetest.conf <<EOC
FUSE_PROGRAM=squashfuse
FUSE_MOUNTPOINT=/srv/fs-svc
FUSE_ARGS="/srv/hello.squashfs"
EOC

# The fstab line as mount.fuse3(8) says to write one, and one without
# _netdev and the bus, which that page says fails at boot.
cat >>/etc/fstab <<EOC
/srv/hello.squashfs /srv/fstab fuse.squashfuse setuid=fusetest,nofail,_netdev,x-systemd.requires=dbus.socket 0 0
/srv/hello.squashfs /srv/fstab-local fuse.squashfuse setuid=fusetest,nofail 0 0
EOC

install -d /usr/local/lib/fused-vmtest
install -m 0755 $p/guest-test.sh /usr/local/lib/fused-vmtest/
# For the upgrade and the removal under systemd.
cp -r $p/debs /usr/local/lib/fused-vmtest/
install -m 0644 $p/fused-vmtest*.target $p/fused-vmtest*.service /etc/systemd/system/
# Nothing this container image enables must slow the boot or touch the
# network: the target pulls in basic.target and ours only, and these, which
# sysinit.target and timers.target pull in, are masked.
for u in systemd-timesyncd.service systemd-pstore.service apt-daily.timer \
	 apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer \
	 man-db.timer; do
	ln -sf /dev/null /etc/systemd/system/$u
done
