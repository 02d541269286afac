// SPDX-License-Identifier: GPL-2.0
/*
 * rr: round-robin over the subflows, a fixed burst per turn.
 *
 * Each turn goes to the next subflow in the connection's subflow list
 * that can send (and, with cwnd_limited=1, has congestion window room);
 * it sends up to `segments` MSS-sized segments before the next turn.
 * The core hands out data a page fragment at a time, so a turn is at
 * least one fragment (up to 32 KiB) even when segments * MSS is smaller.
 * Backup subflows take turns only when no non-backup subflow can send.
 *
 * When it helps: spreading one flow evenly over equal links, testing.
 * Weaknesses: blind to RTT and capacity: on unequal paths the slow one
 * holds back the fast one (receive-window and head-of-line blocking).
 * Tunables: segments (burst per turn), cwnd_limited (skip subflows with a
 * full congestion window).
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 segments
	MPTCP_TUNABLE(1, 1024, "segments sent per turn") = 1;
const volatile __u32 cwnd_limited
	MPTCP_TUNABLE(0, 1, "skip subflows whose congestion window is full") = 1;

struct rr_stats {
	__u64 picked[MPTCP_STATS_MAX_SUBFLOWS];	/* turns per subflow slot */
	__u64 waited;				/* rounds waiting for a full subflow */
	__u64 none_available;
};
MPTCP_STATS(struct rr_stats);

/* Per connection: the subflow id of the subflow that had the last turn. */
struct rr_conn {
	__u32 last_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct rr_conn);
} rr_conns SEC(".maps");

static __always_inline bool rr_eligible(struct mptcp_subflow_context *subflow,
					bool backup)
{
	struct tcp_sock *tp;

	if (mptcp_subflow_is_backup(subflow) != backup ||
	    !mptcp_subflow_can_send(subflow))
		return false;
	tp = mptcp_subflow_tcp(subflow);
	return tp && (!cwnd_limited || mptcp_subflow_cwnd_has_room(tp));
}

/*
 * The next eligible subflow after the one with id @last_id, wrapping
 * around: subflow ids grow along the subflow list.
 */
static __always_inline struct mptcp_subflow_context *
rr_next(struct mptcp_sock *msk, __u32 last_id, bool backup)
{
	struct mptcp_subflow_context *subflow, *first = NULL;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		if (!rr_eligible(subflow, backup))
			continue;
		if (subflow->subflow_id > last_id)
			return subflow;
		if (!first)
			first = subflow;
	}
	return first;
}

/* The next established subflow after @last_id, wrapping around. */
static __always_inline struct mptcp_subflow_context *
rr_waiting(struct mptcp_sock *msk, __u32 last_id)
{
	struct mptcp_subflow_context *subflow, *first = NULL;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		if (mptcp_subflow_is_backup(subflow) || !mptcp_subflow_active(subflow))
			continue;
		if (subflow->subflow_id > last_id)
			return subflow;
		if (!first)
			first = subflow;
	}
	return first;
}

SEC("struct_ops")
int BPF_PROG(rr_get_send, struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow;
	struct rr_conn *conn;
	struct tcp_sock *tp;

	conn = bpf_sk_storage_get(&rr_conns, msk, NULL,
				  BPF_SK_STORAGE_GET_F_CREATE);
	if (!conn)
		return -1;

	subflow = rr_next(msk, conn->last_id, false);
	if (!subflow)
		subflow = rr_next(msk, conn->last_id, true);
	if (!subflow) {
		/* every send buffer (or window) is full: wait for the next
		 * subflow in turn that is established, instead of handing the
		 * round to the kernel's fallback
		 */
		subflow = rr_waiting(msk, conn->last_id);
		if (!subflow) {
			MPTCP_STAT_INC(none_available);
			return -1;
		}
		MPTCP_STAT_INC(waited);
		mptcp_subflow_set_scheduled(subflow, true);
		return 0;
	}

	conn->last_id = subflow->subflow_id;
	mptcp_subflow_set_scheduled(subflow, true);
	tp = mptcp_subflow_tcp(subflow);
	if (tp)
		msk->snd_burst = segments * tp->mss_cache;
	MPTCP_STAT_INC_AT(picked, mptcp_subflow_slot(subflow));
	return 0;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops rr = {
	.get_send	= (void *)rr_get_send,
	.name		= "bpf_rr",
};
