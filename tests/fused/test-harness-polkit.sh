#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proves the harness without fused: our private bus and a real polkitd with
# our actions file answer CheckAuthorization for an unprivileged process as
# the actions' defaults and the example rules.d files in policy/ say.
set -uo pipefail
source "$(dirname "$0")/harness.sh"
h_enter_ns "$@"
h_setup

# check UID ACTION [detail value]...: prints "yes" or "no" for a process of
# UID, non-interactively, as fused asks.
check() {
  local uid=$1 action=$2; shift 2
  local ndetails=$(( $# / 2 ))
  h_spawn_as "$uid" sleep 30
  local pid=$H_SPAWNED_PID
  # polkit reads the subject's uid and start time from /proc: wait for the
  # setpriv exec to have become the target uid.
  local tries=500
  until [ "$(stat -c %u "/proc/$pid" 2>/dev/null)" = "$uid" ]; do
    (( tries-- > 0 )) && kill -0 "$pid" 2>/dev/null || { echo error; return; }
    sleep 0.01
  done
  local out
  out=$(busctl --system call org.freedesktop.PolicyKit1 \
        /org/freedesktop/PolicyKit1/Authority \
        org.freedesktop.PolicyKit1.Authority CheckAuthorization \
        '(sa{sv})sa{ss}us' unix-process 2 pid u "$pid" start-time t 0 \
        "$action" "$ndetails" "$@" 0 "")
  kill "$pid"; wait "$pid" 2>/dev/null
  case "$out" in
    "(bba{ss}) true "*) echo yes ;;
    "(bba{ss}) false "*) echo no ;;
    *) echo "unexpected reply: $out" >&2; echo error ;;
  esac
}

expect() {
  local want=$1 what=$2; shift 2
  local got; got=$(check "$@")
  [ "$got" = "$want" ] && h_pass "$what" || h_fail "$what: got $got, want $want"
}

A=org.freedesktop.fuse1
expect yes "mount allowed by default" $H_UID0 $A.mount
expect no "allow_other refused by default (auth_admin_keep, not interactive)" $H_UID0 $A.mount-allow-other
expect no "unsafe options refused by default" $H_UID0 $A.mount-unsafe-options
expect no "unmount-other refused by default" $H_UID0 $A.unmount-other

h_rules 50-fuse-allow-other-group.rules <"$H_POLICY_DIR/rules.d/50-fuse-allow-other-group.rules"
h_group_add fuse fusetest1
expect no "allow_other: not in group fuse, still refused" $H_UID0 $A.mount-allow-other
expect yes "allow_other: member of group fuse, granted by the example rule" $H_UID1 $A.mount-allow-other
expect no "the group rule grants nothing else" $H_UID1 $A.mount-unsafe-options

h_rules 60-fuse-no-srv.rules <"$H_POLICY_DIR/rules.d/60-fuse-no-srv.rules"
expect no "mount under /srv refused by the example rule" $H_UID0 $A.mount mountpoint /srv/data
expect no "mount on /srv itself refused" $H_UID0 $A.mount mountpoint /srv
expect yes "mount elsewhere still allowed" $H_UID0 $A.mount mountpoint /srvfoo/data
h_group_add sudo fusetest2
expect yes "mount under /srv allowed for an admin" $H_UID2 $A.mount mountpoint /srv/data

h_done
