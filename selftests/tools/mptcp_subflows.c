// SPDX-License-Identifier: GPL-2.0
/*
 * mptcp_subflows - the MPTCP subflows of this network namespace as the
 * kernel reports them over INET_DIAG, one "key value" per line.
 *
 *   mptcp_subflows [--all] [--port PORT]
 *
 * It dumps the TCP sockets in ESTABLISHED state, IPv4 and IPv6, with their
 * auxiliary info and keeps those whose ULP is MPTCP: the nest
 * INET_DIAG_ULP_INFO / INET_ULP_INFO_MPTCP carries MPTCP_SUBFLOW_ATTR_FLAGS
 * and the subflow's local and remote address ids. --all takes every
 * synchronized state instead (ESTABLISHED, FIN_WAIT1/2, CLOSE_WAIT,
 * CLOSING, LAST_ACK): once an MPTCP sender has handed all its data to its
 * subflows they send their FIN and stay in FIN_WAIT1 while it drains, and
 * a subflow being closed passes through them too. --port keeps only the
 * subflows with PORT as local or remote port (one connection's subflows
 * share the server's port). Output:
 *
 *	subflows N		subflows listed
 *	backup N		those this host marked backup (BKUP_LOC)
 *	subflow.<lip>:<lport>.remote <rip>:<rport>
 *	subflow.<lip>:<lport>.state N	TCP state (1 ESTABLISHED, 4 FIN_WAIT1...)
 *	subflow.<lip>:<lport>.backup 0|1	MPTCP_SUBFLOW_FLAG_BKUP_LOC:
 *				this host asked the peer to treat the subflow
 *				as a backup (MP_JOIN backup bit or MP_PRIO
 *				sent); the kernel's scheduler then avoids it
 *	subflow.<lip>:<lport>.peer_backup 0|1	MPTCP_SUBFLOW_FLAG_BKUP_REM:
 *				the peer did (MP_JOIN or MP_PRIO received)
 *	subflow.<lip>:<lport>.local_id N / .remote_id N	address ids
 *	subflow.<lip>:<lport>.flags 0xN	all MPTCP_SUBFLOW_FLAG_* bits
 *	pair.<lip>-<rip> N	subflows per (local, remote) address pair,
 *	pair.<lip>-<rip>.backup N / .peer_backup N	how many of them have
 *				BKUP_LOC / BKUP_REM
 *	addr.<lip>.subflows N / .backup N / .peer_backup N	per local address
 *
 * On a server every subflow has the listening port as its local port, so
 * the subflow.* keys repeat: read pair.* there.
 * IPv6 addresses are printed in brackets with a port ([ip]:port), and
 * IPv4-mapped IPv6 addresses as IPv4. Exit status 0 on success (also with
 * no subflow), 1 with "Error: ..." on stderr, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#define MAX_SUBFLOWS	256
#define RECV_BUF	(64 * 1024)
/* TCP states (include/net/tcp_states.h), as bits of idiag_states */
#define TCPF(state)		(1U << (state))
#define SYNCHRONIZED_STATES	(TCPF(1) /* ESTABLISHED */ | TCPF(4) /* FIN_WAIT1 */ | \
				 TCPF(5) /* FIN_WAIT2 */ | TCPF(8) /* CLOSE_WAIT */ | \
				 TCPF(9) /* LAST_ACK */ | TCPF(11) /* CLOSING */)

struct subflow {
	char local[INET6_ADDRSTRLEN];	/* address only */
	char remote[INET6_ADDRSTRLEN];
	char local_key[INET6_ADDRSTRLEN + 8];	/* address and port */
	char remote_key[INET6_ADDRSTRLEN + 8];
	uint32_t flags;
	uint8_t state;
	uint8_t local_id;
	uint8_t remote_id;
};

static struct subflow subflows[MAX_SUBFLOWS];
static unsigned int nr_subflows;
static bool overflow;

