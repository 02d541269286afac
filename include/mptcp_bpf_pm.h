/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mptcp_bpf_pm.h - helpers for path-manager policies (mptcp_pm_ops).
 *
 * Events arrive as callbacks in process context with the MPTCP socket
 * owned; a policy acts through the bpf_mptcp_pm_*() kfuncs, which the
 * kernel checks (and bounds by `ip mptcp limits`). Addresses are
 * struct mptcp_addr_info: family, port (network order), id, addr/addr6.
 */
#ifndef __MPTCP_BPF_PM_H__
#define __MPTCP_BPF_PM_H__

#include "mptcp_bpf.h"

#define AF_INET		2
#define AF_INET6	10

/* ip mptcp endpoint flags (uapi MPTCP_PM_ADDR_FLAG_*) */
#define MPTCP_PM_ADDR_FLAG_SIGNAL	(1 << 0)
#define MPTCP_PM_ADDR_FLAG_SUBFLOW	(1 << 1)
#define MPTCP_PM_ADDR_FLAG_BACKUP	(1 << 2)
#define MPTCP_PM_ADDR_FLAG_FULLMESH	(1 << 3)

/* Most endpoints / peer addresses a policy looks at. */
#define MPTCP_PM_MAX_ENDPOINTS		8
#define MPTCP_PM_MAX_REMOTES		9

/* Same address (and, with @port, same port)? */
static __always_inline bool mptcp_addr_equal(const struct mptcp_addr_info *a,
					     const struct mptcp_addr_info *b,
					     bool port)
{
	if (a->family != b->family || (port && a->port != b->port))
		return false;
	if (a->family == AF_INET)
		return a->addr.s_addr == b->addr.s_addr;
	return a->addr6.in6_u.u6_addr32[0] == b->addr6.in6_u.u6_addr32[0] &&
	       a->addr6.in6_u.u6_addr32[1] == b->addr6.in6_u.u6_addr32[1] &&
	       a->addr6.in6_u.u6_addr32[2] == b->addr6.in6_u.u6_addr32[2] &&
	       a->addr6.in6_u.u6_addr32[3] == b->addr6.in6_u.u6_addr32[3];
}

/*
 * The endpoint (`ip mptcp endpoint`) that has address @addr: its position,
 * with its interface in *ifindex (0: no `dev`); -1 if none has it.
 */
static __always_inline int mptcp_pm_endpoint_of(struct mptcp_sock *msk,
						const struct mptcp_addr_info *addr,
						int *ifindex)
{
	int found = -1;
	__u32 i;

	bpf_for(i, 0, MPTCP_PM_MAX_ENDPOINTS) {
		struct mptcp_addr_info ep = {};
		__u32 flags = 0;
		int dev = 0;

		if (bpf_mptcp_pm_endpoint_get(msk, i, &ep, &flags, &dev))
			break;
		if (mptcp_addr_equal(&ep, addr, false)) {
			*ifindex = dev;
			found = i;
			break;
		}
	}
	return found;
}

/*
 * Is there a subflow, in any state, from @local (to @remote, unless NULL)?
 * Subflows a callback requested are not there yet: they are opened when
 * it returns.
 */
static __always_inline bool mptcp_pm_has_subflow(struct mptcp_sock *msk,
						 const struct mptcp_addr_info *local,
						 const struct mptcp_addr_info *remote)
{
	struct mptcp_subflow_context *subflow;
	bool found = false;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		struct mptcp_addr_info l = {}, r = {};

		bpf_mptcp_subflow_addrs(subflow, &l, &r);
		if (mptcp_addr_equal(&l, local, false) &&
		    (!remote || mptcp_addr_equal(&r, remote, false))) {
			found = true;
			break;
		}
	}
	return found;
}

#endif /* __MPTCP_BPF_PM_H__ */
