#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side packaging test, as root: each check prints "PASS: name" or
# "FAIL: name: expected X, saw Y"; the exit status is 1 if any failed.
#
#   1. dpkg-buildpackage -b on a copy of the tree makes
#      dropmon-dkms_<v>_all.deb and dropmon-tools_<v>_<arch>.deb;
#   2. lintian finds no error in them;
#   3. the version is module/dropmon.h's, in the shipped dkms.conf and the
#      changelog (dkms.conf itself says #MODULE_VERSION#);
#   4. make dkms-install (twice: it is idempotent) for one kernel, then
#      make dkms-uninstall leaves nothing behind;
#   5. installing both .debs builds and installs dropmon.ko with DKMS for
#      every kernel whose headers are installed (named as the kernel's
#      .config compresses modules: dropmon.ko.xz on 6.12), the VM smoke
#      suite loads that very module, from the same path under
#      /lib/modules, on 6.1 and 6.12, dropmon-show runs, and purging both
#      packages leaves nothing behind.
#
# dkms's postinst builds for every kernel in /lib/modules only when the
# running kernel has no /lib/modules directory (a VM or container host like
# CI's); on a host that runs an installed kernel it builds for the running
# and the newest one only, and this test then fails for the others.
#
# The host is left as found: packages purged, /usr/src/dropmon-* and the
# DKMS tree removed, and the files that depmod and dkms created in
# /lib/modules and /var/lib/dkms for this test deleted again.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || dm_die "tests/pkg.sh installs packages and DKMS modules: run it as root"


pkgs=(dropmon-dkms dropmon-tools)
arch=$(dpkg --print-architecture)
dm_apt_install dkms dh-dkms debhelper dpkg-dev lintian build-essential xz-utils git

# --- what this test must put back -------------------------------------------

# depmod writes modules.* for kernels that have only headers; dkms writes a
# signing key.  Whatever of these was not there before is removed at the end.
lm_before=$(find /lib/modules -mindepth 2 -maxdepth 2 2>/dev/null | sort)
mok_before=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null)

# Remove every trace of dropmon from DKMS, dpkg and /usr/src.
dropmon_remove_all() {
	local p
	for p in "${pkgs[@]}"; do
		if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qv 'not-installed'; then
			DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
				purge -y -q "$p" >/dev/null 2>&1 ||
				dpkg --purge --force-all "$p" >/dev/null 2>&1
		fi
	done
	if [ -n "$(dkms status -m dropmon 2>/dev/null)" ]; then
		local v
		for v in $(dkms status -m dropmon 2>/dev/null | sed -n 's|^dropmon/\([^,:]*\).*|\1|p' | sort -u); do
			dkms remove "dropmon/$v" --all >/dev/null 2>&1
		done
	fi
	rm -rf /var/lib/dkms/dropmon /usr/src/dropmon-*
}

restore_host() {
	local f
	dropmon_remove_all
	while IFS= read -r f; do
		grep -qxF "$f" <<<"$lm_before" && continue
		case "${f##*/}" in
		modules.*) rm -f "$f" ;;
		updates) find "$f" -depth -type d -empty -delete ;;
		esac
	done < <(find /lib/modules -mindepth 2 -maxdepth 2 2>/dev/null)
	if [ -z "$mok_before" ]; then
		rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	fi
	rm -rf "$T"
}

T=$(mktemp -d) || dm_die "mktemp -d failed; is ${TMPDIR:-/tmp} there and writable?"
chmod 0755 "$T" # apt reads the local .debs as _apt
trap restore_host EXIT
if [ -n "$(dkms status -m dropmon 2>/dev/null)" ] || ls -d /usr/src/dropmon-* >/dev/null 2>&1 ||
	dpkg-query -W -f='${Status}\n' "${pkgs[@]}" 2>/dev/null | grep -qv 'not-installed'; then
	dm_log "removing a dropmon installation left on this host"
	dropmon_remove_all
fi

# Nothing of dropmon left: one check per place.
# verify_gone LABEL [deb]
verify_gone() {
	local label=$1 deb=${2:-} saw p
	saw=$(ls -d /usr/src/dropmon-* 2>/dev/null | oneline)
	check "$label: no /usr/src/dropmon-*" "" "$saw"
	saw=$(find /lib/modules -name 'dropmon.ko*' 2>/dev/null | oneline)
	check "$label: no dropmon.ko under /lib/modules" "" "$saw"
	saw=$(dkms status -m dropmon 2>&1 | oneline)
	check "$label: dkms status dropmon empty" "" "$saw"
	saw=$(ls -d /var/lib/dkms/dropmon 2>/dev/null)
	check "$label: no /var/lib/dkms/dropmon" "" "$saw"
	[ -n "$deb" ] || return 0
	saw=$(ls /usr/sbin/dropmon-show 2>/dev/null)
	check "$label: no /usr/sbin/dropmon-show" "" "$saw"
	for p in "${pkgs[@]}"; do
		saw=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | tr -d ' ')
		case "$saw" in "" | un) saw="" ;; esac
		check "$label: dpkg knows no $p" "" "$saw"
	done
}

