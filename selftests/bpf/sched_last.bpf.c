// SPDX-License-Identifier: GPL-2.0
/* A careless scheduler for the robustness selftests: it always picks the
 * last subflow, whatever its state, also when that path is dead (stale
 * after its link went down). The kernel must drop the dead pick, use the
 * default scheduler's choice and count MPTcpExtSchedFallback.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
int BPF_PROG(last_get_send, struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow, *last = NULL;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk)
		last = subflow;
	if (last)
		mptcp_subflow_set_scheduled(last, true);
	return 0;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops last = {
	.get_send	= (void *)last_get_send,
	.name		= "bpf_t_last",
};
