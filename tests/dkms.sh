#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS for real, one PASS/FAIL line per check: for every kernel of the
# matrix, `dkms add`, `dkms build` and `dkms install` of the source tree
# as dkms.conf describes it (7.x in the trixie chroot, whose headers need
# trixie's glibc, with the kernel's own modules from the cached image in
# /lib/modules as on a host that runs it); the installed file must be
# named as the kernel's .config compresses modules (dropmon.ko.xz with
# CONFIG_MODULE_COMPRESS_XZ, and on 6.12 always); then boot that kernel
# with the module at the very path under /lib/modules/$KREL where DKMS
# installed it and run the "smoke" suite (module under updates/dkms,
# depmod, modprobe with options from modprobe.d, exact counts, modprobe
# -r); then `dkms remove` must leave nothing behind.  modinfo must show
# the signature DKMS made with its own key (/var/lib/dkms/mok.key).
#
#   tests/dkms.sh [KERNEL...]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kernels=${*:-$DROPMON_KERNELS_DEFAULT}
VER=$(dm_version) || exit 1

# dkms on this machine, or in the chroot for the kernels built there.
run_dkms() {
	if [ -n "$KCHROOT" ]; then
		dm_chroot_run dkms "$@"
	else
		dkms "$@"
	fi
}

# ROOT/usr/src/dropmon-VER: what DKMS builds from (as the .deb ships it).
dkms_source() {
	make -s -C "$DROPMON_TOP" dkms-source DESTDIR="$1" >/dev/null
}

leftovers() {	# ROOT KREL
	{
		find "$1/lib/modules/$2" -name 'dropmon.ko*' 2>/dev/null
		ls -d "$1/var/lib/dkms/dropmon" 2>/dev/null
	} | tr '\n' ' '
}

