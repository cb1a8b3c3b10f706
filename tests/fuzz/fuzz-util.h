/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the harnesses share: turning the fuzzer's bytes into a C string or
 * an argv, and a check that stops the run where the fuzzer can see it.
 *
 * Every copy is malloc'ed at its exact size, so AddressSanitizer catches a
 * read one byte past what the code under test was given. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant of the code under test: a failure is a finding, so it must
 * crash (libFuzzer then saves the input), not just print. */
#define FUZZ_CHECK(cond)                                                                \
        do {                                                                            \
                if (!(cond)) {                                                          \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,      \
                                __LINE__, #cond);                                       \
                        abort();                                                        \
                }                                                                       \
        } while (0)

static inline void fuzz_freep(void *p) {
        free(*(void **) p);
}
#define _fuzz_free_ __attribute__((cleanup(fuzz_freep)))

/* data as a NUL-terminated string; an embedded NUL ends it early, as it
 * would for any C caller. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

/* An argv made of data split at NUL bytes: "a\0b" is { "a", "b", NULL }.
 * Each argument is its own allocation, so an overread of one is caught. */
typedef struct FuzzArgv {
        int argc;
        char **argv;
} FuzzArgv;

#define FUZZ_ARGV_MAX 64

static inline void fuzz_argv_done(FuzzArgv *a) {
        for (int i = 0; a->argv && i < a->argc; i++)
                free(a->argv[i]);
        free(a->argv);
        a->argv = NULL;
        a->argc = 0;
}

/* Each argument ends at a NUL or at the end of data ("a\0\0" is "a" and
 * ""); argv[0] is @argv0 when given, else the first argument, and there is
 * always an argv[0], as the kernel guarantees. */
static inline void fuzz_argv_split(const uint8_t *data, size_t size, const char *argv0, FuzzArgv *ret) {
        FuzzArgv a = { .argv = calloc(FUZZ_ARGV_MAX + 1, sizeof(char *)) };

        if (!a.argv)
                abort();
        if (argv0 && !(a.argv[a.argc++] = strdup(argv0)))
                abort();
        for (size_t i = 0; i < size && a.argc < FUZZ_ARGV_MAX;) {
                const uint8_t *nul = memchr(data + i, 0, size - i);
                size_t n = nul ? (size_t) (nul - (data + i)) : size - i;

                a.argv[a.argc++] = fuzz_cstr(data + i, n);
                i += n + 1;
        }
        if (a.argc == 0)
                a.argv[a.argc++] = fuzz_cstr(data, 0);
        *ret = a;
}
