// SPDX-License-Identifier: GPL-2.0-or-later
/* mount_max's count: the FUSE mounts of a whole mount namespace, never
 * only those under the caller's root (a caller in a chroot would see none
 * of its own mounts outside it and could make as many as it likes).
 *
 * fused counts in its main loop, at the moment it decides, from listmount()
 * and statmount() of the caller's namespace (6.11+ for a namespace other
 * than its own) starting at the namespace's root mount, which the check
 * worker reports: one loop, so concurrent requests cannot both squeeze
 * under the limit.  Where the kernel cannot do that, the check worker counts
 * in the namespace itself (listmount of its own namespace, 6.8+, else its
 * mountinfo from the namespace's root), and fused adds the mounts it
 * completed there since it started that worker: never too few, at worst
 * a few too many while many mounts race.
 *
 * The kernel formats a line of mountinfo for every mount on every read;
 * listmount costs one call, and a statmount for each mount not seen
 * before.  Unique mount ids are never reused, so what one id was found to
 * be stays true. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fused.h"
#include "kernel-abi.h"

typedef struct MountClass {
        uint64_t id;
        bool fuse;              /* a FUSE mount */
        bool user;              /* with a user_id other than 0 */
} MountClass;

/* What the mounts of the last few namespaces asked about were: enough for
 * the callers of a host and some containers at once (a namespace pushed out
 * costs a statmount per mount when it comes back), and gone with the mounts
 * (each listing replaces its namespace's array). */
typedef struct SeenMounts {
        uint64_t ns_id, root_id;
        uint64_t last_used;
        MountClass *m;
        size_t n;
} SeenMounts;

#define SEEN_MAX 16
#define LIST_MAX (1u << 20)
static SeenMounts seen[SEEN_MAX];
static uint64_t seen_clock;

/* Whether this kernel lists another namespace (-1 not known yet), and its
 * own (in a worker). */
static int other_ns_ok = -1;
static bool own_ns_unsupported;

