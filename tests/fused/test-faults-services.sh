#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused when the services it depends on fail (issue 8, "Faults, nothing
# lost"): polkitd killed with requests waiting for it, then started again;
# the bus daemon killed, then started again.  fused(8): without the bus
# fused exits (status 1), and the service manager starts it again; its
# mounts stay and it takes them back from its state directory, unmounting
# at once the auto-unmount ones, whose owners' connections went with the
# old bus, even when a connection of the new bus has the same unique name.
# After each, every mount has its record with its true owner, every record
# its mount, no worker is left, the owners unmount everything and fused's
# fds are back at a fresh fused's.
#   test-faults-services.sh FUSED FUSED_TEST_CLIENT
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
t_init "$@"

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
for i in $(seq 8); do h_mkdir "$M/a$i" $A 0755; done
h_mkdir "$M/b" $B 0755
f_baseline
fused_alive() { kill -0 "$H_FUSED_PID" 2>/dev/null && h_wait_name org.freedesktop.fuse1 2; }

# --- polkitd killed mid-request ------------------------------------------------
kill -STOP "$H_POLKIT_PID"
pids=()
for i in $(seq 6); do
  t_bg $A "$H_TMP/p$i.out" mount --hold "$M/a$i"
  pids+=($T_BG_PID)
done
sleep 1     # all six asked polkit
{ kill -KILL "$H_POLKIT_PID"; wait "$H_POLKIT_PID"; } 2>/dev/null
H_POLKIT_PID=
for i in $(seq 6); do t_wait_ready "$H_TMP/p$i.out" "${pids[i - 1]}" 20; done
h_start_polkitd
made=$(grep -l '^ready$' "$H_TMP"/p*.out | wc -l)
refused=$(grep -l "^error ${FUSED_ERROR_PREFIX}PolkitUnavailable" "$H_TMP"/p*.out | wc -l)
h_check "polkitd killed with 6 Mounts waiting: each answered ($made made, $refused PolkitUnavailable)" \
  test $((made + refused)) = 6
h_check "... fused lives on" fused_alive
t_mount_ok "polkitd started again: A mounts" $A "$M/a7"
for p in "${pids[@]}"; do t_stop "$p" KILL; done
f_consistent "polkitd killed mid-request"
f_clean "polkitd killed mid-request"

# --- the bus daemon gone and back ------------------------------------------------
t_bg $A "$H_TMP/au.out" mount --auto-unmount --hold "$M/a1"
au=$T_BG_PID
h_check "A holds an auto-unmount mount" t_wait_ready "$H_TMP/au.out" $au
t_mount_ok "B mounts" $B "$M/b"
t_mount_ok "A mounts" $A "$M/a2"
sender=$(grep -h '^sender=' $(grep -l "^mountpoint=$M/a1\$" "$H_STATE"/mounts/*) | cut -d= -f2)
fused=$H_FUSED_PID
{ kill -KILL "$H_BUS_PID"; wait "$H_BUS_PID"; } 2>/dev/null
h_check "bus daemon gone: fused exits" timeout 5 tail --pid="$fused" -f /dev/null
wait "$fused" 2>/dev/null; rc=$?
h_check "... with status 1 ($rc), saying why" eval '[ $rc = 1 ] && grep -q "Lost the bus connection" "$H_FUSED_LOG"'
H_FUSED_PID=
h_check "... its workers with it" test -z "$(pgrep -x fused)"
h_check "... and the mounts stay" eval 't_is_fuse "$M/a1" && t_is_fuse "$M/a2" && t_is_fuse "$M/b"'
{ kill "$H_POLKIT_PID"; wait "$H_POLKIT_PID"; } 2>/dev/null
H_POLKIT_PID=
h_start_bus
h_start_polkitd
# Connections of the new bus until one has the unique name A's client had
# on the old one (names start again from :1.0 on a new bus).
# Each holder is connected before the next starts, and nothing else
# connects meanwhile, so they take consecutive names.
holders=()
for i in $(seq 40); do
  t_bg 0 "$H_TMP/holder$i.out" watch 1 600
  holders+=($T_BG_PID)
  for j in $(seq 100); do grep -qs watching "$H_TMP/holder$i.out" && break; sleep 0.02; done
done
h_check "a connection of the new bus has the unique name $sender" \
  eval 'busctl --system list --no-legend | awk "{ print \$1 }" | grep -qx -- "$sender"'
h_start_fused
h_check "fused started again: A's auto-unmount mount, whose owner's connection went with the old bus, is unmounted" \
  t_wait_unmounted "$M/a1" 5
t_client $B list
h_check "... B's and A's other mount are known with their owners" \
  eval 'grep -qP "\t\Q$M/b\E\t$B\t" <<<"$T_OUT" && grep -qP "\t\Q$M/a2\E\t$A\t" <<<"$T_OUT"'
t_stop $au KILL
for p in "${holders[@]}"; do t_stop "$p"; done
f_consistent "bus daemon gone and back"
f_clean "bus daemon gone and back"

h_done
