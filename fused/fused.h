/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fused internal header: the types and functions shared by the files of the
 * daemon, grouped by the file that defines them.  Nothing here is public. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/types.h>
#include <syslog.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "fused-protocol.h"

/* ---- util.c ------------------------------------------------------------ */

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) { free(*(void **) p); }
static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline int take_fd(int *fd) {
        int r = *fd;
        *fd = -1;
        return r;
}
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

int read_full_file(const char *path, char **ret, size_t max);
int read_full_fd(int fd, char **ret, size_t max);
int pidfd_open_pid(pid_t pid);
int pidfd_alive(int pidfd);
int close_all_but(const int *keep, size_t n);
bool fd_in_list(int fd, const int *v, size_t n);
int proc_start_time(int proc_fd, pid_t pid, uint64_t *ret);
char *escape_commas(const char *s);

/* Mount ids and namespaces, with the constants newer than our headers. */
int fd_mount_id(int fd, uint64_t *ret_id, uint64_t *ret_unique, bool *ret_is_root);
/* statmount() of one mount (by unique id) of a namespace (0: ours) into
 * buf, its strings NUL-terminated within it: 0, -errno of the call, or
 * -ENODATA if the kernel did not fill in all of mask. */
int statmount_get(uint64_t ns_id, uint64_t id, uint64_t mask, uint64_t *buf, size_t size);
int mount_exists(uint64_t ns_id, uint64_t unique_id);
int mount_fs_info(uint64_t unique_id, char *fstype, size_t n, long *ret_user_id);
bool fd_is_symlink(int fd);
int proc_find_ns_pid(int proc_fd, dev_t dev, ino_t ino, pid_t *ret);

/* ---- options.c ---------------------------------------------------------- */

typedef struct MountOptions {
        char *fsname;           /* source shown in mountinfo; NULL: "fuse" */
        char *subtype;          /* NULL: none */
        char *normalized;       /* the accepted options, canonical, for display */
        bool ro, sync, dirsync, lazytime;
        bool noexec;
        unsigned atime;         /* MOUNT_ATTR_RELATIME etc., 0 = default */
        bool nodiratime;
        bool allow_other;       /* allow_other or allow_root asked */
        bool allow_root;
        bool default_permissions;
        bool suid, dev, blkdev; /* unsafe: need polkit for non-root */
        bool auto_unmount;      /* the option "auto_unmount" */
        uint32_t max_read, blksize;
} MountOptions;

/* The reasons options_parse() refuses, for the error message. */
typedef enum OptionsError {
        OPTIONS_OK,
        OPTIONS_TOO_LONG,       /* the string or a value is over a limit */
        OPTIONS_SYNTAX,         /* empty option, bad escape */
        OPTIONS_UNKNOWN,        /* not in the safe set */
        OPTIONS_RESERVED,       /* fd, rootmode, user_id, group_id */
        OPTIONS_BAD_VALUE,      /* e.g. max_read=abc, fsname with control chars */
        OPTIONS_NEEDS_BLKDEV,   /* blksize= without blkdev */
} OptionsError;

int options_parse(const char *s, MountOptions *ret, OptionsError *ret_err, char **ret_bad);
void options_done(MountOptions *o);
/* The mount's source as mountinfo shows it: fsname, else subtype, else "fuse". */
const char *options_source(const MountOptions *o);
bool options_unsafe(const MountOptions *o);
bool options_need_allow_other(const MountOptions *o);
const char *options_error_string(OptionsError e);

/* ---- conf.c ------------------------------------------------------------- */

typedef struct FuseConf {
        unsigned mount_max;
        bool user_allow_other;
} FuseConf;

typedef void (*conf_warn_t)(unsigned line, const char *text, void *userdata);
void conf_parse(const char *text, FuseConf *ret, conf_warn_t warn, void *userdata);
int conf_load(const char *path, FuseConf *ret, conf_warn_t warn, void *userdata);
/* The same, read again only when stat says the file changed. */
int conf_get(const char *path, FuseConf *ret, conf_warn_t warn, void *userdata);

