# SPDX-License-Identifier: GPL-2.0
#
# Can dropmon run on the target kernel?  DROPMON_UNSUPPORTED is why not,
# in one line, or empty.  A plain build stops there with that line.
# Under DKMS (dkms.conf passes DROPMON_DKMS=1) it builds module/unsupported.c
# instead: a stub whose init refuses to load with that line in dmesg.  A
# kernel hook (dkms autoinstall from /etc/kernel/header_postinst.d) then
# exits 0, and the headers package configures, on a kernel dropmon cannot
# support (dkms 3.0.10 fails there on a build error or a BUILD_EXCLUSIVE
# skip alike).  Setting DROPMON_UNSUPPORTED on the command line builds the
# stub on any kernel (tests/lint.sh, tests/unsupported.sh).

DROPMON_UNSUPPORTED :=
# The configuration is not loaded for "make clean": check only when it is.
ifeq ($(CONFIG_MODULES),y)
ifneq ($(CONFIG_TRACEPOINTS),y)
DROPMON_UNSUPPORTED := this kernel is built without CONFIG_TRACEPOINTS; dropmon needs the kfree_skb tracepoint
else ifneq ($(CONFIG_DEBUG_FS),y)
DROPMON_UNSUPPORTED := this kernel is built without CONFIG_DEBUG_FS; dropmon publishes its stats in debugfs
else ifneq ($(CONFIG_64BIT),y)
DROPMON_UNSUPPORTED := this is a 32-bit kernel; dropmon supports 64-bit kernels only
else ifneq ($(shell [ $$(( $(VERSION) * 1000 + $(PATCHLEVEL) )) -ge 5010 ] 2>/dev/null && echo ok),ok)
DROPMON_UNSUPPORTED := kernel $(VERSION).$(PATCHLEVEL) is older than 5.10; dropmon supports 5.10 and later
endif
endif

ifneq ($(DROPMON_UNSUPPORTED),)
ifeq ($(DROPMON_DKMS),1)
# Once: since v6.12 scripts/Makefile.modpost reads this Kbuild file again.
ifeq ($(filter %/Makefile.modpost,$(MAKEFILE_LIST)),)
$(warning dropmon: $(DROPMON_UNSUPPORTED); DKMS installs a stub that refuses to load)
endif
else
$(error dropmon: $(DROPMON_UNSUPPORTED))
endif
endif
