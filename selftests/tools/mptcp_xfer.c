// SPDX-License-Identifier: GPL-2.0
/*
 * mptcp_xfer - a byte-exact MPTCP transfer that reports, per subflow, what
 * the kernel says each subflow carried.
 *
 *   mptcp_xfer server --listen ADDR --port PORT [--ready-file PATH]
 *                     [--timeout SECS]
 *   mptcp_xfer client --connect ADDR --port PORT --bytes N
 *                     [--wait-subflows K] [--wait-timeout SECS]
 *                     [--sample-ms MS] [--chunk BYTES] [--timeout SECS]
 *
 * On accept the server sends one greeting byte: until an MPTCP client has
 * received data (a DSS) from the server its connection is not fully
 * established and the in-kernel path manager creates no extra subflow, so
 * without it --wait-subflows could never succeed. The client reads the
 * greeting, then sends N bytes of a deterministic pattern (byte at offset
 * o is byte o%8, little-endian, of splitmix64(o/8)) and shuts down its
 * write side; the server checks every byte, replies with
 *
 *	be64 received, u8 pattern_ok, be64 first_bad_offset (~0 if none)
 *
 * and closes. While sending and waiting for the reply the client samples
 * getsockopt(SOL_MPTCP, MPTCP_FULL_INFO) every --sample-ms and keeps, per
 * subflow (keyed by local and remote address and port: a subflow may close
 * and vanish from the list), the last tcp_info counters it saw; a final
 * sample follows the reply. Output is one "key value" per line:
 *
 *	sent N / received N / pattern ok|bad / duration_ms N / samples N
 *	fallback 0|1 / subflows N (distinct subflows seen)
 *	subflow.<local_ip>.{remote,id,bytes_sent,bytes_acked,bytes_retrans,rtt_us}
 *	total.{bytes_sent,bytes_acked,bytes_retrans} (sums over subflows)
 *	mptcp.{bytes_sent,bytes_acked,bytes_retrans,retransmits} (if the
 *	kernel reports them: Linux 6.5+)
 *
 * When several subflows share a local address (different source ports)
 * each is printed as subflow.<ip>:<port>.* ([ip]:port for IPv6), and the
 * per-address sums of the byte counters as subflow.<ip>.* (remote then
 * lists the distinct remote addresses, comma separated).
 *
 * --wait-subflows K waits (up to --wait-timeout, default 10 s) until K
 * subflows, the initial one included, are in TCP_ESTABLISHED state before
 * sending: without it the first bytes go on the initial subflow alone.
 * duration_ms runs from the first byte sent to the reply. The counters are
 * the kernel's: tcpi_bytes_sent includes retransmissions, tcpi_bytes_acked
 * counts the SYN and the FIN as one byte each. The server prints
 * "received N", "pattern ok|bad" and, if bad, "first_bad OFFSET".
 *
 * Exit status: 0 only when the server received exactly N bytes, all
 * matching the pattern; otherwise 1, with "Error: ..." on stderr. Usage
 * errors exit 2. --bytes and --chunk take an optional K/M/G suffix
 * (powers of 1024). Every wait is bounded by --timeout (default 120 s).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mptcp_uapi.h"

#define DEFAULT_TIMEOUT_S	120
#define DEFAULT_WAIT_S		10
#define DEFAULT_SAMPLE_MS	100
#define DEFAULT_CHUNK		(64 * 1024)
#define MAX_CHUNK		(16 * 1024 * 1024)
#define RECV_BUF		(256 * 1024)
#define WAIT_POLL_MS		10	/* subflow-count polling interval */
#define MAX_SAMPLED		32	/* subflows read per sample */
#define MAX_TRACKED		64	/* distinct subflows remembered */
#define NO_BAD_OFFSET		UINT64_MAX
#define TCP_STATE_ESTABLISHED	1	/* tcp_info.tcpi_state */

/* The server's reply, sent after EOF. */
struct reply {
	uint64_t received;
	uint8_t ok;
	uint64_t first_bad;
};

#define REPLY_LEN	17
#define GREETING	'M'

struct opts {
	const char *addr;
	const char *ready_file;
	unsigned int port;
	unsigned long long bytes;
	unsigned int wait_subflows;
	unsigned int wait_timeout_s;
	unsigned int sample_ms;
	unsigned int timeout_s;
	size_t chunk;
};

