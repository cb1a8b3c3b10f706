#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rules 8-11 and the bus surface: ObjectManager signals, properties
# and ListMounts; the log line per request; auto-unmount; callers gone
# mid-request; 100 concurrent clients; fused restarted with mounts live
# (and with duplicate state records);
# polkitd gone; the bus policy.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
BUS=(busctl --system)
h_mkdir "$M/a" $A 0755
h_mkdir "$M/b" $B 0755

fused_alive() { kill -0 "$H_FUSED_PID" 2>/dev/null && h_wait_name org.freedesktop.fuse1 2; }
listed() { t_client 0 list; grep -qF "	$1	" <<<"$T_OUT"; }

# --- ObjectManager, properties, ListMounts -----------------------------------
t_bg $B "$H_TMP/watch.out" watch 2 20
watcher=$T_BG_PID
for i in $(seq 100); do grep -q watching "$H_TMP/watch.out" && break; sleep 0.05; done
t_mount_ok "A mounts" $A "$M/a" -o fsname=srcname,subtype=sub
obj=$T_OUT
prop() { "${BUS[@]}" get-property org.freedesktop.fuse1 "$obj" org.freedesktop.fuse1.Mount "$1" 2>&1; }
h_check "Mountpoint property" test "$(setpriv --reuid=$B --regid=$B --clear-groups -- "${BUS[@]}" get-property org.freedesktop.fuse1 "$obj" org.freedesktop.fuse1.Mount Mountpoint)" = "s \"$M/a\""
h_check "Owner property" test "$(prop Owner)" = "u $A"
h_check "FsName property" test "$(prop FsName)" = 's "srcname"'
h_check "Subtype property" test "$(prop Subtype)" = 's "sub"'
h_check "Options property mentions the subtype or fsname" grep -q 'fsname\|subtype\|^s ' <<<"$(prop Options)"
h_check "CreationTimestamp is about now" eval '[ $(( $(date +%s) - $(prop CreationTimestamp | cut -d" " -f2) / 1000000 )) -lt 60 ]'
h_check "Pid property is set" eval '[ "$(prop Pid | cut -d" " -f2)" -gt 0 ]'
h_check "GetManagedObjects has it" eval '"${BUS[@]}" call org.freedesktop.fuse1 /org/freedesktop/fuse1 org.freedesktop.DBus.ObjectManager GetManagedObjects | grep -qF "$obj"'
t_client $B list
h_check "ListMounts (as another user) has it, with owner" grep -qP "^\Q$obj\E\t\Q$M/a\E\t$A\t" <<<"$T_OUT"
t_client $A unmount "$M/a"
h_check "unmounted" test "$T_RC" = 0
wait $watcher
h_check "InterfacesAdded then InterfacesRemoved for the mount, both naming the Mount interface" \
  test "$(cat "$H_TMP/watch.out")" = "$(printf 'watching\nadded %s %s\nremoved %s %s' \
    "$obj" org.freedesktop.fuse1.Mount "$obj" org.freedesktop.fuse1.Mount)"
h_check "the object is gone" eval '! prop Owner >/dev/null'
t_client 0 list
h_check "ListMounts no longer has it" test -z "$T_OUT"

# --- one log line per request -------------------------------------------------
# (A directory of its own: fused may write a line just after its reply.)
h_mkdir "$M/log" $A 0755
mark=$(t_log_mark)
t_mount_ok "A mounts (logged)" $A "$M/log"
t_mount_err "B refused on A's dir (logged)" MountpointNotAllowed $B "$M/log"
t_client $A unmount "$M/log"
for i in $(seq 50); do
  [ "$(t_log_since "$mark" | grep -cF "$M/log")" -ge 3 ] && break
  sleep 0.1
done
sleep 0.2
log=$(t_log_since "$mark")
h_check "3 requests, 3 log lines mentioning the mountpoint" test "$(grep -cF "$M/log" <<<"$log")" = 3
h_check "the lines name the caller uids" eval 'grep -F "$M/log" <<<"$log" | grep -q "$A" && grep -F "$M/log" <<<"$log" | grep -q "$B"'

