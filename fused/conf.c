// SPDX-License-Identifier: GPL-2.0-or-later
/* fuse.conf: mount_max and user_allow_other, in fusermount3's format.  A
 * line we do not understand is reported to the caller's warn callback and
 * ignored: a typo in an admin's file must not stop mounts.  Read again only
 * when it changed, but an edit always counts from the next request on. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

/* The last file read, known by what stat says of it.  An edit in place
 * that keeps the size can keep mtime and ctime too when it falls in the
 * same clock tick as the read (timestamps are coarse, some milliseconds),
 * so a file changed less than CONF_SETTLE_NSEC before it was read is not
 * trusted: read again until it has been quiet that long.  Any later edit
 * then gets a later ctime. */
#define CONF_SETTLE_NSEC (1000LL * 1000 * 1000)

typedef struct ConfCache {
        char *path;
        bool valid;
        bool missing;           /* no file: the defaults */
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime, ctime;
        FuseConf conf;
} ConfCache;

static ConfCache conf_cache;

static bool ts_equal(struct timespec a, struct timespec b) {
        return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool cache_matches(const ConfCache *k, const char *path, int stat_r, const struct stat *st) {
        if (!k->valid || !k->path || strcmp(k->path, path) != 0)
                return false;
        if (stat_r == -ENOENT)
                return k->missing;
        return stat_r == 0 && !k->missing && st->st_dev == k->dev && st->st_ino == k->ino &&
               st->st_size == k->size && ts_equal(st->st_mtim, k->mtime) && ts_equal(st->st_ctim, k->ctime);
}

static long long ns_since(struct timespec now, struct timespec t) {
        return (long long) (now.tv_sec - t.tv_sec) * 1000000000LL + (now.tv_nsec - t.tv_nsec);
}

static bool settled(const struct stat *st) {
        struct timespec now;

        if (clock_gettime(CLOCK_REALTIME, &now) < 0)
                return false;
        /* A clock set back makes "now" earlier: not settled, read again. */
        return ns_since(now, st->st_mtim) >= CONF_SETTLE_NSEC && ns_since(now, st->st_ctim) >= CONF_SETTLE_NSEC;
}

static void cache_store(const char *path, const struct stat *st, const FuseConf *conf) {
        if (!conf_cache.path || strcmp(conf_cache.path, path) != 0) {
                free(conf_cache.path);
                conf_cache.path = strdup(path);
        }
        conf_cache.valid = conf_cache.path != NULL;
        conf_cache.missing = st == NULL;
        if (st) {
                conf_cache.dev = st->st_dev;
                conf_cache.ino = st->st_ino;
                conf_cache.size = st->st_size;
                conf_cache.mtime = st->st_mtim;
                conf_cache.ctime = st->st_ctim;
        }
        conf_cache.conf = *conf;
}

/* conf_load(), without reading the file while stat says it is the one
 * read last time.  Warnings come once per version of the file. */
int conf_get(const char *path, FuseConf *ret, conf_warn_t warn, void *userdata) {
        struct stat st;
        int stat_r = stat(path, &st) < 0 ? -errno : 0;

        if (cache_matches(&conf_cache, path, stat_r, &st)) {
                *ret = conf_cache.conf;
                return 0;
        }
        conf_cache.valid = false;
        if (stat_r == -ENOENT) {
                conf_parse(NULL, ret, warn, userdata);
                cache_store(path, NULL, ret);
                return 0;
        }

        /* What is recorded is the fstat of the file read: an edit after it
         * changes what the next stat says, so that one is read too. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *text = NULL;
        int r = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : 0;
        if (r >= 0)
                r = read_full_fd(fd, &text, 64 * 1024);
        if (r == -ENOENT) {
                conf_parse(NULL, ret, warn, userdata);
                return 0;
        }
        if (r < 0) {
                conf_parse(NULL, ret, warn, userdata);
                return r;
        }
        conf_parse(text, ret, warn, userdata);
        if (settled(&st))
                cache_store(path, &st, ret);
        return 0;
}
