// SPDX-License-Identifier: GPL-2.0
/* A broken scheduler for the robustness selftests: it always waits
 * (MPTCP_SCHED_WAIT without a pick). The kernel honours a wait only while
 * data is in flight, so with nothing in flight it must let the default
 * scheduler send (counted in MPTcpExtSchedFallback); the transfer must
 * complete byte-exact, only slower.
 */
#include "mptcp_bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
int BPF_PROG(wait_always_get_send, struct mptcp_sock *msk)
{
	return MPTCP_SCHED_WAIT;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops wait_always = {
	.get_send	= (void *)wait_always_get_send,
	.name		= "bpf_t_wait",
};
