// SPDX-License-Identifier: GPL-2.0
/*
 * A path manager that records the events it gets, for test_pm_events.sh.
 *
 * Every callback counts its calls in `results` (the object's .data map;
 * the test reads it with bpftool) and keeps what the kernel handed it:
 * the last address the peer announced (ADD_ADDR) and its id, the last id
 * the peer removed (RM_ADDR), the peer-backup bit (subflow->backup) and
 * the addresses of the last subflow the peer sent MP_PRIO on, the last
 * subflow that closed (addresses, reason) and how many closed subflows
 * went to an announced address. IPv4 addresses are kept in host byte
 * order (10.0.2.2 is 0x0a000202); an IPv6 one is recorded as 0.
 *
 * Actions, each tunable, each return code recorded:
 *  - create_on_announce: on ADD_ADDR, open a subflow from the first local
 *    endpoint with the subflow flag to the announced address (the client
 *    of the test's first case, whose peer is the in-kernel PM);
 *  - announce_signal: when the connection is established, announce every
 *    local endpoint with the signal flag (ADD_ADDR) and, if withdraw_ms is
 *    set, arm the timer; on the timeout, withdraw what this connection
 *    announced (RM_ADDR, and the kernel closes our subflows from it);
 *  - withdraw_id: when the connection is established, withdraw this id,
 *    which no one announced: the kernel must refuse it (-ENOENT).
 *
 * Results are global, not per connection: the test runs one connection at
 * a time. The ids a connection announced are per connection (sk storage),
 * so that its timeout withdraws exactly those.
 */
#include "mptcp_bpf_pm.h"
#include <bpf/bpf_endian.h>

char _license[] SEC("license") = "GPL";

#define NOT_RUN		1	/* no kfunc returns a positive value */
#define MAX_ANNOUNCED	MPTCP_PM_MAX_ENDPOINTS

const volatile bool create_on_announce
	MPTCP_TUNABLE(0, 1, "on ADD_ADDR, open a subflow from the first subflow endpoint to it") = 1;
const volatile bool announce_signal
	MPTCP_TUNABLE(0, 1, "when established, announce every signal endpoint") = 0;
const volatile __u32 withdraw_ms
	MPTCP_TUNABLE(0, 600000, "withdraw the announced addresses this long after, ms (0: never)") = 0;
const volatile __u8 withdraw_id
	MPTCP_TUNABLE(0, 255, "when established, withdraw this never-announced id (0: no)") = 0;

struct pm_events_results {
	/* how often each callback ran */
	int established_calls;
	int closed_calls;
	int subflow_established_calls;
	int subflow_closed_calls;
	int address_announced_calls;
	int address_removed_calls;
	int prio_changed_calls;
	int timeout_calls;
	/* address_announced: the last address, its id, subflow_create's return */
	__u32 announced_addr;
	int announced_id;
	int announced_create;
	/* address_removed: the last id */
	int removed_id;
	/* prio_changed: the last subflow's peer-backup bit and addresses */
	int prio_backup;
	__u32 prio_local;
	__u32 prio_remote;
	/* subflow_closed: the last one; those whose remote had been announced */
	__u32 closed_local;
	__u32 closed_remote;
	int closed_reason;
	int closed_to_announced;
	/* announce_signal: announces accepted, the last return, address, id */
	int announce_ok;
	int announce_ret;
	__u32 announce_addr;
	int announce_id;
	int timer_ret;
	/* the timeout's withdraws: accepted, last return and id */
	int withdraw_ok;
	int withdraw_ret;
	int withdrawn_id;
	/* withdraw_id: the return for an id never announced */
	int bogus_withdraw_ret;
};

/* initialised, so in .data (not .bss): "not run" and "none" are visible */
struct pm_events_results results = {
	.announced_id		= -1,
	.announced_create	= NOT_RUN,
	.removed_id		= -1,
	.prio_backup		= -1,
	.announce_ret		= NOT_RUN,
	.announce_id		= -1,
	.timer_ret		= NOT_RUN,
	.withdraw_ret		= NOT_RUN,
	.withdrawn_id		= -1,
	.bogus_withdraw_ret	= NOT_RUN,
};

/* The ids this connection announced, for its timeout to withdraw. */
struct pm_events_conn {
	__u8 ids[MAX_ANNOUNCED];
	__u8 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pm_events_conn);
} pm_events_conns SEC(".maps");

static __always_inline __u32 ip4_host(const struct mptcp_addr_info *a)
{
	return a->family == AF_INET ? bpf_ntohl(a->addr.s_addr) : 0;
}

