#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fused-fs@.service without systemd: its ExecStart= line, expanded from the
# example config the way systemd expands it (${X} one word, $X split at
# spaces), run as the unit runs it (an unprivileged User=, no_new_privs, no
# capabilities), against the harness's bus, polkitd and fused.  Stop is
# SIGTERM; a crash (SIGKILL) is covered by the auto_unmount in ExecStart=.
#   test-unit.sh FUSED FUSEDCTL UNIT_TEMPLATE EXAMPLE_CONF MEMFS
set -u
. "$(dirname "$0")/../fused/harness.sh"
. "$(dirname "$0")/lib.sh"
h_enter_ns "$@"
fused=$(realpath "$1") fusedctl=$(realpath "$2") unit=$(realpath "$3") conf=$(realpath "$4")
memfs=$(realpath "$5")
h_setup
h_user_bins memfs
h_start_fused "$fused"

U=$H_UID0
m=$H_TMP/mnt/srv-memfs
h_mkdir "$m" "$U" 0755
mkdir -p "$H_TMP/bin" && ln -s "$memfs" "$H_TMP/bin/memfs"

# The example config, with the mountpoint moved into the test's directory.
sed "s|^FUSE_MOUNTPOINT=.*|FUSE_MOUNTPOINT=$m|" "$conf" >"$H_TMP/memfs.conf"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
h_check "the unit has one ExecStart=" test "$(grep -c '^ExecStart=' "$unit")" = 1
h_check "the unit runs with NoNewPrivileges= and no capabilities" \
  eval 'grep -qx "NoNewPrivileges=yes" "$unit" && grep -qx "CapabilityBoundingSet=" "$unit"'

# systemd's expansion: ${VAR} is one word, $VAR is split at whitespace.
start_unit() {
  (
    set -a; . "$H_TMP/memfs.conf"; set +a
    eval "set -- $(sed -E 's/\$\{([A-Za-z_]+)\}/"${\1}"/g' <<<"$exec_start")"
    PATH=$H_TMP/bin:$PATH exec setpriv --reuid="$U" --regid="$U" --clear-groups \
      --no-new-privs --bounding-set=-all --inh-caps=-all -- "$@"
  ) >"$H_TMP/unit.log" 2>&1 &
  pid=$!
}

start_unit
h_check "started: mounted" wait_for is_fuse_mounted "$m"
is_fuse_mounted "$m" || cat "$H_TMP/unit.log"
h_check "... by fused for the service's user" eval \
  '"$fusedctl" list --json | jq -e --arg mp "$m" --argjson uid "$U" "any(.[]; .mountpoint == \$mp and .owner == \$uid and .fsname == \"memfs\")" >/dev/null'
h_check "... usable by that user" as "$U" sh -c 'echo x >"$1/f" && test "$(cat "$1/f")" = x' sh "$m"
kill -TERM "$pid"
h_check "stop (SIGTERM): the process ends" wait_for gone "$pid"
wait "$pid"
h_check "... and the mount is gone" wait_for not is_fuse_mounted "$m"

start_unit
h_check "started again" wait_for is_fuse_mounted "$m"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
h_check "crash (SIGKILL): auto_unmount from ExecStart= takes the mount down" \
  wait_for not is_fuse_mounted "$m"
h_done
