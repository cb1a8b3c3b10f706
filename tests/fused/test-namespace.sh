#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rule 2: the mount happens in the caller's mount namespace, with the
# path resolved there and from the caller's root.  A caller in a mount namespace of its own (where its
# mountpoint exists only on a tmpfs it sees) gets its mount there, and the
# namespace fused runs in (the test's) sees nothing.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

A=$H_UID0
h_mkdir "$H_TMP/mnt/ns" 0 0755
# Inside a new mount namespace: a tmpfs on $H_TMP/mnt/ns with a directory of
# A's, mounted through fused as A, checked from inside, unmounted.
inner=$(unshare -m --propagation private bash -c '
  set -u
  mount -t tmpfs -o mode=0755 tmpfs "$1/mnt/ns" || exit 1
  mkdir "$1/mnt/ns/a" && chown '"$A:$A"' "$1/mnt/ns/a"
  out=$(setpriv --reuid='"$A"' --regid='"$A"' --clear-groups -- "$2" mount "$1/mnt/ns/a")
  echo "mount: $out"
  awk -v d="$1/mnt/ns/a" '"'"'$5 == d { for (i = 7; i <= NF; i++) if ($i == "-") print "inner: " $(i + 1) }'"'"' /proc/self/mountinfo
  awk -v d="$1/mnt/ns/a" '"'"'$5 == d { print "outer: " $5 }'"'"' /proc/1/mountinfo
  out=$(setpriv --reuid='"$A"' --regid='"$A"' --clear-groups -- "$2" unmount "$1/mnt/ns/a")
  echo "unmount: $out"
  awk -v d="$1/mnt/ns/a" '"'"'$5 == d { print "still: " $5 }'"'"' /proc/self/mountinfo
' inner "$H_TMP" "$T_CLIENT" 2>&1)
echo "$inner"
h_check "mounted for a caller in its own namespace" grep -q "^mount: $FUSED_MOUNT_PATH_PREFIX/" <<<"$inner"
h_check "the mount is in the caller's namespace" grep -q "^inner: fuse" <<<"$inner"
h_check "and not in fused's" eval '! grep -q "^outer:" <<<"$inner"'
h_check "unmounted there through fused" eval 'grep -q "^unmount: unmounted" <<<"$inner" && ! grep -q "^still:" <<<"$inner"'
h_check "the path that exists only in the caller's namespace is unknown here" test ! -e "$H_TMP/mnt/ns/a"

# The caller's root: a caller in a chroot (a tmpfs with /usr bound in, and
# the bus socket at the same path) names its mountpoint as it sees it.
root=$H_TMP/chroot
mkdir "$root"
mount -t tmpfs -o mode=0755 tmpfs "$root"
mkdir -p "$root/usr" "$root/proc" "$root$H_TMP/bus" "$root/bin.test" "$root/only-in-chroot/a"
for l in bin lib lib64 sbin; do [ -L "/$l" ] && ln -s "usr/$l" "$root/$l"; done
mount --bind -o ro /usr "$root/usr"
mount --bind "$H_TMP/bus" "$root$H_TMP/bus"
mount -t proc proc "$root/proc"
cp "$T_CLIENT" "$root/bin.test/client"
chmod 0755 "$root/bin.test" "$root/only-in-chroot"
chown $A:$A "$root/only-in-chroot/a"
in_chroot() { timeout 30 chroot "$root" setpriv --reuid=$A --regid=$A --clear-groups -- /bin.test/client "$@" 2>&1; }
out=$(in_chroot mount /only-in-chroot/a)
h_check "mounted for a caller in a chroot ($out)" grep -q "^$FUSED_MOUNT_PATH_PREFIX/" <<<"$out"
h_check "... on the path as the caller's root resolves it" t_is_fuse "$root/only-in-chroot/a"
h_check "... and nothing outside the chroot" test ! -e /only-in-chroot
out=$(in_chroot unmount /only-in-chroot/a)
h_check "unmounted from the chroot ($out)" test "$out" = unmounted -a -z "$(t_mountinfo "$root/only-in-chroot/a")"
umount -R -l "$root"

h_done
