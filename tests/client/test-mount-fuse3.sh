#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mount.fuse3 behind mount(8): an /etc/fstab line and `mount -t fuse.TYPE`
# command lines mount example/memfs as unprivileged users (setuid=USER,
# as_owner) through fused, and as root with drop_privileges (fuse(8)), in a mount namespace where our helper and
# a temporary fstab are bind-mounted over the system's.
#   test-mount-fuse3.sh FUSED FUSEDCTL MOUNT_FUSE3 MEMFS
set -u
. "$(dirname "$0")/../fused/harness.sh"
. "$(dirname "$0")/lib.sh"
h_enter_ns "$@"
fused=$(realpath "$1") fusedctl=$(realpath "$2") helper=$(realpath "$3") memfs=$(realpath "$4")   # meson passes them relative
h_setup
h_user_bins memfs fusedctl
h_start_fused "$fused"

# mount(8) finds /sbin/mount.fuse (-> mount.fuse3) for fuse.TYPE.  It
# drops PATH from the helper's environment; the helper then searches the
# standard one, where /usr/local/bin gets memfs (in this namespace only).
mount --bind "$helper" /usr/sbin/mount.fuse3
mkdir -p "$H_TMP/bin" && ln -s "$memfs" "$H_TMP/bin/memfs"
mount --bind "$H_TMP/bin" /usr/local/bin

# owner_is MNT UID: fused made it for UID.
owner_is() {
  "$fusedctl" list --json | jq -e --arg mp "$1" --argjson uid "$2" \
    'any(.[]; .mountpoint == $mp and .owner == $uid and .subtype == "memfs")' >/dev/null
}

a=$H_TMP/mnt/fstab b=$H_TMP/mnt/cmdline c=$H_TMP/mnt/hash d=$H_TMP/mnt/dropped
h_mkdir "$a" "$H_UID0" 0755
h_mkdir "$b" "$H_UID1" 0755
h_mkdir "$c" "$H_UID0" 0755
h_mkdir "$d" "$H_UID2" 0755

cat >"$H_TMP/fstab" <<EOT
# a temporary fstab for this namespace only
none $a fuse.memfs setuid=fusetest0,noatime,nofail,noauto,_netdev,x-systemd.automount,x-systemd.idle-timeout=60 0 0
EOT
mount --bind "$H_TMP/fstab" /etc/fstab

h_check "fstab line: mount MOUNTPOINT" timeout 30 mount "$a"
h_check "... mounted, type fuse.memfs" eval 'findmnt -n -o FSTYPE "$a" | grep -qx fuse.memfs'
h_check "... by fused for fusetest0 ($H_UID0)" owner_is "$a" "$H_UID0"
# -k: the kernel's view; mount(8) itself keeps x-* and the like in utab.
h_check "... options for mount(8) and systemd not passed on" \
  eval '! findmnt -k -n -o OPTIONS "$a" | grep -qE "nofail|_netdev|x-systemd|noauto|setuid"'
h_check "... noatime passed on to the filesystem and fused" \
  eval 'findmnt -k -n -o OPTIONS "$a" | grep -qw noatime'
h_check "... the user uses it" as "$H_UID0" sh -c 'echo hi >"$1/f" && test "$(cat "$1/f")" = hi' sh "$a"
h_check "... the filesystem process runs as $H_UID0" \
  eval 'test "$(ps -o uid= -p "$(pgrep -f "^memfs $a" | head -1)" | tr -d " ")" = "$H_UID0"'

h_check "mount -t fuse.memfs with a numeric setuid=" \
  timeout 30 mount -t fuse.memfs none "$b" -o "setuid=$H_UID1"
h_check "... for uid $H_UID1" owner_is "$b" "$H_UID1"

h_check "mount -t fuse 'memfs#' (TYPE#SOURCE form)" \
  timeout 30 mount -t fuse 'memfs#' "$c" -o setuid=fusetest0
h_check "... for uid $H_UID0" owner_is "$c" "$H_UID0"

h_check "as_owner: runs as the mountpoint's owner" \
  timeout 30 mount -t fuse.memfs none "$d" -o as_owner
h_check "... uid $H_UID2" owner_is "$d" "$H_UID2"

