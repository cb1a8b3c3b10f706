// SPDX-License-Identifier: GPL-2.0-or-later
/* fused client: ListMounts, decoded into plain structs sorted by mountpoint. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fused-client.h"
#include "fused-client-internal.h"
#include "fused-protocol.h"

void fused_mount_info_clear(struct fused_mount_info *i) {
        if (!i)
                return;
        free(i->object);
        free(i->mountpoint);
        free(i->fsname);
        free(i->subtype);
        free(i->options);
        memset(i, 0, sizeof(*i));
}

void fused_mount_info_array_free(struct fused_mount_info *a, size_t n) {
        for (size_t k = 0; a && k < n; k++)
                fused_mount_info_clear(&a[k]);
        free(a);
}

static int info_compare(const void *a, const void *b) {
        const struct fused_mount_info *x = a, *y = b;
        int c = strcmp(x->mountpoint, y->mountpoint);

        return c ? c : strcmp(x->object, y->object);
}

int fused_list_mounts(struct fused_mount_info **ret, size_t *ret_n, unsigned flags,
                      char **ret_error) {
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_msg_ sd_bus_message *call = NULL, *reply = NULL;
        struct fused_mount_info *a = NULL;
        size_t n = 0, cap = 0;
        int r;

        r = fused_bus_open(&bus, ret_error);
        if (r < 0)
                return r;
        r = fused_call_begin(bus, &call, FUSED_METHOD_LIST_MOUNTS, flags);
        if (r < 0)
                return fused_error_from_bus(NULL, r, ret_error);
        r = fused_call(bus, call, flags, &reply, ret_error);
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(reply, 'a', FUSED_MOUNT_ENTRY_SIG);
        while (r >= 0) {
                const char *object, *mp, *fsname, *subtype, *options;
                uint32_t owner, pid;
                uint64_t created;

                r = sd_bus_message_read(reply, FUSED_MOUNT_ENTRY_SIG, &object, &mp, &owner, &pid,
                                        &fsname, &subtype, &options, &created);
                if (r <= 0)
                        break;
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 16;
                        struct fused_mount_info *na = realloc(a, ncap * sizeof(*a));
                        if (!na) {
                                r = -ENOMEM;
                                break;
                        }
                        a = na;
                        cap = ncap;
                }
                a[n] = (struct fused_mount_info) {
                        .object = strdup(object),
                        .mountpoint = strdup(mp),
                        .owner = owner,
                        .pid = pid,
                        .fsname = strdup(fsname),
                        .subtype = strdup(subtype),
                        .options = strdup(options),
                        .created_usec = created,
                };
                n++;
                if (!a[n - 1].object || !a[n - 1].mountpoint || !a[n - 1].fsname ||
                    !a[n - 1].subtype || !a[n - 1].options) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (r < 0) {
                fused_mount_info_array_free(a, n);
                return fused_error_from_bus(NULL, r, ret_error);
        }
        if (n > 1)
                qsort(a, n, sizeof(*a), info_compare);
        *ret = a;
        *ret_n = n;
        return 0;
}
