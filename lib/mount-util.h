/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mount helpers shared by lib/mount.c and client/'s fusermount3
 *
 * Pure string and mountinfo helpers: building and splitting fuse(8) option
 * strings, reading /proc/self/mountinfo lines, telling FUSE mounts apart,
 * and making fsname/subtype values safe to show in mountinfo.  Nothing here
 * mounts, logs or depends on the rest of lib/; every function returns 0 or
 * -errno unless its comment says otherwise.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Cleanup helpers for lib/'s mount code (names kept apart from fuse_i.h's). */
static inline void mnt_freep(void *p) { free(*(void **)p); }
static inline void mnt_closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void mnt_fclosep(FILE **f) { if (*f) fclose(*f); }
#define _mnt_free_ __attribute__((cleanup(mnt_freep)))
#define _mnt_close_ __attribute__((cleanup(mnt_closep)))
#define _mnt_fclose_ __attribute__((cleanup(mnt_fclosep)))

/* Hands a cleaned-up pointer or fd over: returns it and resets the variable. */
#define MNT_TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define MNT_TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

/* Appends @opt to the comma-separated option string *@s (allocating it when
 * NULL).  With @escape, commas and backslashes inside @opt are escaped with
 * a backslash, so the option survives a later split as one option. */
int mnt_opts_append(char **s, const char *opt, bool escape);

/* Returns the next option of the comma-separated string at *@p in a new
 * string *@out (escapes removed) and advances *@p past it.  Returns 1 when an
 * option was returned, 0 at the end of the string, or -errno.  Empty options
 * (",,") are skipped. */
int mnt_opts_next(const char **p, char **out);

/* True if @opt names the option @name, alone or as "name=value". */
bool mnt_opt_is(const char *opt, const char *name);

/* The data string of a legacy mount(2) of FUSE: the keys only we set (fd,
 * rootmode, user_id, group_id), then @kernel_opts when non-empty. */
int mnt_kernel_data(char **out, int fd, unsigned rootmode, unsigned uid,
                    unsigned gid, const char *kernel_opts);

/* A filesystem type FUSE serves: "fuse", "fuseblk", "fuse.SUB", "fuseblk.SUB". */
bool mnt_fstype_is_fuse(const char *fstype);

/* True if @subtype can be put after "fuse." in a filesystem type: 1 to 64
 * characters from [A-Za-z0-9_.+-], not starting with '.', '+' or '-'. */
bool mnt_subtype_valid(const char *subtype);

/* A copy of @fsname fit to be a mount source: control characters become
 * '?', and it is cut to 255 bytes.  An empty name is -EINVAL. */
int mnt_fsname_sanitize(const char *fsname, char **out);

/* One line of /proc/PID/mountinfo, its fields pointing into the parsed
 * line (octal escapes such as "\040" already decoded). */
struct mnt_info {
        int mnt_id;
        int parent_id;
        unsigned major, minor;
        char *root;
        char *mountpoint;
        char *mount_opts;
        char *fstype;
        char *source;
        char *super_opts;
};

/* Parses @line (modified in place) into @info.  -EINVAL if malformed. */
int mnt_info_parse_line(char *line, struct mnt_info *info);

/* Finds the topmost mount at @mountpoint in the mountinfo stream @f: the
 * last matching line.  On success *@line holds the line (free() it) and
 * @info points into it.  -ENOENT if nothing is mounted there. */
int mnt_info_find(FILE *f, const char *mountpoint, char **line,
                  struct mnt_info *info);

/* Finds the mount with id @mnt_id in the mountinfo stream @f, as
 * mnt_info_find() does.  -ENOENT if there is none. */
int mnt_info_find_id(FILE *f, int mnt_id, char **line, struct mnt_info *info);

/* The id of the topmost mount at @mountpoint in the mountinfo file open at
 * @fd, -ENOENT if none, or -errno.  Uses only read(2) and the stack, so a
 * forked child of a threaded process may call it.  Lines longer than 8 KiB
 * are skipped. */
int mnt_top_id_at_fd(int fd, const char *mountpoint);

/* The id of the mount the file open at @fd is on (from
 * /proc/self/fdinfo), or -errno.  Asks nothing of the filesystem. */
int mnt_fd_mnt_id(int fd);

/* 1 if the topmost mount at @mountpoint (absolute, canonical) in this
 * process's mount namespace is a FUSE mount, 0 if it is another filesystem
 * or nothing is mounted there, or -errno. */
int mnt_is_fuse_mount(const char *mountpoint);

/* The fd number N of a mountpoint given as "/dev/fd/N", or -EINVAL if
 * @mountpoint has another form. */
int mnt_parse_dev_fd(const char *mountpoint);
