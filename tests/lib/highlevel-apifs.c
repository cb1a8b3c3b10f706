// SPDX-License-Identifier: GPL-2.0-or-later
/* A high-level file system for the calls the examples do not make:
 * ioctl, poll with fuse_notify_poll, fuse_invalidate_path, and
 * fuse_get_context/fuse_getgroups.  The same binary checks them:
 *
 *   highlevel-apifs MOUNTPOINT [fuse options]    serve (fuse_main)
 *   highlevel-apifs --check MOUNTPOINT           exercise a mounted one
 *
 * Files: /ioctl (a size read and set by ioctl), /poll (readable 200 ms
 * after the first poll), /ctx (the caller's uid, gid, pid, group count),
 * /gen (a digit kept in the page cache; the BUMP ioctl changes it and
 * invalidates it by path), /slow (a read polling fuse_interrupted()),
 * /sleep (a read in one long nanosleep, cut short only by -o intr).
 *
 *   highlevel-apifs --check-intr MOUNTPOINT FILE   slow or sleep, by SIGALRM */
#define FUSE_USE_VERSION 314
#include <fuse.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define IOC_GET _IOR('H', 1, uint64_t)
#define IOC_SET _IOW('H', 2, uint64_t)
#define IOC_BUMP _IO('H', 3)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t ioctl_size = 42;
static int gen = 1;
static int poll_ready;
static struct fuse_pollhandle *poll_ph;
static int poll_started;
static struct fuse *the_fuse;

static const char *const names[] = { "ioctl", "poll", "ctx", "gen", "slow",
				     "sleep" };

static int api_getattr(const char *path, struct stat *st,
		       struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(path + 1, names[i]) == 0) {
			st->st_mode = S_IFREG | 0444;
			st->st_nlink = 1;
			st->st_size = strcmp(names[i], "gen") == 0 ? 1 : 0;
			return 0;
		}
	}
	return -ENOENT;
}

static int api_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		       off_t off, struct fuse_file_info *fi,
		       enum fuse_readdir_flags flags)
{
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fill(buf, names[i], NULL, 0, 0);
	return 0;
}

static int api_open(const char *path, struct fuse_file_info *fi)
{
	struct stat st;

	if (api_getattr(path, &st, NULL) < 0)
		return -ENOENT;
	/* /gen relies on the page cache; the others have no size */
	if (strcmp(path, "/gen") != 0)
		fi->direct_io = 1;
	return 0;
}

static int api_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	char s[128];
	int n;

	if (strcmp(path, "/ctx") == 0) {
		struct fuse_context *c = fuse_get_context();
		gid_t groups[64];
		int ng = fuse_getgroups(64, groups);

		n = snprintf(s, sizeof(s), "%u %u %d %d %d\n", (unsigned)c->uid,
			     (unsigned)c->gid, (int)c->pid, ng,
			     c->fuse == the_fuse);
	} else if (strcmp(path, "/gen") == 0) {
		pthread_mutex_lock(&lock);
		n = snprintf(s, sizeof(s), "%d", gen % 10);
		pthread_mutex_unlock(&lock);
	} else if (strcmp(path, "/slow") == 0) {
		for (int i = 0; i < 100; i++) {
			if (fuse_interrupted())
				return -EINTR;
			usleep(50 * 1000);
		}
		return 0;
	} else if (strcmp(path, "/sleep") == 0) {
		struct timespec ts = { .tv_sec = 5 };

		if (nanosleep(&ts, NULL) < 0)
			return -errno;
		return 0;
	} else if (strcmp(path, "/poll") == 0) {
		n = snprintf(s, sizeof(s), "%s\n",
			     poll_ready ? "ready" : "not yet");
	} else {
		return -EINVAL;
	}
	if (off >= n)
		return 0;
	if ((size_t)(n - off) < size)
		size = (size_t)(n - off);
	memcpy(buf, s + off, size);
	return (int)size;
}

static void *invalidator(void *arg)
{
	/* from outside a request, as real programs do */
	usleep(50 * 1000);
	fuse_invalidate_path(the_fuse, "/gen");
	return arg;
}

static void *poll_waker(void *arg)
{
	usleep(200 * 1000);
	pthread_mutex_lock(&lock);
	poll_ready = 1;
	if (poll_ph)
		fuse_notify_poll(poll_ph);
	pthread_mutex_unlock(&lock);
	return arg;
}

static int api_ioctl(const char *path, unsigned int cmd, void *arg,
		     struct fuse_file_info *fi, unsigned int flags, void *data)
{
	pthread_t t;

