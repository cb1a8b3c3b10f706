// SPDX-License-Identifier: GPL-2.0-or-later
/* The mounts fused made: in memory, and one file per mount under the state
 * directory so that a restarted fused still knows who owns what.  At start
 * and from time to time, records of mounts that are gone (unmounted behind
 * our back, or their namespace died) are dropped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "fused.h"

MountRecord *record_new(void) {
        MountRecord *m = calloc(1, sizeof *m);
        if (m)
                m->ns_fd = -1;
        return m;
}

/* One allocation a mount, not seven: with malloc's per-chunk overhead and
 * rounding, a record and six short strings took about 450 bytes of heap,
 * packed they take about 310, and there is one thing to free. */
MountRecord *record_new_packed(uint64_t id, const char *mountpoint, const char *fsname, const char *subtype,
                               const char *options, const char *sender) {
        char path[sizeof FUSED_MOUNT_PATH_PREFIX + 24];
        const char *src[] = { path, mountpoint, fsname, subtype, options, sender };
        size_t len[ELEMENTSOF(src)], total = 0;

        snprintf(path, sizeof path, FUSED_MOUNT_PATH_PREFIX "/%" PRIu64, id);
        for (size_t i = 0; i < ELEMENTSOF(src); i++) {
                len[i] = src[i] ? strlen(src[i]) + 1 : 0;
                total += len[i];
        }
        MountRecord *m = calloc(1, sizeof *m + total);
        if (!m)
                return NULL;
        m->id = id;
        m->ns_fd = -1;
        m->packed = true;

        char **dst[] = { &m->object_path, &m->mountpoint, &m->fsname, &m->subtype, &m->options, &m->sender };
        char *p = m->strings;
        for (size_t i = 0; i < ELEMENTSOF(src); i++) {
                if (!src[i])
                        continue;
                *dst[i] = memcpy(p, src[i], len[i]);
                p += len[i];
        }
        return m;
}

MountRecord *record_pack(MountRecord *m) {
        MountRecord *n = record_new_packed(m->id, m->mountpoint, m->fsname, m->subtype, m->options, m->sender);

        if (!n)
                return record_free(m);
        MountRecord strings = *n;
        *n = *m;
        n->object_path = strings.object_path;
        n->mountpoint = strings.mountpoint;
        n->fsname = strings.fsname;
        n->subtype = strings.subtype;
        n->options = strings.options;
        n->sender = strings.sender;
        n->packed = true;
        n->next = NULL;
        m->ns_fd = -1;
        record_free(m);
        return n;
}

MountRecord *record_free(MountRecord *m) {
        if (!m)
                return NULL;
        if (m->ns_fd >= 0)
                close(m->ns_fd);
        if (!m->packed) {
                free(m->object_path);
                free(m->mountpoint);
                free(m->fsname);
                free(m->subtype);
                free(m->options);
                free(m->sender);
        }
        free(m);
        return NULL;
}

/* Values are one line each: escape newline and backslash. */
static int append_kv(char **buf, size_t *len, const char *key, const char *value) {
        size_t n = strlen(key) + 2 * strlen(value) + 3;
        char *p = realloc(*buf, *len + n);

        if (!p)
                return -ENOMEM;
        *buf = p;
        p += *len;
        p += sprintf(p, "%s=", key);
        for (const char *v = value; *v; v++) {
                if (*v == '\n') {
                        *p++ = '\\';
                        *p++ = 'n';
                } else if (*v == '\\') {
                        *p++ = '\\';
                        *p++ = '\\';
                } else
                        *p++ = *v;
        }
        *p++ = '\n';
        *p = 0;
        *len = (size_t) (p - *buf);
        return 0;
}

static int append_u64(char **buf, size_t *len, const char *key, uint64_t v) {
        char s[24];
        snprintf(s, sizeof s, "%" PRIu64, v);
        return append_kv(buf, len, key, s);
}

