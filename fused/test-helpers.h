/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tiny test harness for the unit tests beside the code: CHECK() reports the
 * failing expression and line and makes the test exit non-zero at the end. */
#pragma once
#include <stdio.h>
#include <stdlib.h>

static int test_failures;

#define CHECK(expr)                                                                     \
        do {                                                                            \
                if (!(expr)) {                                                          \
                        fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
                        test_failures++;                                                \
                }                                                                       \
        } while (0)

#define TEST_EXIT() (test_failures ? (fprintf(stderr, "%d check(s) failed\n", test_failures), 1) : 0)
