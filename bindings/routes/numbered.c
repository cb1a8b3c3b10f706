/*
 * numbered: a numbered-items filesystem on the route layer, in the spirit
 * of a comic browser, serving data generated here (no network).
 *
 *   /                     the items 1..N, the users, and "latest"
 *   /latest               the newest item            (literal route)
 *   /lines                10000 numbered lines, made up as they are read
 *                         (a read handler; its stat handler gives the size)
 *   /:number              item N's text              (parameter, validated)
 *   /:user/notes/         that user's notes          (implied by the next)
 *   /:user/notes/:name    a note: read, write, create, unlink
 *   /about/WHAT...        says what a path would be  (catch-all "*what")
 *
 * Usage: routes-numbered MOUNTPOINT [-o items=N] [fuse options]
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fuse.h>
#include <fuse_opt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_routes.h"

static const char *const users[] = { "alice", "bob" };
#define N_USERS (sizeof(users) / sizeof(users[0]))
#define MAX_NOTES 64
#define MAX_NOTE_SIZE (64 * 1024)

static unsigned n_items = 12;

/* Notes live in memory; handlers may run on several threads. */
struct note {
	char user[16];
	char name[256];
	char *data;
	size_t len;
};
static struct note notes[MAX_NOTES];
static pthread_mutex_t notes_lock = PTHREAD_MUTEX_INITIALIZER;

static int item_number(const char *s)
{
	char *end;
	unsigned long n;

	if (s[0] < '1' || s[0] > '9')
		return -ENOENT;
	n = strtoul(s, &end, 10);
	return *end || n > n_items ? -ENOENT : (int)n;
}

