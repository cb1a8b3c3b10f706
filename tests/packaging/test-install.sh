#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages, installed as a user would install them, on a copy of
# this very system that nothing outlives (suite 'packaging', as root).
#
#   test-install.sh [DEBDIR]
#
# Without DEBDIR (or $FUSED_DEB_DIR) the packages are built first, with
# dpkg-buildpackage -b from a copy of the source tree.  Then, as PID 1 of
# private mount and pid namespaces:
#
#   1. an overlay over / (its upper dir on a tmpfs of the namespace) becomes
#      the root of a chroot with fresh /proc, /run and /tmp: whatever dpkg
#      does there is gone when the test ends, and the real system is never
#      written to;
#   2. in the chroot (stage "inside"), apt installs fused, libfuse3-3-fused,
#      libfuse3-4-fused and libfuse3-fused-dev from DEBDIR (apt; no network
#      needed), over
#      Debian's fuse3, libfuse3-3 and libfuse3-dev and with a setuid stat
#      override planted on /bin/fusermount3; checks which packages are
#      installed, their file lists (files-*.txt here), dpkg --verify, that no
#      setuid or setgid fusermount* or mount.fuse* is left, /run/fused;
#   3. starts a private dbus-daemon, polkitd and the INSTALLED fused
#      (tests/fused/harness.sh, with the installed bus policy and polkit
#      actions) and, as uid 61000, mounts Debian's sshfs (its ssh_command a
#      script running sftp-server on the other end of the pipe) and
#      squashfuse (an image made with mksquashfs): each must load the
#      installed libfuse3.so.3 of libfuse3-3-fused (/proc/PID/maps), serve
#      its files, be listed by fusedctl and go with fusermount3 -u;
#   4. a system bus on /run/dbus with dbus-daemon's launch helper and only
#      the installed files: fusedctl as uid 61000 starts fused by D-Bus
#      activation, as on a system without systemd;
#   5. dpkg --purge of the three packages (with that fused still running:
#      the prerm must stop it, as without systemd it has to);
#   6. back outside the chroot, every entry of the overlay's upper dir must
#      be allowed: dpkg's and apt's own records, logs and caches, the
#      triggers' outputs (ld.so.cache, man-db, the initramfs fuse3's postrm
#      rebuilds), directories that exist on the real system, and deletions
#      of the files of the packages ours replaced.  Anything else is
#      something the purge left behind.
#
# Without DEBDIR, lintian checks the packages built (errors and warnings
# fail; what is left is overridden and explained in debian/README.source).
#
# Needs (tools/install-deps, tests/packaging/README.md): dpkg-dev,
# debhelper, lintian, apt, jq, sshfs, squashfuse, squashfs-tools,
# openssh-sftp-server, dbus-daemon, polkitd, and fuse3, libfuse3-3 and
# libfuse3-dev installed (what ours replace).

set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$SRCDIR/tests/packaging
SELF=$HERE/test-install.sh
OUR_PACKAGES=(fused libfuse3-3-fused libfuse3-4-fused libfuse3-fused-dev fused-dkms)
REPLACED_PACKAGES=(fuse3 libfuse3-3 libfuse3-dev fuse)

log() { echo "test-install: $*" >&2; }
die() { echo "test-install: FATAL: $*" >&2; exit 1; }

# --- stage "build": on the real system ---------------------------------------

