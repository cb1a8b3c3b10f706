// SPDX-License-Identifier: LGPL-2.1-or-later
/* The subdir module: "-o modules=subdir,subdir=DIR" shows DIR of the
 * file system below as the root; with rellinks, absolute symlinks that
 * point inside DIR read back as relative ones, so they still work when
 * seen through the mount. */
#include "mod-pathmap.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct subdir {
	char *base;
	size_t baselen;
	int rellinks;
};

/* DIR in front of every path going down; a symlink's target stays as
 * it is. */
static int addpath(void *data, const char *path, char **ret)
{
	struct subdir *d = data;
	size_t len;
	char *p;

	*ret = NULL;
	if (!path)
		return 0;	/* nullpath_ok: stays NULL */
	len = strlen(path);
	p = malloc(d->baselen + len + 2);
	if (!p)
		return -ENOMEM;
	memcpy(p, d->base, d->baselen);
	memcpy(p + d->baselen, path, len + 1);
	if (!p[0])
		strcpy(p, "/");
	*ret = p;
	return 0;
}

/* Components of s up to (not including) the last one, for counting. */
static size_t count_dirs(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n ? n - 1 : 0;
}

/* An absolute target inside the subdir becomes relative to the link's
 * directory: the shared leading directories are dropped and each of the
 * link's remaining ones becomes "../". */
static void make_relative(struct subdir *d, const char *linkpath, char *buf,
			  size_t size)
{
	const char *t, *l = linkpath;
	size_t ups, rest;
	char *out;

	if (buf[0] != '/' || d->baselen == 0 ||
	    strncmp(buf, d->base, d->baselen) != 0 ||
	    (buf[d->baselen] != '/' && buf[d->baselen] != '\0'))
		return;
	t = buf + d->baselen;	/* "/a/b" as seen through the mount */
	for (;;) {
		const char *le = strchr(l + 1, '/');
		size_t n;

		/* stop at the link's own name: only directories match */
		if (!le)
			break;
		n = (size_t)(le - l);
		if (strncmp(l, t, n) != 0 || (t[n] != '/' && t[n] != '\0'))
			break;
		l += n;
		t += n;
	}
	ups = count_dirs(l);
	while (*t == '/')
		t++;
	rest = strlen(t);
	if (ups * 3 + rest + 2 > size)
		return;
	out = malloc(ups * 3 + rest + 2);
	if (!out)
		return;
	for (size_t i = 0; i < ups; i++)
		memcpy(out + i * 3, "../", 3);
	memcpy(out + ups * 3, t, rest + 1);
	if (!out[0])
		strcpy(out, ".");
	else if (ups && !rest)
		out[ups * 3 - 1] = '\0';	/* "../.." not "../../" */
	strcpy(buf, out);
	free(out);
}

/* With rellinks, an absolute target into the subdir reads as relative. */
static int sd_target_out(void *data, const char *path, char *buf,
			 size_t size)
{
	struct subdir *d = data;

	if (d->rellinks)
		make_relative(d, path, buf, size);
	return 0;
}

static void sd_free(void *data)
{
	struct subdir *d = data;

	free(d->base);
	free(d);
}

static const struct hl_pathmap_ops subdir_map = {
	.path_in = addpath,
	.target_out = sd_target_out,
	.free = sd_free,
};

struct subdir_opts {
	char *base;
	int rellinks;
};

static const struct fuse_opt subdir_opts[] = {
	{ "subdir=%s", offsetof(struct subdir_opts, base), 0 },
	{ "rellinks", offsetof(struct subdir_opts, rellinks), 1 },
	{ "norellinks", offsetof(struct subdir_opts, rellinks), 0 },
	FUSE_OPT_END
};

void hl_subdir_help(void)
{
	printf(
"    -o subdir=DIR          show DIR of the file system as its root (required)\n"
"    -o [no]rellinks        absolute symlinks into DIR read as relative (off)\n");
}

struct fuse_fs *hl_subdir_factory(struct fuse_args *args,
				  struct fuse_fs *next[])
{
	struct subdir_opts o = { 0 };
	struct subdir *d;
	struct fuse_fs *fs;

	if (!next[0] || next[1]) {
		fuse_log(FUSE_LOG_ERR, "subdir: exactly one file system below\n");
		return NULL;
	}
	if (fuse_opt_parse(args, &o, subdir_opts, NULL) == -1)
		return NULL;
	if (!o.base) {
		fuse_log(FUSE_LOG_ERR, "subdir: missing 'subdir' option\n");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		free(o.base);
		return NULL;
	}
	d->base = o.base;
	d->baselen = strlen(d->base);
	while (d->baselen && d->base[d->baselen - 1] == '/')
		d->base[--d->baselen] = '\0';
	d->rellinks = o.rellinks;
	fs = hl_pathmap_new(&subdir_map, d, next[0]);
	if (!fs)
		sd_free(d);
	return fs;
}
