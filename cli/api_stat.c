/* SPDX-License-Identifier: MIT */
/*
 * api_stat.c - a file's attributes (struct apfsi_stat) as the commands
 * print them: ls -l's mode string, and the JSON keys `ls --json` and
 * `stat --json` share.
 */
#include <sys/stat.h>

#include "api_fs.h"

void cli_mode_str(uint16_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";

	switch (mode & S_IFMT) {
	case S_IFDIR: out[0] = 'd'; break;
	case S_IFLNK: out[0] = 'l'; break;
	case S_IFCHR: out[0] = 'c'; break;
	case S_IFBLK: out[0] = 'b'; break;
	case S_IFIFO: out[0] = 'p'; break;
	case S_IFSOCK: out[0] = 's'; break;
	default: out[0] = '-'; break;  /* a file, or a type ls has no letter for */
	}
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & 0100) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & 0010) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & 0001) ? 't' : 'T';
	out[10] = '\0';
}

void cli_api_json_attrs(struct json *j, const struct apfsi_stat *st)
{
	char m[11];

	cli_mode_str(st->mode, m);
	json_u64(j, "inode", st->ino);
	json_u64(j, "mode", st->mode);
	json_str(j, "mode_string", m);
	json_u64(j, "uid", st->uid);
	json_u64(j, "gid", st->gid);
	json_u64(j, "nlink", st->nlink);
	json_u64(j, "size", st->size);
	json_u64(j, "allocated", st->allocated);
	json_u64(j, "flags", st->bsd_flags);
	json_u64(j, "compression", st->compression);
	json_bool(j, "partial", st->flags & APFSI_STAT_PARTIAL);
}