# --- auto-unmount ------------------------------------------------------------
t_bg $A "$H_TMP/au.out" mount --auto-unmount --hold "$M/a"
c=$T_BG_PID
h_check "auto-unmount mount made" t_wait_ready "$H_TMP/au.out" $c
h_check "... listed with AutoUnmount" eval 'listed "$M/a"'
t_stop $c KILL
h_check "client killed: fused unmounts it" t_wait_unmounted "$M/a" 10
sleep 0.2
t_client 0 list
h_check "... and forgets it" eval '! grep -qF "$M/a" <<<"$T_OUT"'

t_bg $A "$H_TMP/au2.out" mount --auto-unmount --hold --drop-bus "$M/a"
c=$T_BG_PID
h_check "auto-unmount mount made (2)" t_wait_ready "$H_TMP/au2.out" $c
h_check "bus connection closed, fd still open: fused unmounts it" t_wait_unmounted "$M/a" 10
t_stop $c

t_bg $A "$H_TMP/au4.out" mount -o auto_unmount --hold "$M/a"
c=$T_BG_PID
h_check "mount with the option auto_unmount" t_wait_ready "$H_TMP/au4.out" $c
t_stop $c KILL
h_check "client killed: the option works like the flag" t_wait_unmounted "$M/a" 10

t_bg $A "$H_TMP/au3.out" mount --hold "$M/a"
c=$T_BG_PID
h_check "mount without auto-unmount" t_wait_ready "$H_TMP/au3.out" $c
t_stop $c KILL
sleep 1
h_check "client killed: the mount stays (no auto-unmount asked)" t_is_fuse "$M/a"
t_release $A "$M/a"
# fused keeps up to 4 idle worker children for 10 s after a request; no
# helper stays per mount, so once idle none is left.
no_children() {
  local tries=300
  while (( tries-- > 0 )); do
    [ -z "$(pgrep -P "$H_FUSED_PID")" ] && return 0
    sleep 0.05
  done
  return 1
}
h_check "at most 4 idle workers under fused" test "$(pgrep -c -P "$H_FUSED_PID")" -le 4
# An idle worker has put itself back: root, in fused's mount namespace and
# root directory, holding only its own fds, whatever the last caller was.
idle_workers_reset() {
  local w n=0
  for w in $(pgrep -P "$H_FUSED_PID"); do
    n=$((n + 1))
    grep -q "^Uid:[[:space:]]*0[[:space:]]*0[[:space:]]*0[[:space:]]*0$" "/proc/$w/status" || return 1
    grep -q "^Gid:[[:space:]]*0[[:space:]]*0[[:space:]]*0[[:space:]]*0$" "/proc/$w/status" || return 1
    grep -q "^Groups:[[:space:]]*$" "/proc/$w/status" || return 1
    [ "$(readlink "/proc/$w/ns/mnt")" = "$(readlink "/proc/$H_FUSED_PID/ns/mnt")" ] || return 1
    [ "$(readlink "/proc/$w/root")" = / ] || return 1
    [ "$(ls "/proc/$w/fd" | awk '$1 > 2' | wc -l)" -le 4 ] || return 1
  done
  [ $n -gt 0 ]
}
t_client $A mount "$M/a" && t_client $A unmount "$M/a"
h_check "idle workers are root again, in fused's namespace, with no job fds" idle_workers_reset
h_check "no helper process lingers under fused" no_children

# --- callers gone mid-request ----------------------------------------------
for i in $(seq 20); do h_mkdir "$M/gone$i" $A 0755; done
for i in $(seq 20); do
  t_client $A mount --send-only "$M/gone$i"
done
sleep 2
h_check "fused survives callers gone mid-request" fused_alive
t_client 0 list
untracked=0
while IFS= read -r mp; do
  grep -qF "	$mp	" <<<"$T_OUT" || untracked=$((untracked + 1))
