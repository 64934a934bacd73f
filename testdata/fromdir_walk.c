/* SPDX-License-Identifier: MIT */
/*
 * fromdir_walk.c - copy a host directory tree into a volume: directories,
 * regular files, symlinks and hard links, with the host's modes, owners,
 * times and user xattrs.  Everything is opened relative to its parent
 * directory's descriptor without following symlinks, and checked again
 * after opening, so a tree changing underneath cannot lead us outside it.
 * Entries are visited in byte order of their names, so the same tree gives
 * the same image.  Problems are reported here, once, naming the host path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utf8proc.h>

#include "fromdir.h"
#include "util/pathjoin.h"

/* Host (st_dev, st_ino) of a file with several links -> its inode here. */
struct link {
	uint64_t dev, hino, ino;
};

struct walk {
	struct mk_vol *v;
	struct link *links;       /* open-addressing hash table, cap a power of 2 */
	size_t nlinks, cap;
	uint64_t entries;
};

/* A path for a message: bytes that are not UTF-8 are shown as \xNN. */
static void put_path(const char *path)
{
	utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(path), off = 0, l;
	utf8proc_int32_t cp;

	while (off < n) {
		l = utf8proc_iterate((const utf8proc_uint8_t *)path + off, n - off, &cp);
		if (l <= 0) {
			fprintf(stderr, "\\x%02x", (unsigned char)path[off++]);
			continue;
		}
		fwrite(path + off, 1, (size_t)l, stderr);
		off += l;
	}
}

static void complain(const char *path, const char *what)
{
	fputs("mkimage: from-dir: ", stderr);
	put_path(path);
	fprintf(stderr, ": %s\n", what);
}

/* ---- hard links ---------------------------------------------------------- */

static size_t link_slot(const struct walk *w, uint64_t dev, uint64_t hino)
{
	size_t i = (size_t)((hino * 0x9e3779b97f4a7c15ull) ^ dev) & (w->cap - 1);

	while (w->links[i].ino && (w->links[i].dev != dev || w->links[i].hino != hino))
		i = (i + 1) & (w->cap - 1);
	return i;
}

static int link_grow(struct walk *w)
{
	struct link *old = w->links;
	size_t n = w->cap;

	w->cap = n ? 2 * n : 256;
	w->links = calloc(w->cap, sizeof(*w->links));
	if (!w->links)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (old[i].ino)
			w->links[link_slot(w, old[i].dev, old[i].hino)] = old[i];
	free(old);
	return 0;
}

static int link_put(struct walk *w, const struct stat *st, uint64_t ino)
{
	int rc = 2 * (w->nlinks + 1) > w->cap ? link_grow(w) : 0;

	if (!rc) {
		w->links[link_slot(w, st->st_dev, st->st_ino)] =
			(struct link){ st->st_dev, st->st_ino, ino };
		w->nlinks++;
	}
	return rc;
}

static uint64_t link_get(const struct walk *w, const struct stat *st)
{
	return w->cap ? w->links[link_slot(w, st->st_dev, st->st_ino)].ino : 0;
}

/* ---- names --------------------------------------------------------------- */

static bool utf8_valid(const char *s)
{
	utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s), off = 0, l;
	utf8proc_int32_t cp;

	while (off < n) {
		l = utf8proc_iterate((const utf8proc_uint8_t *)s + off, n - off, &cp);
		if (l <= 0)
			return false;
		off += l;
	}
	return true;
}

