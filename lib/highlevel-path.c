// SPDX-License-Identifier: LGPL-2.1-or-later
/* Paths of the high-level inode table, built under tree locks.
 *
 * A path op read-locks every node from its inode up to the root; unlink
 * and rename also write-lock the child they change.  A writer waits for
 * readers of that node (ops on it or anything under it) and they wait
 * for it, so no op ever runs on a path that a concurrent rename has made
 * stale.  All locks of a request are taken at once or not at all, so two
 * requests cannot deadlock. */
#include "highlevel-node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HL_PATH_SLOTS 3

/* Per-thread path buffers, freed when the thread ends. */
struct pathbufs {
	char *buf[HL_PATH_SLOTS];
	size_t cap[HL_PATH_SLOTS];
};

static __thread struct pathbufs tls_bufs;
static pthread_key_t bufs_key;
static pthread_once_t bufs_once = PTHREAD_ONCE_INIT;

static void bufs_free(void *p)
{
	struct pathbufs *b = p;

	for (int i = 0; i < HL_PATH_SLOTS; i++) {
		free(b->buf[i]);
		b->buf[i] = NULL;
		b->cap[i] = 0;
	}
}

static void bufs_key_init(void)
{
	(void)pthread_key_create(&bufs_key, bufs_free);
}

static char *slot_buf(int slot, size_t len)
{
	struct pathbufs *b = &tls_bufs;

	if (b->cap[slot] < len) {
		size_t cap = len < 256 ? 256 : len * 2;
		char *p = realloc(b->buf[slot], cap);

		if (!p)
			return NULL;
		if (!b->buf[0] && !b->buf[1] && !b->buf[2]) {
			pthread_once(&bufs_once, bufs_key_init);
			(void)pthread_setspecific(bufs_key, b);
		}
		b->buf[slot] = p;
		b->cap[slot] = cap;
	}
	return b->buf[slot];
}

/* Checks that nodeid's chain can be read-locked; returns its length in
 * bytes (without name) through *len. 0, -EAGAIN (busy), -ESTALE. */
static int chain_check(struct hl_table *t, struct hl_node *n, size_t *len)
{
	size_t l = 0;

	for (; n != t->root; n = n->parent) {
		if (!n->parent)
			return -ESTALE;
		if (n->treelock < 0)
			return -EAGAIN;
		l += n->namelen + 1;
	}
	*len = l;
	return 0;
}

static void chain_lock(struct hl_table *t, struct hl_node *n, int delta)
{
	for (; n && n != t->root; n = n->parent)
		n->treelock += delta;
}

static bool chain_has(struct hl_table *t, struct hl_node *n,
		      struct hl_node *x)
{
	for (; n && n != t->root; n = n->parent)
		if (n == x)
			return true;
	return false;
}

static void build(struct hl_table *t, struct hl_node *n, const char *name,
		  char *buf, size_t len)
{
	size_t pos = len;

	buf[len] = '\0';
	if (name) {
		size_t l = strlen(name);

		pos -= l;
		memcpy(buf + pos, name, l);
		buf[--pos] = '/';
	}
	for (; n != t->root; n = n->parent) {
		pos -= n->namelen;
		memcpy(buf + pos, n->name, n->namelen);
		buf[--pos] = '/';
	}
	if (len == 0)
		buf[0] = '/', buf[1] = '\0';
}

struct want {
	uint64_t id;
	const char *name;
	bool want_w;
	int slot;
	struct hl_node *node, *wnode;
	size_t len;
};

static int want_check(struct hl_table *t, struct want *w)
{
	int r;

	w->node = hl_node_get(t, w->id);
	if (!w->node)
		return -ESTALE;
	r = chain_check(t, w->node, &w->len);
	if (r < 0)
		return r;
	if (w->name)
		w->len += strlen(w->name) + 1;
	w->wnode = NULL;
	if (w->want_w && w->name) {
		w->wnode = hl_node_child(t, w->id, w->name);
		if (w->wnode && w->wnode->treelock != 0)
			return -EAGAIN;
	}
	return 0;
}

static int want_build(struct hl_table *t, struct want *w, char **path)
{
	char *buf = slot_buf(w->slot, w->len + 2);

	if (!buf)
		return -ENOMEM;
	build(t, w->node, w->name, buf, w->len);
	*path = buf;
	return 0;
}

