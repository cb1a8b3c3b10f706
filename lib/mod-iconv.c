// SPDX-License-Identifier: LGPL-2.1-or-later
/* The iconv module: "-o modules=iconv,from_code=X,to_code=Y" shows file
 * names stored in charset X (the file system's) as charset Y (the
 * mount's): paths going down are converted Y -> X, names coming up from
 * readdir and readlink X -> Y. */
#include "mod-pathmap.h"

#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iconv_fs {
	pthread_mutex_t lock;	/* an iconv_t is not thread-safe */
	char *from_code;
	char *to_code;
	iconv_t tofs;
	iconv_t fromfs;
};

static int convert(struct iconv_fs *ic, iconv_t cd, const char *s,
		   char **ret)
{
	size_t inlen, cap;
	char *out = NULL;
	int r = 0;

	*ret = NULL;
	if (!s)
		return 0;
	inlen = strlen(s);
	cap = inlen * 2 + 16;
	pthread_mutex_lock(&ic->lock);
	for (;;) {
		char *in = (char *)s, *o;
		size_t inleft = inlen, outleft;
		char *n = realloc(out, cap + 1);

		if (!n) {
			r = -ENOMEM;
			break;
		}
		out = n;
		o = out;
		outleft = cap;
		iconv(cd, NULL, NULL, NULL, NULL);
		if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1 &&
		    iconv(cd, NULL, NULL, &o, &outleft) != (size_t)-1) {
			*o = '\0';
			break;
		}
		if (errno != E2BIG) {
			r = -EILSEQ;
			break;
		}
		cap *= 2;
	}
	pthread_mutex_unlock(&ic->lock);
	if (r) {
		free(out);
		return r;
	}
	*ret = out;
	return 0;
}

/* Paths and symlink targets going down: the mount's charset to the
 * file system's. */
static int ic_in(void *data, const char *path, char **ret)
{
	struct iconv_fs *ic = data;

	return convert(ic, ic->tofs, path, ret);
}

/* Names coming up from readdir: the file system's charset to the
 * mount's. */
static int ic_out(void *data, const char *name, char **ret)
{
	struct iconv_fs *ic = data;

	return convert(ic, ic->fromfs, name, ret);
}

static int ic_target_out(void *data, const char *path, char *buf,
			 size_t size)
{
	char *conv;
	int err = ic_out(data, buf, &conv);

	(void)path;
	if (err)
		return err;
	strncpy(buf, conv, size - 1);
	buf[size - 1] = '\0';
	free(conv);
	return 0;
}

static void ic_free(void *data)
{
	struct iconv_fs *ic = data;

	if (ic->tofs != (iconv_t)-1)
		iconv_close(ic->tofs);
	if (ic->fromfs != (iconv_t)-1)
		iconv_close(ic->fromfs);
	free(ic->from_code);
	free(ic->to_code);
	pthread_mutex_destroy(&ic->lock);
	free(ic);
}

static const struct hl_pathmap_ops iconv_map = {
	.path_in = ic_in,
	.target_in = ic_in,
	.target_out = ic_target_out,
	.name_out = ic_out,
	.free = ic_free,
};

static const struct fuse_opt iconv_opts[] = {
	{ "from_code=%s", offsetof(struct iconv_fs, from_code), 0 },
	{ "to_code=%s", offsetof(struct iconv_fs, to_code), 0 },
	FUSE_OPT_END
};

/* The locale's charset, without leaving the program's locale changed. */
static char *locale_charset(void)
{
	const char *cur = setlocale(LC_CTYPE, NULL);
	char *saved = cur ? strdup(cur) : NULL;
	char *r;

	setlocale(LC_CTYPE, "");
	r = strdup(nl_langinfo(CODESET));
	if (saved) {
		setlocale(LC_CTYPE, saved);
		free(saved);
	}
	return r;
}

void hl_iconv_help(void)
{
	char *cs = locale_charset();

	printf(
"    -o from_code=CHARSET   charset of the file system's names (UTF-8)\n"
"    -o to_code=CHARSET     charset shown through the mount (%s)\n",
	       cs ? cs : "the locale's");
	free(cs);
}

struct fuse_fs *hl_iconv_factory(struct fuse_args *args,
				 struct fuse_fs *next[])
{
	struct iconv_fs *ic;
	struct fuse_fs *fs;

	if (!next[0] || next[1]) {
		fuse_log(FUSE_LOG_ERR, "iconv: exactly one file system below\n");
		return NULL;
	}
	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return NULL;
	pthread_mutex_init(&ic->lock, NULL);
	ic->tofs = ic->fromfs = (iconv_t)-1;
	if (fuse_opt_parse(args, ic, iconv_opts, NULL) == -1)
		goto fail;
	if (!ic->from_code)
		ic->from_code = strdup("UTF-8");
	if (!ic->to_code)
		ic->to_code = locale_charset();
	if (!ic->from_code || !ic->to_code)
		goto fail;
	ic->tofs = iconv_open(ic->from_code, ic->to_code);
	ic->fromfs = iconv_open(ic->to_code, ic->from_code);
	if (ic->tofs == (iconv_t)-1 || ic->fromfs == (iconv_t)-1) {
		fuse_log(FUSE_LOG_ERR,
			 "iconv: cannot convert between '%s' and '%s'\n",
			 ic->from_code, ic->to_code);
		goto fail;
	}
	fs = hl_pathmap_new(&iconv_map, ic, next[0]);
	if (fs)
		return fs;
fail:
	ic_free(ic);
	return NULL;
}