static void err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Address @addr (network order, 4 or 16 bytes) of @family as text. */
static void fmt_addr(int family, const uint32_t *addr, char *buf, size_t len)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET6 && !memcmp(addr, v4mapped, sizeof(v4mapped))) {
		family = AF_INET;
		addr += 3;
	}
	if (!inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "af%d", family);
}

static void fmt_key(const char *ip, uint16_t port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(ip, ':') ? "[%s]:%u" : "%s:%u", ip, port);
}

/* The MPTCP nest inside INET_DIAG_ULP_INFO, or NULL (not an MPTCP subflow). */
static struct rtattr *mptcp_nest(struct rtattr *ulp)
{
	int len = RTA_PAYLOAD(ulp);
	struct rtattr *a;

	for (a = RTA_DATA(ulp); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if ((a->rta_type & NLA_TYPE_MASK) == INET_ULP_INFO_MPTCP)
			return a;
	}
	return NULL;
}

static void add_subflow(const struct inet_diag_msg *m, struct rtattr *nest)
{
	int len = RTA_PAYLOAD(nest);
	struct subflow *sf;
	struct rtattr *a;

	if (nr_subflows == MAX_SUBFLOWS) {
		overflow = true;
		return;
	}
	sf = &subflows[nr_subflows++];
	memset(sf, 0, sizeof(*sf));
	sf->state = m->idiag_state;
	fmt_addr(m->idiag_family, m->id.idiag_src, sf->local, sizeof(sf->local));
	fmt_addr(m->idiag_family, m->id.idiag_dst, sf->remote, sizeof(sf->remote));
	fmt_key(sf->local, ntohs(m->id.idiag_sport), sf->local_key,
		sizeof(sf->local_key));
	fmt_key(sf->remote, ntohs(m->id.idiag_dport), sf->remote_key,
		sizeof(sf->remote_key));

	for (a = RTA_DATA(nest); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type & NLA_TYPE_MASK) {
		case MPTCP_SUBFLOW_ATTR_FLAGS:
			if (RTA_PAYLOAD(a) >= sizeof(uint32_t))
				memcpy(&sf->flags, RTA_DATA(a), sizeof(uint32_t));
			break;
		case MPTCP_SUBFLOW_ATTR_ID_LOC:
			if (RTA_PAYLOAD(a) >= 1)
				sf->local_id = *(uint8_t *)RTA_DATA(a);
			break;
		case MPTCP_SUBFLOW_ATTR_ID_REM:
			if (RTA_PAYLOAD(a) >= 1)
				sf->remote_id = *(uint8_t *)RTA_DATA(a);
			break;
		}
	}
}

/* One socket of the dump: kept if it is an MPTCP subflow on @port. */
static void parse_msg(const struct nlmsghdr *nlh, int port)
{
	const struct inet_diag_msg *m = NLMSG_DATA(nlh);
	int len = nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	struct rtattr *a, *nest;

	if (len < 0)
		return;
	if (port >= 0 && ntohs(m->id.idiag_sport) != port &&
	    ntohs(m->id.idiag_dport) != port)
		return;
	for (a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if ((a->rta_type & NLA_TYPE_MASK) != INET_DIAG_ULP_INFO)
			continue;
		nest = mptcp_nest(a);
		if (nest)
			add_subflow(m, nest);
		return;
	}
}

/* Dump the synchronized TCP sockets of @family; 0 or -1 (reported). */
static int dump(int family, int port, uint32_t states)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.req = {
			.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_ext = 1 << (INET_DIAG_INFO - 1),	/* with the ULP info */
			.idiag_states = states,
		},
	};
	static char buf[RECV_BUF];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, ret = -1;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		err("socket(NETLINK_SOCK_DIAG): %s", strerror(errno));
		return -1;
	}
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err("sock_diag request (family %d): %s", family, strerror(errno));
		goto out;
	}
	while (!done) {
		struct nlmsghdr *nlh;
		ssize_t n;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err("sock_diag dump (family %d): %s", family, strerror(errno));
			goto out;
		}
		if (n == 0) {
			err("sock_diag dump (family %d): unexpected end", family);
			goto out;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				err("sock_diag dump (family %d): %s", family,
				    strerror(-e->error));
				goto out;
			}
			if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				parse_msg(nlh, port);
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * For each distinct key, in first-seen order: "<prefix><key> <count>" or,
 * with @suffix, "<prefix><key><suffix> <count>"; then the backup counts
 * "<prefix><key>.backup N" and "<prefix><key>.peer_backup N".
 */
