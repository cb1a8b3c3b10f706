// SPDX-License-Identifier: GPL-2.0-or-later
/* org.freedesktop.fuse1.Manager: thin method handlers.  Each request runs
 * read → validate → identify the caller → check the mountpoint (worker) →
 * polkit → act (worker) → reply, with every failure mapped to one named
 * error whose message says what to do, and one log line per request. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fused.h"

/* One Mount or Unmount call, from the message to the reply. */
typedef struct Request {
        Context *c;
        const char *method;
        sd_bus_message *msg;
        Caller caller;
        bool counted;           /* against the per-uid limit */
        bool interactive;       /* the message allows interactive auth */
        char *path;             /* as asked, then the canonical one (from the namespace's root) */
        char *asked_path;       /* as asked, from the caller's root */
        MountOptions opts;
        bool have_opts;
        bool auto_unmount;
        bool lazy;
        int given_fd;           /* the caller's mountpoint-fd */
        int target_fd;          /* the mountpoint, pinned by the resolve worker */
        WorkerReply resolved;   /* what the resolve worker found */
        FuseConf conf;
        bool reserved;          /* one of c->mounts_in_flight */
        uint64_t first_new_id;  /* c->next_id when the check worker started */
        bool allow_unsafe;      /* suid/dev/blkdev granted */
        const char *actions[3]; /* polkit actions still to ask, in order */
        size_t n_actions, next_action;
        uid_t owner;            /* Unmount: whose mount it is */
        Worker *worker;         /* the check worker, waiting to act */
        MountRecord *pending;   /* on disk while the mount is being made */
} Request;

static Request *request_free(Request *req) {
        if (!req)
                return NULL;
        if (req->worker)
                worker_free(req->worker);
        if (req->reserved)
                req->c->mounts_in_flight--;
        if (req->counted)
                context_request_end(req->c, req->caller.uid);
        caller_done(&req->caller);
        if (req->have_opts)
                options_done(&req->opts);
        if (req->given_fd >= 0)
                close(req->given_fd);
        if (req->target_fd >= 0)
                close(req->target_fd);
        if (req->pending) {
                /* No mount came of it. */
                state_remove(req->c, req->pending);
                record_free(req->pending);
        }
        sd_bus_message_unref(req->msg);
        free(req->path);
        free(req->asked_path);
        free(req);
        return NULL;
}

static void log_req(Request *req, const char *verdict, const char *reason) {
        log_request(&(LogRequest) {
                .method = req->method,
                .uid = req->caller.pid > 0 ? req->caller.uid : (uid_t) -1,
                .pid = req->caller.pid,
                .mountpoint = req->path,
                .options = req->have_opts ? req->opts.normalized : NULL,
                .verdict = verdict,
                .reason = reason,
        });
}

/* Reply with a named error, log the refusal, end the request. */
__attribute__((format(printf, 3, 4)))
static void request_fail(Request *req, const char *name, const char *fmt, ...) {
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        log_req(req, "deny", msg);
        (void) sd_bus_reply_method_errorf(req->msg, name, "%s", msg);
        request_free(req);
}

static Request *request_new(Context *c, sd_bus_message *m, const char *method) {
        Request *req = calloc(1, sizeof *req);
        if (!req)
                return NULL;
        req->c = c;
        req->method = method;
        req->msg = sd_bus_message_ref(m);
        req->given_fd = req->target_fd = -1;
        req->caller.pidfd = -1;
        req->interactive = sd_bus_message_get_allow_interactive_authorization(m) > 0;
        return req;
}

/* Identify the caller and count it against its per-uid limit.  0, or the
 * request is answered and freed. */
static int request_identify(Request *req) {
        int r = caller_from_message(req->msg, req->c->proc_fd, &req->caller);
        if (r < 0) {
                request_fail(req, FUSED_ERROR_PERMISSION_DENIED,
                             "Cannot identify the calling process (%s); it may have exited", strerror(-r));
                return r;
        }
        r = context_request_begin(req->c, req->caller.uid);
        if (r == -EUSERS) {
                request_fail(req, FUSED_ERROR_TOO_MANY_REQUESTS,
                             "Too many requests in progress (at most %u per user): wait for them to finish "
                             "and try again", FUSED_REQUESTS_PER_UID_MAX);
                return r;
        }
        if (r < 0) {
                request_fail(req, FUSED_ERROR_TOO_MANY_REQUESTS,
                             "fused is busy (%u requests in progress, at most %u): try again shortly",
                             req->c->total_requests, FUSED_REQUESTS_TOTAL_MAX);
                return r;
        }
        req->counted = true;
        return 0;
}

