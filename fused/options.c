// SPDX-License-Identifier: GPL-2.0-or-later
/* The caller's fuse(8) option string: split on unescaped commas, each option
 * checked against the safe set fusermount3 allows.  Values are never joined
 * back into a kernel option string: each accepted option becomes one
 * fsconfig() call, so no escaped comma or long value can smuggle another
 * option in.  Pure: no logging, no I/O. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <linux/mount.h>

#include "fused.h"

const char *options_error_string(OptionsError e) {
        switch (e) {
        case OPTIONS_OK: return "ok";
        case OPTIONS_TOO_LONG: return "too long";
        case OPTIONS_SYNTAX: return "malformed";
        case OPTIONS_UNKNOWN: return "not allowed";
        case OPTIONS_RESERVED: return "set by fused, not by the caller";
        case OPTIONS_BAD_VALUE: return "has an invalid value";
        case OPTIONS_NEEDS_BLKDEV: return "is only for a block device mount (blkdev), as the kernel and fusermount3 say";
        }
        return "invalid";
}

void options_done(MountOptions *o) {
        free(o->fsname);
        free(o->subtype);
        free(o->normalized);
        *o = (MountOptions) {};
}

const char *options_source(const MountOptions *o) {
        return o->fsname ? o->fsname : o->subtype ? o->subtype : "fuse";
}

bool options_unsafe(const MountOptions *o) {
        return o->suid || o->dev || o->blkdev;
}

bool options_need_allow_other(const MountOptions *o) {
        return o->allow_other || o->allow_root;
}

/* fsname ends up as the mount source: printable, no control characters
 * (the kernel escapes blanks and backslashes in mountinfo). */
static bool fsname_valid(const char *s) {
        if (!*s || strlen(s) > FUSED_NAME_MAX)
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

/* subtype ends up in the fstype column as "fuse.<subtype>": a plain name. */
static bool subtype_valid(const char *s) {
        if (!*s || strlen(s) > FUSED_NAME_MAX)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("._+-", *p)))
                        return false;
        return true;
}

