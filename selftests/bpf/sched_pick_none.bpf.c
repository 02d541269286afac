// SPDX-License-Identifier: GPL-2.0
/* A broken scheduler for the robustness selftests: it never picks a subflow.
 * The kernel must use the default scheduler's choice and count it in
 * MPTcpExtSchedFallback; the transfer must still complete byte-exact.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
int BPF_PROG(pick_none_get_send, struct mptcp_sock *msk)
{
	return 0;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops pick_none = {
	.get_send	= (void *)pick_none_get_send,
	.name		= "bpf_t_none",
};
