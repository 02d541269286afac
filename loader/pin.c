// SPDX-License-Identifier: GPL-2.0
/*
 * bpffs: what keeps a loaded policy alive after mptcp-sched exits.
 *
 *	/sys/fs/bpf/mptcp-sched/<name>/link	the struct_ops link; unlinking
 *						it unregisters the policy
 *	/sys/fs/bpf/mptcp-sched/<name>/stats	the stats map, if any
 *	/sys/fs/bpf/mptcp-sched/<name>/rodata	the tunables' .rodata, if any
 *
 * The directory is created (exclusively) before loading, so two loads of
 * one name cannot race, and removed on any failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/libbpf.h>

#include "mptcp_sched.h"

#define BPFFS	"/sys/fs/bpf"

int bpffs_mount(void)
{
	struct statfs st;
	int err;

	if (statfs(BPFFS, &st)) {
		err = -errno;
		error_msg("cannot use " BPFFS ": %s; mount sysfs on /sys",
			  strerror(-err));
		return err;
	}
	if (st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		err = -errno;
		error_msg("cannot mount the BPF filesystem on " BPFFS ": %s",
			  strerror(-err));
		return err;
	}
	return 0;
}

int pin_path(char *buf, size_t len, const char *name, const char *file)
{
	int n;

	if (file)
		n = snprintf(buf, len, PIN_ROOT "/%s/%s", name, file);
	else
		n = snprintf(buf, len, PIN_ROOT "/%s", name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool pin_dir_exists(const char *name)
{
	char path[256];
	struct stat st;

	return !pin_path(path, sizeof(path), name, NULL) &&
	       !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* -EEXIST, without a message, when <name> is already there. */
int pin_dir_create(const char *name)
{
	char path[256];
	int err;

	if (mkdir(PIN_ROOT, 0700) && errno != EEXIST) {
		err = -errno;
		error_msg("cannot create " PIN_ROOT ": %s", strerror(-err));
		return err;
	}
	err = pin_path(path, sizeof(path), name, NULL);
	if (err)
		return err;
	if (mkdir(path, 0700)) {
		err = -errno;
		if (err != -EEXIST)
			error_msg("cannot create %s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

/* Remove the link first: that unregisters the policy. */
int pin_dir_remove(const char *name)
{
	char dir[256], path[512];
	struct dirent *de;
	int err = 0;
	DIR *d;

	if (pin_path(dir, sizeof(dir), name, NULL))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/link", dir);
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		error_msg("cannot unpin %s: %s", path, strerror(-err));
		return err;
	}
	d = opendir(dir);
	if (!d) {
		err = -errno;
		if (err == -ENOENT)
			return 0;
		error_msg("cannot read %s: %s", dir, strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && !err) {
			err = -errno;
			error_msg("cannot unpin %s: %s", path, strerror(-err));
		}
	}
	closedir(d);
	if (!err && rmdir(dir)) {
		err = -errno;
		error_msg("cannot remove %s: %s", dir, strerror(-err));
	}
	return err;
}

int pin_policy(const char *name, struct bpf_link *link, struct bpf_map *stats,
	       struct bpf_map *rodata)
{
	char path[256];
	int err;

	err = pin_path(path, sizeof(path), name, "link");
	if (!err)
		err = bpf_link__pin(link, path);
	if (!err && stats) {
		err = pin_path(path, sizeof(path), name, "stats");
		if (!err)
			err = bpf_map__pin(stats, path);
	}
	if (!err && rodata) {
		err = pin_path(path, sizeof(path), name, "rodata");
		if (!err)
			err = bpf_map__pin(rodata, path);
	}
	if (err)
		error_msg("cannot pin %s: %s", path, errstr(err));
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names pinned under PIN_ROOT, sorted; none if it does not exist. */
int pin_list(char ***names, int *n)
{
	char **v = NULL, **nv;
	struct dirent *de;
	int cnt = 0, err = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(PIN_ROOT);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		error_msg("cannot read " PIN_ROOT ": %s", strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strdup(de->d_name))) {
			v = nv ? nv : v;
			err = -ENOMEM;
			error_msg("out of memory");
			break;
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (err) {
		pin_list_free(v, cnt);
		return err;
	}
	qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
}

void pin_list_free(char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
