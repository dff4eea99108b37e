#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dropmon-tools through install, upgrade and removal, as a fleet host runs
# them, one PASS/FAIL line per check, in tests/fresh.sh's pristine root.
# CI has no systemd: the root has /run/systemd/system and a systemctl
# that records each call and keeps the unit's state (enabled: the wants
# link; active: a marker), so that the maintainer scripts, which
# deb-systemd-helper and deb-systemd-invoke drive, run their systemd path.
#   - a fresh install neither enables nor starts the exporter; the unit is
#     where dh_installsystemd puts it, after systemd-modules-load; the two
#     conffiles are there, all comments;
#   - 0.1.0 installed, enabled, running: the upgrade to this version
#     leaves it running (restarted), and its .prom;
#   - remove stops it and deletes the .prom; purge leaves no file;
#   - the unit's ExecStopPost deletes the .prom once the binary is gone,
#     and only then.
#
#   tests/pkg-lifecycle.sh [OLD.deb NEW.deb]
# Without arguments it builds both: 0.1.0 from git (tag v0.1.0, else the
# commit below) and this checkout.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

dm_own_mount_ns "$@"
T=$(mktemp -d /var/tmp/dropmon-lifecycle.XXXXXX) || dm_die "mktemp in /var/tmp failed"
root=$T/root
cleanup() { [ -z "$(dm_root_umount "$root")" ] && rm -rf --one-file-system "$T"; }
trap cleanup EXIT
arch=$(dpkg --print-architecture)

# dropmon-tools built from the tree in $1 (no tests: make check has them).
build_tools() {	# TREE
	(cd "$1" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc) >"$1.log" 2>&1 ||
		{ tail -n 20 "$1.log" >&2; dm_die "dpkg-buildpackage in $1 failed"; }
	ls "$(dirname "$1")"/dropmon-tools_*_"$arch".deb
}
if [ $# = 2 ]; then
	old=$1 new=$2
else
	dm_apt_install dpkg-dev debhelper dh-dkms git
	# The last commit of 0.1.0, before the fleet packaging.
	rev=$(git -C "$DROPMON_TOP" rev-parse -q --verify v0.1.0^{commit} 2>/dev/null ||
		git -C "$DROPMON_TOP" rev-parse -q --verify db17fe4^{commit} 2>/dev/null) ||
		dm_die "no 0.1.0 in this checkout's history (tag v0.1.0 or commit db17fe4): a clone with its history is needed"
	mkdir -p "$T/old/src" "$T/new/src"
	git -C "$DROPMON_TOP" archive "$rev" | tar -x -C "$T/old/src"
	dm_copy_checkout "$T/new/src" || dm_die "cannot copy the checkout"
	old=$(build_tools "$T/old/src")
	new=$(build_tools "$T/new/src")
fi
oldv=$(dpkg-deb -f "$old" Version)
newv=$(dpkg-deb -f "$new" Version)
dm_log "lifecycle: dropmon-tools $oldv -> $newv"

dm_pristine_root "$root"
in_root() { dm_in_root "$root" "$1"; }
apt_root() { in_root "apt-get -o DPkg::Lock::Timeout=600 -q -y --no-install-recommends $1" >>"$T/apt.log" 2>&1; }
apt_root update && apt_root "install init-system-helpers" ||
	dm_die "apt-get in the root failed; see $T/apt.log"
mkdir -p "$root/tmp/debs" "$root/run/systemd/system" "$root/var/lib/prometheus/node-exporter"
cp "$old" "$root/tmp/debs/old.deb" && cp "$new" "$root/tmp/debs/new.deb"
chmod -R a+rX "$root/tmp/debs"
cat >"$root/usr/bin/systemctl" <<'FAKE'
#!/bin/sh
# tests/pkg-lifecycle.sh: a systemctl that records and keeps state.
echo "systemctl $*" >>/var/log/systemctl.calls
want=/etc/systemd/system/multi-user.target.wants/dropmon-show.service
for a; do
	case "$a" in
	--*) ;;
	is-enabled) if [ -L $want ]; then echo enabled; exit 0; fi; echo disabled; exit 1 ;;
	is-active) if [ -e /run/dropmon-show.active ]; then echo active; exit 0; fi; echo inactive; exit 3 ;;
	enable) mkdir -p "${want%/*}"; ln -sf /lib/systemd/system/dropmon-show.service $want; exit 0 ;;
	start | restart | try-restart) touch /run/dropmon-show.active; exit 0 ;;
	stop) rm -f /run/dropmon-show.active; exit 0 ;;
	*) exit 0 ;;
	esac
