/* Notifications against the real kernel
 *
 * A tiny low-level filesystem (one directory with the files "f" and "g")
 * is mounted and served by fuse_session_loop in a thread; the main thread
 * uses it through syscalls and sends each notification, and the kernel's
 * reaction shows that the wire format was right: inval_inode makes stat
 * see a new size, inval_entry and expire_entry make it look the name up
 * again, delete drops an entry, store fills the page cache so a read needs
 * no READ, retrieve brings that data back through NOTIFY_REPLY, and
 * notify_poll wakes a poll(2).  As root (mounts); exit 77 without
 * /dev/fuse. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fuse_lowlevel.h"
#include "test-util.h"

#define ROOT 1
#define INO_F 2
#define INO_G 3

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int lookups_f, lookups_g, reads;
static size_t size_f = 10;
static char retrieved[64];
static atomic_int retrieved_len = -1;
static struct fuse_pollhandle *pending_ph;
static atomic_int poll_ready;

/* What the emergency exit below needs; set before it can run. */
static char mnt_dir[32];
static char abort_file[96];
static int dev_fd = -1;

/* Killed by meson's timeout (SIGTERM), interrupted or out of time
 * (SIGALRM): take the mount and its connection with us, so that a failed
 * or hung run leaves no FUSE mount behind.  Only async-signal-safe calls. */
static void emergency_exit(int sig)
{
	int fd;

	static const char msg[] =
		"test-notify: killed or out of time; unmounting\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	(void)sig;
	if (mnt_dir[0])
		(void)umount2(mnt_dir, MNT_DETACH);
	if (abort_file[0]) {
		fd = open(abort_file, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, "1", 1);
			close(fd);
		}
	}
	/* Without fusectl mounted there is no abort file: then it is the
	 * last close of /dev/fuse that ends the connection, before exit
	 * closes a file of ours on the mount and waits for a FLUSH that
	 * our own, dead, server would never answer. */
	if (dev_fd >= 0)
		close(dev_fd);
	if (mnt_dir[0])
		(void)rmdir(mnt_dir);
	_exit(1);
}

static void fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == ROOT) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return;
	}
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	pthread_mutex_lock(&lock);
	st->st_size = (off_t)(ino == INO_F ? size_f : 4096);
	pthread_mutex_unlock(&lock);
}

static void n_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	if (parent != ROOT || (strcmp(name, "f") && strcmp(name, "g"))) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.ino = name[0] == 'f' ? INO_F : INO_G;
	if (e.ino == INO_F)
		lookups_f++;
	else
		lookups_g++;
	/* Cached "forever": only a notification makes the kernel ask
	 * again. */
	e.attr_timeout = 1000;
	e.entry_timeout = 1000;
	fill_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void n_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	fill_stat(ino, &st);
	fuse_reply_attr(req, &st, 1000);
}

static void n_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* Keep what notify_store put in the page cache. */
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

static void n_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	static char zeros[4096];

	reads++;
	if ((size_t)off >= 4096) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > 4096 - (size_t)off)
		size = 4096 - (size_t)off;
	fuse_reply_buf(req, zeros, size);
}

static void n_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		   struct fuse_pollhandle *ph)
{
	pthread_mutex_lock(&lock);
	if (ph) {
		if (pending_ph)
			fuse_pollhandle_destroy(pending_ph);
		pending_ph = ph;
	}
	pthread_mutex_unlock(&lock);
	fuse_reply_poll(req, poll_ready ? POLLIN : 0);
}

/* pending_ph is the server thread's, under lock. */
static bool poll_pending(void)
{
	bool r;

	pthread_mutex_lock(&lock);
	r = pending_ph != NULL;
	pthread_mutex_unlock(&lock);
	return r;
}

static void n_retrieve_reply(fuse_req_t req, void *cookie, fuse_ino_t ino,
			     off_t offset, struct fuse_bufvec *bufv)
{
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(sizeof(retrieved));
	ssize_t n;

	dst.buf[0].mem = retrieved;
	n = fuse_buf_copy(&dst, bufv, 0);
	CHECK(cookie == (void *)retrieved);
	CHECK(ino == INO_G && offset == 0);
	retrieved_len = (int)n;
	fuse_reply_none(req);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = n_lookup,
	.getattr = n_getattr,
	.open = n_open,
	.read = n_read,
	.poll = n_poll,
	.retrieve_reply = n_retrieve_reply,
};

static void *serve(void *arg)
{
	fuse_session_loop(arg);
	return NULL;
}

/* Wait (up to 5 s) for cond to become true. */
#define WAIT_FOR(cond) do { \
	for (int i_ = 0; i_ < 500 && !(cond); i_++) \
		usleep(10000); \
} while (0)

static void *poller(void *path)
{
	struct pollfd pfd;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return (void *)-1L;
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* Returns when notify_poll makes the kernel poll again. */
	int r = poll(&pfd, 1, 5000);
	close(fd);
	return (void *)(long)(r == 1 && (pfd.revents & POLLIN));
}

