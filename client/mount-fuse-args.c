// SPDX-License-Identifier: GPL-2.0-or-later
/* mount.fuse3 drop-in: parsing mount(8)'s helper command line and building
 * the filesystem program's.
 *
 * mount(8) runs /sbin/mount.fuse3 (or mount.fuse, mount.fuse.TYPE) as
 * `SPEC DIR [-sfnv] [-N NS] [-o OPTIONS] [-t fuse.TYPE]`.  The program to
 * run comes from `-t fuse.TYPE`, from a `TYPE#SOURCE` spec, from our own
 * name, or else is SPEC itself (`mount.fuse3 TYPE DIR`, no source), as
 * libfuse's helper takes it.  Options for mount(8), fstab and systemd (auto, noauto, user,
 * users, owner, group, defaults, nofail, _netdev, x-*, comment=*) are
 * accepted and not passed on, as mount(8) does for other helpers;
 * setuid=USER, drop_privileges and as_owner are ours; the rest goes to the
 * program as `-o`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mount-fuse-args.h"

static bool has_prefix(const char *s, const char *p) {
        return strncmp(s, p, strlen(p)) == 0;
}

/* "fuse.TYPE", "fuse3.TYPE", "fuseblk.TYPE" -> TYPE; "fuse", "fuse3",
 * "fuseblk" -> "" (no type given this way); anything else -> NULL. */
static const char *type_from_fstype(const char *t) {
        static const char *const prefixes[] = { "fuseblk", "fuse3", "fuse" };

        for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
                size_t n = strlen(prefixes[k]);
                if (strncmp(t, prefixes[k], n) == 0) {
                        if (t[n] == 0)
                                return "";
                        if (t[n] == '.')
                                return t + n + 1;
                }
        }
        return NULL;
}

static bool option_ignored(const char *o) {
        static const char *const names[] = {
                "auto", "noauto", "user", "nouser", "users", "owner", "group",
                "defaults", "nofail", "_netdev",
        };

        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
                if (strcmp(o, names[k]) == 0)
                        return true;
        /* user=NAME is what mount(8) adds for a user mount; x-* belongs to
         * fstab users (systemd, gvfs); comment= to old fstabs. */
        return has_prefix(o, "x-") || has_prefix(o, "comment=") || has_prefix(o, "user=");
}

