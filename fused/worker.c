// SPDX-License-Identifier: GPL-2.0-or-later
/* Worker processes: everything that touches a caller's files or namespace
 * runs in a child, so that a hung FUSE mountpoint or a slow filesystem can
 * only block that child (killed after a timeout), never the service.
 *
 * Children are kept and reused: a fork, its seccomp filter and its exit
 * cost more than all of a request's checks together.  A child takes one
 * job at a time over its socketpair (plain-data arguments, and the fds they
 * name, which it puts at the same numbers), answers with one WorkerReply
 * and at most one fd, and before its last answer puts itself back as it was
 * forked: root, fused's mount namespace and root directory, no other fds.
 * So nothing one caller did to it reaches the next job; a child that cannot
 * reset itself, times out or dies is never used again.  SIGCHLD is ignored:
 * the kernel reaps them.  The child's side is worker-child.c. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "fused.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

struct clone_args_v0 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

#define WORKER_TIMEOUT_USEC (15ULL * 1000000ULL)
/* Idle children kept, and for how long: enough for bursts of requests,
 * and none left a little after the last. */
#define POOL_IDLE_MAX 4u
#define POOL_IDLE_USEC (10ULL * 1000000ULL)


typedef enum WorkerState {
        WORKER_IDLE,
        WORKER_BUSY,            /* a job's first (or only) phase */
        WORKER_PARKED,          /* phase one answered; waiting for worker_continue() */
        WORKER_ACTING,          /* phase two */
} WorkerState;

struct Worker {
        Context *c;
        int sock;
        int pidfd;
        sd_event_source *io, *timer;
        WorkerState state;
        bool two_phase;
        bool dead;              /* parked, but the child is gone or timed out */
        worker_done_t done;
        void *userdata;
        Worker *prev, *next;
};

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->io);
        sd_event_source_disable_unref(w->timer);
        if (w->pidfd >= 0) {
                (void) syscall(__NR_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
                close(w->pidfd);
        }
        if (w->sock >= 0)
                close(w->sock);
        if (w->prev)
                w->prev->next = w->next;
        else if (w->c->workers == w)
                w->c->workers = w->next;
        if (w->next)
                w->next->prev = w->prev;
        free(w);
        return NULL;
}

/* The child is gone, timed out or talks nonsense: tell whoever waits. */
static void fail(Worker *w, int r) {
        Context *c = w->c;
        worker_done_t done = w->done;
        void *userdata = w->userdata;

        worker_free(w);
        if (done)
                done(c, r, NULL, -1, userdata);
}

/* A parked child exited or was killed: whoever holds it starts anew. */
static void park_end(Worker *w) {
        if (w->pidfd >= 0)
                (void) syscall(__NR_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
        w->dead = true;
        w->io = sd_event_source_disable_unref(w->io);
        w->timer = sd_event_source_disable_unref(w->timer);
}

static unsigned n_idle(Context *c) {
        unsigned n = 0;
        for (Worker *w = c->workers; w; w = w->next)
                n += w->state == WORKER_IDLE;
        return n;
}

/* Back into the pool, unless it is full. */
static void recycle(Worker *w) {
        w->done = NULL;
        w->userdata = NULL;
        w->two_phase = false;
        if (n_idle(w->c) >= POOL_IDLE_MAX) {
                worker_free(w);
                return;
        }
        w->state = WORKER_IDLE;
        if (sd_event_source_set_time_relative(w->timer, POOL_IDLE_USEC) < 0 ||
            sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT) < 0)
                worker_free(w);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Worker *w = userdata;
        char cbuf[CMSG_SPACE(sizeof(int))];
        WorkerReply reply;
        struct iovec iov = { .iov_base = &reply, .iov_len = sizeof reply };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        int passed = -1;

        if (w->state == WORKER_IDLE) {
                /* An idle child says nothing: it has gone. */
                worker_free(w);
                return 0;
        }
        if (w->state == WORKER_PARKED) {
                park_end(w);
                return 0;
        }
        ssize_t n = recvmsg(w->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
                    cm->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&passed, CMSG_DATA(cm), sizeof(int));
        /* A last answer whose fd we had no room for (EMFILE) still says
         * what was done: the mount exists, and only fused can take it down
         * again.  Hand the answer on without the fd. */
        bool fd_lost = n == (ssize_t) sizeof reply && !(mh.msg_flags & MSG_TRUNC) &&
                       (mh.msg_flags & MSG_CTRUNC) && passed < 0 && !(w->state == WORKER_BUSY && w->two_phase);
        if (fd_lost)
                log_msg(LOG_WARNING, "A worker's answer came without its file descriptor (out of fds?)");
        if (!fd_lost && (n != (ssize_t) sizeof reply || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))) {
                if (passed >= 0)
                        close(passed);
                fail(w, n < 0 ? -errno : -ECHILD);
                return 0;
        }
        reply.message[sizeof reply.message - 1] = 0;
        reply.fstype[sizeof reply.fstype - 1] = 0;
        reply.path[sizeof reply.path - 1] = 0;

        Context *c = w->c;
        worker_done_t done = w->done;
        void *ud = w->userdata;
        if (w->state == WORKER_BUSY && w->two_phase && reply.error >= 0 && !reply.acted) {
                /* The child waits for the word to go on, still partly the
                 * caller: hand the reply over, keep the worker. */
                w->state = WORKER_PARKED;
                done(c, 0, &reply, passed, ud);
                return 0;
        }
        /* The last answer: the child has reset itself and holds nothing of
         * the job but, for a moment, a copy of the fd it passed. */
        if (reply.worker_exits)
                worker_free(w);
        else
                recycle(w);
        done(c, 0, &reply, passed, ud);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Worker *w = userdata;

        if (w->state == WORKER_IDLE)
                worker_free(w);
        else if (w->state == WORKER_PARKED)
                park_end(w);
        else
                fail(w, -ETIMEDOUT);
        return 0;
}