/* Announce every signal endpoint; remember the ids the kernel accepted. */
static void pm_events_announce(struct mptcp_sock *msk)
{
	struct pm_events_conn *conn;
	__u32 i;

	conn = bpf_sk_storage_get(&pm_events_conns, msk, NULL,
				  BPF_SK_STORAGE_GET_F_CREATE);
	if (!conn)
		return;

	bpf_for(i, 0, MPTCP_PM_MAX_ENDPOINTS) {
		struct mptcp_addr_info ep = {};
		__u32 flags = 0;
		int ifindex = 0, ret;

		if (bpf_mptcp_pm_endpoint_get(msk, i, &ep, &flags, &ifindex))
			break;
		if (!(flags & MPTCP_PM_ADDR_FLAG_SIGNAL))
			continue;
		ret = bpf_mptcp_pm_announce(msk, &ep);
		results.announce_ret = ret;
		results.announce_addr = ip4_host(&ep);
		results.announce_id = ep.id;
		if (ret)
			continue;
		results.announce_ok++;
		if (conn->nr < MAX_ANNOUNCED)
			conn->ids[conn->nr++ & (MAX_ANNOUNCED - 1)] = ep.id;
	}
	if (conn->nr && withdraw_ms)
		results.timer_ret = bpf_mptcp_pm_timer_arm(msk, withdraw_ms);
}

SEC("struct_ops")
void BPF_PROG(pm_events_established, struct mptcp_sock *msk)
{
	results.established_calls++;
	if (announce_signal)
		pm_events_announce(msk);
	if (withdraw_id)
		results.bogus_withdraw_ret = bpf_mptcp_pm_withdraw(msk, withdraw_id);
}

SEC("struct_ops")
void BPF_PROG(pm_events_closed, struct mptcp_sock *msk)
{
	results.closed_calls++;
}

SEC("struct_ops")
void BPF_PROG(pm_events_subflow_established, struct mptcp_sock *msk,
	      struct mptcp_subflow_context *subflow)
{
	results.subflow_established_calls++;
}

SEC("struct_ops")
void BPF_PROG(pm_events_subflow_closed, struct mptcp_sock *msk,
	      const struct mptcp_addr_info *local,
	      const struct mptcp_addr_info *remote, int reason)
{
	results.subflow_closed_calls++;
	results.closed_local = ip4_host(local);
	results.closed_remote = ip4_host(remote);
	results.closed_reason = reason;
	if (results.address_announced_calls &&
	    results.closed_remote == results.announced_addr)
		results.closed_to_announced++;
}

SEC("struct_ops")
void BPF_PROG(pm_events_address_announced, struct mptcp_sock *msk,
	      const struct mptcp_addr_info *addr)
{
	__u32 i;

	results.address_announced_calls++;
	results.announced_addr = ip4_host(addr);
	results.announced_id = addr->id;
	if (!create_on_announce)
		return;

	bpf_for(i, 0, MPTCP_PM_MAX_ENDPOINTS) {
		struct mptcp_addr_info ep = {};
		__u32 flags = 0;
		int ifindex = 0;

		if (bpf_mptcp_pm_endpoint_get(msk, i, &ep, &flags, &ifindex))
			break;
		if (!(flags & MPTCP_PM_ADDR_FLAG_SUBFLOW) || ep.family != addr->family)
			continue;
		results.announced_create =
			bpf_mptcp_pm_subflow_create(msk, &ep, addr, ifindex, false);
		break;
	}
}

SEC("struct_ops")
void BPF_PROG(pm_events_address_removed, struct mptcp_sock *msk, __u8 id)
{
	results.address_removed_calls++;
	results.removed_id = id;
}

SEC("struct_ops")
void BPF_PROG(pm_events_prio_changed, struct mptcp_sock *msk,
	      struct mptcp_subflow_context *subflow)
{
	struct mptcp_addr_info local = {}, remote = {};

	results.prio_changed_calls++;
	/* subflow->backup: the peer's view (MP_JOIN or MP_PRIO received);
	 * request_bkup would be ours
	 */
	results.prio_backup = BPF_CORE_READ_BITFIELD(subflow, backup);
	if (!bpf_mptcp_subflow_addrs(subflow, &local, &remote)) {
		results.prio_local = ip4_host(&local);
		results.prio_remote = ip4_host(&remote);
	}
}

SEC("struct_ops")
void BPF_PROG(pm_events_timeout, struct mptcp_sock *msk)
{
	struct pm_events_conn *conn;
	__u32 i;

	results.timeout_calls++;
	conn = bpf_sk_storage_get(&pm_events_conns, msk, NULL, 0);
	if (!conn)
		return;

	bpf_for(i, 0, MAX_ANNOUNCED) {
		int ret;

		if (i >= conn->nr)
			break;
		ret = bpf_mptcp_pm_withdraw(msk, conn->ids[i & (MAX_ANNOUNCED - 1)]);
		results.withdraw_ret = ret;
		results.withdrawn_id = conn->ids[i & (MAX_ANNOUNCED - 1)];
		if (!ret)
			results.withdraw_ok++;
	}
	conn->nr = 0;
}

SEC(".struct_ops.link")
struct mptcp_pm_ops pm_events = {
	.established		= (void *)pm_events_established,
	.closed			= (void *)pm_events_closed,
	.subflow_established	= (void *)pm_events_subflow_established,
	.subflow_closed		= (void *)pm_events_subflow_closed,
	.address_announced	= (void *)pm_events_address_announced,
	.address_removed	= (void *)pm_events_address_removed,
	.prio_changed		= (void *)pm_events_prio_changed,
	.timeout		= (void *)pm_events_timeout,
	.name			= "bpf_t_pm_events",
};