static int text(char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int text(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	*len = n;
	return 0;
}

static int item_text(unsigned n, char **buf, size_t *len)
{
	static const char *const adjectives[] = { "quiet", "red", "late", "odd", "tall" };
	static const char *const things[] = { "lighthouse", "teapot", "comet", "bridge" };

	return text(buf, len, "item %u: the %s %s\npanels: %u\n", n,
		    adjectives[n % 5], things[n % 4], 1 + n % 6);
}

static int root_list(const struct fuse_route_req *req, fuse_route_fill_t fill, void *ctx)
{
	char name[16];
	int err = 0;

	for (unsigned i = 1; !err && i <= n_items; i++) {
		snprintf(name, sizeof(name), "%u", i);
		err = fill(ctx, name);
	}
	for (size_t i = 0; !err && i < N_USERS; i++)
		err = fill(ctx, users[i]);
	return err;
}

static int latest_content(const struct fuse_route_req *req, char **buf, size_t *len)
{
	return item_text(n_items, buf, len);
}

static int number_stat(const struct fuse_route_req *req, struct stat *st)
{
	int n = item_number(fuse_route_param(req, "number"));

	return n < 0 ? n : 0;
}

static int number_content(const struct fuse_route_req *req, char **buf, size_t *len)
{
	int n = item_number(fuse_route_param(req, "number"));

	return n < 0 ? n : item_text(n, buf, len);
}

#define N_LINES 10000
#define LINE_LEN 11                     /* "line 01234\n" */

static int lines_stat(const struct fuse_route_req *req, struct stat *st)
{
	st->st_size = N_LINES * LINE_LEN;
	return 0;
}

static ssize_t lines_read(const struct fuse_route_req *req, char *buf, size_t size, off_t off)
{
	size_t n = 0;

	while (n < size && off + n < N_LINES * LINE_LEN) {
		char line[LINE_LEN + 1];
		size_t at = (off + n) % LINE_LEN, take;

		snprintf(line, sizeof(line), "line %05u\n", (unsigned)((off + n) / LINE_LEN));
		take = LINE_LEN - at < size - n ? LINE_LEN - at : size - n;
		memcpy(buf + n, line + at, take);
		n += take;
	}
	return n;
}

/* The note NAME of USER, or NULL; with notes_lock held. */
static struct note *note_find(const char *user, const char *name)
{
	for (size_t i = 0; i < MAX_NOTES; i++)
		if (notes[i].user[0] && strcmp(notes[i].user, user) == 0 &&
		    strcmp(notes[i].name, name) == 0)
			return &notes[i];
	return NULL;
}

static int notes_list(const struct fuse_route_req *req, fuse_route_fill_t fill, void *ctx)
{
	const char *user = fuse_route_param(req, "user");
	int err = 0;

	pthread_mutex_lock(&notes_lock);
	for (size_t i = 0; !err && i < MAX_NOTES; i++)
		if (notes[i].user[0] && strcmp(notes[i].user, user) == 0)
			err = fill(ctx, notes[i].name);
	pthread_mutex_unlock(&notes_lock);
	return err;
}

static int note_content(const struct fuse_route_req *req, char **buf, size_t *len)
{
	struct note *note;
	int err = 0;

	pthread_mutex_lock(&notes_lock);
	note = note_find(fuse_route_param(req, "user"), fuse_route_param(req, "name"));
	if (!note) {
		err = -ENOENT;
	} else {
		*buf = malloc(note->len + 1);
		if (!*buf)
			err = -ENOMEM;
		else
			memcpy(*buf, note->data ? note->data : "", note->len);
		*len = note->len;
	}
	pthread_mutex_unlock(&notes_lock);
	return err;
}

static ssize_t note_write(const struct fuse_route_req *req, const char *buf, size_t size,
			  off_t off)
{
	struct note *note;
	ssize_t n = size;

	if (off < 0 || off > MAX_NOTE_SIZE || size > MAX_NOTE_SIZE - (size_t)off)
		return -EFBIG;
	pthread_mutex_lock(&notes_lock);
	note = note_find(fuse_route_param(req, "user"), fuse_route_param(req, "name"));
	if (!note) {
		n = -ENOENT;
	} else if (off + size > note->len) {
		char *data = realloc(note->data, off + size);

		if (!data) {
			n = -ENOMEM;
		} else {
			memset(data + note->len, 0, off > (off_t)note->len ? off - note->len : 0);
			note->data = data;
			note->len = off + size;
		}
	}
	if (n > 0)
		memcpy(note->data + off, buf, size);
	pthread_mutex_unlock(&notes_lock);
	return n;
}

static int note_truncate(const struct fuse_route_req *req, off_t size)
{
	struct note *note;
	int err = 0;

	if (size != 0)
		return -EINVAL;
	pthread_mutex_lock(&notes_lock);
	note = note_find(fuse_route_param(req, "user"), fuse_route_param(req, "name"));
	if (!note)
		err = -ENOENT;
	else
		note->len = 0;
	pthread_mutex_unlock(&notes_lock);
	return err;
}

static bool known_user(const char *user)
{
	for (size_t i = 0; i < N_USERS; i++)
		if (strcmp(users[i], user) == 0)
			return true;
	return false;
}

static int note_create(const struct fuse_route_req *req, mode_t mode)
{
	const char *user = fuse_route_param(req, "user");
	const char *name = fuse_route_param(req, "name");
	int err = -ENOSPC;

	if (!known_user(user))
		return -ENOENT;
	if (strlen(name) >= sizeof(notes[0].name))
		return -ENAMETOOLONG;
	pthread_mutex_lock(&notes_lock);
	if (note_find(user, name)) {
		err = -EEXIST;
	} else {
		for (size_t i = 0; i < MAX_NOTES; i++) {
			if (notes[i].user[0])
				continue;
			snprintf(notes[i].user, sizeof(notes[i].user), "%s", user);
			snprintf(notes[i].name, sizeof(notes[i].name), "%s", name);
			notes[i].len = 0;
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&notes_lock);
	return err;
}

static int note_unlink(const struct fuse_route_req *req)
{
	struct note *note;
	int err = 0;

	pthread_mutex_lock(&notes_lock);
	note = note_find(fuse_route_param(req, "user"), fuse_route_param(req, "name"));
	if (!note) {
		err = -ENOENT;
	} else {
		free(note->data);
		memset(note, 0, sizeof(*note));
	}
	pthread_mutex_unlock(&notes_lock);
	return err;
}

static int about_content(const struct fuse_route_req *req, char **buf, size_t *len)
{
	const char *what = fuse_route_param(req, "what");

	if (item_number(what) > 0)
		return text(buf, len, "%s is item %s\n", what, what);
	if (known_user(what))
		return text(buf, len, "%s is a user with notes\n", what);
	return text(buf, len, "%s is nothing here\n", what);
}

static const struct fuse_opt numbered_opts[] = {
	{ "items=%u", 0, 0 },
	FUSE_OPT_END
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_routes *routes;
	int err = 0, rc;

	if (fuse_opt_parse(&args, &n_items, numbered_opts, NULL) < 0)
		return 1;
	routes = fuse_routes_new();
	if (!routes)
		return 1;
	err = err ?: fuse_routes_add(routes, "/", &(struct fuse_route_ops){
		.list = root_list }, NULL);
	err = err ?: fuse_routes_add(routes, "/latest", &(struct fuse_route_ops){
		.content = latest_content }, NULL);
	err = err ?: fuse_routes_add(routes, "/lines", &(struct fuse_route_ops){
		.stat = lines_stat, .read = lines_read }, NULL);
	err = err ?: fuse_routes_add(routes, "/:number", &(struct fuse_route_ops){
		.stat = number_stat, .content = number_content }, NULL);
	err = err ?: fuse_routes_add(routes, "/:user/notes", &(struct fuse_route_ops){
		.list = notes_list }, NULL);
	err = err ?: fuse_routes_add(routes, "/:user/notes/:name", &(struct fuse_route_ops){
		.content = note_content, .write = note_write, .truncate = note_truncate,
		.create = note_create, .unlink = note_unlink }, NULL);
	err = err ?: fuse_routes_add(routes, "/about/*what", &(struct fuse_route_ops){
		.content = about_content }, NULL);
	if (err < 0) {
		fprintf(stderr, "routes-numbered: %s\n", strerror(-err));
		fuse_routes_free(routes);
		return 1;
	}
	rc = fuse_routes_main(routes, args.argc, args.argv);
	fuse_routes_free(routes);
	fuse_opt_free_args(&args);
	return rc;
}
