// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit test: fuse_opt_parse() and the fuse_opt_* helpers
 *
 * Uses only the public API, so the same file also builds against the
 * reference libfuse3 (-DREFERENCE_BUILD -I/usr/include/fuse3 -lfuse3) to
 * check that the expectations below are libfuse's behaviour.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_log.h"
#include "fuse_opt.h"
#include "test-util.h"

/* The last error logged, to check that failures name the option. */
static char last_log[512];

static void capture_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
}

struct cfg {
	char *str;
	unsigned num;
	int flag;
	int flag2;
	int x;
	long lng;
	char *name;
};

/* Parses the NULL-terminated argument list and returns the resulting
 * vector joined with spaces (static buffer), or "ERROR". */
static const char *parse(const struct fuse_opt *opts, fuse_opt_proc_t proc,
			 void *data, ...)
{
	static char joined[1024];
	const char *argv[32];
	struct fuse_args args;
	va_list ap;
	int argc = 0;

	va_start(ap, data);
	while ((argv[argc] = va_arg(ap, const char *)))
		argc++;
	va_end(ap);
	args = (struct fuse_args)FUSE_ARGS_INIT(argc, (char **)argv);
	last_log[0] = '\0';
	if (fuse_opt_parse(&args, data, opts, proc) != 0) {
		/* on failure the caller's vector is left alone */
		CHECK(args.argv == (char **)argv && args.argc == argc);
		return "ERROR";
	}
	joined[0] = '\0';
	for (int i = 0; i < args.argc; i++) {
		if (i)
			strcat(joined, " ");
		strcat(joined, args.argv[i]);
	}
	CHECK(args.argv[args.argc] == NULL);
	fuse_opt_free_args(&args);
	return joined;
}

/* Records every call of the processing function as "key:arg;". */
static char calls[1024];

enum { KEY_A = 100, KEY_B, KEY_KEEPME, KEY_FAIL, KEY_X };

static int record_proc(void *data, const char *arg, int key,
		       struct fuse_args *outargs)
{
	char one[128];

	(void)data;
	(void)outargs;
	snprintf(one, sizeof(one), "%d:%s;", key, arg);
	strcat(calls, one);
	switch (key) {
	case KEY_FAIL:
		return -1;
	case KEY_A:
	case KEY_X:
		return 0;
	default:
		return 1;
	}
}

static void test_templates(void)
{
	const struct fuse_opt opts[] = {
		{ "str=%s", offsetof(struct cfg, str), 0 },
		{ "num=%u", offsetof(struct cfg, num), 0 },
		{ "flag", offsetof(struct cfg, flag), 7 },
		{ "noflag", offsetof(struct cfg, flag), 0 },
		{ "set=", offsetof(struct cfg, flag2), 3 },
		{ "-x ", offsetof(struct cfg, flag2), 9 },
		{ "-n %li", offsetof(struct cfg, lng), 0 },
		{ "--name=%s", offsetof(struct cfg, name), 0 },
		FUSE_OPT_END
	};
	struct cfg c = { 0 };

	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "str=hello,num=42,flag", "mnt", NULL),
		  "prog mnt");
	CHECK_STR(c.str, "hello");
	CHECK(c.num == 42);
	CHECK(c.flag == 7);

	/* later values win; %s replaces (and frees) the earlier string */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-ostr=a", "-o", "str=b,noflag", NULL), "prog");
	CHECK_STR(c.str, "b");
	CHECK(c.flag == 0);

	/* "set=" takes any value and stores the template's int */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "set=whatever", NULL), "prog");
	CHECK(c.flag2 == 3);

	/* "-x " takes its value joined or from the next argument */
	c.flag2 = 0;
	CHECK_STR(parse(opts, NULL, &c, "prog", "-x", "val", "mnt", NULL), "prog mnt");
	CHECK(c.flag2 == 9);
	c.flag2 = 0;
	CHECK_STR(parse(opts, NULL, &c, "prog", "-xval", NULL), "prog");
	CHECK(c.flag2 == 9);
	CHECK_STR(parse(opts, NULL, &c, "prog", "-n", "-12", NULL), "prog");
	CHECK(c.lng == -12);
	CHECK_STR(parse(opts, NULL, &c, "prog", "-n77", NULL), "prog");
	CHECK(c.lng == 77);
	CHECK_STR(parse(opts, NULL, &c, "prog", "--name=bob", NULL), "prog");
	CHECK_STR(c.name, "bob");

	/* unknown options are kept, "-o" ones merged after argv[0] */
	CHECK_STR(parse(opts, NULL, &c, "prog", "mnt", "-o", "a,num=1", "-f", "-ob", NULL),
		  "prog -o a,b mnt -f");
	CHECK(c.num == 1);

	/* "str" alone does not match "str=%s"; "flagx" does not match "flag" */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "str,flagx", NULL), "prog -o str,flagx");

	free(c.str);
	free(c.name);
}