static int caller_target(Request *req, NsTarget *t) {
        ns_target_init(t, req->caller.pidfd, req->caller.pid, -1, req->c->proc_fd, req->caller.uid, req->caller.gid);
        return ns_target_set_groups(t, req->caller.gids, req->caller.n_gids);
}

/* The path as asked stays for a worker that must look it up again. */
static int take_asked_path(Request *req) {
        if (req->asked_path)
                return 0;
        req->asked_path = strdup(req->path);
        return req->asked_path ? 0 : -ENOMEM;
}

/* From here on the request is about the canonical path the worker found. */
static int take_canonical_path(Request *req, const WorkerReply *reply) {
        if (take_asked_path(req) < 0)
                return -ENOMEM;
        char *p = strndup(reply->path, sizeof reply->path - 1);
        if (!p)
                return -ENOMEM;
        free(req->path);
        req->path = p;
        return 0;
}

/* A failed resolve: which error, and what the user can do. */
static void fail_resolve(Request *req, int r, const WorkerReply *reply) {
        if (r == -ETIMEDOUT)
                return request_fail(req, FUSED_ERROR_MOUNTPOINT_NOT_ALLOWED,
                                    "Looking up %s timed out (a hung filesystem on the way?)", req->path);
        if (r < 0)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Checking %s failed: %s", req->path,
                                    strerror(-r));
        r = reply->error;
        if (reply->view_denied)
                return request_fail(req, FUSED_ERROR_PERMISSION_DENIED,
                                    "The calling process's mount namespace and root cannot be opened with the "
                                    "caller's own rights (its pid now names another user's process, or the "
                                    "process is not dumpable): fused acts only where the caller itself could");
        /* A caller that exits mid-request looks like a missing path (its
         * /proc/PID/root is gone): say what really happened. */
        if (reply->check == CHECK_OK && pidfd_alive(req->caller.pidfd) <= 0)
                return request_fail(req, FUSED_ERROR_PERMISSION_DENIED, "The calling process exited");
        if (reply->check != CHECK_OK)
                return request_fail(req, FUSED_ERROR_MOUNTPOINT_NOT_ALLOWED,
                                    "Mountpoint %s %s: choose a directory you own or may write to",
                                    req->path, check_error_string((CheckError) reply->check));
        if (r == -ESRCH)
                return request_fail(req, FUSED_ERROR_PERMISSION_DENIED, "The calling process exited");
        if (r == -ENOENT)
                return request_fail(req, FUSED_ERROR_MOUNTPOINT_NOT_ALLOWED,
                                    "Mountpoint %s does not exist: create it first", req->path);
        if (r == -EACCES || r == -EPERM)
                return request_fail(req, FUSED_ERROR_MOUNTPOINT_NOT_ALLOWED,
                                    "Mountpoint %s cannot be reached by the caller: check the permissions of "
                                    "its parent directories", req->path);
        return request_fail(req, FUSED_ERROR_MOUNTPOINT_NOT_ALLOWED, "Mountpoint %s: %s", req->path,
                            strerror(-r));
}

/* ---- Mount -------------------------------------------------------------- */

static void mount_next_polkit(Request *req);

/* Recorded under the state directory and on the bus. */
static void publish(Context *c, MountRecord *m) {
        int r = state_save(c, m);
        if (r < 0) {
                log_errno(LOG_WARNING, r, "Cannot record mount %s in %s, a restart will forget its owner",
                          m->mountpoint, c->state_dir);
                /* Not the pending record either: its mount is served.  The
                 * next reconcile writes the record (file_id 0). */
                state_remove(c, m);
                m->file_id = 0;
        }
        r = mount_object_add(c, m);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Cannot add bus object for %s", m->mountpoint);
}

/* The namespace to unmount in after the caller is gone, for auto-unmount
 * only: held for any other mount it would keep the namespace alive after
 * its last process, and its mounts with it, so it is not even opened then.
 * Kept only if it is the very namespace the worker mounted in. */
static void keep_ns(Context *c, Request *req, MountRecord *m) {
        char p[48];
        struct stat st;

        snprintf(p, sizeof p, "%d/ns/mnt", (int) req->caller.pid);
        m->ns_fd = openat(c->proc_fd, p, O_RDONLY | O_CLOEXEC);
        if (m->ns_fd >= 0 && (fstat(m->ns_fd, &st) < 0 || st.st_ino != m->ns_ino || st.st_dev != m->ns_dev)) {
                close(m->ns_fd);
                m->ns_fd = -1;
        }
}

