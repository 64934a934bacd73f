/* SPDX-License-Identifier: MIT */
/*
 * unstored.c - a file whose bytes are not all on disk (apfsi_file_unstored:
 * an orphan's, whose extents macOS frees as it deletes the file while still
 * open, or a dataless file's, whose data is kept elsewhere): a read gives
 * them as zeros, and a reader through the mount has no channel to be told.
 * The daemon says it where it logs (stderr under -f, else syslog), at each
 * open, naming the inode: the path is the kernel's, not the daemon's.  The
 * CLI says it on its own stderr (cli/unstored.c, whose words these are).
 */
#include <stdio.h>

#include "afuse.h"
#include "cmd_fs.h"  /* cli/: fs_unstored_why */

void afuse_unstored_note(struct afuse *af, uint64_t ino, apfsi_file *f)
{
	uint64_t n = af->log ? apfsi_file_unstored(f) : 0;
	struct apfsi_stat st;
	char msg[256];

	if (!n || apfsi_fs_stat(af->fs, ino, &st))
		return;
	snprintf(msg, sizeof(msg), "inode %llu: %llu of its %llu bytes are not on disk (%s): they "
		 "read as zeros", (unsigned long long)ino, (unsigned long long)n,
		 (unsigned long long)st.size, fs_unstored_why(&st));
	af->log(APFSI_LOG_WARNING, msg, NULL);
}
