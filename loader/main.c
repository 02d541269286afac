// SPDX-License-Identifier: GPL-2.0
/*
 * mptcp-sched: load, inspect and select BPF MPTCP packet schedulers
 * (struct mptcp_sched_ops) and path managers (struct mptcp_pm_ops).
 *
 * Grammar after bpftool: mptcp-sched [OPTIONS] COMMAND [ARGS]. Options
 * may appear anywhere before "--"; every command takes -j.
 *
 * A loaded policy persists: its struct_ops link is pinned under
 * /sys/fs/bpf/mptcp-sched/<name>/ and stays registered after this
 * process exits, until "mptcp-sched unload <name>".
 */
#include <stdio.h>
#include <string.h>

#include "mptcp_sched.h"

#ifndef MPTCP_SCHED_VERSION
#define MPTCP_SCHED_VERSION "0.1"
#endif

static const char usage_text[] =
"Usage: " PROG_NAME " [-j] [-v] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  load OBJ_FILE|BUILTIN [--set KEY=VALUE]... [--name NAME]\n"
"                     load, register and pin a policy (it persists)\n"
"  unload NAME        unpin a policy loaded by " PROG_NAME "; the kernel\n"
"                     unregisters it\n"
"  use NAME           select a scheduler or path manager in this netns\n"
"  list               policies loaded by " PROG_NAME ", registered and\n"
"                     current schedulers and path managers\n"
"  stats NAME [--watch SECS]\n"
"                     a loaded policy's counters, summed over CPUs\n"
"  info OBJ_FILE|BUILTIN|NAME\n"
"                     type, name, callbacks, tunables (and ids, stats)\n"
"  help               this text\n"
"\n"
"Options:\n"
"  -j, --json         JSON output on stdout (errors stay on stderr)\n"
"  -v, --verbose      show libbpf's output as it happens\n"
"  -h, --help         this text\n"
"  -V, --version      print the version\n"
"\n"
"See " PROG_NAME "(8).\n";

struct command {
	const char *name;
	int (*fn)(const struct cmd_args *a);
};

static const struct command commands[] = {
	{ "load",	cmd_load },
	{ "unload",	cmd_unload },
	{ "use",	cmd_use },
	{ "list",	cmd_list },
	{ "stats",	cmd_stats },
	{ "info",	cmd_info },
};

/* "--opt VALUE" or "--opt=VALUE"; *i is advanced past what was used. */
static int take_value(int argc, char **argv, int *i, const char *opt,
		      const char **val)
{
	const char *arg = argv[*i];
	size_t len = strlen(opt);

	if (strncmp(arg, opt, len))
		return 0;
	if (arg[len] == '=') {
		*val = arg + len + 1;
		return 1;
	}
	if (arg[len])
		return 0;
	if (*i + 1 >= argc) {
		error_msg("option %s needs a value", opt);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

/* One pass over argv: global and command options in any order. */
static int parse_args(int argc, char **argv, struct cmd_args *a, bool *help,
		      bool *version)
{
	bool options_done = false;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val;

		if (options_done || arg[0] != '-' || !arg[1]) {
			if (!a->cmd) {
				a->cmd = arg;
				continue;
			}
			if (a->npos == MAX_POS) {
				error_msg("too many arguments for '%s' at '%s'",
					  a->cmd, arg);
				return -1;
			}
			a->pos[a->npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options_done = true;
		} else if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
			a->json = true;
		} else if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			a->verbose = true;
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			*help = true;
		} else if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
			*version = true;
		} else if ((r = take_value(argc, argv, &i, "--set", &val))) {
			if (r < 0)
				return -1;
			if (a->nsets == MAX_SETS) {
				error_msg("more than %d --set options", MAX_SETS);
				return -1;
			}
			a->sets[a->nsets++] = val;
		} else if ((r = take_value(argc, argv, &i, "--name", &val))) {
			if (r < 0)
				return -1;
			a->name = val;
		} else if ((r = take_value(argc, argv, &i, "--watch", &val))) {
			if (r < 0)
				return -1;
			a->watch = val;
		} else {
			error_msg("unknown option '%s'; run '" PROG_NAME " --help'",
				  arg);
			return -1;
		}
	}
	return 0;
}

/* Options that only some commands take. */
static int check_options(const struct cmd_args *a)
{
	const char *bad = NULL;

	if (a->nsets && strcmp(a->cmd, "load"))
		bad = "--set";
	else if (a->name && strcmp(a->cmd, "load"))
		bad = "--name";
	else if (a->watch && strcmp(a->cmd, "stats"))
		bad = "--watch";
	if (bad) {
		error_msg("option %s does not apply to '%s'", bad, a->cmd);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cmd_args a = {};
	bool help = false, version = false;
	size_t i;
	int ret;

	if (parse_args(argc, argv, &a, &help, &version))
		return 1;
	if (version) {
		printf(PROG_NAME " %s\n", MPTCP_SCHED_VERSION);
		return 0;
	}
	if (help || (a.cmd && !strcmp(a.cmd, "help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!a.cmd) {
		fputs(usage_text, stderr);
		return 1;
	}

	json_output = a.json;
	log_setup(a.verbose);

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(a.cmd, commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		error_msg("unknown command '%s'; run '" PROG_NAME " --help'",
			  a.cmd);
		ret = 1;
	} else if (check_options(&a)) {
		ret = 1;
	} else {
		ret = commands[i].fn(&a) ? 1 : 0;
	}
	vmlinux_btf_free();
	log_free();
	return ret;
}
