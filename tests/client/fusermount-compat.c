// SPDX-License-Identifier: GPL-2.0-or-later
/* fusermount-compat: a FUSE program that mounts the way libfuse 2 does,
 * through a fusermount binary, with no library at all.
 *
 *   fusermount-compat FUSERMOUNT MOUNTPOINT [auto_unmount|auto_unmount2|gofuse|serve]
 *
 * socketpair(AF_UNIX, SOCK_STREAM); fork; the child gets one end at its own
 * fd number, named in _FUSE_COMMFD, and execs `FUSERMOUNT -o OPTS --
 * MOUNTPOINT`; the parent receives the /dev/fuse fd with SCM_RIGHTS (one
 * byte of data), reaps the helper (not with auto_unmount: it stays), forks
 * a server child that answers the FUSE protocol for a tree with one file,
 * "hello", then checks the mount from outside the server: stat, readdir,
 * read.  Without auto_unmount it then runs `FUSERMOUNT -u MOUNTPOINT` and
 * waits for the server to see the connection end; with auto_unmount it
 * kills the server and closes its end of the socket, and waits for the
 * mount to disappear by itself.  Exit 0 if all that happened.
 * auto_unmount2 is the libfuse 3 way: the helper also inherits the
 * library's end of the socket, named in _FUSE_COMMFD2, and must close it or
 * never see the EOF.
 * gofuse runs the helper as go-fuse does: the socket at fd 3 and
 * `FUSERMOUNT MOUNTPOINT -o OPTS` (mountpoint first, no "--").
 * `serve` only mounts and serves until somebody unmounts (for tests that
 * need a mount that stays). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char hello_text[] = "compat says hello\n";

#define FAIL(...) do { fprintf(stderr, "fusermount-compat: " __VA_ARGS__); fputc('\n', stderr); return 1; } while (0)

static int receive_fd(int sock) {
        char byte;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
        };
        struct cmsghdr *c;
        ssize_t n;
        int fd;

        do
                n = recvmsg(sock, &msg, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
                return -1;      /* EOF: the helper failed and said why */
        c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len != CMSG_LEN(sizeof(int)))
                return -1;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}

/* ---- a FUSE server for "/" and "/hello" ---- */

static void reply(int fd, uint64_t unique, int error, const void *data, size_t size) {
        struct fuse_out_header h = {
                .len = sizeof(h) + (error ? 0 : size), .error = -error, .unique = unique,
        };
        struct iovec iov[2] = { { &h, sizeof(h) }, { (void *) data, error ? 0 : size } };

        (void) writev(fd, iov, 2);
}

static void fill_attr(struct fuse_attr *a, uint64_t ino) {
        memset(a, 0, sizeof(*a));
        a->ino = ino;
        a->uid = getuid();
        a->gid = getgid();
        a->blksize = 4096;
        if (ino == FUSE_ROOT_ID) {
                a->mode = S_IFDIR | 0755;
                a->nlink = 2;
        } else {
                a->mode = S_IFREG | 0444;
                a->nlink = 1;
                a->size = sizeof(hello_text) - 1;
        }
}

static size_t add_dirent(char *buf, size_t off, uint64_t ino, const char *name, uint32_t type,
                         uint64_t next) {
        struct fuse_dirent *d = (struct fuse_dirent *) (buf + off);
        size_t len = strlen(name);

        d->ino = ino;
        d->off = next;
        d->namelen = len;
        d->type = type;
        memcpy(d->name, name, len);
        memset(d->name + len, 0, FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + len) - FUSE_NAME_OFFSET - len);
        return off + FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + len);
}

