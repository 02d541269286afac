// SPDX-License-Identifier: GPL-2.0
/*
 * backup_if: subflows on designated interfaces are backups; promote one
 * when the primaries fail, demote it when a primary returns.
 *
 * It opens a subflow from every `ip mptcp endpoint` (subflow flag) to the
 * peer's initial address; those on an interface in backup_ifmask (bit N
 * = interface index N) are opened as backup subflows. Every check_ms it
 * looks at the non-backup subflows: when none is active (all closed or
 * stale after their link died), it promotes a backup subflow with MP_PRIO
 * so the scheduler uses it as a primary; once a primary is active again,
 * it demotes it. Missing subflows are reopened on the same tick.
 *
 * When it helps: an expensive or metered link (LTE next to DSL, a
 * satellite backup) that must carry traffic only while the main one is
 * down, also with schedulers that ignore backup subflows entirely.
 * Weaknesses: reacts at the check_ms tick, after the kernel marks the
 * primaries stale; interfaces are named by index, not by name.
 * Tunables: backup_ifmask, check_ms.
 */
#include "mptcp_bpf_pm.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 backup_ifmask
	MPTCP_TUNABLE(0, 4294967295, "interfaces whose subflows are backups, bit N = ifindex N") = 0;
const volatile __u32 check_ms
	MPTCP_TUNABLE(50, 60000, "interval of the primary/backup check, ms") = 500;

struct backup_if_stats {
	__u64 created;
	__u64 create_failed;
	__u64 promoted;		/* backup made primary: primaries were down */
	__u64 demoted;		/* back to backup: a primary returned */
	__u64 checks;
};
MPTCP_STATS(struct backup_if_stats);

static __always_inline bool backup_if_designated(int ifindex)
{
	return ifindex > 0 && ifindex < 32 && (backup_ifmask & (1U << ifindex));
}

static bool backup_if_on_backup(struct mptcp_sock *msk,
				struct mptcp_subflow_context *subflow)
{
	struct mptcp_addr_info l = {}, r = {};
	int ifindex = 0;

	bpf_mptcp_subflow_addrs(subflow, &l, &r);
	return mptcp_pm_endpoint_of(msk, &l, &ifindex) >= 0 &&
	       backup_if_designated(ifindex);
}

/* A subflow from every endpoint to the peer's initial address. */
static void backup_if_open(struct mptcp_sock *msk)
{
	struct mptcp_addr_info remote = {};
	__u32 i;

	if (bpf_mptcp_pm_remote_get(msk, 0, &remote))
		return;

	bpf_for(i, 0, MPTCP_PM_MAX_ENDPOINTS) {
		struct mptcp_addr_info local = {};
		__u32 flags = 0;
		int ifindex = 0;

		if (bpf_mptcp_pm_endpoint_get(msk, i, &local, &flags, &ifindex))
			break;
		if (!(flags & MPTCP_PM_ADDR_FLAG_SUBFLOW) || local.family != remote.family ||
		    mptcp_pm_has_subflow(msk, &local, NULL))
			continue;
		if (bpf_mptcp_pm_subflow_create(msk, &local, &remote, ifindex,
						backup_if_designated(ifindex)))
			MPTCP_STAT_INC(create_failed);
		else
			MPTCP_STAT_INC(created);
	}
}

static void backup_if_check(struct mptcp_sock *msk)
{
	struct mptcp_subflow_context *subflow, *spare = NULL, *promoted = NULL;
	bool primary_up = false;

	bpf_for_each(mptcp_subflow, subflow, (struct sock *)msk) {
		bool active = mptcp_subflow_active(subflow);

		if (!backup_if_on_backup(msk, subflow)) {
			primary_up |= active;
		} else if (!mptcp_subflow_is_backup(subflow)) {
			promoted = subflow;
		} else if (active && !spare) {
			spare = subflow;
		}
	}

	if (!primary_up && !promoted && spare) {
		if (!bpf_mptcp_pm_set_backup(msk, spare, false))
			MPTCP_STAT_INC(promoted);
	} else if (primary_up && promoted) {
		if (!bpf_mptcp_pm_set_backup(msk, promoted, true))
			MPTCP_STAT_INC(demoted);
	}
}

static void backup_if_tick(struct mptcp_sock *msk)
{
	MPTCP_STAT_INC(checks);
	backup_if_open(msk);
	backup_if_check(msk);
	bpf_mptcp_pm_timer_arm(msk, check_ms);
}

SEC("struct_ops")
void BPF_PROG(backup_if_established, struct mptcp_sock *msk)
{
	backup_if_tick(msk);
}

SEC("struct_ops")
void BPF_PROG(backup_if_timeout, struct mptcp_sock *msk)
{
	backup_if_tick(msk);
}

SEC(".struct_ops.link")
struct mptcp_pm_ops backup_if = {
	.established	= (void *)backup_if_established,
	.timeout	= (void *)backup_if_timeout,
	.name		= "bpf_backup_if",
};
