/* Forked workers: everything that touches a caller's files or namespace
 * runs in a child, so a hung FUSE mountpoint or a slow filesystem can only
 * block that child (killed after a timeout), never the service.  The child
 * sends one WorkerReply and at most one fd over a socketpair and exits;
 * SIGCHLD is ignored, so children are reaped by the kernel. */
#include <errno.h>
#include <signal.h>
#include <string.h>
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

#define WORKER_TIMEOUT_USEC (15ULL * 1000000ULL)

struct Worker {
        Context *c;
        int sock;
        int pidfd;
        sd_event_source *io, *timer, *exit;
        WorkerReply reply;
        int result, passed_fd;
        bool exited;
        bool two_phase;         /* phase one's reply is not the last */
        bool parked;            /* phase one answered; waiting for worker_continue() */
        bool dead;              /* parked, but the child is gone or timed out */
        bool acting;            /* phase two: its reply is final, nothing of it held */
        worker_done_t done;
        void *userdata;
        Worker *prev, *next;
};

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->io);
        sd_event_source_disable_unref(w->timer);
        sd_event_source_disable_unref(w->exit);
        if (w->passed_fd >= 0)
                close(w->passed_fd);
        if (w->pidfd >= 0) {
                if (!w->exited)
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

static void finish(Worker *w, int r, WorkerReply *reply, int fd) {
        Context *c = w->c;
        worker_done_t done = w->done;
        void *userdata = w->userdata;
        WorkerReply copy;

        if (reply) {
                copy = *reply;
                reply = &copy;
        }
        /* The child has exited or is about to: nothing to kill.  (The pidfd
         * is closed in worker_free() only after its event source is gone: an
         * fd closed while registered stays in epoll as long as a forked
         * child still holds a copy, pointing at a freed source.) */
        w->exited = true;
        worker_free(w);
        done(c, r, reply, fd, userdata);
}

static int on_exit_ev(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Worker *w = userdata;
        int passed = w->passed_fd;

        w->passed_fd = -1;
        finish(w, w->result, w->result < 0 ? NULL : &w->reply, passed);
        return 0;
}

/* The reply is in; act on it only once the child has exited, so that the
 * fds it held (a pinned mountpoint) no longer keep a mount busy. */
static void wait_exit(Worker *w) {
        w->io = sd_event_source_disable_unref(w->io);
        if (w->pidfd < 0 || sd_event_add_io(w->c->event, &w->exit, w->pidfd, EPOLLIN, on_exit_ev, w) < 0) {
                int passed = w->passed_fd;
                w->passed_fd = -1;
                finish(w, w->result, w->result < 0 ? NULL : &w->reply, passed);
        }
}

/* A parked child exited or was killed: whoever holds it starts anew. */
static void park_end(Worker *w) {
        if (w->pidfd >= 0)
                (void) syscall(__NR_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
        w->dead = true;
        w->io = sd_event_source_disable_unref(w->io);
        w->timer = sd_event_source_disable_unref(w->timer);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Worker *w = userdata;
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = &w->reply, .iov_len = sizeof w->reply };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        int passed = -1;

        if (w->parked) {
                /* Nothing is due from a waiting child: it has gone. */
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
        if (n != (ssize_t) sizeof w->reply || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                if (passed >= 0)
                        close(passed);
                w->result = n < 0 ? -errno : -ECHILD;
        } else {
                w->reply.message[sizeof w->reply.message - 1] = 0;
                w->reply.fstype[sizeof w->reply.fstype - 1] = 0;
                w->passed_fd = passed;
                w->result = 0;
                if (w->two_phase && w->reply.error >= 0) {
                        /* The child waits for the word to go on: hand the
                         * reply over now, and keep the worker. */
                        WorkerReply copy = w->reply;
                        worker_done_t done = w->done;
                        void *ud = w->userdata;
                        w->two_phase = false;
                        w->parked = true;
                        w->passed_fd = -1;
                        done(w->c, 0, &copy, passed, ud);
                        return 0;
                }
        }
        if (w->acting && w->result >= 0) {
                /* Phase two holds nothing on a mount (phase one's pinned
                 * mountpoint fd is of the directory under the mount, the
                 * fd it pinned for an unmount is closed before it parks):
                 * no need to wait for its exit. */
                int p = w->passed_fd;
                w->passed_fd = -1;
                finish(w, 0, &w->reply, p);
                return 0;
        }
        wait_exit(w);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Worker *w = userdata;

        if (w->parked) {
                park_end(w);
                return 0;
        }
        (void) syscall(__NR_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
        finish(w, -ETIMEDOUT, NULL, -1);
        return 0;
}

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

_Noreturn static void child(int sock, worker_fn_t fn, worker_fn2_t fn2, void *fn_data, const int *keep,
                            size_t n_keep) {
        WorkerReply reply = { .user_id = -1 };
        int fds[17], fd = -1;
        sigset_t all;

        /* Die with the service, never gain privileges through an exec
         * (there is none, but a worker runs as the caller), and start from
         * a clean signal state. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        memcpy(fds, keep, n_keep * sizeof(int));
        fds[n_keep] = sock;
        if (close_all_but(fds, n_keep + 1) < 0 || sandbox_enter() < 0)
                _exit(1);
        reply.error = fn(fn_data, &reply, &fd);
        if (reply.error < 0 && fd >= 0) {
                close(fd);
                fd = -1;
        }
        if (send_reply(sock, &reply, fd) < 0)
                _exit(1);
        if (!fn2 || reply.error < 0)
                _exit(0);

        /* Phase two, if the parent says so; a closed socket says no. */
        WorkerGo go;
        if (read(sock, &go, sizeof go) != (ssize_t) sizeof go || !go.go)
                _exit(0);
        WorkerReply reply2 = { .user_id = -1 };
        int fd2 = -1;
        reply2.error = fn2(fn_data, &go, fd, &reply2, &fd2);
        if (reply2.error < 0 && fd2 >= 0) {
                close(fd2);
                fd2 = -1;
        }
        _exit(send_reply(sock, &reply2, fd2) < 0 ? 1 : 0);
}

int worker_continue(Worker *w, const WorkerGo *go, worker_done_t done, void *userdata) {
        if (!w->parked || w->dead)
                return -ECHILD;
        if (send(w->sock, go, sizeof *go, MSG_NOSIGNAL) != (ssize_t) sizeof *go) {
                park_end(w);
                return -ECHILD;
        }
        w->parked = false;
        w->acting = true;
        w->done = done;
        w->userdata = userdata;
        return 0;
}

int worker_spawn(Context *c, worker_fn_t fn, void *fn_data, const int *keep, size_t n_keep,
                 worker_done_t done, void *userdata, Worker **ret) {
        return worker_spawn2(c, fn, NULL, fn_data, keep, n_keep, done, userdata, ret);
}

int worker_spawn2(Context *c, worker_fn_t fn, worker_fn2_t fn2, void *fn_data, const int *keep, size_t n_keep,
                  worker_done_t done, void *userdata, Worker **ret) {
        int sv[2];
        int r;

        if (n_keep > 15)
                return -E2BIG;
        Worker *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->c = c;
        w->sock = w->pidfd = w->passed_fd = -1;
        w->done = done;
        w->userdata = userdata;
        w->two_phase = fn2 != NULL;
        w->next = c->workers;
        if (w->next)
                w->next->prev = w;
        c->workers = w;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                r = -errno;
                goto fail;
        }
        /* clone3 hands us a pidfd atomically: a pidfd_open() after fork()
         * could pin a stranger that reused the pid of a child already reaped. */
        int pidfd = -1;
        struct clone_args_v0 args = {
                .flags = CLONE_PIDFD, .pidfd = (uint64_t) (uintptr_t) &pidfd, .exit_signal = SIGCHLD,
        };
        pid_t pid = (pid_t) syscall(__NR_clone3, &args, sizeof args);
        if (pid < 0) {
                r = -errno;
                close(sv[0]);
                close(sv[1]);
                goto fail;
        }
        if (pid == 0) {
                close(sv[0]);
                child(sv[1], fn, fn2, fn_data, keep, n_keep);
        }
        close(sv[1]);
        w->sock = sv[0];
        w->pidfd = pidfd;

        r = sd_event_add_io(c->event, &w->io, w->sock, EPOLLIN, on_io, w);
        if (r < 0)
                goto fail;
        r = sd_event_add_time_relative(c->event, &w->timer, CLOCK_MONOTONIC, WORKER_TIMEOUT_USEC, 0,
                                       on_timeout, w);
        if (r < 0)
                goto fail;
        if (ret)
                *ret = w;
        return 0;

fail:
        worker_free(w);
        return r;
}