done < <(h_fuse_mounts_under "$M")
h_check "no FUSE mount fused does not know about ($untracked)" test "$untracked" = 0
# (A mount may stay: a caller that exits after fused sent the reply, fd
# included, is one that got its mount.  It must be a known one, as above.)
for i in $(seq 20); do t_release $A "$M/gone$i"; done
# Killed while fused is still working on it (kill -9 right after sending).
for i in $(seq 20); do
  setpriv --reuid=$A --regid=$A --clear-groups -- "$T_CLIENT" mount --hold "$M/gone$i" >/dev/null 2>&1 &
  p=$!; sleep 0.0$((i % 10)); kill -KILL $p 2>/dev/null; wait $p 2>/dev/null
done
sleep 2
h_check "fused survives callers killed mid-request" fused_alive
t_client 0 list
untracked=0
while IFS= read -r mp; do
  grep -qF "	$mp	" <<<"$T_OUT" || untracked=$((untracked + 1))
done < <(h_fuse_mounts_under "$M")
h_check "... and knows every mount it made ($untracked untracked)" test "$untracked" = 0
for i in $(seq 20); do t_release $A "$M/gone$i"; done
t_mount_ok "fused still mounts" $A "$M/a"
t_release $A "$M/a"

# --- 100 concurrent clients --------------------------------------------------
for i in $(seq 0 99); do h_mkdir "$M/c$i" $((61000 + i % 10)) 0755; done
pids=()
for i in $(seq 0 99); do
  u=$((61000 + i % 10))
  setpriv --reuid=$u --regid=$u --clear-groups -- timeout 120 "$T_CLIENT" mount "$M/c$i" \
    >"$H_TMP/c$i.out" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
ok=$(cat "$H_TMP"/c*.out | grep -c "^$FUSED_MOUNT_PATH_PREFIX/")
h_check "100 concurrent mounts by 10 users: all made ($ok)" test "$ok" = 100
h_check "... 100 FUSE mounts" test "$(h_fuse_mounts_under "$M" | wc -l)" = 100
t_client 0 list
h_check "... 100 listed" test "$(wc -l <<<"$T_OUT")" = 100
pids=()
for i in $(seq 0 99); do
  u=$((61000 + i % 10))
  setpriv --reuid=$u --regid=$u --clear-groups -- timeout 120 "$T_CLIENT" unmount "$M/c$i" \
    >"$H_TMP/u$i.out" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
h_check "100 concurrent unmounts" test "$(cat "$H_TMP"/u*.out | grep -c '^unmounted$')" = 100
h_check "... nothing left" test -z "$(h_fuse_mounts_under "$M")"

# --- fused restarted with mounts live ----------------------------------------
h_mkdir "$M/r1" $A 0755; h_mkdir "$M/r2" $A 0755; h_mkdir "$M/r3" $B 0755
for sig in TERM KILL; do
  t_mount_ok "A mounts r1 ($sig)" $A "$M/r1"
  t_mount_ok "A mounts r2 ($sig)" $A "$M/r2"
  t_mount_ok "B mounts r3 ($sig)" $B "$M/r3"
  h_stop_fused $sig
  h_check "fused stopped ($sig): the mounts stay" eval 't_is_fuse "$M/r1" && t_is_fuse "$M/r2"'
  umount -l "$M/r2"
  h_start_fused
  t_client $A list
  h_check "restarted: r1 still known" eval 'grep -qP "\t\Q$M/r1\E\t$A\t" <<<"$T_OUT"'
  h_check "restarted: r3 still known with its owner" eval 'grep -qP "\t\Q$M/r3\E\t$B\t" <<<"$T_OUT"'
  h_check "restarted: the record of r2 (gone meanwhile) dropped" eval '! grep -qF "$M/r2	" <<<"$T_OUT"'
  t_client $B unmount "$M/r1"
  h_check "restarted: B still may not unmount A's r1 ($T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}NotOwner"
  t_client $A unmount "$M/r1"
  h_check "restarted: A unmounts r1 ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/r1")"
  t_client $B unmount "$M/r3"
  h_check "restarted: B unmounts r3 ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/r3")"
