// SPDX-License-Identifier: GPL-2.0
/*
 * redundant: send every burst on every available non-backup subflow.
 *
 * The first subflow picked in a round takes the next data, every other
 * one a copy of it (the data-path change in vmlinux/patches); the receiver
 * keeps the first copy to arrive. When one subflow's send buffer is full,
 * the connection waits for it rather than leaving it out, so every path
 * carries every byte. Backup subflows are used, all of them, only when no
 * non-backup subflow is active (established, not stale).
 *
 * When it helps: latency under loss or jitter (gaming, VoIP, control
 * traffic, VPN tunnels over two lossy links): each packet takes the best
 * path of the moment, a loss on one path costs nothing.
 * Weaknesses: throughput is that of the slowest path at best, a path
 * that dies stalls the connection until the kernel marks it stale (a few
 * RTOs), and every byte costs N times the capacity; useless for bulk.
 * Tunables: none.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

struct redundant_stats {
	__u64 picked[MPTCP_STATS_MAX_SUBFLOWS];	/* rounds each subflow slot took part in */
	__u64 copies;				/* extra copies sent */
	__u64 waited;				/* rounds waiting for a full subflow */
	__u64 backup_rounds;			/* rounds only backups could serve */
	__u64 none_available;
};
MPTCP_STATS(struct redundant_stats);

/*
 * Pick every active subflow of one kind (backup or not); true if any. If
 * one of them has a full send buffer, pick only that one: the core then
 * waits for it to drain, so every subflow gets every byte and the slowest
 * one sets the pace. (Flags, not counts: a counter the verifier would have
 * to track through the loop makes every iteration a new state.)
 */
static __always_inline bool redundant_pick_all(struct mptcp_sock *msk, bool backup)
{
	struct mptcp_subflow_context *subflow, *full = NULL;
	bool any = false;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		if (mptcp_subflow_is_backup(subflow) != backup ||
		    !mptcp_subflow_active(subflow))
			continue;
		any = true;
		if (!bpf_sk_stream_memory_free(subflow)) {
			full = subflow;
			break;
		}
	}
	if (!any)
		return false;
	if (full) {
		mptcp_subflow_set_scheduled(full, true);
		MPTCP_STAT_INC(waited);
		return true;
	}

	any = false;
	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		if (mptcp_subflow_is_backup(subflow) != backup ||
		    !mptcp_subflow_active(subflow))
			continue;
		mptcp_subflow_set_scheduled(subflow, true);
		MPTCP_STAT_INC_AT(picked, mptcp_subflow_slot(subflow));
		if (any)
			MPTCP_STAT_INC(copies);
		any = true;
	}
	return any;
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
