// SPDX-License-Identifier: GPL-2.0-or-later
/* fused's reading of Mount's and Unmount's arguments (fused/request-args.c):
 * the first thing fused does with what any local user sends it, as root.
 * fuzz-dbus-msg.c makes a method call of any signature from the input
 * (wrong ones, nested variants, many dict entries, huge strings, fds),
 * fuzz-dbus-link.c sends it over a real connection, and both decoders read
 * what arrived, one after the other.  Besides no crash, leak or undefined
 * behaviour, each result must be the one the model of what was sent
 * predicts (refusal, path, flags, which fd), and every fd the decoders
 * took must be given back: /proc/self/fd is counted around each input.
 *
 * ListMounts takes no arguments, and sd-bus refuses any call of a method
 * whose signature is not the vtable's before fused sees it: it has nothing
 * to decode.  The decoders here get every signature, also those sd-bus
 * would refuse, so that they never rely on that check. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/kcmp.h>

#include "fused.h"
#include "fuzz-dbus-link.h"
#include "fuzz-dbus-msg.h"
#include "fuzz-util.h"

/* What a caller might pass as mountpoint-fd: O_PATH directories, a device,
 * both ends of a pipe, a memfd, an eventfd, a socket. */
static int fd_table[8];
static size_t n_fd_table;
/* FUZZ_VERBOSE=1: what each input was and what the decoders made of it. */
static bool verbose;

static void add_fd(int fd) {
        FUZZ_CHECK(fd >= 0);
        fd_table[n_fd_table++] = fd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        int p[2];

        add_fd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        add_fd(open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC));
        add_fd(open("/dev/null", O_RDWR | O_CLOEXEC));
        FUZZ_CHECK(pipe2(p, O_CLOEXEC) == 0);
        add_fd(p[0]);
        add_fd(p[1]);
        add_fd(memfd_create("fuzz-dbus-args", MFD_CLOEXEC));
        add_fd(eventfd(0, EFD_CLOEXEC));
        add_fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        FUZZ_CHECK(link_setup() >= 0);
        verbose = getenv("FUZZ_VERBOSE");
        return 0;
}

static unsigned count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        unsigned n = 0;

        FUZZ_CHECK(d);
        for (struct dirent *e; (e = readdir(d));)
                n += e->d_name[0] != '.';
        closedir(d);
        return n;
}

/* The same open file, as SCM_RIGHTS and a dup keep it; the inode where
 * the kernel cannot compare files. */
static bool same_file(int a, int b) {
        struct stat sa, sb;
        long r = syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, a, b);

        if (r >= 0)
                return r == 0;
        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

typedef struct Expect {
        int r;
        RequestArgsError err;
        const char *path;       /* as sent, or NULL */
        int fd_index;           /* in fd_table, or -1 */
        bool auto_unmount, lazy;
} Expect;

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The flags dict as request-args.c must read it, entry by entry. */
static RequestArgsError predict_flags(const FlagsModel *f, bool for_mount, Expect *x) {
        FUZZ_CHECK(f->present);
        for (unsigned i = 0; i < f->n; i++) {
                const FlagEntry *e = &f->e[i];
                if (i >= REQUEST_ARGS_FLAGS_MAX)
                        return REQUEST_ARGS_FLAG_TOO_MANY;
                if (for_mount && e->key == KEY_MOUNTPOINT_FD) {
                        if (e->vtype != 'h')
                                return REQUEST_ARGS_FLAG_TYPE;
                        x->fd_index = e->value;
                } else if (for_mount && e->key == KEY_AUTO_UNMOUNT) {
                        if (e->vtype != 'b')
                                return REQUEST_ARGS_FLAG_TYPE;
                        x->auto_unmount = e->value;
                } else if (!for_mount && e->key == KEY_LAZY) {
                        if (e->vtype != 'b')
                                return REQUEST_ARGS_FLAG_TYPE;
                        x->lazy = e->value;
                } else
                        return REQUEST_ARGS_FLAG_UNKNOWN;
        }
        return REQUEST_ARGS_OK;
}

