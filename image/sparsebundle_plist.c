/* SPDX-License-Identifier: MIT */
/*
 * sparsebundle_plist.c - a sparse bundle's Info.plist (docs/containers.md
 * §2), through libplist: diskimage-bundle-type names the bundle kind,
 * band-size and size (both required) are bounded before the reader uses
 * them.  The file is read whole, at most 1 MiB (hdiutil's is ~500 bytes),
 * and only if it is a regular file (a FIFO would block the open), and
 * handed to libplist only once plist_check has bounded its nesting and
 * size (libplist recurses: util/plistcheck.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fdio.h"
#include "util/plist_dl.h"
#include "util/plistcheck.h"
#include "image/dev.h"
#include "image/sparsebundle.h"

#define PLIST_MAX (1u << 20)
#define BAND_MIN 512u
#define BAND_MAX (1ull << 30)
#define SIZE_MAX_BYTES (1ull << 56) /* 64 PiB: offsets stay far from overflow */
#define PLIST_DEPTH 8        /* hdiutil's: plist, dict */
#define PLIST_NODES 4096     /* hdiutil's: ~15 */

/* Info.plist's bytes (bounded), NUL-terminated; NULL with *ret set when unreadable. */
static char *plist_load(const char *dir, int *ret)
{
	char path[4096];
	struct stat st;
	char *buf = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/Info.plist", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block us */
	*ret = fd < 0 || fstat(fd, &st) < 0 ? -apfs_os_errno(errno) : 0;
	if (*ret == 0 && !S_ISREG(st.st_mode))
		*ret = -EINVAL;
	if (*ret == 0 && st.st_size > PLIST_MAX)
		*ret = -EFBIG;
	if (*ret == 0 && !(buf = calloc(1, (size_t)st.st_size + 1)))
		*ret = -ENOMEM;
	if (*ret == 0)
		*ret = apfs_os_ret(apfs_pread_full(fd, buf, (size_t)st.st_size, 0));
	if (fd >= 0)
		close(fd);
	if (*ret) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int plist_uint(plist_t dict, const char *key, uint64_t *v)
{
	plist_t n = plist_dict_get_item(dict, key);

	if (!n || plist_get_node_type(n) != PLIST_UINT)
		return -1;
	plist_get_uint_val(n, v);
	return 0;
}

/* 1: a sparse bundle's plist; 0: another kind (named in *type); < 0: unreadable. */
static int plist_kind(plist_t root, char *type, size_t len)
{
	plist_t t = root && plist_get_node_type(root) == PLIST_DICT ?
		    plist_dict_get_item(root, "diskimage-bundle-type") : NULL;
	char *s = NULL;

	if (!root || plist_get_node_type(root) != PLIST_DICT)
		return -APFS_ECORRUPT;
	if (!t || plist_get_node_type(t) != PLIST_STRING) {
		snprintf(type, len, "no diskimage-bundle-type");
		return 0;
	}
	plist_get_string_val(t, &s);
	snprintf(type, len, "diskimage-bundle-type '%.100s'", s ? s : "");
	t = s && !strcmp(s, BUNDLE_TYPE) ? t : NULL;
	free(s);
	return t != NULL;
}

/* band-size and size: present, integers, nonzero, within bounds. */
static int plist_numbers(const char *dir, plist_t root, struct bundle_info *bi)
{
	if (plist_uint(root, "band-size", &bi->band_size)) {
		apfs_err("'%s': sparsebundle Info.plist has no integer band-size", dir);
		return -APFS_ECORRUPT;
	}
	if (plist_uint(root, "size", &bi->size)) {
		apfs_err("'%s': sparsebundle Info.plist has no integer size", dir);
		return -APFS_ECORRUPT;
	}
	if (bi->band_size < BAND_MIN || bi->band_size > BAND_MAX || bi->band_size % BAND_MIN) {
		apfs_err("'%s': sparsebundle Info.plist: band-size %llu (want 512 bytes .. 1 GiB, "
			 "whole 512-byte sectors)", dir, (unsigned long long)bi->band_size);
		return -APFS_ECORRUPT;
	}
	if (bi->size == 0 || bi->size > SIZE_MAX_BYTES) {
		apfs_err("'%s': sparsebundle Info.plist: size %llu (want 1 byte .. 64 PiB)", dir,
			 (unsigned long long)bi->size);
		return -APFS_ECORRUPT;
	}
	return 0;
}

int bundle_info(const char *dir, struct bundle_info *bi, char *type, size_t len)
{
	plist_t root = NULL;
	int ret;
	char *text = plist_load(dir, &ret), why[160];

	type[0] = '\0';
	if (!text && ret == -ENOENT)
		return 0;
	if (!text) {
		apfs_err("'%s': sparsebundle Info.plist cannot be read: %s", dir, apfs_strerror(ret));
		return ret;
	}
	if (plist_check(text, strlen(text), PLIST_DEPTH, PLIST_NODES, why, sizeof(why))) {
		apfs_err("'%s': Info.plist is not a property list dictionary (refused before "
			 "parsing: %s)", dir, why);
		free(text);
		return -APFS_ECORRUPT;
	}
	ret = plist_dl_load(dir, "reading this sparse bundle's Info.plist");
	if (ret == 0)
		plist_from_memory(text, (uint32_t)strlen(text), &root);
	free(text);
	if (ret)
		return ret;
	ret = plist_kind(root, type, len);
	if (ret < 0)
		apfs_err("'%s': Info.plist is not a property list dictionary", dir);
	if (ret == 1)
		ret = plist_numbers(dir, root, bi) ? -APFS_ECORRUPT : 1;
	if (root)
		plist_free(root);
	return ret;
}
