#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one meson test of a sanitizer build (the test setup 'sanitize' of
# the top meson.build makes this every test's wrapper):
#
#   sanitize-test.sh LOGDIR TEST [ARG]...
#
# Every instrumented process the test starts, the daemons and the programs
# run as other uids included, inherits the options set here and writes any
# report to a directory of this test's own under LOGDIR instead of stderr:
# a daemon's stderr is often a file the test removes, and a report on a
# child's stderr may be read by nobody.  tools/run-tests fails when LOGDIR
# holds any file after the run.
#
# Why one directory per test: the tests run their processes in pid
# namespaces of their own, so the same pid comes up in many tests at once,
# and a sanitizer truncates LOG_PATH.PID when it opens it.
set -euo pipefail

logdir=$1
shift
mkdir -p "$logdir"
# 1777 like /tmp: the tests' uids 61000+ write here too.  (From a clone
# they cannot reach, a report becomes "Can't open file" on stderr and the
# process dies: still a failure, never silence.)
chmod 1777 "$logdir"
dir=$(mktemp -d "$logdir/$(basename "$1").XXXXXX")
chmod 1777 "$dir"

# abort_on_error: a report ends the process with SIGABRT, which a test
# notices even where it ignores an exit status.  detect_leaks: on, also
# where the platform default would be off.  The caller's own options come
# last and win.
common="abort_on_error=1:halt_on_error=1:log_path=$dir/report"
export ASAN_OPTIONS="$common:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="$common:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export TSAN_OPTIONS="$common:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
exec "$@"
