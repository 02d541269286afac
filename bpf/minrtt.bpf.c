// SPDX-License-Identifier: GPL-2.0
/*
 * minrtt: send on the available subflow with the lowest smoothed RTT.
 *
 * The classic default of the out-of-tree multipath-tcp.org kernel. A
 * subflow is available when it is established, not stale, its send
 * buffer has room and (cwnd_limited=1) its congestion window has room.
 * When no subflow is available the data waits at the MPTCP level for the
 * next ACK (MPTCP_SCHED_WAIT) rather than queueing behind the fastest
 * subflow's window: whichever window opens first takes it, which is how
 * a slower path carries what a saturated fast path cannot.
 * Backup subflows are used only when no non-backup subflow is active
 * (established, not stale); a full non-backup subflow is waited for.
 * Retransmissions go to the lowest-RTT available subflow that is not in
 * loss recovery itself, i.e. away from the subflow that lost the data,
 * when there is one.
 *
 * When it helps: paths with different delays (WiFi + LTE, terrestrial +
 * satellite): short flows finish at the speed of the fast path, and the
 * slow path only takes what the fast one cannot.
 * Weaknesses: no waiting for the fast path (see BLEST/ECF), so with a
 * full fast path it fills the slow path and can cause head-of-line
 * blocking at the receiver; RTT estimates lag on a path that degrades.
 * Tunables: cwnd_limited (1: skip subflows without cwnd room).
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 cwnd_limited
	MPTCP_TUNABLE(0, 1, "only use subflows with congestion window room") = 1;

struct minrtt_stats {
	__u64 picked[MPTCP_STATS_MAX_SUBFLOWS];	/* bursts per subflow slot */
	__u64 backup_used;			/* picks that had to use a backup */
	__u64 none_available;			/* rounds with nothing to pick */
	__u64 cwnd_waits;			/* rounds waiting for a cwnd to open */
};
MPTCP_STATS(struct minrtt_stats);

/*
 * How usable a subflow is, best first. A pick is the lowest (backup,
 * level, srtt): any non-backup subflow that is still active beats every
 * backup (a full primary is waited for rather than spilling onto a
 * backup), and among one kind the best level, then the lowest RTT, wins.
 */
enum minrtt_level {
	LEVEL_HEALTHY,		/* available and not in loss recovery */
	LEVEL_AVAILABLE,	/* can send, cwnd has room (if cwnd_limited) */
	LEVEL_CAN_SEND,		/* send buffer has room, cwnd full: wait */
	LEVEL_ACTIVE,		/* established, not stale: wait for its buffer */
	LEVEL_UNUSABLE,
};

static __always_inline enum minrtt_level
minrtt_level(struct mptcp_subflow_context *subflow, struct tcp_sock *tp,
	     bool retrans)
{
	if (!mptcp_subflow_active(subflow))
		return LEVEL_UNUSABLE;
	if (!bpf_sk_stream_memory_free(subflow))
		return LEVEL_ACTIVE;
	if (cwnd_limited && !mptcp_subflow_cwnd_has_room(tp))
		return LEVEL_CAN_SEND;
	/* retransmissions prefer a subflow that is not losing data itself */
	if (retrans && mptcp_subflow_is_healthy(tp))
		return LEVEL_HEALTHY;
	return LEVEL_AVAILABLE;
}

static __always_inline int minrtt_schedule(struct mptcp_sock *msk, bool retrans)
{
	struct mptcp_subflow_context *subflow, *best = NULL;
	__u32 best_level = LEVEL_UNUSABLE, best_rtt = ~0U;
	bool best_backup = true;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		struct tcp_sock *tp;
		__u32 level, rtt;
		bool backup;

		tp = mptcp_subflow_tcp(subflow);
		if (!tp)
			continue;
		level = minrtt_level(subflow, tp, retrans);
		if (level == LEVEL_UNUSABLE)
			continue;
		backup = mptcp_subflow_is_backup(subflow);
		rtt = mptcp_subflow_srtt_us(tp);

		if (best && backup > best_backup)
			continue;
		if (best && backup == best_backup &&
		    (level > best_level || (level == best_level && rtt >= best_rtt)))
			continue;

		best = subflow;
		best_backup = backup;
		best_level = level;
		best_rtt = rtt;
	}

	if (!best) {
		MPTCP_STAT_INC(none_available);
		return -1;
	}
	if (best_level == LEVEL_CAN_SEND) {
		MPTCP_STAT_INC(cwnd_waits);
		return MPTCP_SCHED_WAIT;
	}

	mptcp_subflow_set_scheduled(best, true);
	MPTCP_STAT_INC_AT(picked, mptcp_subflow_slot(best));
	if (best_backup)
		MPTCP_STAT_INC(backup_used);
	return 0;
}

SEC("struct_ops")
int BPF_PROG(minrtt_get_send, struct mptcp_sock *msk)
{
	return minrtt_schedule(msk, false);
}

SEC("struct_ops")
int BPF_PROG(minrtt_get_retrans, struct mptcp_sock *msk)
{
	return minrtt_schedule(msk, true);
}

SEC(".struct_ops.link")
struct mptcp_sched_ops minrtt = {
	.get_send	= (void *)minrtt_get_send,
	.get_retrans	= (void *)minrtt_get_retrans,
	.name		= "bpf_minrtt",
};