static void serve(int fd) {
        static char buf[FUSE_MIN_READ_BUFFER + 1024 * 1024];

        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && (errno == EINTR || errno == ENOENT))
                        continue;
                if (n < (ssize_t) sizeof(struct fuse_in_header))
                        return;         /* ENODEV: unmounted */
                struct fuse_in_header *in = (struct fuse_in_header *) buf;
                void *arg = buf + sizeof(*in);

                switch (in->opcode) {
                case FUSE_INIT: {
                        struct fuse_init_in *ii = arg;
                        struct fuse_init_out o = {
                                .major = FUSE_KERNEL_VERSION,
                                .minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ? ii->minor
                                                                                : FUSE_KERNEL_MINOR_VERSION,
                                .max_readahead = ii->max_readahead,
                                .max_write = 128 * 1024,
                                .max_background = 16,
                                .congestion_threshold = 12,
                        };
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_GETATTR: {
                        struct fuse_attr_out o = { .attr_valid = 0 };
                        if (in->nodeid != FUSE_ROOT_ID && in->nodeid != 2) {
                                reply(fd, in->unique, ENOENT, NULL, 0);
                                break;
                        }
                        fill_attr(&o.attr, in->nodeid);
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_LOOKUP: {
                        struct fuse_entry_out o = { .nodeid = 2, .generation = 1 };
                        if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "hello") != 0) {
                                reply(fd, in->unique, ENOENT, NULL, 0);
                                break;
                        }
                        fill_attr(&o.attr, 2);
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_OPEN:
                case FUSE_OPENDIR: {
                        struct fuse_open_out o = { .fh = 0 };
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_READ: {
                        struct fuse_read_in *r = arg;
                        size_t len = sizeof(hello_text) - 1, off = r->offset;
                        size_t count = off >= len ? 0 : len - off;
                        if (count > r->size)
                                count = r->size;
                        reply(fd, in->unique, 0, hello_text + (off < len ? off : len), count);
                        break;
                }
                case FUSE_READDIR: {
                        struct fuse_read_in *r = arg;
                        char d[512];
                        size_t len = 0;
                        if (r->offset == 0) {
                                len = add_dirent(d, len, FUSE_ROOT_ID, ".", DT_DIR, 1);
                                len = add_dirent(d, len, FUSE_ROOT_ID, "..", DT_DIR, 2);
                                len = add_dirent(d, len, 2, "hello", DT_REG, 3);
                        }
                        reply(fd, in->unique, 0, d, len > r->size ? 0 : len);
                        break;
                }
                case FUSE_STATFS: {
                        struct fuse_statfs_out o = { .st = { .bsize = 4096, .namelen = 255 } };
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_RELEASE:
                case FUSE_RELEASEDIR:
                case FUSE_FLUSH:
                case FUSE_ACCESS:
                case FUSE_DESTROY:
                        reply(fd, in->unique, 0, NULL, 0);
                        break;
                case FUSE_FORGET:
                case FUSE_BATCH_FORGET:
                case FUSE_INTERRUPT:
                        break;
                default:
                        reply(fd, in->unique, ENOSYS, NULL, 0);
                }
        }
}

/* ---- the program ---- */

static bool mounted(const char *mountpoint) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096], mp[4096], *sep;
        bool found = false;

        if (!f)
                return false;
        while (fgets(line, sizeof(line), f)) {
                /* field 5 is the mountpoint; the fstype follows " - " */
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 || strcmp(mp, mountpoint) != 0)
                        continue;
                sep = strstr(line, " - ");
                if (sep && strncmp(sep + 3, "fuse", 4) == 0)
                        found = true;
        }
        fclose(f);
        return found;
}

static bool wait_unmounted(const char *mountpoint, int seconds) {
        for (int i = 0; i < seconds * 20; i++) {
                if (!mounted(mountpoint))
                        return true;
                usleep(50000);
        }
        return false;
}

