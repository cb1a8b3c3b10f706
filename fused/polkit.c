// SPDX-License-Identifier: GPL-2.0-or-later
/* polkit's CheckAuthorization, called asynchronously over the bus so one
 * caller waiting for a password does not hold up the others.  The subject
 * is the caller's bus connection (system-bus-name), which is the caller by
 * definition: polkitd asks the bus daemon who it is, as fused did.  Not a
 * process by pid: the pid the bus recorded when the caller connected may
 * belong to another process by now, and polkit would then judge that one.
 * Fails closed: anything but a clear "yes" is a no. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "fused.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_TIMEOUT_USEC (25ULL * 1000000ULL)
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (300ULL * 1000000ULL)

/* polkit's "yes" for one exact question (action, bus connection, uid, and
 * every detail: mountpoint, fstype, subtype, options) is
 * remembered for a short while, so that a filesystem that mounts and
 * unmounts the same thing over and over does not wait for polkitd each
 * time.  A different mountpoint or option is a different question.  Only
 * answers given without authentication are kept; all of them go when
 * polkitd says its rules or authorizations changed (Changed) or polkitd
 * comes or goes; anything else a rule may look at is seen within the TTL. */
#define POLKIT_CACHE_MAX 32
#define POLKIT_CACHE_TTL_USEC (2ULL * 1000000ULL)

typedef struct PolkitCached {
        char *key;
        size_t len;
        uint64_t until;
} PolkitCached;

static PolkitCached cache[POLKIT_CACHE_MAX];
static unsigned cache_next;

static uint64_t cache_flushes;

void polkit_cache_flush(void) {
        cache_flushes++;
        for (unsigned i = 0; i < POLKIT_CACHE_MAX; i++) {
                free(cache[i].key);
                cache[i] = (PolkitCached) {};
        }
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

/* The question as one byte string: the fields joined with NULs (no field
 * can hold a NUL), so no two questions give the same key. */
static char *cache_key(const Caller *caller, const char *action, const PolkitDetails *d, size_t *ret_len) {
        /* A unique name is never given twice by one bus daemon. */
        const char *f[] = { caller->sender ? caller->sender : "", action, d->mountpoint ? d->mountpoint : "",
                            d->fstype ? d->fstype : "", d->subtype ? d->subtype : "", d->options ? d->options : "",
                            d->ns_kind ? d->ns_kind : "" };
        char head[32];
        int hn = snprintf(head, sizeof head, "%u %u", (unsigned) caller->uid, (unsigned) d->uid);
        size_t len = (size_t) hn + 1;

        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                len += strlen(f[i]) + 1;
        char *k = malloc(len), *p = k;
        if (!k)
                return NULL;
        memcpy(p, head, (size_t) hn + 1);
        p += hn + 1;
        for (size_t i = 0; i < ELEMENTSOF(f); i++) {
                size_t n = strlen(f[i]) + 1;
                memcpy(p, f[i], n);
                p += n;
        }
        *ret_len = len;
        return k;
}

static bool cache_hit(const char *key, size_t len) {
        uint64_t t = now_usec();

        for (unsigned i = 0; i < POLKIT_CACHE_MAX; i++)
                if (cache[i].key && cache[i].len == len && memcmp(cache[i].key, key, len) == 0) {
                        if (cache[i].until > t)
                                return true;
                        free(cache[i].key);
                        cache[i] = (PolkitCached) {};
                }
        return false;
}

static void cache_add(char *key, size_t len) {
        PolkitCached *e = &cache[cache_next++ % POLKIT_CACHE_MAX];

        free(e->key);
        *e = (PolkitCached) { .key = key, .len = len, .until = now_usec() + POLKIT_CACHE_TTL_USEC };
}

typedef struct PolkitCall {
        Context *c;
        polkit_done_t done;
        void *userdata;
        char *key;              /* to remember a "yes" under */
        size_t key_len;
        uint64_t flushes;       /* cache_flushes when asked */
} PolkitCall;

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        polkit_cache_flush();
        return 0;
}

int polkit_watch(Context *c) {
        return sd_bus_match_signal(c->bus, NULL, POLKIT_NAME, "/org/freedesktop/PolicyKit1/Authority",
                                   "org.freedesktop.PolicyKit1.Authority", "Changed", on_changed, c);
}

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
        /* Not if the rules changed while polkitd was answering. */
        if (r == 1 && !challenge && call->key && call->flushes == cache_flushes) {
                cache_add(call->key, call->key_len);
                call->key = NULL;
        }
        polkit_done_t done = call->done;
        Context *c = call->c;
        void *ud = call->userdata;
        free(call->key);
        free(call);
        done(c, r, challenge, ud);
        return 0;
}

int polkit_check(Context *c, const Caller *caller, const char *action, const PolkitDetails *d,
                 bool interactive, polkit_done_t done, void *userdata, sd_bus_slot **ret_slot) {
        sd_bus_message *m = NULL;
        char uid[16];
        int r;

        size_t key_len = 0;
        char *key = cache_key(caller, action, d, &key_len);
        if (key && cache_hit(key, key_len)) {
                free(key);
                done(c, 1, false, userdata);
                if (ret_slot)
                        *ret_slot = NULL;
                return 0;
        }

        snprintf(uid, sizeof uid, "%u", (unsigned) d->uid);
        r = sd_bus_message_new_method_call(c->bus, &m, POLKIT_NAME, "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0) {
                free(key);
                return r;
        }
        /* polkitd is normally started on demand by the bus: let it be.  If
         * it cannot be (not installed, no service file, fails to start), the
         * bus answers with an error that becomes PolkitUnavailable. */
        r = sd_bus_message_append(m, "(sa{sv})s", "system-bus-name", 1, "name", "s", caller->sender, action);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{ss}");
        if (r >= 0)
                r = sd_bus_message_append(m, "{ss}{ss}{ss}{ss}{ss}{ss}",
                                          FUSED_DETAIL_MOUNTPOINT, d->mountpoint ? d->mountpoint : "",
                                          FUSED_DETAIL_FSTYPE, d->fstype ? d->fstype : "",
                                          FUSED_DETAIL_SUBTYPE, d->subtype ? d->subtype : "",
                                          FUSED_DETAIL_OPTIONS, d->options ? d->options : "",
                                          FUSED_DETAIL_UID, uid,
                                          FUSED_DETAIL_NAMESPACE, d->ns_kind ? d->ns_kind : "");
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        /* flags: 1 = AllowUserInteraction; cancellation id: none */
        if (r >= 0)
                r = sd_bus_message_append(m, "us", interactive ? 1u : 0u, "");
        if (r < 0) {
                sd_bus_message_unref(m);
                free(key);
                return r;
        }

        PolkitCall *call = calloc(1, sizeof *call);
        if (!call) {
                sd_bus_message_unref(m);
                free(key);
                return -ENOMEM;
        }
        *call = (PolkitCall) { .c = c, .done = done, .userdata = userdata, .key = key, .key_len = key_len,
                               .flushes = cache_flushes };
        /* The slot floats: the reply (or sd-bus's timeout error) always comes,
         * and frees the call. */
        r = sd_bus_call_async(c->bus, NULL, m, on_reply, call,
                              interactive ? POLKIT_INTERACTIVE_TIMEOUT_USEC : POLKIT_TIMEOUT_USEC);
        sd_bus_message_unref(m);
        if (r < 0) {
                free(call->key);
                free(call);
                return r;
        }
        if (ret_slot)
                *ret_slot = NULL;
        return 0;
}
