// SPDX-License-Identifier: GPL-2.0
/*
 * Tunables: `const volatile` integer globals in .rodata carrying a BTF
 * decl tag "mptcp_tunable:MIN:MAX:DESCRIPTION" (MPTCP_TUNABLE() in
 * include/mptcp_bpf_tunables.h). The default is the variable's initial
 * value; --set writes a new value into the object's .rodata before load,
 * after checking it against MIN..MAX. The same parser reads a loaded
 * policy's values back from its pinned .rodata map and the BTF the
 * kernel holds for it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "mptcp_sched.h"

#define TAG_PREFIX	"mptcp_tunable:"

/* The "mptcp_tunable:..." tag on variable var_id, or NULL. */
static const char *find_tag(const struct btf *btf, __u32 var_id)
{
	__u32 i, n = btf__type_cnt(btf);
	const struct btf_type *t;
	const char *s;

	for (i = 1; i < n; i++) {
		t = btf__type_by_id(btf, i);
		if (!btf_is_decl_tag(t) || t->type != var_id ||
		    btf_decl_tag(t)->component_idx != -1)
			continue;
		s = btf__name_by_offset(btf, t->name_off);
		if (!strncmp(s, TAG_PREFIX, strlen(TAG_PREFIX)))
			return s;
	}
	return NULL;
}

/*
 * An integer as C writes it: decimal, 0x hex or 0 octal. Literal
 * suffixes (1024U, 1UL) are accepted only in tags (allow_suffix).
 */
static int parse_int(const char *s, bool is_signed, bool allow_suffix,
		     __u64 *v)
{
	char *end;

	while (*s == ' ')
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	if (is_signed) {
		*v = (__u64)strtoll(s, &end, 0);
	} else {
		if (*s == '-')
			return -ERANGE;
		*v = strtoull(s, &end, 0);
	}
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	while (allow_suffix && (*end == 'u' || *end == 'U' || *end == 'l' ||
				*end == 'L'))
		end++;
	while (*end == ' ')
		end++;
	return *end ? -EINVAL : 0;
}

static int cmp(const struct tunable *t, __u64 a, __u64 b)
{
	if (t->is_signed)
		return (__s64)a < (__s64)b ? -1 : (__s64)a > (__s64)b;
	return a < b ? -1 : a > b;
}

int tunable_format(const struct tunable *t, __u64 v, char *buf, size_t len)
{
	if (t->is_signed)
		return snprintf(buf, len, "%" PRId64, (int64_t)v);
	return snprintf(buf, len, "%" PRIu64, (uint64_t)v);
}

