# SPDX-License-Identifier: GPL-2.0
#
#   make                 dropmon.ko for the running kernel (KDIR=... for another)
#   make tools           tools/dropmon-show
#   make install         modules_install + depmod, dropmon-show to /usr/local/sbin
#   make demo            boot a VM with dropmon loaded and show it at work
#   make check           the whole test suite (the command CI runs)
#   make lint            W=1, sparse and checkpatch on every kernel of the matrix
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all modules tools clean install lint demo check

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

install: modules tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KREL)
	install -D -m 0755 tools/dropmon-show $(DESTDIR)$(PREFIX)/sbin/dropmon-show

lint:
	tests/lint.sh

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
