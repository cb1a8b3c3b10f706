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
 * the kernel reaps them. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdalign.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "fused.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

struct clone_args_v0 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

#define WORKER_TIMEOUT_USEC (15ULL * 1000000ULL)
/* Idle children kept, and for how long: enough for bursts of requests,
 * and none left a little after the last. */
#define POOL_IDLE_MAX 4u
#define POOL_IDLE_USEC (10ULL * 1000000ULL)

typedef struct JobHeader {
        worker_fn_t fn;         /* valid in the child: it is a fork of us */
        worker_fn2_t fn2;
        uint32_t size;
        uint32_t n_fds;
        int fds[WORKER_FDS_MAX];        /* the numbers the arguments use */
} JobHeader;

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

/* ---- the child ----------------------------------------------------------- */

static pid_t parent_pid;        /* fused, in a worker child; 0 elsewhere */

int worker_keep_parent(void) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                return -errno;
        /* fused may have gone while the signal was unset. */
        if (parent_pid != 0 && getppid() != parent_pid)
                return -ESRCH;
        return 0;
}

/* What a worker's scheduling is: the nice value, policy, CPU affinity and
 * I/O priority.  The kernel lets a caller change none of them while the
 * worker runs as it (the worker keeps more capabilities than the caller
 * has), and a worker that comes out of a job with any of them changed all
 * the same is not used again: no job may slow down the next. */
typedef struct SchedState {
        int nice;
        int policy;
        int ioprio;
        cpu_set_t cpus;
} SchedState;

