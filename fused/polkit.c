/* polkit's CheckAuthorization, called asynchronously over the bus so one
 * caller waiting for a password does not hold up the others.  The subject
 * is the caller's process (pid and start time, which polkit re-checks so a
 * recycled pid cannot stand in; polkit 122 takes no pidfd).  Fails closed:
 * anything but a clear "yes" is a no. */
#include <errno.h>
#include <string.h>

#include "fused.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_TIMEOUT_USEC (25ULL * 1000000ULL)
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (300ULL * 1000000ULL)

typedef struct PolkitCall {
        Context *c;
        polkit_done_t done;
        void *userdata;
} PolkitCall;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PolkitCall *call = userdata;
        int authorized = 0, challenge = 0;
        int r;

        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                                           SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_DISCONNECTED) ||
                    (e->name && strncmp(e->name, "org.freedesktop.DBus.Error.Spawn.", 33) == 0))
                        r = -EHOSTDOWN;
                else if (sd_bus_error_has_name(e, SD_BUS_ERROR_LIMITS_EXCEEDED)) {
                        /* The bus refused one more pending call of ours
                         * (max_replies_per_connection): too many requests
                         * at once, not a "no" from polkit. */
                        log_msg(LOG_WARNING, "The bus refused the polkit check: %s",
                                e->message ? e->message : e->name);
                        r = -EBUSY;
                } else {
                        log_msg(LOG_WARNING, "polkit refused the check: %s: %s", e->name,
                                e->message ? e->message : "");
                        r = -EACCES;
                }
        } else {
                r = sd_bus_message_enter_container(m, 'r', "bba{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(m, "bb", &authorized, &challenge);
                if (r >= 0)
                        r = authorized ? 1 : 0;
                else
                        r = -EBADMSG;
        }
        polkit_done_t done = call->done;
        Context *c = call->c;
        void *ud = call->userdata;
        free(call);
        done(c, r, challenge, ud);
        return 0;
}

int polkit_check(Context *c, const Caller *caller, const char *action, const PolkitDetails *d,
                 bool interactive, polkit_done_t done, void *userdata, sd_bus_slot **ret_slot) {
        sd_bus_message *m = NULL;
        char uid[16];
        int r;

        snprintf(uid, sizeof uid, "%u", (unsigned) d->uid);
        r = sd_bus_message_new_method_call(c->bus, &m, POLKIT_NAME, "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        /* polkitd is normally started on demand by the bus: let it be.  If
         * it cannot be (not installed, no service file, fails to start), the
         * bus answers with an error that becomes PolkitUnavailable. */
        r = sd_bus_message_append(m, "(sa{sv})s", "unix-process", 3,
                                  "pid", "u", (uint32_t) caller->pid,
                                  "start-time", "t", caller->start_time,
                                  "uid", "i", (int32_t) caller->uid,
                                  action);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{ss}");
        if (r >= 0)
                r = sd_bus_message_append(m, "{ss}{ss}{ss}{ss}{ss}",
                                          FUSED_DETAIL_MOUNTPOINT, d->mountpoint ? d->mountpoint : "",
                                          FUSED_DETAIL_FSTYPE, d->fstype ? d->fstype : "",
                                          FUSED_DETAIL_SUBTYPE, d->subtype ? d->subtype : "",
                                          FUSED_DETAIL_OPTIONS, d->options ? d->options : "",
                                          FUSED_DETAIL_UID, uid);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        /* flags: 1 = AllowUserInteraction; cancellation id: none */
        if (r >= 0)
                r = sd_bus_message_append(m, "us", interactive ? 1u : 0u, "");
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }

        PolkitCall *call = calloc(1, sizeof *call);
        if (!call) {
                sd_bus_message_unref(m);
                return -ENOMEM;
        }
        *call = (PolkitCall) { .c = c, .done = done, .userdata = userdata };
        /* The slot floats: the reply (or sd-bus's timeout error) always comes,
         * and frees the call. */
        r = sd_bus_call_async(c->bus, NULL, m, on_reply, call,
                              interactive ? POLKIT_INTERACTIVE_TIMEOUT_USEC : POLKIT_TIMEOUT_USEC);
        sd_bus_message_unref(m);
        if (r < 0) {
                free(call);
                return r;
        }
        if (ret_slot)
                *ret_slot = NULL;
        return 0;
}