# drop_privileges as fuse(8) defines it: mounted here as root, the program
# on /dev/fd/N with no capability left, ever.
p=$H_TMP/mnt/priv
h_mkdir "$p" 0 0755
h_check "drop_privileges: mounted by mount.fuse3 as root" timeout 30 mount -t fuse.memfs none "$p" -o drop_privileges
h_check "... type fuse.memfs, user_id=0, nosuid,nodev" eval 'findmnt -n -o FSTYPE "$p" | grep -qx fuse.memfs &&
  findmnt -n -o FS-OPTIONS "$p" | grep -q "user_id=0" && findmnt -n -o VFS-OPTIONS "$p" | grep -q "nosuid,nodev"'
pid=$(pgrep -f "^memfs /dev/fd/" | head -1)
h_check "... the program serves /dev/fd/N" test -n "$pid"
h_check "... as root with no capability in any set, and no_new_privs" eval '
  grep -q "^CapEff:[[:space:]]*0000000000000000" /proc/$pid/status && grep -q "^CapPrm:[[:space:]]*0000000000000000" /proc/$pid/status &&
  grep -q "^CapBnd:[[:space:]]*0000000000000000" /proc/$pid/status && grep -q "^CapAmb:[[:space:]]*0000000000000000" /proc/$pid/status &&
  grep -q "^NoNewPrivs:[[:space:]]*1" /proc/$pid/status'
h_check "... and it works" sh -c 'echo x >"$1/f" && test "$(cat "$1/f")" = x' sh "$p"
h_check "... fused was not asked" eval '! "$fusedctl" list --json | jq -e --arg mp "$p" "any(.[]; .mountpoint == \$mp)" >/dev/null'
umount "$p"
h_check "... unmounted, the program ends" wait_for not pgrep -f "^memfs /dev/fd/"

# Root mounting for itself gets what mount(8) gives root (as libfuse's
# helper does): dev,suid unless nodev/nosuid are asked.
r1=$H_TMP/mnt/root1 r2=$H_TMP/mnt/root2 r3=$H_TMP/mnt/root3
h_mkdir "$r1" 0 0755; h_mkdir "$r2" 0 0755; h_mkdir "$r3" 0 0755
h_check "root: mount -t fuse.memfs" timeout 30 mount -t fuse.memfs none "$r1"
h_check "... rw,relatime: neither nosuid nor nodev" \
  eval 'o=$(findmnt -n -o VFS-OPTIONS "$r1"); [[ ,$o, != *,nosuid,* && ,$o, != *,nodev,* ]]'
h_check "root: nodev asked" timeout 30 mount -t fuse.memfs none "$r2" -o nodev
h_check "... nodev, not nosuid" \
  eval 'o=$(findmnt -n -o VFS-OPTIONS "$r2"); [[ ,$o, == *,nodev,* && ,$o, != *,nosuid,* ]]'
h_check "root: mount.fuse3 TYPE MOUNTPOINT (the type as the spec)" timeout 30 "$helper" memfs "$r3"
h_check "... mounted, type fuse.memfs" eval 'findmnt -n -o FSTYPE "$r3" | grep -qx fuse.memfs'
for m in "$r1" "$r2" "$r3"; do umount "$m"; done

# Refusals.
e=$H_TMP/mnt/refused
h_mkdir "$e" "$H_UID1" 0755
h_check "setuid= of a user who may not write there: refused" \
  expect_fail timeout 30 mount -t fuse.memfs none "$e" -o setuid=fusetest0
h_check "... with fused's reason" grep -q "through fused failed: ." <<<"$ERR"
h_check "setuid= of nobody known: refused" \
  expect_fail timeout 30 mount -t fuse.memfs none "$e" -o setuid=no-such-user
h_check "... saying so" grep -q "no such user" <<<"$ERR"
h_check "as_owner on a root-owned directory: refused" \
  expect_fail timeout 30 mount -t fuse.memfs none "$H_TMP/mnt" -o as_owner
h_check "... saying what to do" grep -q "setuid=USER" <<<"$ERR"
h_check "nothing mounted by the refusals" eval 'not is_fuse_mounted "$e" && not is_fuse_mounted "$H_TMP/mnt"'

# Taken down: through fused (root may unmount anyone's), and umount(8).
for m in "$a" "$b" "$c"; do
  h_check "fusedctl unmount $m (root)" "$fusedctl" unmount "$m"
  h_check "... gone" wait_for not is_fuse_mounted "$m"
done
h_check "umount(8) as root" umount "$d"
h_check "... gone" not is_fuse_mounted "$d"
h_check "the filesystem processes ended" wait_for not pgrep -f "^memfs $H_TMP/"
h_done