static int run_wait(const char *prog, char *const argv[]) {
        int status;
        pid_t pid = fork();

        if (pid == 0) {
                execv(prog, argv);
                _exit(127);
        }
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
        const char *fusermount, *mountpoint;
        bool auto_unmount;
        int sv[2], fuse_fd, status;
        pid_t helper, server;

        if (argc < 3)
                FAIL("usage: fusermount-compat FUSERMOUNT MOUNTPOINT [auto_unmount|serve]");
        fusermount = argv[1];
        mountpoint = argv[2];
        bool commfd2 = argc > 3 && strcmp(argv[3], "auto_unmount2") == 0;
        bool gofuse = argc > 3 && strcmp(argv[3], "gofuse") == 0;
        auto_unmount = commfd2 || (argc > 3 && strcmp(argv[3], "auto_unmount") == 0);
        bool serve_only = argc > 3 && strcmp(argv[3], "serve") == 0;

        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                FAIL("socketpair: %m");
        helper = fork();
        if (helper < 0)
                FAIL("fork: %m");
        if (helper == 0) {
                char env[32];
                const char *opts = auto_unmount ? "rw,nosuid,nodev,fsname=compat,subtype=compat,auto_unmount"
                                                : "rw,nosuid,nodev,fsname=compat,subtype=compat";

                /* As libfuse 2: our end closed, theirs kept across exec.
                 * libfuse 3 lets our end through too, and says which. */
                if (commfd2) {
                        fcntl(sv[0], F_SETFD, 0);
                        snprintf(env, sizeof(env), "%d", sv[0]);
                        setenv("_FUSE_COMMFD2", env, 1);
                } else
                        close(sv[0]);
                if (gofuse) {
                        if (dup2(sv[1], 3) < 0)
                                _exit(127);
                        setenv("_FUSE_COMMFD", "3", 1);
                        execl(fusermount, fusermount, mountpoint, "-o", opts, (char *) NULL);
                        _exit(127);
                }
                fcntl(sv[1], F_SETFD, 0);
                snprintf(env, sizeof(env), "%d", sv[1]);
                setenv("_FUSE_COMMFD", env, 1);
                execl(fusermount, fusermount, "-o", opts, "--", mountpoint, (char *) NULL);
                _exit(127);
        }
        close(sv[1]);
        fuse_fd = receive_fd(sv[0]);
        if (fuse_fd < 0) {
                waitpid(helper, &status, 0);
                FAIL("no fd from %s (exit status %d)", fusermount,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        if (!auto_unmount) {
                close(sv[0]);
                if (waitpid(helper, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        FAIL("the helper did not exit 0 after sending the fd");
        }

        if (serve_only) {
                printf("mounted %s\n", mountpoint);
                fflush(stdout);
                serve(fuse_fd);
                return 0;
        }

        server = fork();
        if (server < 0)
                FAIL("fork: %m");
        if (server == 0) {
                if (auto_unmount)
                        close(sv[0]);
                serve(fuse_fd);
                _exit(0);
        }
        close(fuse_fd);

        /* From outside the server: the kernel asks it, it answers. */
        char path[4096], data[64] = {};
        struct stat st;
        snprintf(path, sizeof(path), "%s/hello", mountpoint);
        if (stat(mountpoint, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
                FAIL("stat %s: not our served root (%m)", mountpoint);
        DIR *d = opendir(mountpoint);
        struct dirent *e;
        bool seen = false;
        while (d && (e = readdir(d)))
                seen |= strcmp(e->d_name, "hello") == 0;
        if (d)
                closedir(d);
        if (!seen)
                FAIL("readdir %s: no hello", mountpoint);
        int fd = open(path, O_RDONLY);
        if (fd < 0 || read(fd, data, sizeof(data) - 1) != (ssize_t) strlen(hello_text) ||
            strcmp(data, hello_text) != 0)
                FAIL("read %s: got '%s' (%m)", path, data);
        close(fd);
        printf("served: stat, readdir and read of %s ok\n", path);

        if (!auto_unmount) {
                char *const uargv[] = { (char *) fusermount, "-u", (char *) mountpoint, NULL };
                int rc = run_wait(fusermount, uargv);
                if (rc != 0)
                        FAIL("%s -u %s exited %d", fusermount, mountpoint, rc);
                if (waitpid(server, &status, 0) < 0)
                        FAIL("waitpid: %m");
                if (mounted(mountpoint))
                        FAIL("%s still mounted after -u", mountpoint);
                printf("unmounted with %s -u; the server saw the connection end\n", fusermount);
        } else {
                /* The filesystem process dies without unmounting. */
                kill(server, SIGKILL);
                waitpid(server, &status, 0);
                close(sv[0]);
                if (waitpid(helper, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        FAIL("the auto_unmount helper did not exit 0");
                if (!wait_unmounted(mountpoint, 10))
                        FAIL("%s still mounted 10 s after the filesystem died", mountpoint);
                printf("auto_unmount: the mount went with the filesystem process\n");
        }
        return 0;
}
