#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Unit test: fuse_versionscript exports exactly libfuse 3.14's symbol set
#
# usage: test-abi-versionscript.sh fuse_versionscript abi-symbols.txt \
#            test-abi-symbols.sh CC [CC-ARGS...]
#
# Links a stub library (one empty function per symbol, the ABI variants
# bound with the symver attribute as lib/ binds them, see TEAM.md) with the
# version script and checks its exports against the reference list.  This
# tests the script on its own, before every real definition exists.
set -euo pipefail
script=$1 expected=$2 check=$3
shift 3
cc=("$@")   # the compiler command may be several words (ccache gcc)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# variant -> the version it provides
declare -A variant=(
	[fuse_new_30]='fuse_new@FUSE_3.0'
	[fuse_new_31]='fuse_new@@FUSE_3.1'
	[fuse_loop_mt_31]='fuse_loop_mt@FUSE_3.0'
	[fuse_loop_mt_32]='fuse_loop_mt@FUSE_3.2'
	[fuse_loop_mt_312]='fuse_loop_mt@@FUSE_3.12'
	[fuse_session_loop_mt_31]='fuse_session_loop_mt@FUSE_3.0'
	[fuse_session_loop_mt_32]='fuse_session_loop_mt@FUSE_3.2'
	[fuse_session_loop_mt_312]='fuse_session_loop_mt@@FUSE_3.12'
	[fuse_parse_cmdline_30]='fuse_parse_cmdline@FUSE_3.0'
	[fuse_parse_cmdline_312]='fuse_parse_cmdline@@FUSE_3.12'
)

grep -v '^#' "$expected" | awk '$1 !~ /^\(/ { print $2 }' | sort -u |
while read -r name; do
	case $name in
	fuse_new|fuse_loop_mt|fuse_session_loop_mt|fuse_parse_cmdline)
		continue ;;   # provided by the variants' symver aliases
	esac
	if [ -n "${variant[$name]:-}" ]; then
		printf '__attribute__((symver("%s"))) ' "${variant[$name]}"
	fi
	printf 'int %s(void) { return 0; }\n' "$name"
done > "$tmp/stubs.c"

"${cc[@]}" -fPIC -shared -o "$tmp/libfuse3.so.3" "$tmp/stubs.c" \
	-Wl,-soname,libfuse3.so.3 -Wl,--version-script="$script" -Wl,--no-undefined
"$check" "$tmp/libfuse3.so.3" "$expected" --complete