int main(void)
{
	char dir[] = "/tmp/test-notify.XXXXXX";
	char path_f[64], path_g[64], abort_path[96];
	char *argv[] = { "test-notify", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse_session *se;
	pthread_t thr, pth;
	struct stat st;
	char buf[16];
	int fd, before;
	void *pr;

	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		fprintf(stderr, "test-notify: no access to /dev/fuse, skipped\n");
		return 77;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(mnt_dir, sizeof(mnt_dir), "%s", dir);
	do {
		struct sigaction sa = { .sa_handler = emergency_exit };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGALRM, &sa, NULL);
		alarm(50);	/* before meson's 60 s */
	} while (0);
	snprintf(path_f, sizeof(path_f), "%s/f", dir);
	snprintf(path_g, sizeof(path_g), "%s/g", dir);
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	fuse_opt_free_args(&args);
	if (!se || fuse_session_mount(se, dir) != 0) {
		fprintf(stderr, "test-notify: cannot mount on %s\n", dir);
		rmdir(dir);
		return 1;
	}
	dev_fd = fuse_session_fd(se);
	pthread_create(&thr, NULL, serve, se);

	/* inval_inode: the cached attributes go, stat sees the new size. */
	CHECK(stat(path_f, &st) == 0 && st.st_size == 10);
	CHECK(lookups_f == 1);
	snprintf(abort_path, sizeof(abort_path),
		 "/sys/fs/fuse/connections/%u/abort", minor(st.st_dev));
	snprintf(abort_file, sizeof(abort_file), "%s", abort_path);
	pthread_mutex_lock(&lock);
	size_f = 20;
	pthread_mutex_unlock(&lock);
	CHECK(stat(path_f, &st) == 0 && st.st_size == 10);
	CHECK(fuse_lowlevel_notify_inval_inode(se, INO_F, 0, 0) == 0);
	CHECK(stat(path_f, &st) == 0 && st.st_size == 20);

	/* inval_entry: the name is looked up again. */
	before = lookups_f;
	CHECK(stat(path_f, &st) == 0 && lookups_f == before);
	CHECK(fuse_lowlevel_notify_inval_entry(se, ROOT, "f", 1) == 0);
	CHECK(stat(path_f, &st) == 0 && lookups_f == before + 1);

	/* expire_entry (7.38 kernels): likewise, without dropping it. */
	before = lookups_f;
	CHECK(fuse_lowlevel_notify_expire_entry(se, ROOT, "f", 1,
						FUSE_LL_EXPIRE_ONLY) == 0);
	CHECK(stat(path_f, &st) == 0 && lookups_f == before + 1);

	/* store: the page cache of g gets "HELLO" with no READ; retrieve
	 * reads it back through NOTIFY_REPLY. */
	CHECK(stat(path_g, &st) == 0);
	fd = open(path_g, O_RDONLY);
	CHECK(fd >= 0);
	do {
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(4096);
		static char page[4096] = "HELLO";

		bv.buf[0].mem = page;
		CHECK(fuse_lowlevel_notify_store(se, INO_G, 0, &bv, 0) == 0);
	} while (0);
	before = reads;
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "HELLO", 5));
	CHECK(reads == before);
	CHECK(fuse_lowlevel_notify_retrieve(se, INO_G, 5, 0, retrieved) == 0);
	WAIT_FOR(retrieved_len >= 0);
	CHECK(retrieved_len == 5 && !memcmp(retrieved, "HELLO", 5));
	if (fd >= 0)
		close(fd);

	/* poll: a poller waits until notify_poll tells the kernel to ask
	 * again, and the answer then says ready. */
	pthread_create(&pth, NULL, poller, path_g);
	WAIT_FOR(poll_pending());
	CHECK(poll_pending());
	poll_ready = 1;
	pthread_mutex_lock(&lock);
	if (pending_ph)
		CHECK(fuse_lowlevel_notify_poll(pending_ph) == 0);
	pthread_mutex_unlock(&lock);
	pthread_join(pth, &pr);
	CHECK(pr == (void *)1L);

	/* delete: the entry of g goes from the dcache. */
	CHECK(stat(path_g, &st) == 0);
	before = lookups_g;
	CHECK(fuse_lowlevel_notify_delete(se, ROOT, INO_G, "g", 1) == 0);
	CHECK(stat(path_g, &st) == 0 && lookups_g == before + 1);

	/* The end: unmount; if a copy of the mount lives on in another
	 * mount namespace the loop would wait for ever, so abort the
	 * connection too.  fuse_session_unmount() closes the fd the
	 * serving thread reads, so only once that thread is gone (closing
	 * an fd another thread is blocked on is a race: ThreadSanitizer). */
	alarm(0);
	fuse_session_exit(se);
	(void)umount2(dir, MNT_DETACH);
	do {
		FILE *f = fopen(abort_path, "w");

		if (f) {
			fputs("1", f);
			fclose(f);
		}
	} while (0);
	pthread_join(thr, NULL);
	fuse_session_unmount(se);
	if (pending_ph)
		fuse_pollhandle_destroy(pending_ph);
	fuse_session_destroy(se);
	rmdir(dir);

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("notifications: all checks passed\n");
	return 0;
}