stage_build() {
  [ "$(id -u)" = 0 ] || die "must run as root (namespaces, overlayfs, dpkg)"
  local need
  for need in dpkg-buildpackage lintian apt-get jq unshare chroot mksquashfs sshfs squashfuse \
              /usr/lib/openssh/sftp-server dbus-daemon /usr/lib/polkit-1/polkitd; do
    command -v "$need" >/dev/null || die "missing $need (see tests/packaging/README.md)"
  done
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
    die "no overlayfs in this kernel"

  local work debdir=${1:-${FUSED_DEB_DIR:-}}
  work=$(mktemp -d /tmp/fused-pkgtest.XXXXXX)
  chmod 0755 "$work"
  trap 'rm -rf --one-file-system "$work"' EXIT

  if [ -z "$debdir" ]; then
    log "building the packages from $SRCDIR (log: $work/build.log)"
    "$HERE/build-debs.sh" "$SRCDIR" "$work" || die "dpkg-buildpackage failed"
    debdir=$work
    # Lintian clean: every tag left is overridden in debian/ and explained
    # in debian/README.source.
    if lintian --fail-on error,warning "$work"/fused_*.changes >"$work/lintian.log" 2>&1; then
      echo "ok - lintian: nothing but the overridden tags"
    else
      cat "$work/lintian.log"
      echo "FAIL - lintian"
      exit 1
    fi
  fi
  debdir=$(cd "$debdir" && pwd)
  local p
  for p in "${OUR_PACKAGES[@]}"; do
    compgen -G "$debdir/${p}_*.deb" >/dev/null || die "no ${p}_*.deb in $debdir"
  done
  log "packages from $debdir: $(cd "$debdir" && ls ${OUR_PACKAGES[@]/%/_*.deb} | tr '\n' ' ')"

  local rc=0
  env PKGTEST_STAGE=overlay PKGTEST_WORK="$work" PKGTEST_DEBDIR="$debdir" \
    unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
    -- "$SELF" || rc=$?
  exit $rc
}

# --- stage "overlay": PID 1 of the namespaces, outside the chroot ----------

