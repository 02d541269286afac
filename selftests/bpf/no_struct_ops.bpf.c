// SPDX-License-Identifier: GPL-2.0
/* A valid BPF object without any struct_ops map: mptcp-sched must refuse it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

SEC("socket")
int accept_all(struct __sk_buff *skb)
{
	return skb->len;
}
