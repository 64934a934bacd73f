/* SPDX-License-Identifier: MIT */
/*
 * names.c - the names of crypto users from CryptoUserInfo.plist,
 * AllUsersInfo.plist and dslocal user records (see names.h for the files
 * and their keys; docs/apfs-format.md §6.2 step 4, docs/macos-boot.md §1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/apfs.h"
#include "util/err.h"
#include "util/plist_dl.h"
#include "util/plistcheck.h"
#include "keybag/names.h"

static const char *const field_name[] = { "short name", "full name", "password hint",
					  "admin flag", "uid", "user type" };

void kb_names_warn(struct kb_names *db, const char *fmt, ...)
{
	char **w;
	va_list ap;

	/* A hostile file could make one per entry: the first ones say enough. */
	if (db->nwarn > KB_NAMES_MAX_WARNINGS)
		return;
	w = realloc(db->warnings, (db->nwarn + 1) * sizeof(*w));
	if (!w)
		return;
	if (db->nwarn == KB_NAMES_MAX_WARNINGS) {
		db->warnings = w;
		w[db->nwarn] = strdup("more warnings about the user databases are not shown");
		db->nwarn += w[db->nwarn] != NULL;
		return;
	}
	db->warnings = w;
	va_start(ap, fmt);
	if (vasprintf(&w[db->nwarn], fmt, ap) >= 0)
		db->nwarn++;
	va_end(ap);
}

/* A name from the image, fit for a message: controls and '\' as \xNN, cut at 64 bytes. */
static const char *esc(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 5 < cap && o < 64; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (*s && o + 4 < cap)
		o += (size_t)snprintf(out + o, cap - o, "...");
	out[o] = '\0';
	return out;
}

