#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian packages of debian/ from a copy of the source tree, as a
# distribution would: dpkg-buildpackage -us -uc -b, tests off (the unit
# suite runs in CI already).  Shared by test-install.sh and
# ../systemd/vm-systemd.sh.
#
#   build-debs.sh SRCDIR OUTDIR
#
# OUTDIR gets src/ (the copy), build.log and the .debs, .changes and
# .buildinfo dpkg-buildpackage leaves beside src/.  On failure the log's
# tail goes to stderr and the exit status is 1.
set -euo pipefail

srcdir=$1 out=$2
mkdir -p "$out/src"
# The tree as git sees it (tracked and untracked, not ignored): no build
# directory of anybody's comes along.
if git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$srcdir" ls-files -z -co --exclude-standard |
    (cd "$srcdir" && tar --null -T - -cf -) | tar -xf - -C "$out/src"
else
  tar -C "$srcdir" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$out/src"
fi
if ! (cd "$out/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
        dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
  tail -40 "$out/build.log" >&2
  echo "build-debs: dpkg-buildpackage failed (log: $out/build.log)" >&2
  exit 1
fi
