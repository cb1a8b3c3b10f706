// SPDX-License-Identifier: LGPL-2.1-or-later
/* Option parsing: fuse_opt_parse() and the argument vector helpers
 *
 * The semantics are libfuse's, since programs depend on them in detail:
 * every matching template is applied, "-o a,b\,c" is split on unescaped
 * commas (backslash escapes, including three-digit octal ones, are
 * undone), kept "-o" options are merged into one "-o" after argv[0], and
 * after "--" everything is a non-option.  The public functions return 0 or
 * -1 as libfuse's do; the helpers return 0 or -errno.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_log.h"
#include "fuse_opt.h"

static inline void opt_freep(void *p) { free(*(void **)p); }
#define _opt_free_ __attribute__((cleanup(opt_freep)))

struct opt_ctx {
	void *data;
	const struct fuse_opt *opts;
	fuse_opt_proc_t proc;
	int argc;
	char **argv;
	int argctr;
	/* what survives parsing; argv[0] first */
	struct fuse_args out;
	/* kept "-o" options, escaped, comma-separated */
	char *kept_opts;
	/* index in out after which everything is a non-option ("--" seen) */
	int nonopt;
};

static int oom(void)
{
	fuse_log(FUSE_LOG_ERR, "fuse: out of memory\n");
	return -ENOMEM;
}

/* FUSE_OPT_KEY() stores -1U; accept the -1UL a hand-written table might
 * use too, since no data block is that large. */
static bool opt_is_key(const struct fuse_opt *o)
{
	return o->offset == (unsigned long)-1U || o->offset == (unsigned long)-1L;
}

/* A vector the library may grow: a caller's FUSE_ARGS_INIT(argc, argv)
 * points at main()'s argv, which is copied first rather than aborting as
 * the reference library does. */
static int args_make_own(struct fuse_args *args)
{
	char **v;

	if (args->allocated || !args->argv)
		return 0;
	v = calloc(args->argc + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < args->argc; i++) {
		v[i] = strdup(args->argv[i]);
		if (!v[i]) {
			while (i--)
				free(v[i]);
			free(v);
			return -ENOMEM;
		}
	}
	args->argv = v;
	args->allocated = 1;
	return 0;
}

int fuse_opt_insert_arg(struct fuse_args *args, int pos, const char *arg)
{
	_opt_free_ char *copy = NULL;
	char **v;

	if (!args || !arg || pos < 0 || pos > args->argc)
		return -1;
	if (args_make_own(args) < 0)
		return oom(), -1;
	copy = strdup(arg);
	if (!copy)
		return oom(), -1;
	v = realloc(args->argv, (args->argc + 2) * sizeof(char *));
	if (!v)
		return oom(), -1;
	args->argv = v;
	args->allocated = 1;
	memmove(&v[pos + 1], &v[pos], (args->argc - pos) * sizeof(char *));
	v[pos] = copy;
	copy = NULL;
	v[++args->argc] = NULL;
	return 0;
}

int fuse_opt_add_arg(struct fuse_args *args, const char *arg)
{
	if (!args)
		return -1;
	return fuse_opt_insert_arg(args, args->argc, arg);
}

void fuse_opt_free_args(struct fuse_args *args)
{
	if (!args)
		return;
	if (args->argv && args->allocated) {
		for (int i = 0; i < args->argc; i++)
			free(args->argv[i]);
		free(args->argv);
	}
	args->argc = 0;
	args->argv = NULL;
	args->allocated = 0;
}

static int opts_append(char **opts, const char *opt, bool escape)
{
	size_t oldlen = *opts ? strlen(*opts) : 0;
	char *s, *d;

	/* worst case: a comma, every byte escaped, the NUL */
	s = realloc(*opts, oldlen + 1 + 2 * strlen(opt) + 1);
	if (!s)
		return oom();
	*opts = s;
	d = s + oldlen;
	if (oldlen)
		*d++ = ',';
	for (; *opt; opt++) {
		if (escape && (*opt == ',' || *opt == '\\'))
			*d++ = '\\';
		*d++ = *opt;
	}
	*d = '\0';
	return 0;
}

int fuse_opt_add_opt(char **opts, const char *opt)
{
	if (!opts || !opt)
		return -1;
	return opts_append(opts, opt, false) < 0 ? -1 : 0;
}

