#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rule 10: with a journal, one structured entry per request, with
# the fields an admin queries: FUSED_METHOD, CALLER_UID, CALLER_PID,
# MOUNTPOINT, OPTIONS, VERDICT, REASON.  The journal is journal-sink on a
# tmpfs over /run/systemd (or /run) inside the test's namespace.
#   test-journal.sh FUSED FUSED_TEST_CLIENT JOURNAL_SINK
set -uo pipefail
source "$(dirname "$0")/lib.sh"
sink=$(realpath "$3")
h_enter_ns "$@"
T_FUSED=$(realpath "$1") T_CLIENT=$(realpath "$2")
h_setup
h_user_bins T_CLIENT

# fused looks for the journal once, at start.
if [ -d /run/systemd ]; then mount -t tmpfs -o mode=0755 tmpfs /run/systemd
else mount -t tmpfs -o mode=0755 tmpfs /run; mkdir /run/systemd; fi
mkdir /run/systemd/journal
"$sink" /run/systemd/journal/socket >"$H_TMP/journal" 2>"$H_TMP/journal.err" &
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
h_start_fused "$T_FUSED"

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
h_mkdir "$M/a" $A 0755
t_mount_ok "A mounts" $A "$M/a" -o subtype=jt
t_mount_err "B refused" MountpointNotAllowed $B "$M/a"
t_client $A unmount "$M/a"
sleep 0.5

req=$(grep -P '(^|\t)FUSED_METHOD=' "$H_TMP/journal")
field() { tr '\t' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
h_check "one entry per request (3: $(wc -l <<<"$req"))" test "$(grep -c . <<<"$req")" = 3
mount_a=$(grep -P "\tCALLER_UID=$A\t" <<<"$req" | grep -P 'FUSED_METHOD=Mount\t' | head -1)
refused=$(grep -P "\tCALLER_UID=$B\t" <<<"$req" | head -1)
unmount=$(grep -P 'FUSED_METHOD=Unmount\t' <<<"$req" | head -1)
h_check "allowed Mount: verdict, mountpoint, options" eval '[ "$(field "$mount_a" VERDICT)" = allow ] &&
  [ "$(field "$mount_a" MOUNTPOINT)" = "$M/a" ] && field "$mount_a" OPTIONS | grep -q "subtype=jt\|nosuid"'
h_check "allowed Mount: the caller's pid" eval '[ "$(field "$mount_a" CALLER_PID)" -gt 0 ]'
h_check "refused Mount: verdict and a reason" eval '[ "$(field "$refused" VERDICT)" = deny ] &&
  [ -n "$(field "$refused" REASON)" ] && [ "$(field "$refused" MOUNTPOINT)" = "$M/a" ]'
h_check "Unmount logged too" eval '[ "$(field "$unmount" VERDICT)" = allow ] && [ "$(field "$unmount" CALLER_UID)" = $A ]'
h_check "entries are fused's" eval '[ "$(field "$mount_a" SYSLOG_IDENTIFIER)" = fused ]'
h_check "nothing about requests on stderr when there is a journal" eval '! grep -q "verdict=" "$H_FUSED_LOG"'

h_done
