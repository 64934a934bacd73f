#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""drec_date.py IMAGE NAME DELTA_NS - the one directory record named NAME in the live tree
(fsnode.live_tree) given a date added DELTA_NS nanoseconds later (j_drec_val_t.date_added,
the 8 bytes after the 8-byte file id; Apple's reference), its node's checksum made right
again: two names of one hard-linked file with dates of their own, so that a reader that
takes one name's date for the other's is caught.  An unencrypted image of 4 KiB blocks;
exits nonzero unless exactly one record matches.  Prints the new date."""
import struct

from fsnode import one_drec_arg


def main():
    with one_drec_arg(__doc__, "drec_date.py") as (f, n, i, delta):
        v = n.entry(i)[2]
        date = struct.unpack_from("<Q", n.blk, v + 8)[0] + delta
        struct.pack_into("<Q", n.blk, v + 8, date)
        n.write(f)
        print(date)


main()
