// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test of util.c: /proc/PID/stat start time with an awkward comm,
 * closing every fd but some in a child, comma escaping, mount ids. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "fused.h"
#include "test-helpers.h"

/* A child named ") 1 2 3 (" must still give its own start time. */
static void start_time(void) {
        int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        int pipefd[2];
        uint64_t mine = 0, child = 0;

        CHECK(proc_start_time(proc, getpid(), &mine) == 0 && mine > 0);
        CHECK(pipe(pipefd) == 0);
        pid_t pid = fork();
        if (pid == 0) {
                char c;
                prctl(PR_SET_NAME, ") 1 2 3 (", 0, 0, 0);
                close(pipefd[1]);
                (void) !read(pipefd[0], &c, 1);
                _exit(0);
        }
        usleep(20000);
        CHECK(proc_start_time(proc, pid, &child) == 0);
        CHECK(child >= mine);
        /* Field 22 by hand, from the last ')'. */
        char p[64], buf[1024];
        snprintf(p, sizeof p, "/proc/%d/stat", (int) pid);
        int fd = open(p, O_RDONLY);
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        char *e = strrchr(buf, ')');
        unsigned long long v = 0;
        int field = 2;
        for (char *tok = strtok(e + 1, " "); tok; tok = strtok(NULL, " "))
                if (++field == 22) {
                        v = strtoull(tok, NULL, 10);
                        break;
                }
        CHECK(v == child);
        close(pipefd[1]);
        waitpid(pid, NULL, 0);
        CHECK(proc_start_time(proc, pid, &child) == -ENOENT);
        close(proc);
}

static void close_all(void) {
        int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY), c = open("/dev/null", O_RDONLY);
        pid_t pid = fork();
        if (pid == 0) {
                int keep[] = { c, a };
                if (close_all_but(keep, 2) < 0)
                        _exit(2);
                _exit(fcntl(a, F_GETFD) >= 0 && fcntl(c, F_GETFD) >= 0 && fcntl(b, F_GETFD) < 0 ? 0 : 1);
        }
        int st;
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        close(a);
        close(b);
        close(c);
}

int main(void) {
        start_time();
        close_all();

        char *e = escape_commas("a,b\\c");
        CHECK(e && strcmp(e, "a\\,b\\\\c") == 0);
        free(e);

        /* The root of / is a mount root; /proc/self is not. */
        uint64_t id = 0, uniq = 0;
        bool root = false;
        int fd = open("/", O_PATH | O_CLOEXEC);
        CHECK(fd_mount_id(fd, &id, &uniq, &root) == 0 && id > 0 && root);
        close(fd);
        fd = open("/proc/self", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        CHECK(fd_mount_id(fd, &id, NULL, &root) == 0 && !root);
        CHECK(fd_is_symlink(fd));
        close(fd);
        fd = open("/", O_PATH | O_CLOEXEC);
        CHECK(!fd_is_symlink(fd));
        close(fd);

        int pidfd = pidfd_open_pid(getpid());
        CHECK(pidfd >= 0 && pidfd_alive(pidfd) == 1);
        close(pidfd);
        return TEST_EXIT();
}
