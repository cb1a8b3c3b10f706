/* fusedctl: list, inspect, unmount and watch the mounts fused made.
 *
 * Exit codes (documented in fusedctl(1)): 0 ok, 1 other failure, 2 usage,
 * 3 not mounted, 4 permission denied, 5 fused unreachable. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fused-client.h"
#include "fused-client-internal.h"
#include "fused-protocol.h"
#include "json.h"
#include "polkit-agent.h"

enum {
        EXIT_OK = 0,
        EXIT_ERROR = 1,
        EXIT_USAGE = 2,
        EXIT_NOT_MOUNTED = 3,
        EXIT_DENIED = 4,
        EXIT_UNREACHABLE = 5,
};

static struct {
        bool json;
        bool lazy;
        bool legend;
        int ask_password;       /* -1: when on a tty */
} arg = { .legend = true, .ask_password = -1 };

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

static int fail(int r, const char *what, const char *msg) {
        fprintf(stderr, "fusedctl: %s%s%s\n", what ? what : "", what ? ": " : "",
                msg ? msg : strerror(-r));
        return exit_code_for(r);
}

static unsigned call_flags(void) {
        bool ask = arg.ask_password < 0 ? isatty(STDIN_FILENO) : arg.ask_password;
        return ask ? FUSED_CLIENT_INTERACTIVE : 0;
}

static const char *user_name(uint32_t uid, char *buf, size_t size) {
        struct passwd *pw = getpwuid(uid);

        if (pw)
                snprintf(buf, size, "%s", pw->pw_name);
        else
                snprintf(buf, size, "%u", uid);
        return buf;
}

static void format_time(uint64_t usec, char *buf, size_t size) {
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;

        if (usec == 0 || !localtime_r(&t, &tm) ||
            strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, size, "n/a");
}

static void fstype_of(const struct fused_mount_info *i, char *buf, size_t size) {
        if (i->subtype && *i->subtype)
                snprintf(buf, size, "fuse.%s", i->subtype);
        else
                snprintf(buf, size, "fuse");
}

static void print_json(const struct fused_mount_info *a, size_t n) {
        fputc('[', stdout);
        for (size_t k = 0; k < n; k++) {
                fputs(k ? ",\n {" : "\n {", stdout);
                fputs("\"object\":", stdout);
                json_write_string(stdout, a[k].object);
                fputs(",\"mountpoint\":", stdout);
                json_write_string(stdout, a[k].mountpoint);
                printf(",\"owner\":%u,\"pid\":%u", a[k].owner, a[k].pid);
                fputs(",\"fsname\":", stdout);
                json_write_string(stdout, a[k].fsname);
                fputs(",\"subtype\":", stdout);
                json_write_string(stdout, a[k].subtype);
                fputs(",\"options\":", stdout);
                json_write_string(stdout, a[k].options);
                printf(",\"created_usec\":%llu}", (unsigned long long) a[k].created_usec);
        }
        fputs(n ? "\n]\n" : "]\n", stdout);
}

static int width_max(int w, const char *s) {
        int l = (int) strlen(s ? s : "");
        return l > w ? l : w;
}

