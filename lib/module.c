// SPDX-License-Identifier: LGPL-2.1-or-later
/* Modules: file systems stacked on the user's by "-o modules=M1:M2".
 *
 * subdir and iconv are built in.  A program may also define its own with
 * FUSE_REGISTER_MODULE(name, factory); it is found by its symbol.  No
 * shared objects are loaded. */
#include "highlevel-i.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct builtin {
	const char *name;
	fuse_module_factory_t factory;
	void (*help)(void);
};

static const struct builtin builtins[] = {
	{ "subdir", hl_subdir_factory, hl_subdir_help },
	{ "iconv", hl_iconv_factory, hl_iconv_help },
};

static fuse_module_factory_t find_factory(const char *name)
{
	char sym[128];
	fuse_module_factory_t *p;

	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].factory;
	if (snprintf(sym, sizeof(sym), "fuse_module_%s_factory", name) >=
	    (int)sizeof(sym))
		return NULL;
	p = dlsym(RTLD_DEFAULT, sym);
	return p ? *p : NULL;
}

int hl_module_push(const char *name, struct fuse_args *args,
		   struct fuse_fs **fs)
{
	fuse_module_factory_t factory = find_factory(name);
	struct fuse_fs *below[2] = { *fs, NULL };
	struct fuse_fs *top;

	if (!factory) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: unknown module '%s' (built in: subdir, iconv)\n",
			 name);
		return -ENOENT;
	}
	top = factory(args, below);
	if (!top) {
		fuse_log(FUSE_LOG_ERR, "fuse: module '%s' failed to start\n",
			 name);
		return -EINVAL;
	}
	*fs = top;
	return 0;
}

void hl_module_help(void)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		printf("\nOptions for %s module:\n", builtins[i].name);
		builtins[i].help();
	}
}
