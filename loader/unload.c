// SPDX-License-Identifier: GPL-2.0
/*
 * unload NAME: remove the pins of a policy loaded by mptcp-sched. Closing
 * the last reference to the struct_ops link unregisters the policy;
 * connections already using it keep it until they close.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "mptcp_sched.h"

#define UNREGISTER_WAIT_MS	1000

/* The kernel unregisters when the link's last reference goes. */
static bool wait_unregistered(const struct policy_kind *kind, const char *name)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	char list[4096];
	int i;

	for (i = 0; i < UNREGISTER_WAIT_MS / 10; i++) {
		if (mptcp_sysctl_read(kind->available, list, sizeof(list)) ||
		    !word_in_list(list, name))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void warn_if_selected(const struct policy_kind *kind, const char *name)
{
	char cur[64];

	if (!mptcp_sysctl_read(kind->current, cur, sizeof(cur)) &&
	    !strcmp(cur, name))
		warn_msg("net.mptcp.%s still names %s in this netns; new connections get the kernel's default until you run '" PROG_NAME " use NAME'",
			 kind->current, name);
}

/* For the error message only: 0 if the link is not there. */
static __u32 pinned_link_id(const char *name)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char path[256];
	int fd;

	if (pin_path(path, sizeof(path), name, "link"))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_link_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

int cmd_unload(const struct cmd_args *a)
{
	const struct policy_kind *kind;
	const char *name;
	__u32 link_id;
	int err;

	if (a->npos != 1) {
		error_msg("usage: " PROG_NAME " unload NAME");
		return -EINVAL;
	}
	name = a->pos[0];
	err = caps_check("unload", NEED_MANAGE);
	if (err)
		return err;
	if (strchr(name, '/') || name[0] == '.' || !pin_dir_exists(name)) {
		loaded_not_found(name);
		return -ENOENT;
	}
	/* NULL for the leftovers of a failed load: nothing to wait for. */
	kind = kind_registered(name);
	link_id = pinned_link_id(name);

	err = pin_dir_remove(name);
	if (err)
		return err;
	if (kind && !wait_unregistered(kind, name)) {
		error_msg("unpinned %s, but the kernel still lists it in net.mptcp.%s: another process holds its link (see 'bpftool link show id %u')",
			  name, kind->available, link_id);
		return -EBUSY;
	}
	if (kind)
		warn_if_selected(kind, name);
	if (json_output) {
		json_begin_object();
		json_key("name");
		json_string(name);
		json_key("unloaded");
		json_bool(true);
		json_end_object();
		json_end_document();
	}
	return 0;
}
