#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs `systemd-analyze verify` on a unit configured with the build tree's
# paths.  systemd-analyze names the unit type after the file name, so the
# configured copy is linked under its real name in a temporary directory.
# Fails on any warning systemd-analyze prints about the unit.
set -euo pipefail
analyze=$1 unit_file=$2 unit_name=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$unit_file" "$dir/$unit_name"
out=$(SYSTEMD_LOG_LEVEL=notice "$analyze" verify --man=no "$dir/$unit_name" 2>&1) || {
  echo "$out"; echo "systemd-analyze verify failed"; exit 1; }
# Warnings go to stderr without failing the exit status; any about our unit
# (a misspelled setting, a missing binary) is an error here.
if grep -F "$unit_name" <<<"$out"; then
  echo "systemd-analyze verify complained about $unit_name"; exit 1
fi
echo "$unit_name: ok"