done

# --- duplicate state records ---------------------------------------------------
# A state file copied under another name (same id), and one naming the same
# mount under another id: fused keeps its own record, refuses the others
# and says so; the mount is listed once.
h_mkdir "$M/dup" $A 0755
t_mount_ok "A mounts dup" $A "$M/dup"
dupobj=$T_OUT
h_stop_fused
f=$(grep -lF "mountpoint=$M/dup" "$H_STATE"/mounts/*)
id=$(basename "$f")
cp "$f" "$H_STATE/mounts/$((id + 1000))"
sed "s/^id=$id\$/id=$((id + 2000))/" "$f" >"$H_STATE/mounts/$((id + 2000))"
h_start_fused
t_client $A list
h_check "duplicate state records: the mount is listed once ($(grep -c . <<<"$T_OUT"))" \
  eval '[ "$(grep -cF "$M/dup	" <<<"$T_OUT")" = 1 ] && grep -qF "$dupobj	$M/dup	" <<<"$T_OUT"'
h_check "duplicate state records: both refused in the log" \
  test "$(grep -c "Refusing state file .*/mounts/$((id + 1000)): \|Refusing state file .*/mounts/$((id + 2000)): " "$H_FUSED_LOG")" = 2
h_check "duplicate state records: only fused's own file is left" \
  test "$(grep -lF "mountpoint=$M/dup" "$H_STATE"/mounts/* | xargs -n1 basename)" = "$id"
t_client $A unmount "$M/dup"
h_check "duplicate state records: A unmounts dup ($T_OUT)" test "$T_RC" = 0 -a -z "$(t_mountinfo "$M/dup")"

# --- requests in flight per uid (rule 11), and a hung polkitd ------------------
# With polkitd stopped (SIGSTOP), every Mount of a uid waits for polkit, so
# the requests pile up: beyond FUSED_REQUESTS_PER_UID_MAX (16) they are
# refused at once, while root (no polkit) and fused's loop go on.
for i in $(seq 24); do h_mkdir "$M/q$i" $A 0755; done
kill -STOP "$H_POLKIT_PID"
pids=()
for i in $(seq 24); do
  setpriv --reuid=$A --regid=$A --clear-groups -- timeout 120 "$T_CLIENT" mount "$M/q$i" \
    >"$H_TMP/q$i.out" 2>&1 &
  pids+=($!)
done
# On a loaded machine the 24 clients take a while to start; more than 8
# refusals would show up too, so look again a little later.
for i in $(seq 300); do
  [ "$(cat "$H_TMP"/q*.out | grep -c TooManyRequests)" -ge 8 ] && break
  sleep 0.1
done
sleep 1
n=$(cat "$H_TMP"/q*.out | grep -c "^error ${FUSED_ERROR_PREFIX}TooManyRequests")
h_check "24 requests of one uid against a hung polkitd: 8 refused with TooManyRequests ($n;$(cat "$H_TMP"/q*.out | sort | uniq -c | tr '\n' ';'))" test "$n" = 8
h_mkdir "$M/qroot" 0 0755
t_client 0 mount "$M/qroot"
h_check "... meanwhile root's request is served" test "$T_RC" = 0
t_release 0 "$M/qroot"
kill -CONT "$H_POLKIT_PID"
wait "${pids[@]}"
h_check "polkitd back: the 16 waiting requests are mounted" \
  test "$(cat "$H_TMP"/q*.out | grep -c "^$FUSED_MOUNT_PATH_PREFIX/")" = 16
for i in $(seq 24); do [ -n "$(t_mountinfo "$M/q$i")" ] && t_release $A "$M/q$i"; done

# --- polkitd not running -----------------------------------------------------
t_mount_ok "A mounts before polkitd goes away" $A "$M/a"
h_mkdir "$M/a2" $A 0755
h_stop_polkitd
t_mount_err "allow_other needs polkit: PolkitUnavailable" PolkitUnavailable $A "$M/a2" -o allow_other
t_mount_err "suid needs polkit: PolkitUnavailable" PolkitUnavailable $A "$M/a2" -o suid
t_client $B unmount "$M/a"
h_check "unmount-other needs polkit: PolkitUnavailable ($T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}PolkitUnavailable"
t_client $A unmount "$M/a"
h_check "the owner's unmount needs no polkit ($T_OUT)" test "$T_RC" = 0
t_client 0 mount "$M/b"
h_check "root needs no polkit ($T_OUT)" test "$T_RC" = 0
t_release 0 "$M/b"
h_start_polkitd
t_mount_ok "polkitd back: mounts work again" $A "$M/a"
t_release $A "$M/a"

# --- garbage and oversized arguments ------------------------------------------
as_a() { setpriv --reuid=$A --regid=$A --clear-groups -- "$@"; }
call() { as_a timeout 20 "${BUS[@]}" call org.freedesktop.fuse1 /org/freedesktop/fuse1 org.freedesktop.fuse1.Manager "$@" 2>&1; }
refused() {
  local what=$1; shift
  local out; out=$("$@"); local rc=$?
  if [ $rc -ne 0 ] && fused_alive; then h_pass "$what refused: ${out:0:100}"
  else h_fail "$what: rc $rc, fused alive: $(fused_alive && echo yes || echo no): $out"; fi
}
refused "Mount with a wrong signature" call Mount s "$M/a"
refused "Mount with no arguments" call Mount
refused "Mount with an extra argument" call Mount ssa{sv}s "$M/a" "" 0 x
refused "ListMounts with an argument" call ListMounts s x
refused "Unmount with a wrong signature" call Unmount u 1
refused "unknown method" call Frobnicate
refused "auto-unmount flag of type s" call Mount ssa{sv} "$M/a" "" 1 auto-unmount s yes
refused "lazy flag of type u" call Unmount sa{sv} "$M/a" 1 lazy u 1
refused "mountpoint-fd flag of type u" call Mount ssa{sv} "$M/a" "" 1 mountpoint-fd u 0
refused "mountpoint of 5000 bytes" call Mount ssa{sv} "/$(printf 'x%.0s' $(seq 5000))" "" 0
refused "mountpoint of 2000 path components" call Mount ssa{sv} "$(printf '/a%.0s' $(seq 2000))" "" 0
refused "empty mountpoint" call Mount ssa{sv} "" "" 0
refused "options of 100 kB" call Mount ssa{sv} "$M/a" "$(printf 'ro,%.0s' $(seq 25000))ro" 0
refused "a flags dict of 1000 entries" call Mount ssa{sv} "$M/a" "" 1000 $(for i in $(seq 1000); do echo "k$i b true"; done)
refused "mountpoint fd of /dev/null" as_a "$T_CLIENT" mount --fd-of=/dev/null /dev/null
t_client $A mount --flag=no-such-flag:b:true "$M/a"
if [ "$T_RC" = 0 ]; then h_pass "unknown flag ignored"; t_release $A "$M/a"
else h_check "unknown flag refused with InvalidArgument ($T_OUT)" test "$T_OUT" = "error ${FUSED_ERROR_PREFIX}InvalidArgument"; fi
h_check "Introspect works for anyone" eval 'as_a "${BUS[@]}" introspect org.freedesktop.fuse1 /org/freedesktop/fuse1 | grep -q "\.Mount "'
t_mount_ok "fused still serves after the garbage" $A "$M/a"
t_release $A "$M/a"

# --- the bus policy (policy/org.freedesktop.fuse1.conf) -------------------------
out=$(as_a "${BUS[@]}" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus RequestName su org.freedesktop.fuse1 0 2>&1)
h_check "a user may not own org.freedesktop.fuse1 ($out)" grep -qi 'access\|denied\|not allowed' <<<"$out"

h_done
