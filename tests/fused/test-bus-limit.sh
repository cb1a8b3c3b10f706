#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bus's limit of pending calls per connection below fused's own cap on
# requests in flight (max_replies_per_connection 16 here): with polkitd
# stopped, 30 requests of 3 users pile up; the polkit checks the bus refuses
# (LimitsExceeded) are answered TooManyRequests, not PermissionDenied, and
# the others are mounted once polkitd goes on.
set -uo pipefail
H_BUS_LIMITS='<limit name="max_replies_per_connection">16</limit>'
source "$(dirname "$0")/lib.sh"
t_init "$@"

M=$H_TMP/mnt
for u in 0 1 2; do
  for i in $(seq 10); do h_mkdir "$M/u$u-$i" 6100$u 0755; done
done
kill -STOP "$H_POLKIT_PID"
pids=()
for u in 0 1 2; do
  for i in $(seq 10); do
    setpriv --reuid=6100$u --regid=6100$u --clear-groups -- timeout 60 "$T_CLIENT" mount "$M/u$u-$i" \
      >"$H_TMP/r$u-$i.out" 2>/dev/null &
    pids+=($!)
  done
done
for i in $(seq 100); do
  [ "$(cat "$H_TMP"/r*.out | grep -c "^error")" -ge 14 ] && break
  sleep 0.1
done
kill -CONT "$H_POLKIT_PID"
wait "${pids[@]}"
mounted=$(cat "$H_TMP"/r*.out | grep -c "^$FUSED_MOUNT_PATH_PREFIX/")
busy=$(cat "$H_TMP"/r*.out | grep -c "^error ${FUSED_ERROR_PREFIX}TooManyRequests$")
h_check "30 requests: mounted or TooManyRequests ($mounted + $busy)" \
  test $((mounted + busy)) = 30
h_check "the bus refused some checks and fused said TooManyRequests ($busy)" test "$busy" -ge 1
h_check "fused logged the bus's refusal" grep -q "The bus refused the polkit check" "$H_FUSED_LOG"
h_check "fused lives on" kill -0 "$H_FUSED_PID"
for u in 0 1 2; do
  for i in $(seq 10); do [ -n "$(t_mountinfo "$M/u$u-$i")" ] && t_client 0 unmount "$M/u$u-$i"; done
done
h_check "all unmounted" test -z "$(h_fuse_mounts_under "$M")"
h_done
