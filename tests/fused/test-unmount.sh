#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rule 6: Unmount.  The owner may, another user may not unless polkit
# unmount-other says so; only FUSE mounts; never through a symlink; lazy on
# request.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

A=$H_UID0 B=$H_UID1 C=$H_UID2
M=$H_TMP/mnt
h_mkdir "$M/a" $A 0755
h_mkdir "$M/tmpfs" $A 0755
h_mkdir "$M/plain" $A 0755

t_mount_ok "A mounts" $A "$M/a"
t_client $B unmount "$M/a"
h_check "B may not unmount A's mount (NotOwner: $T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}NotOwner"
h_check "... and it is still mounted" t_is_fuse "$M/a"
t_client $B unmount --interactive "$M/a"
h_check "... not even asking interactively, without an agent" test "$T_RC" != 0 -a -n "$(t_mountinfo "$M/a")"

ln -s "$M/a" "$M/link"
t_client $A unmount "$M/link"
h_check "no unmount through a symlink ($T_OUT)" test "$T_RC" = 2
h_check "... still mounted" t_is_fuse "$M/a"
ln -s "$M" "$M/dirlink"
t_client $B unmount "$M/dirlink/a"
h_check "a symlinked parent does not help another user ($T_OUT)" test "$T_RC" = 2 -a -n "$(t_mountinfo "$M/a")"

t_client $A unmount "$M/a"
h_check "the owner unmounts ($T_OUT)" test "$T_RC" = 0
h_check "... and it is gone" test -z "$(t_mountinfo "$M/a")"
t_client $A unmount "$M/a"
h_check "unmount again: NotMounted ($T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}NotMounted"
t_client $A unmount "$M/does-not-exist"
h_check "nonexistent path: NotMounted ($T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}NotMounted"
t_client $A unmount "relative/path"
h_check "relative path: InvalidArgument ($T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}InvalidArgument"

mount -t tmpfs -o size=1m tmpfs "$M/tmpfs"
t_client $A unmount "$M/tmpfs"
h_check "not a FUSE mount: NotFuse ($T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}NotFuse"
h_check "... tmpfs still mounted" test -n "$(t_mountinfo "$M/tmpfs")"
t_client $A unmount "/proc"
h_check "/proc: refused ($T_OUT)" test "$T_RC" = 2 -a -n "$(t_mountinfo /proc)"
umount "$M/tmpfs"

# A FUSE mount fused did not make, with user_id of A: B may not take it.
exec 7<>/dev/fuse
mount -i -t fuse -o fd=7,rootmode=40000,user_id=$A,group_id=$A,nosuid,nodev direct "$M/plain"
exec 7>&-
t_client $B unmount "$M/plain"
h_check "a foreign FUSE mount: not B's to unmount ($T_OUT)" test "$T_RC" = 2 -a -n "$(t_mountinfo "$M/plain")"
umount -l "$M/plain"

# unmount-other through rules.d
t_mount_ok "A mounts again" $A "$M/a"
h_rules 10-unmount-other.rules <<'EOF2'
polkit.addRule(function(action, subject) {
    if (action.id == "org.freedesktop.fuse1.unmount-other" && subject.user == "fusetest1")
        return polkit.Result.YES;
});
EOF2
t_client $C unmount "$M/a"
h_check "C still may not ($T_OUT)" test "$T_RC" = 2 -a -n "$(t_mountinfo "$M/a")"
t_client $B unmount "$M/a"
h_check "B may with unmount-other granted ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/a")"
h_rules_clear

# Root may unmount anything FUSE.
t_mount_ok "A mounts again" $A "$M/a"
t_client 0 unmount "$M/a"
h_check "root unmounts A's mount ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/a")"

# Lazy: a mount kept busy by an O_PATH fd (no FUSE request needed).
t_mount_ok "A mounts again" $A "$M/a"
t_bg $A "$H_TMP/pin.out" pin "$M/a"
pin=$T_BG_PID
h_check "a process holds the mount" t_wait_ready "$H_TMP/pin.out" $pin
t_client $A unmount "$M/a"
h_check "busy mount: plain unmount fails ($T_OUT)" test "$T_RC" = 2 -a -n "$(t_mountinfo "$M/a")"
t_client $A unmount --lazy "$M/a"
h_check "busy mount: lazy unmount detaches it ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/a")"
t_stop $pin

h_done
