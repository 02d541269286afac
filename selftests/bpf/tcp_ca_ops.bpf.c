// SPDX-License-Identifier: GPL-2.0
/*
 * A struct_ops of another type (a TCP congestion control, Reno-like):
 * mptcp-sched must refuse it and name the type it found.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
__u32 BPF_PROG(tst_ca_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;

	return tp->snd_cwnd > 4 ? tp->snd_cwnd >> 1 : 2;
}

SEC("struct_ops")
void BPF_PROG(tst_ca_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops")
__u32 BPF_PROG(tst_ca_undo_cwnd, struct sock *sk)
{
	return ((const struct tcp_sock *)sk)->snd_cwnd;
}

SEC(".struct_ops.link")
struct tcp_congestion_ops tst_ca = {
	.ssthresh	= (void *)tst_ca_ssthresh,
	.cong_avoid	= (void *)tst_ca_cong_avoid,
	.undo_cwnd	= (void *)tst_ca_undo_cwnd,
	.name		= "tst_ca",
};
