/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON string escaping for fusedctl's --json output. */
#pragma once

#include <stdio.h>

/* Writes `s` (NULL = "") as a quoted JSON string. */
void json_write_string(FILE *f, const char *s);