static __u64 load_int(const void *p, __u32 size, bool is_signed)
{
	__u8 u8; __u16 u16; __u32 u32; __u64 u64 = 0;

	switch (size) {
	case 1:
		memcpy(&u8, p, 1);
		return is_signed ? (__u64)(__s64)(__s8)u8 : u8;
	case 2:
		memcpy(&u16, p, 2);
		return is_signed ? (__u64)(__s64)(__s16)u16 : u16;
	case 4:
		memcpy(&u32, p, 4);
		return is_signed ? (__u64)(__s64)(__s32)u32 : u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

static void store_int(void *p, __u32 size, __u64 v)
{
	__u8 u8 = v; __u16 u16 = v; __u32 u32 = v;

	switch (size) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	default:
		memcpy(p, &v, 8);
	}
}

__u64 tunable_value(const struct tunables *ts, const struct tunable *t)
{
	return load_int((char *)ts->data + t->offset, t->size, t->is_signed);
}

/* Type name and natural range of the variable's integer type. */
static int tunable_type(const struct btf *btf, const struct btf_type *var,
			struct tunable *t, __u64 *tmin, __u64 *tmax)
{
	const struct btf_type *it;
	__u32 enc;

	it = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
	if (!it || !btf_is_int(it) || btf_int_offset(it) ||
	    (it->size != 1 && it->size != 2 && it->size != 4 && it->size != 8))
		return -EINVAL;
	enc = btf_int_encoding(it);
	t->size = it->size;
	t->is_signed = enc & BTF_INT_SIGNED;
	if (enc & BTF_INT_BOOL) {
		snprintf(t->type, sizeof(t->type), "bool");
		*tmin = 0;
		*tmax = 1;
		return 0;
	}
	snprintf(t->type, sizeof(t->type), "%c%u", t->is_signed ? 's' : 'u',
		 it->size * 8);
	if (t->is_signed) {
		*tmax = it->size == 8 ? (__u64)INT64_MAX :
			(1ull << (it->size * 8 - 1)) - 1;
		*tmin = -*tmax - 1;
	} else {
		*tmin = 0;
		*tmax = it->size == 8 ? UINT64_MAX : (1ull << (it->size * 8)) - 1;
	}
	return 0;
}

/* "mptcp_tunable:MIN:MAX:DESC" -> t->min, t->max, t->desc */
static int parse_tag(const char *tag, struct tunable *t)
{
	char *s = strdup(tag + strlen(TAG_PREFIX)), *max, *desc;
	int err = -EINVAL;

	if (!s)
		return -ENOMEM;
	max = strchr(s, ':');
	desc = max ? strchr(max + 1, ':') : NULL;
	if (!desc)
		goto out;
	*max++ = '\0';
	*desc++ = '\0';
	if (parse_int(s, t->is_signed, true, &t->min) ||
	    parse_int(max, t->is_signed, true, &t->max))
		goto out;
	t->desc = strdup(desc);
	err = t->desc ? 0 : -ENOMEM;
out:
	free(s);
	return err;
}

static int tunable_init(const struct btf *btf, const struct btf_var_secinfo *vsi,
			const char *tag, const struct tunables *ts,
			const char *owner, struct tunable *t)
{
	const struct btf_type *var = btf__type_by_id(btf, vsi->type);
	char a[32], b[32], c[32];
	__u64 tmin, tmax, def;

	t->name = btf__name_by_offset(btf, var->name_off);
	t->offset = vsi->offset;
	if (tunable_type(btf, var, t, &tmin, &tmax) || t->size != vsi->size) {
		error_msg("%s: tunable '%s' is not an integer of 1, 2, 4 or 8 bytes",
			  owner, t->name);
		return -EINVAL;
	}
	if (t->offset + t->size > ts->data_size) {
		error_msg("%s: tunable '%s' lies outside .rodata", owner, t->name);
		return -EINVAL;
	}
	if (parse_tag(tag, t)) {
		error_msg("%s: tunable '%s' has a malformed tag \"%s\"; expected \"" TAG_PREFIX "MIN:MAX:DESCRIPTION\" with integer literals",
			  owner, t->name, tag);
		return -EINVAL;
	}
	tunable_format(t, t->min, a, sizeof(a));
	tunable_format(t, t->max, b, sizeof(b));
	if (cmp(t, t->min, t->max) > 0 || cmp(t, t->min, tmin) < 0 ||
	    cmp(t, t->max, tmax) > 0) {
		error_msg("%s: tunable '%s' has range %s..%s, which is empty or does not fit its type %s",
			  owner, t->name, a, b, t->type);
		return -EINVAL;
	}
	def = load_int((char *)ts->data + t->offset, t->size, t->is_signed);
	if (cmp(t, def, t->min) < 0 || cmp(t, def, t->max) > 0) {
		tunable_format(t, def, c, sizeof(c));
		error_msg("%s: tunable '%s' has value %s, outside its range %s..%s",
			  owner, t->name, c, a, b);
		return -EINVAL;
	}
	return 0;
}

int tunables_parse(const struct btf *btf, __u32 datasec_id, void *data,
		   __u32 data_size, const char *owner, struct tunables *out)
{
	const struct btf_type *ds = btf__type_by_id(btf, datasec_id);
	const struct btf_var_secinfo *vsi;
	const char *tag;
	int i, err;

	memset(out, 0, sizeof(*out));
	out->data = data;
	out->data_size = data_size;
	if (!ds || !btf_is_datasec(ds))
		return 0;
	out->t = calloc(btf_vlen(ds) ? btf_vlen(ds) : 1, sizeof(*out->t));
	if (!out->t) {
		error_msg("out of memory");
		return -ENOMEM;
	}
	for (i = 0, vsi = btf_var_secinfos(ds); i < (int)btf_vlen(ds); i++, vsi++) {
		tag = find_tag(btf, vsi->type);
		if (!tag)
			continue;
		err = tunable_init(btf, vsi, tag, out, owner, &out->t[out->n]);
		out->n++;	/* tunables_free() frees its desc either way */
		if (err) {
			tunables_free(out);
			return err;
		}
	}
	return 0;
}

void tunables_free(struct tunables *ts)
{
	int i;

	for (i = 0; i < ts->n; i++)
		free(ts->t[i].desc);
	free(ts->t);
	ts->t = NULL;
	ts->n = 0;
}

/*
 * The tag only means something on a global in .rodata: anywhere else
 * (a non-const global lands in .data or .bss) the value could not be
 * set before load, so it is a policy bug worth naming.
 */
int tunables_check_placement(const struct btf *btf, const char *owner)
{
	__u32 i, j, k, n = btf__type_cnt(btf);
	const struct btf_var_secinfo *vsi;
	const struct btf_type *t, *ds;
	const char *sec;

	for (i = 1; i < n; i++) {
		t = btf__type_by_id(btf, i);
		if (!btf_is_decl_tag(t) ||
		    strncmp(btf__name_by_offset(btf, t->name_off), TAG_PREFIX,
			    strlen(TAG_PREFIX)))
			continue;
		if (!btf_is_var(btf__type_by_id(btf, t->type)) ||
		    btf_decl_tag(t)->component_idx != -1) {
			error_msg("%s: the " TAG_PREFIX " tag is on something other than a global variable",
				  owner);
			return -EINVAL;
		}
		sec = NULL;
		for (j = 1; j < n && !sec; j++) {
			ds = btf__type_by_id(btf, j);
			if (!btf_is_datasec(ds))
				continue;
			vsi = btf_var_secinfos(ds);
			for (k = 0; k < btf_vlen(ds); k++)
				if (vsi[k].type == t->type)
					sec = btf__name_by_offset(btf, ds->name_off);
		}
		if (sec && strcmp(sec, ".rodata")) {
			error_msg("%s: tunable '%s' is in %s, not .rodata: declare it const volatile",
				  owner,
				  btf__name_by_offset(btf, btf__type_by_id(btf, t->type)->name_off),
				  sec);
			return -EINVAL;
		}
	}
	return 0;
}

static void list_names(const struct tunables *ts, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < ts->n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				ts->t[i].name);
}

