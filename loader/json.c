// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny JSON writer for -j: compact output, one document per line.
 * Commas are placed from a per-level "has a value already" flag; a key
 * makes the next value its own.
 */
#include <stdio.h>
#include <inttypes.h>

#include "mptcp_sched.h"

#define JSON_MAX_DEPTH	16

bool json_output;

static bool has_value[JSON_MAX_DEPTH];
static int depth;
static bool after_key;

static void json_sep(void)
{
	if (after_key) {
		after_key = false;
		return;
	}
	if (depth > 0 && has_value[depth - 1])
		putchar(',');
	if (depth > 0)
		has_value[depth - 1] = true;
}

static void json_open(char c)
{
	json_sep();
	putchar(c);
	if (depth < JSON_MAX_DEPTH)
		has_value[depth] = false;
	depth++;
}

static void json_close(char c)
{
	depth--;
	putchar(c);
}

void json_begin_object(void) { json_open('{'); }
void json_end_object(void) { json_close('}'); }
void json_begin_array(void) { json_open('['); }
void json_end_array(void) { json_close(']'); }

static void json_quoted(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

void json_key(const char *key)
{
	json_sep();
	json_quoted(key);
	putchar(':');
	after_key = true;
}

void json_string(const char *s)
{
	json_sep();
	json_quoted(s);
}

void json_uint(__u64 v)
{
	json_sep();
	printf("%" PRIu64, (uint64_t)v);
}

void json_int(__s64 v)
{
	json_sep();
	printf("%" PRId64, (int64_t)v);
}

void json_bool(bool v)
{
	json_sep();
	fputs(v ? "true" : "false", stdout);
}

void json_null(void)
{
	json_sep();
	fputs("null", stdout);
}

/* Ends a top-level document: newline, flushed (--watch prints many). */
void json_end_document(void)
{
	putchar('\n');
	fflush(stdout);
	depth = 0;
	after_key = false;
}
