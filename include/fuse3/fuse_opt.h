/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse_opt.h: command line and "-o" option parsing.
 *
 * fuse_opt_parse() walks an argument vector against a table of templates.
 * A template is matched against each option ("-o a,b" is split into "a" and
 * "b"); a matching entry either stores into the data block at its offset
 * (an int set to 'value', or a value converted with a scanf(3) format taken
 * from the template, "%s" meaning a strdup'ed string), or, when built with
 * FUSE_OPT_KEY(), calls the processing function with its key.
 *
 * Template forms:
 *   "foo"      matches the option "foo" exactly
 *   "foo="     matches "foo=ANYTHING"
 *   "foo=%u"   matches "foo=ANYTHING", converting ANYTHING with "%u"
 *   "-x "      matches "-xVALUE" and "-x VALUE" (value in the next arg)
 *   "-x %s"    the same, converting the value
 *   "--foo="   matches "--foo=VALUE"
 *
 * The processing function returns -1 on error, 0 to discard the argument,
 * 1 to keep it in the output vector. */
#ifndef FUSE_OPT_H_
#define FUSE_OPT_H_

#ifdef __cplusplus
extern "C" {
#endif

/* One entry of an option table; the table ends with FUSE_OPT_END. */
struct fuse_opt {
	/* The template (see above). */
	const char *templ;
	/* Where in the data block the value goes; -1U marks a key entry. */
	unsigned long offset;
	/* The int stored for a template without a format, or the key. */
	int value;
};

/* An entry that passes matching arguments to the processing function. */
#define FUSE_OPT_KEY(templ, key) { templ, -1U, key }

/* The terminating entry of an option table. */
#define FUSE_OPT_END { NULL, 0, 0 }

/* An argument vector.  'allocated' is non-zero once the vector and its
 * strings belong to the library and must go through fuse_opt_free_args(). */
struct fuse_args {
	int argc;
	char **argv;
	int allocated;
};

#define FUSE_ARGS_INIT(argc, argv) { argc, argv, 0 }

/* Keys the processing function gets for arguments no template matched. */
/* an option ("-x", "--x" or one item of "-o a,b") */
#define FUSE_OPT_KEY_OPT     -1
/* anything else (a mount point, say) */
#define FUSE_OPT_KEY_NONOPT  -2
/* Keys for table entries: keep the argument, no call. */
#define FUSE_OPT_KEY_KEEP    -3
/* Keys for table entries: drop the argument, no call. */
#define FUSE_OPT_KEY_DISCARD -4

/* The processing function: data as passed to fuse_opt_parse(), arg the
 * whole argument ("foo=bar", "-x", "mnt"), key from the table or one of
 * FUSE_OPT_KEY_OPT/NONOPT.  Returns -1 (error), 0 (discard), 1 (keep). */
typedef int (*fuse_opt_proc_t)(void *data, const char *arg, int key,
			       struct fuse_args *outargs);

/* Parses args against opts, calling proc where needed (proc may be NULL:
 * unmatched arguments are then kept).  On success args is replaced by the
 * kept arguments ("-o" options merged into one "-o a,b").  0 or -1. */
int fuse_opt_parse(struct fuse_args *args, void *data,
		   const struct fuse_opt opts[], fuse_opt_proc_t proc);

/* Appends opt to the comma-separated list *opts (reallocated).  0 or -1. */
int fuse_opt_add_opt(char **opts, const char *opt);

/* As fuse_opt_add_opt(), escaping ',' and '\' in opt with '\'.  0 or -1. */
int fuse_opt_add_opt_escaped(char **opts, const char *opt);

/* Appends a copy of arg to args.  0 or -1. */
int fuse_opt_add_arg(struct fuse_args *args, const char *arg);

/* Inserts a copy of arg at position pos (0..argc).  0 or -1. */
int fuse_opt_insert_arg(struct fuse_args *args, int pos, const char *arg);

/* Frees an allocated vector and resets it to empty. */
void fuse_opt_free_args(struct fuse_args *args);

/* Whether opt matches any template in opts: 1 or 0. */
int fuse_opt_match(const struct fuse_opt opts[], const char *opt);

#ifdef __cplusplus
}
#endif

#endif /* FUSE_OPT_H_ */