static void test_escapes(void)
{
	const struct fuse_opt opts[] = {
		{ "str=%s", offsetof(struct cfg, str), 0 },
		FUSE_OPT_END
	};
	struct cfg c = { 0 };

	/* "\," is a comma inside a value, "\\" a backslash, "\054" octal */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "str=a\\,b\\\\c", NULL), "prog");
	CHECK_STR(c.str, "a,b\\c");
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "str=x\\054y", NULL), "prog");
	CHECK_STR(c.str, "x,y");
	free(c.str);

	/* kept options come back escaped, so they split the same way again */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "k=a\\,b,j", NULL), "prog -o k=a\\,b,j");

	/* the processing function sees the unescaped option */
	calls[0] = '\0';
	CHECK_STR(parse(opts, record_proc, &c, "prog", "-o", "b\\,c,d", NULL), "prog -o b\\,c,d");
	CHECK_STR(calls, "-1:b,c;-1:d;");
}

static void test_keys(void)
{
	const struct fuse_opt opts[] = {
		FUSE_OPT_KEY("a", KEY_A),
		FUSE_OPT_KEY("b=", KEY_B),
		FUSE_OPT_KEY("-k", KEY_KEEPME),
		FUSE_OPT_KEY("bad", KEY_FAIL),
		FUSE_OPT_KEY("-x ", KEY_X),
		FUSE_OPT_KEY("keep", FUSE_OPT_KEY_KEEP),
		FUSE_OPT_KEY("drop", FUSE_OPT_KEY_DISCARD),
		FUSE_OPT_KEY("-V", FUSE_OPT_KEY_DISCARD),
		{ "both", offsetof(struct cfg, flag), 1 },
		FUSE_OPT_KEY("both", KEY_KEEPME),
		FUSE_OPT_END
	};
	struct cfg c = { 0 };

	calls[0] = '\0';
	CHECK_STR(parse(opts, record_proc, &c, "prog", "-o", "a,b=1,keep,drop,other",
			"-k", "-V", "mnt", "-y", NULL),
		  "prog -o b=1,keep,other -k mnt -y");
	CHECK_STR(calls, "100:a;101:b=1;-1:other;102:-k;-2:mnt;-1:-y;");

	/* "-x VALUE" reaches the processing function joined */
	calls[0] = '\0';
	CHECK_STR(parse(opts, record_proc, &c, "prog", "-x", "v", "-xw", NULL), "prog");
	CHECK_STR(calls, "104:-xv;104:-xw;");

	/* every matching entry applies, in table order */
	calls[0] = '\0';
	CHECK_STR(parse(opts, record_proc, &c, "prog", "-o", "both", NULL), "prog -o both");
	CHECK(c.flag == 1);
	CHECK_STR(calls, "102:both;");

	/* without a processing function unmatched arguments are kept */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "zz", "-y", "mnt", NULL),
		  "prog -o zz -y mnt");
	/* ... and key entries too (except DISCARD) */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "a,drop", NULL), "prog -o a");
}

static void test_nonopt_and_dashdash(void)
{
	calls[0] = '\0';
	CHECK_STR(parse(NULL, record_proc, NULL, "prog", "mnt", "--", "-o", "x", NULL),
		  "prog mnt -- -o x");
	CHECK_STR(calls, "-2:mnt;-2:-o;-2:x;");

	/* a trailing "--" is dropped */
	CHECK_STR(parse(NULL, NULL, NULL, "prog", "mnt", "--", NULL), "prog mnt");
	/* ... but libfuse keeps it when "-o" options were kept before it */
	CHECK_STR(parse(NULL, NULL, NULL, "prog", "-o", "x", "--", NULL), "prog -o x --");

	/* only argv[0] */
	CHECK_STR(parse(NULL, NULL, NULL, "prog", NULL), "prog");
	/* "-" alone is an option, not a non-option */
	calls[0] = '\0';
	CHECK_STR(parse(NULL, record_proc, NULL, "prog", "-", NULL), "prog -");
	CHECK_STR(calls, "-1:-;");
}

/* The processing function may edit the output vector itself. */
static int editing_proc(void *data, const char *arg, int key,
			struct fuse_args *outargs)
{
	(void)data;
	if (strcmp(arg, "add") == 0) {
		fuse_opt_add_arg(outargs, "ADDED");
		return 0;
	}
	if (strcmp(arg, "ins") == 0) {
		fuse_opt_insert_arg(outargs, 1, "INSERTED");
		return 1;
	}
	return key == FUSE_OPT_KEY_NONOPT && strcmp(arg, "drop") == 0 ? 0 : 1;
}