/* What the client remembers of one subflow: its last sample. */
struct sf_rec {
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	uint32_t id;
	uint64_t bytes_sent;
	uint64_t bytes_acked;
	uint64_t bytes_retrans;
	uint32_t rtt_us;
};

struct stats {
	struct sf_rec sf[MAX_TRACKED];
	unsigned int nr_sf;
	bool sf_overflow;		/* more than MAX_TRACKED seen */
	unsigned int samples;
	bool fallback;
	bool have_mptcp_bytes;
	struct xfer_mptcp_info mi;	/* last MPTCP_INFO */
};

static void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- time ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until @deadline, clamped to [0, INT32_MAX]. */
static int ms_left(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	if (left < 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* poll() one fd for @events, at most @timeout ms; EINTR restarts. */
static int poll_one(int fd, short events, int timeout, short *revents)
{
	int64_t deadline = now_ms() + timeout;
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, timeout);
		if (ret >= 0 || errno != EINTR)
			break;
		timeout = ms_left(deadline);
	}
	*revents = ret > 0 ? pfd.revents : 0;
	return ret;
}

/* ---- the data pattern ---- */

static uint64_t pattern_word(uint64_t idx)
{
	uint64_t z = idx + 0x9e3779b97f4a7c15ULL;	/* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint8_t pattern_byte(uint64_t off)
{
	return pattern_word(off >> 3) >> (8 * (off & 7));
}

/* Fill @buf with the pattern bytes at stream offsets [@off, @off + @len). */
static void pattern_fill(uint8_t *buf, size_t len, uint64_t off)
{
	uint64_t w;
	size_t i = 0;

	for (; i < len && ((off + i) & 7); i++)
		buf[i] = pattern_byte(off + i);
	for (; i + 8 <= len; i += 8) {
		w = htole64(pattern_word((off + i) >> 3));
		memcpy(buf + i, &w, 8);
	}
	for (; i < len; i++)
		buf[i] = pattern_byte(off + i);
}

/* Index of the first byte of @buf not matching the pattern, or @len. */
static size_t pattern_check(const uint8_t *buf, size_t len, uint64_t off,
			    uint8_t *scratch)
{
	size_t i;

	pattern_fill(scratch, len, off);
	if (!memcmp(buf, scratch, len))
		return len;
	for (i = 0; buf[i] == scratch[i]; i++)
		;
	return i;
}

/* ---- argument parsing ---- */

/* Parse a non-negative integer with an optional K/M/G (1024^n) suffix. */
static int parse_size(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	static const char suffixes[] = "KMG";
	unsigned long long v, mult = 1;
	const char *sfx;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	sfx = *end ? strchr(suffixes, *end & ~0x20) : NULL;	/* upper case */
	if (sfx) {
		mult <<= 10 * (sfx - suffixes + 1);
		end++;
	}
	if (*end || v > max / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int parse_uint(const char *name, const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	if (parse_size(s, max, out) || *out < min) {
		err("invalid %s '%s': expected %llu..%llu", name, s, min, max);
		return -1;
	}
	return 0;
}

enum {
	OPT_LISTEN = 'l', OPT_CONNECT = 'c', OPT_PORT = 'p', OPT_BYTES = 'b',
	OPT_READY = 'r', OPT_TIMEOUT = 't', OPT_WAIT_SF = 'w',
	OPT_WAIT_TIMEOUT = 'W', OPT_SAMPLE = 's', OPT_CHUNK = 'C',
};

static const struct option long_opts[] = {
	{ "listen",		required_argument, NULL, OPT_LISTEN },
	{ "connect",		required_argument, NULL, OPT_CONNECT },
	{ "port",		required_argument, NULL, OPT_PORT },
	{ "bytes",		required_argument, NULL, OPT_BYTES },
	{ "ready-file",		required_argument, NULL, OPT_READY },
	{ "timeout",		required_argument, NULL, OPT_TIMEOUT },
	{ "wait-subflows",	required_argument, NULL, OPT_WAIT_SF },
	{ "wait-timeout",	required_argument, NULL, OPT_WAIT_TIMEOUT },
	{ "sample-ms",		required_argument, NULL, OPT_SAMPLE },
	{ "chunk",		required_argument, NULL, OPT_CHUNK },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fputs("usage: mptcp_xfer server --listen ADDR --port PORT [--ready-file PATH]\n"
	      "                         [--timeout SECS]\n"
	      "       mptcp_xfer client --connect ADDR --port PORT --bytes N\n"
	      "                         [--wait-subflows K] [--wait-timeout SECS]\n"
	      "                         [--sample-ms MS] [--chunk BYTES] [--timeout SECS]\n",
	      f);
}

/* Options both modes take, and those of one mode only. */
static bool opt_allowed(int c, bool server)
{
	switch (c) {
	case OPT_PORT:
	case OPT_TIMEOUT:
		return true;
	case OPT_LISTEN:
	case OPT_READY:
		return server;
	default:
		return !server;
	}
}

/* Store one option's value in @o; -1 (after a message) if it is invalid. */
static int parse_opt(struct opts *o, int c, const char *arg)
{
	unsigned long long v = 0;
	int ret = 0;

	switch (c) {
	case OPT_LISTEN:
	case OPT_CONNECT:
		o->addr = arg;
		break;
	case OPT_READY:
		o->ready_file = arg;
		break;
	case OPT_BYTES:
		ret = parse_uint("--bytes", arg, 0, 1ULL << 50, &o->bytes);
		break;
	case OPT_PORT:
		ret = parse_uint("--port", arg, 1, 65535, &v);
		o->port = v;
		break;
	case OPT_TIMEOUT:
		ret = parse_uint("--timeout", arg, 1, 86400, &v);
		o->timeout_s = v;
		break;
	case OPT_WAIT_SF:
		ret = parse_uint("--wait-subflows", arg, 1, MAX_SAMPLED, &v);
		o->wait_subflows = v;
		break;
	case OPT_WAIT_TIMEOUT:
		ret = parse_uint("--wait-timeout", arg, 1, 86400, &v);
		o->wait_timeout_s = v;
		break;
	case OPT_SAMPLE:
		ret = parse_uint("--sample-ms", arg, 1, 60000, &v);
		o->sample_ms = v;
		break;
	case OPT_CHUNK:
		ret = parse_uint("--chunk", arg, 1, MAX_CHUNK, &v);
		o->chunk = v;
		break;
	default:
		ret = -1;
	}
	return ret;
}

static int parse_args(int argc, char **argv, bool server, struct opts *o)
{
	const char *mode = server ? "server" : "client";
	bool have_bytes = false;
	int c, idx;

	*o = (struct opts) {
		.wait_timeout_s = DEFAULT_WAIT_S,
		.sample_ms = DEFAULT_SAMPLE_MS,
		.timeout_s = DEFAULT_TIMEOUT_S,
		.chunk = DEFAULT_CHUNK,
	};
	while ((c = getopt_long(argc, argv, "", long_opts, &idx)) != -1) {
		if (c == '?')
			goto bad;
		if (!opt_allowed(c, server)) {
			err("--%s is not a %s option", long_opts[idx].name, mode);
			goto bad;
		}
		if (parse_opt(o, c, optarg))
			goto bad;
		have_bytes |= c == OPT_BYTES;
	}
	if (optind != argc) {
		err("unexpected argument '%s'", argv[optind]);
		goto bad;
	}
	if (!o->addr || !o->port || (!server && !have_bytes)) {
		err("%s mode needs %s", mode, server ? "--listen and --port" :
		    "--connect, --port and --bytes");
		goto bad;
	}
	return 0;
bad:
	usage(stderr);
	return -1;
}

/* ---- addresses ---- */

static int make_sockaddr(const char *addr, unsigned int port,
			 struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	err("'%s' is not an IPv4 or IPv6 address", addr);
	return -1;
}

/* Address without port; IPv4-mapped IPv6 addresses print as IPv4. */
static void fmt_ip(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;
	const void *v4 = NULL;

	if (ss->ss_family == AF_INET)
		v4 = &sin->sin_addr;
	else if (ss->ss_family == AF_INET6 &&
		 IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		v4 = &sin6->sin6_addr.s6_addr[12];
	if (v4)
		inet_ntop(AF_INET, v4, buf, len);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len);
	else
		snprintf(buf, len, "af%u", ss->ss_family);
}

static unsigned int sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

static bool sa_equal(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       !memcmp(&a6->sin6_addr, &b6->sin6_addr,
			       sizeof(a6->sin6_addr));
	return false;
}

static bool ip_equal(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b)
{
	char x[INET6_ADDRSTRLEN + 8], y[INET6_ADDRSTRLEN + 8];

	fmt_ip(a, x, sizeof(x));
	fmt_ip(b, y, sizeof(y));
	return !strcmp(x, y);
}

/* ---- sockets ---- */

static int mptcp_socket(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

	if (fd < 0)
		err("socket(IPPROTO_MPTCP): %s%s", strerror(errno),
		    errno == EPROTONOSUPPORT || errno == ENOPROTOOPT ?
		    " (kernel without MPTCP, or net.mptcp.enabled=0)" : "");
	return fd;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		err("fcntl(O_NONBLOCK): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Write all of @buf to a non-blocking socket before @deadline. Returns 0,
 * or -1 with errno set (ETIMEDOUT on timeout).
 */
static int write_all(int fd, const void *buf, size_t len, int64_t deadline)
{
	const uint8_t *p = buf;
	short rev;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (!ms_left(deadline)) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll_one(fd, POLLOUT, ms_left(deadline), &rev) < 0)
			return -1;
	}
	return 0;
}

/* ---- server ---- */

static int write_ready_file(const char *path)
{
	char buf[32];
	int fd, len;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err("ready file %s: %s", path, strerror(errno));
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, len) != len) {
		err("ready file %s: write failed", path);
		close(fd);
		return -1;
	}
	return close(fd);
}

static int server_listen(const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (make_sockaddr(o->addr, o->port, &ss, &len))
		return -1;
	fd = mptcp_socket(ss.ss_family);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4) ||
	    set_nonblock(fd)) {
		err("listen on %s port %u: %s", o->addr, o->port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (o->ready_file && write_ready_file(o->ready_file)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int server_accept(int lfd, int64_t deadline)
{
	short rev;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			err("accept: %s", strerror(errno));
			return -1;
		}
		if (!ms_left(deadline)) {
			err("timeout waiting for a connection");
			return -1;
		}
		if (poll_one(lfd, POLLIN, ms_left(deadline), &rev) < 0) {
			err("poll: %s", strerror(errno));
			return -1;
		}
	}
}

/* Read to EOF, checking the pattern; fills @r. */
static int server_receive(int fd, int64_t deadline, struct reply *r)
{
	uint8_t *buf = malloc(RECV_BUF), *scratch = malloc(RECV_BUF);
	int ret = -1;
	size_t good;
	ssize_t n;
	short rev;

	*r = (struct reply) { .ok = 1, .first_bad = NO_BAD_OFFSET };
	if (!buf || !scratch) {
		err("out of memory");
		goto out;
	}
	for (;;) {
		n = recv(fd, buf, RECV_BUF, 0);
		if (n == 0)
			break;
		if (n > 0) {
			if (r->ok) {
				good = pattern_check(buf, n, r->received, scratch);
				if (good < (size_t)n) {
					r->ok = 0;
					r->first_bad = r->received + good;
				}
			}
			r->received += n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR) {
			err("recv after %llu bytes: %s",
			    (unsigned long long)r->received, strerror(errno));
			goto out;
		}
		if (!ms_left(deadline)) {
			err("timeout: no EOF after %llu bytes",
			    (unsigned long long)r->received);
			goto out;
		}
		poll_one(fd, POLLIN, ms_left(deadline), &rev);
	}
	ret = 0;
out:
	free(buf);
	free(scratch);
	return ret;
}

static void reply_encode(const struct reply *r, uint8_t *out)
{
	uint64_t v = htobe64(r->received);

	memcpy(out, &v, 8);
	out[8] = r->ok;
	v = htobe64(r->first_bad);
	memcpy(out + 9, &v, 8);
}

static void reply_decode(const uint8_t *in, struct reply *r)
{
	uint64_t v;

	memcpy(&v, in, 8);
	r->received = be64toh(v);
	r->ok = in[8];
	memcpy(&v, in + 9, 8);
	r->first_bad = be64toh(v);
}

static int run_server(const struct opts *o)
{
	int64_t deadline = now_ms() + (int64_t)o->timeout_s * 1000;
	uint8_t out[REPLY_LEN];
	int lfd, fd, ret = 1;
	struct reply r;

	lfd = server_listen(o);
	if (lfd < 0)
		return 1;
	/*
	 * Keep listening: the peer's MP_JOIN SYNs are answered by the
	 * listener, closing it would reset every extra subflow.
	 */
	fd = server_accept(lfd, deadline);
	if (fd < 0) {
		close(lfd);
		return 1;
	}
	out[0] = GREETING;
	if (write_all(fd, out, 1, deadline)) {
		err("sending the greeting: %s", strerror(errno));
		goto out;
	}
	if (server_receive(fd, deadline, &r))
		goto out;
	printf("received %llu\npattern %s\n", (unsigned long long)r.received,
	       r.ok ? "ok" : "bad");
	if (!r.ok)
		printf("first_bad %llu\n", (unsigned long long)r.first_bad);
	fflush(stdout);
	reply_encode(&r, out);
	if (write_all(fd, out, sizeof(out), deadline)) {
		err("sending the reply: %s", strerror(errno));
		goto out;
	}
	if (!r.ok) {
		err("pattern mismatch at offset %llu",
		    (unsigned long long)r.first_bad);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	close(lfd);
	return ret;
}

/* ---- client: sampling the kernel's per-subflow counters ---- */

static struct sf_rec *sf_lookup(struct stats *st,
				const struct mptcp_subflow_addrs *a)
{
	struct sockaddr_storage local = { 0 }, remote = { 0 };
	size_t len = a->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
					      sizeof(struct sockaddr_in6);
	unsigned int i;

	memcpy(&local, &a->ss_local, len);
	memcpy(&remote, &a->ss_remote, len);
	for (i = 0; i < st->nr_sf; i++)
		if (sa_equal(&st->sf[i].local, &local) &&
		    sa_equal(&st->sf[i].remote, &remote))
			return &st->sf[i];
	if (st->nr_sf == MAX_TRACKED) {
		st->sf_overflow = true;
		return NULL;
	}
	st->sf[st->nr_sf] = (struct sf_rec) { .local = local, .remote = remote };
	return &st->sf[st->nr_sf++];
}

static void sf_update(struct sf_rec *sf, uint32_t id, const struct tcp_info *ti)
{
	sf->id = id;
	sf->bytes_sent = ti->tcpi_bytes_sent;
	sf->bytes_acked = ti->tcpi_bytes_acked;
	sf->bytes_retrans = ti->tcpi_bytes_retrans;
	sf->rtt_us = ti->tcpi_rtt;
}

/* A TCP fallback connection has one "subflow": the socket itself. */
static int sample_fallback(int fd, struct stats *st)
{
	struct mptcp_subflow_addrs a = { 0 };
	struct tcp_info ti = { 0 };
	socklen_t len = sizeof(ti), alen;
	struct sf_rec *sf;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	alen = sizeof(a.ss_local);
	if (getsockname(fd, &a.sa_local, &alen))
		return -1;
	alen = sizeof(a.ss_remote);
	if (getpeername(fd, &a.sa_remote, &alen))
		return -1;
	sf = sf_lookup(st, &a);
	if (sf)
		sf_update(sf, 0, &ti);
	return ti.tcpi_state == TCP_STATE_ESTABLISHED;
}

static void sample_mptcp_info(int fd, struct stats *st)
{
	struct xfer_mptcp_info mi = { 0 };
	socklen_t len = sizeof(mi);

	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &mi, &len))
		return;
	if (mi.mptcpi_flags & MPTCP_INFO_FLAG_FALLBACK)
		st->fallback = true;
	if (XFER_MPTCP_INFO_HAS(len, mptcpi_bytes_acked)) {
		st->mi = mi;
		st->have_mptcp_bytes = true;
	}
}