/* The record of the mount being made, ids still unknown. */
static MountRecord *new_record(Request *req) {
        Context *c = req->c;
        struct timespec ts;
        MountRecord *m = record_new_packed(c->next_id, req->path, options_source(&req->opts), req->opts.subtype,
                                           req->opts.normalized, req->caller.sender);

        if (!m)
                return NULL;
        c->next_id++;
        clock_gettime(CLOCK_REALTIME, &ts);
        m->owner = req->caller.uid;
        m->pid = req->caller.pid;
        m->created_usec = (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
        m->auto_unmount = req->auto_unmount;
        m->ns_id = req->resolved.ns_id;
        m->ns_dev = req->resolved.ns_dev;
        m->ns_ino = req->resolved.ns_ino;
        return m;
}

/* Before the mount is made: a record on disk says a mount may exist whose
 * fd nobody got, should fused be killed before the caller gets it; the
 * fused that starts next takes that mount down (main.c).  Replaced by the
 * real record before the reply.  Not being able to write it changes
 * nothing else: mounts are made without records when the state directory
 * is full or read-only, and written later. */
static void pending_begin(Request *req) {
        if (req->pending)
                return;
        req->pending = new_record(req);
        if (!req->pending)
                return;
        req->pending->pending = true;
        if (state_save(req->c, req->pending) < 0)
                req->pending->file_id = 0;
}

static void on_mounted(Context *c, int r, WorkerReply *reply, int fd, void *userdata) {
        Request *req = userdata;
        _cleanup_close_ int fuse_fd = fd;

        if (r < 0)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Mounting on %s failed: %s", req->path,
                                    strerror(-r));
        if (reply->error == -ESRCH)
                return request_fail(req, FUSED_ERROR_PERMISSION_DENIED, "The calling process exited");
        if (reply->error < 0)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Mounting on %s failed: %s%s%s", req->path,
                                    strerror(-reply->error), reply->message[0] ? " (kernel: " : "",
                                    reply->message[0] ? reply->message : "");
        /* Mounted, but the fd did not reach us (fused was out of fds when
         * the worker's answer came): nobody can ever serve this mount.  It
         * is recorded and taken down again, below, never left behind. */
        bool lost = fuse_fd < 0;

        MountRecord *m = TAKE_PTR(req->pending);
        if (!m)
                m = new_record(req);
        if (!m)
                goto oom;
        m->pending = false;
        m->mnt_id = reply->mnt_id;
        m->mnt_id_unique = reply->mnt_id_unique;
        m->ns_id = reply->ns_id;
        m->ns_dev = reply->ns_dev;
        m->ns_ino = reply->ns_ino;
        state_add(c, m);
        if (req->reserved) {
                req->reserved = false;
                c->mounts_in_flight--;
        }

        /* A caller that left mid-request never gets the fd: nobody could
         * serve or unmount this mount, so take it down again. */
        sd_bus_creds *creds = NULL;
        bool gone = pidfd_alive(req->caller.pidfd) <= 0 ||
                    (!caller_connected(req->caller.sender) &&
                     sd_bus_get_name_creds(c->bus, req->caller.sender, 0, &creds) < 0);
        sd_bus_creds_unref(creds);
        if (m->auto_unmount || gone || lost)
                keep_ns(c, req, m);
        if (gone || lost) {
                publish(c, m);
                const char *why = gone ? "caller left before the reply" : "the mount's fd was lost: fused is "
                                                                          "out of file descriptors";
                auto_unmount(c, m, why);
                if (lost)
                        return request_fail(req, FUSED_ERROR_TOO_MANY_MOUNTS,
                                            "fused ran out of file descriptors while mounting on %s and took the "
                                            "mount down again: try again, or ask an administrator to raise "
                                            "LimitNOFILE= of fused", req->path);
                log_req(req, "deny", "caller left before the reply; unmounting");
                request_free(req);
                return;
        }
        /* The record first, then the reply: once the caller has the fd, a
         * fused killed at any moment after still knows the mount and its
         * owner when it starts again.  This loop handles no other request
         * in between. */
        r = mount_object_path(m);
        if (r >= 0) {
                publish(c, m);
                r = sd_bus_reply_method_return(req->msg, FUSED_METHOD_MOUNT_OUT, fuse_fd, m->object_path);
        }
        if (r < 0) {
                /* The caller will never get the fd: take the mount down. */
                log_errno(LOG_WARNING, r, "Cannot reply to %s", req->caller.sender);
                if (m->ns_fd < 0)
                        keep_ns(c, req, m);
                if (!m->published)
                        publish(c, m);
                log_req(req, "deny", "the reply could not be sent; unmounting");
                auto_unmount(c, m, "the reply could not be sent");
                request_free(req);
                return;
        }
        log_req(req, "allow", m->auto_unmount ? "mounted, auto-unmount" : "mounted");
        if (m->auto_unmount)
                (void) auto_unmount_check_owner(c, m);
        request_free(req);
        return;

