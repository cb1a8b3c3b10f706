// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test: fusedctl's command line, options before and after the verb. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fusedctl-args.h"
#include "../lib/test-util.h"

#define ARGV(...) ((char *[]) { "fusedctl", __VA_ARGS__, NULL })

/* Parses argv (NULL-terminated) into *a, starting from fusedctl's defaults. */
static int parse(char **argv, struct fusedctl_args *a, int *verb) {
        int argc = 0;

        while (argv[argc])
                argc++;
        *a = (struct fusedctl_args) { .legend = true, .ask_password = -1 };
        *verb = -1;
        return fusedctl_args_parse(argc, argv, a, verb);
}

int main(void) {
        struct fusedctl_args a;
        int verb;

        opterr = 0;     /* the unknown options below are on purpose */
        {
                char **v = ARGV("--json", "list");
                CHECK(parse(v, &a, &verb) == FUSEDCTL_RUN && verb == 2 && strcmp(v[verb], "list") == 0);
                CHECK(a.json && a.legend && !a.lazy && a.ask_password == -1);
        }
        /* Options after the verb too: getopt moves the verb behind them. */
        {
                char **v = ARGV("unmount", "--lazy", "/mnt", "--no-ask-password", "--no-legend");
                CHECK(parse(v, &a, &verb) == FUSEDCTL_RUN);
                CHECK(verb == 4 && strcmp(v[verb], "unmount") == 0 && strcmp(v[verb + 1], "/mnt") == 0);
                CHECK(a.lazy && !a.legend && a.ask_password == 0);
        }
        /* "--" ends the options: a mountpoint may start with '-'. */
        {
                char **v = ARGV("-l", "unmount", "--", "-odd");
                CHECK(parse(v, &a, &verb) == FUSEDCTL_RUN && a.lazy);
                CHECK(strcmp(v[verb], "unmount") == 0 && strcmp(v[verb + 1], "-odd") == 0);
        }
        CHECK(parse(ARGV("--no-legend"), &a, &verb) == FUSEDCTL_RUN && verb == 2);
        CHECK(parse(ARGV("status", "-h", "--bogus"), &a, &verb) == FUSEDCTL_HELP);
        CHECK(parse(ARGV("--version", "list"), &a, &verb) == FUSEDCTL_VERSION);
        CHECK(parse(ARGV("--bogus", "list"), &a, &verb) == -EINVAL);
        CHECK(parse(ARGV("-x"), &a, &verb) == -EINVAL);
        /* A second parse in the same process starts over. */
        CHECK(parse(ARGV("list"), &a, &verb) == FUSEDCTL_RUN && verb == 1 && !a.json);

        if (failures) {
                fprintf(stderr, "%d check(s) failed\n", failures);
                return 1;
        }
        printf("fusedctl arguments: all checks passed\n");
        return 0;
}
