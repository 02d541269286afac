// SPDX-License-Identifier: GPL-2.0
/*
 * Open a policy object (a file or a built-in) with libbpf and inspect it
 * without loading it: its one struct_ops map and that map's type, the
 * registered name, the callbacks it implements, its tunables and its
 * stats map. Nothing here needs privileges or touches the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "mptcp_sched.h"
#include "builtin.h"

#define OBJECT_MAX_SIZE	(256u << 20)
#define EM_BPF_		247	/* elf.h's EM_BPF, without pulling in elf.h */

static const struct policy_kind kinds[] = {
	{ "mptcp_sched_ops", "scheduler", "schedulers", "available_schedulers",
	  "scheduler" },
	{ "mptcp_pm_ops", "path manager", "path_managers",
	  "available_path_managers", "path_manager" },
};

const struct policy_kind *kind_all(int *n)
{
	*n = sizeof(kinds) / sizeof(kinds[0]);
	return kinds;
}

const struct policy_kind *kind_by_ops_type(const char *ops_type)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].ops_type, ops_type))
			return &kinds[i];
	return NULL;
}

/* A path (has a '/' or ends in .o), not a built-in name. */
bool looks_like_file(const char *what)
{
	size_t len = strlen(what);

	return strchr(what, '/') || (len > 2 && !strcmp(what + len - 2, ".o"));
}

/*
 * Registered names end up in sysctl lists (space separated) and in a
 * bpffs path, so they are kept to a safe alphabet.
 */
int check_name(const char *name, const char *what)
{
	size_t len = strlen(name), i;

	if (!len) {
		error_msg("the name (%s) is empty", what);
		return -EINVAL;
	}
	if (len >= POLICY_NAME_MAX) {
		error_msg("name '%s' (%s) is too long: %zu bytes, the kernel takes at most %d",
			  name, what, len, POLICY_NAME_MAX - 1);
		return -ENAMETOOLONG;
	}
	for (i = 0; i < len; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || (c == '.' && i))
			continue;
		/* the kernel takes [A-Za-z0-9_.] only (bpf_obj_name_cpy()) */
		error_msg("name '%s' (%s) has a character other than letters, digits, '_' and '.'",
			  name, what);
		return -EINVAL;
	}
	return 0;
}

static int read_object_file(const char *path, void **buf, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t off = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		error_msg("cannot open object '%s': %s", path, strerror(-err));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		error_msg("cannot open object '%s': %s", path, strerror(-err));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > OBJECT_MAX_SIZE) {
		err = -EINVAL;
		error_msg("cannot open object '%s': not a regular file of at most %u MiB",
			  path, OBJECT_MAX_SIZE >> 20);
		goto out;
	}
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		err = -ENOMEM;
		error_msg("cannot open object '%s': out of memory", path);
		goto out;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, (char *)*buf + off, st.st_size - off);
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			error_msg("cannot read object '%s': %s", path, strerror(-err));
			free(*buf);
			*buf = NULL;
			goto out;
		}
		off += n;
	}
	*size = off;
out:
	close(fd);
	return err;
}

static int check_elf(const struct policy *p)
{
	const unsigned char *e = p->elf;
	unsigned int machine;

	if (p->elf_size < 20 || memcmp(e, "\177ELF", 4)) {
		error_msg("cannot open %s: not an ELF file; give a BPF object built with clang -target bpf, or a built-in name",
			  p->source);
		return -ENOEXEC;
	}
	/* e_machine, in the byte order of EI_DATA (1: little endian) */
	machine = e[5] == 1 ? e[18] | e[19] << 8 : e[18] << 8 | e[19];
	if (machine != EM_BPF_) {
		error_msg("cannot open %s: an ELF file for machine %u, not a BPF object (EM_BPF %u)",
			  p->source, machine, EM_BPF_);
		return -ENOEXEC;
	}
	return 0;
}

static void list_builtins(char *buf, size_t len)
{
	const char *name;
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; (name = builtin_name(i)) && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", name);
	if (!i)
		snprintf(buf, len, "none (bpf/ had no policy when it was built)");
}