oom:
        record_free(m);
        /* The mount exists but nobody will get its fd: take it down. */
        log_msg(LOG_ERR, "Out of memory after mounting %s", req->path);
        request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Out of memory");
}

/* The check worker does it if it still waits; else a new worker. */
static bool continue_worker(Request *req, bool allow_unsafe, worker_done_t done) {
        if (!req->worker)
                return false;
        WorkerGo go = { .go = true, .allow_unsafe = allow_unsafe };
        int r = worker_continue(req->worker, &go, done, req);
        if (r < 0)
                req->worker = worker_free(req->worker);
        else
                req->worker = NULL;     /* the worker's flow ends in done */
        return r >= 0;
}

static void mount_spawn(Request *req) {
        pending_begin(req);
        if (continue_worker(req, req->allow_unsafe, on_mounted))
                return;
        MountArgs a = {
                .target_fd = req->target_fd,
                .rootmode = req->resolved.mode,
                .user_id = req->caller.uid,
                .group_id = req->caller.gid,
                .allow_unsafe = req->allow_unsafe,
        };
        int keep[] = { req->caller.pidfd, req->c->proc_fd, req->target_fd };
        int r = caller_target(req, &a.t);
        /* Only where the check was made. */
        a.t.expect_ns_dev = req->resolved.ns_dev;
        a.t.expect_ns_ino = req->resolved.ns_ino;
        if (r >= 0 && !a.t.expect_ns_ino)
                r = -ESTALE;
        if (r >= 0)
                r = mount_args_set_options(&a, &req->opts);
        if (r >= 0)
                r = worker_spawn(req->c, ns_mount, &a, sizeof a, keep, ELEMENTSOF(keep), on_mounted, req, NULL);
        if (r < 0)
                request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Cannot start the mount: %s", strerror(-r));
}

static void fstype_of(const Request *req, char *buf, size_t n) {
        const char *base = req->opts.blkdev ? "fuseblk" : "fuse";
        if (req->opts.subtype && !req->opts.blkdev)
                snprintf(buf, n, "%s.%s", base, req->opts.subtype);
        else
                snprintf(buf, n, "%s", base);
}

static void on_mount_polkit(Context *c, int r, bool challenge, void *userdata) {
        Request *req = userdata;
        const char *action = req->actions[req->next_action];

        if (r == -EHOSTDOWN)
                return request_fail(req, FUSED_ERROR_POLKIT_UNAVAILABLE,
                                    "polkitd is not running, so fused cannot authorize %s: start polkit", action);
        if (r == -EBUSY || r == -ENOBUFS)
                return request_fail(req, FUSED_ERROR_TOO_MANY_REQUESTS,
                                    "Too many requests in progress: the authorization check for %s could not "
                                    "be made now; try again", action);
        if (r < 0)
                return request_fail(req, FUSED_ERROR_PERMISSION_DENIED,
                                    "Authorization check for %s failed (%s): refusing", action, strerror(-r));
        if (r == 0)
                return request_fail(req, FUSED_ERROR_PERMISSION_DENIED,
                                    "Not authorized (polkit action %s)%s", action,
                                    challenge ? ": authentication is required; run this from a session with a "
                                                "polkit agent and allow interactive authorization"
                                              : ": ask an administrator for a polkit rule or fuse.conf change");
        req->next_action++;
        mount_next_polkit(req);
}

/* Which mount namespace the mountpoint is in, for polkit rules: the host's
 * (PID 1's), another one owned by the initial user namespace (a container
 * or service root set up), or one a user namespace owns (usually the
 * caller's own, where the mount is made in that user namespace). */
static const char *ns_kind(const Context *c, const WorkerReply *reply) {
        if (reply->ns_foreign)
                return "user";
        if (c->host_ns_ino && reply->ns_ino == c->host_ns_ino && reply->ns_dev == c->host_ns_dev)
                return "host";
        return "other";
}