# DKMS installed dropmon for kernel $1: status, and one module file of
# the expected name wherever under /lib/modules/$1 DKMS put it (the VM
# smoke suite checks the place).  Prints the module's path.
dkms_installed_ko() {
	local rel=$1 f
	dkms status -m dropmon -v "$ver" -k "$rel" 2>/dev/null | grep -q ': installed' || return 1
	f=$(find "/lib/modules/$rel" -name 'dropmon.ko*' 2>/dev/null)
	[ -n "$f" ] && [ "$(wc -l <<<"$f")" = 1 ] && [ "${f##*/}" = "$(dm_expected_ko "/usr/src/linux-headers-$rel/.config")" ] || return 1
	echo "$f"
}

# Why DKMS did not install dropmon for kernel $1, on one line.
dkms_why() {
	local rel=$1 status err found
	status=$(dkms status -m dropmon -v "$ver" -k "$rel" 2>&1 | oneline)
	err=$(grep -m1 -iE 'error|dropmon:' "/var/lib/dkms/dropmon/$ver/build/make.log" 2>/dev/null)
	found=$(find "/lib/modules/$rel" -name 'dropmon.ko*' 2>/dev/null | oneline)
	echo "dkms status '${status:-none}', expected one $(dm_expected_ko "/usr/src/linux-headers-$rel/.config") under /lib/modules/$rel, found '${found:-none}'${err:+; make.log: $err}"
}

# --- 1. build the packages ---------------------------------------------------

src=$T/src
mkdir -p "$src"
dm_copy_checkout "$src" || dm_die "cannot copy the checkout to $src"

ver=$(dm_version "$src") || exit 1
debver=$(cd "$src" && dpkg-parsechangelog -S Version)
dkms_deb=dropmon-dkms_${debver}_all.deb
tools_deb=dropmon-tools_${debver}_${arch}.deb

