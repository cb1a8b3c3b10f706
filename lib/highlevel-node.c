// SPDX-License-Identifier: LGPL-2.1-or-later
/* High-level inode table: hashing, lookup counting, renames, tree-locked
 * paths.  See highlevel-node.h for the rules. */
#include "highlevel-node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HL_INITIAL_BUCKETS 1024

static size_t id_hash(const struct hl_table *t, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 20) & (t->id_size - 1);
}

static size_t name_hash(const struct hl_table *t, uint64_t parent,
			const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (parent * 0x9e3779b97f4a7c15ULL);

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29)) & (t->name_size - 1);
}

/* Doubling keeps chains short for the 20k-file create/stat/unlink case
 * without a big table for small mounts. */
static void grow_ids(struct hl_table *t)
{
	size_t old = t->id_size;
	struct hl_node **oldtab = t->id_tab;
	struct hl_node **tab = calloc(old * 2, sizeof(*tab));

	if (!tab)
		return;	/* longer chains, still correct */
	t->id_tab = tab;
	t->id_size = old * 2;
	for (size_t i = 0; i < old; i++) {
		struct hl_node *n = oldtab[i], *next;

		for (; n; n = next) {
			size_t h = id_hash(t, n->nodeid);

			next = n->id_next;
			n->id_next = tab[h];
			tab[h] = n;
		}
	}
	free(oldtab);
}

static void grow_names(struct hl_table *t)
{
	size_t old = t->name_size;
	struct hl_node **oldtab = t->name_tab;
	struct hl_node **tab = calloc(old * 2, sizeof(*tab));

	if (!tab)
		return;
	t->name_tab = tab;
	t->name_size = old * 2;
	for (size_t i = 0; i < old; i++) {
		struct hl_node *n = oldtab[i], *next;

		for (; n; n = next) {
			size_t h = name_hash(t, n->parent->nodeid, n->name);

			next = n->name_next;
			n->name_next = tab[h];
			tab[h] = n;
		}
	}
	free(oldtab);
}

static void hash_id(struct hl_table *t, struct hl_node *n)
{
	size_t h = id_hash(t, n->nodeid);

	n->id_next = t->id_tab[h];
	t->id_tab[h] = n;
	if (++t->id_count > t->id_size)
		grow_ids(t);
}

static void unhash_id(struct hl_table *t, struct hl_node *n)
{
	struct hl_node **p = &t->id_tab[id_hash(t, n->nodeid)];

	for (; *p; p = &(*p)->id_next) {
		if (*p == n) {
			*p = n->id_next;
			t->id_count--;
			return;
		}
	}
}

static int set_name(struct hl_node *n, const char *name)
{
	size_t len = strlen(name);
	char *s = n->inline_name;

	if (len >= sizeof(n->inline_name)) {
		s = malloc(len + 1);
		if (!s)
			return -ENOMEM;
	}
	memcpy(s, name, len + 1);
	n->name = s;
	n->namelen = len;
	return 0;
}

static void free_name(struct hl_node *n)
{
	if (n->name != n->inline_name)
		free(n->name);
	n->name = NULL;
	n->namelen = 0;
}

/* Links n under parent with its (already set) name. */
static void hash_name(struct hl_table *t, struct hl_node *n,
		      struct hl_node *parent)
{
	size_t h = name_hash(t, parent->nodeid, n->name);

	n->parent = parent;
	parent->nchildren++;
	n->name_next = t->name_tab[h];
	t->name_tab[h] = n;
	if (++t->name_count > t->name_size)
		grow_names(t);
}

/* Takes n out of the name hash and off its parent; the caller releases
 * the parent (it may be deletable now). */
static struct hl_node *unhash_name(struct hl_table *t, struct hl_node *n)
{
	struct hl_node *parent = n->parent;
	struct hl_node **p;

	if (!parent || !n->name)
		return NULL;
	p = &t->name_tab[name_hash(t, parent->nodeid, n->name)];
	for (; *p; p = &(*p)->name_next) {
		if (*p == n) {
			*p = n->name_next;
			t->name_count--;
			break;
		}
	}
	parent->nchildren--;
	n->parent = NULL;
	free_name(n);
	return parent;
}

static void lru_del(struct hl_node *n)
{
	if (!n->remembered)
		return;
	n->lru_prev->lru_next = n->lru_next;
	n->lru_next->lru_prev = n->lru_prev;
	n->lru_prev = n->lru_next = NULL;
	n->remembered = false;
}

static void lru_add(struct hl_table *t, struct hl_node *n)
{
	clock_gettime(CLOCK_MONOTONIC, &n->forget_time);
	n->lru_prev = t->lru.lru_prev;
	n->lru_next = &t->lru;
	t->lru.lru_prev->lru_next = n;
	t->lru.lru_prev = n;
	n->remembered = true;
}

