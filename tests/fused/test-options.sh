#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused, rules 4, 5 (allow_other) and 7: the option string.  nodev,nosuid
# always; suid/dev/blkdev only through polkit; fd/rootmode/user_id/group_id
# never from the caller; no smuggling through escapes or length; fsname and
# subtype kept parseable; allow_other through fuse.conf or polkit; the
# details polkit rules see.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init "$@"

A=$H_UID0 B=$H_UID1
M=$H_TMP/mnt
h_mkdir "$M/a" $A 0755
h_mkdir "$M/b" $B 0755

# What must hold for every mount a caller without privileges got, whatever
# its option string.
safe_mount() {
  local what=$1 mp=$2 uid=$3
  local mo so; mo=$(t_mount_opts "$mp") so=$(t_super_opts "$mp")
  t_has_opt "$mo" nosuid && t_has_opt "$mo" nodev ||
    { h_fail "$what: not nosuid,nodev: $mo"; return 1; }
  [ "$(tr ',' '\n' <<<"$so" | grep -c '^user_id=')" = 1 ] && t_has_opt "$so" "user_id=$uid" ||
    { h_fail "$what: user_id is not the caller's: $so"; return 1; }
  [ "$(tr ',' '\n' <<<"$so" | grep -c '^group_id=')" = 1 ] && t_has_opt "$so" "group_id=$uid" ||
    { h_fail "$what: group_id is not the caller's: $so"; return 1; }
  ! t_has_opt "$so" allow_other ||
    { h_fail "$what: allow_other slipped in: $so"; return 1; }
  return 0
}

t_mount_ok "no options" $A "$M/a"
h_check "nosuid,nodev and the caller's user_id/group_id" safe_mount "no options" "$M/a" $A
h_check "fstype is plain fuse" test "$(t_fstype "$M/a")" = fuse
t_release $A "$M/a"

t_mount_ok "safe options" $A "$M/a" -o ro,noexec,noatime,default_permissions,max_read=65536,subtype=testfs,fsname=myfs
mo=$(t_mount_opts "$M/a") so=$(t_super_opts "$M/a")
h_check "ro, noexec and noatime applied" eval 't_has_opt "$mo" ro && t_has_opt "$mo" noexec && t_has_opt "$mo" noatime'
h_check "default_permissions and max_read passed to the fs" eval 't_has_opt "$so" default_permissions && t_has_opt "$so" max_read=65536'
h_check "subtype and fsname shown" test "$(t_fstype "$M/a") $(t_source "$M/a")" = "fuse.testfs myfs"
h_check "still safe" safe_mount "safe options" "$M/a" $A
t_release $A "$M/a"

t_mount_ok "explicit nosuid,nodev" $A "$M/a" -o nosuid,nodev
t_release $A "$M/a"
t_mount_err "unknown option" InvalidOption $A "$M/a" -o frobnicate
t_mount_err "blksize without blkdev (the kernel refuses it too)" InvalidOption $A "$M/a" -o blksize=4096

for o in fd=3 rootmode=40000 user_id=0 group_id=0 user_id=$A; do
  t_mount_err "$o is fused's to set" InvalidOption $A "$M/a" -o "$o"
done

for o in suid dev blkdev; do
  t_mount_err "$o refused without polkit" PermissionDenied $A "$M/a" -o "$o"
  t_mount_err "$o refused even when interactive (no agent)" PermissionDenied $A "$M/a" -o "$o" --interactive
done

