// SPDX-License-Identifier: GPL-2.0
/*
 * A path manager that misuses every action, for test_pm_robustness.sh.
 *
 * Each callback calls the bpf_mptcp_pm_*() kfuncs with arguments the
 * kernel must refuse (wrong or mismatched families, an address that is
 * not an endpoint, a negative ifindex, timers out of range, id 0, too
 * many requests, actions outside an event callback) and records each
 * return code in `results` (the object's .data map; the test reads it
 * with bpftool). A probe that never ran keeps NOT_RUN. The expected codes
 * are in the test; the comments name them for the reader.
 *
 * The test runs it on 2 paths with the client's `ip mptcp limits set
 * subflow 1`: of all the subflows requested, exactly one is valid and
 * within the limits (create_ok, a subflow 10.0.2.1 -> the peer), so a
 * working kernel ends with 2 subflows and a byte-exact transfer. (The
 * announces that fill the request queue are valid; the server's in-kernel
 * PM, add_addr_accepted 0, opens nothing for them.)
 */
#include "mptcp_bpf_pm.h"
#include <bpf/bpf_endian.h>

char _license[] SEC("license") = "GPL";

#define NOT_RUN		1

/* 10.0.X.Y in network order */
#define IP4(x, y)	bpf_htonl(0x0a000000 | ((x) << 8) | (y))

/* a local address that is the topology's endpoint id 2 */
#define EP_ADDR		IP4(2, 1)
#define WITHDRAW_ID	42	/* an id this host never announced */
#define QUEUE_FILL	7	/* requests queued after create_ok: 8 in all */

#define PM_BAD_PROBES(X)						\
	/* init: no action allowed outside event callbacks */		\
	X(init_create)		/* -EPERM */				\
	X(init_timer)		/* -EPERM */				\
	X(init_announce)	/* -EPERM */				\
	X(init_withdraw)	/* -EPERM */				\
	X(init_remote_get)	/* -ENOENT: no peer address yet */	\
	/* established */						\
	X(create_ifindex_neg)	/* -EINVAL */				\
	X(create_family_mismatch) /* -EAFNOSUPPORT: v4 local, v6 remote */ \
	X(create_remote_unspec)	/* -EAFNOSUPPORT */			\
	X(create_unspec)	/* -EAFNOSUPPORT: both AF_UNSPEC */	\
	X(create_bad_family)	/* -EAFNOSUPPORT: both family 99 */	\
	X(create_v6_on_v4)	/* -EAFNOSUPPORT: v6 pair, v4 connection */ \
	X(create_not_endpoint)	/* -EADDRNOTAVAIL */			\
	X(timer_zero)		/* -ERANGE */				\
	X(timer_too_long)	/* -ERANGE: 600001 ms */		\
	X(timer_max)		/* 0: 600000 ms is allowed */		\
	X(withdraw_zero)	/* -EINVAL: id 0 is the initial address */ \
	X(withdraw_unknown)	/* -ENOENT: an id never announced */	\
	X(announce_unspec)	/* -EINVAL */				\
	X(announce_not_endpoint) /* -EADDRNOTAVAIL */			\
	X(announce_v6_not_endpoint) /* -EADDRNOTAVAIL */		\
	X(announce_initial)	/* -EINVAL: the initial address, id 0 */ \
	X(endpoint_get_range)	/* -ENOENT: index 1000 */		\
	X(remote_get_range)	/* -ENOENT: index 1000 */		\
	X(remote_get_first)	/* 0 */					\
	X(create_ok)		/* 0: the one valid request */		\
	X(create_over_limit)	/* -EDQUOT: limits subflow 1 */		\
	X(queued)		/* QUEUE_FILL: announces accepted */	\
	X(create_queue_full)	/* -ENOBUFS */				\
	X(announce_queue_full)	/* -ENOBUFS */				\
	X(timer_queue_full)	/* 0: timers are not queued */		\
	/* closed: called outside the worker, no action allowed */	\
	X(closed_timer)		/* -EPERM */				\
	X(closed_create)	/* -EPERM */

struct pm_bad_results {
#define PM_BAD_FIELD(name) int name;
	PM_BAD_PROBES(PM_BAD_FIELD)
#undef PM_BAD_FIELD
	/* how often each callback ran */
	int init_calls;
	int established_calls;
	int closed_calls;
};

/* initialised, so in .data: every probe starts as NOT_RUN, calls at 0 */
struct pm_bad_results results = {
#define PM_BAD_INIT(name) .name = NOT_RUN,
	PM_BAD_PROBES(PM_BAD_INIT)
#undef PM_BAD_INIT
};

static __always_inline void ip4(struct mptcp_addr_info *a, __be32 addr)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->addr.s_addr = addr;
}

static __always_inline void ip6_doc(struct mptcp_addr_info *a, __u8 last)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->addr6.in6_u.u6_addr8[0] = 0x20;	/* 2001:db8::last */
	a->addr6.in6_u.u6_addr8[1] = 0x01;
	a->addr6.in6_u.u6_addr8[2] = 0x0d;
	a->addr6.in6_u.u6_addr8[3] = 0xb8;
	a->addr6.in6_u.u6_addr8[15] = last;
}

