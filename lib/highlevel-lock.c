// SPDX-License-Identifier: LGPL-2.1-or-later
/* POSIX lock bookkeeping of the path API.
 *
 * A file system's lock() may not know who holds a lock (OFD locks on a
 * backing file report no pid), yet F_GETLK must name the holder.  So, as
 * in libfuse, the library keeps the granted locks per inode, with their
 * owner and pid: F_GETLK answers from them first, a granted F_SETLK is
 * recorded with POSIX merge/split rules, and flush drops the owner's. */
#include "highlevel-node.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>

#define OFFSET_MAX INT64_MAX

struct hl_lock {
	struct hl_lock *next;
	int type;
	int64_t start, end;	/* inclusive */
	pid_t pid;
	uint64_t owner;
};

void hl_lock_from_flock(const struct flock *fl, uint64_t owner,
			struct hl_lock_req *l)
{
	l->type = fl->l_type;
	l->start = fl->l_start;
	l->end = fl->l_len ? fl->l_start + fl->l_len - 1 : OFFSET_MAX;
	l->pid = fl->l_pid;
	l->owner = owner;
}

static void to_flock(const struct hl_lock *l, struct flock *fl)
{
	fl->l_type = (short)l->type;
	fl->l_whence = SEEK_SET;
	fl->l_start = l->start;
	fl->l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1;
	fl->l_pid = l->pid;
}

bool hl_locks_conflict(struct hl_node *n, const struct hl_lock_req *req,
		       struct flock *fl)
{
	for (struct hl_lock *l = n->locks; l; l = l->next) {
		if (l->owner == req->owner || l->end < req->start ||
		    l->start > req->end)
			continue;
		if (l->type == F_WRLCK || req->type == F_WRLCK) {
			to_flock(l, fl);
			return true;
		}
	}
	return false;
}

static struct hl_lock *new_lock(const struct hl_lock_req *r, int64_t start,
				int64_t end, int type, pid_t pid)
{
	struct hl_lock *l = malloc(sizeof(*l));

	if (!l)
		return NULL;
	l->type = type;
	l->start = start;
	l->end = end;
	l->pid = pid;
	l->owner = r->owner;
	l->next = NULL;
	return l;
}

/* The owner's locks in [start, end] give way to the new one: trimmed,
 * split in two, or removed; neighbours of the same type merge into it. */
int hl_locks_insert(struct hl_node *n, const struct hl_lock_req *req)
{
	struct hl_lock **pp = &n->locks;
	int64_t start = req->start, end = req->end;
	struct hl_lock *add = NULL, *split = NULL;

	if (req->type == F_UNLCK && !n->locks)
		return 0;	/* every close flushes: keep that free */
	if (req->type != F_UNLCK) {
		add = new_lock(req, start, end, req->type, req->pid);
		if (!add)
			return -ENOMEM;
	}
	/* room for a split before anything changes */
	split = malloc(sizeof(*split));
	if (!split) {
		free(add);
		return -ENOMEM;
	}
	while (*pp) {
		struct hl_lock *l = *pp;

		if (l->owner != req->owner) {
			pp = &l->next;
			continue;
		}
		if (add && l->type == add->type &&
		    (l->end == INT64_MAX || l->end + 1 >= add->start) &&
		    (add->end == INT64_MAX || l->start <= add->end + 1)) {
			/* touching or overlapping, same type: absorb it */
			if (l->start < add->start)
				add->start = l->start;
			if (l->end > add->end)
				add->end = l->end;
			*pp = l->next;
			free(l);
			continue;
		}
		if (l->end < start || l->start > end) {
			pp = &l->next;
			continue;
		}
		if (l->start < start && l->end > end) {
			/* the new range is inside it: keep both ends */
			*split = *l;
			split->start = end + 1;
			l->end = start - 1;
			split->next = l->next;
			l->next = split;
			split = NULL;
			pp = &l->next->next;
			continue;
		}
		if (l->start < start) {
			l->end = start - 1;
			pp = &l->next;
		} else if (l->end > end) {
			l->start = end + 1;
			pp = &l->next;
		} else {
			*pp = l->next;
			free(l);
		}
	}
	free(split);
	if (add) {
		add->next = n->locks;
		n->locks = add;
	}
	return 0;
}

void hl_locks_free(struct hl_node *n)
{
	while (n->locks) {
		struct hl_lock *l = n->locks;

		n->locks = l->next;
		free(l);
	}
}