/* p->source: "built-in 'first'" or "'path/to/x.bpf.o'", for messages. */
static int set_source(struct policy *p, bool builtin, const char *what)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s'%s'", builtin ? "built-in " : "", what);
	p->source = strdup(buf);
	if (!p->source) {
		error_msg("out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* Find the ELF bytes of a file or a built-in; p->source names it. */
static int policy_find(const char *what, struct policy *p)
{
	char names[512];
	const void *elf;

	if (!looks_like_file(what)) {
		elf = builtin_elf(what, &p->elf_size);
		if (elf) {
			p->elf = (void *)elf;
			return set_source(p, true, what);
		}
		if (access(what, F_OK)) {
			list_builtins(names, sizeof(names));
			error_msg("no object file and no built-in policy named '%s'; built-ins: %s",
				  what, names);
			return -ENOENT;
		}
	}
	if (set_source(p, false, what))
		return -ENOMEM;
	p->elf_owned = true;
	return read_object_file(what, &p->elf, &p->elf_size);
}

/* "dir/rr.bpf.o" -> "rr": libbpf names the object's internal maps after it. */
static void object_name(const char *what, char *buf, size_t len)
{
	const char *base = strrchr(what, '/');
	char *dot;

	snprintf(buf, len, "%s", base ? base + 1 : what);
	dot = strchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
}

static int find_ops_map(struct policy *p)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	const struct btf_type *t;
	struct bpf_map *map;
	const char *tname;
	int n = 0;

	bpf_object__for_each_map(map, p->obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		if (n++) {
			error_msg("%s has more than one struct_ops map ('%s' and '%s'); " PROG_NAME " loads one policy per object",
				  p->source, bpf_map__name(p->ops_map),
				  bpf_map__name(map));
			return -EINVAL;
		}
		p->ops_map = map;
	}
	if (!n) {
		error_msg("%s has no struct_ops map; a policy defines SEC(\".struct_ops.link\") struct mptcp_sched_ops (or mptcp_pm_ops) NAME = { ... }",
			  p->source);
		return -ENOENT;
	}

	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(p->ops_map));
	tname = t ? btf__name_by_offset(btf, t->name_off) : "?";
	p->kind = kind_by_ops_type(tname);
	if (!p->kind) {
		error_msg("%s: struct_ops map '%s' is a struct %s, not an MPTCP policy (mptcp_sched_ops or mptcp_pm_ops)",
			  p->source, bpf_map__name(p->ops_map), tname);
		return -EINVAL;
	}
	return 0;
}

/* The struct_ops initial value and where its char name[] lives. */
static int find_ops_name(struct policy *p)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	const struct btf_type *t, *mt;
	const struct btf_member *m;
	size_t size;
	int i;

	p->ops_data = bpf_map__initial_value(p->ops_map, &size);
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(p->ops_map));
	if (!p->ops_data || !t)
		return -EINVAL;

	for (i = 0, m = btf_members(t); i < (int)btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), "name"))
			continue;
		mt = btf__type_by_id(btf, btf__resolve_type(btf, m->type));
		if (!mt || !btf_is_array(mt))
			break;
		p->name_off = btf_member_bit_offset(t, i) / 8;
		p->name_size = btf_array(mt)->nelems;
		if (p->name_off + p->name_size > size)
			break;
		snprintf(p->name, sizeof(p->name), "%.*s", (int)p->name_size,
			 p->ops_data + p->name_off);
		return 0;
	}
	error_msg("%s: struct %s has no char name[] member", p->source,
		  p->kind->ops_type);
	return -EINVAL;
}

static struct bpf_map *find_rodata(struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		if (!bpf_map__is_internal(map))
			continue;
		t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		if (t && btf_is_datasec(t) &&
		    !strcmp(btf__name_by_offset(btf, t->name_off), ".rodata"))
			return map;
	}
	return NULL;
}

static int find_tunables(struct policy *p)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	size_t size;
	void *data;
	int err;

	err = tunables_check_placement(btf, p->source);
	if (err)
		return err;
	p->rodata = find_rodata(p->obj);
	if (!p->rodata)
		return 0;
	data = bpf_map__initial_value(p->rodata, &size);
	if (!data)
		return 0;
	err = tunables_parse(btf, bpf_map__btf_value_type_id(p->rodata), data,
			     size, p->source, &p->tun);
	if (!err && !p->tun.n)
		p->rodata = NULL;	/* nothing to show or pin */
	return err;
}

