// SPDX-License-Identifier: GPL-2.0
/*
 * ndiffports: N subflows over the same pair of addresses.
 *
 * Once the connection is established, it opens subflows from the
 * connection's own local address to the peer's address, each with a new
 * source port, until there are `subflows` of them (the initial one
 * included); one that closes is replaced after retry_ms.
 *
 * When it helps: a single path with ECMP load balancing in the network
 * (datacenters, multi-link bonds): different ports hash onto different
 * links, so one connection uses several of them. Also beats per-flow
 * fairness at a shared bottleneck (which is its weakness, too).
 * Weaknesses: no new paths on the host itself; with no ECMP it only adds
 * overhead. Tunables: subflows, retry_ms.
 */
#include "mptcp_bpf_pm.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 subflows
	MPTCP_TUNABLE(1, 9, "subflows per connection, the initial one included") = 2;
const volatile __u32 retry_ms
	MPTCP_TUNABLE(100, 600000, "delay before replacing a closed subflow, ms") = 1000;

struct ndiffports_stats {
	__u64 created;
	__u64 create_failed;
	__u64 closed;
};
MPTCP_STATS(struct ndiffports_stats);

/* Subflows from the initial address pair still open or opening; at most
 * `subflows` are counted (a bounded count keeps the verifier's work small).
 */
static __u32 ndiffports_count(struct mptcp_sock *msk, const struct mptcp_addr_info *local,
			      const struct mptcp_addr_info *remote)
{
	struct mptcp_subflow_context *subflow;
	__u32 n = 0;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		struct mptcp_addr_info l = {}, r = {};

		bpf_mptcp_subflow_addrs(subflow, &l, &r);
		if (mptcp_addr_equal(&l, local, false) &&
		    mptcp_addr_equal(&r, remote, false) && n < subflows)
			n++;
	}
	return n;
}

static void ndiffports_fill(struct mptcp_sock *msk)
{
	struct mptcp_addr_info local = {}, remote = {};
	struct mptcp_subflow_context *subflow;
	__u32 have, i;

	/* the initial address pair: that of the first subflow in the list */
	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		bpf_mptcp_subflow_addrs(subflow, &local, &remote);
		break;
	}
	if (!local.family)
		return;
	local.port = 0;		/* a new source port for each */

	have = ndiffports_count(msk, &local, &remote);
	bpf_for(i, have, subflows) {
		if (bpf_mptcp_pm_subflow_create(msk, &local, &remote, 0, false)) {
			MPTCP_STAT_INC(create_failed);
			bpf_mptcp_pm_timer_arm(msk, retry_ms);
			break;
		}
		MPTCP_STAT_INC(created);
	}
}

SEC("struct_ops")
void BPF_PROG(ndiffports_established, struct mptcp_sock *msk)
{
	ndiffports_fill(msk);
}

SEC("struct_ops")
void BPF_PROG(ndiffports_subflow_closed, struct mptcp_sock *msk,
	      const struct mptcp_addr_info *local,
	      const struct mptcp_addr_info *remote, int reason)
{
	MPTCP_STAT_INC(closed);
	bpf_mptcp_pm_timer_arm(msk, retry_ms);
}

SEC("struct_ops")
void BPF_PROG(ndiffports_timeout, struct mptcp_sock *msk)
{
	ndiffports_fill(msk);
}

SEC(".struct_ops.link")
struct mptcp_pm_ops ndiffports = {
	.established		= (void *)ndiffports_established,
	.subflow_closed		= (void *)ndiffports_subflow_closed,
	.timeout		= (void *)ndiffports_timeout,
	.name			= "bpf_ndiffports",
};
