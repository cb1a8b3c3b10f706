// SPDX-License-Identifier: GPL-2.0-or-later
/* fusedctl's command line (fusedctl-args.h). */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>

#include "fusedctl-args.h"

int fusedctl_args_parse(int argc, char **argv, struct fusedctl_args *a, int *ret_verb) {
        enum { OPT_VERSION = 0x100, OPT_JSON, OPT_NO_ASK, OPT_NO_LEGEND };
        static const struct option options[] = {
                { "help",            no_argument, NULL, 'h' },
                { "version",         no_argument, NULL, OPT_VERSION },
                { "json",            no_argument, NULL, OPT_JSON },
                { "no-legend",       no_argument, NULL, OPT_NO_LEGEND },
                { "lazy",            no_argument, NULL, 'l' },
                { "no-ask-password", no_argument, NULL, OPT_NO_ASK },
                {}
        };
        int c;

        /* 0, not 1: glibc then starts over, also on a second call. */
        optind = 0;
        /* GNU getopt permutes: options may follow the verb too
         * ("fusedctl unmount --lazy X"). */
        while ((c = getopt_long(argc, argv, "hl", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        return FUSEDCTL_HELP;
                case OPT_VERSION:
                        return FUSEDCTL_VERSION;
                case OPT_JSON:
                        a->json = true;
                        break;
                case OPT_NO_LEGEND:
                        a->legend = false;
                        break;
                case 'l':
                        a->lazy = true;
                        break;
                case OPT_NO_ASK:
                        a->ask_password = 0;
                        break;
                default:
                        return -EINVAL;
                }
        }
        *ret_verb = optind;
        return FUSEDCTL_RUN;
}