	switch (cmd) {
	case IOC_GET:
		*(uint64_t *)data = ioctl_size;
		return 0;
	case IOC_SET:
		ioctl_size = *(uint64_t *)data;
		return 0;
	case IOC_BUMP:
		pthread_mutex_lock(&lock);
		gen++;
		pthread_mutex_unlock(&lock);
		if (pthread_create(&t, NULL, invalidator, NULL) == 0)
			pthread_detach(t);
		return 0;
	}
	return -ENOTTY;
}

static int api_poll(const char *path, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph, unsigned *reventsp)
{
	pthread_t t;

	pthread_mutex_lock(&lock);
	if (ph) {
		if (poll_ph)
			fuse_pollhandle_destroy(poll_ph);
		poll_ph = ph;
	}
	*reventsp = poll_ready ? POLLIN : 0;
	if (!poll_started) {
		poll_started = 1;
		if (pthread_create(&t, NULL, poll_waker, NULL) == 0)
			pthread_detach(t);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

static void *api_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* /gen must only change through the invalidation */
	cfg->kernel_cache = 1;
	cfg->attr_timeout = 100;
	cfg->entry_timeout = 100;
	the_fuse = fuse_get_context()->fuse;
	return NULL;
}

static const struct fuse_operations api_ops = {
	.init = api_init,
	.getattr = api_getattr,
	.readdir = api_readdir,
	.open = api_open,
	.read = api_read,
	.ioctl = api_ioctl,
	.poll = api_poll,
};

static int failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "line %d: CHECK(%s) failed (%m)\n",\
				__LINE__, #cond);                          \
			failures++;                                        \
		}                                                          \
	} while (0)

static int open_in(const char *mnt, const char *name)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", mnt, name);
	return open(p, O_RDONLY);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int check(const char *mnt)
{
	char buf[128] = "";
	unsigned uid, gid;
	int pid, ng, same, fd;
	uint64_t v = 0;
	struct pollfd pfd;
	double t0;

	fd = open_in(mnt, "ioctl");
	CHECK(fd >= 0);
	CHECK(ioctl(fd, IOC_GET, &v) == 0 && v == 42);
	v = 1234;
	CHECK(ioctl(fd, IOC_SET, &v) == 0);
	v = 0;
	CHECK(ioctl(fd, IOC_GET, &v) == 0 && v == 1234);
	CHECK(ioctl(fd, _IO('H', 99)) < 0 && errno == ENOTTY);
	close(fd);

	fd = open_in(mnt, "ctx");
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0);
	CHECK(sscanf(buf, "%u %u %d %d %d", &uid, &gid, &pid, &ng, &same) == 5);
	CHECK(uid == getuid() && gid == getgid() && pid == getpid());
	CHECK(ng >= 0 && same == 1);
	close(fd);

	fd = open_in(mnt, "poll");
	CHECK(fd >= 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	t0 = now();
	CHECK(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN));
	/* woken by the notification, not by a first answer */
	CHECK(now() - t0 >= 0.1);
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf) - 1) > 0 && strcmp(buf, "ready\n") == 0);
	close(fd);

	fd = open_in(mnt, "gen");
	memset(buf, 0, sizeof(buf));
	CHECK(fd >= 0 && read(fd, buf, 1) == 1 && buf[0] == '1');
	close(fd);
	/* the digit stays in the page cache until the invalidation */
	fd = open_in(mnt, "gen");
	CHECK(fd >= 0 && ioctl(fd, IOC_BUMP) == 0);
	close(fd);
	usleep(100 * 1000);
	fd = open_in(mnt, "gen");
	memset(buf, 0, sizeof(buf));
	CHECK(fd >= 0 && read(fd, buf, 1) == 1 && buf[0] == '2');
	close(fd);
	if (!failures)
		printf("ok\n");
	return failures ? 1 : 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A read the caller's signal interrupts must come back EINTR soon. */
static void check_one_intr(const char *mnt, const char *name)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char buf[16];
	double t0;
	ssize_t r;
	int fd = open_in(mnt, name);

	CHECK(fd >= 0);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
	t0 = now();
	alarm(1);
	r = read(fd, buf, sizeof(buf));
	alarm(0);
	CHECK(r < 0 && errno == EINTR);
	CHECK(now() - t0 < 3.0);
	close(fd);
}

int main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "--check") == 0)
		return check(argv[2]);
	if (argc == 4 && strcmp(argv[1], "--check-intr") == 0) {
		for (int i = 3; i < argc; i++)
			check_one_intr(argv[2], argv[i]);
		if (!failures)
			printf("ok\n");
		return failures ? 1 : 0;
	}
	return fuse_main(argc, argv, &api_ops, NULL);
}
