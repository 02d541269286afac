// SPDX-License-Identifier: GPL-2.0
/*
 * one_per_iface: at most one subflow per local interface, new interfaces
 * used as they appear.
 *
 * Every check_ms it walks the `ip mptcp endpoint`s (subflow flag) and, for
 * each interface (the endpoint's `dev`) that has no subflow yet, opens one
 * from the first endpoint on it to the peer's initial address. An
 * interface whose subflow closed gets a new one on a later tick; an
 * endpoint added later (a new interface, a new address) is used on the
 * next tick. Endpoints without `dev` count as one interface each;
 * interfaces are told apart by index, up to index 31.
 *
 * When it helps: phones and routers with one address per interface plus
 * extra addresses (IPv6 privacy addresses, VIPs) that would otherwise make
 * several subflows share one radio.
 * Weaknesses: polls (check_ms) rather than reacting to interface events;
 * the peer's announced addresses are not used.
 * Tunables: check_ms.
 */
#include "mptcp_bpf_pm.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 check_ms
	MPTCP_TUNABLE(50, 60000, "interval between checks for new interfaces, ms") = 1000;

struct one_per_iface_stats {
	__u64 created;
	__u64 create_failed;
	__u64 skipped_same_iface;	/* endpoints left out: their interface has one */
	__u64 checks;
};
MPTCP_STATS(struct one_per_iface_stats);

/*
 * The interface of an endpoint as a bit: its ifindex (below 32), or, for
 * an endpoint without `dev`, 32 + its position.
 */
static __u64 one_per_iface_bit(__u32 index, int ifindex)
{
	return ifindex > 0 && ifindex < 32 ? 1ULL << ifindex : 1ULL << (32 + (index & 31));
}

/* The interfaces the connection's subflows use. */
static __u64 one_per_iface_used(struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow;
	__u64 used = 0;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		struct mptcp_addr_info l = {}, r = {};

		int ifindex = 0, idx;

		bpf_mptcp_subflow_addrs(subflow, &l, &r);
		idx = mptcp_pm_endpoint_of(msk, &l, &ifindex);
		if (idx >= 0)
			used |= one_per_iface_bit(idx, ifindex);
	}
	return used;
}

static void one_per_iface_tick(struct mptcp_sock *msk)
{
	struct mptcp_addr_info remote = {};
	__u64 used;
	__u32 i;

	MPTCP_STAT_INC(checks);
	bpf_mptcp_pm_timer_arm(msk, check_ms);
	if (bpf_mptcp_pm_remote_get(msk, 0, &remote))
		return;

	/* requests take effect when the callback returns: track them here */
	used = one_per_iface_used(msk);
	bpf_for(i, 0, MPTCP_PM_MAX_ENDPOINTS) {
		struct mptcp_addr_info local = {};
		__u32 flags = 0;
		int ifindex = 0;

		if (bpf_mptcp_pm_endpoint_get(msk, i, &local, &flags, &ifindex))
			break;
		if (!(flags & MPTCP_PM_ADDR_FLAG_SUBFLOW) || local.family != remote.family)
			continue;
		if (used & one_per_iface_bit(i, ifindex)) {
			MPTCP_STAT_INC(skipped_same_iface);
			continue;
		}
		if (bpf_mptcp_pm_subflow_create(msk, &local, &remote, ifindex,
						flags & MPTCP_PM_ADDR_FLAG_BACKUP)) {
			MPTCP_STAT_INC(create_failed);
			continue;
		}
		MPTCP_STAT_INC(created);
		used |= one_per_iface_bit(i, ifindex);
	}
}

SEC("struct_ops")
void BPF_PROG(one_per_iface_established, struct mptcp_sock *msk)
{
	one_per_iface_tick(msk);
}

SEC("struct_ops")
void BPF_PROG(one_per_iface_timeout, struct mptcp_sock *msk)
{
	one_per_iface_tick(msk);
}

SEC(".struct_ops.link")
struct mptcp_pm_ops one_per_iface = {
	.established	= (void *)one_per_iface_established,
	.timeout	= (void *)one_per_iface_timeout,
	.name		= "bpf_one_per_if",
};
