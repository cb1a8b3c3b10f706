# Integration test harness for fused: a private system bus, a real polkitd
# and fused, in a mount namespace of their own.  Sourced by the scripts in
# tests/fused and tests/client (bash, run as root):
#
#   source "$(dirname "$0")/harness.sh"
#   h_enter_ns "$@"              # re-execs the script in a private mount ns
#   h_setup                      # temp dir, bus, polkitd (our actions, no rules)
#   h_rules 50-x.rules <<'EOF'   # optional: add a polkit rule (restarts polkitd)
#   h_start_fused /path/to/fused # waits for org.freedesktop.fuse1
#   h_start_bus                  # the bus daemon again, after a test killed it
#   h_as 61000 cmd...            # run as an unprivileged uid
#   h_user_bins VAR...           # the programs VARs name, as copies the
#                                # test uids can run (../user-bin.sh)
#
# Everything started is stopped, every FUSE mount under the temp dirs is
# unmounted and the temp dirs are removed on exit, also on failure.  The
# real system is untouched: the polkit directories, /etc/passwd and
# /etc/group are bind-mounted over only inside the namespace.
#
# Variables for the test: H_TMP (temp dir, 0755, on an ordinary fs),
# H_CONF (the fuse.conf fused reads), H_STATE (fused's --state-dir),
# H_FUSED_LOG (fused's stderr), H_POLICY_DIR (the project's policy/),
# DBUS_SYSTEM_BUS_ADDRESS (exported).  Test users: fusetest0..9 =
# uids 61000..61009 (H_UID0..), gid = uid; group "fuse" (H_FUSE_GID) has no
# members until h_group_add puts some in.  Set by the test before h_setup:
# H_BUS_LIMITS (extra <limit> elements for the bus config).

H_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$H_SRCDIR/../user-bin.sh"
H_POLICY_DIR=$(cd "$H_SRCDIR/../../policy" && pwd)
H_UID0=61000 H_UID1=61001 H_UID2=61002 H_UID3=61003
H_FUSE_GID=61100
H_TMP= H_CONF= H_STATE= H_FUSED_LOG=
H_BUS_PID= H_POLKIT_PID= H_FUSED_PID= H_FUSED_BIN= H_FUSED_ARGS=()
H_EXTRA_DIRS=()

h_log() { echo "harness: $*" >&2; }
h_die() { echo "harness: FATAL: $*" >&2; exit 1; }

# Re-exec the calling script as PID 1 of new mount and pid namespaces, once.
# When the script ends, however it ends (even SIGKILL), the kernel kills
# everything it started, and the namespace's mounts go with it.
h_enter_ns() {
  [ "$(id -u)" = 0 ] || h_die "must run as root (the tests mount and switch uids)"
  [ "${H_IN_NS:-}" = yes ] && [ "$$" = 1 ] && return 0
  exec env H_IN_NS=yes unshare --mount --propagation private --pid --fork \
    --kill-child --mount-proc -- "$0" "$@"
}