static bool node_in_use(const struct hl_table *t, const struct hl_node *n)
{
	if (n == t->root || n->nlookup || n->nchildren || n->treelock ||
	    n->open_count || n->remembered)
		return true;
	/* noforget: a name the kernel may come back to keeps its node */
	return t->remember < 0 && n->parent;
}

void hl_node_release(struct hl_table *t, struct hl_node *n)
{
	while (n && !node_in_use(t, n)) {
		struct hl_node *parent = unhash_name(t, n);

		unhash_id(t, n);
		hl_locks_free(n);
		free(n);
		n = parent;
	}
}

int hl_table_init(struct hl_table *t, int remember)
{
	struct hl_node *root;

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->tree_cond, NULL);
	t->remember = remember;
	t->lru.lru_next = t->lru.lru_prev = &t->lru;
	t->id_size = t->name_size = HL_INITIAL_BUCKETS;
	t->id_tab = calloc(t->id_size, sizeof(*t->id_tab));
	t->name_tab = calloc(t->name_size, sizeof(*t->name_tab));
	root = calloc(1, sizeof(*root));
	if (!t->id_tab || !t->name_tab || !root) {
		free(root);
		hl_table_deinit(t);
		return -ENOMEM;
	}
	root->nodeid = HL_ROOT_ID;
	root->nlookup = 1;
	t->root = root;
	t->ctr = HL_ROOT_ID;
	hash_id(t, root);
	return 0;
}

void hl_table_deinit(struct hl_table *t)
{
	if (t->id_tab) {
		for (size_t i = 0; i < t->id_size; i++) {
			struct hl_node *n = t->id_tab[i], *next;

			for (; n; n = next) {
				next = n->id_next;
				hl_locks_free(n);
				free_name(n);
				free(n);
			}
		}
	}
	free(t->id_tab);
	free(t->name_tab);
	t->id_tab = t->name_tab = NULL;
	t->root = NULL;
	pthread_cond_destroy(&t->tree_cond);
	pthread_mutex_destroy(&t->lock);
}

struct hl_node *hl_node_get(struct hl_table *t, uint64_t nodeid)
{
	struct hl_node *n = t->id_tab[id_hash(t, nodeid)];

	while (n && n->nodeid != nodeid)
		n = n->id_next;
	return n;
}