int record_serialize(const MountRecord *m, char **ret) {
        char *buf = NULL;
        size_t len = 0;
        int r = 0;

        r = append_u64(&buf, &len, "id", m->id);
        if (r >= 0) r = append_kv(&buf, &len, "mountpoint", m->mountpoint ? m->mountpoint : "");
        if (r >= 0) r = append_kv(&buf, &len, "fsname", m->fsname ? m->fsname : "");
        if (r >= 0) r = append_kv(&buf, &len, "subtype", m->subtype ? m->subtype : "");
        if (r >= 0) r = append_kv(&buf, &len, "options", m->options ? m->options : "");
        if (r >= 0) r = append_kv(&buf, &len, "sender", m->sender ? m->sender : "");
        if (r >= 0) r = append_u64(&buf, &len, "owner", m->owner);
        if (r >= 0) r = append_u64(&buf, &len, "pid", (uint64_t) m->pid);
        if (r >= 0) r = append_u64(&buf, &len, "created", m->created_usec);
        if (r >= 0) r = append_u64(&buf, &len, "auto_unmount", m->auto_unmount);
        if (r >= 0) r = append_u64(&buf, &len, "mnt_id", m->mnt_id);
        if (r >= 0) r = append_u64(&buf, &len, "mnt_id_unique", m->mnt_id_unique);
        if (r >= 0) r = append_u64(&buf, &len, "ns_id", m->ns_id);
        if (r >= 0) r = append_u64(&buf, &len, "ns_dev", (uint64_t) m->ns_dev);
        if (r >= 0) r = append_u64(&buf, &len, "ns_ino", (uint64_t) m->ns_ino);
        if (r >= 0 && m->pending) r = append_u64(&buf, &len, "pending", 1);
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

static char *unescape_value(const char *s, size_t n) {
        char *out = malloc(n + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 1 < n) {
                        i++;
                        *o++ = s[i] == 'n' ? '\n' : s[i];
                } else
                        *o++ = s[i];
        }
        *o = 0;
        return out;
}

int record_parse(const char *text, MountRecord *m) {
        bool have_id = false, have_mp = false;

        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                const char *eq = memchr(p, '=', len);

                if (eq) {
                        size_t klen = (size_t) (eq - p);
                        _cleanup_free_ char *v = unescape_value(eq + 1, len - klen - 1);
                        if (!v)
                                return -ENOMEM;
                        uint64_t u = strtoull(v, NULL, 10);
#define KEY(k) (klen == strlen(k) && memcmp(p, k, klen) == 0)
#define TAKE_STR(field) do { free(m->field); m->field = TAKE_PTR(v); } while (0)
                        if (KEY("id")) { m->id = u; have_id = u > 0; }
                        else if (KEY("mountpoint")) { TAKE_STR(mountpoint); have_mp = true; }
                        else if (KEY("fsname")) TAKE_STR(fsname);
                        else if (KEY("subtype")) TAKE_STR(subtype);
                        else if (KEY("options")) TAKE_STR(options);
                        else if (KEY("sender")) TAKE_STR(sender);
                        else if (KEY("owner")) m->owner = (uid_t) u;
                        else if (KEY("pid")) m->pid = (pid_t) u;
                        else if (KEY("created")) m->created_usec = u;
                        else if (KEY("auto_unmount")) m->auto_unmount = u != 0;
                        else if (KEY("mnt_id")) m->mnt_id = u;
                        else if (KEY("mnt_id_unique")) m->mnt_id_unique = u;
                        else if (KEY("ns_id")) m->ns_id = u;
                        else if (KEY("ns_dev")) m->ns_dev = (dev_t) u;
                        else if (KEY("ns_ino")) m->ns_ino = (ino_t) u;
                        else if (KEY("pending")) m->pending = u != 0;
#undef KEY
#undef TAKE_STR
                }
                p += len;
                if (*p == '\n')
                        p++;
        }
        if (!have_id || !have_mp)
                return -EBADMSG;
        if (m->subtype && !*m->subtype) {
                free(m->subtype);
                m->subtype = NULL;
        }
        return 0;
}

/* The sender of a record is a unique name on one bus daemon's run: a bus
 * started again hands the same names out anew.  So each file says which
 * run of the bus (its server id) its sender belongs to. */
static int append_bus_id(Context *c, char **text) {
        sd_id128_t id;
        size_t len = strlen(*text);

        if (!c->bus || sd_bus_get_bus_id(c->bus, &id) < 0)
                return 0;
        char *p = realloc(*text, len + sizeof "bus=\n" + 32);
        if (!p)
                return -ENOMEM;
        *text = p;
        snprintf(p + len, sizeof "bus=\n" + 32, "bus=" SD_ID128_FORMAT_STR "\n", SD_ID128_FORMAT_VAL(id));
        return 0;
}

