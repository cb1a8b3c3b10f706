# SPDX-License-Identifier: GPL-2.0-or-later
# What the fault tests (test-faults-*.sh) check after each fault, with
# fused running again: sourced after lib.sh.
#
#   f_baseline              fused's fds now (less 2 per worker child), as
#                           F_FDS, taken when it is idle with no mount
#   f_consistent WHAT       every FUSE mount under $F_DIR is in ListMounts
#                           with its true owner (the mount's user_id), every
#                           record under $F_DIR is a live FUSE mount there,
#                           no fused process but fused and its (at most 4)
#                           workers, fused's fds at F_FDS (less those of
#                           workers and auto-unmount mounts)
#   f_clean WHAT UID...     unmount through fused, as their owners, all
#                           FUSE mounts under $F_DIR; then nothing is left
#                           mounted, and fused's fds are back to F_FDS
#   f_kill_fused [SIG]      SIGKILL fused (or SIG), reap it, wait for its
#                           name to go
#
# F_DIR defaults to $H_TMP/mnt.  Each check is an h_check (ok/FAIL line).

F_DIR= F_FDS=

# fused's fds less 2 per worker child (its socket and pidfd) and those an
# auto-unmount mount keeps (its namespace, and maybe its root directory:
# fused holds no other fd of either kind when idle).
f_fds() {
  local n w keep
  n=$(ls "/proc/$H_FUSED_PID/fd" 2>/dev/null | wc -l)
  w=$(pgrep -P "$H_FUSED_PID" | wc -l)
  keep=$(find "/proc/$H_FUSED_PID/fd" \( -lname 'mnt:*' -o -lname / \) 2>/dev/null | wc -l)
  echo $((n - 2 * w - keep))
}

f_baseline() {
  F_DIR=${F_DIR:-$H_TMP/mnt}
  F_FDS=$(f_fds)
}

# "MOUNTPOINT OWNER" of every record under F_DIR, sorted.
f_records() {
  t_client 0 list
  [ "$T_RC" = 0 ] || { echo "ListMounts failed: $T_OUT"; return 1; }
  awk -F'\t' -v d="$F_DIR" 'index($2, d "/") == 1 { print $2 " " $3 }' <<<"$T_OUT" | sort
}

# "MOUNTPOINT USER_ID" of every FUSE mount under F_DIR, sorted.
f_mounts() {
  awk -v d="$F_DIR" '{
      sep = 0; for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
      if ($(sep + 1) !~ /^fuse/) next
      mp = $5
      gsub(/\\040/, " ", mp); gsub(/\\011/, "\t", mp); gsub(/\\012/, "\n", mp); gsub(/\\134/, "\\", mp)
      if (index(mp, d "/") != 1) next
      uid = "?"; n = split($NF, o, ",")
      for (i = 1; i <= n; i++) if (o[i] ~ /^user_id=/) uid = substr(o[i], 9)
      print mp " " uid
    }' /proc/self/mountinfo | sort
}

# Processes called fused other than fused and its children.
f_orphans() {
  local p
  for p in $(pgrep -x fused); do
    [ "$p" = "$H_FUSED_PID" ] && continue
    [ "$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)" = "$H_FUSED_PID" ] && continue
    echo "$p"
  done
}

# Records and mounts as the difference between the two lists ("<" a mount
# without its record or with another owner, ">" a record without it).
f_diff() { diff <(f_mounts) <(f_records) | grep '^[<>]'; }

# Checks to be made after a fault, once fused is running again.  A mount
# made and not recorded, or a record left over, may take fused a moment
# (a reply just sent, an auto-unmount going on): up to 5 s.
f_consistent() {
  local what=$1 i d o
  for i in $(seq 50); do
    d=$(f_diff) o=$(f_orphans)
    [ -z "$d" ] && [ -z "$o" ] && break
    sleep 0.1
  done
  h_check "$what: every FUSE mount has its record with its true owner, every record its mount${d:+ ($(tr '\n' ';' <<<"$d"))}" \
    test -z "$d"
  h_check "$what: no worker left by a fused that is gone${o:+ ($(echo $o))}" test -z "$o"
  h_check "$what: at most 4 workers under fused" test "$(pgrep -c -P "$H_FUSED_PID")" -le 4
  local f
  for i in $(seq 50); do
    f=$(f_fds)
    [ "$f" = "$F_FDS" ] && break
    sleep 0.1
  done
  h_check "$what: fused's fds at its baseline ($f, baseline $F_FDS, less workers and auto-unmount mounts)" \
    test "$f" = "$F_FDS"
}

# f_clean WHAT: every FUSE mount under F_DIR unmounted through fused by its
# owner (the mount's user_id), then nothing left and fds at the baseline.
f_clean() {
  local what=$1 mp uid i f
  while read -r mp uid; do
    [ -n "$mp" ] || continue
    t_client "$uid" unmount --lazy "$mp"
  done < <(f_mounts | sort -r)
  local left; left=$(f_mounts)
  h_check "$what: owners unmount everything through fused${left:+ (left: $(tr '\n' ';' <<<"$left"))}" test -z "$left"
  # Behind fused's back, so that one failure does not spill into the next.
  h_unmount_fuse_under "$F_DIR"
  for i in $(seq 50); do
    f=$(f_fds)
    [ "$f" = "$F_FDS" ] && break
    sleep 0.1
  done
  h_check "$what: fused's fds back to its baseline ($f, baseline $F_FDS)" test "$f" = "$F_FDS"
}

f_kill_fused() {
  local sig=${1:-KILL} dead=yes
  # (Braces: bash reports a killed job on the group's stderr.)
  { kill -"$sig" "$H_FUSED_PID"
    timeout 10 tail --pid="$H_FUSED_PID" -f /dev/null || dead=no
    [ $dead = yes ] && wait "$H_FUSED_PID"; } 2>/dev/null
  if [ $dead = no ]; then
    grep -H . "/proc/$H_FUSED_PID/wchan" "/proc/$H_FUSED_PID/stack" >&2
    grep -H '^State' "/proc/$H_FUSED_PID/status" >&2
    h_die "fused does not die of SIG$sig"
  fi
  H_FUSED_PID=
  h_name_gone org.freedesktop.fuse1 5 || h_die "fused's name still on the bus"
}
