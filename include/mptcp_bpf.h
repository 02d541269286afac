/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mptcp_bpf.h - the one header an MPTCP BPF policy includes.
 *
 * It brings the patched kernel's types (vmlinux/vmlinux.h), libbpf's
 * helpers, the MPTCP kfunc prototypes and small helpers that make a
 * scheduler read like its algorithm:
 *
 *	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
 *		if (!mptcp_subflow_can_send(subflow))
 *			continue;
 *		...
 *	}
 *
 * The kfunc names and signatures follow the upstream MPTCP community's
 * BPF API, so a policy written against this header also builds there.
 */
#ifndef __MPTCP_BPF_H__
#define __MPTCP_BPF_H__

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* A struct_ops callback: BPF_STRUCT_OPS(minrtt_get_send, struct mptcp_sock *msk) */
#define BPF_STRUCT_OPS(name, args...) \
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) \
	SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/*
 * kfuncs of the mptcp-bpf kernel series (vmlinux/patches). Declared here
 * because pahole < 1.26 emits no kfunc declarations into vmlinux.h.
 */
struct bpf_iter_mptcp_subflow;
extern int bpf_iter_mptcp_subflow_new(struct bpf_iter_mptcp_subflow *it,
				      struct sock *sk) __ksym;
extern struct mptcp_subflow_context *
bpf_iter_mptcp_subflow_next(struct bpf_iter_mptcp_subflow *it) __ksym;
extern void bpf_iter_mptcp_subflow_destroy(struct bpf_iter_mptcp_subflow *it) __ksym;

extern struct mptcp_subflow_context *bpf_mptcp_subflow_ctx(const struct sock *sk) __ksym;
extern struct sock *bpf_mptcp_subflow_tcp_sock(const struct mptcp_subflow_context *subflow) __ksym;
extern void mptcp_subflow_set_scheduled(struct mptcp_subflow_context *subflow,
					bool scheduled) __ksym;
extern bool mptcp_subflow_active(struct mptcp_subflow_context *subflow) __ksym;
extern bool bpf_sk_stream_memory_free(const struct mptcp_subflow_context *subflow) __ksym;
extern __u64 mptcp_wnd_end(const struct mptcp_sock *msk) __ksym;
extern void mptcp_set_timeout(struct sock *sk) __ksym;

#ifndef bpf_for_each
#error "libbpf's bpf_helpers.h is too old: bpf_for_each() is missing"
#endif

/* The subflow's TCP socket, as a tcp_sock for RTT, cwnd and in-flight reads. */
static __always_inline struct tcp_sock *
mptcp_subflow_tcp(const struct mptcp_subflow_context *subflow)
{
	return bpf_skc_to_tcp_sock(bpf_mptcp_subflow_tcp_sock(subflow));
}

/* Marked backup locally (ip mptcp endpoint ... backup) or by the peer (MP_PRIO). */
static __always_inline bool
mptcp_subflow_is_backup(const struct mptcp_subflow_context *subflow)
{
	return BPF_CORE_READ_BITFIELD(subflow, backup) ||
	       BPF_CORE_READ_BITFIELD(subflow, request_bkup);
}

/*
 * "Can this subflow take data now": established and not stale (the
 * kernel's mptcp_subflow_active()) and its send buffer has room.
 */
static __always_inline bool
mptcp_subflow_can_send(struct mptcp_subflow_context *subflow)
{
	return mptcp_subflow_active(subflow) &&
	       bpf_sk_stream_memory_free(subflow);
}

/* Smoothed RTT in microseconds (tcp_sock.srtt_us holds it shifted by 3). */
static __always_inline __u32 mptcp_subflow_srtt_us(const struct tcp_sock *tp)
{
	return tp->srtt_us >> 3;
}

/* Segments in flight: sent, not yet acked or marked lost (RFC 6675 pipe). */
static __always_inline __u32 mptcp_subflow_in_flight(const struct tcp_sock *tp)
{
	return tp->packets_out - (tp->sacked_out + tp->lost_out) + tp->retrans_out;
}

/* Room in the congestion window, in segments. */
static __always_inline bool mptcp_subflow_cwnd_has_room(const struct tcp_sock *tp)
{
	return mptcp_subflow_in_flight(tp) < tp->snd_cwnd;
}

#endif /* __MPTCP_BPF_H__ */
