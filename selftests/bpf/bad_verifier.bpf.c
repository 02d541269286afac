// SPDX-License-Identifier: GPL-2.0
/*
 * A scheduler the verifier must reject: it indexes a stats array with an
 * unchecked value, an out-of-bounds map access. mptcp-sched must show the
 * verifier's reason and leave nothing registered or pinned.
 */
#include "mptcp_bpf.h"
#include "mptcp_bpf_stats.h"

char _license[] SEC("license") = "GPL";

struct bad_stats {
	__u64 slot[4];
};
MPTCP_STATS(struct bad_stats);

SEC("struct_ops")
int BPF_PROG(bad_get_send, struct mptcp_sock *msk)
{
	__u32 zero = 0, i = bpf_get_prandom_u32();
	struct bad_stats *s = bpf_map_lookup_elem(&stats, &zero);

	if (s)
		s->slot[i] += 1;	/* no bounds check: rejected */
	return 0;
}

SEC(".struct_ops.link")
struct mptcp_sched_ops bad = {
	.get_send	= (void *)bad_get_send,
	.name		= "bpf_bad",
};
