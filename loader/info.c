// SPDX-License-Identifier: GPL-2.0
/*
 * info OBJ_FILE|BUILTIN|NAME: what a policy is before loading it (type,
 * registered name, callbacks, tunables with defaults and ranges, stats
 * counters), or, for a NAME loaded by mptcp-sched, the same read back
 * from the kernel plus its ids, current tunable values and counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mptcp_sched.h"
#include "builtin.h"

static void print_header(const char *name, const struct policy_kind *kind,
			 const char *key, const char *source)
{
	if (json_output) {
		json_key(key);
		json_string(source);
		json_key("name");
		json_string(name);
		json_key("type");
		kind ? json_string(kind->ops_type) : json_null();
		return;
	}
	printf("%-11s %s\n", key, source);
	printf("%-11s %s\n", "name:", name);
	if (kind)
		printf("%-11s %s (%s)\n", "type:", kind->ops_type, kind->what);
}

static void print_callbacks(const struct callback *cbs, int n)
{
	int i;

	if (json_output) {
		json_key("callbacks");
		json_begin_array();
		for (i = 0; i < n; i++) {
			json_begin_object();
			json_key("name");
			json_string(cbs[i].member);
			json_key("prog");
			json_string(cbs[i].prog);
			if (cbs[i].prog_id) {
				json_key("prog_id");
				json_uint(cbs[i].prog_id);
			}
			json_end_object();
		}
		json_end_array();
		return;
	}
	printf("%-11s", "callbacks:");
	for (i = 0; i < n; i++) {
		if (cbs[i].prog_id)
			printf(" %s (prog %u %s)", cbs[i].member, cbs[i].prog_id,
			       cbs[i].prog);
		else
			printf(" %s (%s)", cbs[i].member, cbs[i].prog);
		printf("%s", i + 1 < n ? "," : "");
	}
	printf("%s\n", n ? "" : " none");
}

/* Counter names: "sent", "hist[4]". */
static void print_stats_fields(const struct stats_layout *l)
{
	char buf[96];
	int i;

	if (json_output) {
		json_key("stats_fields");
		json_begin_array();
	} else {
		printf("%-11s", "stats:");
	}
	for (i = 0; i < l->n; i++) {
		if (l->f[i].nelems)
			snprintf(buf, sizeof(buf), "%s[%u]", l->f[i].name,
				 l->f[i].nelems);
		else
			snprintf(buf, sizeof(buf), "%s", l->f[i].name);
		if (json_output)
			json_string(buf);
		else
			printf(" %s%s", buf, i + 1 < l->n ? "," : "");
	}
	if (json_output)
		json_end_array();
	else
		printf("%s\n", l->n ? "" : " none");
}

static int info_object(const char *what)
{
	struct callback cbs[MAX_CALLBACKS];
	struct policy *p = NULL;
	int ncbs, err;

	err = policy_open(what, &p);
	if (err)
		return err;
	ncbs = policy_callbacks(p, cbs, MAX_CALLBACKS);

	if (json_output)
		json_begin_object();
	print_header(p->name, p->kind, json_output ? "object" : "object:",
		     p->source);
	print_callbacks(cbs, ncbs);
	tunables_print(&p->tun, "default");
	print_stats_fields(&p->stats_layout);
	if (json_output) {
		json_end_object();
		json_end_document();
	}
	policy_close(p);
	return 0;
}

static int info_loaded(const char *name)
{
	struct loaded_policy lp = { .rodata_fd = -1, .stats_fd = -1 };
	__u64 *totals = NULL;
	char dir[256];
	int err;

	err = caps_check("info", NEED_MANAGE);
	if (!err)
		err = loaded_open(name, &lp);
	if (err)
		return err;
	if (lp.stats_fd >= 0) {
		totals = calloc(lp.stats_layout.nslots, sizeof(*totals));
		err = totals ? stats_read(lp.stats_fd, &lp.stats_layout, totals) :
			       -ENOMEM;
		if (err)
			goto cleanup;
	}

	pin_path(dir, sizeof(dir), name, NULL);
	if (json_output)
		json_begin_object();
	print_header(lp.name, lp.kind, json_output ? "pinned" : "pinned:", dir);
	if (json_output) {
		json_key("link_id");
		json_uint(lp.link_id);
		json_key("map_id");
		json_uint(lp.map_id);
	} else {
		printf("%-11s %u\n%-11s %u\n", "link id:", lp.link_id,
		       "map id:", lp.map_id);
	}
	print_callbacks(lp.cbs, lp.ncbs);
	tunables_print(&lp.tun, "value");
	if (totals && !json_output) {
		printf("stats:\n");
		stats_print(&lp.stats_layout, totals, "  ");
	} else if (totals) {
		stats_print(&lp.stats_layout, totals, "");
	} else if (!json_output) {
		printf("%-11s none\n", "stats:");
	}
	if (json_output) {
		json_end_object();
		json_end_document();
	}
cleanup:
	free(totals);
	loaded_close(&lp);
	return err;
}

/*
 * A path is an object file; otherwise a name loaded by us wins over a
 * built-in, and a name we cannot check for (no access to the pins) is
 * taken as a loaded one, so the error says which privilege is missing.
 */
int cmd_info(const struct cmd_args *a)
{
	const char *what;
	size_t size;

	if (a->npos != 1) {
		error_msg("usage: " PROG_NAME " info OBJ_FILE|BUILTIN|NAME");
		return -EINVAL;
	}
	what = a->pos[0];
	if (looks_like_file(what))
		return info_object(what);
	if (pin_dir_exists(what))
		return info_loaded(what);
	if (errno == EACCES && !builtin_elf(what, &size) && access(what, F_OK))
		return info_loaded(what);
	return info_object(what);
}
