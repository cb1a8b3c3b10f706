// SPDX-License-Identifier: GPL-2.0-or-later
/* fusermount3 drop-in: command line parsing, kept pure for unit tests.
 *
 * The options are those programs pass to fusermount3 today: -o (repeatable),
 * -u, -z, -q, --auto-unmount, --comm-fd N, -h, -V and their long forms;
 * short options may be bundled ("-uqz"); "--" ends options, which matters
 * for a mountpoint starting with '-'. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fusermount-args.h"

static int append_options(char **s, const char *more) {
        size_t old = *s ? strlen(*s) : 0;
        char *n;

        if (!*more)
                return 0;
        n = realloc(*s, old + strlen(more) + 2);
        if (!n)
                return -ENOMEM;
        if (old)
                n[old++] = ',';
        strcpy(n + old, more);
        *s = n;
        return 0;
}

int fusermount_parse_fd(const char *s) {
        char *end;
        long v;

        if (!s)
                return -1;
        if (!*s || *s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v < 0 || v > 1 << 20)
                return -EINVAL;
        return (int) v;
}

/* The long options, by name; returns the equivalent short letter, 'c' for
 * --comm-fd, 'U' for --auto-unmount, 0 if unknown. */
static char long_option(const char *name, const char **value) {
        static const struct { const char *name; char c; bool arg; } longs[] = {
                { "help", 'h', false }, { "version", 'V', false },
                { "options", 'o', true }, { "unmount", 'u', false },
                { "lazy", 'z', false }, { "quiet", 'q', false },
                { "auto-unmount", 'U', false }, { "comm-fd", 'c', true },
        };
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t) (eq - name) : strlen(name);

        for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]); k++)
                if (strlen(longs[k].name) == len && strncmp(name, longs[k].name, len) == 0) {
                        if (!longs[k].arg && eq)
                                return 0;
                        *value = eq ? eq + 1 : NULL;
                        return longs[k].c;
                }
        return 0;
}

int fusermount_args_parse(int argc, char **argv, struct fusermount_args *a, const char **error) {
        bool unmount = false, help = false, version = false, options_done = false;
        int r;

        *a = (struct fusermount_args) { .action = FUSERMOUNT_MOUNT, .comm_fd = -1 };
        *error = NULL;

        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];

                if (!options_done && strcmp(s, "--") == 0) {
                        options_done = true;
                        continue;
                }
                if (options_done || s[0] != '-' || s[1] == 0) {
                        if (a->mountpoint) {
                                *error = "more than one mountpoint given";
                                goto usage;
                        }
                        a->mountpoint = s;
                        continue;
                }
                if (s[1] == '-') {
                        const char *value = NULL;
                        char c = long_option(s + 2, &value);

                        if (!c) {
                                *error = "unknown option";
                                goto usage;
                        }
                        if ((c == 'o' || c == 'c') && !value) {
                                if (i + 1 >= argc) {
                                        *error = "option needs an argument";
                                        goto usage;
                                }
                                value = argv[++i];
                        }
                        switch (c) {
                        case 'h': help = true; break;
                        case 'V': version = true; break;
                        case 'u': unmount = true; break;
                        case 'z': a->lazy = true; break;
                        case 'q': a->quiet = true; break;
                        case 'U': a->auto_unmount = true; break;
                        case 'o':
                                if ((r = append_options(&a->options, value)) < 0)
                                        return r;
                                break;
                        case 'c':
                                a->comm_fd = fusermount_parse_fd(value);
                                if (a->comm_fd < 0) {
                                        *error = "invalid --comm-fd";
                                        goto usage;
                                }
                                break;
                        }
                        continue;
                }
                for (const char *p = s + 1; *p; p++) {
                        switch (*p) {
                        case 'h': help = true; break;
                        case 'V': version = true; break;
                        case 'u': unmount = true; break;
                        case 'z': a->lazy = true; break;
                        case 'q': a->quiet = true; break;
                        case 'o': {
                                /* "-oOPTS" or "-o OPTS" */
                                const char *value = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
                                if (!value) {
                                        *error = "option -o needs an argument";
                                        goto usage;
                                }
                                if ((r = append_options(&a->options, value)) < 0)
                                        return r;
                                goto next_arg;  /* -o ends the bundle */
                        }
                        default:
                                *error = "unknown option";
                                goto usage;
                        }
                }
        next_arg:;
        }

        if (help)
                a->action = FUSERMOUNT_HELP;
        else if (version)
                a->action = FUSERMOUNT_VERSION;
        else {
                a->action = unmount ? FUSERMOUNT_UNMOUNT : FUSERMOUNT_MOUNT;
                if (!a->mountpoint) {
                        *error = "missing mountpoint argument";
                        goto usage;
                }
        }
        return 0;

usage:
        fusermount_args_done(a);
        return -EINVAL;
}

void fusermount_args_done(struct fusermount_args *a) {
        free(a->options);
        a->options = NULL;
}