/* ---- checks.c ----------------------------------------------------------- */

typedef enum CheckError {
        CHECK_OK,
        CHECK_NOT_DIR_OR_FILE,
        CHECK_STICKY,
        CHECK_NO_WRITE,
        CHECK_FSTYPE,
        CHECK_SYMLINK,
        CHECK_FD_MISMATCH,
} CheckError;

bool check_fstype_allowed(long f_type);
int check_mountpoint_mode(mode_t mode, uid_t owner, uid_t caller, CheckError *why);
int check_is_fuse_fstype(const char *fstype);
int count_user_fuse_mounts(const char *mountinfo, unsigned *ret);
/* The same, or every FUSE mount of the mountinfo if every. */
int count_fuse_mounts(const char *mountinfo, bool every, unsigned *ret);
long mount_options_user_id(const char *options, size_t len);
int mountinfo_find(const char *mountinfo, uint64_t mnt_id, char **ret_fstype,
                   char **ret_mountpoint, long *ret_user_id);
const char *check_error_string(CheckError e);

/* ---- mount-count.c ------------------------------------------------------ */

/* mount_max's count of a whole mount namespace: the FUSE mounts in it,
 * every one if every, else those whose user_id is not 0 (see fused(8)).
 * In fused, of namespace ns_id from its root mount root_id: -EOPNOTSUPP
 * where the kernel cannot list another namespace. */
int count_ns_fuse_mounts(uint64_t ns_id, uint64_t root_id, bool every, unsigned *ret);
/* Whether fused cannot (or does not know yet whether it can) count that
 * way: then the check worker counts. */
bool count_needs_worker(void);
/* In a worker that entered the namespace and whose root is still the
 * namespace's: the same count from in there (ns_id 0 if unknown). */
int count_here_fuse_mounts(int proc_fd, uint64_t ns_id, bool every, unsigned *ret);
/* The unique id of the mount at our root (6.8+). */
int ns_root_mount_id(uint64_t *ret);

/* ---- caller (caller.c) -------------------------------------------------- */

#define FUSED_GROUPS_MAX 256

typedef struct Caller {
        char *sender;           /* unique bus name */
        uid_t uid;
        gid_t gid;              /* primary group as far as the bus tells */
        pid_t pid;
        int pidfd;
        uint64_t start_time;    /* the pinned process's, to know it again */
        gid_t *gids;
        size_t n_gids;
} Caller;

int caller_from_message(sd_bus_message *m, int proc_fd, Caller *ret);
void caller_done(Caller *c);
void caller_forget(const char *sender);
bool caller_connected(const char *sender);

/* ---- worker.c: forked children that do what touches caller's files ---- */

/* What a worker sends back: fixed size, plus at most one fd. */
typedef struct WorkerReply {
        int error;              /* 0 or -errno */
        int check;              /* CheckError for a refusal */
        mode_t mode;
        uid_t owner;
        long f_type;
        dev_t dev;
        ino_t ino;
        uint64_t mnt_id, mnt_id_unique;
        uint64_t ns_id;
        dev_t ns_dev;
        ino_t ns_ino;
        long user_id;           /* of the found FUSE mount, -1 if none */
        char fstype[64];
        char message[256];      /* kernel's word on a failed mount */
        char path[4096];        /* the mountpoint's canonical path, from the root of
                                 * its mount namespace (never the caller's root) */
        bool view_denied;       /* the caller's own rights do not open the namespace
                                 * and root of the process its pid names now */
        bool ns_foreign;        /* the namespace is owned by a user namespace other
                                 * than fused's: the mount's superblock is owned by it */
        uint64_t ns_root_id;    /* the namespace's root mount (unique id), 0 if unknown */
        bool counted;           /* ns_fuse_count is set */
        unsigned ns_fuse_count; /* mount_max's count over the whole namespace */
        bool worker_exits;      /* the child could not reset itself: not to be reused */
        bool acted;             /* a two-phase job that needed no decision and did
                                 * phase two at once: this reply is its last */
} WorkerReply;

