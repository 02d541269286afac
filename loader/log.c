// SPDX-License-Identifier: GPL-2.0
/*
 * Errors and libbpf's output.
 *
 * libbpf's messages (including the verifier log it prints when a program
 * is rejected) go to stderr as they happen with -v. Without -v they are
 * kept in a buffer, and a failing step prints the buffer under its own
 * error line, so a rejected program always shows the verifier's reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "mptcp_sched.h"

#define CAPTURE_MAX	(256 * 1024)	/* keep the tail: the verdict is last */

static bool verbose;
static char *capture;
static size_t capture_len;
static bool capture_cut;

static void capture_append(const char *s, size_t len)
{
	if (len >= CAPTURE_MAX) {
		s += len - CAPTURE_MAX / 2;
		len = CAPTURE_MAX / 2;
	}
	if (capture_len + len > CAPTURE_MAX) {
		size_t drop = capture_len + len - CAPTURE_MAX / 2;

		if (drop > capture_len)
			drop = capture_len;
		memmove(capture, capture + drop, capture_len - drop);
		capture_len -= drop;
		capture_cut = true;
	}
	memcpy(capture + capture_len, s, len);
	capture_len += len;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char line[4096];
	va_list aq;
	int n;

	if (verbose)
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG || !capture)
		return 0;

	/* Long verifier logs come one line per call; a longer line is cut. */
	va_copy(aq, ap);
	n = vsnprintf(line, sizeof(line), fmt, aq);
	va_end(aq);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	capture_append(line, n);
	return n;
}

void log_setup(bool v)
{
	verbose = v;
	capture = verbose ? NULL : malloc(CAPTURE_MAX);
	libbpf_set_print(libbpf_print);
}

void log_free(void)
{
	free(capture);
	capture = NULL;
}

void log_reset(void)
{
	capture_len = 0;
	capture_cut = false;
}

/* Show what libbpf said since log_reset(), after an error line. */
void log_dump(void)
{
	if (!capture || !capture_len)
		return;
	fprintf(stderr, "libbpf output%s:\n",
		capture_cut ? " (start cut; -v shows all)" : "");
	fwrite(capture, 1, capture_len, stderr);
	if (capture[capture_len - 1] != '\n')
		fputc('\n', stderr);
	log_reset();
}

void error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* strerror() for a negative errno or a libbpf error code. */
const char *errstr(int err)
{
	static char buf[128];

	if (err < 0)
		err = -err;
	libbpf_strerror(err, buf, sizeof(buf));
	return buf;
}
