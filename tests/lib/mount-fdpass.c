// SPDX-License-Identifier: GPL-2.0-or-later
/* mount-fdpass: mount, then hand the connection to a filesystem as /dev/fd/N
 *
 *   mount-fdpass MOUNTPOINT OPTIONS COMMAND [ARGS...]
 *
 * Mounts with fuse_open_channel(), then execs COMMAND with its arguments,
 * every "@FD@" among them replaced by "/dev/fd/N" for the mount's fd: what
 * a privileged mount helper does for a filesystem it starts.
 */

#define FUSE_USE_VERSION 314

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <fuse.h>

int main(int argc, char *argv[])
{
        char path[32];

        if (argc < 4) {
                fprintf(stderr, "usage: %s MOUNTPOINT OPTIONS COMMAND [ARGS...]\n", argv[0]);
                return 2;
        }
        int fd = fuse_open_channel(argv[1], argv[2]);
        if (fd < 0) {
                fprintf(stderr, "mount-fdpass: fuse_open_channel failed\n");
                return 1;
        }
        /* The library opens it close-on-exec; this one is meant to survive. */
        if (fcntl(fd, F_SETFD, 0) < 0) {
                perror("mount-fdpass: fcntl");
                return 1;
        }
        snprintf(path, sizeof(path), "/dev/fd/%d", fd);
        for (int i = 3; i < argc; i++)
                if (strcmp(argv[i], "@FD@") == 0)
                        argv[i] = path;
        execvp(argv[3], argv + 3);
        perror("mount-fdpass: exec");
        return 1;
}
