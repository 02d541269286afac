// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal scheduler for mptcp-sched's own tests: it schedules the first
 * subflow that can send and counts what it did. It carries one tunable of
 * each kind the loader must handle (unsigned, signed, bool) and a stats
 * map with a scalar and an array counter.
 */
#include "mptcp_bpf.h"
#include "mptcp_bpf_tunables.h"
#include "mptcp_bpf_stats.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 segments MPTCP_TUNABLE(1, 1024, "segments per turn") = 1;
const volatile __s32 bias MPTCP_TUNABLE(-5, 5, "a signed knob") = -1;
const volatile bool verbose_stats MPTCP_TUNABLE(0, 1, "count per-subflow picks") = 1;

struct tsttun_stats {
	__u64 calls;
	__u64 picked[4];
};
MPTCP_STATS(struct tsttun_stats);

SEC("struct_ops")
int BPF_PROG(tsttun_get_send, struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow;
	__u32 i = 0;

	MPTCP_STAT_INC(calls);
	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		if (!mptcp_subflow_can_send(subflow)) {
			i++;
			continue;
		}
		mptcp_subflow_set_scheduled(subflow, true);
		if (verbose_stats)
			MPTCP_STAT_ADD_AT(picked, i, segments);
		return 0;
	}
	return -1;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops tsttun = {
	.get_send	= (void *)tsttun_get_send,
	.name		= "bpf_tsttun",
};
