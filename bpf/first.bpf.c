// SPDX-License-Identifier: GPL-2.0
/*
 * first: send everything on the first subflow of the connection.
 *
 * The simplest possible scheduler, kept as the example to start from: one
 * callback, one kfunc. It sends on the initial subflow (the head of the
 * subflow list) whenever that subflow exists; if it cannot send, the
 * kernel's safety net uses the default scheduler for that round and counts
 * MPTcpExtSchedFallback.
 *
 * When it helps: tests, and as a template. Weaknesses: no aggregation, no
 * failover of its own. Tunables: none.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
int BPF_PROG(first_get_send, struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		mptcp_subflow_set_scheduled(subflow, true);
		break;
	}
	return 0;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops first = {
	.get_send	= (void *)first_get_send,
	.name		= "bpf_first",
};
