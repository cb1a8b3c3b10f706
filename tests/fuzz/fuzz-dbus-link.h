/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Two sd_bus objects connected over a socketpair, a client and an
 * anonymous server, so that fuzz-dbus-args decodes each message as fused
 * gets it: parsed by sd-bus from the wire, its fds received by
 * SCM_RIGHTS. */
#pragma once

#include <systemd/sd-bus.h>

/* Once per process: both ends started and their handshake done. */
int link_setup(void);
/* The client's bus, to make messages on. */
sd_bus *link_client(void);
/* m sent by the client and *ret what the server received; -errno if
 * sd-bus would not send it or the server did not get it. */
int link_deliver(sd_bus_message *m, sd_bus_message **ret);
