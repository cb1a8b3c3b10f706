// SPDX-License-Identifier: GPL-2.0-or-later
/* fusedctl monitor: mounts as they come and go, from the ObjectManager's
 * InterfacesAdded/InterfacesRemoved, and fused itself starting and stopping
 * (NameOwnerChanged). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fused-client-internal.h"
#include "fused-protocol.h"
#include "fusedctl.h"
#include "json.h"

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

        fusedctl_fstype_of(i, type, sizeof(type));
        if (fusedctl_arg.json) {
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
                       fusedctl_user_name(i->owner, owner, sizeof(owner)), i->pid, i->options);
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
        if (fusedctl_arg.json)
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

int fusedctl_monitor(int argc, char **argv) {
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
                return fusedctl_fail(r, "monitor", msg);

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
                return fusedctl_fail(fused_error_from_bus(NULL, r, &msg), "monitor", msg);

        /* After subscribing, so a mount made in between is not missed (it
         * may then be named twice, which is harmless). */
        r = fused_list_mounts(&a, &n, 0, &msg);
        if (r < 0)
                return fusedctl_fail(r, "monitor", msg);
        for (size_t k = 0; k < n; k++)
                known_add(a[k].object, a[k].mountpoint);
        fused_mount_info_array_free(a, n);

        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        if (!fusedctl_arg.json) {
                printf("Monitoring fused mounts (%zu now); Ctrl-C stops.\n", n);
                fflush(stdout);
        }
        while (!stop_monitor) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return fusedctl_fail(fused_error_from_bus(NULL, r, &msg), "monitor", msg);
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return fusedctl_fail(fused_error_from_bus(NULL, r, &msg), "monitor", msg);
        }
        while (known_list)
                free(known_take(known_list->object));
        return EXIT_OK;
}
