/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mptcp_bpf_stats.h - counters a policy shares with `mptcp-sched stats`.
 *
 *	struct rr_stats {
 *		__u64 picked;			counter "picked"
 *		__u64 no_subflow;
 *		__u64 burst_len[8];		counters "burst_len[0]".."[7]"
 *	};
 *	MPTCP_STATS(struct rr_stats);
 *	...
 *	MPTCP_STAT_INC(picked);
 *	MPTCP_STAT_ADD_AT(burst_len, n - 1, 1);	index checked, ignored if >= 8
 *
 * The map is named "stats": a per-CPU array with one entry whose value
 * is a struct of __u64 members and __u64 arrays; the member names are
 * the counter names (mptcp-sched reads them from BTF and sums the CPUs).
 * Per-CPU, so the updates are plain adds: a callback interrupted on its
 * CPU by another one (softirq) may rarely lose an increment.
 */
#ifndef __MPTCP_BPF_STATS_H__
#define __MPTCP_BPF_STATS_H__

#define MPTCP_STATS(stats_struct)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);		\
		__uint(max_entries, 1);					\
		__type(key, __u32);					\
		__type(value, stats_struct);				\
	} stats SEC(".maps")

/* This CPU's counters; NULL only if the map were missing its entry. */
#define mptcp_stats_this_cpu()						\
	({								\
		__u32 __mptcp_stats_key = 0;				\
		(__typeof__(*stats.value) *)				\
			bpf_map_lookup_elem(&stats, &__mptcp_stats_key);\
	})

#define MPTCP_STAT_ADD(field, n)					\
	do {								\
		__typeof__(*stats.value) *__s = mptcp_stats_this_cpu();\
									\
		if (__s)						\
			__s->field += (n);				\
	} while (0)

#define MPTCP_STAT_INC(field) MPTCP_STAT_ADD(field, 1)

/* field[idx] += n for an array counter; an idx out of bounds is dropped. */
#define MPTCP_STAT_ADD_AT(field, idx, n)				\
	do {								\
		__typeof__(*stats.value) *__s = mptcp_stats_this_cpu();\
		__u32 __i = (idx);					\
									\
		if (__s && __i < sizeof(__s->field) / sizeof(__s->field[0])) \
			__s->field[__i] += (n);				\
	} while (0)

#define MPTCP_STAT_INC_AT(field, idx) MPTCP_STAT_ADD_AT(field, idx, 1)

#endif /* __MPTCP_BPF_STATS_H__ */