static void mount_next_polkit(Request *req) {
        char fstype[FUSED_NAME_MAX + 16];

        if (req->next_action >= req->n_actions)
                return mount_spawn(req);
        fstype_of(req, fstype, sizeof fstype);
        PolkitDetails d = {
                .mountpoint = req->path, .fstype = fstype, .subtype = req->opts.subtype,
                .options = req->opts.normalized, .ns_kind = ns_kind(req->c, &req->resolved), .uid = req->caller.uid,
        };
        int r = polkit_check(req->c, &req->caller, req->actions[req->next_action], &d, req->interactive,
                             on_mount_polkit, req, NULL);
        if (r < 0)
                request_fail(req, r == -ENOBUFS ? FUSED_ERROR_TOO_MANY_REQUESTS : FUSED_ERROR_PERMISSION_DENIED,
                             "Cannot ask polkit: %s", strerror(-r));
}

static void conf_warn(unsigned line, const char *text, void *userdata) {
        log_msg(LOG_WARNING, "%s:%u: ignoring line not understood: %s", (const char *) userdata, line, text);
}

/* The mounts fused completed in the namespace of reply since the check
 * worker started: it may not have seen them when it counted. */
static unsigned mounts_made_since(Context *c, uint64_t first_id, const WorkerReply *reply) {
        unsigned n = 0;

        for (MountRecord *m = c->mounts; m; m = m->next)
                n += m->id >= first_id && m->ns_dev == reply->ns_dev && m->ns_ino == reply->ns_ino;
        return n;
}

static void on_mount_resolved(Context *c, int r, WorkerReply *reply, int fd, void *userdata) {
        Request *req = userdata;

        if (r < 0 || reply->error < 0) {
                req->worker = NULL;     /* it has ended */
                if (fd >= 0)
                        close(fd);
                return fail_resolve(req, r, reply);
        }
        req->target_fd = fd;
        req->resolved = *reply;
        if (take_canonical_path(req, reply) < 0)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Out of memory");

        r = conf_get(c->config_path, &req->conf, conf_warn, c->config_path);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Cannot read %s, using defaults", c->config_path);

        if (req->caller.uid == 0) {
                /* root may do anything fusermount3 lets root do. */
                req->allow_unsafe = true;
                return mount_spawn(req);
        }

        /* In a namespace its user namespace owns, the caller could lift
         * dev and suid itself, and the superblock is made there, where the
         * kernel honours neither for anyone outside: say so rather than
         * ask polkit for what cannot be had. */
        if (reply->ns_foreign && (req->opts.dev || req->opts.suid || req->opts.blkdev))
                return request_fail(req, FUSED_ERROR_INVALID_OPTION,
                                    "Options dev, suid and blkdev are not available to a caller whose mount "
                                    "namespace belongs to a user namespace (the mount is made in that user "
                                    "namespace, where the kernel honours no device nodes); mount from the "
                                    "initial user namespace, or drop them");

        /* mount_max over the FUSE mounts of the caller's whole mount
         * namespace (from the namespace's root, not the caller's), plus the
         * mounts still being made, counted here at the moment of the
         * decision: all in this one-threaded loop, so concurrent requests
         * cannot both squeeze under the limit (mount-count.c). */
        unsigned n = 0;
        r = count_ns_fuse_mounts(reply->ns_id, reply->ns_root_id, reply->ns_foreign, &n);
        if (r == -EOPNOTSUPP && reply->counted) {
                n = reply->ns_fuse_count + mounts_made_since(c, req->first_new_id, reply);
                r = 0;
        }
        if (r < 0)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Cannot count the FUSE mounts of %s's "
                                    "mount namespace: %s", req->path, strerror(-r));
        if (n + c->mounts_in_flight >= req->conf.mount_max)
                return request_fail(req, FUSED_ERROR_TOO_MANY_MOUNTS,
                                    "Too many FUSE mounts (mount_max = %u): unmount some, or ask an "
                                    "administrator to raise mount_max in %s",
                                    req->conf.mount_max, c->config_path);
        req->reserved = true;
        c->mounts_in_flight++;

        req->actions[req->n_actions++] = FUSED_ACTION_MOUNT;
        if (options_need_allow_other(&req->opts) && !req->conf.user_allow_other)
                req->actions[req->n_actions++] = FUSED_ACTION_MOUNT_ALLOW_OTHER;
        if (options_unsafe(&req->opts)) {
                req->actions[req->n_actions++] = FUSED_ACTION_MOUNT_UNSAFE;
                req->allow_unsafe = true;       /* only reached if polkit says yes */
        }
        mount_next_polkit(req);
}

