#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused with a filesystem that answers: the fd fused hands over, passed to
# example/hello_ll as /dev/fd/N, serves the mount.  Only the owner may look
# in unless allow_other; auto-unmount takes a served mount down when its
# owner's bus connection goes; unmounting a served mount works.
#   test-served.sh FUSED FUSED_TEST_CLIENT HELLO_LL
set -uo pipefail
source "$(dirname "$0")/lib.sh"
hello=$(realpath "$3")
t_init "$@"
h_user_bins hello

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
h_mkdir "$M/a" $A 0755
as() { local u=$1; shift; timeout 10 setpriv --reuid=$u --regid=$u --clear-groups -- "$@"; }

# serve UID OUT MP [mount options]: mount through fused and serve with hello_ll.
serve() {
  local uid=$1 out=$2 mp=$3; shift 3
  t_bg "$uid" "$out" mount "$@" --serve "$mp" "$hello" '{}' -f
  t_wait_ready "$out" "$T_BG_PID"
}

h_check "A mounts and serves hello_ll" serve $A "$H_TMP/s1.out" "$M/a"
srv=$T_BG_PID
h_check "A reads the file through FUSE" test "$(as $A cat "$M/a/hello" 2>&1)" = "Hello, world!"
h_check "B may not look in (no allow_other)" eval '! as $B ls "$M/a" >/dev/null 2>&1'
h_check "nor root (no allow_root)" eval '! timeout 10 cat "$M/a/hello" >/dev/null 2>&1'
t_client $A unmount "$M/a"
h_check "A unmounts the served mount ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/a")"
timeout 10 tail --pid=$srv -f /dev/null
h_check "the server exits once unmounted" eval '! kill -0 $srv 2>/dev/null'
t_stop $srv

echo user_allow_other >"$H_CONF"
h_check "A mounts with allow_other and serves" serve $A "$H_TMP/s2.out" "$M/a" -o allow_other
srv=$T_BG_PID
h_check "B reads it with allow_other" test "$(as $B cat "$M/a/hello" 2>&1)" = "Hello, world!"
h_check "... but the mount is still nosuid,nodev" eval 't_has_opt "$(t_mount_opts "$M/a")" nosuid && t_has_opt "$(t_mount_opts "$M/a")" nodev'
t_release $A "$M/a"
t_stop $srv
: >"$H_CONF"

h_check "A mounts with auto-unmount and serves" serve $A "$H_TMP/s3.out" "$M/a" --auto-unmount
srv=$T_BG_PID
h_check "served" test "$(as $A cat "$M/a/hello" 2>&1)" = "Hello, world!"
# The client holds the bus connection, the server child holds the fd.
# Killing the client alone drops the connection: fused must unmount.
child=$(pgrep -P $srv)
kill -KILL $srv; wait $srv 2>/dev/null
h_check "owner's connection gone: fused unmounts the served mount" t_wait_unmounted "$M/a" 10
h_check "... and the orphaned server exits" timeout 10 tail --pid="$child" -f /dev/null
kill -KILL "$child" 2>/dev/null

h_done