typedef struct Worker Worker;
typedef struct Context Context;
typedef int (*worker_fn_t)(void *userdata, WorkerReply *reply, int *ret_fd);
typedef void (*worker_done_t)(Context *c, int r, WorkerReply *reply, int fd, void *userdata);

/* The parent's word to a two-phase worker waiting after its first reply. */
typedef struct WorkerGo {
        bool go;
        bool allow_unsafe;      /* Mount: suid/dev/blkdev granted */
} WorkerGo;
/* Phase two: kept_fd is the fd phase one returned (the child keeps a copy). */
typedef int (*worker_fn2_t)(void *userdata, const WorkerGo *go, int kept_fd, WorkerReply *reply, int *ret_fd);

/* A job's arguments are plain data (no pointers: the child gets a copy of
 * the bytes), at most WORKER_JOB_MAX of them; the fds they name (at most
 * WORKER_FDS_MAX, negative ones skipped) are listed in keep and have the
 * same numbers in the child. */
#define WORKER_JOB_MAX 16384u
#define WORKER_FDS_MAX 8u
/* What fused sends a child for a job, followed by the arguments. */
typedef struct JobHeader {
        worker_fn_t fn;         /* valid in the child: it is a fork of us */
        worker_fn2_t fn2;
        uint32_t size;
        uint32_t n_fds;
        int fds[WORKER_FDS_MAX];        /* the numbers the arguments use */
} JobHeader;

int worker_spawn(Context *c, worker_fn_t fn, const void *fn_data, size_t size, const int *keep, size_t n_keep,
                 worker_done_t done, void *userdata, Worker **ret);
/* fn, reply to done, then (if fn succeeded) the child waits, for at most
 * the worker timeout in all, for worker_continue() to run fn2 or for
 * worker_free() to end it.  *ret stays valid until done is called with a
 * failure, or until worker_continue() succeeds (then the worker belongs to
 * that flow) or worker_free(). */
int worker_spawn2(Context *c, worker_fn_t fn, worker_fn2_t fn2, const void *fn_data, size_t size,
                  const int *keep, size_t n_keep, worker_done_t done, void *userdata, Worker **ret);
/* -ECHILD if the worker is no longer waiting (timed out, died): start a
 * new one. */
int worker_continue(Worker *w, const WorkerGo *go, worker_done_t done, void *userdata);
Worker *worker_free(Worker *w);
/* In a worker: die with fused again (every change of credentials clears
 * the parent-death signal); -ESRCH if fused is gone already. */
int worker_keep_parent(void);
/* The child's life: jobs from sock until it closes (worker-child.c). */
_Noreturn void worker_child_start(Context *c, int sock, pid_t parent);

/* ---- sandbox.c ---------------------------------------------------------- */

int sandbox_enter(void);

/* ---- mount-ns.c: what the worker children run --------------------------- */

typedef struct NsTarget {
        int pidfd;              /* caller pinned; -1 if ns_fd is used */
        pid_t pid;
        int ns_fd;              /* a mount namespace fused holds (auto-unmount), or -1 */
        int proc_fd;            /* fused's /proc */
        uid_t uid;
        gid_t gid;
        size_t n_gids;
        gid_t gids[FUSED_GROUPS_MAX];
        dev_t expect_ns_dev;    /* with expect_ns_ino: the namespace an earlier phase */
        ino_t expect_ns_ino;    /* checked, which this job must find again (0: any) */
        bool count_mounts;      /* count the namespace's FUSE mounts for mount_max */
        /* Set by the worker child in its own copy (see enter_view()): */
        int view_ns;            /* the caller's mount namespace and root, */
        int view_root;          /* opened with the caller's own credentials */
        int ns_root;            /* the namespace's root directory */
        int userns;             /* the user namespace owning it, if not fused's; else -1 */
        int ids_sock;           /* made as the caller: SO_PEERCRED maps its ids into userns */
} NsTarget;

