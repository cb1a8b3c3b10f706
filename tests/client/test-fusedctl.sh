#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fusedctl against a private bus, polkitd and fused, as unprivileged uids:
# list (table and --json, parsed with jq), status, unmount, monitor, and
# the documented exit status and message of each refusal.
#   test-fusedctl.sh FUSED FUSEDCTL FUSERMOUNT3 FUSERMOUNT_COMPAT
set -u
. "$(dirname "$0")/../fused/harness.sh"
. "$(dirname "$0")/lib.sh"
h_enter_ns "$@"
fused=$(realpath "$1") fusedctl=$(realpath "$2") fusermount3=$(realpath "$3") compat=$(realpath "$4")   # meson passes them relative
h_setup
h_user_bins fusedctl fusermount3 compat
h_start_fused "$fused"

h_check "usage: no command -> 2" expect_rc 2 "$fusedctl"
h_check "usage: unknown command -> 2" expect_rc 2 "$fusedctl" frobnicate
h_check "usage: status without a mountpoint -> 2" expect_rc 2 "$fusedctl" status
h_check "--version" "$fusedctl" --version
h_check "list with no mounts" as "$H_UID0" "$fusedctl" list
h_check "list --json with no mounts is []" \
  test "$(as "$H_UID0" "$fusedctl" list --json | jq -c .)" = "[]"

# A monitor (as another uid: watching is for everyone) sees what follows.
as "$H_UID2" "$fusedctl" --json monitor >"$H_TMP/monitor.out" 2>&1 &
monitor=$!
as "$H_UID3" "$fusedctl" monitor >"$H_TMP/monitor.txt" 2>&1 &
monitor_text=$!
sleep 0.5

a=$H_TMP/mnt/a b=$H_TMP/mnt/with\ space
h_mkdir "$a" "$H_UID0" 0755
h_mkdir "$b" "$H_UID1" 0755
as "$H_UID0" "$compat" "$fusermount3" "$a" serve >/dev/null 2>&1 &
as "$H_UID1" "$compat" "$fusermount3" "$b" serve >/dev/null 2>&1 &
h_check "two mounts up" wait_for eval 'is_fuse_mounted "$a" && is_fuse_mounted "$b"'

json=$(as "$H_UID0" "$fusedctl" list --json)
h_check "list --json is valid JSON with 2 entries" test "$(jq length <<<"$json")" = 2
h_check "... mount a: owner $H_UID0, fsname, subtype" \
  jq -e --arg mp "$a" --argjson uid "$H_UID0" \
  'any(.[]; .mountpoint == $mp and .owner == $uid and .fsname == "compat" and .subtype == "compat"
            and (.pid > 0) and (.object | startswith("/org/freedesktop/fuse1/mount/"))
            and (.created_usec > 0) and (.options | type == "string"))' <<<"$json"
h_check "... mount b: a space in the path survives" \
  jq -e --arg mp "$b" --argjson uid "$H_UID1" 'any(.[]; .mountpoint == $mp and .owner == $uid)' <<<"$json"
table=$(as "$H_UID0" "$fusedctl" list)
h_check "list table: header, both rows, footer" \
  eval 'grep -q "^MOUNTPOINT" <<<"$table" && grep -qF "$a " <<<"$table" && grep -q "^2 mounts listed" <<<"$table"'
h_check "status of a" as "$H_UID0" "$fusedctl" status "$a"
h_check "... shows owner and source" \
  eval 'as "$H_UID0" "$fusedctl" status "$a" | grep -q "Owner: fusetest0 (uid $H_UID0)"'
h_check "status --json" eval \
  '"$fusedctl" --json status "$a" | jq -e --arg mp "$a" "length == 1 and .[0].mountpoint == \$mp" >/dev/null'
h_check "list --no-legend: rows only" \
  test "$(as "$H_UID0" "$fusedctl" --no-legend list | wc -l)" = 2
h_check "status of a relative path" \
  eval '( cd "$H_TMP/mnt" && as "$H_UID0" "$fusedctl" status a >/dev/null )'

# Refusals: exit status and message.
h_check "status of something not mounted -> 3" expect_rc 3 as "$H_UID0" "$fusedctl" status "$H_TMP"
h_check "... says so" grep -q "not a mount made by fused" <<<"$ERR"
h_check "unmount of another user's mount -> 4" \
  expect_rc 4 as "$H_UID0" "$fusedctl" --no-ask-password unmount "$b"
h_check "... with fused's message" grep -q "^fusedctl: $b: ." <<<"$ERR"
h_check "... and it stays" is_fuse_mounted "$b"
h_check "unmount of something not mounted -> 3" \
  expect_rc 3 as "$H_UID0" "$fusedctl" unmount "$H_TMP/mnt"

h_check "unmount by the owner" as "$H_UID0" "$fusedctl" unmount "$a"
h_check "... gone" wait_for not is_fuse_mounted "$a"
h_check "unmount --lazy by the owner" as "$H_UID1" "$fusedctl" unmount --lazy "$b"
h_check "... gone" wait_for not is_fuse_mounted "$b"
h_check "list --json is [] again" test "$(as "$H_UID0" "$fusedctl" list --json | jq -c .)" = "[]"

mon=$H_TMP/monitor.out
h_check "monitor saw a added, with its owner" wait_for json_has "$mon" \
  '.event == "added" and .mountpoint == $mp and .owner == $uid' --arg mp "$a" --argjson uid "$H_UID0"
h_check "monitor saw b added" wait_for json_has "$mon" \
  '.event == "added" and .mountpoint == $mp' --arg mp "$b"
h_check "monitor saw a removed" wait_for json_has "$mon" \
  '.event == "removed" and .mountpoint == $mp' --arg mp "$a"
h_check "monitor saw b removed, by name" wait_for json_has "$mon" \
  '.event == "removed" and .mountpoint == $mp' --arg mp "$b"
h_stop_fused
h_check "monitor saw fused stop" wait_for json_has "$mon" '.event == "fused-stopped"'
h_check "monitor (text) printed a's arrival" grep -q "^+ $a fuse.compat compat owner=fusetest0 pid=" "$H_TMP/monitor.txt"
h_check "monitor (text) printed b's departure" grep -qx -- "- $b" "$H_TMP/monitor.txt"
h_check "monitor (text) printed fused stopping" grep -qx "\* fused stopped" "$H_TMP/monitor.txt"
kill "$monitor" "$monitor_text" 2>/dev/null
wait "$monitor" "$monitor_text" 2>/dev/null

h_check "fused unreachable -> 5" expect_rc 5 as "$H_UID0" "$fusedctl" list
h_check "... telling what to start" grep -q "fused is not running: start fused.service (systemctl start fused)" <<<"$ERR"
h_check "no bus at all -> 5" \
  expect_rc 5 env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent "$fusedctl" list
h_done
