/* Unit test of conf.c: fuse.conf's two settings, comments, and malformed
 * lines reported and ignored, never fatal. */
#include <string.h>

#include "fused.h"
#include "test-helpers.h"

static unsigned warnings;
static void warn(unsigned line, const char *text, void *userdata) {
        warnings++;
}

int main(void) {
        FuseConf c;

        conf_parse(NULL, &c, warn, NULL);
        CHECK(c.mount_max == FUSED_MOUNT_MAX_DEFAULT && !c.user_allow_other);

        warnings = 0;
        conf_parse("# comment\n\n  user_allow_other  \nmount_max = 5\n", &c, warn, NULL);
        CHECK(c.user_allow_other && c.mount_max == 5 && warnings == 0);

        conf_parse("mount_max=7", &c, warn, NULL);
        CHECK(c.mount_max == 7 && warnings == 0);
        conf_parse("mount_max = 7 # trailing comment", &c, warn, NULL);
        CHECK(c.mount_max == 7 && warnings == 0);

        /* Malformed: each one warned about, the rest still applies. */
        warnings = 0;
        conf_parse("mount_max = abc\nuser_allow_otherx\nmount_max\nmount_max = 99999999999\n"
                   "garbage line\nmount_max = 3\n", &c, warn, NULL);
        CHECK(warnings == 5);
        CHECK(c.mount_max == 3 && !c.user_allow_other);

        /* A very long line is a warning, not a crash. */
        char *big = malloc(5000);
        memset(big, 'x', 4999);
        big[4999] = 0;
        warnings = 0;
        conf_parse(big, &c, warn, NULL);
        CHECK(warnings == 1 && c.mount_max == FUSED_MOUNT_MAX_DEFAULT);
        free(big);

        /* A missing file means the defaults. */
        CHECK(conf_load("/nonexistent/fuse.conf", &c, warn, NULL) == 0);
        CHECK(c.mount_max == FUSED_MOUNT_MAX_DEFAULT);
        return TEST_EXIT();
}
