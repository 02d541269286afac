// SPDX-License-Identifier: GPL-2.0
/*
 * redundant: send every burst on every available non-backup subflow.
 *
 * The first subflow picked in a round takes the next data, every other
 * one a copy of it (the data-path change in vmlinux/patches); the receiver
 * keeps the first copy to arrive. Backup subflows are used, all of them,
 * only when no non-backup subflow can send.
 *
 * When it helps: latency under loss or jitter (gaming, VoIP, control
 * traffic, VPN tunnels over two lossy links): each packet takes the best
 * path of the moment, a loss on one path costs nothing.
 * Weaknesses: throughput is that of the slowest path at best and every
 * byte costs N times the capacity; useless for bulk transfers.
 * Tunables: none.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

struct redundant_stats {
	__u64 picked[MPTCP_STATS_MAX_SUBFLOWS];	/* rounds each subflow slot took part in */
	__u64 copies;				/* extra copies sent */
	__u64 backup_rounds;			/* rounds only backups could serve */
	__u64 none_available;
};
MPTCP_STATS(struct redundant_stats);

/*
 * Pick every subflow of one kind (backup or not) that can send now; true if
 * any. (A flag, not a count: a counter the verifier would have to track
 * through the loop makes every iteration a new state.)
 */
static __always_inline bool redundant_pick_all(struct mptcp_sock *msk, bool backup)
{
	struct mptcp_subflow_context *subflow;
	bool picked = false;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		if (mptcp_subflow_is_backup(subflow) != backup ||
		    !mptcp_subflow_can_send(subflow))
			continue;
		mptcp_subflow_set_scheduled(subflow, true);
		MPTCP_STAT_INC_AT(picked, mptcp_subflow_slot(subflow));
		if (picked)
			MPTCP_STAT_INC(copies);
		picked = true;
	}
	return picked;
}

static __always_inline int redundant_schedule(struct mptcp_sock *msk)
{
	if (redundant_pick_all(msk, false))
		return 0;
	if (redundant_pick_all(msk, true)) {
		MPTCP_STAT_INC(backup_rounds);
		return 0;
	}
	MPTCP_STAT_INC(none_available);
	return -1;
}

SEC("struct_ops")
int BPF_PROG(redundant_get_send, struct mptcp_sock *msk)
{
	return redundant_schedule(msk);
}

SEC(".struct_ops.link")
struct mptcp_sched_ops redundant = {
	.get_send	= (void *)redundant_get_send,
	.name		= "bpf_red",
};
