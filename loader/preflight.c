// SPDX-License-Identifier: GPL-2.0
/*
 * Checks run before anything is loaded, each failing with a message that
 * says what to do: the capabilities a command needs (read with capget(),
 * not guessed from the uid) and whether the running kernel can register
 * BPF struct_ops of the policy's type at all (its BTF has a
 * "struct bpf_struct_ops_<type>" only if the patched kernel registered
 * that struct_ops type).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "mptcp_sched.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

struct cap_name {
	int cap;
	const char *name;
};

/*
 * load: CAP_BPF + CAP_PERFMON (struct_ops programs are "tracing" ones),
 * CAP_NET_ADMIN (it changes how MPTCP sends), CAP_SYS_ADMIN (mount bpffs,
 * map and BTF by id). Inspecting pins needs ids to fds: CAP_SYS_ADMIN.
 * Writing net.mptcp.* needs CAP_NET_ADMIN.
 */
static const struct cap_name need_load[] = {
	{ CAP_BPF, "CAP_BPF" }, { CAP_PERFMON, "CAP_PERFMON" },
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	{ -1, NULL },
};
static const struct cap_name need_manage[] = {
	{ CAP_BPF, "CAP_BPF" }, { CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	{ -1, NULL },
};
static const struct cap_name need_use[] = {
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
	{ -1, NULL },
};

static void append(char *buf, size_t len, const char *s)
{
	size_t off = strlen(buf);

	snprintf(buf + off, len - off, "%s%s", off ? ", " : "", s);
}

int caps_check(const char *cmd, int need)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	const struct cap_name *c, *set;
	char all[128] = "", missing[128] = "";
	int err;

	set = need == NEED_LOAD ? need_load :
	      need == NEED_USE ? need_use : need_manage;
	if (syscall(SYS_capget, &hdr, data)) {
		err = -errno;
		error_msg("cannot read this process's capabilities: %s",
			  strerror(-err));
		return err;
	}
	for (c = set; c->name; c++) {
		append(all, sizeof(all), c->name);
		if (!(data[c->cap / 32].effective & (1u << (c->cap % 32))))
			append(missing, sizeof(missing), c->name);
	}
	if (!missing[0])
		return 0;
	error_msg("%s needs %s; this process lacks %s: run it as root",
		  cmd, all, missing);
	return -EPERM;
}

static struct btf *vmlinux;
static int vmlinux_err;

/* The running kernel's BTF, loaded once; NULL (and errno) if absent. */
const struct btf *vmlinux_btf(void)
{
	if (!vmlinux && !vmlinux_err) {
		vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux)
			vmlinux_err = -errno;
	}
	errno = -vmlinux_err;
	return vmlinux;
}

void vmlinux_btf_free(void)
{
	btf__free(vmlinux);
	vmlinux = NULL;
	vmlinux_err = 0;
}

int kernel_check_struct_ops(const struct policy_kind *kind, const char *owner)
{
	const struct btf *btf = vmlinux_btf();
	struct utsname u = {};
	char tname[64];

	uname(&u);
	if (!btf) {
		error_msg("cannot load %s: cannot read this kernel's (%s) BTF from /sys/kernel/btf/vmlinux: %s; boot the mptcp-bpf patched kernel (built with CONFIG_DEBUG_INFO_BTF=y)",
			  owner, u.release, errstr(errno));
		return -ENOENT;
	}
	snprintf(tname, sizeof(tname), "bpf_struct_ops_%s", kind->ops_type);
	if (btf__find_by_name_kind(btf, tname, BTF_KIND_STRUCT) > 0)
		return 0;
	error_msg("cannot load %s: this kernel (%s) has no BPF struct_ops for %s; boot the mptcp-bpf patched kernel (see vmlinux/ and README.md)",
		  owner, u.release, kind->ops_type);
	return -EOPNOTSUPP;
}
