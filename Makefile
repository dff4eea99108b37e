# SPDX-License-Identifier: GPL-2.0
#
#   make                 dropmon.ko for the running kernel (KDIR=... for another)
#   make tools           tools/dropmon-show
#   make install         modules_install + depmod; dropmon-show, its man page and service,
#                        the Prometheus rules (PREFIX/share/dropmon/prometheus)
#   make demo            boot a VM with dropmon loaded and show it at work
#   make check           the whole test suite (the command CI runs)
#   make lint            W=1, sparse and checkpatch on every kernel of the matrix
#   make bench           dropmon against its peers in a VM (BENCH_KERNEL=6.1 BENCH_ROUNDS=11)
#   make bench-worker    the worker with every CPU's table full (BENCH_KERNEL=6.1
#                        BENCH_SETTINGS="1024 65536", max_keys at interval_ms=100)
#   make dkms-install    register with DKMS, build and install for the running
#                        kernel (KREL=... or KDIR=... for another)
#   make dkms-uninstall  dkms remove --all, remove /usr/src/dropmon-<version>
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all modules tools clean install lint demo check bench bench-worker dkms-install dkms-uninstall

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

install: modules tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KREL)
	install -D -m 0755 tools/dropmon-show $(DESTDIR)$(PREFIX)/sbin/dropmon-show
	install -D -m 0644 tools/dropmon-show.8 $(DESTDIR)$(PREFIX)/share/man/man8/dropmon-show.8
	install -D -m 0644 tools/prometheus/dropmon-rules.yml \
		$(DESTDIR)$(PREFIX)/share/dropmon/prometheus/dropmon-rules.yml
	install -d $(DESTDIR)/etc/systemd/system
	sed 's|/usr/sbin/dropmon-show|$(PREFIX)/sbin/dropmon-show|' tools/dropmon-show.service \
		>$(DESTDIR)/etc/systemd/system/dropmon-show.service

# The version comes from dkms.conf, which must agree with module/dropmon.h.
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC = /usr/src/dropmon-$(DKMS_VERSION)
DKMS_KREL = $(or $(KREL),$(shell uname -r))

dkms-install:
	@test -n "$(DKMS_VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	@! dpkg-query -W -f='$${Status}' dropmon-dkms 2>/dev/null | grep -q 'ok installed' || \
		{ echo "the dropmon-dkms package is installed; remove it first" >&2; exit 1; }
	if [ -n "$$(dkms status -m dropmon -v $(DKMS_VERSION))" ]; then \
		dkms remove dropmon/$(DKMS_VERSION) --all; fi
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/module
	install -m 0644 Kbuild Makefile dkms.conf $(DKMS_SRC)/
	install -m 0644 module/*.c module/*.h module/*.mk $(DKMS_SRC)/module/
	dkms add dropmon/$(DKMS_VERSION)
	dkms build dropmon/$(DKMS_VERSION) -k $(DKMS_KREL)
	dkms install dropmon/$(DKMS_VERSION) -k $(DKMS_KREL)

dkms-uninstall:
	@test -n "$(DKMS_VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	if [ -n "$$(dkms status -m dropmon -v $(DKMS_VERSION))" ]; then \
		dkms remove dropmon/$(DKMS_VERSION) --all; fi
	rm -rf $(DKMS_SRC)

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