int fuse_opt_add_opt_escaped(char **opts, const char *opt)
{
	if (!opts || !opt)
		return -1;
	return opts_append(opts, opt, true) < 0 ? -1 : 0;
}

/* Whether template t matches arg.  *sep gets the position of the
 * template's separator ('=' or ' ') when t takes a value, else 0.
 * "foo=" and "foo=%x" match anything starting with "foo="; "-x " and
 * "-x %x" anything starting with "-x" (the value may be the next
 * argument); anything else matches only itself. */
static bool template_match(const char *t, const char *arg, size_t *sep)
{
	const char *s = strchr(t, '=');

	if (!s)
		s = strchr(t, ' ');
	if (s && (s[1] == '\0' || s[1] == '%')) {
		size_t prefix = s - t + (*s == '=');

		if (strncmp(arg, t, prefix) == 0) {
			*sep = s - t;
			return true;
		}
	}
	if (strcmp(t, arg) == 0) {
		*sep = 0;
		return true;
	}
	return false;
}

static const struct fuse_opt *find_opt(const struct fuse_opt *o, const char *arg,
				       size_t *sep)
{
	for (; o && o->templ; o++)
		if (template_match(o->templ, arg, sep))
			return o;
	return NULL;
}

int fuse_opt_match(const struct fuse_opt opts[], const char *opt)
{
	size_t sep;

	if (!opts || !opt)
		return 0;
	return find_opt(opts, opt, &sep) != NULL;
}

static int keep(struct opt_ctx *ctx, const char *arg, bool in_group)
{
	if (in_group)
		return opts_append(&ctx->kept_opts, arg, true);
	if (fuse_opt_add_arg(&ctx->out, arg) < 0)
		return -ENOMEM;
	return 0;
}

/* Hands arg to the processing function (unless the key says what to do)
 * and keeps it if asked to.  -EINVAL if the function reported an error. */
static int call_proc(struct opt_ctx *ctx, const char *arg, int key, bool in_group)
{
	if (key == FUSE_OPT_KEY_DISCARD)
		return 0;
	if (key != FUSE_OPT_KEY_KEEP && ctx->proc) {
		int r = ctx->proc(ctx->data, arg, key, &ctx->out);

		if (r == -1)
			return -EINVAL;
		if (r == 0)
			return 0;
	}
	return keep(ctx, arg, in_group);
}

/* Stores a value converted with a template's format ("%s": a new string,
 * the old one freed; anything else: sscanf). */
static int store_param(void *var, const char *format, const char *param,
		       const char *arg)
{
	if (strcmp(format, "%s") == 0) {
		char *copy = strdup(param);

		if (!copy)
			return oom();
		free(*(char **)var);
		*(char **)var = copy;
		return 0;
	}
	if (sscanf(param, format, var) != 1) {
		fuse_log(FUSE_LOG_ERR, "fuse: invalid parameter in option '%s'\n", arg);
		return -EINVAL;
	}
	return 0;
}

static int apply_opt(struct opt_ctx *ctx, const struct fuse_opt *o, size_t sep,
		     const char *arg, bool in_group)
{
	void *var;

	if (opt_is_key(o))
		return call_proc(ctx, arg, o->value, in_group);
	if (!ctx->data)
		return 0;
	var = (char *)ctx->data + o->offset;
	if (sep && o->templ[sep + 1]) {
		const char *param = arg + sep + (o->templ[sep] == '=');

		return store_param(var, o->templ + sep + 1, param, arg);
	}
	*(int *)var = o->value;
	return 0;
}

static int next_arg(struct opt_ctx *ctx, const char *opt)
{
	if (ctx->argctr + 1 >= ctx->argc) {
		fuse_log(FUSE_LOG_ERR, "fuse: missing argument after '%s'\n", opt);
		return -EINVAL;
	}
	ctx->argctr++;
	return 0;
}

/* "-x" for a "-x " template: the value is the next argument, and the
 * template sees the two joined ("-xVALUE"). */
static int apply_opt_next_arg(struct opt_ctx *ctx, const struct fuse_opt *o,
			      size_t sep, const char *arg, bool in_group)
{
	_opt_free_ char *joined = NULL;
	int r;

	r = next_arg(ctx, arg);
	if (r < 0)
		return r;
	if (asprintf(&joined, "%.*s%s", (int)sep, arg, ctx->argv[ctx->argctr]) < 0) {
		joined = NULL;
		return oom();
	}
	return apply_opt(ctx, o, sep, joined, in_group);
}