static int sched_state(SchedState *s) {
        errno = 0;
        s->nice = getpriority(PRIO_PROCESS, 0);
        if (errno)
                return -errno;
        s->policy = sched_getscheduler(0);
        s->ioprio = (int) syscall(__NR_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
        if (s->policy < 0 || s->ioprio < 0 || sched_getaffinity(0, sizeof s->cpus, &s->cpus) < 0)
                return -errno;
        return 0;
}

static bool sched_same(const SchedState *a, const SchedState *b) {
        return a->nice == b->nice && a->policy == b->policy && a->ioprio == b->ioprio &&
               CPU_EQUAL(&a->cpus, &b->cpus);
}

typedef struct Home {
        SchedState sched;       /* as forked */
        int sock;
        int ns;                 /* fused's mount namespace */
        int root;               /* fused's root directory */
        int proc;               /* fused's /proc fd, at the same number as in fused */
} Home;

static int send_reply(int sock, const WorkerReply *reply, int fd) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {};
        struct iovec iov = { .iov_base = (void *) reply, .iov_len = sizeof *reply };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                mh.msg_control = cbuf;
                mh.msg_controllen = sizeof cbuf;
                struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static bool in(int fd, const int *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (v[i] == fd)
                        return true;
        return false;
}

/* Put the received fds at the numbers fused gave them, which the job's
 * arguments use.  Usually that is one dup3() each; only an fd of ours, or
 * one just received, that sits on a wanted number is moved away first. */
static int place_fds(Home *h, int *got, const int *want, size_t n) {
        int *own[] = { &h->sock, &h->ns, &h->root };
        int hi = 0;

        for (size_t i = 0; i < n; i++)
                hi = MAX(hi, MAX(got[i], want[i]) + 1);
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                hi = MAX(hi, *own[i] + 1);
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                if (in(*own[i], want, n)) {
                        int fd = fcntl(*own[i], F_DUPFD_CLOEXEC, hi);
                        if (fd < 0)
                                return -errno;
                        close(*own[i]);
                        *own[i] = fd;
                        hi = fd + 1;
                }
        for (size_t i = 0; i < n; i++)
                if (got[i] != want[i] && in(got[i], want, n)) {
                        int fd = fcntl(got[i], F_DUPFD_CLOEXEC, hi);
                        if (fd < 0)
                                return -errno;
                        close(got[i]);
                        got[i] = fd;
                        hi = fd + 1;
                }
        /* The wanted numbers are free now (fused's /proc fd, which the
         * child keeps at its number, is never sent). */
        for (size_t i = 0; i < n; i++)
                if (got[i] != want[i]) {
                        if (dup3(got[i], want[i], O_CLOEXEC) < 0)
                                return -errno;
                        close(got[i]);
                }
        return 0;
}

/* Root again, in fused's namespace and root, with the parent-death signal
 * that any change of credentials cleared. */
static bool is_root(void) {
        uid_t ru, eu, su;
        gid_t rg, eg, sg;

        if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
                return false;
        return !ru && !eu && !su && !rg && !eg && !sg && setfsuid((uid_t) -1) == 0 &&
               setfsgid((gid_t) -1) == 0 && getgroups(0, NULL) == 0;
}

static int child_reset(const Home *h) {
        SchedState now;

        /* Most jobs end as root already (their second phase acts as root). */
        if (!is_root() && (setresuid(0, 0, 0) < 0 || setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0))
                return -errno;
        if (!is_root())
                return -EPERM;
        if (sched_state(&now) < 0 || !sched_same(&now, &h->sched))
                return -EPERM;
        if (setns(h->ns, CLONE_NEWNS) < 0 || fchdir(h->root) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return -errno;
        return worker_keep_parent();
}

/* The job's last answer: only after the reset, so that a signal the
 * caller could send while we ran as it has been delivered before fused
 * hears we are done (it can no longer send one after the reset). */
static void child_finish(Home *h, WorkerReply *reply, int fd) {
        int keep[] = { h->sock, h->ns, h->root, h->proc, fd };

        if (close_all_but(keep, fd >= 0 ? 5 : 4) < 0 || child_reset(h) < 0)
                reply->worker_exits = true;
        if (send_reply(h->sock, reply, fd) < 0 || reply->worker_exits)
                _exit(1);
        if (fd >= 0)
                close(fd);
}

static void child_job(Home *h, const JobHeader *hdr, void *data) {
        WorkerReply reply = { .user_id = -1 };
        int fd = -1;

        reply.error = hdr->fn(data, &reply, &fd);
        if (reply.error < 0 && fd >= 0) {
                close(fd);
                fd = -1;
        }
        if (!hdr->fn2 || reply.error < 0 || reply.acted)
                return child_finish(h, &reply, fd);

        /* Phase two, if the parent says so; anything else ends the child,
         * which still runs partly as the caller. */
        if (send_reply(h->sock, &reply, fd) < 0)
                _exit(1);
        WorkerGo go;
        if (read(h->sock, &go, sizeof go) != (ssize_t) sizeof go || !go.go)
                _exit(0);
        WorkerReply reply2 = { .user_id = -1 };
        int fd2 = -1;
        reply2.error = hdr->fn2(data, &go, fd, &reply2, &fd2);
        if (reply2.error < 0 && fd2 >= 0) {
                close(fd2);
                fd2 = -1;
        }
        child_finish(h, &reply2, fd2);
}

_Noreturn static void child_main(Home h) {
        static alignas(max_align_t) char data[WORKER_JOB_MAX];

        for (;;) {
                JobHeader hdr;
                char cbuf[CMSG_SPACE(sizeof(int) * WORKER_FDS_MAX)];
                struct iovec iov[] = { { &hdr, sizeof hdr }, { data, sizeof data } };
                struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = cbuf,
                                     .msg_controllen = sizeof cbuf };
                int got[WORKER_FDS_MAX];
                size_t n_got = 0;

                ssize_t n = recvmsg(h.sock, &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        _exit(0);       /* fused is gone, or let us go */
                for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
                                for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) &&
                                                   n_got < WORKER_FDS_MAX; i++)
                                        memcpy(&got[n_got++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                if ((size_t) n < sizeof hdr || hdr.size != (size_t) n - sizeof hdr || hdr.n_fds != n_got ||
                    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || place_fds(&h, got, hdr.fds, n_got) < 0)
                        _exit(1);
                child_job(&h, &hdr, data);
        }
}

_Noreturn static void child_start(Context *c, int sock, pid_t parent) {
        Home h = { .sock = sock };
        sigset_t all;

        /* Die with the service, never gain privileges through an exec
         * (there is none, but a worker runs partly as the caller), and
         * start from a clean signal mask. */
        parent_pid = parent;
        if (worker_keep_parent() < 0)
                _exit(1);
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        h.proc = c->proc_fd;
        if (sched_state(&h.sched) < 0)
                _exit(1);
        h.ns = openat(c->proc_fd, "thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
        h.root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        int keep[] = { h.sock, h.ns, h.root, h.proc };
        if (h.ns < 0 || h.root < 0 || close_all_but(keep, ELEMENTSOF(keep)) < 0 || sandbox_enter() < 0)
                _exit(1);
        child_main(h);
}

/* ---- the parent ---------------------------------------------------------- */

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
        if (n != (ssize_t) sizeof reply || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
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
                child_start(c, sv[1], parent);
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
                if (keep[i] >= 0 && keep[i] != c->proc_fd && !in(keep[i], hdr.fds, hdr.n_fds))
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
