// SPDX-License-Identifier: LGPL-2.1-or-later
/* Signals that end a session: SIGINT, SIGTERM, SIGHUP; SIGPIPE ignored
 *
 * The handler only marks the session exited; the loop, interrupted in its
 * read (the handler is installed without SA_RESTART), sees that and
 * returns, and the program unmounts on its normal path.  Handlers a program
 * installed itself are left alone.
 */

#include <signal.h>
#include <string.h>

#include "fuse_lowlevel.h"
#include "fuse_i.h"

static struct fuse_session *signal_session;

static void exit_handler(int sig)
{
        struct fuse_session *se = signal_session;

        if (se) {
                fuse_session_exit(se);
                se->error = sig;
        }
}

/* Installs @handler for @sig unless the program has its own there; with
 * @remove, puts the default back where @handler is installed. */
static int set_one(int sig, void (*handler)(int), bool remove)
{
        struct sigaction sa, old;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = remove ? SIG_DFL : handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;

        if (sigaction(sig, NULL, &old) == -1) {
                fuse_log(FUSE_LOG_ERR, "fuse: cannot get signal handler: %m\n");
                return -1;
        }
        if (old.sa_handler != (remove ? handler : SIG_DFL))
                return 0;
        if (sigaction(sig, &sa, NULL) == -1) {
                fuse_log(FUSE_LOG_ERR, "fuse: cannot set signal handler: %m\n");
                return -1;
        }
        return 0;
}

int fuse_set_signal_handlers(struct fuse_session *se)
{
        /* The session is published before the handlers can run. */
        signal_session = se;
        if (set_one(SIGHUP, exit_handler, false) == -1 ||
            set_one(SIGINT, exit_handler, false) == -1 ||
            set_one(SIGTERM, exit_handler, false) == -1 ||
            set_one(SIGPIPE, SIG_IGN, false) == -1)
                return -1;
        return 0;
}

void fuse_remove_signal_handlers(struct fuse_session *se)
{
        if (signal_session != se)
                fuse_log(FUSE_LOG_ERR,
                         "fuse: fuse_remove_signal_handlers: unknown session\n");
        else
                signal_session = NULL;

        set_one(SIGHUP, exit_handler, true);
        set_one(SIGINT, exit_handler, true);
        set_one(SIGTERM, exit_handler, true);
        set_one(SIGPIPE, SIG_IGN, true);
}
