/* Logging: one structured journal entry per request (caller, mountpoint,
 * options, verdict, reason) so an admin can query decisions by field; plain
 * lines on stderr when there is no journal (tests, containers). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
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
