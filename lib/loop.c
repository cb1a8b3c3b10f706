// SPDX-License-Identifier: LGPL-2.1-or-later
/* The single-threaded session loop
 *
 * Receive a request, process it, until the session is told to exit or the
 * filesystem is unmounted.  The loop knows nothing of the protocol: it only
 * calls the session's receive and process, and reuses one buffer.
 */

#include <errno.h>
#include <stdlib.h>

#include "fuse_lowlevel.h"
#include "fuse_i.h"

int fuse_session_loop(struct fuse_session *se)
{
        struct fuse_buf buf = { .mem = NULL };
        int r = 0;

        while (!fuse_session_exited(se)) {
                r = fuse_session_receive_buf_ch(se, &buf, NULL);
                /* A signal meant to stop us sets exited before we look again. */
                if (r == -EINTR || r == -EAGAIN)
                        continue;
                if (r <= 0)
                        break;
                fuse_session_process_buf_ch(se, &buf, NULL);
        }
        free(buf.mem);

        /* Unmounted (or the connection aborted): a normal end. */
        if (r > 0 || r == -ENODEV || r == -EINTR || r == -EAGAIN)
                r = 0;
        if (se->error != 0)
                r = se->error;
        fuse_session_reset(se);
        return r;
}
