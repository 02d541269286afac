// SPDX-License-Identifier: GPL-2.0
/*
 * load OBJ_FILE|BUILTIN [--set KEY=VALUE]... [--name NAME]
 *
 * Phases, top to bottom: open and inspect the object, apply --name and
 * --set (all user input is checked before touching the kernel), check
 * this process and this kernel, then create the pin directory, load,
 * attach (registers the policy) and pin. The policy persists after
 * exit; a failure at any step leaves nothing registered or pinned.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mptcp_sched.h"

static int check_not_registered(const struct policy *p)
{
	char list[4096], dir[256];
	int err;

	err = mptcp_sysctl_read(p->kind->available, list, sizeof(list));
	if (err)
		return err;
	if (word_in_list(list, p->name)) {
		error_msg("cannot load %s: a %s named %s is already registered (File exists); unload it or choose another --name",
			  p->source, p->kind->what, p->name);
		return -EEXIST;
	}
	if (pin_dir_exists(p->name)) {
		pin_path(dir, sizeof(dir), p->name, NULL);
		error_msg("cannot load %s: %s exists but %s is not registered; run '" PROG_NAME " unload %s' to clean up",
			  p->source, dir, p->name, p->name);
		return -EEXIST;
	}
	return 0;
}

static void print_loaded(const struct policy *p, struct bpf_link *link)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char dir[256];

	if (!json_output) {
		printf("%s\n", p->name);
		return;
	}
	bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len);
	pin_path(dir, sizeof(dir), p->name, NULL);
	json_begin_object();
	json_key("name");
	json_string(p->name);
	json_key("type");
	json_string(p->kind->ops_type);
	json_key("link_id");
	json_uint(info.id);
	json_key("map_id");
	json_uint(info.struct_ops.map_id);
	json_key("pinned");
	json_string(dir);
	json_end_object();
	json_end_document();
}

int cmd_load(const struct cmd_args *a)
{
	struct bpf_link *link = NULL;
	struct policy *p = NULL;
	bool dir_created = false, blocked = false;
	sigset_t block, saved;
	int i, err;

	if (a->npos != 1) {
		error_msg("usage: " PROG_NAME " load OBJ_FILE|BUILTIN [--set KEY=VALUE]... [--name NAME]");
		return -EINVAL;
	}

	/* The object and the user's choices: no privileges needed. */
	err = policy_open(a->pos[0], &p);
	if (err)
		goto cleanup;
	if (a->name)
		err = policy_set_name(p, a->name);
	else
		err = check_name(p->name, "from the object's .name");
	for (i = 0; !err && i < a->nsets; i++)
		err = tunables_set(&p->tun, a->sets[i], p->name);
	if (err)
		goto cleanup;

	/* This process and this kernel. */
	err = caps_check("load", NEED_LOAD);
	if (!err)
		err = mptcp_check_present();
	if (!err)
		err = kernel_check_struct_ops(p->kind, p->name);
	if (!err)
		err = check_not_registered(p);
	if (err)
		goto cleanup;

	/*
	 * From here on the kernel and bpffs change: Ctrl-C waits until the
	 * load has either completed or been undone.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &saved);
	blocked = true;

	/* Pin directory first: it is the lock against a concurrent load. */
	err = bpffs_mount();
	if (err)
		goto cleanup;
	err = pin_dir_create(p->name);
	if (err == -EEXIST)
		error_msg("cannot load %s: %s is being loaded by another " PROG_NAME,
			  p->source, p->name);
	if (err)
		goto cleanup;
	dir_created = true;

	log_reset();
	err = bpf_object__load(p->obj);
	if (err) {
		error_msg("cannot load %s from %s: %s; libbpf's and the verifier's reasons follow",
			  p->name, p->source, errstr(err));
		log_dump();
		goto cleanup;
	}
	link = bpf_map__attach_struct_ops(p->ops_map);
	if (!link) {
		err = -errno;
		if (err == -EEXIST)
			error_msg("cannot register %s: a %s with this name is already registered",
				  p->name, p->kind->what);
		else
			error_msg("cannot register %s as a %s: %s", p->name,
				  p->kind->what, errstr(err));
		log_dump();
		goto cleanup;
	}
	err = pin_policy(p->name, link, p->stats, p->rodata);
	if (err)
		goto cleanup;

	print_loaded(p, link);
cleanup:
	if (err && dir_created)
		pin_dir_remove(p->name);
	bpf_link__destroy(link);	/* the pin keeps it on success */
	policy_close(p);
	if (blocked)
		sigprocmask(SIG_SETMASK, &saved, NULL);
	return err;
}
