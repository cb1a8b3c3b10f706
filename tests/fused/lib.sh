# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers shared by the fused integration tests (on top of harness.sh).
# Every test script is called as:  test-X.sh FUSED FUSED_TEST_CLIENT
# and starts with:
#   source "$(dirname "$0")/lib.sh"; t_init "$@"
# which enters the namespace, sets up the bus and polkitd, and starts fused.

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

T_FUSED= T_CLIENT= T_OUT= T_RC=

t_init() {
  [ $# -ge 2 ] || h_die "usage: $0 FUSED FUSED_TEST_CLIENT"
  h_enter_ns "$@"
  T_FUSED=$(realpath "$1") T_CLIENT=$(realpath "$2")
  h_setup
  h_user_bins T_CLIENT
  h_start_fused "$T_FUSED"
}

# t_client UID ARGS...: run the test client as UID (0 = root), at most 30 s;
# sets T_OUT (stdout) and T_RC.
t_client() {
  local uid=$1; shift
  if [ "$uid" = 0 ]; then
    T_OUT=$(timeout 30 "$T_CLIENT" "$@" 2>>"$H_TMP/client.err")
  else
    T_OUT=$(timeout 30 setpriv --reuid="$uid" --regid="$uid" --clear-groups -- \
            "$T_CLIENT" "$@" 2>>"$H_TMP/client.err")
  fi
  T_RC=$?
}

# t_client_groups UID GIDS ARGS...: the same with supplementary groups.
t_client_groups() {
  local uid=$1 groups=$2; shift 2
  T_OUT=$(timeout 30 setpriv --reuid="$uid" --regid="$uid" --groups="$groups" -- \
          "$T_CLIENT" "$@" 2>>"$H_TMP/client.err")
  T_RC=$?
}

# The line of our mountinfo for the mount on top of MP (unescaped path).
t_mountinfo() {
  awk -v d="$1" '{
      mp = $5
      gsub(/\\040/, " ", mp); gsub(/\\011/, "\t", mp); gsub(/\\012/, "\n", mp)
      gsub(/\\134/, "\\", mp)
      if (mp == d) line = $0
    } END { if (line != "") print line }' /proc/self/mountinfo
}

# Is the topmost mount on MP a FUSE mount?
t_is_fuse() {
  local line; line=$(t_mountinfo "$1")
  [ -n "$line" ] || return 1
  awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }' <<<"$line" \
    | grep -q '^fuse'
}

t_fuse_count() {
  awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^fuse/) n++; break } }
       END { print n + 0 }' /proc/self/mountinfo
}

# Per-mount options (field 6) and super options (last field) of the mount on MP.
t_mount_opts() { t_mountinfo "$1" | awk '{ print $6 }'; }
t_super_opts() { t_mountinfo "$1" | awk '{ print $NF }'; }
t_source() {
  t_mountinfo "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 2); exit } }'
}
t_fstype() {
  t_mountinfo "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }'
}

t_has_opt() { tr ',' '\n' <<<"$1" | grep -qx "$2"; }

# t_mount_ok WHAT UID MOUNTPOINT [client mount args]: expect success and a
# FUSE mount on MOUNTPOINT.
t_mount_ok() {
  local what=$1 uid=$2 mp=$3; shift 3
  t_client "$uid" mount "$@" "$mp"
  if [ "$T_RC" -ne 0 ]; then
    h_fail "$what: mount failed (rc $T_RC): $T_OUT $(tail -1 "$H_TMP/client.err")"
    return 1
  fi
  case "$T_OUT" in
    "$FUSED_MOUNT_PATH_PREFIX"/*) ;;
    *) h_fail "$what: no object path in the reply: $T_OUT"; return 1 ;;
  esac
  if ! t_is_fuse "$mp"; then
    h_fail "$what: reply ok but no FUSE mount on $mp"
    return 1
  fi
  h_pass "$what"
}

# t_mount_err WHAT ERROR UID MOUNTPOINT [client mount args]: expect the
# named error (short name, e.g. PermissionDenied) and no new mount.
t_mount_err() {
  local what=$1 err=$2 uid=$3 mp=$4; shift 4
  local before; before=$(t_fuse_count)
  t_client "$uid" mount "$@" "$mp"
  local got=${T_OUT#error }
  if [ "$T_RC" -eq 0 ]; then
    h_fail "$what: mount succeeded, wanted $err"
    # Do not let it pollute what follows.
    h_unmount_fuse_under "$mp"
    return 1
  fi
  if [ "$got" != "$FUSED_ERROR_PREFIX$err" ]; then
    h_fail "$what: got '$T_OUT' (rc $T_RC), wanted $err"
    return 1
  fi
  if [ "$(t_fuse_count)" != "$before" ]; then
    h_fail "$what: refused, but the number of FUSE mounts changed"
    return 1
  fi
  h_pass "$what"
}

# t_unmount_root MP: take a mount down behind fused's back (cleanup only).
t_umount() { umount -l "$1" 2>/dev/null; }

FUSED_MOUNT_PATH_PREFIX=/org/freedesktop/fuse1/mount
FUSED_ERROR_PREFIX=org.freedesktop.fuse1.Error.

# Lines fused logged since mark N (t_log_mark prints the current count).
t_log_mark() { wc -l <"$H_FUSED_LOG"; }
t_log_since() { tail -n +"$(( $1 + 1 ))" "$H_FUSED_LOG"; }

# Take down a mount made by a test: through fused as its owner, else by force.
t_release() {
  local uid=$1 mp=$2
  t_client "$uid" unmount "$mp"
  if t_is_fuse "$mp"; then umount -l "$mp" 2>/dev/null; fi
  return 0
}

# t_bg UID OUT ARGS...: the test client in the background as UID, stdout to
# OUT; T_BG_PID is the client's own pid.
t_bg() {
  local uid=$1 out=$2; shift 2
  if [ "$uid" = 0 ]; then
    "$T_CLIENT" "$@" >"$out" 2>>"$H_TMP/client.err" &
  else
    setpriv --reuid="$uid" --regid="$uid" --clear-groups -- \
      "$T_CLIENT" "$@" >"$out" 2>>"$H_TMP/client.err" &
  fi
  T_BG_PID=$!
}

# Wait until OUT has a "ready" line (0) or an error line / the client
# exited (1), at most SECONDS (default 20).
t_wait_ready() {
  local out=$1 pid=$2 tries=$(( ${3:-20} * 20 ))
  while (( tries-- > 0 )); do
    grep -q '^ready$' "$out" 2>/dev/null && return 0
    grep -q '^error' "$out" 2>/dev/null && return 1
    kill -0 "$pid" 2>/dev/null || { grep -q '^ready$' "$out"; return; }
    sleep 0.05
  done
  return 1
}

# Stop a background client and reap it.
t_stop() { kill -"${2:-TERM}" "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }

# Wait (at most SECONDS, default 10) until nothing is mounted on MP.
t_wait_unmounted() {
  local mp=$1 tries=$(( ${2:-10} * 20 ))
  while (( tries-- > 0 )); do
    [ -z "$(t_mountinfo "$mp")" ] && return 0
    sleep 0.05
  done
  return 1
}
