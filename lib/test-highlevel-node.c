// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit test of the high-level inode table: lookup counting, forget,
 * rename and exchange, hidden names, remember/noforget, path building
 * and tree locks between threads. */
#include "highlevel-node.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",       \
				__FILE__, __LINE__, #cond);                \
			exit(1);                                           \
		}                                                          \
	} while (0)

static uint64_t lookup(struct hl_table *t, uint64_t parent, const char *name)
{
	struct hl_node *n;

	pthread_mutex_lock(&t->lock);
	CHECK(hl_node_lookup(t, parent, name, &n) == 0);
	pthread_mutex_unlock(&t->lock);
	return n->nodeid;
}

static void forget(struct hl_table *t, uint64_t id, uint64_t n)
{
	pthread_mutex_lock(&t->lock);
	hl_node_forget(t, id, n);
	pthread_mutex_unlock(&t->lock);
}

static struct hl_node *get(struct hl_table *t, uint64_t id)
{
	struct hl_node *n;

	pthread_mutex_lock(&t->lock);
	n = hl_node_get(t, id);
	pthread_mutex_unlock(&t->lock);
	return n;
}

static void check_path(struct hl_table *t, uint64_t id, const char *name,
		       const char *want)
{
	char *p;

	CHECK(hl_path_get(t, id, name, &p, NULL, 0) == 0);
	if (strcmp(p, want) != 0) {
		fprintf(stderr, "path %s, want %s\n", p, want);
		exit(1);
	}
	hl_path_put(t, id, NULL);
}

static void test_counting(void)
{
	struct hl_table t;
	uint64_t a, b, a2;

	CHECK(hl_table_init(&t, 0) == 0);
	check_path(&t, HL_ROOT_ID, NULL, "/");
	check_path(&t, HL_ROOT_ID, "x", "/x");
	a = lookup(&t, HL_ROOT_ID, "a");
	CHECK(a != HL_ROOT_ID && a != 0);
	a2 = lookup(&t, HL_ROOT_ID, "a");
	CHECK(a2 == a);
	CHECK(get(&t, a)->nlookup == 2);
	b = lookup(&t, a, "b");
	check_path(&t, b, NULL, "/a/b");
	check_path(&t, a, "c", "/a/c");

	/* a child keeps its parent even when the kernel forgot the parent */
	forget(&t, a, 2);
	CHECK(get(&t, a) != NULL);
	CHECK(get(&t, a)->nlookup == 0);
	check_path(&t, b, NULL, "/a/b");
	forget(&t, b, 1);
	CHECK(get(&t, b) == NULL);
	CHECK(get(&t, a) == NULL);
	CHECK(t.id_count == 1 && t.name_count == 0);

	/* an over-forget clamps at zero instead of wrapping */
	a = lookup(&t, HL_ROOT_ID, "a");
	forget(&t, a, 5);
	CHECK(get(&t, a) == NULL);
	/* the root is never forgotten */
	forget(&t, HL_ROOT_ID, 1);
	CHECK(get(&t, HL_ROOT_ID) != NULL);
	hl_table_deinit(&t);
}