/* The workers' arguments are plain data (see worker_spawn). */
typedef struct ResolveArgs {
        NsTarget t;
        char path[PATH_MAX];
        int given_fd;           /* the caller's mountpoint fd, or -1 */
        bool for_unmount;
        /* Unmount, set by the child: the pinned parent directory and the
         * name in it, which the unmount uses without looking up a path. */
        int parent_fd;
        char base[NAME_MAX + 1];
} ResolveArgs;

typedef struct MountArgs {
        NsTarget t;
        int target_fd;          /* pinned mountpoint */
        int fuse_fd;            /* /dev/fuse, opened in fused's namespace */
        MountOptions o;         /* its flags; its strings are these: */
        char source[FUSED_NAME_MAX + 1];
        char subtype[FUSED_NAME_MAX + 1];       /* "" for none */
        mode_t rootmode;
        uid_t user_id;
        gid_t group_id;
        bool allow_unsafe;      /* suid/dev granted */
        uint64_t ns_id;         /* the namespace's ids if known already, else 0 */
        dev_t ns_dev;
        ino_t ns_ino;
} MountArgs;

typedef struct UmountArgs {
        NsTarget t;
        char path[PATH_MAX];    /* as the caller named it from its root; from the
                                 * namespace's root when t.ns_fd is fused's */
        bool lazy;
        uint64_t expect_id;     /* the mount checked before; with expect_unique */
        uint64_t expect_unique; /* 0 too: unknown, take the FUSE mount at path if it
                                 * is owner's (a pending record's) */
        uid_t owner;
} UmountArgs;

/* Fill in the plain-data copies; -ENAMETOOLONG rather than cut a string. */
int ns_target_set_groups(NsTarget *t, const gid_t *gids, size_t n);
/* The parts of a target the parent sets (the rest the child fills in). */
void ns_target_init(NsTarget *t, int pidfd, pid_t pid, int ns_fd, int proc_fd, uid_t uid, gid_t gid);
int mount_args_set_options(MountArgs *a, const MountOptions *o);
int ns_set_path(char dst[PATH_MAX], const char *src);

int ns_resolve(void *userdata, WorkerReply *reply, int *ret_fd);
int ns_mount(void *userdata, WorkerReply *reply, int *ret_fd);
int ns_umount(void *userdata, WorkerReply *reply, int *ret_fd);

/* One worker for check and act: resolve as the caller (phase one), then,
 * when fused has decided, mount or unmount (phase two).  Saves a fork and a
 * round trip per request; every check is the same as with two workers. */
typedef struct MountPlan {
        ResolveArgs r;
        MountArgs m;            /* target_fd, rootmode, allow_unsafe: filled in by the phases */
        int fuse_fd;
} MountPlan;

typedef struct UmountPlan {
        ResolveArgs r;
        UmountArgs u;           /* path and expected ids: what phase one found */
} UmountPlan;

int ns_mount_check(void *userdata, WorkerReply *reply, int *ret_fd);
int ns_mount_act(void *userdata, const WorkerGo *go, int kept_fd, WorkerReply *reply, int *ret_fd);
int ns_umount_check(void *userdata, WorkerReply *reply, int *ret_fd);
int ns_umount_act(void *userdata, const WorkerGo *go, int kept_fd, WorkerReply *reply, int *ret_fd);

/* ---- polkit.c ----------------------------------------------------------- */

typedef struct PolkitDetails {
        const char *mountpoint, *fstype, *subtype, *options;
        const char *ns_kind;    /* "host", "other" or "user": see fused(8) */
        uid_t uid;
} PolkitDetails;