stage_overlay() {
  local work=$PKGTEST_WORK
  local ovl=$work/ovl root=$work/ovl/root upper=$work/ovl/upper
  mkdir -p "$ovl"
  # The upper dir on a tmpfs of this namespace: not on / (overlayfs refuses
  # an upper dir inside its lower dir), and gone with the namespace.
  mount -t tmpfs -o mode=0755,size=2g pkgtest "$ovl"
  mkdir -p "$upper" "$ovl/work" "$root"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$upper,workdir=$ovl/work" "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  # /run and /tmp empty, as after a boot: no system bus, no systemd.
  mount -t tmpfs -o mode=0755 run "$root/run"
  mount -t tmpfs -o mode=1777 tmp "$root/tmp"
  # A source tree under /tmp or /run (a clone made there) is hidden by
  # those fresh tmpfs: show it at its own path, read-only.
  if [ ! -e "$root$SELF" ]; then
    mkdir -p "$root$SRCDIR"
    mount --rbind "$SRCDIR" "$root$SRCDIR"
    mount -o remount,bind,ro "$root$SRCDIR"
  fi
  mkdir -p "$root/run/pkgtest" "$root/run/pkgtest/debs"
  cp "$PKGTEST_DEBDIR"/*.deb "$root/run/pkgtest/debs/"

  local rc=0
  chroot "$root" /usr/bin/env PKGTEST_STAGE=inside \
    unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
    -- "$SELF" || rc=$?
  [ "$rc" = 0 ] || { log "the stage inside the chroot failed (rc $rc)"; exit "$rc"; }

  check_upper "$upper" "$root/run/pkgtest"
}

# Every entry of the upper dir: T PATH (T: d directory, w whiteout,
# f/l/... anything else), PATH from the root of the chroot.
upper_entries() {
  local upper=$1
  (cd "$upper" && find . -mindepth 1 -printf '%y %p %D,%i\n') |
    while read -r type path _; do
      path=${path#.}
      if [ "$type" = c ] && [ "$(stat -c '%t:%T' "$upper$path")" = 0:0 ]; then
        type=w
      fi
      printf '%s %s\n' "$type" "$path"
    done
}

# What dpkg, apt and the triggers they run may leave, as a purge does on a
# real system: their own records, logs and caches.  fuse3's postrm runs
# update-initramfs (its hook copied mount.fuse3 into the initramfs).
allowed_path() {
  case "$1" in
    /var/lib/dpkg/*|/var/log/dpkg.log|/var/log/apt/*|/var/log/alternatives.log) return 0 ;;
    /var/lib/apt/*|/var/cache/apt/*|/var/cache/debconf/*|/var/cache/man/*) return 0 ;;
    /etc/ld.so.cache|/var/cache/ldconfig/*) return 0 ;;
    /boot/initrd.img-*|/var/lib/initramfs-tools/*) return 0 ;;
    # depmod's indexes, rebuilt when fused-dkms added and removed its module
    /lib/modules/*/modules.*|/usr/lib/modules/*/modules.*) return 0 ;;
    # dkms's own module-signing key, made on its first build: dkms's state
    /var/lib/dkms/mok.key|/var/lib/dkms/mok.pub) return 0 ;;
  esac
  return 1
}

check_upper() {
  local upper=$1 state=$2 bad=0 type path f
  # The replaced packages' files as the overlay names them: dpkg's /bin/x is
  # the upper dir's /usr/bin/x on a merged /usr.
  while read -r f; do
    printf '%s/%s\n' "$(realpath -m "$(dirname "$f")")" "$(basename "$f")"
  done <"$state/replaced-files" >"$state/replaced-files.canonical"
  # The chroot's own mount points: created by the overlay mount itself.
  while read -r type path; do
    case "$type" in
      d)
        # A directory copied up (its mtime changed) is fine if it exists on
        # the real system; a new one is not, unless dpkg's or apt's.
        [ -d "$path" ] && continue
        allowed_path "$path/" && continue
        ;;
      w)
        # A deletion: of a file one of the replaced packages had.
        grep -qxF -- "$path" "$state/replaced-files.canonical" && continue
        allowed_path "$path" && continue
        ;;
      *)
        allowed_path "$path" && continue
        ;;
    esac
    echo "FAIL - left behind after the purge: $type $path"
    bad=$((bad + 1))
  done < <(upper_entries "$upper")
  if [ "$bad" -ne 0 ]; then
    echo "$bad entries of the overlay's upper dir are not allowed"
    exit 1
  fi
  echo "ok - the purge left nothing behind ($(upper_entries "$upper" | wc -l) entries in the upper dir, all dpkg's, apt's, triggers' or replaced packages' deletions)"
  echo "all checks passed"
}

# --- stage "inside": in the chroot, PID 1 of its own namespaces -------------

stage_inside() {
  # From here on a failed check is counted (h_check), not fatal.
  set +e
  H_IN_NS=yes
  # shellcheck source=../fused/lib.sh
  source "$SRCDIR/tests/fused/lib.sh"
  local state=/run/pkgtest debs=/run/pkgtest/debs
  local multiarch; multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
  export DEBIAN_FRONTEND=noninteractive

  # What ours replace, as installed now: their files may be gone afterwards.
  local p
  : >"$state/replaced-files"
  for p in "${REPLACED_PACKAGES[@]}"; do
    if dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
      dpkg-query -L "$p" >>"$state/replaced-files"
    fi
  done
  dpkg-query -W -f='${db:Status-Abbrev}' fuse3 2>/dev/null | grep -q '^ii' ||
    die "fuse3 is not installed here: the test installs over it (tests/packaging/README.md)"

  # An admin's setuid override of fusermount3, as fuse3's postinst honours
  # it: fused's preinst must remove it before dpkg applies it to ours.
  dpkg-statoverride --add root root 4755 /bin/fusermount3

  echo "# installing ${OUR_PACKAGES[*]}"
  local -a debfiles=()
  for p in "${OUR_PACKAGES[@]}"; do debfiles+=("$(ls "$debs/${p}"_*.deb)"); done
  # No network: every dependency is installed already, apt only reads the
  # local files.  (--no-download would make apt 2.6 fail on local files.)
  if ! apt-get install -y --no-install-recommends \
         -o Dpkg::Use-Pty=0 -o APT::Color=0 "${debfiles[@]}" >"$state/apt-install.log" 2>&1; then
    cat "$state/apt-install.log"
    h_fail "apt-get install of our packages"
    h_done
  fi
  h_pass "apt-get install ${OUR_PACKAGES[*]} (offline, over fuse3, libfuse3-3, libfuse3-dev)"
  h_check "fused's preinst said it removed the setuid stat override" \
    grep -q "removing the setuid/setgid stat override of /bin/fusermount3" "$state/apt-install.log"

  check_installed "$multiarch"
  check_no_setid
  h_check "/run/fused made by systemd-tmpfiles (0700 root)" \
    test "$(stat -c '%a %U' /run/fused 2>/dev/null)" = "700 root"

  check_dkms

  check_mounts "$multiarch"

  check_activation

  echo "# purging"
  # The harness's bind mounts (polkit's directories, /etc/passwd, /etc/group)
  # go first: dpkg must remove our polkit action from the real directory,
  # not from the harness's copy.  fused and the bus stay, for the prerm.
  h_stop_polkitd
  umount /usr/share/polkit-1/actions /etc/polkit-1/rules.d /usr/share/polkit-1/rules.d \
         /etc/passwd /etc/group
  if dpkg --purge --force-depends "${OUR_PACKAGES[@]}" >"$state/purge.log" 2>&1; then
    h_pass "dpkg --purge ${OUR_PACKAGES[*]}"
  else
    cat "$state/purge.log"; h_fail "dpkg --purge"
  fi
  # The prerm stops a fused started without systemd (reparented to us, PID
  # 1 here: a zombie until bash reaps it).
  if [ -n "$ACTIVATED_PID" ] && wait_gone "$ACTIVATED_PID"; then
    h_pass "the prerm stopped the running fused (no systemd)"
  else
    h_fail "fused still runs after the purge"
  fi
  [ -n "$ACT_BUS_PID" ] && kill "$ACT_BUS_PID" 2>/dev/null
  for p in "${OUR_PACKAGES[@]}"; do
    h_check "$p is gone from dpkg's database" \
      bash -c "! dpkg-query -W -f='\${db:Status-Abbrev}' $p 2>/dev/null | grep -q '[a-z]'"
  done
  h_check "/run/fused removed by the purge" test ! -e /run/fused
  h_check "fused-dkms: DKMS forgot fused-fuse and its modules are gone" \
    bash -c "[ ! -e /var/lib/dkms/fused-fuse ] && [ -z \"\$(ls /lib/modules/*/updates/dkms/fuse.ko* 2>/dev/null)\" ]"
  local leftover; leftover=$(while read -r f; do [ -e "$f" ] || [ -L "$f" ] && [ ! -d "$f" ] && echo "$f"; done <"$state/our-files")
  h_check "none of our packages' files is left${leftover:+: $leftover}" test -z "$leftover"
  h_done
}