/* Whether the file says its sender is of another run of the bus than ours
 * (a file without, of an older fused, cannot tell: false). */
static bool bus_id_other(Context *c, const char *text) {
        char want[sizeof "bus=\n" + 32];
        sd_id128_t id;

        if (!c->bus || sd_bus_get_bus_id(c->bus, &id) < 0)
                return false;
        const char *p = strncmp(text, "bus=", 4) == 0 ? text : strstr(text, "\nbus=");
        if (!p)
                return false;
        if (*p == '\n')
                p++;
        snprintf(want, sizeof want, "bus=" SD_ID128_FORMAT_STR "\n", SD_ID128_FORMAT_VAL(id));
        return strncmp(p, want, strlen(want)) != 0;
}

int state_save(Context *c, MountRecord *m) {
        _cleanup_free_ char *text = NULL;
        char name[32], tmp[40];
        int r;

        r = record_serialize(m, &text);
        if (r < 0)
                return r;
        r = append_bus_id(c, &text);
        if (r < 0)
                return r;
        snprintf(name, sizeof name, "%" PRIu64, m->id);
        snprintf(tmp, sizeof tmp, ".%s.tmp", name);
        _cleanup_close_ int fd = openat(c->state_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        size_t n = strlen(text);
        ssize_t k = write(fd, text, n);
        if (k != (ssize_t) n || renameat(c->state_fd, tmp, c->state_fd, name) < 0) {
                r = k < 0 || k == (ssize_t) n ? -errno : -ENOSPC;
                (void) unlinkat(c->state_fd, tmp, 0);
                return r;
        }
        /* Written: its file is named by its id (see record_refused()). */
        m->file_id = m->id;
        return 0;
}

void state_remove(Context *c, MountRecord *m) {
        char name[32];

        snprintf(name, sizeof name, "%" PRIu64, m->file_id ? m->file_id : m->id);
        (void) unlinkat(c->state_fd, name, 0);
}

void state_add(Context *c, MountRecord *m) {
        m->next = c->mounts;
        c->mounts = m;
        c->n_mounts++;
        if (m->id >= c->next_id)
                c->next_id = m->id + 1;
}

void state_unlink(Context *c, MountRecord *m) {
        for (MountRecord **p = &c->mounts; *p; p = &(*p)->next)
                if (*p == m) {
                        *p = m->next;
                        c->n_mounts--;
                        m->next = NULL;
                        return;
                }
}

/* The record of a mount, by its never-reused id if the kernel has one,
 * else by its id in its namespace. */
MountRecord *state_find_unique(Context *c, uint64_t ns_id, uint64_t mnt_id_unique, uint64_t mnt_id) {
        for (MountRecord *m = c->mounts; m; m = m->next) {
                if (mnt_id_unique && m->mnt_id_unique) {
                        if (m->mnt_id_unique == mnt_id_unique)
                                return m;
                } else if (m->mnt_id == mnt_id && (!ns_id || !m->ns_id || m->ns_id == ns_id))
                        return m;
        }
        return NULL;
}

int state_load(Context *c) {
        int dfd = fcntl(c->state_fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        rewinddir(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.') {
                        if (strstr(de->d_name, ".tmp"))
                                (void) unlinkat(c->state_fd, de->d_name, 0);
                        continue;
                }
                _cleanup_free_ char *text = NULL;
                _cleanup_close_ int fd = openat(c->state_fd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 || read_full_fd(fd, &text, 1024 * 1024) < 0)
                        continue;
                MountRecord *m = record_new();
                if (!m) {
                        closedir(d);
                        return -ENOMEM;
                }
                /* fused names its files by the record's id: anything else
                 * is not ours. */
                char *end;
                errno = 0;
                m->file_id = strtoull(de->d_name, &end, 10);
                if (errno != 0 || *end || m->file_id == 0 || record_parse(text, m) < 0) {
                        log_msg(LOG_WARNING, "Ignoring unreadable state file %s", de->d_name);
                        (void) unlinkat(c->state_fd, de->d_name, 0);
                        record_free(m);
                        continue;
                }
                /* Its owner's connection went with the bus it was on. */
                if (bus_id_other(c, text)) {
                        free(m->sender);
                        m->sender = NULL;
                }
                m = record_pack(m);
                if (!m) {
                        closedir(d);
                        return -ENOMEM;
                }
                state_add(c, m);
        }
        closedir(d);
        return 0;
}

/* Forget a mount: bus object, state file and memory.  The object goes
 * first: InterfacesRemoved lists the interfaces sd-bus still finds for the
 * path, which needs the record in the list. */
void state_drop(Context *c, MountRecord *m) {
        mount_object_remove(c, m);
        state_unlink(c, m);
        state_remove(c, m);
        record_free(m);
}

/* Kernels before 6.11 cannot statmount() another namespace: look for the
 * mount in the mountinfo of some process of its namespace (none left: the
 * namespace, and the mount, are gone).  1 exists, 0 gone, -errno unknown. */
static int mount_exists_fallback(Context *c, MountRecord *m) {
        _cleanup_free_ char *mi = NULL, *fstype = NULL, *mp = NULL;
        char p[64];
        pid_t pid;
        int r;

        if (m->ns_ino == 0)
                return -ENODATA;
        r = proc_find_ns_pid(c->proc_fd, m->ns_dev, m->ns_ino, &pid);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        snprintf(p, sizeof p, "%d/mountinfo", (int) pid);
        _cleanup_close_ int fd = openat(c->proc_fd, p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = read_full_fd(fd, &mi, 64 * 1024 * 1024);
        if (r < 0)
                return r;
        r = mountinfo_find(mi, m->mnt_id, &fstype, &mp, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        /* The same id on another mount means ours is gone (ids are reused). */
        return check_is_fuse_fstype(fstype) && strcmp(mp, m->mountpoint) == 0;
}

static bool record_same(const MountRecord *a, const MountRecord *b) {
        return a->id == b->id ||
               (a->mnt_id_unique && a->mnt_id_unique == b->mnt_id_unique && a->ns_id == b->ns_id);
}

/* Which of two records of one id or one mount to refuse: the one fused did
 * not write itself (its file is not named by its id), else the later. */
static bool record_refused(const MountRecord *m, const MountRecord *k) {
        bool m_own = m->file_id == m->id, k_own = k->file_id == k->id;

        if (m_own != k_own)
                return !m_own;
        if (m->id != k->id)
                return m->id > k->id;
        return m->file_id > k->file_id;
}

/* Two state files for one id (a copied file) or for one mount would make
 * one object appear twice and two owners claim a mount: keep one, refuse
 * the other, and say so. */
static int drop_duplicates(Context *c) {
        int dropped = 0;

        for (MountRecord *m = c->mounts, *next; m; m = next) {
                next = m->next;
                MountRecord *k;
                for (k = c->mounts; k; k = k->next)
                        if (k != m && record_same(m, k) && record_refused(m, k))
                                break;
                if (!k)
                        continue;
                log_msg(LOG_WARNING,
                        "Refusing state file %s/mounts/%" PRIu64 ": record id %" PRIu64 " for %s duplicates the "
                        "record of state file %" PRIu64 " (id %" PRIu64 "); removing it",
                        c->state_dir, m->file_id, m->id, m->mountpoint, k->file_id, k->id);
                /* One id is one object path: the record kept still has it. */
                if (m->id != k->id)
                        mount_object_remove(c, m);
                m->published = false;
                state_unlink(c, m);
                state_remove(c, m);
                record_free(m);
                dropped++;
        }
        return dropped;
}

/* Drop duplicate records and those of mounts that no longer exist, and
 * write the records that could not be written when their mount was made
 * (the state directory full or read-only then).  Returns how many were
 * dropped. */
int state_reconcile(Context *c) {
        int dropped = drop_duplicates(c);

        for (MountRecord *m = c->mounts; m; m = m->next)
                if (m->file_id == 0)
                        (void) state_save(c, m);

        for (MountRecord *m = c->mounts, *next; m; m = next) {
                next = m->next;
                if (m->unmounting)
                        continue;
                int r = mount_exists(m->ns_id, m->mnt_id_unique);
                if (r < 0)
                        r = mount_exists_fallback(c, m);
                if (r != 0)
                        continue;       /* exists, or we cannot tell: keep */
                log_msg(LOG_INFO, "Mount %s of uid %u is gone, dropping its record", m->mountpoint,
                        (unsigned) m->owner);
                state_drop(c, m);
                dropped++;
        }
        return dropped;
}