static Worker *worker_fork(Context *c) {
        int sv[2];

        Worker *w = calloc(1, sizeof *w);
        if (!w)
                return NULL;
        w->c = c;
        w->sock = w->pidfd = -1;
        w->state = WORKER_IDLE;
        w->next = c->workers;
        if (w->next)
                w->next->prev = w;
        c->workers = w;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                goto fail;
        /* clone3 hands us a pidfd atomically: a pidfd_open() after fork()
         * could pin a stranger that reused the pid of a child already reaped. */
        int pidfd = -1;
        pid_t parent = getpid();
        struct clone_args_v0 args = {
                .flags = CLONE_PIDFD, .pidfd = (uint64_t) (uintptr_t) &pidfd, .exit_signal = SIGCHLD,
        };
        pid_t pid = (pid_t) syscall(__NR_clone3, &args, sizeof args);
        if (pid < 0) {
                int e = errno;
                close(sv[0]);
                close(sv[1]);
                errno = e;
                goto fail;
        }
        if (pid == 0) {
                close(sv[0]);
                worker_child_start(c, sv[1], parent);
        }
        close(sv[1]);
        w->sock = sv[0];
        w->pidfd = pidfd;
        if (sd_event_add_io(c->event, &w->io, w->sock, EPOLLIN, on_io, w) < 0 ||
            sd_event_add_time_relative(c->event, &w->timer, CLOCK_MONOTONIC, POOL_IDLE_USEC, 0, on_timeout, w) < 0) {
                errno = ENOMEM;
                goto fail;
        }
        return w;

fail:;
        int e = errno;
        worker_free(w);
        errno = e;
        return NULL;
}

static int send_job(Worker *w, const JobHeader *hdr, const void *data, const int *fds, size_t n_fds) {
        char cbuf[CMSG_SPACE(sizeof(int) * WORKER_FDS_MAX)] = {};
        struct iovec iov[] = { { (void *) hdr, sizeof *hdr }, { (void *) data, hdr->size } };
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

        if (n_fds > 0) {
                mh.msg_control = cbuf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
        }
        return sendmsg(w->sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int worker_spawn(Context *c, worker_fn_t fn, const void *fn_data, size_t size, const int *keep, size_t n_keep,
                 worker_done_t done, void *userdata, Worker **ret) {
        return worker_spawn2(c, fn, NULL, fn_data, size, keep, n_keep, done, userdata, ret);
}

int worker_spawn2(Context *c, worker_fn_t fn, worker_fn2_t fn2, const void *fn_data, size_t size, const int *keep,
                  size_t n_keep, worker_done_t done, void *userdata, Worker **ret) {
        JobHeader hdr = { .fn = fn, .fn2 = fn2, .size = (uint32_t) size };
        int r;

        if (size > WORKER_JOB_MAX || n_keep > WORKER_FDS_MAX)
                return -E2BIG;
        /* The child has fused's /proc fd at the same number already. */
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] >= 0 && keep[i] != c->proc_fd && !fd_in_list(keep[i], hdr.fds, hdr.n_fds))
                        hdr.fds[hdr.n_fds++] = keep[i];

        /* An idle child, or a new one; an idle one that died meanwhile
         * fails the send, and then a new one is tried. */
        for (int attempt = 0;; attempt++) {
                Worker *w = NULL;
                if (attempt == 0)
                        for (w = c->workers; w && w->state != WORKER_IDLE; w = w->next)
                                ;
                if (!w) {
                        w = worker_fork(c);
                        if (!w)
                                return -errno;
                }
                r = send_job(w, &hdr, fn_data, hdr.fds, hdr.n_fds);
                if (r < 0) {
                        worker_free(w);
                        if (attempt == 0 && (r == -EPIPE || r == -ECONNRESET))
                                continue;
                        return r;
                }
                w->state = WORKER_BUSY;
                w->two_phase = fn2 != NULL;
                w->done = done;
                w->userdata = userdata;
                r = sd_event_source_set_time_relative(w->timer, WORKER_TIMEOUT_USEC);
                if (r >= 0)
                        r = sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
                if (r < 0) {
                        worker_free(w);
                        return r;
                }
                if (ret)
                        *ret = w;
                return 0;
        }
}

int worker_continue(Worker *w, const WorkerGo *go, worker_done_t done, void *userdata) {
        if (w->state != WORKER_PARKED || w->dead)
                return -ECHILD;
        if (send(w->sock, go, sizeof *go, MSG_NOSIGNAL) != (ssize_t) sizeof *go) {
                park_end(w);
                return -ECHILD;
        }
        w->state = WORKER_ACTING;
        w->done = done;
        w->userdata = userdata;
        return 0;
}
