// SPDX-License-Identifier: GPL-2.0-or-later
/* One bus object per mount, FUSED_MOUNT_PATH_PREFIX/<id>, with read-only
 * properties; the ObjectManager on the root object announces them, so a
 * desktop sees mounts come and go. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "fused.h"

static int prop_str(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const char *const *s = userdata;
        return sd_bus_message_append(reply, "s", *s ? *s : "");
}

static int prop_pid(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", (uint32_t) *(pid_t *) userdata);
}

static int prop_bool(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", (int) *(bool *) userdata);
}

static const sd_bus_vtable mount_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY(FUSED_PROP_MOUNTPOINT, "s", prop_str, offsetof(MountRecord, mountpoint),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY(FUSED_PROP_OWNER, "u", NULL, offsetof(MountRecord, owner), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY(FUSED_PROP_PID, "u", prop_pid, offsetof(MountRecord, pid), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY(FUSED_PROP_FSNAME, "s", prop_str, offsetof(MountRecord, fsname),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY(FUSED_PROP_SUBTYPE, "s", prop_str, offsetof(MountRecord, subtype),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY(FUSED_PROP_OPTIONS, "s", prop_str, offsetof(MountRecord, options),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY(FUSED_PROP_CREATION_TIMESTAMP, "t", NULL, offsetof(MountRecord, created_usec),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY(FUSED_PROP_AUTO_UNMOUNT, "b", prop_bool, offsetof(MountRecord, auto_unmount),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END,
};

/* The mount objects are served by one fallback vtable that finds the
 * record by the id in the path, not one registration per mount: nothing per
 * mount is allocated inside sd-bus, so memory stays flat with many mounts. */
static int mount_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error) {
        Context *c = userdata;

        if (strncmp(path, FUSED_MOUNT_PATH_PREFIX "/", strlen(FUSED_MOUNT_PATH_PREFIX) + 1) != 0)
                return 0;
        for (MountRecord *m = c->mounts; m; m = m->next)
                if (m->published && m->object_path && strcmp(m->object_path, path) == 0) {
                        *found = m;
                        return 1;
                }
        return 0;
}

static int mount_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Context *c = userdata;
        size_t n = 0;
        char **l = calloc(c->n_mounts + 1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        for (MountRecord *m = c->mounts; m; m = m->next) {
                if (!m->published || !m->object_path)
                        continue;
                l[n] = strdup(m->object_path);
                if (!l[n]) {
                        for (size_t i = 0; i < n; i++)
                                free(l[i]);
                        free(l);
                        return -ENOMEM;
                }
                n++;
        }
        *nodes = l;
        /* GetManagedObjects and introspection build big replies. */
        context_trim_later(c);
        return 0;
}

int mount_objects_register(Context *c) {
        int r = sd_bus_add_fallback_vtable(c->bus, NULL, FUSED_MOUNT_PATH_PREFIX, FUSED_MOUNT_INTERFACE,
                                           mount_vtable, mount_find, c);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(c->bus, NULL, FUSED_MOUNT_PATH_PREFIX, mount_enumerate, c);
}

int mount_object_path(MountRecord *m) {
        if (!m->object_path && asprintf(&m->object_path, FUSED_MOUNT_PATH_PREFIX "/%" PRIu64, m->id) < 0) {
                m->object_path = NULL;
                return -ENOMEM;
        }
        return 0;
}

int mount_object_add(Context *c, MountRecord *m) {
        int r = mount_object_path(m);
        if (r < 0)
                return r;
        m->published = true;
        (void) sd_bus_emit_object_added(c->bus, m->object_path);
        return 0;
}

void mount_object_remove(Context *c, MountRecord *m) {
        if (!m->published)
                return;
        (void) sd_bus_emit_object_removed(c->bus, m->object_path);
        m->published = false;
        /* The record is freed soon after; also for mounts that go without
         * a request (auto-unmount, reconciliation). */
        context_trim_later(c);
}

int mount_list_append(Context *c, sd_bus_message *reply) {
        int r;

        /* A big reply, freed once sent. */
        context_trim_later(c);
        r = sd_bus_message_open_container(reply, 'a', FUSED_MOUNT_ENTRY_SIG);
        if (r < 0)
                return r;
        for (MountRecord *m = c->mounts; m; m = m->next) {
                if (!m->published)
                        continue;
                r = sd_bus_message_append(reply, FUSED_MOUNT_ENTRY_SIG, m->object_path, m->mountpoint,
                                          (uint32_t) m->owner, (uint32_t) m->pid, m->fsname ? m->fsname : "",
                                          m->subtype ? m->subtype : "", m->options ? m->options : "",
                                          m->created_usec);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}
