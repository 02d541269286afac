// SPDX-License-Identifier: GPL-2.0
/*
 * A policy's counters: the map "stats" (MPTCP_STATS() in
 * include/mptcp_bpf_stats.h), a per-CPU array with one entry whose value
 * is a struct of __u64 members and __u64 arrays. The member names, read
 * from BTF, are the counter names; userspace sums the CPUs.
 *
 * "stats NAME --watch SECS" prints them every SECS seconds until SIGINT
 * or SIGTERM (the handlers only set a flag).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "mptcp_sched.h"

static bool is_u64(const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t;

	t = btf__type_by_id(btf, btf__resolve_type(btf, type_id));
	return t && btf_is_int(t) && t->size == 8 && !btf_int_offset(t);
}

int stats_layout_parse(const struct btf *btf, __u32 type_id, const char *owner,
		       struct stats_layout *out)
{
	const struct btf_type *t, *mt;
	const struct btf_member *m;
	struct stat_field *f;
	int i;

	memset(out, 0, sizeof(*out));
	t = btf__type_by_id(btf, btf__resolve_type(btf, type_id));
	if (!t || !btf_is_struct(t) || !btf_vlen(t)) {
		error_msg("%s: the value of map 'stats' must be a struct of __u64 counters",
			  owner);
		return -EINVAL;
	}
	out->f = calloc(btf_vlen(t), sizeof(*out->f));
	if (!out->f) {
		error_msg("out of memory");
		return -ENOMEM;
	}
	out->value_size = t->size;
	for (i = 0, m = btf_members(t); i < (int)btf_vlen(t); i++, m++) {
		f = &out->f[out->n++];
		f->name = btf__name_by_offset(btf, m->name_off);
		f->offset = btf_member_bit_offset(t, i) / 8;
		mt = btf__type_by_id(btf, btf__resolve_type(btf, m->type));
		if (mt && btf_is_array(mt) && is_u64(btf, btf_array(mt)->type))
			f->nelems = btf_array(mt)->nelems;
		else if (!is_u64(btf, m->type) || btf_member_bitfield_size(t, i))
			goto bad;
		if (!f->name[0] || (mt && btf_is_array(mt) && !f->nelems))
			goto bad;
		out->nslots += f->nelems ? f->nelems : 1;
	}
	return 0;
bad:
	error_msg("%s: stats member '%s' is not a __u64 or a __u64 array",
		  owner, f->name[0] ? f->name : "(anonymous)");
	stats_layout_free(out);
	return -EINVAL;
}

void stats_layout_free(struct stats_layout *l)
{
	free(l->f);
	l->f = NULL;
	l->n = 0;
}

/* Sum every counter over the possible CPUs, in field order. */
int stats_read(int map_fd, const struct stats_layout *l, __u64 *totals)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;
	size_t stride = (l->value_size + 7) & ~7u;
	__u32 zero = 0, j, slot;
	char *buf;
	__u64 v;
	int err;

	if (ncpu < 0) {
		error_msg("cannot count the possible CPUs: %s", errstr(ncpu));
		return ncpu;
	}
	buf = calloc(ncpu, stride);
	if (!buf) {
		error_msg("out of memory");
		return -ENOMEM;
	}
	if (bpf_map_lookup_elem(map_fd, &zero, buf)) {
		err = -errno;
		error_msg("cannot read the stats map: %s", errstr(err));
		free(buf);
		return err;
	}
	memset(totals, 0, l->nslots * sizeof(*totals));
	for (cpu = 0; cpu < ncpu; cpu++) {
		for (i = 0, slot = 0; i < l->n; i++) {
			for (j = 0; j < (l->f[i].nelems ? l->f[i].nelems : 1); j++) {
				memcpy(&v, buf + cpu * stride + l->f[i].offset + 8 * j,
				       sizeof(v));
				totals[slot++] += v;
			}
		}
	}
	free(buf);
	return 0;
}

/* Human: "name=value" and "name[i]=value" lines; JSON: "stats": {...}. */
void stats_print(const struct stats_layout *l, const __u64 *totals,
		 const char *indent)
{
	__u32 j, slot = 0;
	int i;

	if (json_output) {
		json_key("stats");
		json_begin_object();
	}
	for (i = 0; i < l->n; i++) {
		const struct stat_field *f = &l->f[i];

		if (json_output) {
			json_key(f->name);
			if (f->nelems)
				json_begin_array();
		}
		for (j = 0; j < (f->nelems ? f->nelems : 1); j++, slot++) {
			if (json_output)
				json_uint(totals[slot]);
			else if (f->nelems)
				printf("%s%s[%u]=%" PRIu64 "\n", indent, f->name,
				       j, (uint64_t)totals[slot]);
			else
				printf("%s%s=%" PRIu64 "\n", indent, f->name,
				       (uint64_t)totals[slot]);
		}
		if (json_output && f->nelems)
			json_end_array();
	}
	if (json_output)
		json_end_object();
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_watch(const char *s, unsigned int *secs)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > 86400 || s[0] == '-') {
		error_msg("--watch '%s': expected whole seconds, 1..86400", s);
		return -EINVAL;
	}
	*secs = v;
	return 0;
}

static void print_round(const struct loaded_policy *lp, const __u64 *totals,
			bool watching)
{
	char stamp[32];
	time_t now;

	if (json_output) {
		json_begin_object();
		json_key("name");
		json_string(lp->name);
		if (watching) {
			json_key("time");
			json_uint(time(NULL));
		}
		stats_print(&lp->stats_layout, totals, "");
		json_end_object();
		json_end_document();
		return;
	}
	if (watching) {
		now = time(NULL);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&now));
		printf("--- %s %s\n", lp->name, stamp);
	}
	stats_print(&lp->stats_layout, totals, "");
	fflush(stdout);
}

int cmd_stats(const struct cmd_args *a)
{
	struct loaded_policy lp = { .rodata_fd = -1, .stats_fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec ts = {};
	unsigned int secs = 0;
	__u64 *totals = NULL;
	int err;

	if (a->npos != 1) {
		error_msg("usage: " PROG_NAME " stats NAME [--watch SECS]");
		return -EINVAL;
	}
	if (a->watch) {
		err = parse_watch(a->watch, &secs);
		if (err)
			return err;
	}
	err = caps_check("stats", NEED_MANAGE);
	if (err)
		return err;
	err = loaded_open(a->pos[0], &lp);
	if (err)
		goto cleanup;
	if (lp.stats_fd < 0) {
		error_msg("%s has no stats: its object defines no map 'stats'",
			  lp.name);
		err = -ENOENT;
		goto cleanup;
	}
	totals = calloc(lp.stats_layout.nslots, sizeof(*totals));
	if (!totals) {
		err = -ENOMEM;
		goto cleanup;
	}

	/* No SA_RESTART: a signal ends the sleep at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		err = stats_read(lp.stats_fd, &lp.stats_layout, totals);
		if (err)
			goto cleanup;
		print_round(&lp, totals, secs);
		if (!secs)
			break;
		ts.tv_sec = secs;
		while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
			;
		if (stop)
			break;
	}
cleanup:
	free(totals);
	loaded_close(&lp);
	return err;
}
