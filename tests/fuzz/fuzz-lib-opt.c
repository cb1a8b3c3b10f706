// SPDX-License-Identifier: GPL-2.0-or-later
/* fuse_opt_parse (lib/opt.c) with an option table like the ones real file
 * systems pass: flags, every scanf conversion the API documents, "%s"
 * strings, keys to a processing function that keeps, drops, fails and
 * adds arguments, "-x VALUE" templates and several templates matching one
 * option.  The command line is the user's; the library must not trip on
 * any of it.  Input: the arguments after argv[0], NUL-separated. */
#include <string.h>

#include "fuse_log.h"
#include "fuse_opt.h"
#include "fuzz-util.h"

enum { KEY_VERSION, KEY_NAME, KEY_SPACE, KEY_DEBUG, KEY_FAIL };

struct cfg {
        int show_help, debug, foreground, key_debug;
        char *host, *port_s, *name, *mountpoint, *joined;
        unsigned port, uid, mode, mask;
        int nodes;
        long timeout;
        unsigned long long big;
        double ratio;
        int nonopts;
};

#define CFG(t, f, v) { t, offsetof(struct cfg, f), v }

static const struct fuse_opt table[] = {
        CFG("-h", show_help, 1),
        CFG("--help", show_help, 1),
        FUSE_OPT_KEY("-V", KEY_VERSION),
        FUSE_OPT_KEY("--version", KEY_VERSION),
        CFG("-d", debug, 1),
        CFG("debug", debug, 1),
        FUSE_OPT_KEY("debug", KEY_DEBUG),       /* both apply */
        CFG("-f", foreground, 1),
        CFG("host=%s", host, 0),
        CFG("-p %s", port_s, 0),
        CFG("port=%u", port, 0),
        CFG("uid=%u", uid, 0),
        CFG("nodes=%d", nodes, 0),
        CFG("timeout=%li", timeout, 0),
        CFG("big=%llu", big, 0),
        CFG("mode=%o", mode, 0),
        CFG("mask=%x", mask, 0),
        CFG("ratio=%lf", ratio, 0),
        CFG("--opt=%s", joined, 0),
        CFG("-n ", nodes, 7),
        FUSE_OPT_KEY("name=", KEY_NAME),
        FUSE_OPT_KEY("-x ", KEY_SPACE),
        FUSE_OPT_KEY("fail", KEY_FAIL),
        FUSE_OPT_KEY("discard", FUSE_OPT_KEY_DISCARD),
        FUSE_OPT_KEY("keep", FUSE_OPT_KEY_KEEP),
        FUSE_OPT_END
};

static int proc(void *data, const char *arg, int key, struct fuse_args *outargs) {
        struct cfg *c = data;

        FUZZ_CHECK(arg && outargs && outargs->argc >= 1);
        switch (key) {
        case KEY_VERSION:
                return 0;
        case KEY_NAME:
                return fuse_opt_add_opt_escaped(&c->name, arg) < 0 ? -1 : 0;
        case KEY_SPACE:
                return 1;
        case KEY_DEBUG:
                c->key_debug++;
                return 1;
        case KEY_FAIL:
                return -1;
        case FUSE_OPT_KEY_NONOPT:
                if (c->nonopts++ == 0) {
                        free(c->mountpoint);
                        c->mountpoint = strdup(arg);
                        return c->mountpoint ? 0 : -1;
                }
                return 1;
        case FUSE_OPT_KEY_OPT:
                /* What sshfs and friends do: add arguments while parsing. */
                if (strcmp(arg, "insert") == 0)
                        return fuse_opt_insert_arg(outargs, 1, "-oinserted") < 0 ? -1 : 0;
                if (strcmp(arg, "append") == 0)
                        return fuse_opt_add_arg(outargs, "-oappended") < 0 ? -1 : 0;
                return 1;
        }
        FUZZ_CHECK(!"unknown key");
        return -1;
}

/* Formatted and dropped: the messages name the option, so a bad format
 * still shows, without a line on stderr per input. */
static void quiet(enum fuse_log_level level, const char *fmt, va_list ap) {
        char buf[256];
        (void) vsnprintf(buf, sizeof buf, fmt, ap);
}

static void cfg_done(struct cfg *c) {
        free(c->host);
        free(c->port_s);
        free(c->name);
        free(c->mountpoint);
        free(c->joined);
        *c = (struct cfg) {};
}

static void check_args(const struct fuse_args *a) {
        FUZZ_CHECK(a->argc >= 1 && a->argv && !a->argv[a->argc]);
        for (int i = 0; i < a->argc; i++)
                FUZZ_CHECK(a->argv[i] && strlen(a->argv[i]) < (1 << 20));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzArgv v;
        struct cfg c = {};

        fuse_set_log_func(quiet);
        fuzz_argv_split(data, size, "fs", &v);
        struct fuse_args args = FUSE_ARGS_INIT(v.argc, v.argv);

        if (fuse_opt_parse(&args, &c, table, proc) == 0) {
                check_args(&args);
                /* fuse_main parses what is left again, with another table. */
                cfg_done(&c);
                if (fuse_opt_parse(&args, &c, table, proc) == 0)
                        check_args(&args);
                /* And the options one by one, as fuse_opt_match callers do. */
                for (int i = 0; i < args.argc; i++)
                        (void) fuse_opt_match(table, args.argv[i]);
        }
        /* A NULL data block and no processing function: templates only match. */
        struct fuse_args args2 = FUSE_ARGS_INIT(v.argc, v.argv);
        if (fuse_opt_parse(&args2, NULL, table, NULL) == 0)
                check_args(&args2);

        char *opts = NULL;
        for (int i = 0; i < v.argc; i++)
                FUZZ_CHECK(fuse_opt_add_opt(&opts, v.argv[i]) == 0);
        free(opts);

        fuse_opt_free_args(&args2);
        fuse_opt_free_args(&args);
        cfg_done(&c);
        fuzz_argv_done(&v);
        return 0;
}