/* The form in which two names are the same name on this volume. */
static char *name_key(const char *name, bool case_insensitive)
{
	utf8proc_uint8_t *k = NULL;
	int opt = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
		  (case_insensitive ? UTF8PROC_CASEFOLD : 0);

	return utf8proc_map((const utf8proc_uint8_t *)name, 0, &k, opt) < 0 ? NULL : (char *)k;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every name valid UTF-8 of at most FD_MAX_NAME bytes, and no two names
 * the same after normalization (and case folding on a case-insensitive
 * volume): APFS would keep only one of them.
 */
static int check_names(const struct mk_vol *v, const char *path, char **names, size_t n)
{
	char **keys = calloc(n + 1, sizeof(*keys));
	int rc = keys ? 0 : -ENOMEM;
	size_t i;

	for (i = 0; !rc && i < n; i++) {
		if (strlen(names[i]) > FD_MAX_NAME || !utf8_valid(names[i])) {
			char *p = apfs_path_join(path, names[i]);

			complain(p ? p : path, strlen(names[i]) > FD_MAX_NAME ?
				 "name longer than 255 bytes" :
				 "name is not valid UTF-8 (APFS names are UTF-8); rename it");
			free(p);
			rc = strlen(names[i]) > FD_MAX_NAME ? -ENAMETOOLONG : -EILSEQ;
		} else if (!(keys[i] = name_key(names[i], v->case_insensitive))) {
			rc = -ENOMEM;
		}
	}
	if (!rc)
		qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 1; !rc && i < n; i++) {
		if (strcmp(keys[i - 1], keys[i]))
			continue;
		complain(path, v->case_insensitive ?
			 "two names differ only in case or normalization (try --case-sensitive)" :
			 "two names differ only in Unicode normalization");
		rc = -EEXIST;
	}
	for (i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in directory dfd, sorted by bytes. */
static int list_dir(int dfd, const char *path, char ***out, size_t *n)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **names = NULL, **t;
	struct dirent *e;
	size_t cap = 0;
	int rc = 0;

	*n = 0;
	if (!d) {
		rc = -errno;
		complain(path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			t = realloc(names, cap * sizeof(*t));
			if (!t) {
				rc = -ENOMEM;
				break;
			}
			names = t;
		}
		names[*n] = strdup(e->d_name);
		rc = names[*n] ? 0 : -ENOMEM;
		*n += !rc;
	}
	closedir(d);
	if (!rc && *n)
		qsort(names, *n, sizeof(*names), cmp_str);
	*out = names;
	return rc;
}

/* ---- attributes ---------------------------------------------------------- */

static uint64_t ns(struct timespec t)
{
	/* APFS times are unsigned: a host time before 1970 becomes 1970. */
	return t.tv_sec < 0 ? 0 : (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void set_attrs(struct mk_vol *v, uint64_t ino, const struct stat *st)
{
	struct mk_inode *in = &v->inodes[ino];

	in->mode = (uint16_t)((in->mode & 0170000) | (st->st_mode & 07777));
	in->host_attrs = true;
	in->uid = st->st_uid;
	in->gid = st->st_gid;
	in->atime = ns(st->st_atim);
	in->mtime = ns(st->st_mtim);
	in->ctime = ns(st->st_ctim);
}

/* One user xattr: "user.NAME" on the host is "NAME" here. */
static int copy_xattr(struct mk_vol *v, uint64_t ino, int fd, const char *path,
		      const char *name, uint8_t *val)
{
	const char *n = name + 5;
	ssize_t len;

	if (strncmp(name, "user.", 5) || !*n)
		return 0; /* security., trusted., system.: not the file's own data */
	if (!strncmp(n, "com.apple.fs.", 13) || !utf8_valid(n) || strlen(n) > FD_MAX_NAME - 1) {
		complain(path, "a user xattr with a reserved or unusable name, not copied");
		return 0;
	}
	len = fgetxattr(fd, name, val, FD_MAX_XATTR);
	if (len < 0) {
		complain(path, strerror(errno));
		return -errno;
	}
	return mk_fs_xattr(v, ino, n, val, (size_t)len);
}

static int copy_xattrs(struct mk_vol *v, uint64_t ino, int fd, const char *path)
{
	char *list = malloc(FD_MAX_XATTR);
	uint8_t *val = malloc(FD_MAX_XATTR);
	ssize_t len = list && val ? flistxattr(fd, list, FD_MAX_XATTR) : 0;
	int rc = list && val ? 0 : -ENOMEM;

	if (len < 0 && errno != ENOTSUP) {
		rc = -errno;
		complain(path, strerror(errno));
	}
	for (ssize_t off = 0; !rc && off < len; off += (ssize_t)strlen(list + off) + 1) {
		if (memchr(list + off, 0, (size_t)(len - off)) == NULL)
			break; /* an unterminated last name: not from a sane kernel */
		rc = copy_xattr(v, ino, fd, path, list + off, val);
	}
	free(list);
	free(val);
	return rc;
}

/* ---- entries ------------------------------------------------------------- */

static int walk_dir(struct walk *w, int dfd, const char *path, uint64_t parent, unsigned depth);

/* Open name in dfd and check it is still the object fstatat saw. */
static int open_same(int dfd, const char *name, const char *path, int flags,
		     const struct stat *st)
{
	struct stat now;
	int fd = openat(dfd, name, flags | O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		complain(path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &now) || now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		complain(path, "changed while being copied");
		close(fd);
		return -EAGAIN;
	}
	return fd;
}

static int add_dir(struct walk *w, int dfd, const char *path, uint64_t parent,
		   const char *name, const struct stat *st, unsigned depth)
{
	uint64_t ino;
	int fd, rc;

	if (depth > FD_MAX_DEPTH) {
		complain(path, "more than 256 directory levels");
		return -ELOOP;
	}
	fd = open_same(dfd, name, path, O_DIRECTORY, st);
	if (fd < 0)
		return fd;
	rc = mk_fs_mkdir(w->v, parent, name, &ino);
	if (!rc) {
		set_attrs(w->v, ino, st);
		rc = copy_xattrs(w->v, ino, fd, path);
	}
	if (!rc)
		rc = walk_dir(w, fd, path, ino, depth + 1);
	close(fd);
	return rc;
}

static int add_file(struct walk *w, int dfd, const char *path, uint64_t parent,
		    const char *name, const struct stat *st)
{
	uint64_t ino = st->st_nlink > 1 ? link_get(w, st) : 0;
	int fd, rc;

	if (ino)
		return mk_fs_link_add(w->v, ino, parent, name);
	fd = open_same(dfd, name, path, 0, st);
	if (fd < 0)
		return fd;
	if (st->st_nlink > 1) {
		rc = mk_fs_link_first(w->v, parent, name, &ino);
		if (!rc)
			rc = link_put(w, st, ino);
	} else {
		rc = mk_fs_file(w->v, parent, name, NULL, 0, &ino);
	}
	if (!rc) {
		set_attrs(w->v, ino, st);
		rc = fd_copy_data(w->v, fd, ino, (uint64_t)st->st_size);
		if (rc)
			complain(path, strerror(-rc));
	}
	if (!rc)
		rc = copy_xattrs(w->v, ino, fd, path);
	close(fd);
	return rc;
}

static int add_symlink(struct walk *w, int dfd, const char *path, uint64_t parent,
		       const char *name, const struct stat *st)
{
	char target[FD_MAX_SYMLINK + 2];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target));
	uint64_t ino = w->v->next_ino; /* the inode mk_fs_symlink creates */
	int rc;

	if (n < 0 || n > FD_MAX_SYMLINK) {
		complain(path, n < 0 ? strerror(errno) : "symlink target longer than 1023 bytes");
		return n < 0 ? -errno : -ENAMETOOLONG;
	}
	target[n] = 0;
	if (memchr(target, 0, (size_t)n)) {
		complain(path, "symlink target holds a NUL byte");
		return -EINVAL;
	}
	rc = mk_fs_symlink(w->v, parent, name, target);
	if (!rc)
		set_attrs(w->v, ino, st);
	return rc;
}

static int add_entry(struct walk *w, int dfd, const char *path, uint64_t parent,
		     const char *name, unsigned depth)
{
	struct stat st;

	if (++w->entries > FD_MAX_ENTRIES) {
		complain(path, "more than 16,777,216 entries in the tree");
		return -EFBIG;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		complain(path, strerror(errno));
		return -errno;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return add_dir(w, dfd, path, parent, name, &st, depth);
	case S_IFREG:
		return add_file(w, dfd, path, parent, name, &st);
	case S_IFLNK:
		return add_symlink(w, dfd, path, parent, name, &st);
	default:
		complain(path, "skipped (not a regular file, directory or symlink)");
		return 0;
	}
}

static int walk_dir(struct walk *w, int dfd, const char *path, uint64_t parent, unsigned depth)
{
	char **names = NULL;
	size_t n = 0;
	int rc = list_dir(dfd, path, &names, &n);

	if (!rc)
		rc = check_names(w->v, path, names, n);
	for (size_t i = 0; !rc && i < n; i++) {
		char *p = apfs_path_join(path, names[i]);

		rc = p ? add_entry(w, dfd, p, parent, names[i], depth) : -ENOMEM;
		free(p);
	}
	free_names(names, n);
	return rc;
}

/**
 * fd_walk() - copy everything below the open directory root into v; the
 * root's own mode, owner, times and xattrs go to the volume's root.
 * @v: the volume
 * @root: descriptor of the host directory
 * @path: its name, for messages
 */
int fd_walk(struct mk_vol *v, int root, const char *path)
{
	struct walk w = { .v = v };
	struct stat st;
	int rc;

	if (fstat(root, &st)) {
		complain(path, strerror(errno));
		return -errno;
	}
	set_attrs(v, APFS_ROOT_DIR_INO_NUM, &st);
	rc = copy_xattrs(v, APFS_ROOT_DIR_INO_NUM, root, path);
	if (!rc)
		rc = walk_dir(&w, root, path, APFS_ROOT_DIR_INO_NUM, 1);
	free(w.links);
	return rc;
}
