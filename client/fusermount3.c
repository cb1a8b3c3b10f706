// SPDX-License-Identifier: GPL-2.0-or-later
/* fusermount3: the drop-in for setuid fusermount3, with no privilege at all.
 *
 * Programs (libfuse 2 and 3, go-fuse, fuser, ...) run it as they always
 * have: a socket in _FUSE_COMMFD (or --comm-fd), `-o OPTIONS -- MOUNTPOINT`;
 * it asks fused for the mount and passes the /dev/fuse fd back over that
 * socket with SCM_RIGHTS and one byte of data.  `-u [-z] [-q]` unmounts
 * through fused.  With auto_unmount it stays behind, as fusermount3 does,
 * holding the bus connection its Mount went out on (with fused's
 * auto-unmount flag) until the filesystem's socket closes: then it exits,
 * and fused unmounts exactly the mount it made, not whatever is at that
 * path by then.  A kill -9 of this helper unmounts early, which is the
 * price of nothing lingering after the filesystem is gone.
 *
 * Exit status: 0 ok, 1 failure, as fusermount3. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fused-client.h"
#include "fused-client-internal.h"
#include "fusermount-args.h"
#include "polkit-agent.h"

static const char *progname = "fusermount3";

static void usage(void) {
        printf("%s: mount and unmount FUSE filesystems through fused\n\n"
               "usage: %s [options] mountpoint\n\n"
               "Options:\n"
               " -h --help           print help\n"
               " -V --version        print version\n"
               " -o opt[,opt...]     mount options\n"
               " -u --unmount        unmount\n"
               " -q --quiet          quiet\n"
               " -z --lazy           lazy unmount\n"
               "    --auto-unmount   unmount when the filesystem's socket closes\n"
               "    --comm-fd N      socket to send the /dev/fuse fd on\n"
               "                     (default: $_FUSE_COMMFD)\n",
               progname, progname);
}

static int send_fd(int sock, int fd) {
        char byte = 0;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        ssize_t n;

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n == 1 ? 0 : n < 0 ? -errno : -EIO;
}

/* Waits until the peer (the filesystem process, and every process it
 * passed its end to) has closed its end of the socket. */
static void wait_for_close(int sock) {
        char buf[64];
        ssize_t n;

        for (;;) {
                n = read(sock, buf, sizeof(buf));
                if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                        return;
        }
}

static void detach_stdio(void) {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

        if (fd < 0)
                return;
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
                close(fd);
}

