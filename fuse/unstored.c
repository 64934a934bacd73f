/* SPDX-License-Identifier: MIT */
/*
 * unstored.c - a file whose bytes are not all on disk (apfsi_file_unstored:
 * an orphan's, whose extents macOS frees as it deletes the file while still
 * open, or a dataless file's, whose data is kept elsewhere): a read gives
 * them as zeros, and a reader through the mount has no channel to be told.
 * The daemon says it where it logs (stderr under -f, else syslog), at the
 * file's first open, naming the inode: the path is the kernel's, not the
 * daemon's.  The CLI says it on its own stderr (cli/unstored.c, whose words
 * these are).
 */
#include <pthread.h>
#include <stdio.h>

#include "afuse.h"
#include "cmd_fs.h"  /* cli/: fs_unstored_why */

/*
 * The files already named: a file a reader opens a thousand times is
 * named once, not a thousand times into syslog.  A fixed table (open
 * addressing, 0 free; in .bss, so untouched and costing nothing until a
 * file is named), one per daemon, which serves one mount; once it is full
 * every other such file is named at each open, as if there were none, so
 * that no file goes unnamed.
 */
#define SAID_SLOTS 4096
static struct {
	pthread_mutex_t lock;
	uint64_t ino[SAID_SLOTS];
	size_t n;
} said = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* 1 if ino was named before (and so is not again), else 0 and it is now. */
static int said_before(uint64_t ino)
{
	size_t i = (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 32) & (SAID_SLOTS - 1);
	int before = 0;

	pthread_mutex_lock(&said.lock);
	for (; said.ino[i]; i = (i + 1) & (SAID_SLOTS - 1))
		if (said.ino[i] == ino) {
			before = 1;
			break;
		}
	/* half full at most: a probe always meets a free slot */
	if (!before && 2 * (said.n + 1) <= SAID_SLOTS) {
		said.ino[i] = ino;
		said.n++;
	}
	pthread_mutex_unlock(&said.lock);
	return before;
}

void afuse_unstored_note(struct afuse *af, uint64_t ino, apfsi_file *f)
{
	uint64_t n = af->log ? apfsi_file_unstored(f) : 0;
	struct apfsi_stat st;
	char msg[256];

	if (!n || apfsi_fs_stat(af->fs, ino, &st) || said_before(ino))
		return;
	snprintf(msg, sizeof(msg), "inode %llu: %llu of its %llu bytes are not on disk (%s): they "
		 "read as zeros", (unsigned long long)ino, (unsigned long long)n,
		 (unsigned long long)st.size, fs_unstored_why(&st));
	af->log(APFSI_LOG_WARNING, msg, NULL);
}