static void print_counts(const char *prefix, const char *const *keys,
			 const char *suffix, unsigned int n)
{
	unsigned int i, j, count, bkup_loc, bkup_rem;
	bool seen;

	for (i = 0; i < n; i++) {
		for (seen = false, j = 0; j < i && !seen; j++)
			seen = !strcmp(keys[j], keys[i]);
		if (seen)
			continue;
		for (count = 0, bkup_loc = 0, bkup_rem = 0, j = i; j < n; j++) {
			if (strcmp(keys[j], keys[i]))
				continue;
			count++;
			bkup_loc += !!(subflows[j].flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC);
			bkup_rem += !!(subflows[j].flags & MPTCP_SUBFLOW_FLAG_BKUP_REM);
		}
		printf("%s%s%s %u\n", prefix, keys[i], suffix, count);
		printf("%s%s.backup %u\n%s%s.peer_backup %u\n", prefix, keys[i],
		       bkup_loc, prefix, keys[i], bkup_rem);
	}
}

static void print_all(void)
{
	static char pairs[MAX_SUBFLOWS][2 * INET6_ADDRSTRLEN + 2];
	static const char *pair_keys[MAX_SUBFLOWS], *addr_keys[MAX_SUBFLOWS];
	unsigned int i, nr_backup = 0;

	for (i = 0; i < nr_subflows; i++) {
		const struct subflow *sf = &subflows[i];

		nr_backup += !!(sf->flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC);
		snprintf(pairs[i], sizeof(pairs[i]), "%.45s-%.45s", sf->local, sf->remote);
		pair_keys[i] = pairs[i];
		addr_keys[i] = sf->local;
	}
	printf("subflows %u\nbackup %u\n", nr_subflows, nr_backup);
	for (i = 0; i < nr_subflows; i++) {
		const struct subflow *sf = &subflows[i];
		const char *k = sf->local_key;

		printf("subflow.%s.remote %s\n", k, sf->remote_key);
		printf("subflow.%s.state %u\n", k, sf->state);
		printf("subflow.%s.backup %d\n", k, !!(sf->flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC));
		printf("subflow.%s.peer_backup %d\n", k,
		       !!(sf->flags & MPTCP_SUBFLOW_FLAG_BKUP_REM));
		printf("subflow.%s.local_id %u\n", k, sf->local_id);
		printf("subflow.%s.remote_id %u\n", k, sf->remote_id);
		printf("subflow.%s.flags 0x%x\n", k, sf->flags);
	}
	print_counts("pair.", pair_keys, "", nr_subflows);
	print_counts("addr.", addr_keys, ".subflows", nr_subflows);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mptcp_subflows [--all] [--port PORT]\n");
}

int main(int argc, char **argv)
{
	uint32_t states = TCPF(1);	/* ESTABLISHED */
	int i, port = -1;
	char *end;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			states = SYNCHRONIZED_STATES;
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			long p = strtol(argv[++i], &end, 10);

			if (*end || p < 1 || p > 65535) {
				err("--port takes 1..65535, got '%s'", argv[i]);
				return 2;
			}
			port = p;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	if (dump(AF_INET, port, states) || dump(AF_INET6, port, states))
		return 1;
	if (overflow) {
		err("more than %d subflows", MAX_SUBFLOWS);
		return 1;
	}
	print_all();
	return 0;
}
