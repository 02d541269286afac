/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mptcp_bpf_tunables.h - policy knobs that mptcp-sched can set at load.
 *
 * A tunable is a `const volatile` integer global (it lands in .rodata, so
 * the verifier sees its final value as a constant) with a BTF decl tag
 * giving its range and a description:
 *
 *	const volatile __u32 segments MPTCP_TUNABLE(1, 1024, "segments per turn") = 1;
 *
 * The initial value is the default. `mptcp-sched load rr --set segments=4`
 * writes a new value before the object is loaded, after checking it
 * against MIN..MAX; `mptcp-sched info rr` lists the tunables.
 *
 * The tag reads "mptcp_tunable:MIN:MAX:DESCRIPTION" in the object's BTF
 * (BTF_KIND_DECL_TAG on the VAR, component_idx -1). MIN and MAX are
 * stringified, so they must be integer literals (decimal, 0x hex, a
 * leading '-' for signed types; no macros or expressions). Types:
 * __u8/__s8 ... __u64/__s64 and bool (range 0, 1); the range must fit
 * the type and contain the default, or mptcp-sched refuses the object.
 */
#ifndef __MPTCP_BPF_TUNABLES_H__
#define __MPTCP_BPF_TUNABLES_H__

#if !__has_attribute(btf_decl_tag)
#error "MPTCP_TUNABLE() needs btf_decl_tag: build policies with clang >= 14"
#endif

#define MPTCP_TUNABLE(min, max, desc) \
	__attribute__((btf_decl_tag("mptcp_tunable:" #min ":" #max ":" desc)))

#endif /* __MPTCP_BPF_TUNABLES_H__ */
