/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fusedctl's command line: the options before or after the verb, and
 * where the verb is.  Apart from fusedctl.c so that it can be tested and
 * fuzzed without a bus. */
#pragma once

#include <stdbool.h>

struct fusedctl_args {
        bool json;
        bool lazy;
        bool legend;
        int ask_password;       /* -1: when on a tty */
};

enum fusedctl_action {
        FUSEDCTL_RUN,           /* run the verb at argv[*ret_verb] */
        FUSEDCTL_HELP,
        FUSEDCTL_VERSION,
};

/* Parses argv with getopt_long, which permutes it so that the verb and its
 * arguments end up after the options, and prints its own message for an
 * unknown option.  Returns an enum fusedctl_action, *ret_verb the index of
 * the verb (argc when there is none); -EINVAL for an unknown option.  May
 * be called more than once in a process. */
int fusedctl_args_parse(int argc, char **argv, struct fusedctl_args *a, int *ret_verb);