static int do_mount(const struct fusermount_args *a, int comm_fd) {
        _cleanup_free_ char *msg = NULL, *opts = NULL;
        struct fused_mount *m = NULL;
        struct stat st;
        unsigned flags = a->auto_unmount ? FUSED_CLIENT_AUTO_UNMOUNT : 0;
        pid_t agent = 0;
        int fd, r;

        if (comm_fd < 0) {
                fprintf(stderr, "%s: old style mounting not supported: "
                        "run by a FUSE library, which passes a socket in $_FUSE_COMMFD\n", progname);
                return 1;
        }
        if (fstat(comm_fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                fprintf(stderr, "%s: file descriptor %d ($_FUSE_COMMFD) is not a socket\n",
                        progname, comm_fd);
                return 1;
        }
        /* auto_unmount in -o sets the flag as --auto-unmount does. */
        r = fused_options_prepare(a->options, &opts, &flags);
        if (r < 0) {
                fprintf(stderr, "%s: out of memory\n", progname);
                return 1;
        }
        r = fused_mount_new(a->mountpoint, -1, opts, flags, &m, &msg);
        /* Refused by polkit (PermissionDenied: -EPERM; a mountpoint that is
         * not the caller's is -EACCES and no password changes that), and a
         * person at a terminal who might answer a polkit prompt (allow_other when the admin wants a password for it): ask
         * again, interactively, with an agent running.  Not on the first
         * try: most mounts need no password and no agent. */
        if (r == -EPERM && isatty(STDIN_FILENO) &&
            (agent = polkit_agent_open()) > 0) {
                free(msg);
                msg = NULL;
                r = fused_mount_new(a->mountpoint, -1, opts, flags | FUSED_CLIENT_INTERACTIVE,
                                    &m, &msg);
                polkit_agent_close(agent);
        }
        if (r < 0) {
                fprintf(stderr, "%s: mount failed: %s\n", progname, msg ? msg : strerror(-r));
                return 1;
        }
        fd = fused_mount_steal_fd(m);
        r = send_fd(comm_fd, fd);
        close(fd);
        if (r < 0) {
                fprintf(stderr, "%s: sending the file descriptor failed: %s\n", progname, strerror(-r));
                (void) fused_mount_unmount(m, FUSED_CLIENT_LAZY, NULL);
                fused_mount_free(m);
                return 1;
        }

        if (flags & FUSED_CLIENT_AUTO_UNMOUNT) {
                sigset_t all;

                /* Out of the filesystem's session and terminal, deaf to the
                 * signals meant for it: only the socket decides. */
                (void) setsid();
                (void) chdir("/");
                detach_stdio();
                sigfillset(&all);
                sigprocmask(SIG_BLOCK, &all, NULL);
                wait_for_close(comm_fd);
        }
        /* Closes the connection: with auto-unmount fused unmounts now. */
        fused_mount_free(m);
        return 0;
}

static int do_unmount(const struct fusermount_args *a) {
        _cleanup_free_ char *msg = NULL;
        int r;

        r = fused_unmount(a->mountpoint, a->lazy ? FUSED_CLIENT_LAZY : 0, &msg);
        if (r < 0) {
                /* -q: libfuse unmounts with -q after a possibly failed
                 * mount; "not mounted" is then expected, not news. */
                if (!(a->quiet && r == -ENOENT))
                        fprintf(stderr, "%s: failed to unmount %s: %s\n", progname, a->mountpoint,
                                msg ? msg : strerror(-r));
                return 1;
        }
        return 0;
}

int main(int argc, char **argv) {
        struct fusermount_args a;
        const char *error = NULL, *env;
        int r, comm_fd, comm_fd2, ret;

        if (argc > 0 && argv[0] && *argv[0]) {
                const char *slash = strrchr(argv[0], '/');
                progname = slash ? slash + 1 : argv[0];
        }
        r = fusermount_args_parse(argc, argv, &a, &error);
        if (r == -ENOMEM) {
                fprintf(stderr, "%s: out of memory\n", progname);
                return 1;
        }
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", progname, error);
                fprintf(stderr, "%s: see '%s -h' for usage\n", progname, progname);
                return 1;
        }

        /* libfuse tells us its own end of the socket so we can drop our
         * inherited copy: with it open, the EOF auto_unmount waits for
         * would never come. */
        comm_fd2 = fusermount_parse_fd(getenv("_FUSE_COMMFD2"));
        if (comm_fd2 > 2)
                close(comm_fd2);

        env = getenv("_FUSE_COMMFD");
        comm_fd = a.comm_fd >= 0 ? a.comm_fd : fusermount_parse_fd(env);
        if (comm_fd == -EINVAL) {
                fprintf(stderr, "%s: invalid _FUSE_COMMFD: %s\n", progname, env);
                fusermount_args_done(&a);
                return 1;
        }

        switch (a.action) {
        case FUSERMOUNT_HELP:
                usage();
                ret = 0;
                break;
        case FUSERMOUNT_VERSION:
                /* libfuse's wording: some scripts parse it. */
                printf("%s version: %s (fused %s)\n", progname, "3.14.0", FUSED_VERSION);
                ret = 0;
                break;
        case FUSERMOUNT_UNMOUNT:
                ret = do_unmount(&a);
                break;
        default:
                ret = do_mount(&a, comm_fd);
                break;
        }
        fusermount_args_done(&a);
        return ret;
}
