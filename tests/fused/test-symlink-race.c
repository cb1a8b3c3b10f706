// SPDX-License-Identifier: GPL-2.0-or-later
/* fused, rule 2: a symlink swapped in mid-request changes nothing.
 *
 *   test-symlink-race DIR FORBIDDEN ITERATIONS
 *
 * Run as an unprivileged uid that owns DIR; FORBIDDEN is a directory it may
 * not write (with a subdirectory "m").  A racer thread keeps exchanging
 * (renameat2 RENAME_EXCHANGE) a directory the caller owns with a symlink to
 * FORBIDDEN, once at the last component of the requested path and once at
 * a parent, while the main thread asks fused to mount there, with the path
 * alone and with an O_PATH|O_NOFOLLOW fd.  After every successful Mount the
 * racer is paused and mountinfo is read: no mount may be on FORBIDDEN or
 * anything under it.  Each mount is then unmounted through fused.
 * Exit 0: never landed elsewhere (prints how often the race was won by the
 * check and by the mount); 1: landed elsewhere; 2: setup failed. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "fused-protocol.h"

static char dir[4096], forbidden[4096];
static atomic_int pause_req, paused, stop_racer;
static int racer_mode;          /* 0: last component, 1: parent */

static void *racer(void *arg) {
        char a[4200], b[4200];
        if (racer_mode == 0) {
                snprintf(a, sizeof a, "%s/p", dir);
                snprintf(b, sizeof b, "%s/alt", dir);
        } else {
                snprintf(a, sizeof a, "%s/d", dir);
                snprintf(b, sizeof b, "%s/dalt", dir);
        }
        while (!atomic_load(&stop_racer)) {
                if (atomic_load(&pause_req)) {
                        atomic_store(&paused, 1);
                        while (atomic_load(&pause_req) && !atomic_load(&stop_racer))
                                usleep(100);
                        atomic_store(&paused, 0);
                        continue;
                }
                (void) renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
        }
        return NULL;
}

static void racer_pause(void) {
        atomic_store(&pause_req, 1);
        while (!atomic_load(&paused))
                usleep(50);
}

static void racer_resume(void) { atomic_store(&pause_req, 0); }

/* Mountpoints of FUSE mounts in our mountinfo, unescaped, one per call. */
static int check_mounts(sd_bus *bus, int *landed_wrong) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[8192];
        size_t flen = strlen(forbidden);
        int found = 0;
        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f)) {
                char mp[4096], *sep = strstr(line, " - ");
                if (!sep || strncmp(sep + 3, "fuse", 4) != 0)
                        continue;
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                /* Our paths have nothing the kernel escapes. */
                size_t dlen = strlen(dir);
                if (strncmp(mp, forbidden, flen) == 0 && (mp[flen] == '/' || mp[flen] == 0)) {
                        fprintf(stderr, "LANDED ON %s\n", mp);
                        *landed_wrong = 1;
                } else if (strncmp(mp, dir, dlen) != 0 || mp[dlen] != '/') {
                        continue;       /* not ours */
                }
                found++;
                sd_bus_error e = SD_BUS_ERROR_NULL;
                int r = sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                                           FUSED_METHOD_UNMOUNT, &e, NULL, "sa{sv}", mp, 0);
                if (r < 0)
                        fprintf(stderr, "unmount %s: %s: %s\n", mp, e.name, e.message);
                sd_bus_error_free(&e);
        }
        fclose(f);
        return found;
}

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: %s DIR FORBIDDEN ITERATIONS\n", argv[0]);
                return 2;
        }
        snprintf(dir, sizeof dir, "%s", argv[1]);
        snprintf(forbidden, sizeof forbidden, "%s", argv[2]);
        int iterations = atoi(argv[3]);
        sd_bus *bus = NULL;
        if (sd_bus_open_system(&bus) < 0) {
                fprintf(stderr, "no bus\n");
                return 2;
        }

        char p[4200], alt[4200], d[4200], dalt[4200], dm[4300];
        snprintf(p, sizeof p, "%s/p", dir);
        snprintf(alt, sizeof alt, "%s/alt", dir);
        snprintf(d, sizeof d, "%s/d", dir);
        snprintf(dalt, sizeof dalt, "%s/dalt", dir);
        snprintf(dm, sizeof dm, "%s/d/m", dir);
        char fm[4200];
        snprintf(fm, sizeof fm, "%s/m", forbidden);
        if (mkdir(p, 0755) < 0 || symlink(forbidden, alt) < 0 || mkdir(d, 0755) < 0 ||
            mkdir(dm, 0755) < 0 || symlink(forbidden, dalt) < 0) {
                perror("setup");
                return 2;
        }

        int landed_wrong = 0, ok = 0, refused = 0;
        for (racer_mode = 0; racer_mode < 2; racer_mode++) {
                const char *target = racer_mode == 0 ? p : dm;
                pthread_t t;
                atomic_store(&stop_racer, 0);
                pthread_create(&t, NULL, racer, NULL);
                for (int i = 0; i < iterations; i++) {
                        sd_bus_message *reply = NULL;
                        sd_bus_error e = SD_BUS_ERROR_NULL;
                        int fd = -1, r;
                        if (i % 2) {
                                fd = open(target, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                                if (fd >= 0)
                                        r = sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                                               FUSED_MANAGER_INTERFACE, FUSED_METHOD_MOUNT, &e,
                                                               &reply, "ssa{sv}", target, "", 1,
                                                               FUSED_FLAG_MOUNTPOINT_FD, "h", fd);
                                else
                                        r = -errno;
                        } else
                                r = sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                                       FUSED_MANAGER_INTERFACE, FUSED_METHOD_MOUNT, &e, &reply,
                                                       "ssa{sv}", target, "", 0);
                        if (fd >= 0)
                                close(fd);
                        if (r >= 0)
                                ok++;
                        else
                                refused++;
                        /* Closing the reply closes our copy of the fuse fd: the
                         * mount is dead and nothing blocks on it. */
                        sd_bus_message_unref(reply);
                        sd_bus_error_free(&e);
                        racer_pause();
                        if (check_mounts(bus, &landed_wrong) < 0) {
                                perror("mountinfo");
                                return 2;
                        }
                        racer_resume();
                        if (landed_wrong)
                                break;
                }
                atomic_store(&stop_racer, 1);
                pthread_join(t, NULL);
                if (landed_wrong)
                        break;
        }
        /* The exchange left things in either order; a last sweep. */
        check_mounts(bus, &landed_wrong);
        printf("%d mounted, %d refused, %s\n", ok, refused,
               landed_wrong ? "LANDED OUTSIDE the caller's directory" : "never outside the caller's directory");
        sd_bus_flush_close_unref(bus);
        return landed_wrong ? 1 : 0;
}
