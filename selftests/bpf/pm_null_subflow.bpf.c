// SPDX-License-Identifier: GPL-2.0
/*
 * A path manager that passes NULL where a kfunc takes a subflow, for
 * test_pm_robustness.sh. Subflow arguments are trusted pointers the kernel
 * does not check at run time, so the verifier must refuse the program
 * ("Possibly NULL pointer passed to trusted R2"): loading it has to fail
 * and nothing may be registered. bpf_mptcp_pm_subflow_close() takes its
 * subflow the same way; one refused call is enough to fail the load.
 */
#include "mptcp_bpf_pm.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
void BPF_PROG(pm_null_established, struct mptcp_sock *msk)
{
	bpf_mptcp_pm_set_backup(msk, NULL, true);
}

SEC(".struct_ops.link")
struct mptcp_pm_ops pm_null_subflow = {
	.established	= (void *)pm_null_established,
	.name		= "bpf_t_pm_null",
};
