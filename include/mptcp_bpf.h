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
#include "mptcp_bpf_stats.h"
#include "mptcp_bpf_tunables.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) ((int)(sizeof(a) / sizeof((a)[0])))
#endif

/*
 * Per-subflow counters in a policy's stats cover this many subflows: the
 * initial one plus the kernel's maximum of 8 additional ones (a subflow
 * id beyond that, after subflow churn, is not counted).
 */
#define MPTCP_STATS_MAX_SUBFLOWS	9

/*
 * The slot of a subflow in per-subflow counters: its MPTCP subflow id - 1
 * (the initial subflow is 0, ids grow as subflows are created). Taken
 * after a loop, never counted inside it: a loop counter the verifier has
 * to track exactly makes every iteration a new state.
 */
static __always_inline __u32 mptcp_subflow_slot(const struct mptcp_subflow_context *subflow)
{
	return subflow->subflow_id - 1;
}

/*
 * What get_send / get_retrans return. 0 with subflows picked
 * (mptcp_subflow_set_scheduled()): send on them; picking only subflows
 * whose send buffer is full means "wait for them". MPTCP_SCHED_WAIT with
 * no pick: keep the data with the MPTCP socket until the next ACK runs
 * the scheduler again (say, until a congestion window opens); the kernel
 * honours it while some subflow has data in flight. Any other error, no
 * pick, or only dead picks: the default scheduler decides this round and
 * MPTcpExtSchedFallback counts it.
 */
#define MPTCP_SCHED_WAIT		(-11)	/* -EAGAIN */

/* mainline's MPTCP_SEND_BURST_SIZE: the default scheduler's burst cap */
#define MPTCP_SEND_BURST_SIZE		65428

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

/* Path-manager kfuncs (mptcp_pm_ops programs, event callbacks only). */
extern int bpf_mptcp_pm_subflow_create(struct mptcp_sock *msk,
				       const struct mptcp_addr_info *local,
				       const struct mptcp_addr_info *remote,
				       int ifindex, bool backup) __ksym;
extern int bpf_mptcp_pm_subflow_close(struct mptcp_sock *msk,
				      struct mptcp_subflow_context *subflow) __ksym;
extern int bpf_mptcp_pm_set_backup(struct mptcp_sock *msk,
				   struct mptcp_subflow_context *subflow,
				   bool backup) __ksym;
extern int bpf_mptcp_pm_announce(struct mptcp_sock *msk,
				 const struct mptcp_addr_info *addr) __ksym;
extern int bpf_mptcp_pm_withdraw(struct mptcp_sock *msk, __u8 id) __ksym;
extern int bpf_mptcp_pm_timer_arm(struct mptcp_sock *msk, __u32 msecs) __ksym;
extern int bpf_mptcp_pm_endpoint_get(struct mptcp_sock *msk, __u32 index,
				     struct mptcp_addr_info *addr, __u32 *flags,
				     int *ifindex) __ksym;
extern int bpf_mptcp_pm_remote_get(struct mptcp_sock *msk, __u32 index,
				   struct mptcp_addr_info *addr) __ksym;
extern int bpf_mptcp_subflow_addrs(const struct mptcp_subflow_context *subflow,
				   struct mptcp_addr_info *local,
				   struct mptcp_addr_info *remote) __ksym;

#ifndef bpf_for_each
#error "libbpf's bpf_helpers.h is too old: bpf_for_each() is missing"
#endif

/* The subflow's TCP socket, as a tcp_sock for RTT, cwnd and in-flight reads. */
static __always_inline struct tcp_sock *
mptcp_subflow_tcp(const struct mptcp_subflow_context *subflow)
{
	struct sock *ssk = bpf_mptcp_subflow_tcp_sock(subflow);

	return ssk ? bpf_skc_to_tcp_sock(ssk) : NULL;
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

/* Not in slow recovery: no RTO pending and not in Recovery/Loss state. */
static __always_inline bool mptcp_subflow_is_healthy(struct tcp_sock *tp)
{
	return BPF_CORE_READ_BITFIELD(&tp->inet_conn, icsk_ca_state) < 3 /* TCP_CA_Recovery */ &&
	       !tp->inet_conn.icsk_retransmits;
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

/*
 * Segments handed to the subflow and not sent yet (rounded up): they wait
 * in its write queue for the congestion window, or for TSO to gather them.
 */
static __always_inline __u32 mptcp_subflow_unsent(const struct tcp_sock *tp)
{
	__u32 mss = tp->mss_cache ?: 1;

	return (tp->write_seq - tp->snd_nxt + mss - 1) / mss;
}

/*
 * Room in the congestion window for more data: what is in flight plus
 * what is already queued unsent stays below cwnd. Counting the queue
 * matters: the MPTCP socket hands data over in bursts, TCP may hold it
 * back to build TSO frames, and a subflow with a long unsent queue is
 * full even while its in-flight count is below cwnd.
 */
static __always_inline bool mptcp_subflow_cwnd_has_room(const struct tcp_sock *tp)
{
	return mptcp_subflow_in_flight(tp) + mptcp_subflow_unsent(tp) < tp->snd_cwnd;
}

#endif /* __MPTCP_BPF_H__ */
