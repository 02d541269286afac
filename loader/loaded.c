// SPDX-License-Identifier: GPL-2.0
/*
 * A policy loaded by mptcp-sched, seen through its pins only: the link
 * gives the struct_ops map, whose value (as the kernel reports it) holds
 * the registered name and, in each implemented callback's slot, the
 * program id. The pinned "rodata" and "stats" maps carry their BTF ids,
 * so tunables and counters are named without the object file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "mptcp_sched.h"

/* Member "data" of struct bpf_struct_ops_<type>: the ops struct itself. */
static int ops_data_member(const struct btf *btf, __u32 value_type_id,
			   __u32 *off, const struct btf_type **ops)
{
	const struct btf_type *t = btf__type_by_id(btf, value_type_id);
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_struct(t))
		return -EINVAL;
	for (i = 0, m = btf_members(t); i < (int)btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), "data"))
			continue;
		*off = btf_member_bit_offset(t, i) / 8;
		*ops = btf__type_by_id(btf, btf__resolve_type(btf, m->type));
		return *ops && btf_is_struct(*ops) ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/*
 * The kernel keeps 15 characters of a program's name; its BTF has the
 * whole one (the FUNC its first func_info points at).
 */
static void prog_name(__u32 id, char *buf, size_t len)
{
	struct bpf_prog_info info = {};
	struct bpf_func_info finfo = {};
	__u32 info_len = sizeof(info);
	const struct btf_type *t;
	struct btf *btf = NULL;
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, len, "?");
	if (fd < 0)
		return;
	if (bpf_prog_get_info_by_fd(fd, &info, &info_len))
		goto out;
	snprintf(buf, len, "%s", info.name);
	if (!info.btf_id || !info.nr_func_info)
		goto out;

	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(finfo);
	info.func_info = (__u64)(unsigned long)&finfo;
	info_len = sizeof(info);
	if (bpf_prog_get_info_by_fd(fd, &info, &info_len))
		goto out;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	t = btf ? btf__type_by_id(btf, finfo.type_id) : NULL;
	if (t && btf_is_func(t))
		snprintf(buf, len, "%s", btf__name_by_offset(btf, t->name_off));
out:
	btf__free(btf);
	close(fd);
}

/* Kind, registered name and callbacks from the struct_ops map's value. */
static int read_ops_map(struct loaded_policy *lp, int map_fd)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), zero = 0, off;
	const struct btf_type *ops, *mt;
	const struct btf_member *m;
	const struct btf *btf;
	char *value = NULL;
	unsigned long id;
	int i, err;

	err = bpf_map_get_info_by_fd(map_fd, &info, &info_len);
	if (err) {
		error_msg("cannot inspect the struct_ops map of %s: %s",
			  lp->name, errstr(err));
		return err;
	}
	btf = vmlinux_btf();
	if (!btf || ops_data_member(btf, info.btf_vmlinux_value_type_id, &off, &ops)) {
		error_msg("cannot find the type of %s's struct_ops map in the kernel's BTF",
			  lp->name);
		return -ENOENT;
	}
	lp->kind = kind_by_ops_type(btf__name_by_offset(btf, ops->name_off));
	value = calloc(1, info.value_size);
	if (!value)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &zero, value)) {
		err = -errno;
		error_msg("cannot read the struct_ops map of %s: %s", lp->name,
			  errstr(err));
		goto out;
	}
	for (i = 0, m = btf_members(ops); i < (int)btf_vlen(ops); i++, m++) {
		__u32 moff = off + btf_member_bit_offset(ops, i) / 8;
		const char *mname = btf__name_by_offset(btf, m->name_off);

		mt = btf__type_by_id(btf, btf__resolve_type(btf, m->type));
		if (!strcmp(mname, "name") && btf_is_array(mt) &&
		    moff + btf_array(mt)->nelems <= info.value_size &&
		    strncmp(value + moff, lp->name, btf_array(mt)->nelems))
			warn_msg("pinned as %s, registered as %.*s", lp->name,
				 (int)btf_array(mt)->nelems, value + moff);
		if (!btf_is_ptr(mt) || moff + sizeof(id) > info.value_size ||
		    lp->ncbs == MAX_CALLBACKS)
			continue;
		if (!btf_is_func_proto(btf__type_by_id(btf, mt->type)))
			continue;
		/* the kernel stores the program id in the pointer's slot */
		memcpy(&id, value + moff, sizeof(id));
		if (!id)
			continue;
		lp->cbs[lp->ncbs].member = mname;
		lp->cbs[lp->ncbs].prog_id = id;
		prog_name(id, lp->cbs[lp->ncbs].prog, sizeof(lp->cbs[0].prog));
		lp->ncbs++;
	}
out:
	free(value);
	return err;
}