static void predict(const MsgModel *mo, bool for_mount, Expect *x) {
        const char *strings = for_mount ? "ss" : "s";
        const char *rest = mo->sig + strlen(strings);

        *x = (Expect) { .r = -EINVAL, .fd_index = -1 };
        if (!starts_with(mo->sig, strings)) {
                x->err = REQUEST_ARGS_MALFORMED;
                return;
        }
        x->path = mo->str[0];
        FUZZ_CHECK(x->path);
        x->err = starts_with(rest, "a{sv}") ? predict_flags(&mo->flags[strlen(strings)], for_mount, x)
                                            : REQUEST_ARGS_FLAG_TYPE;
        if (x->err != REQUEST_ARGS_OK)
                return;
        if (x->path[0] != '/' || strnlen(x->path, PATH_MAX) >= PATH_MAX)
                x->err = REQUEST_ARGS_PATH_INVALID;
        else
                x->r = 0;
}

static bool same_path(const char *got, const Expect *x) {
        size_t n;

        if (!x->path)
                return !got;
        n = strnlen(x->path, PATH_MAX);
        while (x->r == 0 && n > 1 && x->path[n - 1] == '/')
                n--;
        return got && strlen(got) == n && memcmp(got, x->path, n) == 0;
}

static void check(sd_bus_message *m, bool for_mount, const MsgModel *mo) {
        RequestArgs a;
        RequestArgsError err;
        Expect x;
        int r;

        r = for_mount ? request_args_read_mount(m, &a, &err) : request_args_read_unmount(m, &a, &err);
        if (r == -ENOMEM) {
                request_args_done(&a);
                return;
        }
        predict(mo, for_mount, &x);
        if (verbose)
                fprintf(stderr, "%s %s(%s): r=%d err=%d path=%.40s%s fd=%d auto-unmount=%d lazy=%d\n",
                        for_mount ? "  as Mount" : "  as Unmount", mo->member, mo->sig, r, (int) err,
                        a.path ? a.path : "(null)", a.path && strlen(a.path) > 40 ? "..." : "",
                        a.mountpoint_fd, a.auto_unmount, a.lazy);
        FUZZ_CHECK(r == x.r);
        FUZZ_CHECK(err == x.err);
        FUZZ_CHECK(same_path(a.path, &x));
        FUZZ_CHECK(!for_mount || r < 0 || (a.options && strcmp(a.options, mo->str[1]) == 0));
        FUZZ_CHECK(a.auto_unmount == x.auto_unmount);
        FUZZ_CHECK(a.lazy == x.lazy);
        if (x.fd_index < 0)
                FUZZ_CHECK(a.mountpoint_fd == -1);
        else {
                FUZZ_CHECK(a.mountpoint_fd >= 3);
                FUZZ_CHECK(fcntl(a.mountpoint_fd, F_GETFD) == FD_CLOEXEC);
                FUZZ_CHECK(same_file(a.mountpoint_fd, fd_table[x.fd_index]));
        }
        request_args_done(&a);
        FUZZ_CHECK(!a.path && a.mountpoint_fd == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        unsigned n_fds = count_fds();
        sd_bus_message *sent = NULL, *got = NULL;
        MsgModel mo;
        int r;

        r = msg_build(link_client(), data, size, fd_table, n_fd_table, &sent, &mo);
        if (r < 0)
                fprintf(stderr, "building the message: %s\n", strerror(-r));
        FUZZ_CHECK(r >= 0);
        r = link_deliver(sent, &got);
        if (r < 0)
                fprintf(stderr, "sending the message: %s\n", strerror(-r));
        FUZZ_CHECK(r >= 0);
        FUZZ_CHECK(strcmp(sd_bus_message_get_signature(got, true), mo.sig) == 0);

        check(got, true, &mo);
        FUZZ_CHECK(sd_bus_message_rewind(got, true) >= 0);
        check(got, false, &mo);

        sd_bus_message_unref(got);
        sd_bus_message_unref(sent);
        msg_model_done(&mo);
        FUZZ_CHECK(count_fds() == n_fds);
        return 0;
}
