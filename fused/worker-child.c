// SPDX-License-Identifier: GPL-2.0-or-later
/* The worker child's side (see worker.c for the pool in fused): take a
 * job, put its fds where its arguments say, run it, and before the last
 * answer put the child back as it was forked, or end it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "fused.h"

#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

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
                if (fd_in_list(*own[i], want, n)) {
                        int fd = fcntl(*own[i], F_DUPFD_CLOEXEC, hi);
                        if (fd < 0)
                                return -errno;
                        close(*own[i]);
                        *own[i] = fd;
                        hi = fd + 1;
                }
        for (size_t i = 0; i < n; i++)
                if (got[i] != want[i] && fd_in_list(got[i], want, n)) {
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

_Noreturn void worker_child_start(Context *c, int sock, pid_t parent) {
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
