#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Unit test: the symbols a program of one FUSE_USE_VERSION references
#
# usage: test-api-versions.sh BINARY "NODE name" ...
#
# Each expected "NODE name" must be among the binary's undefined dynamic
# symbols, e.g. "FUSE_3.2 fuse_loop_mt_31" for a 3.1 program: that pins
# which variant the header macros pick at that API level.
set -euo pipefail
bin=$1
shift
have=$(objdump -T "$bin" | awk '/\*UND\*/ { v = $(NF-1); gsub(/[()]/, "", v); print v, $NF }')
fail=0
for want in "$@"; do
	if ! grep -qxF "$want" <<<"$have"; then
		echo "FAIL: $bin does not reference $want"
		fail=1
	fi
done
[ $fail = 0 ] && echo "$bin references: $*"
exit $fail