# @KERNEL_SOURCES@ DIR/ in a file list: DIR/ + each file of kernel/ that
# fused-dkms ships, which follows kernel/ as it grows.
expand_kernel_sources() {
  local line f
  while read -r line; do
    case "$line" in
      "@KERNEL_SOURCES@ "*)
        for f in "$SRCDIR"/kernel/*.[ch] "$SRCDIR"/kernel/{Kbuild,Makefile,LICENSE,README.md}; do
          echo "${line#* }${f##*/}"
        done ;;
      *) echo "$line" ;;
    esac
  done
}

# fused-dkms: its dkms.conf names the package's version, and for every
# kernel here with headers and FUSE as a module (Debian's 6.1), DKMS built
# and installed our fuse.ko, which modprobe would now load in place of the
# kernel's.  (On kernels with FUSE built in, 6.12 and this machine's, the
# module cannot load: dkms builds it all the same if asked.)
check_dkms() {
  local ver kver ko n=0
  ver=$(dpkg-query -W -f='${Version}' fused-dkms); ver=${ver%%-*}
  h_check "fused-dkms: /usr/src/fused-fuse-$ver/dkms.conf says PACKAGE_VERSION=\"$ver\"" \
    grep -qx "PACKAGE_VERSION=\"$ver\"" "/usr/src/fused-fuse-$ver/dkms.conf"
  for kver in $(ls /lib/modules); do
    [ -e "/lib/modules/$kver/build/Makefile" ] || continue
    [ -n "$(ls "/lib/modules/$kver/kernel/fs/fuse/fuse.ko"* 2>/dev/null)" ] || continue
    n=$((n + 1))
    # The postinst builds for the running kernel and the newest installed
    # one; any other is the admin's "dkms install", as here.
    if ! dkms status -m fused-fuse -v "$ver" -k "$kver" | grep -q ': installed'; then
      dkms install -m fused-fuse -v "$ver" -k "$kver" >"/run/pkgtest/dkms-$kver.log" 2>&1 ||
        cat "/run/pkgtest/dkms-$kver.log"
    fi
    h_check "fused-dkms: dkms built and installed fused-fuse/$ver for $kver" \
      bash -c "dkms status -m fused-fuse -v '$ver' -k '$kver' | grep -q ': installed'"
    ko=$(modinfo -k "$kver" -F filename fuse 2>/dev/null)
    h_check "fused-dkms: modprobe on $kver would load ours ($ko)" \
      bash -c "case '$ko' in */updates/dkms/fuse.ko*) true ;; *) false ;; esac"
    h_check "fused-dkms: that module is the fused project's, version $ver" \
      bash -c "modinfo -F description '$ko' | grep -q 'fused project' &&
               [ \"\$(modinfo -F version '$ko')\" = '$ver' ]"
  done
  [ "$n" -gt 0 ] || h_fail "fused-dkms: no kernel here has headers and FUSE as a module (linux-headers-amd64)"
}

# Which packages are installed, their files, their checksums.
check_installed() {
  local multiarch=$1 p
  for p in "${OUR_PACKAGES[@]}" sshfs squashfuse; do
    h_check "$p is installed" \
      bash -c "dpkg-query -W -f='\${db:Status-Abbrev}' $p | grep -q '^ii'"
  done
  for p in fuse3 libfuse3-3 libfuse3-dev fuse; do
    h_check "Debian's $p is not installed (removed, or never was)" \
      bash -c "! dpkg-query -W -f='\${db:Status-Abbrev}' $p 2>/dev/null | grep -q '^ii'"
  done
  : >"$STATE_DIR/our-files"
  for p in "${OUR_PACKAGES[@]}"; do
    # Files and symlinks only: directories are shared with other packages.
    # dh_compress gzips a file in /usr/share/doc once it passes 4 KiB,
    # so whether README.md ends in .gz follows its length: compare doc
    # names without that suffix.
    local got want nogz='s#^(/usr/share/doc/.*)\.gz$#\1#'
    got=$(dpkg-query -L "$p" | while read -r f; do
            [ -d "$f" ] && continue; echo "$f"; done | sort)
    printf '%s\n' "$got" >>"$STATE_DIR/our-files"
    got=$(echo "$got" | sed -E "$nogz" | sort)
    want=$(grep -v '^#' "$HERE/files-$p.txt" | sed "s/@MULTIARCH@/$multiarch/g" |
             expand_kernel_sources | sed -E "$nogz" | sort)
    if [ "$got" = "$want" ]; then
      h_pass "$p: its files are files-$p.txt"
    else
      h_fail "$p: its files differ from files-$p.txt:"
      diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
    fi
    h_check "$p: dpkg --verify" bash -c "[ -z \"\$(dpkg --verify $p)\" ]"
  done
  h_check "no stat override of fusermount3 is left" \
    bash -c "! dpkg-statoverride --list | grep -q fusermount"
}

check_no_setid() {
  local found
  found=$(find / -xdev \( -name 'fusermount*' -o -name 'mount.fuse*' \) -perm /6000 2>/dev/null)
  h_check "no setuid or setgid fusermount* or mount.fuse* anywhere${found:+: $found}" test -z "$found"
  h_check "/bin/fusermount3 is fused's and mode 0755" \
    bash -c "[ \"\$(stat -Lc %a /bin/fusermount3)\" = 755 ] && dpkg -S /bin/fusermount3 | grep -q '^fused:'"
}

# A private bus, polkitd and the installed fused, with the installed policy.
start_installed_fused() {
  local policy=$STATE_DIR/policy
  mkdir -p "$policy"
  ln -sf /usr/share/dbus-1/system.d/org.freedesktop.fuse1.conf "$policy/"
  ln -sf /usr/share/polkit-1/actions/org.freedesktop.fuse1.policy "$policy/"
  H_POLICY_DIR=$policy
  h_setup
  h_start_fused /usr/sbin/fused
  h_pass "the installed fused is on the bus (installed bus policy and polkit actions)"
}

# The mapped libfuse3.so.3 of PID: must be libfuse3-3-fused's file.
check_our_lib() {
  local what=$1 pid=$2 multiarch=$3 path
  path=$(awk '$6 ~ /\/libfuse3\.so\.3/ { print $6; exit }' "/proc/$pid/maps")
  if [ -z "$path" ]; then h_fail "$what: no libfuse3.so.3 in /proc/$pid/maps"; return; fi
  # The loader may name it through /usr/lib or /lib (one directory on a
  # merged /usr): the package's file is the one that is the same file.
  local sum want= entry
  sum=$(md5sum <"$path" | cut -d' ' -f1)
  while read -r entry; do
    [ "/$entry" -ef "$path" ] || continue
    want=$(awk -v f="$entry" '$2 == f { print $1 }' /var/lib/dpkg/info/libfuse3-3-fused:*.md5sums)
  done < <(awk '{ print $2 }' /var/lib/dpkg/info/libfuse3-3-fused:*.md5sums)
  if [ -n "$want" ] && [ "$sum" = "$want" ] && grep -qa org.freedesktop.fuse1 "$path"; then
    h_pass "$what loaded libfuse3-3-fused's $path (/proc/$pid/maps)"
  else
    h_fail "$what loaded $path, not libfuse3-3-fused's (md5 $sum, package's ${want:-none})"
  fi
}

# wait_fuse MP PID: until a FUSE mount is on MP (10 s) or PID is gone.
wait_fuse() {
  local mp=$1 pid=$2 tries=200
  while (( tries-- > 0 )); do
    t_is_fuse "$mp" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# wait_gone PID: until PID has exited (10 s); a child of ours that has
# exited is a zombie, which kill -0 still finds.
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
wait_gone() {
  local pid=$1 tries=200
  until gone "$pid"; do (( tries-- > 0 )) || return 1; sleep 0.05; done
}

# mount_as_user WHAT MOUNTPOINT EXPECTED-FILE CONTENT cmd...: the filesystem
# cmd (in the foreground) as uid 61000, through fused, then unmounted with
# the installed fusermount3.
mount_as_user() {
  local what=$1 mp=$2 file=$3 content=$4 multiarch=$MULTIARCH; shift 4
  h_mkdir "$mp" "$H_UID0" 0755
  h_spawn_as "$H_UID0" "$@" 2>>"$H_TMP/$what.err"
  local pid=$H_SPAWNED_PID
  if ! wait_fuse "$mp" "$pid"; then
    h_fail "$what: no mount on $mp"; cat "$H_TMP/$what.err" >&2
    kill "$pid" 2>/dev/null; return
  fi
  h_pass "$what mounted $mp as uid $H_UID0 ($(t_fstype "$mp"), $(t_mount_opts "$mp"))"
  check_our_lib "$what" "$pid" "$multiarch"
  h_check "$what: $file reads back as uid $H_UID0" \
    test "$(timeout 30 setpriv --reuid="$H_UID0" --regid="$H_UID0" --clear-groups -- cat "$mp/$file")" = "$content"
  # fused names a mountpoint by its path from the mount namespace's root
  # (fused(8)); we run in a chroot, so that is the overlay's path + $mp.
  h_check "$what: fusedctl list shows the mount, owned by uid $H_UID0" \
    bash -c "setpriv --reuid=$H_UID0 --regid=$H_UID0 --clear-groups -- fusedctl list --json |
             jq -e --arg mp '$mp' 'any(.[]; (.mountpoint | endswith(\$mp)) and .owner == $H_UID0)' >/dev/null"
  h_check "$what: fusermount3 -u as uid $H_UID0" timeout 30 \
    setpriv --reuid="$H_UID0" --regid="$H_UID0" --clear-groups -- fusermount3 -u "$mp"
  h_check "$what: the mount is gone" bash -c "! grep -qF ' $mp ' /proc/self/mountinfo"
  h_check "$what: the filesystem process exited" wait_gone "$pid"
  if ! gone "$pid"; then kill -KILL "$pid" 2>/dev/null; umount -l "$mp" 2>/dev/null; fi
  wait "$pid" 2>/dev/null
}

# D-Bus activation without systemd, as on this machine: a system bus on
# /run/dbus/system_bus_socket with the standard service directories and
# dbus-daemon's launch helper, and the installed policy and activation file
# only.  The first call (by uid 61000, knowing nothing of fused's address)
# starts /usr/sbin/fused as root.  It stays running for the purge.
ACTIVATED_PID= ACT_BUS_PID=
json_empty() { jq -e 'length == 0' >/dev/null 2>&1 <<<"$1"; }
check_activation() {
  h_stop_fused
  mkdir -p /run/dbus
  cat >"$H_TMP/bus/activation.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <user>messagebus</user>
  <auth>EXTERNAL</auth>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <servicehelper>/usr/lib/dbus-1.0/dbus-daemon-launch-helper</servicehelper>
  <standard_system_servicedirs/>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
</busconfig>
EOF
  ACT_BUS_PID=$(dbus-daemon --config-file="$H_TMP/bus/activation.conf" --fork --print-pid --nosyslog)
  local out
  out=$(env -u DBUS_SYSTEM_BUS_ADDRESS timeout 30 \
          setpriv --reuid="$H_UID0" --regid="$H_UID0" --clear-groups -- fusedctl list --json 2>&1)
  h_check "D-Bus activation without systemd: fusedctl as uid $H_UID0 started the installed fused (got: $out)" \
    json_empty "$out"
  ACTIVATED_PID=$(for p in /proc/[0-9]*; do
                    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/fused ] && echo "${p#/proc/}"
                  done | head -1)
  h_check "the activated fused runs as root (pid ${ACTIVATED_PID:-none})" \
    test -n "$ACTIVATED_PID" -a "$(stat -c %u "/proc/$ACTIVATED_PID" 2>/dev/null)" = 0
}

check_mounts() {
  MULTIARCH=$1
  start_installed_fused

  # The files both filesystems serve.
  local src=$H_TMP/src
  h_mkdir "$src" "$H_UID0" 0755
  echo "hello from $(uname -n)" >"$src/hello.txt"
  chown "$H_UID0:$H_UID0" "$src/hello.txt"
  local content; content=$(cat "$src/hello.txt")

  # sshfs: its "ssh" is a script that runs sftp-server, whatever the
  # arguments (host, -s sftp): the pipe sshfs talks over, with no sshd.
  local ssh=$H_TMP/ssh-to-sftp-server
  printf '#!/bin/sh\nexec /usr/lib/openssh/sftp-server\n' >"$ssh"
  chmod 0755 "$ssh"
  mount_as_user sshfs "$H_TMP/mnt-sshfs" hello.txt "$content" \
    sshfs -f -o "ssh_command=$ssh" "localhost:$src" "$H_TMP/mnt-sshfs"

  # squashfuse on an image of the same directory.
  local img=$H_TMP/src.squashfs
  mksquashfs "$src" "$img" -quiet -noappend -no-progress >/dev/null
  chmod 0644 "$img"
  mount_as_user squashfuse "$H_TMP/mnt-squashfuse" hello.txt "$content" \
    squashfuse -f "$img" "$H_TMP/mnt-squashfuse"

  h_check "no mount of fused's left (fusedctl list)" \
    bash -c "fusedctl list --json | jq -e 'length == 0' >/dev/null"
}

case "${PKGTEST_STAGE:-build}" in
  build) stage_build "$@" ;;
  overlay) stage_overlay ;;
  inside) STATE_DIR=/run/pkgtest; stage_inside ;;
  *) die "unknown stage $PKGTEST_STAGE" ;;
esac
