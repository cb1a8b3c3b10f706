// SPDX-License-Identifier: GPL-2.0-or-later
/* Giving memory back: fused runs for months and its heap must follow the
 * number of mounts down again, not stay at its high-water mark. */
#include <malloc.h>
#include <string.h>

#include "fused.h"

/* How long after a request ends or a mount goes the heap is trimmed: long
 * enough that a burst of requests pays for one trim, not one each. */
#define TRIM_DELAY_USEC (500ULL * 1000ULL)

/* Big buffers (a GetManagedObjects reply for 1000 mounts is 400 KiB) come
 * from mmap at the default threshold, but glibc raises the threshold to
 * the size of every mmapped chunk freed, after which they come from the
 * heap and stay there until a trim.  A fixed threshold keeps them out. */
#define MMAP_THRESHOLD (128 * 1024)

/* glibc's per-thread cache also keeps up to 7 freed chunks of each small
 * size out of the free lists, where malloc_trim() does not see them
 * (measured: 250 KiB resident after 1000 mounts came and went).  Only the
 * glibc.malloc.tcache_count tunable, read at exec, turns it off: the unit
 * sets it (fused.service, Environment=); fused does not exec itself. */
void memory_setup(void) {
        (void) mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
}

/* glibc gives heap memory back by itself only from the top of the heap and
 * only past M_TRIM_THRESHOLD; a record or a cache entry left high up pins
 * everything freed below it.  malloc_trim() also releases the free pages in
 * the middle, so that fused returns to its idle size once mounts and
 * requests are gone, and carries no dead pages while mounts live. */
static int on_trim_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) malloc_trim(0);
        return 0;
}

void context_trim_later(Context *c) {
        int enabled = SD_EVENT_OFF;

        if (!c->event)
                return;
        if (!c->trim_timer) {
                (void) sd_event_add_time_relative(c->event, &c->trim_timer, CLOCK_MONOTONIC, TRIM_DELAY_USEC,
                                                  0, on_trim_timer, c);
                return;
        }
        /* Armed already: not pushed back, so a steady stream of requests
         * still gets a trim every TRIM_DELAY_USEC. */
        if (sd_event_source_get_enabled(c->trim_timer, &enabled) >= 0 && enabled != SD_EVENT_OFF)
                return;
        if (sd_event_source_set_time_relative(c->trim_timer, TRIM_DELAY_USEC) >= 0)
                (void) sd_event_source_set_enabled(c->trim_timer, SD_EVENT_ONESHOT);
}
