#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every harness of BUILDDIR (a -Dfuzz=true build) over its seed corpus,
# then SECONDS of fuzzing each, one after the other.  Fails on the first
# crash, leak, sanitizer report or broken invariant, and says which input
# (saved as BUILDDIR/tests/fuzz/smoke/NAME/crash-*) did it.
#
#   tests/fuzz/run-smoke.sh build-fuzz 20
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILDDIR SECONDS" >&2
  exit 2
fi
builddir=$(realpath "$1")
seconds=$2
here=$(dirname "$(realpath "$0")")
out=$builddir/tests/fuzz/smoke

harnesses=()
for exe in "$builddir"/tests/fuzz/fuzz-*; do
  [ -f "$exe" ] && [ -x "$exe" ] && harnesses+=("$exe")
done
if [ ${#harnesses[@]} -eq 0 ]; then
  echo "$0: no harnesses in $builddir/tests/fuzz (meson compile -C $1 fuzz)" >&2
  exit 1
fi

failed=0
for exe in "${harnesses[@]}"; do
  name=${exe##*/fuzz-}
  seeds=$here/corpus/$name
  if [ ! -d "$seeds" ]; then
    echo "FAIL $name: no seed corpus $seeds" >&2
    failed=1
    continue
  fi
  # New inputs go to a scratch corpus, never into the committed seeds.
  rm -rf "${out:?}/$name"
  mkdir -p "$out/$name/corpus"
  log=$out/$name/log
  # -timeout: a hang is a finding too.  UBSan's and ASan's reports abort
  # (the build makes them fatal), so any of them ends the run non-zero.
  if "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$out/$name/" \
      "$out/$name/corpus" "$seeds" > "$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "ok   $name: ${runs:-?} runs, ${rate:-?}/s"
  else
    echo "FAIL $name: see $log" >&2
    grep -E 'ERROR|SUMMARY|invariant failed|runtime error' "$log" | head -5 >&2 || true
    ls "$out/$name"/crash-* "$out/$name"/leak-* "$out/$name"/timeout-* "$out/$name"/oom-* 2>/dev/null >&2 || true
    failed=1
  fi
done
exit $failed