static int find_stats(struct policy *p)
{
	struct bpf_map *map = bpf_object__find_map_by_name(p->obj, "stats");

	if (!map)
		return 0;
	if (bpf_map__type(map) != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    bpf_map__key_size(map) != sizeof(__u32) ||
	    bpf_map__max_entries(map) != 1) {
		error_msg("%s: map 'stats' must be a BPF_MAP_TYPE_PERCPU_ARRAY with a __u32 key and max_entries 1 (use MPTCP_STATS() from mptcp_bpf_stats.h)",
			  p->source);
		return -EINVAL;
	}
	p->stats = map;
	return stats_layout_parse(bpf_object__btf(p->obj),
				  bpf_map__btf_value_type_id(map), p->source,
				  &p->stats_layout);
}

int policy_open(const char *what, struct policy **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct policy *p;
	char name[64];
	int err;

	p = calloc(1, sizeof(*p));
	if (!p) {
		error_msg("out of memory");
		return -ENOMEM;
	}
	err = policy_find(what, p);
	if (err)
		goto err_out;
	err = check_elf(p);
	if (err)
		goto err_out;

	object_name(what, name, sizeof(name));
	opts.object_name = name;
	log_reset();
	p->obj = bpf_object__open_mem(p->elf, p->elf_size, &opts);
	if (!p->obj) {
		err = -errno;
		error_msg("cannot open %s with libbpf: %s", p->source, errstr(err));
		log_dump();
		goto err_out;
	}
	if (!bpf_object__btf(p->obj)) {
		err = -EINVAL;
		error_msg("%s has no BTF; build it with clang -g", p->source);
		goto err_out;
	}

	err = find_ops_map(p);
	if (!err)
		err = find_ops_name(p);
	if (!err)
		err = find_tunables(p);
	if (!err)
		err = find_stats(p);
	if (err)
		goto err_out;

	/* SEC(".struct_ops") works too: attaching must yield a pinnable link. */
	bpf_map__set_map_flags(p->ops_map,
			       bpf_map__map_flags(p->ops_map) | BPF_F_LINK);
	*out = p;
	return 0;

err_out:
	policy_close(p);
	return err;
}

void policy_close(struct policy *p)
{
	if (!p)
		return;
	bpf_object__close(p->obj);
	tunables_free(&p->tun);
	stats_layout_free(&p->stats_layout);
	if (p->elf_owned)
		free(p->elf);
	free(p->source);
	free(p);
}

int policy_set_name(struct policy *p, const char *name)
{
	int err = check_name(name, "from --name");

	if (err)
		return err;
	if (strlen(name) >= p->name_size) {
		error_msg("the name '%s' does not fit in %s.name[%u]", name,
			  p->kind->ops_type, p->name_size);
		return -ENAMETOOLONG;
	}
	memset(p->ops_data + p->name_off, 0, p->name_size);
	memcpy(p->ops_data + p->name_off, name, strlen(name));
	snprintf(p->name, sizeof(p->name), "%s", name);
	return 0;
}

/*
 * After open, libbpf keeps a struct bpf_program * in each function
 * pointer member of the struct_ops initial value (the skeleton's
 * "shadow type"): a non-NULL one is an implemented callback.
 */
int policy_callbacks(const struct policy *p, struct callback *cbs, int max)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	const struct btf_type *t, *mt;
	const struct btf_member *m;
	struct bpf_program *prog;
	int i, n = 0;

	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(p->ops_map));
	for (i = 0, m = btf_members(t); i < (int)btf_vlen(t) && n < max; i++, m++) {
		mt = btf__type_by_id(btf, btf__resolve_type(btf, m->type));
		if (!mt || !btf_is_ptr(mt))
			continue;
		mt = btf__type_by_id(btf, mt->type);
		if (!mt || !btf_is_func_proto(mt))
			continue;
		memcpy(&prog, p->ops_data + btf_member_bit_offset(t, i) / 8,
		       sizeof(prog));
		if (!prog)
			continue;
		cbs[n].member = btf__name_by_offset(btf, m->name_off);
		snprintf(cbs[n].prog, sizeof(cbs[n].prog), "%s",
			 bpf_program__name(prog));
		cbs[n].prog_id = 0;
		n++;
	}
	return n;
}
