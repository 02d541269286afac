// SPDX-License-Identifier: GPL-2.0
/*
 * use NAME: select a registered scheduler (net.mptcp.scheduler) or path
 * manager (net.mptcp.path_manager) in the current network namespace;
 * which one follows from the available_* list that holds NAME. Works for
 * the kernel's own ("default", "kernel") as well as BPF ones. New MPTCP
 * connections use it; existing ones keep theirs.
 */
#include <errno.h>
#include <stdio.h>

#include "mptcp_sched.h"

int cmd_use(const struct cmd_args *a)
{
	const struct policy_kind *kind;
	char sched[1024] = "", pm[1024] = "", sysctl[64];
	int err;

	if (a->npos != 1) {
		error_msg("usage: " PROG_NAME " use NAME");
		return -EINVAL;
	}
	err = mptcp_check_present();
	if (!err)
		err = caps_check("use", NEED_USE);
	if (err)
		return err;

	kind = kind_registered(a->pos[0]);
	if (!kind) {
		mptcp_sysctl_read("available_schedulers", sched, sizeof(sched));
		mptcp_sysctl_read("available_path_managers", pm, sizeof(pm));
		error_msg("no scheduler or path manager named '%s' is registered; schedulers: %s; path managers: %s",
			  a->pos[0], sched, pm);
		return -ENOENT;
	}
	err = mptcp_sysctl_write(kind->current, a->pos[0]);
	if (err)
		return err;
	if (json_output) {
		json_begin_object();
		json_key("name");
		json_string(a->pos[0]);
		json_key("kind");
		json_string(kind->what);
		json_key("sysctl");
		snprintf(sysctl, sizeof(sysctl), "net.mptcp.%s", kind->current);
		json_string(sysctl);
		json_end_object();
		json_end_document();
	}
	return 0;
}