static int strdup_to(char **dst, const char *s) {
        char *c = strdup(s);

        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

static int append_option(char **opts, const char *o, size_t len) {
        size_t old = *opts ? strlen(*opts) : 0;
        char *n = realloc(*opts, old + len + 2);

        if (!n)
                return -ENOMEM;
        if (old)
                n[old++] = ',';
        memcpy(n + old, o, len);
        n[old + len] = 0;
        *opts = n;
        return 0;
}

/* Splits on commas not escaped by a backslash; each option is judged with
 * escapes in place (none of ours contains one). */
static int take_options(struct mount_fuse *m, const char *s, const char **error) {
        while (*s) {
                size_t len = 0;
                char *o;
                int r = 0;

                while (s[len] && s[len] != ',') {
                        if (s[len] == '\\' && s[len + 1])
                                len++;
                        len++;
                }
                o = strndup(s, len);
                if (!o)
                        return -ENOMEM;
                if (len == 0 || option_ignored(o)) {
                        if (strcmp(o, "nofail") == 0)
                                m->nofail = true;
                } else if (has_prefix(o, "setuid=")) {
                        if (!o[7]) {
                                *error = "setuid= needs a user name";
                                r = -EINVAL;
                        } else
                                r = strdup_to(&m->setuid_user, o + 7);
                } else if (strcmp(o, "drop_privileges") == 0)
                        m->drop_privileges = true;
                else if (strcmp(o, "as_owner") == 0)
                        m->as_owner = true;
                else
                        r = append_option(&m->options, s, len);
                free(o);
                if (r < 0)
                        return r;
                s += len;
                if (*s == ',')
                        s++;
        }
        return 0;
}

static int build_argv(struct mount_fuse *m) {
        size_t n = 0;

        free(m->argv);
        m->argv = calloc(6, sizeof(char *));
        if (!m->argv)
                return -ENOMEM;
        m->argv[n++] = m->type;
        if (m->source)
                m->argv[n++] = m->source;
        m->argv[n++] = m->mountpoint;
        if (m->options) {
                m->argv[n++] = (char *) "-o";
                m->argv[n++] = m->options;
        }
        return 0;
}

int mount_fuse_parse(int argc, char **argv, struct mount_fuse *m, const char **error) {
        const char *spec = NULL, *dir = NULL, *fstype = NULL, *self;
        int r;

        *m = (struct mount_fuse) {};
        *error = NULL;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (a[0] != '-' || a[1] == 0) {
                        if (!spec)
                                spec = a;
                        else if (!dir)
                                dir = a;
                        else {
                                *error = "too many arguments";
                                goto fail;
                        }
                        continue;
                }
                if (strcmp(a, "-o") == 0 || strcmp(a, "-t") == 0 || strcmp(a, "-N") == 0) {
                        if (i + 1 >= argc) {
                                *error = "option needs an argument";
                                goto fail;
                        }
                        if (a[1] == 'o') {
                                r = take_options(m, argv[++i], error);
                                if (r < 0)
                                        goto fail_r;
                        } else if (a[1] == 't')
                                fstype = argv[++i];
                        else {
                                *error = "-N (another mount namespace) is not supported";
                                goto fail;
                        }
                        continue;
                }
                if (has_prefix(a, "-o") || has_prefix(a, "-t")) {
                        if (a[1] == 'o') {
                                r = take_options(m, a + 2, error);
                                if (r < 0)
                                        goto fail_r;
                        } else
                                fstype = a + 2;
                        continue;
                }
                for (const char *p = a + 1; *p; p++) {
                        if (*p == 'v')
                                m->verbose = true;
                        else if (*p == 'f')
                                m->fake = true;
                        else if (*p != 's' && *p != 'n') {
                                /* -s sloppy, -n no mtab: meaningless here */
                                *error = "unknown option";
                                goto fail;
                        }
                }
        }
        if (!spec || !dir) {
                *error = "usage: mount.fuse3 [TYPE#]SOURCE MOUNTPOINT [-t fuse.TYPE] [-o OPTIONS]";
                goto fail;
        }
        if ((r = strdup_to(&m->mountpoint, dir)) < 0)
                goto fail_r;

        /* The type: fuse.TYPE, else TYPE#SOURCE, else our own name. */
        const char *hash = strchr(spec, '#');
        if (fstype) {
                const char *t = type_from_fstype(fstype);
                if (!t) {
                        *error = "the filesystem type must be fuse.TYPE";
                        goto fail;
                }
                if (*t && (r = strdup_to(&m->type, t)) < 0)
                        goto fail_r;
        }
        if (!m->type && hash) {
                m->type = strndup(spec, hash - spec);
                if (!m->type)
                        goto fail_nomem;
                spec = hash + 1;
        }
        self = argv[0] ? strrchr(argv[0], '/') : NULL;
        self = self ? self + 1 : argv[0];
        if (!m->type && self) {
                if (has_prefix(self, "mount.fuse.") && self[11])
                        r = strdup_to(&m->type, self + 11);
                else if (has_prefix(self, "mount.fuse3.") && self[12])
                        r = strdup_to(&m->type, self + 12);
                if (r < 0)
                        goto fail_r;
        }
        if (!m->type && !fstype && !hash && *spec) {
                /* `mount.fuse3 TYPE DIR`: the spec is the type. */
                if ((r = strdup_to(&m->type, spec)) < 0)
                        goto fail_r;
                spec = "";
        }
        if (!m->type || !*m->type) {
                *error = "no filesystem type: use TYPE#SOURCE or -t fuse.TYPE";
                goto fail;
        }
        /* A program name, never a path to some other binary through fstab's
         * type field: PATH decides where it is. */
        if (strchr(m->type, '/')) {
                *error = "the filesystem type must not contain '/'";
                goto fail;
        }
        if (*spec && strcmp(spec, "none") != 0 && (r = strdup_to(&m->source, spec)) < 0)
                goto fail_r;
        if ((r = build_argv(m)) < 0)
                goto fail_r;
        return 0;

fail_nomem:
        r = -ENOMEM;
        goto fail_r;
fail:
        r = -EINVAL;
fail_r:
        mount_fuse_done(m);
        return r;
}

int mount_fuse_set_mountpoint(struct mount_fuse *m, const char *path) {
        int r = strdup_to(&m->mountpoint, path);
        return r < 0 ? r : build_argv(m);
}

/* Whether the options (as given to the program) name o exactly. */
static bool has_option(const char *opts, const char *o) {
        size_t n = strlen(o);

        for (const char *p = opts; p && *p;) {
                size_t len = 0;
                while (p[len] && p[len] != ',') {
                        if (p[len] == '\\' && p[len + 1])
                                len++;
                        len++;
                }
                if (len == n && strncmp(p, o, n) == 0)
                        return true;
                p += len;
                if (*p == ',')
                        p++;
        }
        return false;
}

int mount_fuse_root_defaults(struct mount_fuse *m) {
        static const char *const pairs[][2] = { { "dev", "nodev" }, { "suid", "nosuid" } };
        int r;

        for (size_t k = 0; k < 2; k++) {
                if (has_option(m->options, pairs[k][0]) || has_option(m->options, pairs[k][1]))
                        continue;
                r = append_option(&m->options, pairs[k][0], strlen(pairs[k][0]));
                if (r < 0)
                        return r;
        }
        return build_argv(m);
}

void mount_fuse_done(struct mount_fuse *m) {
        free(m->type);
        free(m->source);
        free(m->mountpoint);
        free(m->options);
        free(m->setuid_user);
        free(m->argv);
        *m = (struct mount_fuse) {};
}
