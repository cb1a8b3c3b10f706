/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel interfaces newer than the headers fused builds against
 * (linux-libc-dev 6.1 on Debian 12): system call numbers, flags and the
 * parts of structures fused uses, as the kernel's UAPI defines them.  Each
 * user falls back to an older interface when the running kernel lacks one. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#ifndef __NR_statmount
#define __NR_statmount 457      /* 6.8 */
#endif
#ifndef __NR_listmount
#define __NR_listmount 458      /* 6.8 */
#endif

#define STATX_MNT_ID_UNIQUE_ 0x4000u    /* 6.8 */
#define STATX_ATTR_MOUNT_ROOT_ 0x2000u

/* NS_GET_MNTNS_ID on a mount namespace fd: its 64-bit id. */
#define NS_GET_MNTNS_ID_ _IOR(0xb7, 0x5, uint64_t)

/* struct mnt_id_req, version 1 (6.11: mnt_ns_id). */
typedef struct MntIdReq {
        uint32_t size, spare;
        uint64_t mnt_id, param, mnt_ns_id;
} MntIdReq;

/* statmount()'s mask bits. */
#define STATMOUNT_SB_BASIC_ 0x1u
#define STATMOUNT_FS_TYPE_ 0x20u
#define STATMOUNT_MNT_OPTS_ 0x80u
#define STATMOUNT_FS_SUBTYPE_ 0x100u

/* The head of struct statmount: string fields are offsets into str[],
 * which starts at 512. */
typedef struct StatmountHead {
        uint32_t size, mnt_opts;
        uint64_t mask;
        uint32_t sb_dev_major, sb_dev_minor;
        uint64_t sb_magic;
        uint32_t sb_flags, fs_type;
        uint64_t more[10];
        uint32_t fs_subtype, sb_source;
        uint64_t spare[48];
        char str[];
} StatmountHead;
_Static_assert(offsetof(StatmountHead, fs_subtype) == 120, "struct statmount layout");
_Static_assert(offsetof(StatmountHead, str) == 512, "struct statmount layout");
