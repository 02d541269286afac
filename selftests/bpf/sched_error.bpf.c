// SPDX-License-Identifier: GPL-2.0
/* A broken scheduler for the robustness selftests: it picks the first
 * subflow but reports an error. The kernel must ignore the pick, use the
 * default scheduler's choice and count MPTcpExtSchedFallback.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
int BPF_PROG(error_get_send, struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		mptcp_subflow_set_scheduled(subflow, true);
		break;
	}
	return -22; /* -EINVAL */
}

SEC(".struct_ops.link")
struct mptcp_sched_ops error = {
	.get_send	= (void *)error_get_send,
	.name		= "bpf_t_error",
};