/* r: 1 authorized, 0 not (challenge: auth was possible but not done),
 * -EHOSTDOWN polkitd not there, -EBUSY the bus's limit of pending calls,
 * other -errno: failed (deny). */
typedef void (*polkit_done_t)(Context *c, int r, bool challenge, void *userdata);
int polkit_check(Context *c, const Caller *caller, const char *action, const PolkitDetails *d,
                 bool interactive, polkit_done_t done, void *userdata, sd_bus_slot **ret_slot);
int polkit_watch(Context *c);
void polkit_cache_flush(void);

/* ---- state.c ------------------------------------------------------------ */

typedef struct MountRecord {
        uint64_t id;
        uint64_t file_id;       /* the name of its state file; 0: not loaded from one */
        char *object_path;
        char *mountpoint;
        char *fsname, *subtype, *options;
        uid_t owner;
        pid_t pid;
        uint64_t created_usec;
        bool auto_unmount;
        char *sender;           /* for auto-unmount */
        uint64_t mnt_id, mnt_id_unique, ns_id;
        dev_t ns_dev;
        ino_t ns_ino;
        int ns_fd;              /* its mount namespace, kept for auto-unmount only */
        bool unmounting;
        bool unmount_retry;     /* auto-unmount failed to start or failed: try again */
        unsigned unmount_attempts;
        bool published;         /* on the bus as an object */
        bool pending;           /* written before the mount is made, replaced
                                 * before the caller gets the fd: found at start,
                                 * its mount (if any) is one nobody can serve */
        bool packed;            /* the strings point into strings[]: not freed or replaced one by one */
        struct MountRecord *next;
        char strings[];         /* record_new_packed(): object_path, mountpoint, ... */
} MountRecord;

/* A record whose strings are each malloc'ed (for record_parse()). */
MountRecord *record_new(void);
/* A record and its strings (object path made from id) in one allocation,
 * as fused keeps them; subtype may be NULL. */
MountRecord *record_new_packed(uint64_t id, const char *mountpoint, const char *fsname, const char *subtype,
                               const char *options, const char *sender);
/* The packed copy of m, which is freed (its fds move to the copy); NULL
 * and m freed when out of memory. */
MountRecord *record_pack(MountRecord *m);
MountRecord *record_free(MountRecord *m);
int state_save(Context *c, MountRecord *m);
void state_remove(Context *c, MountRecord *m);
int state_load(Context *c);
void state_add(Context *c, MountRecord *m);
void state_unlink(Context *c, MountRecord *m);
void state_drop(Context *c, MountRecord *m);
MountRecord *state_find_unique(Context *c, uint64_t ns_id, uint64_t mnt_id_unique, uint64_t mnt_id);
int state_reconcile(Context *c);
int record_serialize(const MountRecord *m, char **ret);
int record_parse(const char *text, MountRecord *ret);

/* ---- mount-object.c ----------------------------------------------------- */

int mount_objects_register(Context *c);
int mount_object_path(MountRecord *m);
int mount_object_add(Context *c, MountRecord *m);
void mount_object_remove(Context *c, MountRecord *m);
int mount_list_append(Context *c, sd_bus_message *reply);

/* ---- request-args.c: Mount's and Unmount's arguments -------------------- */

/* At most this many entries in a flags dict. */
#define REQUEST_ARGS_FLAGS_MAX 16u

/* Why request_args_read_*() refuses, for the handler's error message. */
typedef enum RequestArgsError {
        REQUEST_ARGS_OK,
        REQUEST_ARGS_MALFORMED,         /* the strings before the flags are missing */
        REQUEST_ARGS_FLAG_UNKNOWN,
        REQUEST_ARGS_FLAG_TOO_MANY,     /* more than REQUEST_ARGS_FLAGS_MAX */
        REQUEST_ARGS_FLAG_TYPE,         /* no a{sv}, or a flag's value of another type */
        REQUEST_ARGS_PATH_INVALID,      /* not absolute, or PATH_MAX bytes or more */
} RequestArgsError;

