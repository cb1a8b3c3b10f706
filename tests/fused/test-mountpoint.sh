#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rule 3 (and 2, 7): who may mount on what.  Write permission as the
# caller (owner, group, ACL, other), sticky directories, the filesystem
# under the mountpoint, regular files, nonempty directories, symlinks,
# mountpoint fds, and the mountpoint detail polkit rules see.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

A=$H_UID0 B=$H_UID1 C=$H_UID2
M=$H_TMP/mnt

h_mkdir "$M/own" $A 0755
t_mount_ok "owner may mount on its directory" $A "$M/own"
t_client $A unmount "$M/own"
h_check "owner unmounts it again" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/own")"

h_mkdir "$M/other" $B 0755
t_mount_err "not on another user's directory" MountpointNotAllowed $A "$M/other"

h_mkdir "$M/group" 0 0775; chgrp $H_FUSE_GID "$M/group"
t_mount_err "group-writable, caller not in the group" MountpointNotAllowed $A "$M/group"
t_client_groups $A $H_FUSE_GID mount "$M/group"
h_check "group-writable, caller in the group (process groups)" \
  test "$T_RC" = 0 -a -n "$(t_mountinfo "$M/group")"
t_release $A "$M/group"

h_mkdir "$M/acl" $B 0755
setfacl -m u:$A:rwx "$M/acl"
t_mount_ok "an ACL entry grants write" $A "$M/acl"
t_release $A "$M/acl"
t_mount_err "the ACL grants nobody else" MountpointNotAllowed $C "$M/acl"
h_mkdir "$M/aclmask" $B 0755
setfacl -m u:$A:rwx,m::r-x "$M/aclmask"
t_mount_err "an ACL entry limited by the mask does not" MountpointNotAllowed $A "$M/aclmask"

h_mkdir "$M/world" $B 0777
t_mount_ok "world-writable, not sticky" $A "$M/world"
t_release $A "$M/world"

h_mkdir "$M/sticky" $B 1777
t_mount_err "sticky world-writable directory of another user" MountpointNotAllowed $A "$M/sticky"
h_mkdir "$M/ownsticky" $A 1777
t_mount_ok "sticky directory of the caller" $A "$M/ownsticky"
t_release $A "$M/ownsticky"

h_mkdir "$M/full" $A 0755
touch "$M/full/file"; mkdir "$M/full/sub"
t_mount_ok "nonempty directory" $A "$M/full"
t_release $A "$M/full"

touch "$M/file"; chown $A:$A "$M/file"
t_mount_ok "regular file the caller owns" $A "$M/file"
t_release $A "$M/file"
touch "$M/rofile"; chown $B:$B "$M/rofile"; chmod 0644 "$M/rofile"
t_mount_err "regular file of another user" MountpointNotAllowed $A "$M/rofile"

ln -s "$M/own" "$M/link"
t_mount_err "symlink as last component" MountpointNotAllowed $A "$M/link"
h_check "nothing landed on the symlink's target" test -z "$(t_mountinfo "$M/own")"

t_mount_err "mountpoint that does not exist" MountpointNotAllowed $A "$M/nonexistent"
t_mount_err "relative mountpoint" InvalidArgument $A "mnt/own"

h_mkdir "$M/closed" 0 0700
h_mkdir "$M/closed/inner" $A 0755
t_mount_err "parent directory the caller cannot search" MountpointNotAllowed $A "$M/closed/inner"

t_mount_ok "with a mountpoint fd" $A "$M/own" --fd
t_release $A "$M/own"
h_mkdir "$M/own2" $A 0755
t_mount_err "fd and path naming different inodes" MountpointNotAllowed $A "$M/own" --fd-of="$M/own2"
h_check "... and nothing on either" test -z "$(t_mountinfo "$M/own")$(t_mountinfo "$M/own2")"
t_mount_err "fd of another user's directory" MountpointNotAllowed $A "$M/other" --fd

# proc: /proc/PID/comm of the caller's own process is a regular file it may
# write; the filesystem is what must refuse it.
h_spawn_as $A sleep 60
sleeper=$H_SPAWNED_PID
for i in $(seq 100); do [ "$(stat -c %u /proc/$sleeper)" = $A ] && break; sleep 0.01; done
t_mount_err "a file on proc the caller may write" MountpointNotAllowed $A "/proc/$sleeper/comm"
kill $sleeper; wait $sleeper 2>/dev/null

# sysfs: the instance of a network namespace of our own (kept alive by a
# bind mount of its nsfs file), so chown changes nothing the system sees.
mkdir "$H_TMP/sys"; touch "$H_TMP/netns"
if unshare --net="$H_TMP/netns" true &&
   nsenter --net="$H_TMP/netns" mount -t sysfs sysfs "$H_TMP/sys"; then
  lo=$H_TMP/sys/devices/virtual/net/lo
  chown $A "$lo/ifalias" "$lo"
  t_mount_err "a file on sysfs the caller may write" MountpointNotAllowed $A "$lo/ifalias"
  t_mount_err "a directory on sysfs the caller owns" MountpointNotAllowed $A "$lo"
  umount -l "$H_TMP/sys"; umount "$H_TMP/netns"
else
  h_fail "cannot mount a private sysfs"
fi

# Rule 7: polkit sees the mountpoint.  The example rule from policy/ refuses
# /srv to non-admins; /srv here is a directory of the test, bound over the
# real one in our namespace.
mkdir "$H_TMP/srv"; mount --bind "$H_TMP/srv" /srv; h_track_dir /srv
h_mkdir /srv/a $A 0755
h_mkdir /srv/c $C 0755
h_rules 60-fuse-no-srv.rules <"$H_POLICY_DIR/rules.d/60-fuse-no-srv.rules"
t_mount_err "rules.d refuses /srv (mountpoint detail)" PermissionDenied $A /srv/a
# The detail is the canonical path: no spelling gets past the rule.
ln -s /srv "$M/srvlink"
for p in //srv/a /srv/./a /srv//a "$M/../../../srv/a" "$M/srvlink/a"; do
  t_mount_err "... also spelled $p" PermissionDenied $A "$p"
done
t_mount_ok "... but not elsewhere" $A "$M/own"
t_release $A "$M/own"
# The reverse: a path that looks like /srv but is not.  fused asks polkit
# about the path as given before the checks and again about the canonical
# one when they differ; the canonical one decides.
ln -s "$M" /srv/elsewhere
t_client $A mount /srv/elsewhere/own
h_check "... /srv/elsewhere/own, through a symlink to $M, is not under /srv ($T_OUT)" \
  eval '[ "$T_RC" = 0 ] && t_is_fuse "$M/own"'
t_release $A "$M/own"
rm /srv/elsewhere
h_group_add sudo fusetest2
t_mount_ok "... and not to an admin" $C /srv/c
t_release $C /srv/c
h_rules_clear
t_mount_ok "/srv without the rule" $A /srv/a
t_release $A /srv/a
t_client $A mount "$M/srvlink/a"
t_client 0 list
h_check "ListMounts shows the canonical path" grep -qP "\t/srv/a\t$A\t" <<<"$T_OUT"
t_release $A /srv/a

h_done