# Wait until NAME has an owner on our bus, at most SECONDS (default 10).
h_wait_name() {
  local name=$1 tries=$(( ${2:-10} * 20 ))
  while (( tries-- > 0 )); do
    if busctl --system call org.freedesktop.DBus /org/freedesktop/DBus \
         org.freedesktop.DBus NameHasOwner s "$name" 2>/dev/null | grep -q true; then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

h_name_gone() {
  local name=$1 tries=$(( ${2:-10} * 20 ))
  while (( tries-- > 0 )); do
    busctl --system call org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus NameHasOwner s "$name" 2>/dev/null | grep -q false && return 0
    sleep 0.05
  done
  return 1
}

h_write_bus_conf() {
  cat >"$H_TMP/bus/system.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$H_TMP/bus/system_bus_socket</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>
  <include>$H_POLICY_DIR/org.freedesktop.fuse1.conf</include>
  <limit name="max_connections_per_user">2048</limit>
  <limit name="max_completed_connections">4096</limit>
  <limit name="max_incomplete_connections">512</limit>
  ${H_BUS_LIMITS:-}
</busconfig>
EOF
}

# /etc/passwd and /etc/group with the test users, inside the namespace only:
# polkit's subject.user and isInGroup() look the caller up by name.
h_write_users() {
  local i
  cp /etc/passwd "$H_TMP/etc/passwd"
  cp /etc/group "$H_TMP/etc/group"
  for i in 0 1 2 3 4 5 6 7 8 9; do
    echo "fusetest$i:x:6100$i:6100$i:fused test:/nonexistent:/usr/sbin/nologin" >>"$H_TMP/etc/passwd"
    echo "fusetest$i:x:6100$i:" >>"$H_TMP/etc/group"
  done
  grep -q '^fuse:' "$H_TMP/etc/group" && sed -i '/^fuse:/d' "$H_TMP/etc/group"
  echo "fuse:x:$H_FUSE_GID:" >>"$H_TMP/etc/group"
  mount --bind "$H_TMP/etc/passwd" /etc/passwd
  mount --bind "$H_TMP/etc/group" /etc/group
}

# h_group_add GROUP USER: membership in the group database (what polkit
# sees); a process's own groups are set with h_as_groups.
h_group_add() {
  local group=$1 user=$2 line
  line=$(grep "^$group:" /etc/group) || h_die "no group $group"
  case "$line" in *:) line="$line$user" ;; *) line="$line,$user" ;; esac
  # Rewrite in place: the bind mount pins the inode.
  local rest; rest=$(grep -v "^$group:" /etc/group)
  printf '%s\n%s\n' "$rest" "$line" >/etc/group
}

h_setup() {
  [ "${H_IN_NS:-}" = yes ] && [ "$$" = 1 ] || h_die "call h_enter_ns \"\$@\" first"
  H_TMP=$(mktemp -d /tmp/fused-test.XXXXXX)
  chmod 0755 "$H_TMP"
  trap h_cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$H_TMP"/{bus,etc,polkit/actions,polkit/rules.d,polkit/empty,run,mnt}
  chmod 0755 "$H_TMP/bus" "$H_TMP/mnt"
  H_CONF=$H_TMP/etc/fuse.conf H_STATE=$H_TMP/run H_FUSED_LOG=$H_TMP/fused.log
  : >"$H_CONF"
  : >"$H_FUSED_LOG"

  # No journal in the namespace: fused logs to stderr, which tests read.
  if [ -d /run/systemd/journal ]; then
    mount -t tmpfs -o size=1m,mode=0755 tmpfs /run/systemd/journal
  fi
  h_write_users

  cp "$H_POLICY_DIR/org.freedesktop.fuse1.policy" "$H_TMP/polkit/actions/"
  chown -R polkitd: "$H_TMP/polkit"
  chmod 0755 "$H_TMP/polkit/rules.d" "$H_TMP/polkit/actions"
  mount --bind "$H_TMP/polkit/actions" /usr/share/polkit-1/actions
  mount --bind "$H_TMP/polkit/rules.d" /etc/polkit-1/rules.d
  mount --bind "$H_TMP/polkit/empty" /usr/share/polkit-1/rules.d

  h_write_bus_conf
  h_start_bus
  h_start_polkitd
}

# Start the bus daemon (again: a test may kill it) on the same socket.
h_start_bus() {
  rm -f "$H_TMP/bus/system_bus_socket"
  dbus-daemon --config-file="$H_TMP/bus/system.conf" --nofork --nopidfile \
    --nosyslog 2>>"$H_TMP/bus/log" &
  H_BUS_PID=$!
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$H_TMP/bus/system_bus_socket"
  local tries=200
  until [ -S "$H_TMP/bus/system_bus_socket" ]; do
    (( tries-- > 0 )) || h_die "dbus-daemon did not start: $(cat "$H_TMP/bus/log")"
    kill -0 "$H_BUS_PID" 2>/dev/null || h_die "dbus-daemon exited: $(cat "$H_TMP/bus/log")"
    sleep 0.05
  done
}

