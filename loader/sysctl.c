// SPDX-License-Identifier: GPL-2.0
/*
 * net.mptcp.* of the current network namespace, through /proc/sys:
 * available_schedulers / available_path_managers list what is
 * registered, scheduler / path_manager select one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mptcp_sched.h"

#define MPTCP_SYSCTL_DIR "/proc/sys/net/mptcp"

static int sysctl_read_quiet(const char *key, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), MPTCP_SYSCTL_DIR "/%s", key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

int mptcp_sysctl_read(const char *key, char *buf, size_t len)
{
	int err = sysctl_read_quiet(key, buf, len);

	if (err)
		error_msg("cannot read net.mptcp.%s: %s", key, strerror(-err));
	return err;
}

int mptcp_sysctl_write(const char *key, const char *val)
{
	char path[128];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), MPTCP_SYSCTL_DIR "/%s", key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(val))
		err = -EIO;
	close(fd);
out:
	if (err)
		error_msg("cannot set net.mptcp.%s=%s: %s", key, val,
			  strerror(-err));
	return err;
}

bool word_in_list(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, word, len) &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == '\t'))
			return true;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return false;
}

int mptcp_check_present(void)
{
	if (!access(MPTCP_SYSCTL_DIR, F_OK))
		return 0;
	error_msg("this kernel has no MPTCP (" MPTCP_SYSCTL_DIR " is missing); boot a kernel built with CONFIG_MPTCP=y, such as the mptcp-bpf kernel");
	return -ENOENT;
}

/* The kind whose available_* list holds name, or NULL. */
const struct policy_kind *kind_registered(const char *name)
{
	const struct policy_kind *kinds;
	char list[4096];
	int i, n;

	kinds = kind_all(&n);
	for (i = 0; i < n; i++)
		if (!sysctl_read_quiet(kinds[i].available, list, sizeof(list)) &&
		    word_in_list(list, name))
			return &kinds[i];
	return NULL;
}
