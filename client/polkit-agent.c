// SPDX-License-Identifier: GPL-2.0-or-later
/* A textual polkit agent for the length of one command, so that an
 * interactive authorization (ALLOW_INTERACTIVE_AUTHORIZATION) can actually
 * ask for a password on the terminal: pkttyagent, started as a fallback
 * agent, and waited for until it says it is registered. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "polkit-agent.h"

#ifndef PKTTYAGENT
#define PKTTYAGENT "/usr/bin/pkttyagent"
#endif

pid_t polkit_agent_open(void) {
        int pipefd[2];
        pid_t pid;

        if (!isatty(STDIN_FILENO) || access(PKTTYAGENT, X_OK) < 0)
                return 0;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return 0;
        pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return 0;
        }
        if (pid == 0) {
                char fdstr[16];
                int fd = fcntl(pipefd[1], F_DUPFD, 3);   /* without O_CLOEXEC */

                if (fd < 0)
                        _exit(127);
                snprintf(fdstr, sizeof(fdstr), "%d", fd);
                execl(PKTTYAGENT, PKTTYAGENT, "--notify-fd", fdstr, "--fallback", (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        /* pkttyagent closes the fd once registered; give it a few seconds,
         * then go on without (the call then fails with a clear message). */
        struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
        (void) poll(&p, 1, 5000);
        close(pipefd[0]);
        return pid;
}

void polkit_agent_close(pid_t pid) {
        if (pid <= 0)
                return;
        (void) kill(pid, SIGTERM);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