done
exit 0
FAKE
chmod 0755 "$root/usr/bin/systemctl"
calls() { cat "$root/var/log/systemctl.calls" 2>/dev/null; : >"$root/var/log/systemctl.calls"; }
active() { [ -e "$root/run/dropmon-show.active" ] && echo active || echo inactive; }
prom=/var/lib/prometheus/node-exporter/dropmon.prom
unit=/lib/systemd/system/dropmon-show.service

# --- a fresh install --------------------------------------------------------
apt_root "install /tmp/debs/new.deb"
check "lifecycle: apt install dropmon-tools $newv" 0 "$?"
c=$(calls)
check "lifecycle: a fresh install neither enables nor starts the exporter" "inactive disabled" \
	"$(active) $(in_root 'systemctl is-enabled dropmon-show.service')"
check "lifecycle: ... and no start or restart was asked for" "" "$(grep -E ' (start|restart) ' <<<"$c" | oneline)"
check "lifecycle: the unit is at $unit, after systemd-modules-load, with ExecStopPost" "2" \
	"$(grep -cE '^After=.*systemd-modules-load\.service|^ExecStopPost=' "$root$unit" 2>/dev/null)"
cf=$(in_root "dpkg-query -W -f='\${Conffiles}' dropmon-tools" | awk '{ print $1 }' | LC_ALL=C sort | oneline)
check "lifecycle: the conffiles" "/etc/modprobe.d/dropmon.conf /etc/modules-load.d/dropmon.conf" "$cf"
check "lifecycle: both conffiles are comments only" "" \
	"$(grep -hvE '^[[:space:]]*(#|$)' "$root/etc/modprobe.d/dropmon.conf" "$root/etc/modules-load.d/dropmon.conf" 2>&1 | oneline)"
apt_root "purge dropmon-tools"
check "lifecycle: purge after the fresh install" 0 "$?"

# --- the upgrade of an enabled, running exporter -----------------------------
apt_root "install /tmp/debs/old.deb"
check "lifecycle: apt install dropmon-tools $oldv" 0 "$?"
in_root "systemctl enable dropmon-show.service && systemctl start dropmon-show.service"
printf 'dropmon_up 1\n' >"$root$prom"
calls >/dev/null
apt_root "install /tmp/debs/new.deb"
check "lifecycle: upgrade $oldv -> $newv" "0 $newv" "$? $(in_root "dpkg-query -W -f='\${Version}' dropmon-tools")"
c=$(calls)
check "lifecycle: the upgrade leaves the enabled exporter running (restarted)" "active yes" \
	"$(active) $(grep -qE ' (restart|try-restart|start) .*dropmon-show\.service' <<<"$c" && echo yes)"
check "lifecycle: the upgrade keeps the .prom" "dropmon_up 1" "$(cat "$root$prom" 2>&1)"

# --- removal and purge ---------------------------------------------------------
apt_root "remove dropmon-tools"
check "lifecycle: apt remove" 0 "$?"
c=$(calls)
check "lifecycle: remove stops the exporter" "inactive yes" \
	"$(active) $(grep -qE ' stop .*dropmon-show\.service' <<<"$c" && echo yes)"
check "lifecycle: remove deletes the .prom (postrm)" "" "$(ls "$root$prom" 2>/dev/null)"
apt_root "purge dropmon-tools"
check "lifecycle: purge leaves none of its files" "" \
	"$(ls -d "$root/usr/sbin/dropmon-show" "$root$unit" "$root/etc/modprobe.d/dropmon.conf" \
		"$root/etc/modules-load.d/dropmon.conf" "$root/usr/share/doc/dropmon-tools" 2>/dev/null | oneline)"

# --- ExecStopPost, run as systemd would -----------------------------------------
esp=$(sed -n 's/^ExecStopPost=-//p' "$DROPMON_TOP/tools/dropmon-show.service")
mkdir -p "$root/usr/sbin"
printf 'dropmon_up 1\n' >"$root$prom"
printf '#!/bin/sh\n' >"$root/usr/sbin/dropmon-show" && chmod 0755 "$root/usr/sbin/dropmon-show"
in_root "$esp"
check "lifecycle: ExecStopPost keeps the .prom while the binary is there" "dropmon_up 1" "$(cat "$root$prom" 2>&1)"
rm -f "$root/usr/sbin/dropmon-show"
in_root "$esp"
check "lifecycle: ExecStopPost deletes the .prom once the binary is gone" "" "$(ls "$root$prom" 2>/dev/null)"
exit $failed
