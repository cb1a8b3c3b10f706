// SPDX-License-Identifier: LGPL-2.1-or-later
/* Mount helpers shared with fusermount3: option strings and mountinfo */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mount-util.h"

int mnt_opts_append(char **s, const char *opt, bool escape)
{
        size_t old = *s ? strlen(*s) : 0;
        size_t extra = 0;
        for (const char *c = opt; *c; c++)
                extra += (escape && (*c == ',' || *c == '\\')) ? 2 : 1;

        /* separator and terminator */
        char *n = realloc(*s, old + extra + 2);
        if (!n)
                return -ENOMEM;
        char *d = n + old;
        if (old)
                *d++ = ',';
        for (const char *c = opt; *c; c++) {
                if (escape && (*c == ',' || *c == '\\'))
                        *d++ = '\\';
                *d++ = *c;
        }
        *d = '\0';
        *s = n;
        return 0;
}

int mnt_opts_next(const char **p, char **out)
{
        const char *c = *p;

        while (*c == ',')
                c++;
        if (!*c) {
                *p = c;
                return 0;
        }

        /* An option never gets longer by unescaping. */
        size_t len = 0;
        while (c[len] && c[len] != ',') {
                if (c[len] == '\\' && c[len + 1])
                        len++;
                len++;
        }
        char *o = malloc(len + 1);
        if (!o)
                return -ENOMEM;
        char *d = o;
        for (size_t i = 0; i < len; i++) {
                if (c[i] == '\\' && i + 1 < len)
                        i++;
                *d++ = c[i];
        }
        *d = '\0';
        *p = c + len;
        *out = o;
        return 1;
}

bool mnt_opt_is(const char *opt, const char *name)
{
        size_t n = strlen(name);
        return strncmp(opt, name, n) == 0 && (opt[n] == '\0' || opt[n] == '=');
}

int mnt_kernel_data(char **out, int fd, unsigned rootmode, unsigned uid,
                    unsigned gid, const char *kernel_opts)
{
        char *s;
        int r = asprintf(&s, "fd=%d,rootmode=%o,user_id=%u,group_id=%u%s%s",
                         fd, rootmode, uid, gid,
                         kernel_opts && *kernel_opts ? "," : "",
                         kernel_opts ? kernel_opts : "");
        if (r < 0)
                return -ENOMEM;
        *out = s;
        return 0;
}

bool mnt_fstype_is_fuse(const char *fstype)
{
        const char *rest;

        if (strncmp(fstype, "fuseblk", 7) == 0)
                rest = fstype + 7;
        else if (strncmp(fstype, "fuse", 4) == 0)
                rest = fstype + 4;
        else
                return false;
        return rest[0] == '\0' || (rest[0] == '.' && rest[1] != '\0');
}

bool mnt_subtype_valid(const char *subtype)
{
        size_t n = strlen(subtype);

        if (n == 0 || n > 64)
                return false;
        if (subtype[0] == '.' || subtype[0] == '+' || subtype[0] == '-')
                return false;
        for (const char *c = subtype; *c; c++) {
                bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                          (*c >= '0' && *c <= '9') || strchr("_.+-", *c);
                if (!ok)
                        return false;
        }
        return true;
}

int mnt_fsname_sanitize(const char *fsname, char **out)
{
        size_t n = strnlen(fsname, 255);

        if (n == 0)
                return -EINVAL;
        char *s = strndup(fsname, n);
        if (!s)
                return -ENOMEM;
        /* Control characters would forge lines or fields in mtab-style
         * listings that do not escape them. */
        for (char *c = s; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';
        *out = s;
        return 0;
}

/* Decodes the kernel's "\ooo" escapes (space, tab, newline, backslash) in place. */
static void unescape_octal(char *s)
{
        char *d = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
                    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
                        *d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
                                      (s[3] - '0'));
                        s += 3;
                } else {
                        *d++ = *s;
                }
        }
        *d = '\0';
}

static char *next_field(char **p)
{
        char *s = *p;

        while (*s == ' ')
                s++;
        /* The newline ends the line, not just a field: a line missing its
         * last field is malformed whether getline left the '\n' or not. */
        if (!*s || *s == '\n')
                return NULL;
        char *e = s + strcspn(s, " \n");
        if (*e)
                *e++ = '\0';
        *p = e;
        return s;
}

