// SPDX-License-Identifier: GPL-2.0-or-later
/* fusedctl's command line (client/fusedctl-args.c): GNU getopt_long with
 * permutation over whatever a user types.  The verb it points at must be
 * one of argv's own strings, and the options it takes are only those
 * fusedctl has.  Input: the arguments after argv[0], NUL-separated. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "fusedctl-args.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fusedctl_args a = { .legend = true, .ask_password = -1 };
        char *orig[FUZZ_ARGV_MAX + 1];
        int verb = -1, r;
        FuzzArgv v;

        opterr = 0;     /* getopt's own messages: nobody reads them here */
        fuzz_argv_split(data, size, "fusedctl", &v);
        memcpy(orig, v.argv, sizeof(char *) * (size_t) (v.argc + 1));
        r = fusedctl_args_parse(v.argc, v.argv, &a, &verb);
        FUZZ_CHECK(r == FUSEDCTL_RUN || r == FUSEDCTL_HELP || r == FUSEDCTL_VERSION || r == -EINVAL);
        if (r == FUSEDCTL_RUN) {
                FUZZ_CHECK(verb >= 1 && verb <= v.argc);
                /* The verb and what follows are arguments, not options
                 * (a "--" ends the options and is skipped). */
                FUZZ_CHECK(verb == v.argc || v.argv[verb][0] != '-' || v.argv[verb][1] == 0 ||
                           strcmp(v.argv[verb - 1], "--") == 0);
        }
        FUZZ_CHECK(a.ask_password == -1 || a.ask_password == 0);
        /* Permuting only reorders: the same strings, each once. */
        for (int i = 0; i < v.argc; i++) {
                int seen = 0;
                for (int k = 0; k < v.argc; k++)
                        seen += orig[k] == v.argv[i];
                FUZZ_CHECK(seen == 1);
        }
        FUZZ_CHECK(v.argv[v.argc] == NULL);
        fuzz_argv_done(&v);
        return 0;
}
