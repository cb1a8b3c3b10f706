// SPDX-License-Identifier: GPL-2.0-or-later
/* The fuzzer's own bus connection: no dbus-daemon, just the two ends of a
 * socketpair in one thread, each driven with sd_bus_process() until the
 * other has what it needs. */
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-dbus-link.h"

/* sd_bus_process() calls without progress before giving up: each of them
 * either moves bytes or finds nothing to do. */
#define IDLE_MAX 64

static sd_bus *client, *server;
static sd_bus_message *received;

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus_message_unref(received);
        received = sd_bus_message_ref(m);
        return 1;       /* handled: the server sends no error reply */
}

static int drive(bool (*done)(void)) {
        unsigned idle = 0;

        while (!done()) {
                int a = sd_bus_process(client, NULL);
                int b = sd_bus_process(server, NULL);
                if (a < 0)
                        return a;
                if (b < 0)
                        return b;
                idle = a == 0 && b == 0 ? idle + 1 : 0;
                if (idle > IDLE_MAX)
                        return -ETIMEDOUT;
        }
        return 0;
}

static bool both_ready(void) {
        return sd_bus_is_ready(client) > 0 && sd_bus_is_ready(server) > 0;
}

static bool got_message(void) {
        return received != NULL;
}

static int bus_on(sd_bus **ret, int fd, bool is_server) {
        sd_id128_t id;
        int r;

        r = sd_bus_new(ret);
        if (r >= 0)
                r = sd_bus_set_fd(*ret, fd, fd);
        if (r >= 0)
                r = sd_bus_set_anonymous(*ret, true);
        if (r >= 0)
                r = sd_bus_negotiate_fds(*ret, true);
        if (r >= 0 && is_server)
                r = sd_id128_randomize(&id);
        if (r >= 0 && is_server)
                r = sd_bus_set_server(*ret, true, id);
        if (r >= 0 && is_server)
                r = sd_bus_add_filter(*ret, NULL, on_message, NULL);
        return r < 0 ? r : sd_bus_start(*ret);
}

int link_setup(void) {
        int sv[2], r;

        if (client)
                return 0;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
                return -errno;
        r = bus_on(&server, sv[0], true);
        if (r >= 0)
                r = bus_on(&client, sv[1], false);
        if (r >= 0)
                r = drive(both_ready);
        if (r >= 0 && sd_bus_can_send(client, SD_BUS_TYPE_UNIX_FD) <= 0)
                r = -EOPNOTSUPP;
        return r;
}

sd_bus *link_client(void) {
        return client;
}

int link_deliver(sd_bus_message *m, sd_bus_message **ret) {
        int r;

        received = NULL;
        r = sd_bus_send(client, m, NULL);
        if (r >= 0)
                r = drive(got_message);
        *ret = received;
        received = NULL;
        return r < 0 ? r : *ret ? 0 : -EIO;
}