static void test_unlink_rename(void)
{
	struct hl_table t;
	uint64_t d, e, f, g, x;
	char *p;
	char longname[100];

	CHECK(hl_table_init(&t, 0) == 0);
	d = lookup(&t, HL_ROOT_ID, "d");
	e = lookup(&t, HL_ROOT_ID, "e");
	f = lookup(&t, d, "f");
	g = lookup(&t, e, "g");

	/* rename over an existing name: the old target loses its name but
	 * lives while the kernel holds it */
	pthread_mutex_lock(&t.lock);
	CHECK(hl_node_rename(&t, d, "f", e, "g", false) == 0);
	CHECK(hl_node_child(&t, d, "f") == NULL);
	CHECK(hl_node_child(&t, e, "g")->nodeid == f);
	CHECK(hl_node_get(&t, g) != NULL);
	CHECK(hl_node_get(&t, g)->parent == NULL);
	pthread_mutex_unlock(&t.lock);
	check_path(&t, f, NULL, "/e/g");
	CHECK(hl_path_get(&t, g, NULL, &p, NULL, 0) == -ESTALE);
	forget(&t, g, 1);
	CHECK(get(&t, g) == NULL);

	/* a long name (not inline) survives renames both ways */
	memset(longname, 'L', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	pthread_mutex_lock(&t.lock);
	CHECK(hl_node_rename(&t, e, "g", d, longname, false) == 0);
	pthread_mutex_unlock(&t.lock);
	CHECK(hl_path_get(&t, f, NULL, &p, NULL, 1) == 0);
	CHECK(strlen(p) == 3 + strlen(longname) && strncmp(p, "/d/L", 4) == 0);
	hl_path_put(&t, f, NULL);
	pthread_mutex_lock(&t.lock);
	CHECK(hl_node_rename(&t, d, longname, d, "short", false) == 0);
	pthread_mutex_unlock(&t.lock);
	check_path(&t, f, NULL, "/d/short");

	/* renaming a directory moves its subtree's paths */
	pthread_mutex_lock(&t.lock);
	CHECK(hl_node_rename(&t, HL_ROOT_ID, "d", e, "dd", false) == 0);
	pthread_mutex_unlock(&t.lock);
	check_path(&t, f, NULL, "/e/dd/short");

	/* exchange swaps names; one side unknown is a move */
	x = lookup(&t, HL_ROOT_ID, "x");
	pthread_mutex_lock(&t.lock);
	CHECK(hl_node_exchange(&t, HL_ROOT_ID, "x", d, "short") == 0);
	pthread_mutex_unlock(&t.lock);
	check_path(&t, x, NULL, "/e/dd/short");
	check_path(&t, f, NULL, "/x");
	pthread_mutex_lock(&t.lock);
	CHECK(hl_node_exchange(&t, HL_ROOT_ID, "x", HL_ROOT_ID, "y") == 0);
	pthread_mutex_unlock(&t.lock);
	check_path(&t, f, NULL, "/y");

	/* unlink */
	pthread_mutex_lock(&t.lock);
	hl_node_remove(&t, HL_ROOT_ID, "y");
	CHECK(hl_node_child(&t, HL_ROOT_ID, "y") == NULL);
	pthread_mutex_unlock(&t.lock);
	CHECK(hl_path_get(&t, f, NULL, &p, NULL, 0) == -ESTALE);
	forget(&t, f, 1);
	CHECK(get(&t, f) == NULL);

	CHECK(hl_path_resolve(&t, "/e/dd/short", &x) == 0 &&
	      x == get(&t, x)->nodeid);
	CHECK(hl_path_resolve(&t, "/e/nope", &x) == -ENOENT);
	hl_table_deinit(&t);
}

static void test_hidden(void)
{
	struct hl_table t;
	uint64_t a;
	struct hl_node *n;
	char name[64], name2[72];

	CHECK(hl_table_init(&t, 0) == 0);
	a = lookup(&t, HL_ROOT_ID, "a");
	pthread_mutex_lock(&t.lock);
	n = hl_node_get(&t, a);
	CHECK(!hl_node_is_open(&t, HL_ROOT_ID, "a"));
	n->open_count++;
	CHECK(hl_node_is_open(&t, HL_ROOT_ID, "a"));
	hl_node_hidden_name(&t, HL_ROOT_ID, n, name, sizeof(name));
	CHECK(strncmp(name, ".fuse_hidden", 12) == 0 && strlen(name) == 28);
	CHECK(hl_node_rename(&t, HL_ROOT_ID, "a", HL_ROOT_ID, name, true) == 0);
	CHECK(n->hidden);
	/* the next hidden name differs, even for the same node */
	hl_node_hidden_name(&t, HL_ROOT_ID, n, name2, sizeof(name2));
	CHECK(strcmp(name, name2) != 0);
	pthread_mutex_unlock(&t.lock);
	snprintf(name2, sizeof(name2), "/%s", name);
	check_path(&t, a, NULL, name2);
	hl_table_deinit(&t);
}

static void test_remember(void)
{
	struct hl_table t;
	uint64_t a;

	/* noforget: forgotten names stay with their nodeid */
	CHECK(hl_table_init(&t, -1) == 0);
	a = lookup(&t, HL_ROOT_ID, "a");
	forget(&t, a, 1);
	CHECK(get(&t, a) != NULL);
	CHECK(lookup(&t, HL_ROOT_ID, "a") == a);
	hl_table_deinit(&t);

	/* remember=1: kept for a second, then cleaned */
	CHECK(hl_table_init(&t, 1) == 0);
	a = lookup(&t, HL_ROOT_ID, "a");
	forget(&t, a, 1);
	CHECK(get(&t, a) != NULL && get(&t, a)->remembered);
	CHECK(hl_table_clean(&t) >= 1);
	CHECK(get(&t, a) != NULL);
	/* a new lookup takes it off the list */
	CHECK(lookup(&t, HL_ROOT_ID, "a") == a);
	CHECK(!get(&t, a)->remembered);
	forget(&t, a, 1);
	usleep(1100 * 1000);
	hl_table_clean(&t);
	CHECK(get(&t, a) == NULL);
	hl_table_deinit(&t);
}

struct waiter {
	struct hl_table *t;
	uint64_t id;
	volatile int done;
};

static void *reader(void *arg)
{
	struct waiter *w = arg;
	char *p;

	CHECK(hl_path_get(w->t, w->id, NULL, &p, NULL, 0) == 0);
	CHECK(strcmp(p, "/n/b") == 0);
	w->done = 1;
	hl_path_put(w->t, w->id, NULL);
	return NULL;
}

static void test_locks(void)
{
	struct hl_table t;
	struct hl_node *wn, *wn2;
	uint64_t a, b;
	char *p1, *p2;
	pthread_t th;
	struct waiter w = { .t = &t };

	CHECK(hl_table_init(&t, 0) == 0);
	a = lookup(&t, HL_ROOT_ID, "a");
	b = lookup(&t, a, "b");

	/* a rename holds the write lock on "a": a reader of /a/b waits and
	 * then sees the new path */
	CHECK(hl_path_get2(&t, HL_ROOT_ID, "a", HL_ROOT_ID, "n", &p1, &p2,
			   &wn, &wn2) == 0);
	CHECK(strcmp(p1, "/a") == 0 && strcmp(p2, "/n") == 0);
	CHECK(wn && wn->nodeid == a && wn2 == NULL);
	w.id = b;
	CHECK(pthread_create(&th, NULL, reader, &w) == 0);
	usleep(50 * 1000);
	CHECK(!w.done);
	pthread_mutex_lock(&t.lock);
	CHECK(hl_node_rename(&t, HL_ROOT_ID, "a", HL_ROOT_ID, "n", false) == 0);
	pthread_mutex_unlock(&t.lock);
	hl_path_put2(&t, HL_ROOT_ID, HL_ROOT_ID, wn, wn2);
	pthread_join(th, NULL);
	CHECK(w.done);

	/* moving a directory under itself is refused, not deadlocked */
	CHECK(hl_path_get2(&t, HL_ROOT_ID, "n", b, "x", &p1, &p2, &wn,
			   &wn2) == -EINVAL);
	/* readers share */
	CHECK(hl_path_get(&t, b, NULL, &p1, NULL, 0) == 0);
	CHECK(hl_path_get(&t, b, NULL, &p2, NULL, 1) == 0);
	CHECK(get(&t, b)->treelock == 2);
	hl_path_put(&t, b, NULL);
	hl_path_put(&t, b, NULL);
	CHECK(get(&t, b)->treelock == 0 && get(&t, a)->treelock == 0);
	hl_table_deinit(&t);
}

static void test_many(void)
{
	struct hl_table t;
	enum { N = 20000 };
	static uint64_t ids[N];
	char name[32];

	CHECK(hl_table_init(&t, 0) == 0);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		ids[i] = lookup(&t, HL_ROOT_ID, name);
	}
	for (int i = 0; i < N; i += 997) {
		uint64_t id;

		snprintf(name, sizeof(name), "/f%d", i);
		CHECK(hl_path_resolve(&t, name, &id) == 0 && id == ids[i]);
		check_path(&t, ids[i], NULL, name);
	}
	for (int i = 0; i < N; i++)
		forget(&t, ids[i], 1);
	CHECK(t.id_count == 1 && t.name_count == 0);
	hl_table_deinit(&t);
}