static int method_mount(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        _cleanup_(request_args_done) RequestArgs args = REQUEST_ARGS_INIT;
        RequestArgsError aerr;
        OptionsError oerr;
        _cleanup_free_ char *bad = NULL;
        int r;

        Request *req = request_new(c, m, "Mount");
        if (!req)
                return -ENOMEM;
        r = request_args_read_mount(m, &args, &aerr);
        req->path = TAKE_PTR(args.path);
        req->given_fd = take_fd(&args.mountpoint_fd);
        req->auto_unmount = args.auto_unmount;
        if (r == -ENOMEM) {
                request_free(req);
                return r;
        }
        if (r < 0 && aerr == REQUEST_ARGS_MALFORMED) {
                request_fail(req, FUSED_ERROR_INVALID_ARGUMENT, "Malformed Mount request: expected (%s)",
                             FUSED_METHOD_MOUNT_IN);
                return 1;
        }
        if (r < 0 && aerr != REQUEST_ARGS_PATH_INVALID) {
                request_fail(req, FUSED_ERROR_INVALID_ARGUMENT,
                             "Invalid flags: %s (known: " FUSED_FLAG_MOUNTPOINT_FD " h, " FUSED_FLAG_AUTO_UNMOUNT
                             " b)", aerr == REQUEST_ARGS_FLAG_UNKNOWN ? "unknown key" :
                             aerr == REQUEST_ARGS_FLAG_TOO_MANY ? "too many" : "wrong type");
                return 1;
        }
        if (r < 0) {
                request_fail(req, FUSED_ERROR_INVALID_ARGUMENT,
                             "The mountpoint must be an absolute path shorter than %d bytes", PATH_MAX);
                return 1;
        }
        r = options_parse(args.options, &req->opts, &oerr, &bad);
        if (r == -ENOMEM) {
                request_free(req);
                return r;
        }
        if (r < 0) {
                request_fail(req, FUSED_ERROR_INVALID_OPTION, "Option %s%.64s%s %s; see fused(8) for the allowed options",
                             bad ? "'" : "", bad ? bad : "string", bad ? "'" : "", options_error_string(oerr));
                return 1;
        }
        req->have_opts = true;
        req->auto_unmount = req->auto_unmount || req->opts.auto_unmount;

        if (request_identify(req) < 0)
                return 1;
        /* Refuse while there is still room to say so: a mount fused could
         * not take down again (auto-unmount needs fds) must not be made. */
        unsigned n_open = 0;
        r = context_fd_headroom(c, &n_open);
        if (r == -EBUSY) {
                request_fail(req, FUSED_ERROR_TOO_MANY_REQUESTS,
                             "fused is busy (%u requests in progress and %u fds open, limit %u): try again "
                             "shortly", c->total_requests, n_open, c->fd_limit);
                return 1;
        }
        if (r < 0) {
                request_fail(req, FUSED_ERROR_TOO_MANY_MOUNTS,
                             "fused is short of file descriptors (%u open, limit %u): it takes no more mounts "
                             "until some are unmounted; an administrator can raise LimitNOFILE= of fused",
                             n_open, c->fd_limit);
                return 1;
        }

        _cleanup_free_ MountPlan *p = calloc(1, sizeof *p);
        if (!p) {
                request_free(req);
                return -ENOMEM;
        }
        p->r.given_fd = req->given_fd;
        p->m = (MountArgs) { .target_fd = -1, .user_id = req->caller.uid, .group_id = req->caller.gid };
        p->fuse_fd = -1;
        r = caller_target(req, &p->r.t);
        p->r.t.count_mounts = req->caller.uid != 0 && count_needs_worker();
        req->first_new_id = c->next_id;
        if (r >= 0)
                r = caller_target(req, &p->m.t);
        if (r >= 0)
                r = ns_set_path(p->r.path, req->path);
        if (r >= 0)
                r = mount_args_set_options(&p->m, &req->opts);
        int keep[] = { req->caller.pidfd, c->proc_fd, req->given_fd };
        if (r >= 0)
                r = worker_spawn2(c, ns_mount_check, ns_mount_act, p, sizeof *p, keep, ELEMENTSOF(keep),
                                  on_mount_resolved, req, &req->worker);
        if (r < 0)
                request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Cannot start the mountpoint check: %s", strerror(-r));
        return 1;
}

/* ---- Unmount ------------------------------------------------------------ */

