# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the VM runners (vm-run.sh here, ../systemd/vm-systemd.sh):
# the kernel modules an initramfs must load, dependencies first, resolved
# through modules.dep of $moddir, and their copy into the initramfs.
#   add_mod NAME...        queue NAME and what it depends on (built-in: nothing)
#   copy_mods DIR          uncompress the queue into DIR, its order in DIR/order
declare -A vm_mod_seen=()
vm_mod_order=()
add_mod() {
	local name path deps d
	for name in "$@"; do
		path=$(awk -F: -v n="$name" '{ f = $1; sub(".*/", "", f); sub(/\.ko(\.[a-z]+)?$/, "", f); if (f == n) { print; exit } }' "$moddir/modules.dep")
		[ -n "$path" ] || continue	# built in
		deps=${path#*:}
		path=${path%%:*}
		[ -n "${vm_mod_seen[$path]:-}" ] && continue
		vm_mod_seen[$path]=1
		for d in $deps; do
			d=${d##*/}
			add_mod "${d%%.ko*}"
		done
		vm_mod_order+=("$path")
	done
}
copy_mods() {
	local dir=$1 p f
	: > "$dir/order"
	for p in "${vm_mod_order[@]}"; do
		f=${p##*/}
		case $f in
		*.ko.xz) xz -dc "$moddir/$p" > "$dir/${f%.xz}"; f=${f%.xz} ;;
		*.ko.zst) zstd -qdc "$moddir/$p" > "$dir/${f%.zst}"; f=${f%.zst} ;;
		*) cp "$moddir/$p" "$dir/$f" ;;
		esac
		echo "$f" >> "$dir/order"
	done
}
