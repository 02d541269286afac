/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mptcp_uapi.h - the MPTCP socket-option ABI the selftest tools use, for
 * build hosts whose installed <linux/mptcp.h> predates it.
 *
 * Debian 12's linux-libc-dev (6.1) knows MPTCP_INFO, MPTCP_TCPINFO and
 * MPTCP_SUBFLOW_ADDRS but not MPTCP_FULL_INFO (Linux 6.5) nor the byte
 * counters appended to struct mptcp_info since. The definitions below
 * follow include/uapi/linux/mptcp.h of Linux 7.2.13 and are used only when
 * the installed header lacks them, so a newer header always wins.
 *
 * Every structure here is versioned by size: the kernel copies
 * min(user size, kernel size) and reports the size it used, so a tool must
 * read the sizes back (see mptcp_full_info.size_*_user) instead of assuming
 * its own sizeof().
 */
#ifndef __MPTCP_UAPI_H__
#define __MPTCP_UAPI_H__

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/types.h>
#include <linux/tcp.h>		/* struct tcp_info with tcpi_bytes_* */
#include <linux/mptcp.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP	262
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP	284
#endif

#ifndef MPTCP_FULL_INFO
#define MPTCP_FULL_INFO	4

/* One entry of mptcp_full_info.subflow_info[]. */
struct mptcp_subflow_info {
	__u32				id;	/* subflow id, unique per msk */
	struct mptcp_subflow_addrs	addrs;
};

/*
 * getsockopt(SOL_MPTCP, MPTCP_FULL_INFO): the connection's mptcp_info plus,
 * per subflow, one mptcp_subflow_info and one tcp_info written to the two
 * user arrays. Userspace sets size_*_user, size_arrays_user and the two
 * array pointers; the kernel returns its own sizes, the sizes it actually
 * used (the array strides), and the real subflow count in num_subflows
 * (which may exceed size_arrays_user).
 */
struct mptcp_full_info {
	__u32		size_tcpinfo_kernel;
	__u32		size_tcpinfo_user;
	__u32		size_sfinfo_kernel;
	__u32		size_sfinfo_user;
	__u32		num_subflows;
	__u32		size_arrays_user;
	__aligned_u64	subflow_info;
	__aligned_u64	tcp_info;
	struct mptcp_info mptcp_info;
};
#endif /* MPTCP_FULL_INFO */

#ifndef MPTCP_INFO_FLAG_FALLBACK
#define MPTCP_INFO_FLAG_FALLBACK	(1U << 0)
#endif

/*
 * struct mptcp_info as of Linux 7.2 under a name of its own: the installed
 * header may carry a shorter struct mptcp_info (6.1 ends at
 * mptcpi_csum_enabled). getsockopt(MPTCP_INFO) fills min(optlen, kernel
 * size) bytes and returns that length, so check it with
 * XFER_MPTCP_INFO_HAS() before reading a field.
 */
struct xfer_mptcp_info {
	__u8	mptcpi_subflows;		/* extra subflows created */
	__u8	mptcpi_add_addr_signal;
	__u8	mptcpi_add_addr_accepted;
	__u8	mptcpi_subflows_max;
	__u8	mptcpi_add_addr_signal_max;
	__u8	mptcpi_add_addr_accepted_max;
	__u32	mptcpi_flags;
	__u32	mptcpi_token;
	__u64	mptcpi_write_seq;
	__u64	mptcpi_snd_una;
	__u64	mptcpi_rcv_nxt;
	__u8	mptcpi_local_addr_used;
	__u8	mptcpi_local_addr_max;
	__u8	mptcpi_csum_enabled;
	__u32	mptcpi_retransmits;		/* Linux 6.5+ from here */
	__u64	mptcpi_bytes_retrans;
	__u64	mptcpi_bytes_sent;
	__u64	mptcpi_bytes_received;
	__u64	mptcpi_bytes_acked;
	__u8	mptcpi_subflows_total;		/* Linux 6.10+ from here */
	__u8	mptcpi_endp_laminar_max;
	__u8	mptcpi_endp_fullmesh_max;
	__u8	reserved;
	__u32	mptcpi_last_data_sent;
	__u32	mptcpi_last_data_recv;
	__u32	mptcpi_last_ack_recv;
};

/* True when a getsockopt() that returned @len bytes covered @field. */
#define XFER_MPTCP_INFO_HAS(len, field)					\
	((size_t)(len) >= offsetof(struct xfer_mptcp_info, field) +	\
			  sizeof(((struct xfer_mptcp_info *)0)->field))

#endif /* __MPTCP_UAPI_H__ */
