/* SPDX-License-Identifier: MIT */
/*
 * plist_dl.h - libplist, loaded when a property list is first read or
 * written (util/dl.h says why): a UDIF's resource fork, a sparse bundle's
 * Info.plist, the user databases of a macOS volume, `list -plist`.  A raw
 * or E01 image's `list`, `listcryptousers` or `unlockvolume` never needs it
 * (nor the libm it brings).  Files include this instead of <plist/plist.h>
 * and call plist_dl_load() before their first plist_* call.
 */
#ifndef UTIL_PLIST_DL_H
#define UTIL_PLIST_DL_H

#include <plist/plist.h>
#include <stddef.h>

#include "util/dl.h"

#define PLIST_DL_SYMS(X) \
	X(plist_array_append_item) \
	X(plist_array_get_item) \
	X(plist_array_get_size) \
	X(plist_dict_get_item) \
	X(plist_dict_get_size) \
	X(plist_dict_new_iter) \
	X(plist_dict_next_item) \
	X(plist_dict_set_item) \
	X(plist_free) \
	X(plist_from_memory) \
	X(plist_from_xml) \
	X(plist_get_bool_val) \
	X(plist_get_data_ptr) \
	X(plist_get_node_type) \
	X(plist_get_string_ptr) \
	X(plist_get_string_val) \
	X(plist_get_uint_val) \
	X(plist_new_array) \
	X(plist_new_bool) \
	X(plist_new_dict) \
	X(plist_new_string) \
	X(plist_new_uint) \
	X(plist_to_xml)

struct plist_dl { PLIST_DL_SYMS(DL_PTR) };

extern struct plist_dl plist_dl;

/*
 * Load libplist: 0, or -ELIBACC with the message "'PATH': WHAT needs
 * libplist ..." (PATH NULL: "WHAT needs libplist ...").
 */
int plist_dl_load(const char *path, const char *what);

/* The same, logging nothing: on failure, what and why in why (util/dl.h's dl_try()). */
int plist_dl_try(char *why, size_t len);

#ifndef PLIST_DL_NO_MACROS
#define plist_array_append_item (*plist_dl.plist_array_append_item)
#define plist_array_get_item (*plist_dl.plist_array_get_item)
#define plist_array_get_size (*plist_dl.plist_array_get_size)
#define plist_dict_get_item (*plist_dl.plist_dict_get_item)
#define plist_dict_get_size (*plist_dl.plist_dict_get_size)
#define plist_dict_new_iter (*plist_dl.plist_dict_new_iter)
#define plist_dict_next_item (*plist_dl.plist_dict_next_item)
#define plist_dict_set_item (*plist_dl.plist_dict_set_item)
#define plist_free (*plist_dl.plist_free)
#define plist_from_memory (*plist_dl.plist_from_memory)
#define plist_from_xml (*plist_dl.plist_from_xml)
#define plist_get_bool_val (*plist_dl.plist_get_bool_val)
#define plist_get_data_ptr (*plist_dl.plist_get_data_ptr)
#define plist_get_node_type (*plist_dl.plist_get_node_type)
#define plist_get_string_ptr (*plist_dl.plist_get_string_ptr)
#define plist_get_string_val (*plist_dl.plist_get_string_val)
#define plist_get_uint_val (*plist_dl.plist_get_uint_val)
#define plist_new_array (*plist_dl.plist_new_array)
#define plist_new_bool (*plist_dl.plist_new_bool)
#define plist_new_dict (*plist_dl.plist_new_dict)
#define plist_new_string (*plist_dl.plist_new_string)
#define plist_new_uint (*plist_dl.plist_new_uint)
#define plist_to_xml (*plist_dl.plist_to_xml)
#endif

#endif
