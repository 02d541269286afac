/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mptcp_sched.h - what the files of the mptcp-sched loader share.
 *
 * main.c      options, dispatch       load.c unload.c use.c list.c
 * object.c    open + inspect objects  info.c stats.c: one command each
 * tunables.c  decl-tagged tunables    loaded.c  inspect a pinned policy
 * stats.c     the per-CPU stats map   pin.c     bpffs pins
 * sysctl.c    /proc/sys/net/mptcp     preflight.c capabilities, kernel BTF
 * log.c       errors, libbpf output   json.c    the -j writer
 * builtin.c   embedded policies (own header: it includes the skeletons)
 *
 * Functions return 0 or a negative errno and print their own "Error: "
 * line; only the command functions turn that into an exit status.
 */
#ifndef __MPTCP_SCHED_H__
#define __MPTCP_SCHED_H__

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct bpf_object;
struct bpf_map;
struct bpf_link;
struct btf;

#define PROG_NAME	"mptcp-sched"
#define PIN_ROOT	"/sys/fs/bpf/mptcp-sched"
#define POLICY_NAME_MAX	16	/* char name[16] in the ops structs, NUL included */
#define MAX_SETS	64
#define MAX_POS		4
#define MAX_CALLBACKS	32

/* ---- main.c: parsed command line ---- */
struct cmd_args {
	const char *cmd;
	const char *pos[MAX_POS];	/* positional arguments after the verb */
	int npos;
	const char *sets[MAX_SETS];	/* --set key=value, in order */
	int nsets;
	const char *name;		/* --name */
	const char *watch;		/* --watch SECS */
	bool json;
	bool verbose;
};

int cmd_load(const struct cmd_args *a);
int cmd_unload(const struct cmd_args *a);
int cmd_use(const struct cmd_args *a);
int cmd_list(const struct cmd_args *a);
int cmd_stats(const struct cmd_args *a);
int cmd_info(const struct cmd_args *a);

/* ---- log.c ---- */
void log_setup(bool verbose);
void log_free(void);
void log_reset(void);
void log_dump(void);
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *errstr(int err);

/* ---- json.c: one document on stdout ---- */
extern bool json_output;
void json_begin_object(void);
void json_end_object(void);
void json_begin_array(void);
void json_end_array(void);
void json_key(const char *key);
void json_string(const char *s);
void json_uint(__u64 v);
void json_int(__s64 v);
void json_bool(bool v);
void json_null(void);
void json_end_document(void);

/* ---- policy kinds ---- */
struct policy_kind {
	const char *ops_type;		/* "mptcp_sched_ops" */
	const char *what;		/* "scheduler" */
	const char *plural;		/* "schedulers", JSON key of "list" */
	const char *available;		/* sysctl listing the registered ones */
	const char *current;		/* sysctl selecting one */
};

const struct policy_kind *kind_by_ops_type(const char *ops_type);
const struct policy_kind *kind_all(int *n);

/* ---- tunables.c ---- */
struct tunable {
	const char *name;		/* points into the BTF it came from */
	char *desc;
	char type[8];			/* "u32", "s16", "bool" */
	__u32 offset;			/* in the .rodata data section */
	__u32 size;
	bool is_signed;
	__u64 min, max;			/* two's complement when is_signed */
};

struct tunables {
	struct tunable *t;
	int n;
	void *data;			/* the section the values live in */
	__u32 data_size;
};

int tunables_parse(const struct btf *btf, __u32 datasec_id, void *data,
		   __u32 data_size, const char *owner, struct tunables *out);
void tunables_free(struct tunables *ts);
int tunables_set(struct tunables *ts, const char *assignment, const char *owner);
__u64 tunable_value(const struct tunables *ts, const struct tunable *t);
int tunable_format(const struct tunable *t, __u64 v, char *buf, size_t len);
void tunables_print(const struct tunables *ts, const char *value_label);
int tunables_check_placement(const struct btf *btf, const char *owner);

/* ---- stats.c ---- */
struct stat_field {
	const char *name;		/* points into the BTF */
	__u32 offset;
	__u32 nelems;			/* 0: a scalar __u64 */
};

struct stats_layout {
	struct stat_field *f;
	int n;
	__u32 value_size;
	__u32 nslots;			/* __u64 counters in all fields */
};

int stats_layout_parse(const struct btf *btf, __u32 type_id, const char *owner,
		       struct stats_layout *out);
void stats_layout_free(struct stats_layout *l);
int stats_read(int map_fd, const struct stats_layout *l, __u64 *totals);
void stats_print(const struct stats_layout *l, const __u64 *totals,
		 const char *indent);

/* ---- object.c: a policy object opened with libbpf, not loaded ---- */
struct callback {
	const char *member;		/* "get_send" */
	char prog[64];			/* BPF program name */
	__u32 prog_id;			/* loaded policies only */
};

struct policy {
	char *source;			/* "built-in 'first'" or the path */
	void *elf;
	size_t elf_size;
	bool elf_owned;
	struct bpf_object *obj;
	struct bpf_map *ops_map;
	const struct policy_kind *kind;
	char *ops_data;			/* struct_ops initial value */
	__u32 name_off;			/* of char name[] in ops_data */
	__u32 name_size;
	char name[POLICY_NAME_MAX];
	struct bpf_map *rodata;		/* holds the tunables, or NULL */
	struct tunables tun;
	struct bpf_map *stats;		/* "stats", or NULL */
	struct stats_layout stats_layout;
};

int policy_open(const char *what, struct policy **out);
void policy_close(struct policy *p);
int policy_set_name(struct policy *p, const char *name);
int policy_callbacks(const struct policy *p, struct callback *cbs, int max);
int check_name(const char *name, const char *what);
bool looks_like_file(const char *what);

/* ---- loaded.c: a policy loaded and pinned by this tool ---- */
struct loaded_policy {
	char name[POLICY_NAME_MAX];
	const struct policy_kind *kind;
	__u32 link_id;
	__u32 map_id;
	struct callback cbs[MAX_CALLBACKS];
	int ncbs;
	int rodata_fd;			/* -1 when not pinned */
	int stats_fd;
	struct btf *rodata_btf;
	struct btf *stats_btf;
	struct tunables tun;		/* values from the rodata map */
	struct stats_layout stats_layout;
};

int loaded_open(const char *name, struct loaded_policy *lp);
void loaded_close(struct loaded_policy *lp);
void loaded_not_found(const char *name);

/* ---- pin.c ---- */
int bpffs_mount(void);
int pin_dir_create(const char *name);
int pin_dir_remove(const char *name);
bool pin_dir_exists(const char *name);
int pin_path(char *buf, size_t len, const char *name, const char *file);
int pin_list(char ***names, int *n);
void pin_list_free(char **names, int n);
int pin_policy(const char *name, struct bpf_link *link, struct bpf_map *stats,
	       struct bpf_map *rodata);

/* ---- sysctl.c ---- */
int mptcp_sysctl_read(const char *key, char *buf, size_t len);
int mptcp_sysctl_write(const char *key, const char *val);
bool word_in_list(const char *list, const char *word);
int mptcp_check_present(void);
const struct policy_kind *kind_registered(const char *name);

/* ---- preflight.c ---- */
enum {
	NEED_LOAD,			/* load */
	NEED_MANAGE,			/* unload, list, stats, info NAME */
	NEED_USE,			/* use */
};
int caps_check(const char *cmd, int need);
int kernel_check_struct_ops(const struct policy_kind *kind, const char *owner);
const struct btf *vmlinux_btf(void);
void vmlinux_btf_free(void);

#endif /* __MPTCP_SCHED_H__ */