static void on_unmounted(Context *c, int r, WorkerReply *reply, int fd, void *userdata) {
        Request *req = userdata;

        if (fd >= 0)
                close(fd);
        if (r >= 0)
                r = reply->error;
        if (r == -EBUSY)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED,
                                    "%s is busy: close the files and directories in use there, or unmount lazily",
                                    req->path);
        if (r == -ESTALE || r == -EINVAL)
                return request_fail(req, FUSED_ERROR_NOT_MOUNTED, "%s is no longer the mount that was checked",
                                    req->path);
        if (r < 0)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Unmounting %s failed: %s", req->path,
                                    strerror(-r));
        (void) sd_bus_reply_method_return(req->msg, NULL);
        MountRecord *m = state_find_unique(c, req->resolved.ns_id, req->resolved.mnt_id_unique, req->resolved.mnt_id);
        if (m)
                state_drop(c, m);
        log_req(req, "allow", req->lazy ? "unmounted (lazy)" : "unmounted");
        request_free(req);
}

static void unmount_spawn(Request *req) {
        if (continue_worker(req, false, on_unmounted))
                return;
        _cleanup_free_ UmountArgs *a = calloc(1, sizeof *a);
        int r = a ? 0 : -ENOMEM;
        if (r >= 0) {
                a->lazy = req->lazy;
                a->expect_id = req->resolved.mnt_id;
                a->expect_unique = req->resolved.mnt_id_unique;
                r = caller_target(req, &a->t);
        }
        /* Looked up again as the caller, from its root, in the namespace
         * that was checked. */
        if (r >= 0) {
                a->t.expect_ns_dev = req->resolved.ns_dev;
                a->t.expect_ns_ino = req->resolved.ns_ino;
                r = ns_set_path(a->path, req->asked_path ? req->asked_path : req->path);
        }
        int keep[] = { req->caller.pidfd, req->c->proc_fd };
        if (r >= 0)
                r = worker_spawn(req->c, ns_umount, a, sizeof *a, keep, ELEMENTSOF(keep), on_unmounted, req, NULL);
        if (r < 0)
                request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Cannot start the unmount: %s", strerror(-r));
}

static void on_unmount_polkit(Context *c, int r, bool challenge, void *userdata) {
        Request *req = userdata;

        if (r == -EHOSTDOWN)
                return request_fail(req, FUSED_ERROR_POLKIT_UNAVAILABLE,
                                    "%s belongs to uid %u and polkitd is not running to authorize unmounting it",
                                    req->path, (unsigned) req->owner);
        if (r == -EBUSY || r == -ENOBUFS)
                return request_fail(req, FUSED_ERROR_TOO_MANY_REQUESTS,
                                    "Too many requests in progress: the authorization check to unmount %s could "
                                    "not be made now; try again", req->path);
        if (r <= 0)
                return request_fail(req, FUSED_ERROR_NOT_OWNER,
                                    "%s was mounted by uid %u: only its owner or an administrator (polkit action "
                                    FUSED_ACTION_UNMOUNT_OTHER ") may unmount it%s",
                                    req->path, (unsigned) req->owner,
                                    challenge ? "; authentication is required, allow interactive authorization" : "");
        unmount_spawn(req);
}

static void on_unmount_resolved(Context *c, int r, WorkerReply *reply, int fd, void *userdata) {
        Request *req = userdata;

        if (r >= 0 && reply->acted) {
                /* The owner's (or root's) unmount, done by the check worker. */
                req->worker = NULL;
                req->resolved = *reply;
                (void) take_canonical_path(req, reply);
                return on_unmounted(c, r, reply, fd, req);
        }

        if (r < 0 || reply->error < 0)
                req->worker = NULL;     /* it has ended */
        if (r >= 0 && reply->error < 0) {
                int e = reply->error;
                if (e == -EINVAL)
                        return request_fail(req, FUSED_ERROR_NOT_MOUNTED,
                                            "%s is not a mount point (a symlink is never followed)", req->path);
                if (e == -EMEDIUMTYPE)
                        return request_fail(req, FUSED_ERROR_NOT_FUSE,
                                            "%s is a %s mount, not FUSE: fused only unmounts FUSE filesystems",
                                            req->path, reply->fstype);
                if (e == -ENOENT)
                        return request_fail(req, FUSED_ERROR_NOT_MOUNTED, "%s does not exist", req->path);
        }
        if (r < 0 || reply->error < 0) {
                if (fd >= 0)
                        close(fd);
                return fail_resolve(req, r, reply);
        }
        /* The pinned fd would make the mount busy: the unmount re-checks
         * the mount by its id instead. */
        if (fd >= 0)
                close(fd);
        req->resolved = *reply;
        if (take_canonical_path(req, reply) < 0)
                return request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Out of memory");

        /* The owner is who fused made it for; a FUSE mount fused does not
         * know (made before fused, or by fusermount3) belongs to its user_id. */
        MountRecord *m = state_find_unique(c, reply->ns_id, reply->mnt_id_unique, reply->mnt_id);
        req->owner = m ? m->owner : reply->user_id >= 0 && !reply->ns_foreign ? (uid_t) reply->user_id : 0;
        if (req->caller.uid == 0 || req->caller.uid == req->owner)
                return unmount_spawn(req);

        PolkitDetails d = {
                .mountpoint = req->path, .fstype = reply->fstype,
                .subtype = m ? m->subtype : (strncmp(reply->fstype, "fuse.", 5) == 0 ? reply->fstype + 5 : ""),
                .options = m ? m->options : "", .ns_kind = ns_kind(c, reply), .uid = req->caller.uid,
        };
        r = polkit_check(c, &req->caller, FUSED_ACTION_UNMOUNT_OTHER, &d, req->interactive, on_unmount_polkit,
                         req, NULL);
        if (r < 0)
                request_fail(req, FUSED_ERROR_PERMISSION_DENIED, "Cannot ask polkit: %s", strerror(-r));
}

