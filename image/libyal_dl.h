/* SPDX-License-Identifier: MIT */
/*
 * libyal_dl.h - libewf, libvmdk, libvhdi and libqcow, each loaded when an
 * image of its format is opened (util/dl.h says why: together with libbfio
 * they were two thirds of the start-up cost of every command).
 *
 * A format's file includes this instead of the library's header and loads
 * the library (yal_dl_load) once the signature matches, before its first
 * call; the calls themselves stay as written: the macros at the end send
 * each name through the table's pointer.
 */
#ifndef IMAGE_LIBYAL_DL_H
#define IMAGE_LIBYAL_DL_H

#include <libewf.h>
#include <libqcow.h>
#include <libvhdi.h>
#include <libvmdk.h>

#include "util/dl.h"
#define EWF_DL_SYMS(X) \
	X(libewf_error_backtrace_sprint) \
	X(libewf_error_free) \
	X(libewf_get_access_flags_read) \
	X(libewf_glob) \
	X(libewf_glob_free) \
	X(libewf_handle_close) \
	X(libewf_handle_free) \
	X(libewf_handle_get_bytes_per_sector) \
	X(libewf_handle_get_checksum_error) \
	X(libewf_handle_get_format) \
	X(libewf_handle_get_md5_hash) \
	X(libewf_handle_get_media_size) \
	X(libewf_handle_get_number_of_checksum_errors) \
	X(libewf_handle_get_sha1_hash) \
	X(libewf_handle_initialize) \
	X(libewf_handle_open) \
	X(libewf_handle_read_random) \
	X(libewf_handle_segment_files_corrupted)
#define VMDK_DL_SYMS(X) \
	X(libvmdk_error_backtrace_sprint) \
	X(libvmdk_error_free) \
	X(libvmdk_handle_close) \
	X(libvmdk_handle_free) \
	X(libvmdk_handle_get_disk_type) \
	X(libvmdk_handle_get_media_size) \
	X(libvmdk_handle_get_number_of_extents) \
	X(libvmdk_handle_get_parent_content_identifier) \
	X(libvmdk_handle_initialize) \
	X(libvmdk_handle_open) \
	X(libvmdk_handle_open_extent_data_files) \
	X(libvmdk_handle_read_buffer_at_offset)
#define VHDI_DL_SYMS(X) \
	X(libvhdi_error_backtrace_sprint) \
	X(libvhdi_error_free) \
	X(libvhdi_file_close) \
	X(libvhdi_file_free) \
	X(libvhdi_file_get_disk_type) \
	X(libvhdi_file_get_media_size) \
	X(libvhdi_file_initialize) \
	X(libvhdi_file_open) \
	X(libvhdi_file_read_buffer_at_offset)
#define QCOW_DL_SYMS(X) \
	X(libqcow_error_backtrace_sprint) \
	X(libqcow_error_free) \
	X(libqcow_file_close) \
	X(libqcow_file_free) \
	X(libqcow_file_get_encryption_method) \
	X(libqcow_file_get_format_version) \
	X(libqcow_file_get_media_size) \
	X(libqcow_file_get_utf8_backing_filename) \
	X(libqcow_file_get_utf8_backing_filename_size) \
	X(libqcow_file_initialize) \
	X(libqcow_file_open) \
	X(libqcow_file_read_buffer_at_offset)
struct ewf_dl { EWF_DL_SYMS(DL_PTR) };
struct vmdk_dl { VMDK_DL_SYMS(DL_PTR) };
struct vhdi_dl { VHDI_DL_SYMS(DL_PTR) };
struct qcow_dl { QCOW_DL_SYMS(DL_PTR) };

extern struct ewf_dl ewf_dl;
extern struct vmdk_dl vmdk_dl;
extern struct vhdi_dl vhdi_dl;
extern struct qcow_dl qcow_dl;

/* The libraries, for yal_dl_load(). */
extern struct dl_lib yal_libewf, yal_libvmdk, yal_libvhdi, yal_libqcow;

/*
 * Load lib for the image at path, of format kind ("E01"): 0, or -ELIBACC
 * with the message "'PATH': reading this KIND image needs ..." (util/dl.h).
 */
int yal_dl_load(struct dl_lib *lib, const char *path, const char *kind);