/* --set KEY=VALUE: checked against the tunable's range, then written. */
int tunables_set(struct tunables *ts, const char *assignment, const char *owner)
{
	const char *eq = strchr(assignment, '=');
	const struct tunable *t = NULL;
	char key[128], a[32], b[32], names[512];
	const char *val;
	__u64 v;
	int i, err;

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(key)) {
		error_msg("--set '%s': expected KEY=VALUE", assignment);
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - assignment), assignment);
	val = eq + 1;
	for (i = 0; i < ts->n && !t; i++)
		if (!strcmp(ts->t[i].name, key))
			t = &ts->t[i];
	if (!t) {
		list_names(ts, names, sizeof(names));
		if (ts->n)
			error_msg("tunable '%s' of %s: no such tunable; %s has: %s",
				  key, owner, owner, names);
		else
			error_msg("tunable '%s' of %s: no such tunable; %s has no tunables",
				  key, owner, owner);
		return -ENOENT;
	}

	if (!strcmp(t->type, "bool") && !strcmp(val, "true"))
		val = "1";
	else if (!strcmp(t->type, "bool") && !strcmp(val, "false"))
		val = "0";
	tunable_format(t, t->min, a, sizeof(a));
	tunable_format(t, t->max, b, sizeof(b));
	err = parse_int(val, t->is_signed, false, &v);
	if (err == -EINVAL) {
		error_msg("tunable '%s' of %s: '%s' is not an integer (%s, range %s..%s)",
			  key, owner, val, t->type, a, b);
		return err;
	}
	if (err || cmp(t, v, t->min) < 0 || cmp(t, v, t->max) > 0) {
		error_msg("tunable '%s' of %s: %s is out of range %s..%s",
			  key, owner, val, a, b);
		return -ERANGE;
	}
	store_int((char *)ts->data + t->offset, t->size, v);
	return 0;
}

/* Human: one line per tunable; JSON: "tunables": [...] in the open object. */
void tunables_print(const struct tunables *ts, const char *value_label)
{
	char v[32], a[32], b[32], range[72];
	const struct tunable *t;
	int i;

	if (json_output) {
		json_key("tunables");
		json_begin_array();
	} else {
		printf("tunables:%s\n", ts->n ? "" : "   none");
	}
	for (i = 0; i < ts->n; i++) {
		t = &ts->t[i];
		tunable_format(t, tunable_value(ts, t), v, sizeof(v));
		tunable_format(t, t->min, a, sizeof(a));
		tunable_format(t, t->max, b, sizeof(b));
		if (!json_output) {
			snprintf(range, sizeof(range), "%s..%s", a, b);
			printf("  %-16s %-4s %s %-6s range %-12s %s\n", t->name,
			       t->type, value_label, v, range, t->desc);
			continue;
		}
		json_begin_object();
		json_key("name");
		json_string(t->name);
		json_key("type");
		json_string(t->type);
		json_key(value_label);
		t->is_signed ? json_int(tunable_value(ts, t)) :
			       json_uint(tunable_value(ts, t));
		json_key("min");
		t->is_signed ? json_int(t->min) : json_uint(t->min);
		json_key("max");
		t->is_signed ? json_int(t->max) : json_uint(t->max);
		json_key("description");
		json_string(t->desc);
		json_end_object();
	}
	if (json_output)
		json_end_array();
}