static int method_unmount(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        _cleanup_(request_args_done) RequestArgs args = REQUEST_ARGS_INIT;
        RequestArgsError aerr;
        int r;

        Request *req = request_new(c, m, "Unmount");
        if (!req)
                return -ENOMEM;
        r = request_args_read_unmount(m, &args, &aerr);
        req->path = TAKE_PTR(args.path);
        req->lazy = args.lazy;
        if (r == -ENOMEM) {
                request_free(req);
                return r;
        }
        if (r < 0 && aerr != REQUEST_ARGS_PATH_INVALID) {
                request_fail(req, FUSED_ERROR_INVALID_ARGUMENT, "Malformed Unmount request: expected (%s) with "
                             "flag " FUSED_FLAG_LAZY " b", FUSED_METHOD_UNMOUNT_IN);
                return 1;
        }
        if (r < 0) {
                request_fail(req, FUSED_ERROR_INVALID_ARGUMENT,
                             "The mountpoint must be an absolute path shorter than %d bytes", PATH_MAX);
                return 1;
        }
        if (request_identify(req) < 0)
                return 1;

        _cleanup_free_ UmountPlan *p = calloc(1, sizeof *p);
        if (!p) {
                request_free(req);
                return -ENOMEM;
        }
        p->r = (ResolveArgs) { .given_fd = -1, .for_unmount = true };
        p->u = (UmountArgs) { .lazy = req->lazy };
        r = caller_target(req, &p->r.t);
        if (r >= 0)
                r = caller_target(req, &p->u.t);
        if (r >= 0)
                r = ns_set_path(p->r.path, req->path);
        int keep[] = { req->caller.pidfd, c->proc_fd };
        if (r >= 0)
                r = worker_spawn2(c, ns_umount_check, ns_umount_act, p, sizeof *p, keep, ELEMENTSOF(keep),
                                  on_unmount_resolved, req, &req->worker);
        if (r < 0)
                request_fail(req, FUSED_ERROR_MOUNT_FAILED, "Cannot start the unmount: %s", strerror(-r));
        return 1;
}

/* ---- ListMounts --------------------------------------------------------- */

static int method_list_mounts(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        sd_bus_message *reply = NULL;
        int r;

        (void) state_reconcile(c);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = mount_list_append(c, reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS(FUSED_METHOD_MOUNT,
                                SD_BUS_ARGS("s", mountpoint, "s", options, "a{sv}", flags),
                                SD_BUS_RESULT("h", fuse_fd, "o", mount),
                                method_mount, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS(FUSED_METHOD_UNMOUNT,
                                SD_BUS_ARGS("s", mountpoint, "a{sv}", flags),
                                SD_BUS_NO_RESULT,
                                method_unmount, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS(FUSED_METHOD_LIST_MOUNTS,
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT(FUSED_METHOD_LIST_MOUNTS_OUT, mounts),
                                method_list_mounts, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int manager_add(Context *c) {
        int r;

        r = sd_bus_add_object_vtable(c->bus, NULL, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE, manager_vtable, c);
        if (r < 0)
                return r;
        r = sd_bus_add_object_manager(c->bus, NULL, FUSED_OBJECT_PATH);
        if (r < 0)
                return r;
        r = mount_objects_register(c);
        if (r < 0)
                return r;
        r = polkit_watch(c);
        if (r < 0)
                return r;
        return auto_unmount_watch(c);
}
