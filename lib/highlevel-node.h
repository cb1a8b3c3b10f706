/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The high-level inode table: nodeid <-> (parent, name).
 *
 * The kernel knows files by nodeid; the path API knows them by name.  The
 * table maps both ways, counts the kernel's lookups exactly (each entry
 * reply adds one, FORGET takes them away) and builds paths for a request
 * while holding tree locks, so that a rename cannot move a directory out
 * from under a path being used by another thread.
 *
 * Locking: t->lock guards everything.  Functions named hl_node_* expect
 * the caller to hold it; hl_path_* and hl_table_clean take it themselves.
 * Depends on libc and pthreads only, so it is unit-tested alone. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define HL_ROOT_ID 1
/* st_ino the kernel is given when the library has no inode number */
#define HL_UNKNOWN_INO 0xffffffffULL

struct hl_lock;
struct flock;

struct hl_node {
	struct hl_node *id_next;
	struct hl_node *name_next;
	struct hl_node *parent;	/* NULL once unlinked (and for the root) */
	char *name;		/* NULL once unlinked */
	size_t namelen;
	uint64_t nodeid;
	uint64_t generation;
	uint64_t nlookup;	/* the kernel's references */
	unsigned nchildren;	/* named children keep their parent */
	int treelock;		/* >0: that many readers, -1: a writer */
	int open_count;
	bool hidden;		/* renamed to .fuse_hidden* while open */
	bool remembered;	/* on the LRU list, waiting for remember= */
	/* auto_cache: what the attributes were when the cache was filled */
	bool cache_valid;
	struct timespec mtime;
	off_t size;
	struct timespec stat_updated;
	/* remember=: forgotten nodes wait here in forget order */
	struct hl_node *lru_prev, *lru_next;
	struct timespec forget_time;
	struct hl_lock *locks;	/* POSIX locks granted (highlevel-lock.c) */
	char inline_name[32];
};

struct hl_table {
	pthread_mutex_t lock;
	pthread_cond_t tree_cond;	/* a tree lock was released */
	unsigned tree_waiters;
	struct hl_node **id_tab;
	size_t id_size, id_count;
	struct hl_node **name_tab;
	size_t name_size, name_count;
	uint64_t ctr;
	uint64_t generation;
	uint32_t hidectr;
	int remember;			/* 0: forget, <0: never, >0: seconds */
	struct hl_node lru;		/* list head */
	struct hl_node *root;
};

int hl_table_init(struct hl_table *t, int remember);
void hl_table_deinit(struct hl_table *t);

/* Caller holds t->lock. */
struct hl_node *hl_node_get(struct hl_table *t, uint64_t nodeid);
struct hl_node *hl_node_child(struct hl_table *t, uint64_t parent,
			      const char *name);
/* The child (created if needed) with one more lookup reference.  0 or
 * -ENOMEM/-ESTALE (no such parent). */
int hl_node_lookup(struct hl_table *t, uint64_t parent, const char *name,
		   struct hl_node **ret);
/* One more lookup reference on an existing node ("." and ".."). */
int hl_node_ref(struct hl_table *t, uint64_t nodeid, struct hl_node **ret);
/* Takes nlookup references away; the node goes when nothing holds it. */
void hl_node_forget(struct hl_table *t, uint64_t nodeid, uint64_t nlookup);
/* The name is gone (unlink, rmdir); the node lives on while looked up. */
void hl_node_remove(struct hl_table *t, uint64_t parent, const char *name);
/* Moves (olddir, oldname) to (newdir, newname), unhashing whatever was
 * there; hide marks the moved node as hidden.  0 or -ENOMEM. */
int hl_node_rename(struct hl_table *t, uint64_t olddir, const char *oldname,
		   uint64_t newdir, const char *newname, bool hide);
/* RENAME_EXCHANGE: the two names swap nodes. */
int hl_node_exchange(struct hl_table *t, uint64_t dir1, const char *name1,
		     uint64_t dir2, const char *name2);
/* Writes a fresh ".fuse_hiddenXXXXXXXXYYYYYYYY" name for node into buf
 * (at least 32 bytes), one not in use in dir per the table. */
void hl_node_hidden_name(struct hl_table *t, uint64_t dir,
			 struct hl_node *node, char *buf, size_t size);
bool hl_node_is_open(struct hl_table *t, uint64_t dir, const char *name);
/* Lets the node go if nothing holds it any more. */
void hl_node_release(struct hl_table *t, struct hl_node *node);

/* Paths.  A request's path lives in a per-thread buffer (slot 0..2),
 * reused by the next request on the thread, so the hot path allocates
 * nothing.  While a path is held the nodes on it are read-locked; wnode
 * (if asked) write-locks the named child, the one an unlink or rename
 * changes.  0, -ESTALE (unlinked node), -ENOENT, -ENOMEM. */
int hl_path_get(struct hl_table *t, uint64_t nodeid, const char *name,
		char **path, struct hl_node **wnode, int slot);
void hl_path_put(struct hl_table *t, uint64_t nodeid, struct hl_node *wnode);
/* Two paths at once (rename, link, copy_file_range), taken atomically so
 * two requests never deadlock on each other's locks. */
int hl_path_get2(struct hl_table *t, uint64_t id1, const char *name1,
		 uint64_t id2, const char *name2, char **path1, char **path2,
		 struct hl_node **wnode1, struct hl_node **wnode2);
void hl_path_put2(struct hl_table *t, uint64_t id1, uint64_t id2,
		  struct hl_node *wnode1, struct hl_node *wnode2);
/* The nodeid a path names, from the table alone.  0 or -ENOENT. */
int hl_path_resolve(struct hl_table *t, const char *path, uint64_t *nodeid);

/* The nodeids of hidden files (for unlinking them at unmount), in a
 * malloc'd array.  The count, or -ENOMEM.  Caller holds t->lock. */
int hl_table_hidden(struct hl_table *t, uint64_t **ids);

/* remember=: forgets nodes that waited long enough.  Returns the number
 * of seconds until it is worth calling again.  Takes t->lock. */
int hl_table_clean(struct hl_table *t);

/* POSIX locks of a node (highlevel-lock.c); caller holds t->lock. */
struct hl_lock_req {
	int type;
	int64_t start, end;
	pid_t pid;
	uint64_t owner;
};

void hl_lock_from_flock(const struct flock *fl, uint64_t owner,
			struct hl_lock_req *l);
/* Whether another owner's lock conflicts; if so *fl describes it. */
bool hl_locks_conflict(struct hl_node *n, const struct hl_lock_req *req,
		       struct flock *fl);
/* Records a granted lock or unlock (F_UNLCK).  0 or -ENOMEM. */
int hl_locks_insert(struct hl_node *n, const struct hl_lock_req *req);
void hl_locks_free(struct hl_node *n);
