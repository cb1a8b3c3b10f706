/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks shared by the unit tests
 *
 * A failed check prints where it stood and is counted in failures, and
 * the test goes on, so one run shows every failure; main() ends non-zero
 * when failures is. */
#pragma once

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond) do {						\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s: check failed: %s\n", \
				__FILE__, __LINE__, __func__, #cond);	\
			failures++;					\
		}							\
	} while (0)

/* a and b equal strings; a NULL on either side is a failure. */
#define CHECK_STR(a, b) do {						\
		const char *a_ = (a), *b_ = (b);			\
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {		\
			fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", \
				__FILE__, __LINE__, __func__,		\
				a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
			failures++;					\
		}							\
	} while (0)