dkms_kernel() {
	local k=$1 root log ko kos config want rel out rc lent lent_before f
	dm_kernel_prepare "$k" >/dev/null
	root=${KCHROOT:+$DROPMON_CHROOT}
	log=$DROPMON_TOP/build/dkms-$KREL.log
	mkdir -p "$DROPMON_TOP/build"
	# A registration left by an earlier run; none is fine.
	run_dkms remove "dropmon/$VER" --all >/dev/null 2>&1
	# DKMS compresses the module as it finds the kernel's own modules
	# under /lib/modules/$KREL.  A host that runs the kernel has them
	# (6.12's headers depend on its image); the chroot has the headers
	# only, so there the cached image's modules are lent (hard links)
	# for the test, as linux-modules-$KREL would install them.
	lent=
	if [ -n "$KCHROOT" ] && [ ! -e "$root/lib/modules/$KREL/kernel" ]; then
		lent_before=$(ls -A "$root/lib/modules/$KREL" 2>/dev/null)
		if [ -d "$KMODS/kernel" ] && mkdir -p "$root/lib/modules/$KREL" &&
			{ cp -al "$KMODS/kernel" "$root/lib/modules/$KREL/kernel" 2>/dev/null ||
				cp -a "$KMODS/kernel" "$root/lib/modules/$KREL/kernel"; }; then
			lent=1
		else
			fail "dkms $k: the kernel's modules in the chroot" "$KMODS/kernel copied to /lib/modules/$KREL" "cp failed"
		fi
	fi
	# DKMS signs with a key it makes with openssl: a host that signs has
	# it (the chroot's minbase does not).
	if [ -n "$KCHROOT" ] && [ ! -x "$root/usr/bin/openssl" ]; then
		dm_apt_run dm_chroot_run "install openssl in the chroot" install -y openssl
	fi
	if ! dkms_source "$root"; then
		fail "dkms $k: source in /usr/src/dropmon-$VER" "a copy of the tree" "cp failed"
		return
	fi

	if run_dkms add "dropmon/$VER" >"$log" 2>&1; then
		pass "dkms $k: add"
	else
		fail "dkms $k: add" "exit 0" "$(tail -n 3 "$log" | oneline)"
		return
	fi
	if run_dkms build "dropmon/$VER" -k "$KREL" >>"$log" 2>&1; then
		pass "dkms $k: build against $KREL"
	else
		fail "dkms $k: build against $KREL" "exit 0" "$(tail -n 5 "$log" | oneline)"
	fi
	if run_dkms install "dropmon/$VER" -k "$KREL" >>"$log" 2>&1; then
		pass "dkms $k: install"
	else
		fail "dkms $k: install" "exit 0" "$(tail -n 5 "$log" | oneline)"
	fi
	# The file's name, from the kernel's .config; 6.12's Debian kernel
	# compresses its modules with xz, so there it is dropmon.ko.xz.
	config=$root$KBUILD/.config
	if [ -f "$config" ]; then
		want=$(dm_expected_ko "$config")
	else
		fail "dkms $k: kernel config" "$KBUILD/.config" none
		want=unknown
	fi
	if [ "$k" = 6.12 ] && [ "$want" != dropmon.ko.xz ]; then
		fail "dkms $k: modules compressed with xz" "CONFIG_MODULE_COMPRESS_XZ=y in $KBUILD/.config" \
			"$(grep '^CONFIG_MODULE_COMPRESS' "$config" 2>/dev/null | oneline)"
		want=dropmon.ko.xz
	fi
	# Wherever under /lib/modules/$KREL DKMS put it: the guest checks
	# the place (updates/dkms), this the name.
	kos=$(find "$root/lib/modules/$KREL" -name 'dropmon.ko*' 2>/dev/null | sort)
	ko=$(head -n 1 <<<"$kos")
	if [ -z "$kos" ]; then
		fail "dkms $k: installed $want" "/lib/modules/$KREL/updates/dkms/$want" none
	elif [ "$(wc -l <<<"$kos")" != 1 ]; then
		fail "dkms $k: installed $want" "one dropmon.ko* under /lib/modules/$KREL" \
			"$(sed "s|^$root||" <<<"$kos" | oneline)"
	elif [ "${ko##*/}" != "$want" ]; then
		fail "dkms $k: installed $want" "$want" "${ko#"$root"}"
	else
		pass "dkms $k: installed ${ko#"$root"}"
	fi
	# DKMS signs what it builds (dkms 3.0: prepare_signing), with the
	# key it generates in /var/lib/dkms on first use, or the one that
	# framework.conf names, before it compresses; the hash is the
	# kernel's CONFIG_MODULE_SIG_HASH.
	if [ -n "$ko" ]; then
		local mok=$root/var/lib/dkms/mok.pub serial sig hash
		hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' "$config" 2>/dev/null)
		serial=$(openssl x509 -inform DER -in "$mok" -noout -serial 2>/dev/null | sed 's/^serial=//' | tr -d ':' | tr a-f A-F)
		sig="$(/sbin/modinfo -F signer "$ko" 2>&1) $(/sbin/modinfo -F sig_hashalgo "$ko" 2>&1)"
		sig="$sig $(/sbin/modinfo -F sig_key "$ko" 2>&1 | tr -d ':' | tr a-f A-F | sed 's/^0*//')"
		check "dkms $k: modinfo shows DKMS's signature: its key (${mok#"$root"}), ${hash:-?}" \
			"DKMS module signing key ${hash:-sha256} $(sed 's/^0*//' <<<"$serial")" "$sig"
	fi
	if [ -n "$ko" ]; then
		rel=${ko#"$root/lib/modules/$KREL/"}
		out=$(DROPMON_KO=$ko DROPMON_KO_REL=$rel "$here/vm.sh" "$k" smoke single 2>&1)
		rc=$?
		echo "$out"
		if grep -q 'FAIL: ' <<<"$out"; then
			failed=1
		elif [ "$rc" != 0 ]; then
			fail "dkms $k: smoke boot" "tests/vm.sh $k smoke to exit 0" \
				"exit $rc: $(grep -v 'PASS: ' <<<"$out" | tail -n 3 | oneline)"
		elif ! grep -q "^\[$k/smoke\] PASS: " <<<"$out"; then
			fail "dkms $k: smoke boot" "PASS lines from the smoke suite" none
		fi
	fi

	run_dkms remove "dropmon/$VER" --all >>"$log" 2>&1 ||
		fail "dkms $k: remove" "exit 0" "$(tail -n 3 "$log" | oneline)"
	rm -rf "$root/usr/src/dropmon-$VER"
	# The lent modules go, and what depmod made of them.
	if [ -n "$lent" ]; then
		rm -rf "$root/lib/modules/$KREL/kernel"
		for f in "$root/lib/modules/$KREL"/*; do
			[ -e "$f" ] || continue
			grep -qxF "${f##*/}" <<<"$lent_before" || rm -rf "$f"
		done
	fi
	local left
	left=$(leftovers "$root" "$KREL")
	if [ -z "$left" ]; then
		pass "dkms $k: remove leaves nothing behind"
	else
		fail "dkms $k: remove leaves nothing behind" "no files" "$left"
	fi
}

dm_apt_install dkms openssl
for k in $kernels; do
	dkms_kernel "$k"
done
exit $failed
