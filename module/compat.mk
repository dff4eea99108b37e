# SPDX-License-Identifier: GPL-2.0
#
# Detect kernel API differences from the target's own headers, the way
# WireGuard's compat tree does: each test greps a header and sets one
# -DDROPMON_* flag that module/compat.h turns into code.  Nothing here
# looks at version numbers (module/support.mk has the 5.10 floor).

dropmon_fail = $(error dropmon: $(1))

dropmon_skb_h := $(srctree)/include/trace/events/skb.h
dropmon_reason_h := $(wildcard $(srctree)/include/net/dropreason.h \
			       $(srctree)/include/linux/skbuff.h)

# The TP_PROTO of TRACE_EVENT(kfree_skb ...), flattened to one line.
dropmon_tp := $(shell sed -n '/TRACE_EVENT.kfree_skb,/,/TP_ARGS/p' \
			  $(dropmon_skb_h) 2>/dev/null)

ifeq ($(dropmon_tp),)
$(call dropmon_fail,no kfree_skb tracepoint in $(dropmon_skb_h); are the kernel headers complete?)
endif

# v5.17: + enum skb_drop_reason reason
ifneq ($(findstring enum skb_drop_reason reason,$(dropmon_tp)),)
ccflags-y += -DDROPMON_TP_REASON
endif
# v6.11: + struct sock *rx_sk; later made const
ifneq ($(findstring const struct sock *rx_sk,$(dropmon_tp)),)
ccflags-y += -DDROPMON_TP_RX_SK_CONST
else ifneq ($(findstring struct sock *rx_sk,$(dropmon_tp)),)
ccflags-y += -DDROPMON_TP_RX_SK
endif

ifneq ($(wildcard $(srctree)/include/net/dropreason.h),)
ccflags-y += -DDROPMON_HAVE_DROPREASON_H
endif

# v6.4: reason names per subsystem (drop_reasons_by_subsys[])
ifneq ($(shell grep -ls 'drop_reasons_by_subsys' $(dropmon_reason_h)),)
ccflags-y += -DDROPMON_HAVE_REASON_SUBSYS
# v5.18: one flat table of reason names (drop_reasons[])
else ifneq ($(shell grep -ls 'const char \* const drop_reasons\[\]' $(dropmon_reason_h)),)
ccflags-y += -DDROPMON_HAVE_REASON_TABLE
endif

# v6.1: kmalloc_size_roundup(), what a kmalloc() of a size really takes
ifneq ($(shell grep -ls 'size_t kmalloc_size_roundup' $(srctree)/include/linux/slab.h),)
ccflags-y += -DDROPMON_HAVE_KMALLOC_SIZE_ROUNDUP
endif

# v7.0: tracepoints call probes under SRCU-fast, with preemption enabled.
# Whenever the tracepoint header does not disable preemption around the
# probes itself, the probe does.
ifeq ($(shell grep -Els 'preempt_disable_notrace|guard\(preempt_notrace\)' $(srctree)/include/linux/tracepoint.h),)
ccflags-y += -DDROPMON_TP_PREEMPTIBLE
endif

# v6.12: skb_frags_readable(), false for frags the kernel cannot read
ifneq ($(shell grep -ls 'bool skb_frags_readable' $(srctree)/include/linux/skbuff.h),)
ccflags-y += -DDROPMON_HAVE_SKB_FRAGS_READABLE
endif

# bin2hex() moved to its own header, which kernel.h no longer includes
ifneq ($(wildcard $(srctree)/include/linux/hex.h),)
ccflags-y += -DDROPMON_HAVE_HEX_H
endif