h_start_polkitd() {
  /usr/lib/polkit-1/polkitd --no-debug >"$H_TMP/polkit/log" 2>&1 &
  H_POLKIT_PID=$!
  h_wait_name org.freedesktop.PolicyKit1 10 || {
    cat "$H_TMP/polkit/log" >&2; h_die "polkitd did not appear on the bus"; }
}

h_stop_polkitd() {
  [ -n "$H_POLKIT_PID" ] || return 0
  kill "$H_POLKIT_PID" 2>/dev/null
  wait "$H_POLKIT_PID" 2>/dev/null
  H_POLKIT_PID=
  h_name_gone org.freedesktop.PolicyKit1 5 || h_die "polkitd still on the bus"
}

# h_rules NAME < rule text: install a rules.d file and restart polkitd so it
# is in force when this returns (polkitd's own reload is asynchronous).
h_rules() {
  cat >"$H_TMP/polkit/rules.d/$1"
  chmod 0644 "$H_TMP/polkit/rules.d/$1"
  h_stop_polkitd
  h_start_polkitd
}

h_rules_clear() {
  rm -f "$H_TMP"/polkit/rules.d/*
  h_stop_polkitd
  h_start_polkitd
}

# h_start_fused [BIN] [extra args]: start fused on our bus (BIN defaults to
# the one given before), wait for its name.
h_start_fused() {
  if [ $# -gt 0 ]; then H_FUSED_BIN=$1; shift; H_FUSED_ARGS=("$@"); fi
  [ -x "$H_FUSED_BIN" ] || h_die "no fused binary: $H_FUSED_BIN"
  # The environment fused.service gives it.
  GLIBC_TUNABLES=glibc.malloc.tcache_count=0 \
  "$H_FUSED_BIN" --config="$H_CONF" --state-dir="$H_STATE" "${H_FUSED_ARGS[@]}" \
    >>"$H_FUSED_LOG" 2>&1 &
  H_FUSED_PID=$!
  h_wait_name org.freedesktop.fuse1 10 || {
    tail -20 "$H_FUSED_LOG" >&2; h_die "fused did not appear on the bus"; }
}

# Stop fused with SIG (default TERM) and wait until its name is gone.
h_stop_fused() {
  local sig=${1:-TERM}
  [ -n "$H_FUSED_PID" ] || return 0
  # (Braces: bash reports a killed job on the group's stderr.)
  { kill -"$sig" "$H_FUSED_PID"
    timeout 10 tail --pid="$H_FUSED_PID" -f /dev/null
    wait "$H_FUSED_PID"; } 2>/dev/null
  H_FUSED_PID=
  h_name_gone org.freedesktop.fuse1 5 || h_die "fused's name still on the bus"
}

# Run a command as an unprivileged uid (gid = uid, no supplementary groups).
h_as() {
  local uid=$1; shift
  setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@"
}

# h_spawn_as UID cmd...: start in the background; H_SPAWNED_PID is the
# command's own pid (h_as ... & would give the pid of a subshell).
h_spawn_as() {
  local uid=$1; shift
  setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@" &
  H_SPAWNED_PID=$!
}

# h_as_groups UID GID[,GID...] cmd: the same with supplementary groups.
h_as_groups() {
  local uid=$1 groups=$2; shift 2
  setpriv --reuid="$uid" --regid="$uid" --groups="$groups" -- "$@"
}

# h_user_bins VAR...: each VAR (naming a program from the build tree) now
# names a copy in H_TMP that the test uids run, with our libfuse3.so.3
# beside it; exits if a uid would load any other (../user-bin.sh).  Call
# after h_setup, for everything a test uid runs: the build tree may be
# where they cannot reach (a clone under /root).
h_user_bins() {
  [ -n "$H_TMP" ] || h_die "h_user_bins before h_setup"
  UB_UID=$H_UID0 ub_copy "$H_TMP/user-bin" "$@"
}

# A directory for a test, owned by UID (default root), mode MODE.
h_mkdir() {
  local dir=$1 uid=${2:-0} mode=${3:-0755}
  mkdir -p "$dir"
  chown "$uid:$uid" "$dir"
  chmod "$mode" "$dir"
}

# Other directories (outside H_TMP) whose FUSE mounts the cleanup takes
# down (it never removes them).
h_track_dir() { H_EXTRA_DIRS+=("$1"); }

# FUSE mounts at or under DIR, deepest first, from our mountinfo.
h_fuse_mounts_under() {
  local dir=$1
  awk -v d="$dir" '{
      sep = 0; for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
      if ($(sep + 1) !~ /^fuse/) next
      mp = $5
      gsub(/\\040/, " ", mp); gsub(/\\011/, "\t", mp); gsub(/\\012/, "\n", mp)
      gsub(/\\134/, "\\", mp)
      if (mp == d || index(mp, d "/") == 1) print mp
    }' /proc/self/mountinfo | sort -r
}

h_unmount_fuse_under() {
  local mp
  while IFS= read -r mp; do
    [ -n "$mp" ] || continue
    # -l: a mount whose server is gone or stuck must not hang the cleanup.
    umount -l "$mp" 2>/dev/null || h_log "could not unmount $mp"
  done < <(h_fuse_mounts_under "$1")
}

h_cleanup() {
  local rc=$? d
  trap - EXIT
  set +e
  # fused first, so it does not race the unmounts below.
  if [ -n "$H_FUSED_PID" ]; then
    { kill -KILL "$H_FUSED_PID"; wait "$H_FUSED_PID"; } 2>/dev/null
  fi
  if [ -n "$H_TMP" ]; then
    h_unmount_fuse_under "$H_TMP"
    for d in "${H_EXTRA_DIRS[@]}"; do h_unmount_fuse_under "$d"; done
  fi
  [ -n "$H_POLKIT_PID" ] && kill "$H_POLKIT_PID" 2>/dev/null
  [ -n "$H_BUS_PID" ] && kill "$H_BUS_PID" 2>/dev/null
  # Children started by the test itself (clients holding mounts).
  local kids; kids=$(jobs -p)
  [ -n "$kids" ] && kill $kids 2>/dev/null
  wait 2>/dev/null
  if [ -n "$H_TMP" ]; then
    if [ $rc -ne 0 ] && [ -s "$H_FUSED_LOG" ]; then
      echo "--- fused log (last 30 lines) ---" >&2
      tail -30 "$H_FUSED_LOG" >&2
    fi
    # Anything a test left mounted under the temp dir (a bind, a tmpfs, a
    # stuck FUSE mount) goes first, so rm cannot reach into it; if some
    # mount stays, the directory stays too.
    local mp
    while IFS= read -r mp; do
      [ -n "$mp" ] && umount -l "$mp" 2>/dev/null
    done < <(awk -v d="$H_TMP" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    if awk -v d="$H_TMP" 'index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
      h_log "leaving $H_TMP: something is still mounted under it"
      exit $rc
    fi
    rm -rf --one-file-system "$H_TMP"
  fi
  exit $rc
}

# --- assertions -------------------------------------------------------------

H_FAILS=0
h_pass() { echo "ok - $*"; }
h_fail() { echo "FAIL - $*"; H_FAILS=$((H_FAILS + 1)); }
# h_check WHAT CMD...: counts CMD's result; its own status is CMD's, so
# that "if h_check ..." guards the checks that depend on it.
h_check() { local what=$1; shift; if "$@"; then h_pass "$what"; else h_fail "$what"; return 1; fi; }
h_done() {
  if [ "$H_FAILS" -ne 0 ]; then echo "$H_FAILS check(s) failed"; exit 1; fi
  echo "all checks passed"
}