/*
 * Read MPTCP_FULL_INFO and remember each listed subflow's counters.
 * Returns the number of subflows in TCP_ESTABLISHED state, or -1 (errno
 * set) when the socket answers neither MPTCP_FULL_INFO nor TCP_INFO.
 */
static int sample(int fd, struct stats *st)
{
	static struct mptcp_subflow_info sfi[MAX_SAMPLED];
	static struct tcp_info ti[MAX_SAMPLED];
	struct mptcp_full_info mfi = {
		.size_tcpinfo_user = sizeof(ti[0]),
		.size_sfinfo_user = sizeof(sfi[0]),
		.size_arrays_user = MAX_SAMPLED,
		.subflow_info = (uintptr_t)sfi,
		.tcp_info = (uintptr_t)ti,
	};
	socklen_t len = sizeof(mfi);
	struct mptcp_subflow_info si;
	struct tcp_info t;
	int established = 0;
	struct sf_rec *sf;
	unsigned int i, n;

	st->samples++;
	if (getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, &mfi, &len)) {
		if (errno != EOPNOTSUPP && errno != ENOPROTOOPT)
			return -1;
		st->fallback = true;
		return sample_fallback(fd, st);
	}
	sample_mptcp_info(fd, st);
	n = mfi.num_subflows < MAX_SAMPLED ? mfi.num_subflows : MAX_SAMPLED;
	for (i = 0; i < n; i++) {
		/* The strides are the sizes the kernel used, not ours. */
		memset(&si, 0, sizeof(si));
		memset(&t, 0, sizeof(t));
		memcpy(&si, (uint8_t *)sfi + (size_t)i * mfi.size_sfinfo_user,
		       mfi.size_sfinfo_user);
		memcpy(&t, (uint8_t *)ti + (size_t)i * mfi.size_tcpinfo_user,
		       mfi.size_tcpinfo_user);
		if (si.addrs.sa_family != AF_INET &&
		    si.addrs.sa_family != AF_INET6)
			continue;
		if (t.tcpi_state == TCP_STATE_ESTABLISHED)
			established++;
		sf = sf_lookup(st, &si.addrs);
		if (sf)
			sf_update(sf, si.id, &t);
	}
	return established;
}

