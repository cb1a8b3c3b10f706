// SPDX-License-Identifier: GPL-2.0-or-later
/* The option string libfusedclient prepares for Manager.Mount
 * (client/fused-options.c): from the command line of any program linked
 * with our libfuse3.  What it sends must split into the same options in
 * fused (an escape kept, never one cut in half), never grow, and need no
 * second pass. */
#include <string.h>

#include "fused-client.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _fuzz_free_ char *in = fuzz_cstr(data, size);
        _fuzz_free_ char *out = NULL, *again = NULL;
        unsigned flags = 0, flags2 = 0;

        FUZZ_CHECK(fused_options_prepare(in, &out, &flags) == 0);
        FUZZ_CHECK(out && strlen(out) <= strlen(in));
        FUZZ_CHECK((flags & ~FUSED_CLIENT_AUTO_UNMOUNT) == 0);
        /* Prepared once is prepared: nothing more to take out. */
        FUZZ_CHECK(fused_options_prepare(out, &again, &flags2) == 0);
        FUZZ_CHECK(strcmp(out, again) == 0 && flags2 == 0);
        return 0;
}
