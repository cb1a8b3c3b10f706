// SPDX-License-Identifier: GPL-2.0-or-later
/* fusedctl: list, inspect, unmount and watch the mounts fused made.
 * This file: main, list, status, unmount; the options are fusedctl-args.c's.
 *
 * Exit codes (documented in fusedctl(1)): 0 ok, 1 other failure, 2 usage,
 * 3 not mounted, 4 permission denied, 5 fused unreachable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fused-client-internal.h"
#include "fusedctl.h"
#include "polkit-agent.h"

struct fusedctl_args fusedctl_arg = { .legend = true, .ask_password = -1 };

static int exit_code_for(int r) {
        switch (-r) {
        case 0:         return EXIT_OK;
        case ENOENT:    return EXIT_NOT_MOUNTED;
        case EPERM:
        case EACCES:    return EXIT_DENIED;
        case EHOSTDOWN: return EXIT_UNREACHABLE;
        default:        return EXIT_ERROR;
        }
}

int fusedctl_fail(int r, const char *what, const char *msg) {
        fprintf(stderr, "fusedctl: %s%s%s\n", what ? what : "", what ? ": " : "",
                msg ? msg : strerror(-r));
        return exit_code_for(r);
}

static unsigned call_flags(void) {
        bool ask = fusedctl_arg.ask_password < 0 ? isatty(STDIN_FILENO) : fusedctl_arg.ask_password;
        return ask ? FUSED_CLIENT_INTERACTIVE : 0;
}

static int verb_list(int argc, char **argv) {
        _cleanup_free_ char *msg = NULL;
        struct fused_mount_info *a = NULL;
        size_t n = 0;
        int r;

        if (argc > 1) {
                fprintf(stderr, "fusedctl: list takes no arguments\n");
                return EXIT_USAGE;
        }
        r = fused_list_mounts(&a, &n, 0, &msg);
        if (r < 0)
                return fusedctl_fail(r, "list", msg);
        if (fusedctl_arg.json)
                fusedctl_print_json(a, n);
        else
                fusedctl_print_table(a, n);
        fused_mount_info_array_free(a, n);
        return EXIT_OK;
}

static int verb_status(int argc, char **argv) {
        _cleanup_free_ char *msg = NULL, *path = NULL;
        struct fused_mount_info *a = NULL;
        size_t n = 0;
        int r, ret = EXIT_NOT_MOUNTED;

        if (argc != 2) {
                fprintf(stderr, "fusedctl: status takes one MOUNTPOINT\n");
                return EXIT_USAGE;
        }
        r = fused_path_absolute(argv[1], &path);
        if (r < 0)
                return fusedctl_fail(r, argv[1], NULL);
        r = fused_list_mounts(&a, &n, 0, &msg);
        if (r < 0)
                return fusedctl_fail(r, "status", msg);
        for (size_t k = 0; k < n; k++) {
                char type[300], owner[64], created[128];

                if (strcmp(a[k].mountpoint, path) != 0)
                        continue;
                if (fusedctl_arg.json) {
                        fusedctl_print_json(&a[k], 1);
                        ret = EXIT_OK;
                        continue;
                }
                fusedctl_fstype_of(&a[k], type, sizeof(type));
                fusedctl_format_time(a[k].created_usec, created, sizeof(created));
                printf("%s%s (%s)\n", ret == EXIT_OK ? "\n" : "", a[k].mountpoint, type);
                printf("     Object: %s\n", a[k].object);
                printf("     Source: %s\n", a[k].fsname);
                printf("      Owner: %s (uid %u)\n", fusedctl_user_name(a[k].owner, owner, sizeof(owner)),
                       a[k].owner);
                printf("        Pid: %u\n", a[k].pid);
                printf("    Options: %s\n", a[k].options);
                printf("    Created: %s\n", created);
                ret = EXIT_OK;
        }
        fused_mount_info_array_free(a, n);
        if (ret != EXIT_OK)
                fprintf(stderr, "fusedctl: %s: not a mount made by fused\n", path);
        return ret;
}

static int verb_unmount(int argc, char **argv) {
        _cleanup_(polkit_agent_closep) pid_t agent = 0;
        int ret = EXIT_OK;

        if (argc < 2) {
                fprintf(stderr, "fusedctl: unmount needs a MOUNTPOINT\n");
                return EXIT_USAGE;
        }
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *msg = NULL;
                int r;

                unsigned flags = fusedctl_arg.lazy ? FUSED_CLIENT_LAZY : 0;

                r = fused_unmount(argv[k], flags, &msg);
                /* Someone else's mount needs an administrator: with a person
                 * at the terminal, ask again with a polkit agent running. */
                if (r == -EPERM && (call_flags() & FUSED_CLIENT_INTERACTIVE)) {
                        if (agent == 0)
                                agent = polkit_agent_open();
                        free(msg);
                        msg = NULL;
                        r = fused_unmount(argv[k], flags | FUSED_CLIENT_INTERACTIVE, &msg);
                }
                if (r < 0 && ret == EXIT_OK)
                        ret = fusedctl_fail(r, argv[k], msg);
                else if (r < 0)
                        (void) fusedctl_fail(r, argv[k], msg);
        }
        return ret;
}

static void help(void) {
        printf("fusedctl [OPTIONS...] COMMAND ...\n\n"
               "Query and control the FUSE mounts made by fused.\n\n"
               "Commands:\n"
               "  list                    List the mounts fused made\n"
               "  status MOUNTPOINT       Show one mount\n"
               "  unmount MOUNTPOINT...   Unmount through fused\n"
               "  monitor                 Print mounts as they come and go\n\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "     --version            Show the version\n"
               "     --json               JSON output (list, status, monitor)\n"
               "     --no-legend          No header and footer in tables\n"
               "  -l --lazy               unmount: detach now, clean up when no longer busy\n"
               "     --no-ask-password    Never ask for a password (polkit)\n\n"
               "Exit status: 0 ok, 1 failure, 2 usage, 3 not mounted,\n"
               "4 permission denied, 5 fused unreachable.  See fusedctl(1).\n");
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*run)(int argc, char **argv);
        } verbs[] = {
                { "list",    verb_list },
                { "status",  verb_status },
                { "unmount", verb_unmount },
                { "umount",  verb_unmount },
                { "monitor", fusedctl_monitor },
        };
        int verb = argc;

        switch (fusedctl_args_parse(argc, argv, &fusedctl_arg, &verb)) {
        case FUSEDCTL_RUN:
                break;
        case FUSEDCTL_HELP:
                help();
                return EXIT_OK;
        case FUSEDCTL_VERSION:
                printf("fusedctl (fused) %s\n", FUSED_VERSION);
                return EXIT_OK;
        default:
                return EXIT_USAGE;
        }
        if (verb >= argc) {
                fprintf(stderr, "fusedctl: a command is needed (see fusedctl --help)\n");
                return EXIT_USAGE;
        }
        for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
                if (strcmp(argv[verb], verbs[k].name) == 0)
                        return verbs[k].run(argc - verb, argv + verb);
        fprintf(stderr, "fusedctl: unknown command '%s' (see fusedctl --help)\n", argv[verb]);
        return EXIT_USAGE;
}