/* ---- client: output ---- */

static void sf_key(const struct sf_rec *sf, bool with_port, char *buf,
		   size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	bool v6;

	fmt_ip(&sf->local, ip, sizeof(ip));
	v6 = strchr(ip, ':');
	if (!with_port)
		snprintf(buf, len, "%s", ip);
	else
		snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", ip,
			 sa_port(&sf->local));
}

static void print_sf(const char *key, const char *remote, uint64_t sent,
		     uint64_t acked, uint64_t retrans)
{
	printf("subflow.%s.remote %s\n", key, remote);
	printf("subflow.%s.bytes_sent %llu\n", key, (unsigned long long)sent);
	printf("subflow.%s.bytes_acked %llu\n", key, (unsigned long long)acked);
	printf("subflow.%s.bytes_retrans %llu\n", key,
	       (unsigned long long)retrans);
}

/* Is @item one of the comma-separated entries of @list? */
static bool list_has(const char *list, const char *item)
{
	size_t len = strlen(item);
	const char *p = list;

	while ((p = strstr(p, item))) {
		if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* Subflows sharing @first's local address: each with its port, then sums. */
static void print_local_group(const struct stats *st, unsigned int first)
{
	const struct sf_rec *g = &st->sf[first], *sf;
	char key[INET6_ADDRSTRLEN + 16], ip[INET6_ADDRSTRLEN];
	uint64_t sent = 0, acked = 0, retrans = 0;
	char remotes[512] = "";
	unsigned int i, nr = 0;
	size_t used = 0;

	for (i = first; i < st->nr_sf; i++)
		nr += ip_equal(&st->sf[i].local, &g->local);
	for (i = first; i < st->nr_sf; i++) {
		sf = &st->sf[i];
		if (!ip_equal(&sf->local, &g->local))
			continue;
		sf_key(sf, nr > 1, key, sizeof(key));
		fmt_ip(&sf->remote, ip, sizeof(ip));
		print_sf(key, ip, sf->bytes_sent, sf->bytes_acked,
			 sf->bytes_retrans);
		printf("subflow.%s.id %u\n", key, sf->id);
		printf("subflow.%s.rtt_us %u\n", key, sf->rtt_us);
		sent += sf->bytes_sent;
		acked += sf->bytes_acked;
		retrans += sf->bytes_retrans;
		if (!list_has(remotes, ip) &&
		    used + strlen(ip) + 2 < sizeof(remotes))
			used += snprintf(remotes + used, sizeof(remotes) - used,
					 "%s%s", used ? "," : "", ip);
	}
	if (nr > 1) {
		sf_key(g, false, key, sizeof(key));
		print_sf(key, remotes, sent, acked, retrans);
	}
}

static void print_stats(const struct stats *st)
{
	uint64_t sent = 0, acked = 0, retrans = 0;
	unsigned int i, j;
	bool seen;

	printf("samples %u\nfallback %d\nsubflows %u\n", st->samples,
	       st->fallback, st->nr_sf);
	for (i = 0; i < st->nr_sf; i++) {
		for (seen = false, j = 0; j < i && !seen; j++)
			seen = ip_equal(&st->sf[j].local, &st->sf[i].local);
		if (!seen)
			print_local_group(st, i);
		sent += st->sf[i].bytes_sent;
		acked += st->sf[i].bytes_acked;
		retrans += st->sf[i].bytes_retrans;
	}
	printf("total.bytes_sent %llu\ntotal.bytes_acked %llu\n"
	       "total.bytes_retrans %llu\n", (unsigned long long)sent,
	       (unsigned long long)acked, (unsigned long long)retrans);
	if (st->have_mptcp_bytes)
		printf("mptcp.bytes_sent %llu\nmptcp.bytes_acked %llu\n"
		       "mptcp.bytes_retrans %llu\nmptcp.retransmits %u\n",
		       (unsigned long long)st->mi.mptcpi_bytes_sent,
		       (unsigned long long)st->mi.mptcpi_bytes_acked,
		       (unsigned long long)st->mi.mptcpi_bytes_retrans,
		       st->mi.mptcpi_retransmits);
}

/* ---- client: the transfer ---- */

struct client {
	const struct opts *o;
	int fd;
	int64_t deadline;
	int64_t next_sample;
	uint64_t sent;
	struct stats st;
};

/* Sample when due; returns how long poll() may sleep until the next one. */
static int client_tick(struct client *c)
{
	int64_t now = now_ms();
	int left;

	if (now >= c->next_sample) {
		sample(c->fd, &c->st);
		c->next_sample = now + c->o->sample_ms;
	}
	left = ms_left(c->next_sample);
	return left < ms_left(c->deadline) ? left : ms_left(c->deadline);
}

static int client_connect(struct client *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	int soerr = 0;
	short rev;

	if (make_sockaddr(c->o->addr, c->o->port, &ss, &len))
		return -1;
	c->fd = mptcp_socket(ss.ss_family);
	if (c->fd < 0 || set_nonblock(c->fd))
		return -1;
	if (connect(c->fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		soerr = errno;
	} else {
		if (poll_one(c->fd, POLLOUT, ms_left(c->deadline), &rev) <= 0) {
			err("connect to %s port %u: timeout", c->o->addr,
			    c->o->port);
			return -1;
		}
		len = sizeof(soerr);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	}
	if (soerr) {
		err("connect to %s port %u: %s", c->o->addr, c->o->port,
		    strerror(soerr));
		return -1;
	}
	return 0;
}

/* Read the server's one-byte greeting (see the top of this file). */
static int client_greeting(struct client *c)
{
	uint8_t g;
	ssize_t n;
	short rev;

	for (;;) {
		n = recv(c->fd, &g, 1, 0);
		if (n == 1 && g == GREETING)
			return 0;
		if (n == 1 || n == 0) {
			err("bad greeting from %s port %u: %s", c->o->addr,
			    c->o->port, n ? "unexpected byte" : "connection closed");
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR) {
			err("waiting for the greeting: %s", strerror(errno));
			return -1;
		}
		if (!ms_left(c->deadline)) {
			err("timeout waiting for the server's greeting");
			return -1;
		}
		poll_one(c->fd, POLLIN, ms_left(c->deadline), &rev);
	}
}

/* Wait until K subflows are established (the initial one included). */
static int client_wait_subflows(struct client *c)
{
	int64_t until = now_ms() + (int64_t)c->o->wait_timeout_s * 1000;
	int got;

	if (until > c->deadline)
		until = c->deadline;
	for (;;) {
		got = sample(c->fd, &c->st);
		if (got < 0) {
			err("getsockopt(MPTCP_FULL_INFO): %s", strerror(errno));
			return -1;
		}
		if ((unsigned int)got >= c->o->wait_subflows)
			return 0;
		if (!ms_left(until)) {
			err("timeout waiting for %u subflows: got %d%s",
			    c->o->wait_subflows, got,
			    c->st.fallback ? " (connection fell back to TCP)" : "");
			return -1;
		}
		sleep_ms(WAIT_POLL_MS);
	}
}

static int client_send(struct client *c)
{
	uint8_t *buf = malloc(c->o->chunk);
	uint64_t total = c->o->bytes;
	size_t len;
	ssize_t n;
	short rev;
	int ret = -1, soerr = 0;
	socklen_t slen = sizeof(soerr);

	if (!buf) {
		err("out of memory");
		return -1;
	}
	while (c->sent < total) {
		len = total - c->sent < c->o->chunk ? total - c->sent : c->o->chunk;
		pattern_fill(buf, len, c->sent);
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			c->sent += n;
			client_tick(c);
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			err("send failed after %llu of %llu bytes: %s",
			    (unsigned long long)c->sent,
			    (unsigned long long)total, strerror(errno));
			goto out;
		}
		if (!ms_left(c->deadline)) {
			err("timeout: sent %llu of %llu bytes",
			    (unsigned long long)c->sent,
			    (unsigned long long)total);
			goto out;
		}
		poll_one(c->fd, POLLOUT, client_tick(c), &rev);
		if (rev & (POLLERR | POLLHUP)) {
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &slen);
			err("connection failed after %llu of %llu bytes: %s",
			    (unsigned long long)c->sent,
			    (unsigned long long)total,
			    soerr ? strerror(soerr) : "hangup");
			goto out;
		}
	}
	if (shutdown(c->fd, SHUT_WR)) {
		err("shutdown(SHUT_WR): %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

/* Read the server's reply, sampling meanwhile. */
static int client_reply(struct client *c, struct reply *r)
{
	uint8_t in[REPLY_LEN];
	size_t got = 0;
	ssize_t n;
	short rev;

	while (got < sizeof(in)) {
		n = recv(c->fd, in + got, sizeof(in) - got, 0);
		if (n > 0) {
			got += n;
			continue;
		}
		if (n == 0) {
			err("server closed the connection without a reply (got %zu of %d bytes)",
			    got, REPLY_LEN);
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR) {
			err("waiting for the reply: %s", strerror(errno));
			return -1;
		}
		if (!ms_left(c->deadline)) {
			err("timeout waiting for the server's reply");
			return -1;
		}
		poll_one(c->fd, POLLIN, client_tick(c), &rev);
	}
	reply_decode(in, r);
	return 0;
}

static int run_client(const struct opts *o)
{
	struct client *c = calloc(1, sizeof(*c));
	struct reply r = { 0 };
	int64_t start;
	int ret = 1;

	if (!c) {
		err("out of memory");
		return 1;
	}
	c->o = o;
	c->fd = -1;
	c->deadline = now_ms() + (int64_t)o->timeout_s * 1000;
	if (client_connect(c) || client_greeting(c))
		goto out;
	if (o->wait_subflows && client_wait_subflows(c))
		goto out;
	start = now_ms();
	c->next_sample = start;
	if (client_send(c) || client_reply(c, &r))
		goto out;
	sample(c->fd, &c->st);	/* final sample, after the reply */
	printf("sent %llu\nreceived %llu\npattern %s\nduration_ms %lld\n",
	       (unsigned long long)c->sent, (unsigned long long)r.received,
	       r.ok ? "ok" : "bad", (long long)(now_ms() - start));
	print_stats(&c->st);
	fflush(stdout);
	if (c->st.sf_overflow)
		fprintf(stderr, "Warning: more than %d subflows, some not reported\n",
			MAX_TRACKED);
	if (r.received != c->sent)
		err("short transfer: received %llu of %llu",
		    (unsigned long long)r.received, (unsigned long long)c->sent);
	else if (!r.ok)
		err("pattern mismatch at offset %llu",
		    (unsigned long long)r.first_bad);
	else
		ret = 0;
out:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return ret;
}

int main(int argc, char **argv)
{
	bool server;
	struct opts o;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
		err("first argument must be 'server' or 'client'");
		usage(stderr);
		return 2;
	}
	server = !strcmp(argv[1], "server");
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc - 1, argv + 1, server, &o))
		return 2;
	return server ? run_server(&o) : run_client(&o);
}