static void print_table(const struct fused_mount_info *a, size_t n) {
        int wmp = strlen("MOUNTPOINT"), wtype = strlen("TYPE"), wsrc = strlen("SOURCE"),
            wown = strlen("OWNER");
        char type[300], owner[64];

        for (size_t k = 0; k < n; k++) {
                fstype_of(&a[k], type, sizeof(type));
                wmp = width_max(wmp, a[k].mountpoint);
                wtype = width_max(wtype, type);
                wsrc = width_max(wsrc, a[k].fsname);
                wown = width_max(wown, user_name(a[k].owner, owner, sizeof(owner)));
        }
        if (arg.legend)
                printf("%-*s %-*s %-*s %-*s %7s %s\n", wmp, "MOUNTPOINT", wtype, "TYPE",
                       wsrc, "SOURCE", wown, "OWNER", "PID", "OPTIONS");
        for (size_t k = 0; k < n; k++) {
                fstype_of(&a[k], type, sizeof(type));
                printf("%-*s %-*s %-*s %-*s %7u %s\n", wmp, a[k].mountpoint, wtype, type,
                       wsrc, a[k].fsname, wown, user_name(a[k].owner, owner, sizeof(owner)),
                       a[k].pid, a[k].options);
        }
        if (arg.legend)
                printf("\n%zu mount%s listed.\n", n, n == 1 ? "" : "s");
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
                return fail(r, "list", msg);
        if (arg.json)
                print_json(a, n);
        else
                print_table(a, n);
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
                return fail(r, argv[1], NULL);
        r = fused_list_mounts(&a, &n, 0, &msg);
        if (r < 0)
                return fail(r, "status", msg);
        for (size_t k = 0; k < n; k++) {
                char type[300], owner[64], created[128];

                if (strcmp(a[k].mountpoint, path) != 0)
                        continue;
                if (arg.json) {
                        print_json(&a[k], 1);
                        ret = EXIT_OK;
                        continue;
                }
                fstype_of(&a[k], type, sizeof(type));
                format_time(a[k].created_usec, created, sizeof(created));
                printf("%s%s (%s)\n", ret == EXIT_OK ? "\n" : "", a[k].mountpoint, type);
                printf("     Object: %s\n", a[k].object);
                printf("     Source: %s\n", a[k].fsname);
                printf("      Owner: %s (uid %u)\n", user_name(a[k].owner, owner, sizeof(owner)),
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

                unsigned flags = arg.lazy ? FUSED_CLIENT_LAZY : 0;

                r = fused_unmount(argv[k], flags, &msg);
                /* Someone else's mount needs an administrator: with a person
                 * at the terminal, ask again with a polkit agent running. */
                if ((r == -EPERM || r == -EACCES) && (call_flags() & FUSED_CLIENT_INTERACTIVE)) {
                        if (agent == 0)
                                agent = polkit_agent_open();
                        free(msg);
                        msg = NULL;
                        r = fused_unmount(argv[k], flags | FUSED_CLIENT_INTERACTIVE, &msg);
                }
                if (r < 0 && ret == EXIT_OK)
                        ret = fail(r, argv[k], msg);
                else if (r < 0)
                        (void) fail(r, argv[k], msg);
        }
        return ret;
}

/* monitor: mountpoints by object path, so a removal can be printed by name. */
struct known {
        char *object;
        char *mountpoint;
        struct known *next;
};

static struct known *known_list;

static void known_add(const char *object, const char *mountpoint) {
        struct known *k = calloc(1, sizeof(*k));

        if (!k)
                return;
        k->object = strdup(object);
        k->mountpoint = strdup(mountpoint);
        k->next = known_list;
        known_list = k;
}

static char *known_take(const char *object) {
        for (struct known **p = &known_list; *p; p = &(*p)->next)
                if ((*p)->object && strcmp((*p)->object, object) == 0) {
                        struct known *k = *p;
                        char *mp = k->mountpoint;
                        *p = k->next;
                        free(k->object);
                        free(k);
                        return mp;
                }
        return NULL;
}

static void print_event(char what, const struct fused_mount_info *i) {
        char type[300], owner[64];

        fstype_of(i, type, sizeof(type));
        if (arg.json) {
                printf("{\"event\":\"%s\",\"object\":", what == '+' ? "added" : "removed");
                json_write_string(stdout, i->object);
                fputs(",\"mountpoint\":", stdout);
                json_write_string(stdout, i->mountpoint);
                if (what == '+') {
                        printf(",\"owner\":%u,\"pid\":%u,\"fsname\":", i->owner, i->pid);
                        json_write_string(stdout, i->fsname);
                        fputs(",\"subtype\":", stdout);
                        json_write_string(stdout, i->subtype);
                        fputs(",\"options\":", stdout);
                        json_write_string(stdout, i->options);
                }
                fputs("}\n", stdout);
        } else if (what == '+')
                printf("+ %s %s %s owner=%s pid=%u %s\n", i->mountpoint, type, i->fsname,
                       user_name(i->owner, owner, sizeof(owner)), i->pid, i->options);
        else
                printf("- %s\n", i->mountpoint ? i->mountpoint : i->object);
        fflush(stdout);
}

static int read_mount_props(sd_bus_message *m, struct fused_mount_info *i) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name, *s;
                char **dst = NULL;
                uint32_t *u32 = NULL;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                if (strcmp(name, FUSED_PROP_MOUNTPOINT) == 0)
                        dst = &i->mountpoint;
                else if (strcmp(name, FUSED_PROP_FSNAME) == 0)
                        dst = &i->fsname;
                else if (strcmp(name, FUSED_PROP_SUBTYPE) == 0)
                        dst = &i->subtype;
                else if (strcmp(name, FUSED_PROP_OPTIONS) == 0)
                        dst = &i->options;
                else if (strcmp(name, FUSED_PROP_OWNER) == 0)
                        u32 = &i->owner;
                else if (strcmp(name, FUSED_PROP_PID) == 0)
                        u32 = &i->pid;

                if (dst) {
                        r = sd_bus_message_read(m, "v", "s", &s);
                        if (r >= 0) {
                                free(*dst);
                                *dst = strdup(s);
                        }
                } else if (u32)
                        r = sd_bus_message_read(m, "v", "u", u32);
                else if (strcmp(name, FUSED_PROP_CREATION_TIMESTAMP) == 0)
                        r = sd_bus_message_read(m, "v", "t", &i->created_usec);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int on_interfaces_added(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct fused_mount_info i = {};
        const char *object;
        bool is_mount = false;
        int r;

        r = sd_bus_message_read(m, "o", &object);
        if (r < 0)
                return 0;
        r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
        while (r > 0 && (r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
                const char *iface;

                r = sd_bus_message_read(m, "s", &iface);
                if (r < 0)
                        break;
                if (strcmp(iface, FUSED_MOUNT_INTERFACE) == 0) {
                        is_mount = true;
                        r = read_mount_props(m, &i);
                } else
                        r = sd_bus_message_skip(m, "a{sv}");
                if (r < 0)
                        break;
                r = sd_bus_message_exit_container(m);
        }
        if (is_mount && r >= 0) {
                i.object = strdup(object);
                if (i.mountpoint)
                        known_add(object, i.mountpoint);
                print_event('+', &i);
        }
        fused_mount_info_clear(&i);
        return 0;
}

static int on_interfaces_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct fused_mount_info i = {};
        const char *object;
        char **ifaces = NULL;
        bool is_mount = false;

        if (sd_bus_message_read(m, "o", &object) < 0 || sd_bus_message_read_strv(m, &ifaces) < 0)
                return 0;
        for (char **p = ifaces; p && *p; p++) {
                if (strcmp(*p, FUSED_MOUNT_INTERFACE) == 0)
                        is_mount = true;
                free(*p);
        }
        free(ifaces);
        i.mountpoint = known_take(object);
        /* sd-bus lists only the interfaces it still finds for the object;
         * a mount we know of counts even when Mount is missing there. */
        if (!is_mount && !i.mountpoint)
                return 0;
        i.object = strdup(object);
        print_event('-', &i);
        fused_mount_info_clear(&i);
        return 0;
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (arg.json)
                printf("{\"event\":\"%s\"}\n", *new_owner ? "fused-started" : "fused-stopped");
        else
                printf("%s\n", *new_owner ? "* fused started" : "* fused stopped");
        fflush(stdout);
        return 0;
}

static volatile sig_atomic_t stop_monitor;

static void on_stop_signal(int sig) {
        stop_monitor = 1;
}

static int verb_monitor(int argc, char **argv) {
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_free_ char *msg = NULL;
        struct fused_mount_info *a = NULL;
        size_t n = 0;
        struct sigaction sa = { .sa_handler = on_stop_signal };
        int r;

        if (argc > 1) {
                fprintf(stderr, "fusedctl: monitor takes no arguments\n");
                return EXIT_USAGE;
        }
        r = fused_bus_open(&bus, &msg);
        if (r < 0)
                return fail(r, "monitor", msg);

        r = sd_bus_match_signal(bus, NULL, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                on_interfaces_added, NULL);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                        on_interfaces_removed, NULL);
        /* arg0 filter: only fused's own name coming and going. */
        if (r >= 0)
                r = sd_bus_add_match(bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',"
                                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                     "arg0='" FUSED_BUS_NAME "'",
                                     on_owner_changed, NULL);
        if (r < 0)
                return fail(fused_error_from_bus(NULL, r, &msg), "monitor", msg);

        /* After subscribing, so a mount made in between is not missed (it
         * may then be named twice, which is harmless). */
        r = fused_list_mounts(&a, &n, 0, &msg);
        if (r < 0)
                return fail(r, "monitor", msg);
        for (size_t k = 0; k < n; k++)
                known_add(a[k].object, a[k].mountpoint);
        fused_mount_info_array_free(a, n);

        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        if (!arg.json) {
                printf("Monitoring fused mounts (%zu now); Ctrl-C stops.\n", n);
                fflush(stdout);
        }
        while (!stop_monitor) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return fail(fused_error_from_bus(NULL, r, &msg), "monitor", msg);
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return fail(fused_error_from_bus(NULL, r, &msg), "monitor", msg);
        }
        while (known_list)
                free(known_take(known_list->object));
        return EXIT_OK;
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
        static const struct {
                const char *name;
                int (*run)(int argc, char **argv);
        } verbs[] = {
                { "list",    verb_list },
                { "status",  verb_status },
                { "unmount", verb_unmount },
                { "umount",  verb_unmount },
                { "monitor", verb_monitor },
        };
        int c;

        /* GNU getopt permutes: options may follow the verb too
         * ("fusedctl unmount --lazy X"). */
        while ((c = getopt_long(argc, argv, "hl", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return EXIT_OK;
                case OPT_VERSION:
                        printf("fusedctl (fused) %s\n", FUSED_VERSION);
                        return EXIT_OK;
                case OPT_JSON:
                        arg.json = true;
                        break;
                case OPT_NO_LEGEND:
                        arg.legend = false;
                        break;
                case 'l':
                        arg.lazy = true;
                        break;
                case OPT_NO_ASK:
                        arg.ask_password = 0;
                        break;
                default:
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "fusedctl: a command is needed (see fusedctl --help)\n");
                return EXIT_USAGE;
        }
        for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
                if (strcmp(argv[optind], verbs[k].name) == 0)
                        return verbs[k].run(argc - optind, argv + optind);
        fprintf(stderr, "fusedctl: unknown command '%s' (see fusedctl --help)\n", argv[optind]);
        return EXIT_USAGE;
}
