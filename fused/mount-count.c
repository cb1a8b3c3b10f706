/* mount_max's count without mountinfo: the FUSE mounts of users other than
 * root that a caller sees, as fusermount3 counts them in its mountinfo,
 * from listmount() and statmount() (6.11+ for another namespace).  The
 * kernel formats a line of mountinfo for every mount on every request;
 * here a request costs a statx and a listmount, and a statmount for each
 * mount not seen before.  Unique mount ids are never reused, so what one
 * id was found to be stays true. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fused.h"
#include "kernel-abi.h"


typedef struct MountClass {
        uint64_t id;
        bool user_fuse;
} MountClass;

/* What the mounts of the last few (namespace, root) pairs asked about were:
 * enough for the callers of a host and some containers at once (a pair
 * pushed out costs a statmount per mount when it comes back), and gone
 * with the mounts (each listing replaces its pair's array). */
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
static bool unsupported;

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int cmp_class(const void *a, const void *b) {
        return cmp_u64(&((const MountClass *) a)->id, &((const MountClass *) b)->id);
}

/* An errno that means this kernel cannot answer so: mountinfo then. */
static int not_supported(int e) {
        if (e == ENOSYS || e == E2BIG || e == EOPNOTSUPP) {
                unsupported = true;
                return -EOPNOTSUPP;
        }
        return -e;
}

/* Every mount below root (not root itself) in the namespace, sorted. */
static int list_mounts(uint64_t ns_id, uint64_t root_id, uint64_t **ret, size_t *ret_n) {
        size_t alloc = 256, n = 0;
        _cleanup_free_ uint64_t *ids = malloc(alloc * sizeof *ids);
        MntIdReq req = { .size = sizeof req, .mnt_id = root_id, .mnt_ns_id = ns_id };

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
                        return not_supported(errno);
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

        if (r == -ENODATA)
                return -EOPNOTSUPP;
        if (r == -ENOENT || r >= 0)
                return r;
        return not_supported(r == -EINVAL ? EOPNOTSUPP : -r);
}

/* 1 if a FUSE mount with a user_id other than 0, 0 if not, -ENOENT if it
 * is gone.  The type first: a big option string of some other filesystem
 * must not stop the count. */
static int classify(uint64_t ns_id, uint64_t id) {
        static uint64_t buf[1024];
        StatmountHead *sm = (StatmountHead *) buf;
        int r;

        r = statmount_ns(ns_id, id, STATMOUNT_FS_TYPE_, buf, sizeof buf);
        if (r < 0)
                return r;
        if (!check_is_fuse_fstype(sm->str + sm->fs_type))
                return 0;
        r = statmount_ns(ns_id, id, STATMOUNT_FS_TYPE_ | STATMOUNT_MNT_OPTS_, buf, sizeof buf);
        if (r < 0)
                return r;
        const char *opts = sm->str + sm->mnt_opts;
        return mount_options_user_id(opts, strlen(opts)) > 0;
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

int count_caller_fuse_mounts(int proc_fd, pid_t pid, uint64_t ns_id, unsigned *ret) {
        char p[32];
        struct statx sx;
        int r;

        if (unsupported || ns_id == 0)
                return -EOPNOTSUPP;
        /* mountinfo shows what is reachable from the process's root: the
         * mounts listmount gives below the root's mount, and that mount
         * itself.  A root inside a mount (chroot into a directory) hides
         * part of it: mountinfo then. */
        snprintf(p, sizeof p, "%d/root", (int) pid);
        if (statx(proc_fd, p, AT_STATX_DONT_SYNC, STATX_MNT_ID_UNIQUE_, &sx) < 0)
                return -errno;
        if (!(sx.stx_mask & STATX_MNT_ID_UNIQUE_) || !(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT_) ||
            !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT_))
                return -EOPNOTSUPP;
        uint64_t root_id = sx.stx_mnt_id;

        _cleanup_free_ uint64_t *ids = NULL;
        size_t n_ids = 0;
        r = list_mounts(ns_id, root_id, &ids, &n_ids);
        if (r < 0)
                return r;

        MountClass *old;
        size_t n_old;
        SeenMounts *slot = seen_slot(ns_id, root_id, &old, &n_old);
        _cleanup_free_ MountClass *now = malloc((n_ids + 1) * sizeof *now);
        size_t n_now = 0;
        unsigned count = 0;
        if (!now)
                return -ENOMEM;
        for (size_t i = 0; i <= n_ids; i++) {
                MountClass key = { .id = i < n_ids ? ids[i] : root_id };
                const MountClass *known = old ? bsearch(&key, old, n_old, sizeof *old, cmp_class) : NULL;
                if (known)
                        key.user_fuse = known->user_fuse;
                else {
                        r = classify(ns_id, key.id);
                        if (r == -ENOENT)
                                continue;       /* unmounted meanwhile */
                        if (r < 0)
                                return r;
                        key.user_fuse = r > 0;
                }
                count += key.user_fuse;
                now[n_now++] = key;
        }
        qsort(now, n_now, sizeof *now, cmp_class);
        free(slot->m);
        *slot = (SeenMounts) { .ns_id = ns_id, .root_id = root_id, .last_used = ++seen_clock,
                               .m = TAKE_PTR(now), .n = n_now };
        *ret = count;
        return 0;
}
