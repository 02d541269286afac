// SPDX-License-Identifier: GPL-2.0
/*
 * burst: the mainline default scheduler's logic, as BPF.
 *
 * For each active subflow it estimates how long the data already queued
 * there would take to leave, linger = queued bytes / pacing rate (the
 * pacing rate averaged over the bursts sent, as the kernel keeps it in
 * mptcp_subflow_context.avg_pacing_rate), and picks the lowest; backup
 * subflows only when no non-backup subflow is active. The burst is up to
 * 64 KiB (MPTCP_SEND_BURST_SIZE), bounded by the peer's MPTCP window.
 *
 * When it helps: aggregation over paths of different capacity; it is the
 * reference for measuring what BPF costs against the built-in C code
 * (`make bench` compares them).
 * Weaknesses: those of the default: RTT-blind, so with paths of very
 * different delay it can cause receive-side head-of-line blocking.
 * Tunables: none.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

struct burst_stats {
	__u64 picked[MPTCP_STATS_MAX_SUBFLOWS];	/* bursts per subflow slot */
	__u64 backup_used;
	__u64 waited;				/* best subflow's buffer was full */
	__u64 none_available;
	__u64 retrans_deferred;			/* every subflow still busy */
};
MPTCP_STATS(struct burst_stats);

struct burst_choice {
	struct mptcp_subflow_context *subflow;
	__u64 linger;
};

static __always_inline void burst_consider(struct burst_choice *c,
					   struct mptcp_subflow_context *subflow,
					   __u64 linger)
{
	if (!c->subflow || linger < c->linger) {
		c->subflow = subflow;
		c->linger = linger;
	}
}

SEC("struct_ops")
int BPF_PROG(burst_get_send, struct mptcp_sock *msk)
{
	struct burst_choice active = {}, backup = {}, *pick;
	struct mptcp_subflow_context *subflow;
	bool any_active = false;
	__u32 burst, wmem;
	struct sock *ssk;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		bool is_backup = mptcp_subflow_is_backup(subflow);
		__u64 pace, linger;

		ssk = bpf_mptcp_subflow_tcp_sock(subflow);
		if (!ssk || !mptcp_subflow_active(subflow))
			continue;

		any_active |= !is_backup;
		pace = subflow->avg_pacing_rate;
		if (!pace) {
			/* initialise the estimate from the socket */
			subflow->avg_pacing_rate = ssk->sk_pacing_rate;
			pace = subflow->avg_pacing_rate;
			if (!pace)
				continue;
		}

		linger = ((__u64)ssk->sk_wmem_queued << 32) / pace;
		burst_consider(is_backup ? &backup : &active, subflow, linger);
	}
	mptcp_set_timeout((struct sock *)msk);

	/* backups only when no non-backup subflow is active */
	pick = any_active ? &active : &backup;
	subflow = pick->subflow;
	if (!subflow) {
		MPTCP_STAT_INC(none_available);
		return -1;
	}

	/* with a full buffer, the core waits for this subflow to drain */
	mptcp_subflow_set_scheduled(subflow, true);
	MPTCP_STAT_INC_AT(picked, mptcp_subflow_slot(subflow));
	if (!any_active)
		MPTCP_STAT_INC(backup_used);
	if (!bpf_sk_stream_memory_free(subflow)) {
		MPTCP_STAT_INC(waited);
		return 0;
	}

	ssk = bpf_mptcp_subflow_tcp_sock(subflow);
	if (!ssk)
		return 0;
	burst = mptcp_wnd_end(msk) - msk->snd_nxt;
	if (burst > MPTCP_SEND_BURST_SIZE)
		burst = MPTCP_SEND_BURST_SIZE;
	if (!burst)
		return 0;

	wmem = ssk->sk_wmem_queued;
	subflow->avg_pacing_rate = ((__u64)subflow->avg_pacing_rate * wmem +
				    (__u64)ssk->sk_pacing_rate * burst) /
				   (burst + wmem);
	msk->snd_burst = burst;
	return 0;
}

/* Retransmit as the default does: on an active subflow with nothing left
 * outstanding itself (so not the one still holding the data), non-backup
 * first; on a backup only when no subflow is making progress (every busy
 * one stale more than once). When every subflow still has data queued or
 * in flight, send nothing again now: the original copies are on their way,
 * and a copy queued behind them would only take capacity from new data.
 */
SEC("struct_ops")
int BPF_PROG(burst_get_retrans, struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow, *idle = NULL, *backup = NULL;
	__u32 min_stale = ~0U;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		struct tcp_sock *tp;

		if (!mptcp_subflow_active(subflow))
			continue;
		tp = mptcp_subflow_tcp(subflow);
		if (!tp)
			continue;
		if (tp->write_seq != tp->snd_una) {
			if (subflow->stale_count < min_stale)
				min_stale = subflow->stale_count;
			continue;
		}
		if (mptcp_subflow_is_backup(subflow)) {
			if (!backup)
				backup = subflow;
		} else if (!idle) {
			idle = subflow;
		}
	}

	subflow = idle ?: (min_stale > 1 ? backup : NULL);
	if (!subflow) {
		MPTCP_STAT_INC(retrans_deferred);
		return MPTCP_SCHED_WAIT;
	}
	mptcp_subflow_set_scheduled(subflow, true);
	return 0;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops burst = {
	.get_send	= (void *)burst_get_send,
	.get_retrans	= (void *)burst_get_retrans,
	.name		= "bpf_burst",
};
