// SPDX-License-Identifier: GPL-2.0
/*
 * list: the policies loaded (pinned) by mptcp-sched with their ids, then
 * what the kernel has registered and selects, for schedulers and path
 * managers, in the current network namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mptcp_sched.h"

static void print_policy(const struct loaded_policy *lp)
{
	char progs[256] = "";
	size_t off = 0;
	int i;

	if (json_output) {
		json_begin_object();
		json_key("name");
		json_string(lp->name);
		json_key("type");
		lp->kind ? json_string(lp->kind->ops_type) : json_null();
		json_key("link_id");
		json_uint(lp->link_id);
		json_key("map_id");
		json_uint(lp->map_id);
		json_key("prog_ids");
		json_begin_array();
		for (i = 0; i < lp->ncbs; i++)
			json_uint(lp->cbs[i].prog_id);
		json_end_array();
		json_end_object();
		return;
	}
	for (i = 0; i < lp->ncbs && off < sizeof(progs); i++)
		off += snprintf(progs + off, sizeof(progs) - off, "%s%u",
				i ? "," : "", lp->cbs[i].prog_id);
	printf("  %-16s %-13s %-6u %-6u %s\n", lp->name,
	       lp->kind ? lp->kind->what : "?", lp->link_id, lp->map_id, progs);
}

/* One kind's available list and current choice; -errno on read failure. */
static int print_kind(const struct policy_kind *kind)
{
	char avail[4096], cur[64], label[32], *tok, *save = NULL;
	int err;

	err = mptcp_sysctl_read(kind->available, avail, sizeof(avail));
	if (!err)
		err = mptcp_sysctl_read(kind->current, cur, sizeof(cur));
	if (err)
		return err;
	if (!json_output) {
		/* "path_managers" -> "path managers:" */
		snprintf(label, sizeof(label), "%s:", kind->plural);
		for (tok = label; *tok; tok++)
			if (*tok == '_')
				*tok = ' ';
		printf("%-15s %s (current: %s)\n", label, avail, cur);
		return 0;
	}
	json_key(kind->plural);
	json_begin_object();
	json_key("available");
	json_begin_array();
	for (tok = strtok_r(avail, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save))
		json_string(tok);
	json_end_array();
	json_key("current");
	json_string(cur);
	json_end_object();
	return 0;
}

int cmd_list(const struct cmd_args *a)
{
	const struct policy_kind *kinds;
	struct loaded_policy lp;
	int i, n, nkinds, err, ret = 0;
	char **names = NULL;

	if (a->npos) {
		error_msg("usage: " PROG_NAME " list");
		return -EINVAL;
	}
	err = caps_check("list", NEED_MANAGE);
	if (!err)
		err = mptcp_check_present();
	if (!err)
		err = pin_list(&names, &n);
	if (err)
		return err;

	if (json_output) {
		json_begin_object();
		json_key("loaded");
		json_begin_array();
	} else if (n) {
		printf("loaded by " PROG_NAME " (pinned in " PIN_ROOT "):\n");
		printf("  %-16s %-13s %-6s %-6s %s\n", "NAME", "TYPE", "LINK",
		       "MAP", "PROGS");
	} else {
		printf("loaded by " PROG_NAME ": none\n");
	}
	for (i = 0; i < n; i++) {
		/* a broken entry is reported and the others still listed */
		if (loaded_open(names[i], &lp)) {
			ret = -EINVAL;
			continue;
		}
		print_policy(&lp);
		loaded_close(&lp);
	}
	if (json_output)
		json_end_array();

	kinds = kind_all(&nkinds);
	for (i = 0; i < nkinds; i++) {
		err = print_kind(&kinds[i]);
		if (err)
			ret = err;
	}
	if (json_output) {
		json_end_object();
		json_end_document();
	}
	pin_list_free(names, n);
	return ret;
}
