// SPDX-License-Identifier: GPL-2.0-or-later
/* Pure checks on what a worker found out about a mountpoint, and parsing
 * of mountinfo text.  No logging, no I/O: each returns 0 or -errno (and a
 * CheckError for the message), so the unit tests can feed them anything. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fused.h"

const char *check_error_string(CheckError e) {
        switch (e) {
        case CHECK_OK: return "ok";
        case CHECK_NOT_DIR_OR_FILE: return "is neither a directory nor a regular file";
        case CHECK_STICKY: return "is in a sticky directory it does not own";
        case CHECK_NO_WRITE: return "is not writable by the caller";
        case CHECK_FSTYPE: return "is on a filesystem where FUSE mounts are not allowed";
        case CHECK_SYMLINK: return "is a symbolic link";
        case CHECK_FD_MISMATCH: return "does not name the same file as the mountpoint fd";
        }
        return "is not allowed";
}

/* The filesystems a mountpoint may live on: ordinary ones that hold user
 * files.  An allowlist, like fusermount3's, so that a new pseudo filesystem
 * (proc, sysfs, cgroup, debugfs, tracefs, bpf, securityfs, devpts...) is
 * refused until someone decides otherwise. */
bool check_fstype_allowed(long f_type) {
        static const unsigned long ok[] = {
                0xEF53,         /* ext2/3/4 */
                0x58465342,     /* xfs */
                0x9123683E,     /* btrfs */
                0x01021994,     /* tmpfs */
                0x858458f6,     /* ramfs */
                0x65735546,     /* fuse (also virtiofs) */
                0x6969,         /* nfs */
                0xFF534D42,     /* cifs */
                0xFE534D42,     /* smb2 */
                0x794c7630,     /* overlayfs */
                0xF2F52010,     /* f2fs */
                0x2fc12fc1,     /* zfs */
                0x52654973,     /* reiserfs */
                0x3153464a,     /* jfs */
                0x4d44,         /* msdos/vfat */
                0x2011BAB0,     /* exfat */
                0x5346544e,     /* ntfs */
                0x7366746e,     /* ntfs3 */
                0xf15f,         /* ecryptfs */
                0x4244,         /* hfs */
                0x482b,         /* hfsplus */
                0x15013346,     /* udf */
                0x9660,         /* iso9660 */
                0x73717368,     /* squashfs */
                0x01021997,     /* 9p */
                0x00c36400,     /* ceph */
                0x7461636f,     /* ocfs2 */
                0x01161970,     /* gfs2 */
                0xca451a4e,     /* bcachefs */
                0xE0F5E1E2,     /* erofs */
                0x5346414F,     /* afs */
                0x3434,         /* nilfs */
                0x24051905,     /* ubifs */
                0x72b6,         /* jffs2 */
                0x20030528,     /* orangefs */
                0x0BD00BD0,     /* lustre */
                0x47504653,     /* gpfs */
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if ((unsigned long) (unsigned int) f_type == ok[i])
                        return true;
        return false;
}

/* fusermount3's rules on the mountpoint itself: a directory or a regular
 * file; a sticky directory only if the caller owns it. */
int check_mountpoint_mode(mode_t mode, uid_t owner, uid_t caller, CheckError *why) {
        *why = CHECK_OK;
        if (S_ISLNK(mode)) {
                *why = CHECK_SYMLINK;
                return -ELOOP;
        }
        if (!S_ISDIR(mode) && !S_ISREG(mode)) {
                *why = CHECK_NOT_DIR_OR_FILE;
                return -ENOTDIR;
        }
        if (caller != 0 && S_ISDIR(mode) && (mode & S_ISVTX) && owner != caller) {
                *why = CHECK_STICKY;
                return -EPERM;
        }
        return 0;
}

/* "fuse", "fuse.<subtype>", "fuseblk": 1, else 0. */
int check_is_fuse_fstype(const char *fstype) {
        return strcmp(fstype, "fuse") == 0 || strncmp(fstype, "fuse.", 5) == 0 ||
               strcmp(fstype, "fuseblk") == 0;
}

typedef struct MountinfoLine {
        uint64_t id;
        const char *mountpoint; /* still escaped */
        size_t mountpoint_len;
        char fstype[64];
        const char *super;
        size_t super_len;
} MountinfoLine;

/* One line: "id parent maj:min root mountpoint opts [optional...] - fstype source super". */
static int parse_mountinfo_line(const char *line, size_t len, MountinfoLine *ret) {
        const char *f[6];
        size_t fl[6];
        const char *p = line, *end = line + len;
        int n = 0;

        /* The first five fields. */
        while (n < 5 && p < end) {
                while (p < end && *p == ' ')
                        p++;
                f[n] = p;
                while (p < end && *p != ' ')
                        p++;
                fl[n] = (size_t) (p - f[n]);
                n++;
        }
        if (n < 5)
                return -EINVAL;
        const char *sep = NULL;
        for (const char *q = p; q + 2 < end; q++)
                if (q[0] == ' ' && q[1] == '-' && q[2] == ' ') {
                        sep = q + 3;
                        break;
                }
        if (!sep)
                return -EINVAL;
        /* fstype, source, super options */
        p = sep;
        int m = 0;
        const char *g[3] = {};
        size_t gl[3] = {};
        while (m < 3 && p < end) {
                g[m] = p;
                while (p < end && *p != ' ')
                        p++;
                gl[m] = (size_t) (p - g[m]);
                m++;
                if (p < end)
                        p++;
        }
        if (m < 3 || gl[0] == 0 || gl[0] >= sizeof ret->fstype)
                return -EINVAL;
        char idbuf[24];
        if (fl[0] == 0 || fl[0] >= sizeof idbuf)
                return -EINVAL;
        memcpy(idbuf, f[0], fl[0]);
        idbuf[fl[0]] = 0;
        ret->id = strtoull(idbuf, NULL, 10);
        ret->mountpoint = f[4];
        ret->mountpoint_len = fl[4];
        memcpy(ret->fstype, g[0], gl[0]);
        ret->fstype[gl[0]] = 0;
        ret->super = g[2];
        ret->super_len = gl[2];
        return 0;
}

/* user_id=N among the super options, -1 if absent. */
long mount_options_user_id(const char *s, size_t len) {
        const char *end = s + len;

        while (s < end) {
                const char *c = memchr(s, ',', (size_t) (end - s));
                const char *e = c ? c : end;
                if ((size_t) (e - s) > 8 && memcmp(s, "user_id=", 8) == 0) {
                        long v = 0;
                        for (const char *q = s + 8; q < e; q++) {
                                if (*q < '0' || *q > '9' || v > 0x7fffffffL / 10)
                                        return -1;
                                v = v * 10 + (*q - '0');
                        }
                        return v;
                }
                s = c ? c + 1 : end;
        }
        return -1;
}

/* The FUSE mounts of users other than root, as fusermount3's mount_max
 * counts them: fuse/fuse.* /fuseblk lines with a user_id other than 0. */
int count_user_fuse_mounts(const char *mountinfo, unsigned *ret) {
        return count_fuse_mounts(mountinfo, false, ret);
}

int count_fuse_mounts(const char *mountinfo, bool every, unsigned *ret) {
        unsigned n = 0;

        for (const char *p = mountinfo; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                MountinfoLine l;

                if (parse_mountinfo_line(p, len, &l) == 0 && check_is_fuse_fstype(l.fstype) &&
                    (every || mount_options_user_id(l.super, l.super_len) > 0))
                        n++;
                p += len;
                if (*p == '\n')
                        p++;
        }
        *ret = n;
        return 0;
}

/* Undo mountinfo's octal escapes (\040 for a blank, and so on). */
static char *unescape_octal(const char *s, size_t len) {
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len &&
                    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
                    s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o++ = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = 0;
        return out;
}

/* The line of mount mnt_id: its fstype, mountpoint and user_id. */
int mountinfo_find(const char *mountinfo, uint64_t mnt_id, char **ret_fstype,
                   char **ret_mountpoint, long *ret_user_id) {
        for (const char *p = mountinfo; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                MountinfoLine l;

                if (parse_mountinfo_line(p, len, &l) == 0 && l.id == mnt_id) {
                        if (ret_fstype && !(*ret_fstype = strdup(l.fstype)))
                                return -ENOMEM;
                        if (ret_mountpoint && !(*ret_mountpoint = unescape_octal(l.mountpoint, l.mountpoint_len)))
                                return -ENOMEM;
                        if (ret_user_id)
                                *ret_user_id = mount_options_user_id(l.super, l.super_len);
                        return 0;
                }
                p += len;
                if (*p == '\n')
                        p++;
        }
        return -ENOENT;
}