int mnt_info_parse_line(char *line, struct mnt_info *info)
{
        char *p = line;
        char *f[6];

        /* id parent major:minor root mountpoint options [optional...] - type source superopts */
        for (int i = 0; i < 6; i++) {
                f[i] = next_field(&p);
                if (!f[i])
                        return -EINVAL;
        }
        char *end;
        errno = 0;
        long id = strtol(f[0], &end, 10);
        if (*end || errno || id < 0 || id > INT_MAX)
                return -EINVAL;
        long parent = strtol(f[1], &end, 10);
        if (*end || errno || parent < 0 || parent > INT_MAX)
                return -EINVAL;
        if (sscanf(f[2], "%u:%u", &info->major, &info->minor) != 2)
                return -EINVAL;

        char *sep;
        do {
                sep = next_field(&p);
                if (!sep)
                        return -EINVAL;
        } while (strcmp(sep, "-") != 0);

        char *fstype = next_field(&p);
        char *source = next_field(&p);
        char *super = next_field(&p);
        if (!fstype || !source || !super)
                return -EINVAL;

        info->mnt_id = (int)id;
        info->parent_id = (int)parent;
        info->root = f[3];
        info->mountpoint = f[4];
        info->mount_opts = f[5];
        info->fstype = fstype;
        info->source = source;
        info->super_opts = super;
        unescape_octal(info->root);
        unescape_octal(info->mountpoint);
        unescape_octal(info->fstype);
        unescape_octal(info->source);
        unescape_octal(info->super_opts);
        return 0;
}

int mnt_info_find(FILE *f, const char *mountpoint, char **line,
                  struct mnt_info *info)
{
        _mnt_free_ char *buf = NULL;
        _mnt_free_ char *found = NULL;
        size_t size = 0;

        while (getline(&buf, &size, f) >= 0) {
                _mnt_free_ char *copy = strdup(buf);
                struct mnt_info i;
                if (!copy)
                        return -ENOMEM;
                if (mnt_info_parse_line(buf, &i) < 0 ||
                    strcmp(i.mountpoint, mountpoint) != 0)
                        continue;
                free(found);
                found = MNT_TAKE_PTR(copy);
        }
        if (!found)
                return -ENOENT;
        int r = mnt_info_parse_line(found, info);
        if (r < 0)
                return r;
        *line = MNT_TAKE_PTR(found);
        return 0;
}

int mnt_info_find_id(FILE *f, int mnt_id, char **line, struct mnt_info *info)
{
        _mnt_free_ char *buf = NULL;
        size_t size = 0;

        while (getline(&buf, &size, f) >= 0) {
                _mnt_free_ char *copy = strdup(buf);
                if (!copy)
                        return -ENOMEM;
                if (mnt_info_parse_line(copy, info) == 0 && info->mnt_id == mnt_id) {
                        *line = MNT_TAKE_PTR(copy);
                        return 0;
                }
        }
        return -ENOENT;
}

/* The mount id of one mountinfo line at @mountpoint, else -ENOENT. */
static int line_id_at(char *line, const char *mountpoint)
{
        struct mnt_info i;

        if (mnt_info_parse_line(line, &i) == 0 && strcmp(i.mountpoint, mountpoint) == 0)
                return i.mnt_id;
        return -ENOENT;
}

int mnt_top_id_at_fd(int fd, const char *mountpoint)
{
        char buf[8192];
        size_t have = 0;
        bool skipping = false;  /* in the rest of a line too long for buf */
        int found = -ENOENT;

        for (;;) {
                ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                have += (size_t)n;
                buf[have] = '\0';

                char *start = buf, *nl;
                while ((nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
                        *nl = '\0';
                        int id = skipping ? -ENOENT : line_id_at(start, mountpoint);
                        if (id >= 0)
                                found = id;     /* later lines are mounted on top */
                        skipping = false;
                        start = nl + 1;
                }
                size_t rest = have - (size_t)(start - buf);
                if (n == 0) {
                        if (rest && !skipping) {
                                int id = line_id_at(start, mountpoint);
                                if (id >= 0)
                                        found = id;
                        }
                        return found;
                }
                if (rest == sizeof(buf) - 1) {
                        skipping = true;
                        rest = 0;
                }
                memmove(buf, start, rest);
                have = rest;
        }
}

int mnt_fd_mnt_id(int fd)
{
        char path[64], buf[512];

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        _mnt_close_ int f = open(path, O_RDONLY | O_CLOEXEC);
        if (f < 0)
                return -errno;
        ssize_t n = read(f, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        const char *p = strstr(buf, "mnt_id:");
        if (!p)
                return -ENOENT;
        char *end;
        long id = strtol(p + 7, &end, 10);
        if (end == p + 7 || id < 0 || id > INT_MAX)
                return -EINVAL;
        return (int)id;
}

int mnt_is_fuse_mount(const char *mountpoint)
{
        _mnt_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _mnt_free_ char *line = NULL;
        struct mnt_info info;

        if (!f)
                return -errno;
        int r = mnt_info_find(f, mountpoint, &line, &info);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return mnt_fstype_is_fuse(info.fstype);
}

int mnt_parse_dev_fd(const char *mountpoint)
{
        const char *prefix = "/dev/fd/";
        size_t n = strlen(prefix);

        if (strncmp(mountpoint, prefix, n) != 0)
                return -EINVAL;
        const char *num = mountpoint + n;
        if (*num < '0' || *num > '9')
                return -EINVAL;
        char *end;
        errno = 0;
        long fd = strtol(num, &end, 10);
        if (*end || errno || fd > INT_MAX)
                return -EINVAL;
        return (int)fd;
}
