// SPDX-License-Identifier: GPL-2.0
/*
 * fullmesh: a subflow for every local endpoint x every peer address.
 *
 * Local addresses are the `ip mptcp endpoint`s with the subflow or
 * fullmesh flag (their `backup` flag makes the subflow a backup, their
 * `dev` binds it); peer addresses are the one the connection started on
 * and those the peer announces (ADD_ADDR). The mesh is completed when the
 * connection is established and whenever the peer announces an address.
 * When a subflow closes, or one cannot be opened (interface down, address
 * gone), it checks again every retry_ms until a subflow is established
 * again, so subflows come back with their interface or address (an
 * endpoint deleted and added again included).
 *
 * When it helps: hosts with several interfaces talking to multi-homed
 * servers: every path combination is tried, the scheduler picks.
 * Weaknesses: N x M subflows can be more than the paths are worth (two
 * interfaces behind one bottleneck); bounded by `ip mptcp limits`.
 * Tunables: retry_ms.
 */
#include "mptcp_bpf_pm.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 retry_ms
	MPTCP_TUNABLE(100, 600000, "retry interval for missing subflows, ms") = 1000;

struct fullmesh_stats {
	__u64 created;		/* subflows opened */
	__u64 create_failed;	/* attempts the kernel refused */
	__u64 closed;		/* subflows that closed */
	__u64 announced;	/* peer addresses learnt */
	__u64 retries;		/* timer rounds */
};
MPTCP_STATS(struct fullmesh_stats);

/* Per connection: a subflow was lost (or could not be opened) and none
 * has been established since.
 */
struct fullmesh_conn {
	bool lost;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fullmesh_conn);
} fullmesh_conns SEC(".maps");

static struct fullmesh_conn *fullmesh_conn(struct mptcp_sock *msk)
{
	return bpf_sk_storage_get(&fullmesh_conns, msk, NULL,
				  BPF_SK_STORAGE_GET_F_CREATE);
}

/* Open the missing subflows; true if some could not be opened. */
static bool fullmesh_complete(struct mptcp_sock *msk)
{
	bool missing = false;
	__u32 i, j;

	bpf_for(i, 0, MPTCP_PM_MAX_ENDPOINTS) {
		struct mptcp_addr_info local = {};
		__u32 flags = 0;
		int ifindex = 0;

		if (bpf_mptcp_pm_endpoint_get(msk, i, &local, &flags, &ifindex))
			break;
		if (!(flags & (MPTCP_PM_ADDR_FLAG_SUBFLOW | MPTCP_PM_ADDR_FLAG_FULLMESH)))
			continue;

		bpf_for(j, 0, MPTCP_PM_MAX_REMOTES) {
			struct mptcp_addr_info remote = {};

			if (bpf_mptcp_pm_remote_get(msk, j, &remote))
				break;
			if (remote.family != local.family ||
			    mptcp_pm_has_subflow(msk, &local, &remote))
				continue;
			if (bpf_mptcp_pm_subflow_create(msk, &local, &remote, ifindex,
							flags & MPTCP_PM_ADDR_FLAG_BACKUP)) {
				MPTCP_STAT_INC(create_failed);
				missing = true;
			} else {
				MPTCP_STAT_INC(created);
			}
		}
	}
	return missing;
}

/* Complete the mesh; keep checking while something is missing or lost. */
static void fullmesh_update(struct mptcp_sock *msk)
{
	struct fullmesh_conn *conn = fullmesh_conn(msk);
	bool missing = fullmesh_complete(msk);

	if (missing || (conn && conn->lost))
		bpf_mptcp_pm_timer_arm(msk, retry_ms);
}

SEC("struct_ops")
void BPF_PROG(fullmesh_established, struct mptcp_sock *msk)
{
	fullmesh_update(msk);
}

SEC("struct_ops")
void BPF_PROG(fullmesh_address_announced, struct mptcp_sock *msk,
	      const struct mptcp_addr_info *addr)
{
	MPTCP_STAT_INC(announced);
	fullmesh_update(msk);
}

SEC("struct_ops")
void BPF_PROG(fullmesh_subflow_closed, struct mptcp_sock *msk,
	      const struct mptcp_addr_info *local,
	      const struct mptcp_addr_info *remote, int reason)
{
	struct fullmesh_conn *conn = fullmesh_conn(msk);

	MPTCP_STAT_INC(closed);
	if (conn)
		conn->lost = true;
	bpf_mptcp_pm_timer_arm(msk, retry_ms);
}

SEC("struct_ops")
void BPF_PROG(fullmesh_subflow_established, struct mptcp_sock *msk,
	      struct mptcp_subflow_context *subflow)
{
	struct fullmesh_conn *conn = fullmesh_conn(msk);

	if (conn)
		conn->lost = false;
}

SEC("struct_ops")
void BPF_PROG(fullmesh_timeout, struct mptcp_sock *msk)
{
	MPTCP_STAT_INC(retries);
	fullmesh_update(msk);
}

SEC(".struct_ops.link")
struct mptcp_pm_ops fullmesh = {
	.established		= (void *)fullmesh_established,
	.address_announced	= (void *)fullmesh_address_announced,
	.subflow_established	= (void *)fullmesh_subflow_established,
	.subflow_closed		= (void *)fullmesh_subflow_closed,
	.timeout		= (void *)fullmesh_timeout,
	.name			= "bpf_fullmesh",
};