# Smuggling: an escaped comma stays inside its value; an escaped backslash
# does not hide the comma after it.  Whatever fused makes of these, the
# mount it makes (if any) must be safe.
smuggle=(
  'fsname=a\,user_id=0'
  'subtype=x\,suid'
  'fsname=a\,allow_other'
  'fsname=a\\,suid'
  'fsname=a\\\,dev'
  'default_permissions\,suid'
  'fsname=a\'
)
for s in "${smuggle[@]}"; do
  t_client $A mount -o "$s" "$M/a"
  if [ "$T_RC" = 0 ]; then
    h_check "smuggling '$s': accepted, and safe" safe_mount "$s" "$M/a" $A
    t_release $A "$M/a"
  else
    case "$T_OUT" in
      "error ${FUSED_ERROR_PREFIX}InvalidOption"|"error ${FUSED_ERROR_PREFIX}PermissionDenied")
        h_pass "smuggling '$s': refused (${T_OUT##*.})" ;;
      *) h_fail "smuggling '$s': unexpected answer '$T_OUT'" ;;
    esac
  fi
done
h_check "no mount left on $M/a" test -z "$(t_mountinfo "$M/a")"

long=$(printf 'default_permissions,%.0s' $(seq 300))ro
t_mount_err "option string over 4096 bytes" InvalidOption $A "$M/a" -o "$long"
t_mount_err "fsname over 255 bytes" InvalidOption $A "$M/a" -o "fsname=$(printf 'x%.0s' $(seq 300))"
t_mount_err "subtype over 255 bytes" InvalidOption $A "$M/a" -o "subtype=$(printf 'x%.0s' $(seq 300))"

# fsname and subtype with characters that would break mountinfo or fstab
# parsing: refused, or shown so that every line still parses.
names=('a b' $'a\tb' $'a\nb' 'a\,b' '#a' 'a:b')
for raw in "${names[@]}"; do
  n=$(printf '%q' "$raw")
  for key in fsname subtype; do
    t_client $A mount -o "$key=$raw" "$M/a"
    if [ "$T_RC" = 0 ]; then
      line=$(t_mountinfo "$M/a")
      src=$(t_source "$M/a") fst=$(t_fstype "$M/a")
      ok=1
      # 10 fields and the separator in the right place, however the kernel
      # escapes; no raw control characters after unescaping.
      awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { exit (NF - i == 3) ? 0 : 1 } exit 1 }' <<<"$line" || ok=0
      # The kernel escapes them as \011 and \012; fused must not pass them.
      case "$src$fst" in *'\011'*|*'\012'*) ok=0 ;; esac
      [ "$(t_fuse_count)" -ge 1 ] || ok=0
      if [ $ok = 1 ]; then h_pass "$key '$n' sanitized: $fst $src"
      else h_fail "$key '$n' breaks mountinfo: $line"; fi
      h_check "$key '$n' mount is safe" safe_mount "$key" "$M/a" $A
      t_release $A "$M/a"
    elif [ "$T_OUT" = "error ${FUSED_ERROR_PREFIX}InvalidOption" ]; then
      h_pass "$key '$n' refused"
    else
      h_fail "$key '$n': unexpected answer '$T_OUT'"
    fi
  done
done

# allow_other / allow_root: fuse.conf's user_allow_other, else polkit.
for o in allow_other allow_root; do
  t_mount_err "$o without user_allow_other" PermissionDenied $A "$M/a" -o $o
done
echo user_allow_other >"$H_CONF"
t_mount_ok "allow_other with user_allow_other" $A "$M/a" -o allow_other
h_check "allow_other reaches the kernel" t_has_opt "$(t_super_opts "$M/a")" allow_other
h_check "... and nodev,nosuid stay" t_has_opt "$(t_mount_opts "$M/a")" nosuid
t_release $A "$M/a"
: >"$H_CONF"
t_mount_err "user_allow_other removed again" PermissionDenied $A "$M/a" -o allow_other
h_rules 50-fuse-allow-other-group.rules <"$H_POLICY_DIR/rules.d/50-fuse-allow-other-group.rules"
h_group_add fuse fusetest0
t_mount_ok "allow_other granted by the group rule" $A "$M/a" -o allow_other
t_release $A "$M/a"
t_mount_err "... not to a user outside the group" PermissionDenied $B "$M/b" -o allow_other
h_rules_clear