/* One option (a "-x"/"--x" argument or one item of a "-o" group): every
 * matching template applies; with none it goes to proc as KEY_OPT. */
static int process_opt(struct opt_ctx *ctx, const char *arg, bool in_group)
{
	const struct fuse_opt *o;
	size_t sep;

	o = find_opt(ctx->opts, arg, &sep);
	if (!o)
		return call_proc(ctx, arg, FUSE_OPT_KEY_OPT, in_group);
	for (; o; o = find_opt(o + 1, arg, &sep)) {
		int r;

		if (sep && o->templ[sep] == ' ' && arg[sep] == '\0')
			r = apply_opt_next_arg(ctx, o, sep, arg, in_group);
		else
			r = apply_opt(ctx, o, sep, arg, in_group);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Splits "a,b\,c" into "a" and "b,c"; "\ooo" is an octal byte. */
static int process_group(struct opt_ctx *ctx, const char *group)
{
	_opt_free_ char *buf = strdup(group);
	const char *s = group;
	char *d;

	if (!buf)
		return oom();
	d = buf;
	for (;; s++) {
		if (*s == ',' || *s == '\0') {
			int r;

			*d = '\0';
			r = process_opt(ctx, buf, true);
			if (r < 0)
				return r;
			if (*s == '\0')
				return 0;
			d = buf;
		} else if (s[0] == '\\' && s[1] != '\0') {
			s++;
			if (s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
			    s[2] >= '0' && s[2] <= '7') {
				*d++ = (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
				s += 2;
			} else {
				*d++ = *s;
			}
		} else {
			*d++ = *s;
		}
	}
}

static int process_arg(struct opt_ctx *ctx, const char *arg)
{
	if (ctx->nonopt || arg[0] != '-')
		return call_proc(ctx, arg, FUSE_OPT_KEY_NONOPT, false);
	if (arg[1] == 'o') {
		int r;

		if (arg[2])
			return process_group(ctx, arg + 2);
		r = next_arg(ctx, arg);
		if (r < 0)
			return r;
		return process_group(ctx, ctx->argv[ctx->argctr]);
	}
	if (arg[1] == '-' && arg[2] == '\0') {
		if (fuse_opt_add_arg(&ctx->out, arg) < 0)
			return -ENOMEM;
		ctx->nonopt = ctx->out.argc;
		return 0;
	}
	return process_opt(ctx, arg, false);
}

static int parse_all(struct opt_ctx *ctx)
{
	int r;

	if (fuse_opt_add_arg(&ctx->out, ctx->argv[0]) < 0)
		return -ENOMEM;
	for (ctx->argctr = 1; ctx->argctr < ctx->argc; ctx->argctr++) {
		r = process_arg(ctx, ctx->argv[ctx->argctr]);
		if (r < 0)
			return r;
	}
	if (ctx->kept_opts) {
		if (fuse_opt_insert_arg(&ctx->out, 1, "-o") < 0 ||
		    fuse_opt_insert_arg(&ctx->out, 2, ctx->kept_opts) < 0)
			return -ENOMEM;
	}
	/* A trailing "--" with nothing after it is dropped.  The index is
	 * taken before the "-o" insertion, as libfuse does, so a "--" after
	 * kept "-o" options stays. */
	if (ctx->nonopt && ctx->nonopt == ctx->out.argc &&
	    strcmp(ctx->out.argv[ctx->out.argc - 1], "--") == 0) {
		free(ctx->out.argv[--ctx->out.argc]);
		ctx->out.argv[ctx->out.argc] = NULL;
	}
	return 0;
}

int fuse_opt_parse(struct fuse_args *args, void *data,
		   const struct fuse_opt opts[], fuse_opt_proc_t proc)
{
	struct opt_ctx ctx = {
		.data = data,
		.opts = opts,
		.proc = proc,
	};
	int r;

	if (!args || !args->argv || !args->argc)
		return 0;
	ctx.argc = args->argc;
	ctx.argv = args->argv;
	r = parse_all(&ctx);
	if (r >= 0) {
		/* The result replaces args; the old vector is freed (if it
		 * was ours) after the swap. */
		struct fuse_args old = *args;

		*args = ctx.out;
		ctx.out = old;
	}
	free(ctx.kept_opts);
	fuse_opt_free_args(&ctx.out);
	return r < 0 ? -1 : 0;
}