static void test_corners(void)
{
	const struct fuse_opt opts[] = {
		/* '=' followed by neither '%' nor the end: matches only itself */
		{ "x=y", offsetof(struct cfg, x), 77 },
		{ "--t=%s", offsetof(struct cfg, name), 0 },
		FUSE_OPT_END
	};
	struct cfg c = { 0 };

	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "x=y", NULL), "prog");
	CHECK(c.x == 77);
	c.x = 0;
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "x=z", NULL), "prog -o x=z");
	CHECK(c.x == 0);
	/* "--t" lacks the '=' the template needs */
	CHECK_STR(parse(opts, NULL, &c, "prog", "--t", NULL), "prog --t");
	CHECK(c.name == NULL);
	/* empty items of a group are options too, and are kept */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "a,,b", NULL), "prog -o a,,b");
	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "", NULL), "prog -o ");
	/* several -o merge; after "--" nothing is parsed */
	CHECK_STR(parse(opts, NULL, &c, "prog", "-oa,b", "-oc", "m", "--", "-o", "d", NULL),
		  "prog -o a,b,c m -- -o d");
	CHECK_STR(parse(opts, NULL, &c, "prog", "--", "--", NULL), "prog -- --");
	/* additions by the processing function land where it puts them;
	 * the "-o" group still goes right after argv[0] */
	CHECK_STR(parse(opts, editing_proc, &c, "prog", "-o", "add", "drop", "m", NULL),
		  "prog ADDED m");
	CHECK_STR(parse(opts, editing_proc, &c, "prog", "-o", "ins,zz", "m", NULL),
		  "prog -o ins,zz INSERTED m");
}

static void test_errors(void)
{
	const struct fuse_opt opts[] = {
		{ "num=%u", offsetof(struct cfg, num), 0 },
		{ "-x %u", offsetof(struct cfg, num), 0 },
		FUSE_OPT_KEY("bad", KEY_FAIL),
		FUSE_OPT_END
	};
	struct cfg c = { 0 };

	fuse_set_log_func(capture_log);

	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", "num=abc", NULL), "ERROR");
	CHECK(strstr(last_log, "num=abc") != NULL);

	CHECK_STR(parse(opts, NULL, &c, "prog", "-o", NULL), "ERROR");
	CHECK(strstr(last_log, "-o") != NULL);

	CHECK_STR(parse(opts, NULL, &c, "prog", "-x", NULL), "ERROR");
	CHECK(strstr(last_log, "-x") != NULL);

	CHECK_STR(parse(opts, record_proc, &c, "prog", "-o", "ok,bad", "mnt", NULL), "ERROR");

	fuse_set_log_func(NULL);
}

static void test_helpers(void)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	char *o = NULL;
	const struct fuse_opt opts[] = {
		{ "a=%s", 0, 0 },
		{ "-b ", 0, 0 },
		{ "c", 0, 0 },
		FUSE_OPT_END
	};

	CHECK(fuse_opt_add_arg(&args, "one") == 0);
	CHECK(fuse_opt_add_arg(&args, "three") == 0);
	CHECK(fuse_opt_insert_arg(&args, 1, "two") == 0);
	CHECK(fuse_opt_insert_arg(&args, 0, "zero") == 0);
	CHECK(fuse_opt_insert_arg(&args, 4, "four") == 0);
	CHECK(args.argc == 5 && args.allocated);
	CHECK_STR(args.argv[0], "zero");
	CHECK_STR(args.argv[1], "one");
	CHECK_STR(args.argv[2], "two");
	CHECK_STR(args.argv[3], "three");
	CHECK_STR(args.argv[4], "four");
	CHECK(args.argv[5] == NULL);
	fuse_opt_free_args(&args);
	CHECK(args.argc == 0 && args.argv == NULL && args.allocated == 0);

	CHECK(fuse_opt_add_opt(&o, "a") == 0);
	CHECK(fuse_opt_add_opt(&o, "b,c") == 0);
	CHECK(fuse_opt_add_opt_escaped(&o, "d,e\\f") == 0);
	CHECK_STR(o, "a,b,c,d\\,e\\\\f");
	free(o);

	CHECK(fuse_opt_match(opts, "a=1"));
	CHECK(!fuse_opt_match(opts, "a"));
	CHECK(fuse_opt_match(opts, "-b"));
	CHECK(fuse_opt_match(opts, "-bfoo"));
	CHECK(fuse_opt_match(opts, "c"));
	CHECK(!fuse_opt_match(opts, "cc"));
	CHECK(!fuse_opt_match(NULL, "c"));

#ifndef REFERENCE_BUILD
	/* The reference asserts here; this library copies main()'s vector. */
	{
		char *argv[] = { "prog", "mnt", NULL };
		struct fuse_args a2 = FUSE_ARGS_INIT(2, argv);

		CHECK(fuse_opt_add_arg(&a2, "-f") == 0);
		CHECK(a2.allocated && a2.argc == 3 && a2.argv != argv);
		CHECK_STR(a2.argv[0], "prog");
		CHECK_STR(a2.argv[2], "-f");
		CHECK_STR(argv[0], "prog");
		fuse_opt_free_args(&a2);
		CHECK(fuse_opt_insert_arg(&a2, 1, "x") == -1);
	}
#endif
}

int main(void)
{
	test_templates();
	test_escapes();
	test_keys();
	test_nonopt_and_dashdash();
	test_corners();
	test_errors();
	test_helpers();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("all option parsing checks passed\n");
	return 0;
}