static int parse_u32(const char *s, uint32_t *ret) {
        unsigned long v = 0;

        if (!*s || strlen(s) > 10)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long) (*s - '0');
        }
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* One option: its name, and whether it takes a value. */
static int apply(MountOptions *o, const char *name, const char *value, OptionsError *err) {
        static const char *const reserved[] = { "fd", "rootmode", "user_id", "group_id" };
        /* Options that only mean something to mount(8), fstab or libfuse
         * (fusermount3 accepts and drops them too). */
        static const char *const ignored[] = { "defaults", "auto", "noauto", "nofail",
                                               "_netdev", "nonempty", "user", "nouser", "users" };
        static const struct {
                const char *name;
                size_t offset;
                bool value;
        } flags[] = {
                { "ro", offsetof(MountOptions, ro), true },
                { "rw", offsetof(MountOptions, ro), false },
                { "sync", offsetof(MountOptions, sync), true },
                { "async", offsetof(MountOptions, sync), false },
                { "dirsync", offsetof(MountOptions, dirsync), true },
                { "lazytime", offsetof(MountOptions, lazytime), true },
                { "nolazytime", offsetof(MountOptions, lazytime), false },
                { "noexec", offsetof(MountOptions, noexec), true },
                { "exec", offsetof(MountOptions, noexec), false },
                { "nodiratime", offsetof(MountOptions, nodiratime), true },
                { "diratime", offsetof(MountOptions, nodiratime), false },
                { "suid", offsetof(MountOptions, suid), true },
                { "nosuid", offsetof(MountOptions, suid), false },
                { "dev", offsetof(MountOptions, dev), true },
                { "nodev", offsetof(MountOptions, dev), false },
                { "blkdev", offsetof(MountOptions, blkdev), true },
                { "allow_other", offsetof(MountOptions, allow_other), true },
                { "allow_root", offsetof(MountOptions, allow_root), true },
                { "default_permissions", offsetof(MountOptions, default_permissions), true },
                { "auto_unmount", offsetof(MountOptions, auto_unmount), true },
        };
        static const struct {
                const char *name;
                unsigned attr;
        } atimes[] = {
                { "noatime", MOUNT_ATTR_NOATIME },
                { "relatime", MOUNT_ATTR_RELATIME },
                { "strictatime", MOUNT_ATTR_STRICTATIME },
                { "atime", 0 },
                { "norelatime", 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(reserved); i++)
                if (strcmp(name, reserved[i]) == 0) {
                        *err = OPTIONS_RESERVED;
                        return -EPERM;
                }
        if (strncmp(name, "x-", 2) == 0)
                return 0;       /* userspace-only, by convention */
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++)
                if (strcmp(name, ignored[i]) == 0) {
                        if (value)
                                goto bad_value;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (strcmp(name, flags[i].name) == 0) {
                        if (value)
                                goto bad_value;
                        *(bool *) ((char *) o + flags[i].offset) = flags[i].value;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(atimes); i++)
                if (strcmp(name, atimes[i].name) == 0) {
                        if (value)
                                goto bad_value;
                        o->atime = atimes[i].attr;
                        return 0;
                }
        if (strcmp(name, "max_read") == 0 || strcmp(name, "blksize") == 0) {
                uint32_t v;
                if (!value || parse_u32(value, &v) < 0)
                        goto bad_value;
                if (name[0] == 'm')
                        o->max_read = v;
                else
                        o->blksize = v;
                return 0;
        }
        if (strcmp(name, "fsname") == 0 || strcmp(name, "subtype") == 0) {
                if (!value)
                        goto bad_value;
                if (strlen(value) > FUSED_NAME_MAX) {
                        *err = OPTIONS_TOO_LONG;
                        return -E2BIG;
                }
                bool fs = name[0] == 'f';
                if (fs ? !fsname_valid(value) : !subtype_valid(value))
                        goto bad_value;
                char *copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
                char **slot = fs ? &o->fsname : &o->subtype;
                free(*slot);
                *slot = copy;
                return 0;
        }
        *err = OPTIONS_UNKNOWN;
        return -EINVAL;

bad_value:
        *err = OPTIONS_BAD_VALUE;
        return -EINVAL;
}

static int append(char **buf, size_t *len, const char *s) {
        size_t n = strlen(s);
        char *p = realloc(*buf, *len + n + 2);

        if (!p)
                return -ENOMEM;
        *buf = p;
        if (*len)
                p[(*len)++] = ',';
        memcpy(p + *len, s, n + 1);
        *len += n;
        return 0;
}

/* The accepted options as one canonical string: what ListMounts shows and
 * what polkit rules see. */
static int normalize(MountOptions *o) {
        char tmp[64];
        char *buf = NULL;
        size_t len = 0;
        int r = 0;

        r = append(&buf, &len, o->ro ? "ro" : "rw");
        if (r >= 0 && !o->suid) r = append(&buf, &len, "nosuid");
        if (r >= 0 && o->suid) r = append(&buf, &len, "suid");
        if (r >= 0 && !o->dev) r = append(&buf, &len, "nodev");
        if (r >= 0 && o->dev) r = append(&buf, &len, "dev");
        if (r >= 0 && o->noexec) r = append(&buf, &len, "noexec");
        if (r >= 0 && o->sync) r = append(&buf, &len, "sync");
        if (r >= 0 && o->dirsync) r = append(&buf, &len, "dirsync");
        if (r >= 0 && o->lazytime) r = append(&buf, &len, "lazytime");
        if (r >= 0 && o->atime == MOUNT_ATTR_NOATIME) r = append(&buf, &len, "noatime");
        if (r >= 0 && o->atime == MOUNT_ATTR_STRICTATIME) r = append(&buf, &len, "strictatime");
        if (r >= 0 && o->atime == MOUNT_ATTR_RELATIME) r = append(&buf, &len, "relatime");
        if (r >= 0 && o->nodiratime) r = append(&buf, &len, "nodiratime");
        if (r >= 0 && o->blkdev) r = append(&buf, &len, "blkdev");
        if (r >= 0 && o->allow_other) r = append(&buf, &len, "allow_other");
        if (r >= 0 && o->allow_root) r = append(&buf, &len, "allow_root");
        if (r >= 0 && o->default_permissions) r = append(&buf, &len, "default_permissions");
        if (r >= 0 && o->auto_unmount) r = append(&buf, &len, "auto_unmount");
        if (r >= 0 && o->max_read) {
                snprintf(tmp, sizeof tmp, "max_read=%u", o->max_read);
                r = append(&buf, &len, tmp);
        }
        if (r >= 0 && o->blksize) {
                snprintf(tmp, sizeof tmp, "blksize=%u", o->blksize);
                r = append(&buf, &len, tmp);
        }
        for (int i = 0; r >= 0 && i < 2; i++) {
                const char *v = i == 0 ? o->fsname : o->subtype;
                if (!v)
                        continue;
                _cleanup_free_ char *e = escape_commas(v);
                _cleanup_free_ char *kv = NULL;
                if (!e || asprintf(&kv, "%s=%s", i == 0 ? "fsname" : "subtype", e) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = append(&buf, &len, kv);
        }
        if (r < 0) {
                free(buf);
                return r;
        }
        o->normalized = buf;
        return 0;
}

int options_parse(const char *s, MountOptions *ret, OptionsError *ret_err, char **ret_bad) {
        MountOptions o = {};
        OptionsError err = OPTIONS_OK;
        _cleanup_free_ char *tok = NULL;
        size_t n = strlen(s);
        int r = 0;

        *ret_err = OPTIONS_OK;
        if (ret_bad)
                *ret_bad = NULL;
        if (n > FUSED_OPTIONS_MAX) {
                *ret_err = OPTIONS_TOO_LONG;
                return -E2BIG;
        }
        tok = malloc(n + 1);
        if (!tok)
                return -ENOMEM;

        const char *p = s;
        while (*p) {
                size_t k = 0;
                char *eq = NULL;

                /* One token: up to an unescaped comma; '\x' is a literal x. */
                for (; *p && *p != ','; p++) {
                        if (*p == '\\') {
                                p++;
                                if (!*p) {
                                        tok[k] = 0;
                                        err = OPTIONS_SYNTAX;
                                        r = -EINVAL;
                                        goto fail;
                                }
                        } else if (*p == '=' && !eq) {
                                tok[k] = 0;
                                eq = tok + k;
                                k++;
                                continue;
                        }
                        tok[k++] = *p;
                }
                tok[k] = 0;
                if (*p == ',')
                        p++;
                if (k == 0)
                        continue;       /* "a,,b" and a trailing comma are harmless */
                if (tok[0] == 0) {
                        err = OPTIONS_SYNTAX;
                        r = -EINVAL;
                        goto fail;
                }
                r = apply(&o, tok, eq ? eq + 1 : NULL, &err);
                if (r < 0)
                        goto fail;
        }
        /* The kernel refuses blksize for anything but fuseblk; say so
         * rather than drop it. */
        if (o.blksize && !o.blkdev) {
                strcpy(tok, "blksize");
                err = OPTIONS_NEEDS_BLKDEV;
                r = -EINVAL;
                goto fail;
        }
        r = normalize(&o);
        if (r < 0)
                goto fail;
        *ret = o;
        return 0;

fail:
        if (ret_bad && tok && r != -ENOMEM)
                *ret_bad = strdup(tok);
        *ret_err = err;
        options_done(&o);
        return r;
}
