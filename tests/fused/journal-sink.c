// SPDX-License-Identifier: GPL-2.0-or-later
/* journal sink for the tests: listens on a unix datagram socket where
 * sd_journal_send() would find journald, decodes the native protocol and
 * prints each entry as one line of tab-separated KEY=VALUE fields (a value
 * with tabs or newlines gets them as \t and \n).  Entries sent through a
 * memfd (too big for a datagram) are read from it.  Runs until SIGTERM.
 *
 *   journal-sink SOCKET_PATH */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void put_value(const char *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (v[i] == '\n')
                        fputs("\\n", stdout);
                else if (v[i] == '\t')
                        fputs("\\t", stdout);
                else
                        putchar(v[i]);
        }
}

/* KEY=VALUE\n, or KEY\n<le64 size><VALUE>\n for values with newlines. */
static void decode(const char *p, size_t n) {
        int first = 1;
        while (n > 0) {
                const char *nl = memchr(p, '\n', n);
                if (!nl)
                        break;
                const char *eq = memchr(p, '=', (size_t) (nl - p));
                if (!first)
                        putchar('\t');
                first = 0;
                if (eq) {
                        fwrite(p, 1, (size_t) (eq - p) + 1, stdout);
                        put_value(eq + 1, (size_t) (nl - eq - 1));
                        n -= (size_t) (nl - p) + 1;
                        p = nl + 1;
                        continue;
                }
                size_t klen = (size_t) (nl - p);
                uint64_t vlen;
                if (n < klen + 1 + 8)
                        break;
                memcpy(&vlen, nl + 1, 8);
                if (n < klen + 1 + 8 + vlen + 1)
                        break;
                fwrite(p, 1, klen, stdout);
                putchar('=');
                put_value(nl + 9, vlen);
                n -= klen + 1 + 8 + vlen + 1;
                p = nl + 9 + vlen + 1;
        }
        putchar('\n');
        fflush(stdout);
}

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
                return 2;
        }
        int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
        if (s < 0 || bind(s, (struct sockaddr *) &sa, sizeof sa) < 0) {
                perror("bind");
                return 1;
        }
        chmod(argv[1], 0666);
        int big = 8 << 20;
        (void) setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        static char buf[256 * 1024];
        for (;;) {
                char ctl[CMSG_SPACE(sizeof(int))];
                struct iovec iov = { buf, sizeof buf };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                                     .msg_controllen = sizeof ctl };
                ssize_t n = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return 1;
                }
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                if (c && c->cmsg_type == SCM_RIGHTS) {
                        int fd;
                        struct stat st;
                        memcpy(&fd, CMSG_DATA(c), sizeof fd);
                        if (fstat(fd, &st) == 0 && st.st_size > 0) {
                                void *m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
                                if (m != MAP_FAILED) {
                                        decode(m, (size_t) st.st_size);
                                        munmap(m, (size_t) st.st_size);
                                }
                        }
                        close(fd);
                        continue;
                }
                decode(buf, (size_t) n);
        }
}
