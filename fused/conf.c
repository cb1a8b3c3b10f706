/* fuse.conf: mount_max and user_allow_other, in fusermount3's format.  A
 * line we do not understand is reported to the caller's warn callback and
 * ignored: a typo in an admin's file must not stop mounts. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "fused.h"

static char *strip(char *s) {
        while (isspace((unsigned char) *s))
                s++;
        char *e = s + strlen(s);
        while (e > s && isspace((unsigned char) e[-1]))
                *--e = 0;
        return s;
}

static bool parse_line(char *line, FuseConf *c) {
        if (strcmp(line, "user_allow_other") == 0) {
                c->user_allow_other = true;
                return true;
        }
        if (strncmp(line, "mount_max", 9) == 0) {
                char *p = strip(line + 9);
                if (*p != '=')
                        return false;
                p = strip(p + 1);
                if (!*p || strlen(p) > 10)
                        return false;
                unsigned long v = 0;
                for (char *q = p; *q; q++) {
                        if (!isdigit((unsigned char) *q))
                                return false;
                        v = v * 10 + (unsigned long) (*q - '0');
                }
                if (v > UINT32_MAX)
                        return false;
                c->mount_max = (unsigned) v;
                return true;
        }
        return false;
}

void conf_parse(const char *text, FuseConf *ret, conf_warn_t warn, void *userdata) {
        FuseConf c = { .mount_max = FUSED_MOUNT_MAX_DEFAULT };
        unsigned lineno = 0;

        while (text && *text) {
                const char *nl = strchr(text, '\n');
                size_t n = nl ? (size_t) (nl - text) : strlen(text);
                char buf[1024];

                lineno++;
                if (n >= sizeof buf) {
                        if (warn)
                                warn(lineno, "(line too long)", userdata);
                } else {
                        memcpy(buf, text, n);
                        buf[n] = 0;
                        char *hash = strchr(buf, '#');
                        if (hash)
                                *hash = 0;
                        char *line = strip(buf);
                        if (*line && !parse_line(line, &c) && warn)
                                warn(lineno, line, userdata);
                }
                text += n;
                if (*text == '\n')
                        text++;
        }
        *ret = c;
}

/* A missing file means the defaults, as for fusermount3. */
int conf_load(const char *path, FuseConf *ret, conf_warn_t warn, void *userdata) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(path, &text, 64 * 1024);

        if (r == -ENOENT) {
                conf_parse(NULL, ret, warn, userdata);
                return 0;
        }
        if (r < 0) {
                conf_parse(NULL, ret, warn, userdata);
                return r;
        }
        conf_parse(text, ret, warn, userdata);
        return 0;
}
