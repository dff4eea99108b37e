# SPDX-License-Identifier: GPL-2.0
#
#   make                 dropmon.ko for the running kernel (KDIR=... for another)
#   make tools           tools/dropmon-show
#   make install         modules_install + depmod; dropmon-show, its man page and service,
#                        the Prometheus rules (PREFIX/share/dropmon/prometheus); with
#                        DESTDIR=..., all of it under DESTDIR (modules, depmod -b too)
#   make dkms-source     the source DKMS builds from, in DESTDIR/usr/src/dropmon-<version>
#   make sign KEY=... CERT=...
#                        sign dropmon.ko (sha256) with the kernel's own scripts/sign-file,
#                        before any compression; a signed dropmon.ko is left as it is
#   make demo            boot a VM with dropmon loaded and show it at work
#   make check           the whole test suite (the command CI runs)
#   make lint            W=1, sparse and checkpatch on every kernel of the matrix
#   make bench           dropmon against its peers in a VM (BENCH_KERNEL=6.1 BENCH_ROUNDS=11)
#   make bench-worker    the worker with every CPU's table full (BENCH_KERNEL=6.1
#                        BENCH_SETTINGS="1024 65536", max_keys at interval_ms=100)
#   make dkms-install    register with DKMS, build and install for the running
#                        kernel (KREL=... or KDIR=... for another)
#   make dkms-uninstall  dkms remove --all, remove /usr/src/dropmon-<version>
#   make deb-modules KREL=...
#                        build/debs/dropmon-modules-KREL_<version>-<rev>_<arch>.deb, for a
#                        host with no compiler (signed with KEY=... CERT=...); debian/modules-deb.sh
#   make release         build/release/: source package, every .deb for every kernel of the
#                        matrix, the metapackage, MANIFEST, SHA256SUMS (debian/release.sh)
#   make clean

# KREL=... on the command line picks the kernel, else the running one.
KDIR ?= /lib/modules/$(if $(filter command line,$(origin KREL)),$(KREL),$(shell uname -r))/build
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
PREFIX ?= /usr/local
DESTDIR ?=
# The one version: DROPMON_VERSION in module/dropmon.h.  dkms.conf says
# #MODULE_VERSION#, which dkms-source (and dh_dkms -V) fill in.
VERSION := $(shell sed -n 's/.*define DROPMON_VERSION[[:space:]]*"\(.*\)"/\1/p' module/dropmon.h)
ifeq ($(VERSION),)
$(error no DROPMON_VERSION in module/dropmon.h)
endif

.PHONY: all modules tools clean install lint demo check bench bench-worker dkms-source sign \
	deb-modules release \
	dkms-install dkms-uninstall

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

# The kernel's sign-file: Debian's headers link scripts/ to linux-kbuild's.
SIGN_FILE = $(KDIR)/scripts/sign-file
SIG_MAGIC = ~Module signature appended~

sign: modules
	@test -n "$(KEY)" && test -n "$(CERT)" || { echo "make sign needs KEY=<private key, PEM> and CERT=<its X.509 certificate, DER or PEM>; a new pair: openssl req -new -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=dropmon/ -keyout dropmon.key -outform DER -out dropmon.x509" >&2; exit 1; }
	@test -r "$(KEY)" && test -r "$(CERT)" || { echo "make sign: cannot read KEY=$(KEY) or CERT=$(CERT); check the paths" >&2; exit 1; }
	@test -x $(SIGN_FILE) || { echo "make sign: no $(SIGN_FILE); install the kernel's headers (linux-headers-$(KREL)) or set KDIR" >&2; exit 1; }
	@if [ "$$(tail -c 28 dropmon.ko)" = "$(SIG_MAGIC)" ]; then \
		echo "dropmon.ko is signed already: left as it is (make clean, then make sign, to sign it anew)"; \
	else \
		$(SIGN_FILE) sha256 $(KEY) $(CERT) dropmon.ko && echo "signed dropmon.ko with $(CERT) (sha256)"; \
	fi

install: modules tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KREL)
	install -D -m 0755 tools/dropmon-show $(DESTDIR)$(PREFIX)/sbin/dropmon-show
	install -D -m 0644 tools/dropmon-show.8 $(DESTDIR)$(PREFIX)/share/man/man8/dropmon-show.8
	install -D -m 0644 tools/prometheus/dropmon-rules.yml \
		$(DESTDIR)$(PREFIX)/share/dropmon/prometheus/dropmon-rules.yml
	install -d $(DESTDIR)/etc/systemd/system
	sed 's|/usr/sbin/dropmon-show|$(PREFIX)/sbin/dropmon-show|' tools/dropmon-show.service \
		>$(DESTDIR)/etc/systemd/system/dropmon-show.service

DKMS_SRC = /usr/src/dropmon-$(VERSION)
DKMS_KREL = $(or $(KREL),$(shell uname -r))
# What dropmon-dkms ships, and all DKMS builds from: the one list.
DKMS_FILES = Kbuild Makefile
DKMS_MODULE_FILES = $(wildcard module/*.c module/*.h module/*.mk)

dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	install -d $(DESTDIR)$(DKMS_SRC)/module
	install -m 0644 $(DKMS_FILES) $(DESTDIR)$(DKMS_SRC)/
	install -m 0644 $(DKMS_MODULE_FILES) $(DESTDIR)$(DKMS_SRC)/module/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DESTDIR)$(DKMS_SRC)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMS_SRC)/dkms.conf

dkms-install:
	@! dpkg-query -W -f='$${Status}' dropmon-dkms 2>/dev/null | grep -q 'ok installed' || \
		{ echo "the dropmon-dkms package is installed; remove it first" >&2; exit 1; }
	if [ -n "$$(dkms status -m dropmon -v $(VERSION))" ]; then \
		dkms remove dropmon/$(VERSION) --all; fi
	$(MAKE) dkms-source DESTDIR=
	dkms add dropmon/$(VERSION)
	dkms build dropmon/$(VERSION) -k $(DKMS_KREL)
	dkms install dropmon/$(VERSION) -k $(DKMS_KREL)

dkms-uninstall:
	if [ -n "$$(dkms status -m dropmon -v $(VERSION))" ]; then \
		dkms remove dropmon/$(VERSION) --all; fi
	rm -rf $(DKMS_SRC)

deb-modules:
	KDIR=$(KDIR) debian/modules-deb.sh $(KREL)

release:
	debian/release.sh

lint:
	tests/lint.sh

bench:
	tests/bench.sh $(or $(BENCH_KERNEL),6.1) $(BENCH_ROUNDS)

bench-worker:
	tests/bench-worker.sh $(or $(BENCH_KERNEL),6.1) "$(or $(BENCH_SETTINGS),1024 65536)"

demo:
	tests/demo.sh

check:
	tests/run

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tools clean
	$(MAKE) -C tests/helpers clean
	rm -rf build
	rm -f *.ko *.mod *.mod.c *.o .*.cmd Module.symvers modules.order \
		module/*.o module/.*.cmd