struct hl_node *hl_node_child(struct hl_table *t, uint64_t parent,
			      const char *name)
{
	struct hl_node *n = t->name_tab[name_hash(t, parent, name)];

	for (; n; n = n->name_next)
		if (n->parent->nodeid == parent && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

/* Skips 0, the root and the "unknown" inode number; a wrap bumps the
 * generation so (nodeid, generation) stays unique for NFS. */
static uint64_t next_id(struct hl_table *t)
{
	do {
		t->ctr++;
		if (t->ctr == 0)
			t->generation++;
	} while (t->ctr == 0 || t->ctr == HL_ROOT_ID ||
		 t->ctr == HL_UNKNOWN_INO || hl_node_get(t, t->ctr));
	return t->ctr;
}

int hl_node_lookup(struct hl_table *t, uint64_t parent, const char *name,
		   struct hl_node **ret)
{
	struct hl_node *n = hl_node_child(t, parent, name);
	struct hl_node *p;

	if (!n) {
		p = hl_node_get(t, parent);
		if (!p)
			return -ESTALE;
		n = calloc(1, sizeof(*n));
		if (!n)
			return -ENOMEM;
		if (set_name(n, name) < 0) {
			free(n);
			return -ENOMEM;
		}
		n->nodeid = next_id(t);
		n->generation = t->generation;
		hash_id(t, n);
		hash_name(t, n, p);
	}
	lru_del(n);
	n->nlookup++;
	*ret = n;
	return 0;
}

int hl_node_ref(struct hl_table *t, uint64_t nodeid, struct hl_node **ret)
{
	struct hl_node *n = hl_node_get(t, nodeid);

	if (!n)
		return -ESTALE;
	lru_del(n);
	n->nlookup++;
	*ret = n;
	return 0;
}

void hl_node_forget(struct hl_table *t, uint64_t nodeid, uint64_t nlookup)
{
	struct hl_node *n = hl_node_get(t, nodeid);

	if (!n || n == t->root)
		return;
	if (t->remember < 0 && n->parent)
		return;	/* noforget */
	n->nlookup = nlookup > n->nlookup ? 0 : n->nlookup - nlookup;
	if (n->nlookup)
		return;
	if (t->remember > 0 && n->parent)
		lru_add(t, n);
	hl_node_release(t, n);
}

void hl_node_remove(struct hl_table *t, uint64_t parent, const char *name)
{
	struct hl_node *n = hl_node_child(t, parent, name);

	if (!n)
		return;
	hl_node_release(t, unhash_name(t, n));
	/* no name to come back by: nothing to remember it for */
	lru_del(n);
	hl_node_release(t, n);
}

int hl_node_rename(struct hl_table *t, uint64_t olddir, const char *oldname,
		   uint64_t newdir, const char *newname, bool hide)
{
	struct hl_node *n = hl_node_child(t, olddir, oldname);
	struct hl_node *newp = hl_node_get(t, newdir);
	struct hl_node *oldp;
	size_t len = strlen(newname);
	char *store = NULL;

	if (!n || (olddir == newdir && strcmp(oldname, newname) == 0))
		return 0;
	if (!newp)
		return -ESTALE;
	/* allocate first: on ENOMEM the node stays where it was */
	if (len >= sizeof(n->inline_name)) {
		store = malloc(len + 1);
		if (!store)
			return -ENOMEM;
	}
	newp->nchildren++;	/* pinned while the old target goes */
	hl_node_remove(t, newdir, newname);
	newp->nchildren--;
	oldp = unhash_name(t, n);
	if (!store)
		store = n->inline_name;
	memcpy(store, newname, len + 1);
	n->name = store;
	n->namelen = len;
	hash_name(t, n, newp);
	if (hide)
		n->hidden = true;
	hl_node_release(t, oldp);
	return 0;
}

int hl_node_exchange(struct hl_table *t, uint64_t dir1, const char *name1,
		     uint64_t dir2, const char *name2)
{
	struct hl_node *n1 = hl_node_child(t, dir1, name1);
	struct hl_node *n2 = hl_node_child(t, dir2, name2);
	struct hl_node *p1, *p2;
	char *s1, *s2;
	int r = -ENOMEM;

	if (!n1 || !n2) {
		/* one side unknown to the table: a plain move of the other */
		if (n1)
			return hl_node_rename(t, dir1, name1, dir2, name2,
					      false);
		if (n2)
			return hl_node_rename(t, dir2, name2, dir1, name1,
					      false);
		return 0;
	}
	s1 = strdup(name1);
	s2 = strdup(name2);
	if (!s1 || !s2)
		goto out;
	p1 = n1->parent;
	p2 = n2->parent;
	p1->nchildren++;
	p2->nchildren++;
	unhash_name(t, n1);
	unhash_name(t, n2);
	/* set_name of a name that fit before cannot fail when inline; when
	 * it is malloc'd we already hold copies, so fall back to those */
	if (set_name(n1, s2) < 0) {
		n1->name = s2;
		n1->namelen = strlen(s2);
		s2 = NULL;
	}
	if (set_name(n2, s1) < 0) {
		n2->name = s1;
		n2->namelen = strlen(s1);
		s1 = NULL;
	}
	hash_name(t, n1, p2);
	hash_name(t, n2, p1);
	p1->nchildren--;
	p2->nchildren--;
	r = 0;
out:
	free(s1);
	free(s2);
	return r;
}

void hl_node_hidden_name(struct hl_table *t, uint64_t dir,
			 struct hl_node *node, char *buf, size_t size)
{
	do {
		snprintf(buf, size, ".fuse_hidden%08x%08x",
			 (unsigned)node->nodeid, (unsigned)t->hidectr++);
	} while (hl_node_child(t, dir, buf));
}

bool hl_node_is_open(struct hl_table *t, uint64_t dir, const char *name)
{
	struct hl_node *n = hl_node_child(t, dir, name);

	return n && n->open_count > 0;
}

int hl_table_clean(struct hl_table *t)
{
	struct timespec now;
	int next = t->remember > 0 ? t->remember : 60;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&t->lock);
	while (t->lru.lru_next != &t->lru) {
		struct hl_node *n = t->lru.lru_next;
		time_t age = now.tv_sec - n->forget_time.tv_sec;

		if (age < t->remember) {
			next = (int)(t->remember - age);
			break;
		}
		lru_del(n);
		hl_node_release(t, n);
	}
	pthread_mutex_unlock(&t->lock);
	return next > 0 ? next : 1;
}

int hl_table_hidden(struct hl_table *t, uint64_t **ids)
{
	size_t n = 0, cap = 0;
	uint64_t *v = NULL;

	for (size_t i = 0; i < t->id_size; i++) {
		for (struct hl_node *x = t->id_tab[i]; x; x = x->id_next) {
			if (!x->hidden || !x->parent)
				continue;
			if (n == cap) {
				uint64_t *nv;

				cap = cap ? cap * 2 : 16;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
			}
			v[n++] = x->nodeid;
		}
	}
	*ids = v;
	return (int)n;
}