/* An errno that means this kernel cannot answer so. */
static bool unsupported_errno(int e) {
        return e == ENOSYS || e == E2BIG || e == EOPNOTSUPP || e == EINVAL;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int cmp_class(const void *a, const void *b) {
        return cmp_u64(&((const MountClass *) a)->id, &((const MountClass *) b)->id);
}

/* Every mount below root (not root itself) in namespace ns_id (0: ours),
 * sorted. */
static int list_mounts(uint64_t ns_id, uint64_t root_id, uint64_t **ret, size_t *ret_n) {
        size_t alloc = 256, n = 0;
        _cleanup_free_ uint64_t *ids = malloc(alloc * sizeof *ids);
        /* Our own namespace in the first version of the request, which
         * every kernel with listmount takes. */
        MntIdReq req = { .size = ns_id ? sizeof req : offsetof(MntIdReq, mnt_ns_id), .mnt_id = root_id,
                         .mnt_ns_id = ns_id };

        if (!ids)
                return -ENOMEM;
        for (;;) {
                if (alloc - n < 64) {
                        if (alloc >= LIST_MAX)
                                return -E2BIG;
                        uint64_t *p = realloc(ids, alloc * 2 * sizeof *ids);
                        if (!p)
                                return -ENOMEM;
                        ids = p;
                        alloc *= 2;
                }
                size_t want = alloc - n;
                long k = syscall(__NR_listmount, &req, ids + n, want, 0);
                if (k < 0)
                        return unsupported_errno(errno) ? -EOPNOTSUPP : -errno;
                n += (size_t) k;
                if ((size_t) k < want)
                        break;
                req.param = ids[n - 1];         /* continue after the last one */
        }
        qsort(ids, n, sizeof *ids, cmp_u64);
        *ret = TAKE_PTR(ids);
        *ret_n = n;
        return 0;
}

static int statmount_ns(uint64_t ns_id, uint64_t id, uint64_t what, uint64_t *buf, size_t size) {
        int r = statmount_get(ns_id, id, what, buf, size);

        if (r == -ENODATA || (r < 0 && r != -ENOENT && unsupported_errno(-r)))
                return -EOPNOTSUPP;
        return r;
}

/* What mount id is; -ENOENT if it is gone.  The type first: a big option
 * string of some other filesystem must not stop the count. */
static int classify(uint64_t ns_id, uint64_t id, MountClass *ret) {
        static uint64_t buf[1024];
        StatmountHead *sm = (StatmountHead *) buf;
        int r;

        r = statmount_ns(ns_id, id, STATMOUNT_FS_TYPE_, buf, sizeof buf);
        if (r < 0)
                return r;
        ret->fuse = check_is_fuse_fstype(sm->str + sm->fs_type);
        ret->user = false;
        if (!ret->fuse)
                return 0;
        r = statmount_ns(ns_id, id, STATMOUNT_FS_TYPE_ | STATMOUNT_MNT_OPTS_, buf, sizeof buf);
        if (r < 0)
                return r;
        const char *opts = sm->str + sm->mnt_opts;
        ret->user = mount_options_user_id(opts, strlen(opts)) > 0;
        return 0;
}

static SeenMounts *seen_slot(uint64_t ns_id, uint64_t root_id, MountClass **ret_old, size_t *ret_n_old) {
        SeenMounts *victim = &seen[0];

        for (size_t i = 0; i < SEEN_MAX; i++) {
                if (seen[i].m && seen[i].ns_id == ns_id && seen[i].root_id == root_id) {
                        *ret_old = seen[i].m;
                        *ret_n_old = seen[i].n;
                        return &seen[i];
                }
                if (!seen[i].m || (victim->m && seen[i].last_used < victim->last_used))
                        victim = &seen[i];
        }
        *ret_old = NULL;
        *ret_n_old = 0;
        return victim;
}

/* The count from the namespace's root mount down.  list_ns is the id to
 * list in (0: ours); cache_ns the namespace's own id for the cache (0:
 * none known, no cache). */
static int count_listed(uint64_t list_ns, uint64_t cache_ns, uint64_t root_id, bool every, unsigned *ret) {
        _cleanup_free_ uint64_t *ids = NULL;
        size_t n_ids = 0;
        int r = list_mounts(list_ns, root_id, &ids, &n_ids);
        if (r < 0)
                return r;

        MountClass *old = NULL;
        size_t n_old = 0;
        SeenMounts *slot = cache_ns ? seen_slot(cache_ns, root_id, &old, &n_old) : NULL;
        _cleanup_free_ MountClass *now = malloc((n_ids + 1) * sizeof *now);
        size_t n_now = 0;
        unsigned count = 0;
        if (!now)
                return -ENOMEM;
        for (size_t i = 0; i <= n_ids; i++) {
                MountClass key = { .id = i < n_ids ? ids[i] : root_id };
                const MountClass *known = old ? bsearch(&key, old, n_old, sizeof *old, cmp_class) : NULL;
                if (known)
                        key = *known;
                else {
                        r = classify(list_ns, key.id, &key);
                        if (r == -ENOENT)
                                continue;       /* unmounted meanwhile */
                        if (r < 0)
                                return r;
                }
                count += key.fuse && (every || key.user);
                now[n_now++] = key;
        }
        if (slot) {
                qsort(now, n_now, sizeof *now, cmp_class);
                free(slot->m);
                *slot = (SeenMounts) { .ns_id = cache_ns, .root_id = root_id, .last_used = ++seen_clock,
                                       .m = TAKE_PTR(now), .n = n_now };
        }
        *ret = count;
        return 0;
}

bool count_needs_worker(void) {
        return other_ns_ok != 1;
}

int count_ns_fuse_mounts(uint64_t ns_id, uint64_t root_id, bool every, unsigned *ret) {
        if (other_ns_ok == 0 || ns_id == 0 || root_id == 0)
                return -EOPNOTSUPP;
        int r = count_listed(ns_id, ns_id, root_id, every, ret);
        if (r == -EOPNOTSUPP)
                other_ns_ok = 0;
        else if (r >= 0)
                other_ns_ok = 1;
        return r;
}

/* The whole namespace's mountinfo, seen from its root, where we are. */
static int count_from_mountinfo(int proc_fd, bool every, unsigned *ret) {
        _cleanup_free_ char *mi = NULL;
        _cleanup_close_ int fd = openat(proc_fd, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        int r = read_full_fd(fd, &mi, 64 * 1024 * 1024);
        if (r < 0)
                return r;
        return count_fuse_mounts(mi, every, ret);
}

int ns_root_mount_id(uint64_t *ret) {
        struct statx sx;

        if (statx(AT_FDCWD, "/", AT_STATX_DONT_SYNC, STATX_MNT_ID_UNIQUE_, &sx) < 0)
                return -errno;
        if (!(sx.stx_mask & STATX_MNT_ID_UNIQUE_))
                return -EOPNOTSUPP;
        *ret = sx.stx_mnt_id;
        return 0;
}

int count_here_fuse_mounts(int proc_fd, uint64_t ns_id, bool every, unsigned *ret) {
        uint64_t root_id;
        int r = own_ns_unsupported ? -EOPNOTSUPP : ns_root_mount_id(&root_id);

        if (r >= 0)
                r = count_listed(0, ns_id, root_id, every, ret);
        if (r == -EOPNOTSUPP) {
                own_ns_unsupported = true;
                return count_from_mountinfo(proc_fd, every, ret);
        }
        return r;
}
