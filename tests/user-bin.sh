# SPDX-License-Identifier: GPL-2.0-or-later
# Copies of build-tree programs for the unprivileged test uids (sourced by
# tests/fused/harness.sh, tests/lib/mount-test.sh and tests/lib/mounted-test).
#
#   ub_copy DIR VAR...
#
# CI runs the suite from a clone anywhere, /root (0700) included.  There a
# uid 61000 cannot reach the build tree; worse, setpriv still manages to
# exec a program there (it keeps its capabilities until execve), and then
# the dynamic loader, without them, cannot open the build tree's
# libfuse3.so.3 and silently takes the system's.  So whatever a test runs
# as such a uid, it runs from a copy under its own temp dir:
#
# for each variable named, the program it names is copied to DIR/PATH,
# PATH being its path inside its meson build tree, and each shared library
# it loads from that build tree (our libfuse3.so.3) to DIR/ITS-PATH, so the
# build tree's $ORIGIN runpaths find the copies.  VAR then names the copy.
# Finally, as uid $UB_UID with the caller's environment, ldd must resolve
# every such library to a file identical to the one root resolves: a uid
# that would load another libfuse3 (the system's) is a failure, here and in
# every test using this.  On any problem the calling shell exits 1.
#
# DIR must lie in a directory the uids may traverse (the tests' temp dirs
# are 0755 under /tmp); nothing outside DIR changes.

UB_UID=${UB_UID:-61000}

ub_die() { echo "user-bin: FATAL: $*" >&2; exit 1; }

ub_as() { setpriv --reuid="$UB_UID" --regid="$UB_UID" --clear-groups -- "$@"; }

# The meson build tree FILE lies in: the nearest directory above it with a
# meson-private/.
ub_build_root() {
  local d; d=$(dirname "$1")
  while [ "$d" != / ]; do
    [ -d "$d/meson-private" ] && { echo "$d"; return 0; }
    d=$(dirname "$d")
  done
  return 1
}

# "SONAME PATH" for each library ldd lists with a path ("not" for one it
# did not find).
ub_ldd_libs() { awk '$2 == "=>" { print $1, $3 }' <<<"$1"; }

ub_copy() {
  # Locals prefixed: printf -v sets the caller's variable by name.
  local ub_dir=$1 ub_var ub_src ub_root ub_dst ub_out ub_so ub_path ub_lib ub_got
  local -A ub_want
  shift
  mkdir -p "$ub_dir" && chmod 0755 "$ub_dir" || ub_die "cannot create $ub_dir"
  for ub_var in "$@"; do
    ub_src=$(realpath -e "${!ub_var}") || ub_die "$ub_var: no such program: ${!ub_var}"
    ub_root=$(ub_build_root "$ub_src") || ub_die "$ub_src is not in a meson build tree"
    ub_dst=$ub_dir/${ub_src#"$ub_root"/}
    mkdir -p "$(dirname "$ub_dst")" && cp "$ub_src" "$ub_dst" && chmod 0755 "$ub_dst" ||
      ub_die "cannot copy $ub_src to $ub_dst"

    # The build tree's libraries, as root (who can reach them) resolves them.
    ub_want=()
    ub_out=$(ldd "$ub_src" 2>&1) || ub_die "ldd $ub_src: $ub_out"
    while read -r ub_so ub_path; do
      [ -n "$ub_so" ] || continue
      [ "$ub_path" != not ] || ub_die "$ub_src: $ub_so not found, even for root"
      ub_path=$(realpath -s "$ub_path")
      case $ub_path in "$ub_root"/*) ;; *) continue ;; esac
      ub_lib=$ub_dir/${ub_path#"$ub_root"/}
      mkdir -p "$(dirname "$ub_lib")" && cp -L "$ub_path" "$ub_lib" && chmod 0755 "$ub_lib" ||
        ub_die "cannot copy $ub_path to $ub_lib"
      ub_want[$ub_so]=$ub_path
    done < <(ub_ldd_libs "$ub_out")
    # Every directory from DIR down to the copies: traversable.
    find "$ub_dir" -type d -exec chmod 0755 {} + || ub_die "chmod under $ub_dir"

    # What the uid's loader will do with the copy.
    ub_as test -x "$ub_dst" || ub_die "uid $UB_UID cannot run the copy $ub_dst"
    ub_out=$(ub_as ldd "$ub_dst" 2>&1) || ub_die "ldd $ub_dst as uid $UB_UID: $ub_out"
    while read -r ub_so ub_path; do
      [ "$ub_path" != not ] || ub_die "uid $UB_UID: $ub_dst: $ub_so not found"
    done < <(ub_ldd_libs "$ub_out")
    for ub_so in "${!ub_want[@]}"; do
      ub_got=$(awk -v s="$ub_so" '$1 == s && $2 == "=>" { print $3 }' <<<"$ub_out")
      if [ -z "$ub_got" ] || ! cmp -s "$ub_got" "${ub_want[$ub_so]}"; then
        ub_die "uid $UB_UID would run $ub_dst with $ub_so from '${ub_got:-nowhere}', not ours (${ub_want[$ub_so]})"
      fi
    done
    printf -v "$ub_var" '%s' "$ub_dst"
  done
}
