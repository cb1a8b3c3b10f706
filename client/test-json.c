// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test: JSON string escaping of fusedctl --json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static int failures;

static void check(const char *in, const char *want) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        json_write_string(f, in);
        fclose(f);
        if (strcmp(buf, want) != 0) {
                fprintf(stderr, "FAIL: escaping %s gave %s, want %s\n", in ? in : "(null)", buf, want);
                failures++;
        }
        free(buf);
}

int main(void) {
        check(NULL, "\"\"");
        check("", "\"\"");
        check("/home/u/mnt", "\"/home/u/mnt\"");
        check("a\"b", "\"a\\\"b\"");
        check("back\\slash", "\"back\\\\slash\"");
        check("tab\there\nnl\rcr", "\"tab\\there\\nnl\\rcr\"");
        check("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
        check("caf\xc3\xa9", "\"caf\xc3\xa9\"");
        check("\b\f", "\"\\b\\f\"");
        if (failures)
                return 1;
        printf("ok\n");
        return 0;
}
