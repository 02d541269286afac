/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policies of bpf/ embedded in the loader (their skeletons' ELF
 * bytes). Kept apart from mptcp_sched.h: builtin.c includes every
 * skeleton, whose type names are the policy names.
 */
#ifndef __MPTCP_SCHED_BUILTIN_H__
#define __MPTCP_SCHED_BUILTIN_H__

#include <stddef.h>

/* The object's bytes, or NULL when no built-in policy has that name. */
const void *builtin_elf(const char *name, size_t *size);
/* The i-th built-in's name, NULL past the last one. */
const char *builtin_name(int i);

#endif /* __MPTCP_SCHED_BUILTIN_H__ */
