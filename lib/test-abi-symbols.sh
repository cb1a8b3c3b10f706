#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ABI test: the dynamic symbols of our libfuse3.so.N against libfuse's
#
# usage: test-abi-symbols.sh LIBRARY abi-symbols.txt [--complete]
#
# abi-symbols.txt (libfuse 3.14, libfuse3.so.3) or abi-symbols-318.txt
# (libfuse 3.18.2, libfuse3.so.4): the reference's "NODE name" lines and,
# as "#node NODE PARENT" comments, its version nodes.
#
# Always: the version nodes and their parents are libfuse's, and every
# symbol we export is one libfuse exports, at the same node, default or
# compat alike (nothing internal leaks).  With --complete also every
# libfuse symbol must be there; the 'unit' suite runs without it so that
# landing a part of the library is possible, the 'lib' suite with it.
set -euo pipefail
lib=$1 expected=$2 complete=${3:-}

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Version definitions: "NODE PARENT" pairs.
readelf -V --wide "$lib" | awk '
	/Name: FUSE_/ { if (node) print node, "-"; node = $NF; next }
	/Parent 1:/ && node { print node, $NF; node = ""; next }
	END { if (node) print node, "-" }' | sort > "$tmp/nodes"
sed -n 's/^#node //p' "$expected" | sort > "$tmp/nodes.want"
if [ ! -s "$tmp/nodes.want" ]; then
	echo "FAIL: $expected lists no '#node NODE PARENT' lines"
	fail=1
fi
if ! diff -u "$tmp/nodes.want" "$tmp/nodes"; then
	echo "FAIL: version nodes or their parents differ from the reference"
	fail=1
fi

# Defined dynamic functions and objects as "NODE name" / "(NODE) name".
objdump -T "$lib" | awk '$0 ~ / D[FO] / && $0 !~ /\*UND\*/ && $0 !~ /\*ABS\*/ \
	{ print $(NF-1), $NF }' | sort -u > "$tmp/have"
grep -v '^#' "$expected" | sort -u > "$tmp/want"

extra=$(comm -13 "$tmp/want" "$tmp/have")
missing=$(comm -23 "$tmp/want" "$tmp/have")
if [ -n "$extra" ]; then
	echo "FAIL: exported but not by the reference (or at another node):"
	echo "$extra" | sed 's/^/  /'
	fail=1
fi
echo "$(wc -l < "$tmp/have") of $(wc -l < "$tmp/want") reference symbols exported"
if [ -n "$missing" ]; then
	echo "missing:"
	echo "$missing" | sed 's/^/  /'
	if [ "$complete" = --complete ]; then
		echo "FAIL: symbols missing"
		fail=1
	fi
fi
exit $fail