/* The libraries' names, called through the pointers (libyal_dl.c needs none). */
#ifndef LIBYAL_DL_NO_MACROS
#define libewf_error_backtrace_sprint (*ewf_dl.libewf_error_backtrace_sprint)
#define libewf_error_free (*ewf_dl.libewf_error_free)
#define libewf_get_access_flags_read (*ewf_dl.libewf_get_access_flags_read)
#define libewf_glob (*ewf_dl.libewf_glob)
#define libewf_glob_free (*ewf_dl.libewf_glob_free)
#define libewf_handle_close (*ewf_dl.libewf_handle_close)
#define libewf_handle_free (*ewf_dl.libewf_handle_free)
#define libewf_handle_get_bytes_per_sector (*ewf_dl.libewf_handle_get_bytes_per_sector)
#define libewf_handle_get_checksum_error (*ewf_dl.libewf_handle_get_checksum_error)
#define libewf_handle_get_format (*ewf_dl.libewf_handle_get_format)
#define libewf_handle_get_md5_hash (*ewf_dl.libewf_handle_get_md5_hash)
#define libewf_handle_get_media_size (*ewf_dl.libewf_handle_get_media_size)
#define libewf_handle_get_number_of_checksum_errors (*ewf_dl.libewf_handle_get_number_of_checksum_errors)
#define libewf_handle_get_sha1_hash (*ewf_dl.libewf_handle_get_sha1_hash)
#define libewf_handle_initialize (*ewf_dl.libewf_handle_initialize)
#define libewf_handle_open (*ewf_dl.libewf_handle_open)
#define libewf_handle_read_random (*ewf_dl.libewf_handle_read_random)
#define libewf_handle_segment_files_corrupted (*ewf_dl.libewf_handle_segment_files_corrupted)
#define libvmdk_error_backtrace_sprint (*vmdk_dl.libvmdk_error_backtrace_sprint)
#define libvmdk_error_free (*vmdk_dl.libvmdk_error_free)
#define libvmdk_handle_close (*vmdk_dl.libvmdk_handle_close)
#define libvmdk_handle_free (*vmdk_dl.libvmdk_handle_free)
#define libvmdk_handle_get_disk_type (*vmdk_dl.libvmdk_handle_get_disk_type)
#define libvmdk_handle_get_media_size (*vmdk_dl.libvmdk_handle_get_media_size)
#define libvmdk_handle_get_number_of_extents (*vmdk_dl.libvmdk_handle_get_number_of_extents)
#define libvmdk_handle_get_parent_content_identifier (*vmdk_dl.libvmdk_handle_get_parent_content_identifier)
#define libvmdk_handle_initialize (*vmdk_dl.libvmdk_handle_initialize)
#define libvmdk_handle_open (*vmdk_dl.libvmdk_handle_open)
#define libvmdk_handle_open_extent_data_files (*vmdk_dl.libvmdk_handle_open_extent_data_files)
#define libvmdk_handle_read_buffer_at_offset (*vmdk_dl.libvmdk_handle_read_buffer_at_offset)
#define libvhdi_error_backtrace_sprint (*vhdi_dl.libvhdi_error_backtrace_sprint)
#define libvhdi_error_free (*vhdi_dl.libvhdi_error_free)
#define libvhdi_file_close (*vhdi_dl.libvhdi_file_close)
#define libvhdi_file_free (*vhdi_dl.libvhdi_file_free)
#define libvhdi_file_get_disk_type (*vhdi_dl.libvhdi_file_get_disk_type)
#define libvhdi_file_get_media_size (*vhdi_dl.libvhdi_file_get_media_size)
#define libvhdi_file_initialize (*vhdi_dl.libvhdi_file_initialize)
#define libvhdi_file_open (*vhdi_dl.libvhdi_file_open)
#define libvhdi_file_read_buffer_at_offset (*vhdi_dl.libvhdi_file_read_buffer_at_offset)
#define libqcow_error_backtrace_sprint (*qcow_dl.libqcow_error_backtrace_sprint)
#define libqcow_error_free (*qcow_dl.libqcow_error_free)
#define libqcow_file_close (*qcow_dl.libqcow_file_close)
#define libqcow_file_free (*qcow_dl.libqcow_file_free)
#define libqcow_file_get_encryption_method (*qcow_dl.libqcow_file_get_encryption_method)
#define libqcow_file_get_format_version (*qcow_dl.libqcow_file_get_format_version)
#define libqcow_file_get_media_size (*qcow_dl.libqcow_file_get_media_size)
#define libqcow_file_get_utf8_backing_filename (*qcow_dl.libqcow_file_get_utf8_backing_filename)
#define libqcow_file_get_utf8_backing_filename_size (*qcow_dl.libqcow_file_get_utf8_backing_filename_size)
#define libqcow_file_initialize (*qcow_dl.libqcow_file_initialize)
#define libqcow_file_open (*qcow_dl.libqcow_file_open)
#define libqcow_file_read_buffer_at_offset (*qcow_dl.libqcow_file_read_buffer_at_offset)
#endif

#endif