dm_log "dpkg-buildpackage -b -us -uc (log: build.log)"
if (cd "$src" && dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1; then
	pass "dpkg-buildpackage -b"
else
	rc=$?
	tail -n 30 "$T/build.log" >&2
	fail "dpkg-buildpackage -b" "exit 0" "exit $rc ($(grep -m1 -iE 'error' "$T/build.log"))"
fi
for f in "$dkms_deb" "$tools_deb"; do
	saw=$(cd "$T" && ls "${f%%_*}"_*.deb 2>/dev/null | oneline)
	check "package $f built" "$f" "$saw"
done

# --- 2. lintian ------------------------------------------------------------

changes=$T/dropmon_${debver}_${arch}.changes
if [ -f "$changes" ]; then
	lintian "$changes" >"$T/lintian.log" 2>&1
	rc=$?
	grep -E '^[WI]: ' "$T/lintian.log" | sed 's/^/[lintian] /' >&2
	errors=$(grep -E '^E: ' "$T/lintian.log" | oneline)
	if [ "$rc" -ge 2 ]; then
		fail "lintian" "lintian to run" "exit $rc: $(tail -n 1 "$T/lintian.log")"
	elif [ "$rc" != 0 ] && [ -z "$errors" ]; then
		fail "lintian: no errors" "exit 0" "exit $rc: $(tail -n 1 "$T/lintian.log")"
	else
		check "lintian: no errors" "" "$errors"
	fi
else
	fail "lintian" "$changes" "no such file"
fi

# --- 3. one version ----------------------------------------------------------

# dkms.conf says #MODULE_VERSION#; what dropmon-dkms ships has the version.
dkms_ver=$(dpkg-deb --fsys-tarfile "$T/$dkms_deb" 2>/dev/null |
	tar -xOf - "./usr/src/dropmon-$ver/dkms.conf" 2>/dev/null | sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p')
check "dropmon-dkms's dkms.conf PACKAGE_VERSION = DROPMON_VERSION" "$ver" "$dkms_ver"
saw=$(grep -c '^PACKAGE_VERSION="#MODULE_VERSION#"$' "$src/dkms.conf")
check "dkms.conf names no version of its own" 1 "$saw"
check "debian/changelog upstream version = DROPMON_VERSION" "$ver" "${debver%-*}"

# --- the kernels whose headers are installed --------------------------------

kernels=()
for d in /usr/src/linux-headers-*/; do
	rel=${d%/}
	rel=${rel#/usr/src/linux-headers-}
	[ -f "$d/Makefile" ] && [ -e "/lib/modules/$rel/build/Makefile" ] && kernels+=("$rel")
done
[ ${#kernels[@]} -gt 0 ] || fail "kernel headers" "at least one linux-headers-* installed" "none"
dm_log "kernels with headers: ${kernels[*]}"

# The release the VM smoke test boots for matrix kernel $1 (6.1, 6.12).
smoke_release() { (dm_kernel_release "$1") 2>/dev/null; }
krel61=$(smoke_release 6.1)
[ -n "$krel61" ] && [ -e "/lib/modules/$krel61/build/Makefile" ] || krel61=${kernels[0]:-}

# --- 4. make dkms-install / dkms-uninstall ----------------------------------

if [ -n "$krel61" ]; then
	for i in 1 2; do
		name="make dkms-install KREL=$krel61 (run $i)"
		if make -C "$src" dkms-install KREL="$krel61" >"$T/dkms-install.log" 2>&1; then
			if ko=$(dkms_installed_ko "$krel61"); then
				pass "$name"
			else
				fail "$name" "dropmon installed for $krel61" "$(dkms_why "$krel61")"
			fi
		else
			rc=$?
			tail -n 20 "$T/dkms-install.log" >&2
			fail "$name" "exit 0" "exit $rc ($(grep -m1 -E 'Error|error' "$T/dkms-install.log"))"
		fi
	done
	if make -C "$src" dkms-uninstall >"$T/dkms-uninstall.log" 2>&1; then
		pass "make dkms-uninstall"
	else
		rc=$?
		tail -n 20 "$T/dkms-uninstall.log" >&2
		fail "make dkms-uninstall" "exit 0" "exit $rc"
	fi
	verify_gone "make dkms-uninstall"
fi

# --- 5. the packages ---------------------------------------------------------

if [ -f "$T/$dkms_deb" ] && [ -f "$T/$tools_deb" ]; then
	dm_log "apt-get install ./$dkms_deb ./$tools_deb (log: apt-install.log)"
	if (cd "$T" && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -q --no-install-recommends "./$dkms_deb" "./$tools_deb") \
		>"$T/apt-install.log" 2>&1; then
		pass "apt-get install the .debs"
	else
		rc=$?
		tail -n 30 "$T/apt-install.log" >&2
		fail "apt-get install the .debs" "exit 0" \
			"exit $rc ($(grep -m1 -E 'Error|error' "$T/apt-install.log"))"
	fi

	declare -A kos=()
	for rel in "${kernels[@]}"; do
		if ko=$(dkms_installed_ko "$rel"); then
			kos[$rel]=$ko
			pass "dropmon-dkms: dkms installed dropmon for $rel (${ko##*/})"
		else
			fail "dropmon-dkms: dkms installed dropmon for $rel" \
				"installed, /lib/modules/$rel/updates/dkms/$(dm_expected_ko "/usr/src/linux-headers-$rel/.config")" "$(dkms_why "$rel")"
		fi
	done

	# The module DKMS built, loaded in the VM by the smoke suite, from
	# the same path under /lib/modules/$rel as DKMS installed it.
	for k in 6.1 6.12; do
		rel=$(smoke_release "$k")
		name="$k smoke (dkms-built module)"
		if [ -z "$rel" ] || [ -z "${kos[$rel]:-}" ]; then
			fail "$name" "a DKMS-built dropmon.ko for the $k kernel vm.sh boots (${rel:-?})" \
				"none; DKMS installed it for: ${!kos[*]}"
			continue
		fi
		ko_rel=${kos[$rel]#"/lib/modules/$rel/"}
		dm_log "== $name: DROPMON_KO=${kos[$rel]} DROPMON_KO_REL=$ko_rel"
		: >"$T/smoke-$k.log"
		DROPMON_KO=${kos[$rel]} DROPMON_KO_REL=$ko_rel "$here/vm.sh" "$k" smoke single 2>&1 |
			tee "$T/smoke-$k.log"
		rc=${PIPESTATUS[0]}
		if grep -q 'FAIL: ' "$T/smoke-$k.log"; then
			failed=1
		elif [ "$rc" != 0 ]; then
			fail "$name" "exit 0" "exit $rc"
		elif ! grep -q "^\[$k/smoke\] PASS: " "$T/smoke-$k.log"; then
			fail "$name" "PASS lines from the smoke suite" none
		fi
	done

	saw=$(dpkg-query -W -f='${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null | tr -d ' ' | oneline)
	check "dpkg -l: both packages installed" "ii ii" "$saw"
	saw=$(command -v dropmon-show)
	check "dropmon-show is /usr/sbin/dropmon-show" /usr/sbin/dropmon-show "$saw"
	saw=$(/usr/sbin/dropmon-show --version 2>&1 | head -n 1)
	check "dropmon-show --version" "$ver" "$(awk '{ print $2 }' <<<"$saw")"

	if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		purge -y -q "${pkgs[@]}" >"$T/apt-purge.log" 2>&1; then
		pass "apt-get purge dropmon-dkms dropmon-tools"
	else
		rc=$?
		tail -n 20 "$T/apt-purge.log" >&2
		fail "apt-get purge dropmon-dkms dropmon-tools" "exit 0" "exit $rc"
	fi
	verify_gone "apt-get purge" deb
fi

[ "$failed" = 0 ]
