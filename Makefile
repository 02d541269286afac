# SPDX-License-Identifier: GPL-2.0
#
# mptcp-bpf: one `make` builds every BPF policy, its skeleton, the
# mptcp-sched loader and the selftest tools into $(OUTPUT). Quiet by
# default; `make V=1` shows the commands.
#
#   make setup      install the Debian packages and fetch the kernel source
#   make kernel     build (or reuse from the cache) the patched test kernel
#   make            policies, skeletons, loader, selftest tools
#   make demo       boot the VM, load a scheduler, show what each path carried
#   make test       host tests, VM selftests, the kselftest gate; ends with
#                   "N passed, N failed"
#   make kselftest  only the gate: the kernel's own MPTCP selftests in the VM;
#                   make kselftest-full: every join group (hours under TCG);
#                   make kselftest-unpatched: the reference run without our
#                   patches (selftests/kselftest/README.md)
#   make bench      BPF schedulers' goodput as a ratio to the default's
#   make vmtest CMD='...'   run one command in the VM;  make vmshell: a shell

OUTPUT ?= build
override OUTPUT := $(abspath $(OUTPUT))
MPTCP_BPF_CACHE ?= /var/cache/mptcp-bpf
export MPTCP_BPF_CACHE

# libbpf and bpftool come from the kernel source tree we boot, so the
# library, the skeleton generator and the kernel BTF agree.
TOOLS    := $(MPTCP_BPF_CACHE)/tools/current
LIBBPF_A := $(TOOLS)/libbpf/libbpf.a
LIBBPF_INC := $(TOOLS)/libbpf/include
BPFTOOL  := $(TOOLS)/bpftool/bpftool

CLANG   ?= clang-19
CC      ?= gcc
CFLAGS  ?= -O2 -g -Wall -Wextra -Werror
# -g keeps BTF (CO-RE relocations, tunables and stats need it);
# -D__TARGET_ARCH_x86 selects the pt_regs layout for bpf_tracing.h.
# -fms-extensions: the 7.x kernel embeds tagged anonymous unions/structs
# (union pipe_index;), and so does the vmlinux.h dumped from its BTF.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	      -fms-extensions -Wno-microsoft-anon-tag \
	      -Iinclude -Ivmlinux -I$(LIBBPF_INC)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(OUTPUT)/%,%,$(2))";
endif

POLICIES := $(patsubst bpf/%.bpf.c,%,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(POLICIES:%=$(OUTPUT)/bpf/%.bpf.o)
SKELS    := $(POLICIES:%=$(OUTPUT)/skel/%.skel.h)
LOADER_SRCS := $(wildcard loader/*.c)
TEST_TOOLS := $(patsubst selftests/tools/%.c,$(OUTPUT)/selftests/%,$(wildcard selftests/tools/*.c))
# Deliberately broken or foreign BPF objects the selftests load.
TEST_BPF_OBJS := $(patsubst selftests/bpf/%.bpf.c,$(OUTPUT)/selftests/bpf/%.bpf.o,$(wildcard selftests/bpf/*.bpf.c))

.DELETE_ON_ERROR:
.PHONY: all setup kernel tools demo test test-host test-vm vmtest vmshell \
	kselftest kselftest-full kselftest-unpatched \
	vmlinux-h check-vmlinux-h bench clean

all: $(BPF_OBJS) $(SKELS) $(OUTPUT)/mptcp-sched $(TEST_TOOLS) $(TEST_BPF_OBJS)

setup:
	$(Q)scripts/install-deps.sh
	$(Q)scripts/fetch-kernel-source.sh >/dev/null

$(LIBBPF_A) $(BPFTOOL) $(LIBBPF_INC)/linux/bpf.h:
	$(Q)scripts/build-bpf-tools.sh >/dev/null

tools: $(LIBBPF_A) $(BPFTOOL)

kernel:
	$(Q)vmlinux/build-kernel.sh >/dev/null

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c include/*.h vmlinux/vmlinux.h | $(LIBBPF_A)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/selftests/bpf/%.bpf.o: selftests/bpf/%.bpf.c include/*.h vmlinux/vmlinux.h | $(LIBBPF_A)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/skel/%.skel.h: $(OUTPUT)/bpf/%.bpf.o | $(BPFTOOL)
	$(call msg,GEN-SKEL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name $* >$@

# The loader embeds every policy in bpf/ (by skeleton); this X-macro list
# tells it which ones exist.
$(OUTPUT)/skel/builtin_policies.h: $(SKELS)
	$(call msg,GEN,$@)
	$(Q){ $(foreach p,$(POLICIES),echo '#include "$(p).skel.h"';) \
	      echo '#define MPTCP_BUILTIN_POLICIES(X) \'; \
	      $(foreach p,$(POLICIES),echo '	X($(p)) \';) echo; } >$@

# The loader needs the uapi linux/bpf.h of the tree libbpf comes from
# (BPF_F_LINK, bpf_link_info.struct_ops): Debian 12's /usr/include one is
# too old; build-bpf-tools.sh installs it next to libbpf's headers.
# -std=gnu11: C11 plus the POSIX/Linux calls (sigaction, capget, mount).
$(OUTPUT)/mptcp-sched: $(LOADER_SRCS) loader/*.h $(OUTPUT)/skel/builtin_policies.h $(LIBBPF_A) \
		       $(LIBBPF_INC)/linux/bpf.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -std=gnu11 -Iinclude -Iloader -I$(OUTPUT)/skel \
		-I$(LIBBPF_INC) $(LOADER_SRCS) $(LIBBPF_A) \
		-lelf -lz -o $@

$(OUTPUT)/selftests/%: selftests/tools/%.c selftests/tools/*.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Iinclude -Iselftests/tools $< -o $@

demo: setup kernel all
	$(Q)selftests/vmtest.sh selftests/demo.sh

test: setup kernel all
	$(Q)selftests/run-tests.sh

# Goodput of each BPF scheduler as a ratio to the in-kernel default.
bench: setup kernel all
	$(Q)selftests/vmtest.sh selftests/bench.sh

kselftest: setup kernel all
	$(Q)selftests/run-tests.sh kselftest

# Every mptcp_join.sh group: hours under TCG, hence its own VM timeout.
kselftest-full: setup kernel all
	$(Q)KSELFTEST_JOIN=all VMTEST_TIMEOUT=$${VMTEST_TIMEOUT:-18000} selftests/run-tests.sh kselftest

# The same gate (no BPF minRTT run: no hooks there) on the kernel without
# our series, same config: the reference a regression is judged against.
KSELFTEST_SCRIPTS_REF := mptcp_connect.sh pm_netlink.sh diag.sh \
	mptcp_sockopt.sh userspace_pm.sh simult_flows.sh
kselftest-unpatched: setup all
	$(Q)image=$$(vmlinux/build-kernel.sh --unpatched) && \
	KSELFTEST_SCRIPTS="$(KSELFTEST_SCRIPTS_REF)" VMTEST_KERNEL=$$image/bzImage \
		selftests/run-tests.sh kselftest

vmtest: kernel all
	$(Q)selftests/vmtest.sh $(CMD)

vmshell: kernel all
	$(Q)selftests/vmtest.sh --shell

# Regenerate vmlinux/vmlinux.h from the patched kernel's BTF (commit it).
vmlinux-h: kernel $(BPFTOOL)
	$(Q)vmlinux/gen-vmlinux-h.sh

check-vmlinux-h: kernel $(BPFTOOL)
	$(Q)vmlinux/gen-vmlinux-h.sh --check

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)
