// SPDX-License-Identifier: GPL-2.0-or-later
/* Logging: one structured journal entry per request (caller, mountpoint,
 * options, verdict, reason) so an admin can query decisions by field; plain
 * lines on stderr when there is no journal (tests, containers). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "fused.h"

static int use_journal = -1;

static bool journal_available(void) {
        if (use_journal < 0) {
                struct stat st;
                const char *e = getenv("FUSED_LOG_STDERR");
                use_journal = !(e && *e == '1') && stat("/run/systemd/journal/socket", &st) == 0 &&
                              S_ISSOCK(st.st_mode);
        }
        return use_journal;
}

/* The fields formatted into one buffer on the stack and sent as they are:
 * sd_journal_send() allocates and formats each field by itself, about
 * a third of the cost of a request's log line.  -ENOBUFS if they do not
 * fit (long mountpoint, options and reason): sd_journal_send() then. */
static int journal_send_request(const LogRequest *l, const char *uid, const char *pid, const char *mp,
                                const char *opts, const char *reason) {
        char buf[16384];
        struct iovec iov[10];
        size_t used = 0, n = 0;
        int r = 0;

#define FIELD(...)                                                                      \
        do {                                                                            \
                int k = snprintf(buf + used, sizeof buf - used, __VA_ARGS__);           \
                if (k < 0 || (size_t) k >= sizeof buf - used)                           \
                        r = -ENOBUFS;                                                   \
                else {                                                                  \
                        iov[n++] = (struct iovec) { buf + used, (size_t) k };           \
                        used += (size_t) k + 1;                                         \
                }                                                                       \
        } while (0)
        FIELD("MESSAGE=%s uid=%s pid=%s %s: %s%s%s", l->method, uid, pid, mp, l->verdict, *reason ? ": " : "",
              reason);
        FIELD("PRIORITY=%d", strcmp(l->verdict, "allow") == 0 ? LOG_INFO : LOG_NOTICE);
        FIELD("SYSLOG_IDENTIFIER=fused");
        FIELD("FUSED_METHOD=%s", l->method);
        FIELD("CALLER_UID=%s", uid);
        FIELD("CALLER_PID=%s", pid);
        FIELD("MOUNTPOINT=%s", mp);
        FIELD("OPTIONS=%s", opts);
        FIELD("VERDICT=%s", l->verdict);
        FIELD("REASON=%s", reason);
#undef FIELD
        if (r < 0)
                return r;
        return sd_journal_sendv(iov, (int) n);
}

void log_request(const LogRequest *l) {
        const char *mp = l->mountpoint ? l->mountpoint : "";
        const char *opts = l->options ? l->options : "";
        const char *reason = l->reason ? l->reason : "";
        char uid[16] = "?", pid[16] = "?";

        /* Before the caller is identified there is no uid or pid to log. */
        if (l->uid != (uid_t) -1)
                snprintf(uid, sizeof uid, "%u", (unsigned) l->uid);
        if (l->pid > 0)
                snprintf(pid, sizeof pid, "%d", (int) l->pid);

        if (journal_available()) {
                if (journal_send_request(l, uid, pid, mp, opts, reason) != -ENOBUFS)
                        return;
                (void) sd_journal_send("MESSAGE=%s uid=%s pid=%s %s: %s%s%s", l->method, uid, pid, mp,
                                       l->verdict, *reason ? ": " : "", reason,
                                       "PRIORITY=%d", strcmp(l->verdict, "allow") == 0 ? LOG_INFO : LOG_NOTICE,
                                       "SYSLOG_IDENTIFIER=fused",
                                       "FUSED_METHOD=%s", l->method,
                                       "CALLER_UID=%s", uid,
                                       "CALLER_PID=%s", pid,
                                       "MOUNTPOINT=%s", mp,
                                       "OPTIONS=%s", opts,
                                       "VERDICT=%s", l->verdict,
                                       "REASON=%s", reason,
                                       NULL);
                return;
        }
        fprintf(stderr, "fused: %s uid=%s pid=%s mountpoint=%s options=%s verdict=%s reason=%s\n",
                l->method, uid, pid, mp, opts, l->verdict, reason);
}

static void vlog(int prio, const char *fmt, va_list ap) {
        char buf[1024];

        vsnprintf(buf, sizeof buf, fmt, ap);
        if (journal_available())
                (void) sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%d", prio, "SYSLOG_IDENTIFIER=fused", NULL);
        else
                fprintf(stderr, "fused: %s\n", buf);
}

void log_msg(int prio, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vlog(prio, fmt, ap);
        va_end(ap);
}

int log_errno(int prio, int r, const char *fmt, ...) {
        char buf[900];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        log_msg(prio, "%s: %s", buf, strerror(r < 0 ? -r : r));
        return r < 0 ? r : -r;
}