static void lockreq(struct hl_lock_req *l, int type, int64_t start,
		    int64_t len, uint64_t owner)
{
	struct flock fl = { .l_type = (short)type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len, .l_pid = 100 + (pid_t)owner };

	hl_lock_from_flock(&fl, owner, l);
}

static void test_locks_table(void)
{
	struct hl_node n = { 0 };
	struct hl_lock_req l;
	struct flock fl;

	/* owner 1 write-locks [0,100); owner 2 conflicts, owner 1 not */
	lockreq(&l, F_WRLCK, 0, 100, 1);
	CHECK(hl_locks_insert(&n, &l) == 0);
	lockreq(&l, F_RDLCK, 50, 10, 2);
	CHECK(hl_locks_conflict(&n, &l, &fl));
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 100 &&
	      fl.l_pid == 101);
	lockreq(&l, F_WRLCK, 50, 10, 1);
	CHECK(!hl_locks_conflict(&n, &l, &fl));
	lockreq(&l, F_RDLCK, 100, 10, 2);
	CHECK(!hl_locks_conflict(&n, &l, &fl));

	/* unlocking the middle splits it: [0,40) and [60,100) remain */
	lockreq(&l, F_UNLCK, 40, 20, 1);
	CHECK(hl_locks_insert(&n, &l) == 0);
	lockreq(&l, F_WRLCK, 45, 10, 2);
	CHECK(!hl_locks_conflict(&n, &l, &fl));
	lockreq(&l, F_WRLCK, 30, 20, 2);
	CHECK(hl_locks_conflict(&n, &l, &fl) && fl.l_start == 0 &&
	      fl.l_len == 40);
	lockreq(&l, F_WRLCK, 55, 10, 2);
	CHECK(hl_locks_conflict(&n, &l, &fl) && fl.l_start == 60 &&
	      fl.l_len == 40);

	/* filling the hole with the same type merges all into one */
	lockreq(&l, F_WRLCK, 40, 20, 1);
	CHECK(hl_locks_insert(&n, &l) == 0);
	CHECK(n.locks != NULL);
	lockreq(&l, F_RDLCK, 99, 1, 2);
	CHECK(hl_locks_conflict(&n, &l, &fl) && fl.l_start == 0 &&
	      fl.l_len == 100);

	/* readers share; a read lock turns part of a write lock */
	lockreq(&l, F_RDLCK, 0, 10, 1);
	CHECK(hl_locks_insert(&n, &l) == 0);
	lockreq(&l, F_RDLCK, 0, 10, 2);
	CHECK(!hl_locks_conflict(&n, &l, &fl));
	CHECK(hl_locks_insert(&n, &l) == 0);
	lockreq(&l, F_WRLCK, 5, 1, 3);
	CHECK(hl_locks_conflict(&n, &l, &fl) && fl.l_type == F_RDLCK);

	/* flush drops everything of an owner (whole range, len 0) */
	lockreq(&l, F_UNLCK, 0, 0, 1);
	CHECK(hl_locks_insert(&n, &l) == 0);
	lockreq(&l, F_WRLCK, 20, 200, 2);
	CHECK(!hl_locks_conflict(&n, &l, &fl));
	lockreq(&l, F_UNLCK, 0, 0, 2);
	CHECK(hl_locks_insert(&n, &l) == 0);
	CHECK(n.locks == NULL);
	hl_locks_free(&n);
}

int main(void)
{
	test_locks_table();
	test_counting();
	test_unlink_rename();
	test_hidden();
	test_remember();
	test_locks();
	test_many();
	printf("ok\n");
	return 0;
}
