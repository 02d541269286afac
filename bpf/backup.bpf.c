// SPDX-License-Identifier: GPL-2.0
/*
 * backup: active/backup handover with fast failover and fail-back.
 *
 * Data goes only to primary (non-backup) subflows, the lowest-RTT one that
 * can send, while any primary is up. A primary counts as down once its
 * retransmission timer fired `failover_rtos` times in a row for the same
 * data (the kernel itself waits for `stale_loss_cnt` intervals, 4 by
 * default, before it marks a subflow stale). Then the backup subflows
 * carry the data. TCP keeps retransmitting on the dead primary; as soon as
 * one of those is acknowledged the primary is up again and new data
 * returns to it.
 *
 * When it helps: a metered or expensive backup link (LTE next to a fixed
 * line, a satellite backup): it carries nothing until the primary fails.
 * Weaknesses: no aggregation; failover still costs about one RTO of the
 * primary; a primary that loses only some packets is never abandoned.
 * Tunables: failover_rtos (RTOs before a primary counts as down).
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 failover_rtos
	MPTCP_TUNABLE(1, 15, "retransmission timeouts before a primary counts as down") = 1;

struct backup_stats {
	__u64 picked[MPTCP_STATS_MAX_SUBFLOWS];	/* bursts per subflow slot */
	__u64 primary_rounds;
	__u64 backup_rounds;
	__u64 failovers;			/* primary -> backup switches */
	__u64 failbacks;			/* backup -> primary switches */
	__u64 none_available;
};
MPTCP_STATS(struct backup_stats);

/* Per connection: is the data currently on a backup subflow? */
struct backup_conn {
	__u32 on_backup;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct backup_conn);
} backup_conns SEC(".maps");

static __always_inline bool backup_is_up(struct mptcp_subflow_context *subflow,
					 struct tcp_sock *tp)
{
	return mptcp_subflow_active(subflow) &&
	       tp->inet_conn.icsk_retransmits < failover_rtos;
}

/*
 * The lowest-RTT subflow of one kind that is up; one that can send now
 * wins over one whose send buffer is full (picking that one means "wait").
 */
static __always_inline struct mptcp_subflow_context *
backup_pick(struct mptcp_sock *msk, bool backup)
{
	struct mptcp_subflow_context *subflow, *best = NULL;
	__u32 best_rtt = ~0U;
	bool best_free = false;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		struct tcp_sock *tp;
		bool free;
		__u32 rtt;

		if (mptcp_subflow_is_backup(subflow) != backup)
			continue;
		tp = mptcp_subflow_tcp(subflow);
		if (!tp || !backup_is_up(subflow, tp))
			continue;

		free = bpf_sk_stream_memory_free(subflow);
		rtt = mptcp_subflow_srtt_us(tp);
		if ((free && !best_free) || (free == best_free && rtt < best_rtt)) {
			best = subflow;
			best_rtt = rtt;
			best_free = free;
		}
	}
	return best;
}

static __always_inline int backup_schedule(struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow;
	struct backup_conn *conn;
	bool on_backup = false;

	subflow = backup_pick(msk, false);
	if (!subflow) {
		subflow = backup_pick(msk, true);
		on_backup = true;
	}
	if (!subflow) {
		MPTCP_STAT_INC(none_available);
		return -1;
	}

	mptcp_subflow_set_scheduled(subflow, true);
	MPTCP_STAT_INC_AT(picked, mptcp_subflow_slot(subflow));
	if (on_backup)
		MPTCP_STAT_INC(backup_rounds);
	else
		MPTCP_STAT_INC(primary_rounds);

	conn = bpf_sk_storage_get(&backup_conns, msk, NULL,
				  BPF_SK_STORAGE_GET_F_CREATE);
	if (conn && conn->on_backup != on_backup) {
		if (on_backup)
			MPTCP_STAT_INC(failovers);
		else
			MPTCP_STAT_INC(failbacks);
		conn->on_backup = on_backup;
	}
	return 0;
}

SEC("struct_ops")
int BPF_PROG(backup_get_send, struct mptcp_sock *msk)
{
	return backup_schedule(msk);
}

SEC(".struct_ops.link")
struct mptcp_sched_ops backup = {
	.get_send	= (void *)backup_get_send,
	.name		= "bpf_backup",
};