# The details fused passes: a rule that grants unsafe options only for
# subtype "trusted", uid 61000, option suid (not dev), fstype fuse.trusted
# or fuse, on mountpoint $M/a.
h_rules 10-details.rules <<EOF2
polkit.addRule(function(action, subject) {
    if (action.id != "org.freedesktop.fuse1.mount-unsafe-options")
        return polkit.Result.NOT_HANDLED;
    var opts = "," + action.lookup("options") + ",";
    if (action.lookup("uid") == "$A" &&
        action.lookup("subtype") == "trusted" &&
        /^fuse/.test(action.lookup("fstype")) &&
        action.lookup("mountpoint") == "$M/a" &&
        opts.indexOf(",suid,") >= 0 && opts.indexOf(",dev,") < 0)
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
EOF2
t_mount_ok "suid granted by a rule on the details" $A "$M/a" -o suid,subtype=trusted
h_check "the mount is suid" eval '! t_has_opt "$(t_mount_opts "$M/a")" nosuid'
h_check "... and still nodev" t_has_opt "$(t_mount_opts "$M/a")" nodev
t_release $A "$M/a"
t_mount_err "dev not covered by that rule" PermissionDenied $A "$M/a" -o dev,subtype=trusted
t_mount_err "other subtype not covered" PermissionDenied $A "$M/a" -o suid,subtype=other
t_mount_err "other uid not covered" PermissionDenied $B "$M/b" -o suid,subtype=trusted
h_rules_clear

# The CheckAuthorization calls as fused sends them (watched with busctl
# monitor, as root): every detail, and AllowUserInteraction (flags = 1)
# only when the caller's message allowed interactive authorization.
busctl --system monitor --json=short org.freedesktop.PolicyKit1 >"$H_TMP/monitor" 2>&1 &
monitor=$!
for i in $(seq 100); do [ -s "$H_TMP/monitor" ] && break; sleep 0.05; done
sleep 0.2
t_client $A mount -o allow_other,subtype=mon "$M/a"
t_client $A mount --interactive -o allow_other,subtype=moni "$M/a"
sleep 0.3
kill $monitor; wait $monitor 2>/dev/null
checks=$(grep '"member":"CheckAuthorization"' "$H_TMP/monitor")
pk_call() { grep -F "\"$1\"" <<<"$checks" | grep -F "\"subtype\":\"$2\""; }
for sub in mon moni; do
  call=$(pk_call org.freedesktop.fuse1.mount-allow-other $sub)
  h_check "allow_other ($sub): polkit asked for mount-allow-other" test -n "$call"
  h_check "... with every detail" eval 'grep -qF "\"mountpoint\":\"$M/a\"" <<<"$call" &&
    grep -qF "\"uid\":\"$A\"" <<<"$call" && grep -q "\"fstype\":\"fuse" <<<"$call" &&
    grep -q "\"options\":\"[^\"]*allow_other" <<<"$call" && grep -qF "\"namespace\":\"host\"" <<<"$call"'
done
h_check "not interactive unless asked (flags 0)" grep -q ',0,""\]' <<<"$(pk_call org.freedesktop.fuse1.mount-allow-other mon)"
h_check "interactive when asked (flags 1)" grep -q ',1,""\]' <<<"$(pk_call org.freedesktop.fuse1.mount-allow-other moni)"

h_rules 10-unsafe.rules <<EOF2
polkit.addRule(function(action, subject) {
    if (action.id == "org.freedesktop.fuse1.mount-unsafe-options" && subject.user == "fusetest0")
        return polkit.Result.YES;
});
EOF2
t_mount_ok "dev granted by rules.d" $A "$M/a" -o dev
h_check "the mount is dev (not nodev)" eval '! t_has_opt "$(t_mount_opts "$M/a")" nodev'
t_release $A "$M/a"

h_done