/* A pinned map and its BTF (from the kernel); -ENOENT if not pinned. */
static int open_pinned_map(const struct loaded_policy *lp, const char *file,
			   int *fd, struct bpf_map_info *info, struct btf **btf)
{
	__u32 info_len = sizeof(*info);
	char path[256];
	int err;

	err = pin_path(path, sizeof(path), lp->name, file);
	if (err)
		return err;
	*fd = bpf_obj_get(path);
	if (*fd < 0) {
		err = -errno;
		if (err != -ENOENT)
			error_msg("cannot open %s: %s", path, errstr(err));
		return err;
	}
	memset(info, 0, sizeof(*info));
	err = bpf_map_get_info_by_fd(*fd, info, &info_len);
	if (!err && !info->btf_id)
		err = -ENOENT;
	if (!err) {
		*btf = btf__load_from_kernel_by_id(info->btf_id);
		if (!*btf)
			err = -errno;
	}
	if (err)
		error_msg("cannot read the BTF of %s: %s", path, errstr(err));
	return err;
}

static int read_rodata(struct loaded_policy *lp)
{
	struct bpf_map_info info;
	__u32 zero = 0;
	void *data;
	int err;

	err = open_pinned_map(lp, "rodata", &lp->rodata_fd, &info, &lp->rodata_btf);
	if (err)
		return err == -ENOENT ? 0 : err;
	data = calloc(1, info.value_size);
	if (!data)
		return -ENOMEM;
	if (bpf_map_lookup_elem(lp->rodata_fd, &zero, data)) {
		err = -errno;
		error_msg("cannot read the tunables of %s: %s", lp->name,
			  errstr(err));
		free(data);
		return err;
	}
	/* lp->tun.data owns data from here; loaded_close() frees it */
	return tunables_parse(lp->rodata_btf, info.btf_value_type_id, data,
			      info.value_size, lp->name, &lp->tun);
}

static int read_stats_layout(struct loaded_policy *lp)
{
	struct bpf_map_info info;
	int err;

	err = open_pinned_map(lp, "stats", &lp->stats_fd, &info, &lp->stats_btf);
	if (err)
		return err == -ENOENT ? 0 : err;
	return stats_layout_parse(lp->stats_btf, info.btf_value_type_id,
				  lp->name, &lp->stats_layout);
}

/* -ENOENT, after loaded_not_found()'s message, if name is not ours. */
int loaded_open(const char *name, struct loaded_policy *lp)
{
	struct bpf_link_info info = {};
	__u32 info_len = sizeof(info);
	int link_fd = -1, map_fd = -1, err;
	char path[256];

	memset(lp, 0, sizeof(*lp));
	lp->rodata_fd = lp->stats_fd = -1;
	if (strlen(name) >= sizeof(lp->name) || strchr(name, '/') ||
	    name[0] == '.' || pin_path(path, sizeof(path), name, "link")) {
		loaded_not_found(name);
		return -ENOENT;
	}
	snprintf(lp->name, sizeof(lp->name), "%s", name);

	link_fd = bpf_obj_get(path);
	if (link_fd < 0) {
		err = -errno;
		if (err == -ENOENT && pin_dir_exists(name))
			error_msg("%s has no pinned link (left over from an interrupted load); run '" PROG_NAME " unload %s'",
				  name, name);
		else if (err == -ENOENT)
			loaded_not_found(name);
		else
			error_msg("cannot open %s: %s", path, errstr(err));
		return err;
	}
	err = bpf_link_get_info_by_fd(link_fd, &info, &info_len);
	if (err || info.type != BPF_LINK_TYPE_STRUCT_OPS) {
		error_msg("%s is not a struct_ops link%s%s", path,
			  err ? ": " : "", err ? errstr(err) : "");
		err = err ? err : -EINVAL;
		goto out;
	}
	lp->link_id = info.id;
	lp->map_id = info.struct_ops.map_id;
	map_fd = bpf_map_get_fd_by_id(lp->map_id);
	if (map_fd < 0) {
		err = -errno;
		error_msg("cannot open map id %u of %s: %s", lp->map_id, name,
			  errstr(err));
		goto out;
	}
	err = read_ops_map(lp, map_fd);
	if (!err)
		err = read_rodata(lp);
	if (!err)
		err = read_stats_layout(lp);
out:
	if (map_fd >= 0)
		close(map_fd);
	close(link_fd);
	if (err)
		loaded_close(lp);
	return err;
}

void loaded_close(struct loaded_policy *lp)
{
	free(lp->tun.data);
	lp->tun.data = NULL;
	tunables_free(&lp->tun);
	stats_layout_free(&lp->stats_layout);
	btf__free(lp->rodata_btf);
	btf__free(lp->stats_btf);
	lp->rodata_btf = lp->stats_btf = NULL;
	if (lp->rodata_fd >= 0)
		close(lp->rodata_fd);
	if (lp->stats_fd >= 0)
		close(lp->stats_fd);
	lp->rodata_fd = lp->stats_fd = -1;
}

/* "no policy named X ...": lists what is loaded, hints at kernel ones. */
void loaded_not_found(const char *name)
{
	const struct policy_kind *kind = kind_registered(name);
	char **names, list[512] = "";
	size_t off = 0;
	int i, n;

	if (pin_list(&names, &n))
		n = 0, names = NULL;
	for (i = 0; i < n && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s",
				i ? ", " : "", names[i]);
	pin_list_free(names, n);
	error_msg("no policy named '%s' was loaded by " PROG_NAME "%s%s%s; loaded: %s",
		  name, kind ? " (it is a registered " : "",
		  kind ? kind->what : "", kind ? ", not one of ours)" : "",
		  n ? list : "none");
}
