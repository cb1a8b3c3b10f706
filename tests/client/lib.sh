# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers shared by the client tests (sourced after ../fused/harness.sh).

# as UID cmd...: run as an unprivileged uid, bounded in time (a dead FUSE
# server must not hang a test).
as() {
  local uid=$1; shift
  timeout "${AS_TIMEOUT:-60}" setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@"
}

# as_bg UID cmd... &: the same for a long-running process; '&' runs the
# function in a subshell, which exec replaces (setpriv then execs the
# command), so $! is the command's pid and signals reach it directly.
as_bg() {
  local uid=$1; shift
  exec setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@"
}

# expect_fail CMD...: CMD fails (any non-zero status); stderr in $ERR.
expect_fail() {
  ERR=$("$@" 2>&1 >/dev/null) && { echo "  (succeeded, expected a failure)"; return 1; }
  return 0
}

# is_fuse_mounted DIR: DIR is a FUSE mountpoint in our namespace.
# mountinfo escapes space, tab, newline and backslash as octal.
is_fuse_mounted() {
  awk -v d="$1" '{ sep = 0; for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
                   mp = $5
                   gsub(/\\040/, " ", mp); gsub(/\\011/, "\t", mp); gsub(/\\012/, "\n", mp)
                   gsub(/\\134/, "\\", mp)
                   if (mp == d && $(sep + 1) ~ /^fuse/) found = 1 }
                 END { exit !found }' /proc/self/mountinfo
}

# json_has FILE JQ_CONDITION [jq args...]: some JSON value in FILE (a
# stream, e.g. monitor's lines) satisfies the condition.
json_has() {
  local file=$1 cond=$2; shift 2
  jq -e -s "$@" "any(.[]; $cond)" "$file" >/dev/null 2>&1
}

# wait_for COND... : retry a command for up to 10 s.
wait_for() {
  local tries=200
  until "$@"; do
    (( tries-- > 0 )) || return 1
    sleep 0.05
  done
}

not() { ! "$@"; }

# gone PID: the process has ended.
gone() { ! kill -0 "$1" 2>/dev/null; }

# expect_rc WANT CMD...: CMD exits with WANT; its stderr is in $ERR.
ERR=
expect_rc() {
  local want=$1 rc; shift
  ERR=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "  (exit status $rc, expected $want; stderr: $ERR)"
    return 1
  fi
}