/* The canonical 8-4-4-4-12 form only: a key in another shape names no user. */
static int strict_uuid(const char *s, uint8_t u[16])
{
	if (strlen(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
		return -1;
	return apfs_uuid_parse(s, u) ? -1 : 0;
}

static struct kb_name *db_get(struct kb_names *db, const uint8_t uuid[16])
{
	struct kb_name *n;

	for (unsigned i = 0; i < db->n; i++)
		if (!memcmp(db->v[i].uuid, uuid, 16))
			return &db->v[i];
	if (db->n == db->cap) {
		unsigned cap = db->cap ? 2 * db->cap : 8;
		struct kb_name *v = realloc(db->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		db->v = v;
		db->cap = cap;
	}
	n = &db->v[db->n++];
	memset(n, 0, sizeof(*n));
	memcpy(n->uuid, uuid, 16);
	n->admin = -1;
	return n;
}

static void add_source(struct kb_name *n, enum kb_names_kind kind, const char *src)
{
	n->kinds |= 1u << kind;
	for (unsigned i = 0; i < n->nsources; i++)
		if (n->sources[i] == src)
			return;
	if (n->nsources < KB_NAMES_MAX_SOURCES)
		n->sources[n->nsources++] = src;
}

static void conflict(struct kb_names *db, struct kb_name *n, int f, const char *a,
		     const char *b, const char *src)
{
	char id[37], e1[80], e2[80];

	apfs_uuid_str(n->uuid, id);
	kb_names_warn(db, "crypto user %s: %s disagrees with an earlier file about the %s "
			  "('%s' there, '%s' here); it is left unset", id, src, field_name[f],
		      esc(a, e1, sizeof(e1)), esc(b, e2, sizeof(e2)));
	n->conflicts |= 1u << f;
}

static void set_str(struct kb_names *db, struct kb_name *n, int f, char **field,
		    const char *val, const char *src)
{
	if (!val || !*val || (n->conflicts & (1u << f)))
		return;
	if (!*field) {
		*field = strdup(val);
		return;
	}
	if (strcmp(*field, val)) {
		conflict(db, n, f, *field, val, src);
		free(*field);
		*field = NULL;
	}
}

static void set_admin(struct kb_names *db, struct kb_name *n, int admin, const char *src)
{
	if (admin < 0 || (n->conflicts & (1u << KB_F_ADMIN)))
		return;
	if (n->admin >= 0 && n->admin != admin) {
		conflict(db, n, KB_F_ADMIN, n->admin ? "yes" : "no", admin ? "yes" : "no", src);
		n->admin = -1;
		return;
	}
	n->admin = admin;
}

static void set_uid(struct kb_names *db, struct kb_name *n, bool has, long long uid,
		    const char *src)
{
	char a[24], b[24];

	if (!has || (n->conflicts & (1u << KB_F_UID)))
		return;
	if (n->has_uid && n->uid != uid) {
		snprintf(a, sizeof(a), "%lld", n->uid);
		snprintf(b, sizeof(b), "%lld", uid);
		conflict(db, n, KB_F_UID, a, b, src);
		n->has_uid = false;
		return;
	}
	n->has_uid = true;
	n->uid = uid;
}

/* ---- typed values --------------------------------------------------------- */

/* A string value (malloc'd), or NULL when absent or of another type. */
static char *str_of(plist_t node)
{
	char *s = NULL;

	if (node && plist_get_node_type(node) == PLIST_STRING)
		plist_get_string_val(node, &s);
	return s;
}

/* dslocal attributes are arrays of strings: the first one (or a bare value). */
static plist_t first_node(plist_t dict, const char *key)
{
	plist_t a = plist_dict_get_item(dict, key);

	if (a && plist_get_node_type(a) == PLIST_ARRAY)
		return plist_array_get_size(a) ? plist_array_get_item(a, 0) : NULL;
	return a;
}

static char *first_str(plist_t dict, const char *key)
{
	return str_of(first_node(dict, key));
}

/* A decimal number in a string, whole and in range. */
static bool parse_ll(const char *s, long long *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

/* Admin, whose type the sources do not state: a boolean, a number or a string. */
static int admin_of(plist_t node)
{
	uint8_t b = 0;
	uint64_t u = 0;
	char *s;
	int r = -1;

	if (!node)
		return -1;
	switch (plist_get_node_type(node)) {
	case PLIST_BOOLEAN: plist_get_bool_val(node, &b); return b != 0;
	case PLIST_UINT: plist_get_uint_val(node, &u); return u != 0;
	case PLIST_STRING:
		s = str_of(node);
		if (s && (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes")))
			r = 1;
		else if (s && (!strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no")))
			r = 0;
		free(s);
		return r;
	default: return -1;
	}
}

static bool uid_of(plist_t node, long long *uid)
{
	uint64_t u = 0;
	char *s;
	bool ok;

	if (node && plist_get_node_type(node) == PLIST_UINT) {
		plist_get_uint_val(node, &u);
		*uid = (long long)u;  /* libplist gives negative integers two's-complement */
		return true;
	}
	s = str_of(node);
	ok = parse_ll(s, uid);
	free(s);
	return ok;
}

/* ---- the files ------------------------------------------------------------- */

struct ctx {
	struct kb_names *db;
	const char *src;
	enum kb_names_kind kind;
	plist_t root;
	uint8_t (*claims)[16];  /* AllUsersInfo: every GeneratedUID, sorted */
	size_t nclaims;
};

/* Field f of n from a string node: absent is nothing, another type a warning. */
static void take_str(struct ctx *c, struct kb_name *n, int f, char **field, plist_t node)
{
	char *s = str_of(node), id[37];

	if (node && !s) {
		apfs_uuid_str(n->uuid, id);
		kb_names_warn(c->db, "%s: the %s of %s is not a string; not used", c->src,
			      field_name[f], id);
	}
	set_str(c->db, n, f, field, s, c->src);
	free(s);
}

/* CryptoUserInfo: UUID -> { ShortName, FullName, PasswordHint, PictureData, UserType }. */
static void add_cryptouser(struct ctx *c, const char *key, plist_t val)
{
	struct kb_name *n;
	uint8_t u[16];
	char e[80];
	plist_t pic;

	if (strict_uuid(key, u) || plist_get_node_type(val) != PLIST_DICT) {
		kb_names_warn(c->db, "%s: entry '%s' is %s; skipped", c->src, esc(key, e, sizeof(e)),
			      strict_uuid(key, u) ? "not named by a UUID" : "not a dictionary");
		return;
	}
	n = db_get(c->db, u);
	if (!n)
		return;
	add_source(n, c->kind, c->src);
	take_str(c, n, KB_F_SHORT, &n->short_name, plist_dict_get_item(val, "ShortName"));
	take_str(c, n, KB_F_FULL, &n->full_name, plist_dict_get_item(val, "FullName"));
	take_str(c, n, KB_F_HINT, &n->hint, plist_dict_get_item(val, "PasswordHint"));
	take_str(c, n, KB_F_TYPE, &n->user_type, plist_dict_get_item(val, "UserType"));
	pic = plist_dict_get_item(val, "PictureData");
	if (pic && plist_get_node_type(pic) == PLIST_DATA) {
		uint64_t len = 0;

		plist_get_data_ptr(pic, &len);
		n->picture |= len > 0;
	}
}

/* The GeneratedUID of an AllUsersInfo entry, or -1. */
static int alluser_uuid(plist_t val, uint8_t u[16])
{
	char *gid = plist_get_node_type(val) == PLIST_DICT ?
		    str_of(plist_dict_get_item(val, "GeneratedUID")) : NULL;
	int ret = gid ? strict_uuid(gid, u) : -1;

	free(gid);
	return ret;
}

static int cmp_uuid(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* First index in the sorted claims whose UUID is >= u (or > u when after). */
static size_t bound(const struct ctx *c, const uint8_t u[16], bool after)
{
	size_t lo = 0, hi = c->nclaims;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = memcmp(c->claims[mid], u, 16);

		if (r < 0 || (after && r == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Every GeneratedUID of this AllUsersInfo, sorted: how many short names
 * claim one UUID is then two binary searches (a hostile file may hold tens
 * of thousands of entries).  Out of memory: no claims, no duplicate check.
 */
static void collect_claims(struct ctx *c)
{
	uint32_t n = plist_dict_get_size(c->root);
	plist_dict_iter it = NULL;
	plist_t val = NULL;
	char *key = NULL;

	c->claims = n ? calloc(n, 16) : NULL;
	plist_dict_new_iter(c->root, &it);
	for (uint32_t i = 0; c->claims && it && i < n; i++) {
		plist_dict_next_item(c->root, it, &key, &val);
		if (!key)
			break;
		if (val && !alluser_uuid(val, c->claims[c->nclaims]))
			c->nclaims++;
		free(key);
		key = NULL;
	}
	free(it);
	if (c->claims)
		qsort(c->claims, c->nclaims, 16, cmp_uuid);
}

/* Short names in this AllUsersInfo claiming UUID u (a second name for a user: all doubtful). */
static size_t alluser_claims(const struct ctx *c, const uint8_t u[16])
{
	return bound(c, u, true) - bound(c, u, false);
}

/* AllUsersInfo: short name -> { GeneratedUID, RealName, Admin, UID }. */
static void add_alluser(struct ctx *c, const char *key, plist_t val)
{
	char *gid = plist_get_node_type(val) == PLIST_DICT ?
		    str_of(plist_dict_get_item(val, "GeneratedUID")) : NULL, e[80], id[37];
	struct kb_name *n;
	long long uid = 0;
	uint8_t u[16];
	bool has;

	if (!gid || strict_uuid(gid, u)) {
		kb_names_warn(c->db, "%s: user '%s' has no GeneratedUID in UUID form; skipped",
			      c->src, esc(key, e, sizeof(e)));
		free(gid);
		return;
	}
	free(gid);
	if (alluser_claims(c, u) > 1) {
		apfs_uuid_str(u, id);
		kb_names_warn(c->db, "%s: user '%s' is one of several short names for %s; none of "
				     "them is used", c->src, esc(key, e, sizeof(e)), id);
		return;
	}
	n = db_get(c->db, u);
	if (!n)
		return;
	add_source(n, c->kind, c->src);
	set_str(c->db, n, KB_F_SHORT, &n->short_name, key, c->src);
	take_str(c, n, KB_F_FULL, &n->full_name, plist_dict_get_item(val, "RealName"));
	set_admin(c->db, n, admin_of(plist_dict_get_item(val, "Admin")), c->src);
	has = uid_of(plist_dict_get_item(val, "UID"), &uid);
	set_uid(c->db, n, has, uid, c->src);
}

/* A dslocal user record: { generateduid, name, realname, uid, hint } arrays of strings. */
static void add_dslocal(struct ctx *c, plist_t root)
{
	char *gid = first_str(root, "generateduid"), *s;
	struct kb_name *n;
	long long uid = 0;
	uint8_t u[16];
	bool has;

	if (!gid || strict_uuid(gid, u)) {
		kb_names_warn(c->db, "%s: no generateduid in UUID form; skipped", c->src);
		free(gid);
		return;
	}
	free(gid);
	n = db_get(c->db, u);
	if (!n)
		return;
	add_source(n, c->kind, c->src);
	take_str(c, n, KB_F_SHORT, &n->short_name, first_node(root, "name"));
	take_str(c, n, KB_F_FULL, &n->full_name, first_node(root, "realname"));
	take_str(c, n, KB_F_HINT, &n->hint, first_node(root, "hint"));
	s = first_str(root, "uid");
	has = parse_ll(s, &uid);
	free(s);
	set_uid(c->db, n, has, uid, c->src);
}

/*
 * The admin group: its groupmembers are generateduids.  Users already read
 * from dslocal are admins when listed, not admins when not; UUIDs of
 * accounts no file names (root) are not added.
 */
static void add_admin_group(struct ctx *c, plist_t root)
{
	plist_t m = plist_dict_get_item(root, "groupmembers");
	uint32_t n = m && plist_get_node_type(m) == PLIST_ARRAY ? plist_array_get_size(m) : 0;

	if (!m) {
		kb_names_warn(c->db, "%s: no groupmembers; admin flags not taken from it", c->src);
		return;
	}
	for (unsigned i = 0; i < c->db->n; i++) {
		struct kb_name *e = &c->db->v[i];
		bool member = false;

		if (!(e->kinds & (1u << KB_NAMES_DSLOCAL)))
			continue;
		for (uint32_t k = 0; k < n && !member; k++) {
			char *s = str_of(plist_array_get_item(m, k));
			uint8_t u[16];

			member = s && !strict_uuid(s, u) && !memcmp(u, e->uuid, 16);
			free(s);
		}
		add_source(e, c->kind, c->src);
		set_admin(c->db, e, member, c->src);
	}
}

static void walk_dict(struct ctx *c, plist_t root)
{
	plist_dict_iter it = NULL;
	plist_t val = NULL;
	char *key = NULL;

	plist_dict_new_iter(root, &it);
	if (!it)
		return;
	for (;;) {
		plist_dict_next_item(root, it, &key, &val);
		if (!key)
			break;
		if (c->kind == KB_NAMES_CRYPTOUSERINFO)
			add_cryptouser(c, key, val);
		else
			add_alluser(c, key, val);
		free(key);
		key = NULL;
	}
	free(it);
}

static plist_t parse(struct kb_names *db, const void *buf, size_t len, const char *src)
{
	plist_t root = NULL;
	char why[600];

	if (len > KB_NAMES_MAX_FILE) {
		kb_names_warn(db, "%s: %zu bytes, more than the %u a user database may have; "
				  "not read", src, len, KB_NAMES_MAX_FILE);
		return NULL;
	}
	if (plist_check(buf, len, KB_NAMES_MAX_DEPTH, KB_NAMES_MAX_NODES, why, sizeof(why))) {
		kb_names_warn(db, "%s: not used: %s", src, why);
		return NULL;
	}
	/* Names only label what the keybag holds: without libplist, go on without them. */
	if (plist_dl_try(why, sizeof(why))) {
		kb_names_warn(db, "%s: not used: %s", src, why);
		return NULL;
	}
	plist_from_memory(buf, (uint32_t)len, &root);
	if (!root || plist_get_node_type(root) != PLIST_DICT) {
		kb_names_warn(db, "%s: not used: %s", src, root ? "its top level is not a "
			      "dictionary" : "not a valid property list (damaged?)");
		plist_free(root);
		return NULL;
	}
	return root;
}

static char *keep_source(struct kb_names *db, const char *source)
{
	char **s = realloc(db->sources, (db->nsrc + 1) * sizeof(*s));

	if (!s)
		return NULL;
	db->sources = s;
	s[db->nsrc] = strdup(source);
	return s[db->nsrc] ? s[db->nsrc++] : NULL;
}

int kb_names_add(struct kb_names *db, enum kb_names_kind kind, const void *buf, size_t len,
		 const char *source)
{
	struct ctx c = { .db = db, .kind = kind, .src = keep_source(db, source) };
	plist_t root;

	if (!c.src)
		return -ENOMEM;
	root = parse(db, buf, len, c.src);
	if (!root)
		return -EINVAL;
	c.root = root;
	if (kind == KB_NAMES_ALLUSERSINFO)
		collect_claims(&c);
	if (kind == KB_NAMES_DSLOCAL)
		add_dslocal(&c, root);
	else if (kind == KB_NAMES_DSLOCAL_ADMIN)
		add_admin_group(&c, root);
	else
		walk_dict(&c, root);
	free(c.claims);
	plist_free(root);
	return 0;
}

const struct kb_name *kb_names_find(const struct kb_names *db, const uint8_t uuid[16])
{
	for (unsigned i = 0; i < db->n; i++)
		if (!memcmp(db->v[i].uuid, uuid, 16))
			return &db->v[i];
	return NULL;
}

static bool in_keybag(const struct kb_volume_keys *k, const uint8_t uuid[16])
{
	for (unsigned i = 0; i < k->nusers; i++)
		if (!memcmp(k->users[i].uuid, uuid, 16))
			return true;
	return false;
}

/* A short name recorded for two UUIDs: each keeps its own, the analyst is told. */
static void check_duplicates(struct kb_names *db)
{
	char a[37], b[37], e[80];

	for (unsigned i = 0; i < db->n; i++)
		for (unsigned j = i + 1; db->v[i].short_name && j < db->n; j++) {
			if (!db->v[j].short_name || strcmp(db->v[i].short_name, db->v[j].short_name))
				continue;
			apfs_uuid_str(db->v[i].uuid, a);
			apfs_uuid_str(db->v[j].uuid, b);
			kb_names_warn(db, "short name '%s' is recorded for two users, %s and %s; "
					  "each is shown against its own UUID",
				      esc(db->v[i].short_name, e, sizeof(e)), a, b);
		}
}

void kb_names_check(struct kb_names *db, const struct kb_volume_keys *k)
{
	char id[37], e[80];

	for (unsigned i = 0; i < db->n; i++) {
		const struct kb_name *n = &db->v[i];

		/* AllUsersInfo and dslocal list every account; CryptoUserInfo only crypto users. */
		if (!(n->kinds & (1u << KB_NAMES_CRYPTOUSERINFO)) || in_keybag(k, n->uuid))
			continue;
		apfs_uuid_str(n->uuid, id);
		kb_names_warn(db, "%s names user %s ('%s'), who has no crypto-user record in the "
				  "volume keybag: not listed", n->sources[0], id,
			      esc(n->short_name ? n->short_name : "", e, sizeof(e)));
	}
	for (unsigned i = 0; i < k->nusers; i++) {
		const struct kb_name *n = kb_names_find(db, k->users[i].uuid);

		if (k->users[i].type != KB_USER_LOCAL_OD || (n && n->short_name))
			continue;
		apfs_uuid_str(k->users[i].uuid, id);
		kb_names_warn(db, "crypto user %s (Local Open Directory User) has no %s in the "
				  "user databases read", id, n ? "agreed short name" : "entry");
	}
	check_duplicates(db);
}

void kb_names_free(struct kb_names *db)
{
	for (unsigned i = 0; i < db->n; i++) {
		free(db->v[i].short_name);
		free(db->v[i].full_name);
		free(db->v[i].hint);
		free(db->v[i].user_type);
	}
	for (unsigned i = 0; i < db->nsrc; i++)
		free(db->sources[i]);
	for (unsigned i = 0; i < db->nwarn; i++)
		free(db->warnings[i]);
	free(db->v);
	free(db->sources);
	free(db->warnings);
	memset(db, 0, sizeof(*db));
}