static void unlock_and_wake(struct hl_table *t)
{
	if (t->tree_waiters)
		pthread_cond_broadcast(&t->tree_cond);
}

/* Takes n wants (1 or 2) atomically, waiting while any is busy. */
static int get_paths(struct hl_table *t, struct want *w, int n, char **p[])
{
	int r;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		r = 0;
		for (int i = 0; i < n && r == 0; i++)
			r = want_check(t, &w[i]);
		if (r == 0 && n == 2) {
			/* the kernel refuses moving a directory into itself;
			 * never wait on our own locks if it did not */
			if ((w[0].wnode && chain_has(t, w[1].node, w[0].wnode)) ||
			    (w[1].wnode && chain_has(t, w[0].node, w[1].wnode)))
				r = -EINVAL;
			if (w[0].wnode && w[0].wnode == w[1].wnode)
				w[1].wnode = NULL;
		}
		if (r != -EAGAIN)
			break;
		t->tree_waiters++;
		pthread_cond_wait(&t->tree_cond, &t->lock);
		t->tree_waiters--;
	}
	for (int i = 0; i < n && r == 0; i++)
		r = want_build(t, &w[i], p[i]);
	if (r == 0) {
		for (int i = 0; i < n; i++) {
			chain_lock(t, w[i].node, 1);
			if (w[i].wnode)
				w[i].wnode->treelock = -1;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int hl_path_get(struct hl_table *t, uint64_t nodeid, const char *name,
		char **path, struct hl_node **wnode, int slot)
{
	struct want w = { .id = nodeid, .name = name, .want_w = wnode != NULL,
			  .slot = slot };
	char **p[1] = { path };
	int r = get_paths(t, &w, 1, p);

	if (wnode)
		*wnode = r == 0 ? w.wnode : NULL;
	return r;
}

static void put_locked(struct hl_table *t, uint64_t nodeid,
		       struct hl_node *wnode)
{
	struct hl_node *n = hl_node_get(t, nodeid);

	chain_lock(t, n, -1);
	if (wnode) {
		wnode->treelock = 0;
		hl_node_release(t, wnode);
	}
	if (n)
		hl_node_release(t, n);
}

void hl_path_put(struct hl_table *t, uint64_t nodeid, struct hl_node *wnode)
{
	pthread_mutex_lock(&t->lock);
	put_locked(t, nodeid, wnode);
	unlock_and_wake(t);
	pthread_mutex_unlock(&t->lock);
}

int hl_path_get2(struct hl_table *t, uint64_t id1, const char *name1,
		 uint64_t id2, const char *name2, char **path1, char **path2,
		 struct hl_node **wnode1, struct hl_node **wnode2)
{
	struct want w[2] = {
		{ .id = id1, .name = name1, .want_w = wnode1 != NULL,
		  .slot = 0 },
		{ .id = id2, .name = name2, .want_w = wnode2 != NULL,
		  .slot = 1 },
	};
	char **p[2] = { path1, path2 };
	int r = get_paths(t, w, 2, p);

	if (wnode1)
		*wnode1 = r == 0 ? w[0].wnode : NULL;
	if (wnode2)
		*wnode2 = r == 0 ? w[1].wnode : NULL;
	return r;
}

void hl_path_put2(struct hl_table *t, uint64_t id1, uint64_t id2,
		  struct hl_node *wnode1, struct hl_node *wnode2)
{
	pthread_mutex_lock(&t->lock);
	put_locked(t, id1, wnode1);
	put_locked(t, id2, wnode2);
	unlock_and_wake(t);
	pthread_mutex_unlock(&t->lock);
}

int hl_path_resolve(struct hl_table *t, const char *path, uint64_t *nodeid)
{
	uint64_t id = HL_ROOT_ID;
	char name[256];
	int r = 0;

	pthread_mutex_lock(&t->lock);
	while (*path) {
		const char *end;
		size_t len;
		struct hl_node *n;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		end = strchrnul(path, '/');
		len = (size_t)(end - path);
		if (len >= sizeof(name)) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, path, len);
		name[len] = '\0';
		n = hl_node_child(t, id, name);
		if (!n) {
			r = -ENOENT;
			break;
		}
		id = n->nodeid;
		path = end;
	}
	pthread_mutex_unlock(&t->lock);
	if (r == 0)
		*nodeid = id;
	return r;
}
