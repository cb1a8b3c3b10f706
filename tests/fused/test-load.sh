#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused asked for more requests at once than the bus lets it have polkit
# checks pending (dbus-daemon's max_replies_per_connection, 128 by
# default): 10 users x 16 requests against a stopped polkitd.  fused takes
# FUSED_REQUESTS_TOTAL_MAX (112) at once and refuses the others itself with
# TooManyRequests (never PermissionDenied: nobody was denied anything).
# Every request gets an answer, fused lives on, and its counters come back:
# afterwards a user can again have 16 requests in flight.  Then with the
# bus's limit (16) below fused's: the checks the bus refuses are
# TooManyRequests too.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

M=$H_TMP/mnt
for u in 0 1 2 3 4 5 6 7 8 9; do
  for i in $(seq 16); do h_mkdir "$M/u$u-$i" 6100$u 0755; done
done
kill -STOP "$H_POLKIT_PID"
pids=()
for u in 0 1 2 3 4 5 6 7 8 9; do
  for i in $(seq 16); do
    setpriv --reuid=6100$u --regid=6100$u --clear-groups -- timeout 120 "$T_CLIENT" mount "$M/u$u-$i" \
      >"$H_TMP/r$u-$i.out" 2>/dev/null &
    pids+=($!)
  done
done
sleep 5
kill -CONT "$H_POLKIT_PID"
wait "${pids[@]}"
mounted=$(cat "$H_TMP"/r*.out | grep -c "^$FUSED_MOUNT_PATH_PREFIX/")
named=$(cat "$H_TMP"/r*.out | grep -c "^error ${FUSED_ERROR_PREFIX}")
h_check "160 requests: each mounted or refused by name ($mounted + $named)" test $((mounted + named)) = 160
h_check "at least the 112 fused takes at once were mounted ($mounted)" test "$mounted" -ge 112
denied=$(cat "$H_TMP"/r*.out | grep -vc "^$FUSED_MOUNT_PATH_PREFIX/\|^error ${FUSED_ERROR_PREFIX}TooManyRequests$")
h_check "the others were refused with TooManyRequests ($denied otherwise)" test "$denied" = 0
h_check "fused lives on" kill -0 "$H_FUSED_PID"
h_check "every mount made is listed" eval 't_client 0 list; [ "$(grep -c . <<<"$T_OUT")" = "$mounted" ]'
for u in 0 1 2 3 4 5 6 7 8 9; do
  for i in $(seq 16); do [ -n "$(t_mountinfo "$M/u$u-$i")" ] && t_client 0 unmount "$M/u$u-$i"; done
done
h_check "all unmounted" test -z "$(h_fuse_mounts_under "$M")"
# The per-uid counters: 16 requests of one uid at once, none refused.
pids=()
for i in $(seq 16); do
  setpriv --reuid=$H_UID0 --regid=$H_UID0 --clear-groups -- timeout 60 "$T_CLIENT" mount "$M/u0-$i" \
    >"$H_TMP/again$i.out" 2>/dev/null &
  pids+=($!)
done
wait "${pids[@]}"
h_check "afterwards 16 requests of one uid are all served" \
  test "$(cat "$H_TMP"/again*.out | grep -c "^$FUSED_MOUNT_PATH_PREFIX/")" = 16
h_done
