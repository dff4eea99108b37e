#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Signed modules, enforced, one PASS/FAIL line per check:
#
#   tests/sig.sh sig     the sig kernel of tests/debug-kernel.sh, which
#                        trusts its test key (CONFIG_SYSTEM_TRUSTED_KEYS)
#   tests/sig.sh 6.1     a stock Debian kernel, which trusts Debian's only
#
# On this machine: `make sign KEY= CERT=` on a copy of the tree signs
# dropmon.ko with the kernel's own sign-file (modinfo shows the signer and
# sha256), leaves a signed module as it is, and says what it needs when
# KEY or CERT is missing.  Then the guest boots with module.sig_enforce=1
# and runs the "sig" suite of tests/guest/suite.sh: unsigned, signed with
# another key, and corrupted signatures are refused and dmesg says why;
# on the sig kernel the module signed with the trusted key loads, counts
# exactly and sets no E taint; on the stock kernel it is refused too.
# The sig kernel boots a second time unenforced: the signed module loads
# without E taint, the other key's with it.
# The keys are the sig kernel's (made with it, in its cache dir); the
# stock kernel's run makes a throwaway pair of its own.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

k=${1:?usage: tests/sig.sh sig|6.1}
dm_apt_install openssl
dm_kernel_prepare "$k" >/dev/null
W=$DROPMON_TOP/build/sig-$KREL
rm -rf "$W" && mkdir -p "$W/tree" "$W/modules"

if [ "$k" = sig ]; then
	keys=$KROOT/keys
	mode=trusted
else
	keys=$W/keys
	mode=untrusted
	mkdir -p "$keys"
	for n in trusted other; do
		openssl req -new -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
			-subj "/CN=dropmon test key $n/" -keyout "$keys/$n.key" \
			-outform DER -out "$keys/$n.x509" >/dev/null 2>&1 ||
			dm_die "openssl could not make a test key in $keys"
	done
fi
for f in trusted.key trusted.x509 other.key other.x509; do
	[ -s "$keys/$f" ] || dm_die "no test key $keys/$f; remove $KROOT to build the sig kernel again"
done

# --- make sign, on this machine ---------------------------------------------

dm_copy_checkout "$W/tree" || dm_die "cannot copy the checkout to $W/tree"
sign() { make -s -C "$W/tree" KDIR="$KBUILD" sign "$@" 2>&1; }
out=$(make -s -C "$W/tree" KDIR="$KBUILD" modules 2>&1) ||
	dm_die "dropmon does not build against $KREL: $(tail -n 3 <<<"$out" | oneline)"
cp "$W/tree/dropmon.ko" "$W/modules/unsigned.ko"

out=$(sign KEY="$keys/trusted.key")
rc=$?
check "make sign without CERT: fails, says what it needs" "2 1" \
	"$rc $(grep -c '^make sign needs KEY=<private key, PEM> and CERT=<its X.509 certificate' <<<"$out")"
out=$(sign KEY="$keys/trusted.key" CERT="$keys/trusted.x509")
check "make sign: exit 0, one line" "0 signed dropmon.ko with $keys/trusted.x509 (sha256)" \
	"$? $(grep -v '^Skipping BTF' <<<"$out")"
ko=$W/tree/dropmon.ko
saw=$(/sbin/modinfo -F signer "$ko") && saw="$saw $(/sbin/modinfo -F sig_hashalgo "$ko")"
check "make sign: modinfo shows the signer and sha256" "dropmon test key trusted sha256" "$saw"
check "make sign: the signature's magic ends the file" "~Module signature appended~" "$(tail -c 28 "$ko")"
before=$(sha256sum <"$ko")
out=$(sign KEY="$keys/other.key" CERT="$keys/other.x509")
check "make sign again: a signed module is left as it is" \
	"0 dropmon.ko is signed already: left as it is (make clean, then make sign, to sign it anew) $before" \
	"$? $(grep -v '^Skipping BTF' <<<"$out") $(sha256sum <"$ko")"
cp "$ko" "$W/modules/signed.ko"
# Signed with the other key: the unsigned build signed directly.
cp "$W/modules/unsigned.ko" "$W/modules/other.ko"
"$KBUILD/scripts/sign-file" sha256 "$keys/other.key" "$keys/other.x509" "$W/modules/other.ko" ||
	fail "sign-file with the other key" "exit 0" "exit $?"
check "the other key's signer" "dropmon test key other" "$(/sbin/modinfo -F signer "$W/modules/other.ko")"
# One byte of the signature itself flipped: the signature is the end of
# the PKCS#7 blob, which the 12-byte module_signature and the 28-byte
# magic follow.
cp "$W/modules/signed.ko" "$W/modules/corrupt.ko"
size=$(stat -c %s "$W/modules/corrupt.ko")
off=$((size - 28 - 12 - 16))
byte=$(od -An -tu1 -j "$off" -N1 "$W/modules/corrupt.ko" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
	dd of="$W/modules/corrupt.ko" bs=1 seek="$off" conv=notrunc status=none
check "corrupt.ko differs from signed.ko in one byte, of the signature" "1 $((off + 1))" \
	"$(cmp -l "$W/modules/signed.ko" "$W/modules/corrupt.ko" | wc -l) $(cmp "$W/modules/signed.ko" "$W/modules/corrupt.ko" | sed -n 's/.* byte \([0-9]*\),.*/\1/p')"

# --- the guest -----------------------------------------------------------------

cat >"$W/extra.sh" <<EXTRA
# Written by tests/sig.sh: the signed variants, next to vm.sh's unsigned build.
mkdir -p "\$R/lib/modules/sig"
cp "$W/modules/signed.ko" "$W/modules/other.ko" "$W/modules/corrupt.ko" "\$R/lib/modules/sig/"
EXTRA
boot() {	# KERNEL-COMMAND-LINE
	DROPMON_VM_EXTRA=$W/extra.sh DROPMON_VM_APPEND=$1 "$here/vm.sh" "$k" sig single
	rc=$?
	[ "$rc" = 0 ] || fail "$k sig suite ($1)" "tests/vm.sh $k sig to exit 0" "exit $rc"
}
boot "module.sig_enforce=1 dmsig=$mode"
# The sig kernel unenforced: what it does with a key it cannot verify.
[ "$k" = sig ] && boot "dmsig=permissive"

# Debian's kernels take MOK keys for modules (what the README tells a
# Secure Boot host to enroll with mokutil).
if [ "$k" = 6.1 ]; then
	for m in 6.1 6.12; do
		dm_kernel_prepare "$m" >/dev/null
		check "sig: Debian's $m trusts MOK keys for modules: CONFIG_INTEGRITY_MACHINE_KEYRING=y" 1 \
			"$(grep -cx 'CONFIG_INTEGRITY_MACHINE_KEYRING=y' "$KBUILD/.config")"
	done
fi
exit $failed