typedef struct RequestArgs {
        char *path;             /* at most PATH_MAX bytes as asked; once valid, without trailing slashes */
        const char *options;    /* Mount: points into the message */
        int mountpoint_fd;      /* Mount: a copy of the caller's mountpoint-fd, or -1 */
        bool auto_unmount;      /* Mount: the flag, not the option */
        bool lazy;              /* Unmount */
} RequestArgs;

#define REQUEST_ARGS_INIT { .mountpoint_fd = -1 }

/* 0; -ENOMEM; or -EINVAL with *ret_err saying why.  Refused or not, *ret
 * holds what was read (the path as asked, for the log) and is to be given
 * to request_args_done(). */
int request_args_read_mount(sd_bus_message *m, RequestArgs *ret, RequestArgsError *ret_err);
int request_args_read_unmount(sd_bus_message *m, RequestArgs *ret, RequestArgsError *ret_err);
void request_args_done(RequestArgs *a);

/* ---- manager.c ---------------------------------------------------------- */

int manager_add(Context *c);

/* ---- auto-unmount.c ----------------------------------------------------- */

int auto_unmount_watch(Context *c);
void auto_unmount(Context *c, MountRecord *m, const char *why);
int auto_unmount_check_owner(Context *c, MountRecord *m);
void auto_unmount_retry_later(Context *c, MountRecord *m, int r);

/* ---- memory.c ---------------------------------------------------------- */

/* A request ended or a mount went: return the heap's free pages to the
 * kernel shortly (one trim for a burst). */
void context_trim_later(Context *c);
/* First thing in main(): malloc settings that keep big buffers out of the
 * heap. */
void memory_setup(void);

/* ---- log.c -------------------------------------------------------------- */

typedef struct LogRequest {
        const char *method;
        uid_t uid;
        pid_t pid;
        const char *mountpoint;
        const char *options;
        const char *verdict;    /* "allow", "deny", "error" */
        const char *reason;
} LogRequest;

void log_request(const LogRequest *l);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_errno(int prio, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- main.c: the daemon's state ---------------------------------------- */

typedef struct UidCount {
        uid_t uid;
        unsigned n;
} UidCount;

struct Context {
        sd_event *event;
        sd_bus *bus;
        char *config_path;
        char *state_dir;
        int proc_fd;
        int state_fd;           /* state_dir/mounts */
        MountRecord *mounts;
        unsigned n_mounts;
        uint64_t next_id;
        unsigned mounts_in_flight;      /* reservations against mount_max */
        UidCount *requests;     /* in flight per uid */
        size_t n_requests;
        unsigned total_requests;
        Worker *workers;
        sd_event_source *retry_timer;   /* auto-unmounts to try again */
        sd_event_source *trim_timer;    /* give freed heap back (context_trim_later) */
        unsigned fd_limit;      /* soft RLIMIT_NOFILE */
        dev_t host_ns_dev;      /* PID 1's mount namespace, for polkit's */
        ino_t host_ns_ino;      /* "namespace" detail (0: unknown) */
};

/* Requests in flight, all uids together.  Each may have a forked worker
 * and one pending polkit call, and dbus-daemon lets a connection have 128
 * calls pending (max_replies_per_connection): below that, with room for
 * fused's own calls, so that a full service answers TooManyRequests itself
 * rather than having the bus refuse its polkit checks. */
#define FUSED_REQUESTS_TOTAL_MAX 112u

/* 0, -EUSERS over the per-uid limit, -EBUSY over the total, -ENOMEM. */
int context_request_begin(Context *c, uid_t uid);
void context_request_end(Context *c, uid_t uid);
int context_fd_headroom(Context *c, unsigned *ret_open);
