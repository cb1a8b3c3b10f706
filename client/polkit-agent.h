/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pkttyagent for one command (fusedctl, fusermount3 on a terminal). */
#pragma once

#include <sys/types.h>

/* Starts pkttyagent as a fallback agent if stdin is a terminal and it is
 * installed; returns its pid, or 0 if none was started. */
pid_t polkit_agent_open(void);
/* Stops it (NULL-safe: pid 0 does nothing). */
void polkit_agent_close(pid_t pid);

static inline void polkit_agent_closep(pid_t *pid) {
        polkit_agent_close(*pid);
}