SEC("struct_ops")
void BPF_PROG(pm_bad_init, struct mptcp_sock *msk)
{
	struct mptcp_addr_info local, remote;

	__sync_fetch_and_add(&results.init_calls, 1);
	ip4(&local, EP_ADDR);
	ip4(&remote, IP4(1, 2));
	results.init_create = bpf_mptcp_pm_subflow_create(msk, &local, &remote, 0, false);
	results.init_timer = bpf_mptcp_pm_timer_arm(msk, 1000);
	results.init_announce = bpf_mptcp_pm_announce(msk, &local);
	results.init_withdraw = bpf_mptcp_pm_withdraw(msk, 2);
	results.init_remote_get = bpf_mptcp_pm_remote_get(msk, 0, &remote);
}

SEC("struct_ops")
void BPF_PROG(pm_bad_established, struct mptcp_sock *msk)
{
	struct mptcp_addr_info local, remote, other;
	__u32 flags = 0;
	int ifindex = 0, i, queued = 0;

	__sync_fetch_and_add(&results.established_calls, 1);
	ip4(&remote, IP4(1, 2));
	results.remote_get_first = bpf_mptcp_pm_remote_get(msk, 0, &remote);
	ip4(&local, EP_ADDR);

	results.create_ifindex_neg =
		bpf_mptcp_pm_subflow_create(msk, &local, &remote, -1, false);
	ip6_doc(&other, 2);
	results.create_family_mismatch =
		bpf_mptcp_pm_subflow_create(msk, &local, &other, 0, false);
	__builtin_memset(&other, 0, sizeof(other));
	results.create_remote_unspec =
		bpf_mptcp_pm_subflow_create(msk, &local, &other, 0, false);
	results.create_unspec =
		bpf_mptcp_pm_subflow_create(msk, &other, &other, 0, false);
	other.family = 99;
	results.create_bad_family =
		bpf_mptcp_pm_subflow_create(msk, &other, &other, 0, false);
	{
		struct mptcp_addr_info l6, r6;

		ip6_doc(&l6, 1);
		ip6_doc(&r6, 2);
		results.create_v6_on_v4 =
			bpf_mptcp_pm_subflow_create(msk, &l6, &r6, 0, false);
		results.announce_v6_not_endpoint = bpf_mptcp_pm_announce(msk, &l6);
	}
	ip4(&other, IP4(9, 1));
	results.create_not_endpoint =
		bpf_mptcp_pm_subflow_create(msk, &other, &remote, 0, false);
	results.announce_not_endpoint = bpf_mptcp_pm_announce(msk, &other);

	results.timer_zero = bpf_mptcp_pm_timer_arm(msk, 0);
	results.timer_too_long = bpf_mptcp_pm_timer_arm(msk, 600001);
	results.timer_max = bpf_mptcp_pm_timer_arm(msk, 600000);

	results.withdraw_zero = bpf_mptcp_pm_withdraw(msk, 0);
	results.withdraw_unknown = bpf_mptcp_pm_withdraw(msk, WITHDRAW_ID);
	__builtin_memset(&other, 0, sizeof(other));
	results.announce_unspec = bpf_mptcp_pm_announce(msk, &other);
	ip4(&other, IP4(1, 1));
	results.announce_initial = bpf_mptcp_pm_announce(msk, &other);

	results.endpoint_get_range =
		bpf_mptcp_pm_endpoint_get(msk, 1000, &other, &flags, &ifindex);
	results.remote_get_range = bpf_mptcp_pm_remote_get(msk, 1000, &other);

	/* the one valid request, then the same beyond the subflow limit */
	ifindex = 0;
	mptcp_pm_endpoint_of(msk, &local, &ifindex);
	results.create_ok =
		bpf_mptcp_pm_subflow_create(msk, &local, &remote, ifindex, false);
	results.create_over_limit =
		bpf_mptcp_pm_subflow_create(msk, &local, &remote, ifindex, false);

	/* fill the request queue (8), then one more of each kind; of the
	 * announces of endpoint 2 only the first goes out (the kernel drops
	 * an address already announced), and the server ignores it
	 * (add_addr_accepted 0)
	 */
	bpf_for(i, 0, QUEUE_FILL) {
		if (!bpf_mptcp_pm_announce(msk, &local))
			queued++;
	}
	results.queued = queued;
	results.create_queue_full =
		bpf_mptcp_pm_subflow_create(msk, &local, &remote, ifindex, false);
	results.announce_queue_full = bpf_mptcp_pm_announce(msk, &local);
	results.timer_queue_full = bpf_mptcp_pm_timer_arm(msk, 600000);
}

SEC("struct_ops")
void BPF_PROG(pm_bad_closed, struct mptcp_sock *msk)
{
	struct mptcp_addr_info local, remote;

	__sync_fetch_and_add(&results.closed_calls, 1);
	ip4(&local, EP_ADDR);
	ip4(&remote, IP4(1, 2));
	results.closed_timer = bpf_mptcp_pm_timer_arm(msk, 1000);
	results.closed_create = bpf_mptcp_pm_subflow_create(msk, &local, &remote, 0, false);
}

SEC(".struct_ops.link")
struct mptcp_pm_ops pm_bad_args = {
	.init		= (void *)pm_bad_init,
	.established	= (void *)pm_bad_established,
	.closed		= (void *)pm_bad_closed,
	.name		= "bpf_t_pm_bad",
};
