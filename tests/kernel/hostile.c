// SPDX-License-Identifier: GPL-2.0-or-later
/* A hostile FUSE server, for the kernel module's tests.
 *
 *   hostile MOUNTPOINT          mount with mount(2) (the legacy option
 *                               string) and serve the cases below
 *   hostile --userns MOUNTPOINT check the user namespace rule of fd=
 *
 * It speaks the protocol by hand, so it can lie: each name under the root
 * is one misbehaviour (see do_lookup() and do_new_entry()), and the file
 * "ok" lies about writes, truncation, xattrs and seeks.  Every reply it writes is
 * logged to stdout as "hostile: CASE: write=RESULT", so the test can show
 * what the kernel refused, next to what the caller got. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define BUFSIZE (1024 * 1024 + 4096)

static int devfd;

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case ENODEV: return "ENODEV";
	default: return strerror(e);
	}
}

/* Writes a reply; header fields can lie.  Logs the result for @what. */
static int reply_raw(const char *what, uint64_t unique, int32_t error,
		     const void *data, size_t size, int32_t len_delta)
{
	struct fuse_out_header oh = {
		.unique = unique,
		.error = error,
		.len = (uint32_t)(sizeof(oh) + size + len_delta),
	};
	struct iovec iov[2] = {
		{ &oh, sizeof(oh) },
		{ (void *)data, size },
	};
	int r = writev(devfd, iov, size ? 2 : 1) < 0 ? errno : 0;

	if (what) {
		printf("hostile: %s: write=%s\n", what, errname(r));
		fflush(stdout);
	}
	return r;
}

static void reply(uint64_t unique, int32_t error, const void *data, size_t size)
{
	reply_raw(NULL, unique, error, data, size, 0);
}

static void fill_attr(struct fuse_attr *a, uint64_t ino, uint32_t mode,
		      uint64_t size)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = mode;
	a->nlink = S_ISDIR(mode) ? 2 : 1;
	a->size = size;
	a->blksize = 4096;
}

static const char content[] = "hello from a hostile server\n";

#define CACHED_SIZE 8192

enum {
	INO_OK = 2,		/* a file, opened with FOPEN_DIRECT_IO */
	INO_TYPECHANGE = 3,	/* a file in LOOKUP, a directory in GETATTR */
	INO_CACHED = 4,		/* a file of zeroes, through the page cache */
};

static void do_lookup(struct fuse_in_header *ih, const char *name)
{
	struct fuse_entry_out e;
	char big[sizeof(e) + 64];

	memset(&e, 0, sizeof(e));
	if (!strcmp(name, "ok")) {
		e.nodeid = INO_OK;
		fill_attr(&e.attr, INO_OK, S_IFREG | 0644, sizeof(content) - 1);
		reply(ih->unique, 0, &e, sizeof(e));
	} else if (!strcmp(name, "cached")) {
		e.nodeid = INO_CACHED;
		fill_attr(&e.attr, INO_CACHED, S_IFREG | 0644, CACHED_SIZE);
		reply(ih->unique, 0, &e, sizeof(e));
	} else if (!strcmp(name, "typechange")) {
		e.nodeid = INO_TYPECHANGE;
		fill_attr(&e.attr, INO_TYPECHANGE, S_IFREG | 0644, 0);
		reply(ih->unique, 0, &e, sizeof(e));
	} else if (!strcmp(name, "wrongunique")) {
		reply_raw("wrongunique", ih->unique + 0x10000, -ENOENT, NULL, 0, 0);
		reply(ih->unique, -ENOENT, NULL, 0);
	} else if (!strcmp(name, "short")) {
		e.nodeid = 7;
		fill_attr(&e.attr, 7, S_IFREG | 0644, 0);
		reply_raw("short", ih->unique, 0, &e, 10, 0);
	} else if (!strcmp(name, "oversized")) {
		memset(big, 0, sizeof(big));
		e.nodeid = 8;
		fill_attr(&e.attr, 8, S_IFREG | 0644, 0);
		memcpy(big, &e, sizeof(e));
		reply_raw("oversized", ih->unique, 0, big, sizeof(big), 0);
	} else if (!strcmp(name, "badlen")) {
		reply_raw("badlen", ih->unique, -ENOENT, NULL, 0, 8);
		reply(ih->unique, -ENOENT, NULL, 0);
	} else if (!strcmp(name, "errpayload")) {
		reply_raw("errpayload", ih->unique, -ENOENT, &e, 16, 0);
	} else if (!strcmp(name, "poserror")) {
		reply_raw("poserror", ih->unique, 5, NULL, 0, 0);
		reply(ih->unique, -ENOENT, NULL, 0);
	} else if (!strcmp(name, "badtype")) {
		e.nodeid = 9;
		fill_attr(&e.attr, 9, 0644, 0);	/* no file type */
		reply_raw("badtype", ih->unique, 0, &e, sizeof(e), 0);
	} else if (!strcmp(name, "hugesize")) {
		e.nodeid = 11;
		fill_attr(&e.attr, 11, S_IFREG | 0644, 1ULL << 63);
		reply_raw("hugesize", ih->unique, 0, &e, sizeof(e), 0);
	} else if (!strcmp(name, "hang")) {
		printf("hostile: hang: not answering\n");
		fflush(stdout);
	} else {
		reply(ih->unique, -ENOENT, NULL, 0);
	}
}

/*
 * CREATE, MKNOD, MKDIR, SYMLINK and LINK: the reply describes an entry
 * the kernel must refuse.  @name is the new entry's name.
 */
static void do_new_entry(struct fuse_in_header *ih, const char *name)
{
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	size_t size = ih->opcode == FUSE_CREATE ? sizeof(out) : sizeof(out.e);
	char what[64];

	memset(&out, 0, sizeof(out));
	out.o.fh = 43;
	snprintf(what, sizeof(what), "%.60s", name);
	if (!strcmp(name, "new-badnode")) {
		fill_attr(&out.e.attr, 20, S_IFREG | 0644, 0);	/* node id 0 */
	} else if (!strcmp(name, "new-root")) {
		out.e.nodeid = FUSE_ROOT_ID;
		fill_attr(&out.e.attr, 1, S_IFREG | 0644, 0);
	} else if (!strcmp(name, "new-short")) {
		out.e.nodeid = 21;
		fill_attr(&out.e.attr, 21, S_IFREG | 0644, 0);
		size = sizeof(out.e) - 8;
	} else {
		/* the wrong type: a directory where a file (or a link to
		 * the file "ok") was made, a file for a directory or symlink */
		bool want_file = ih->opcode == FUSE_CREATE ||
				 ih->opcode == FUSE_MKNOD ||
				 ih->opcode == FUSE_LINK;

		out.e.nodeid = 22;
		fill_attr(&out.e.attr, 22, want_file ? S_IFDIR | 0755 :
			  S_IFREG | 0644, 0);
	}
	reply_raw(what, ih->unique, 0, &out, size, 0);
}

/* One directory entry whose name has a slash in it. */
static void do_readdir(struct fuse_in_header *ih, struct fuse_read_in *in)
{
	char buf[256];
	struct fuse_dirent *d = (struct fuse_dirent *)buf;
	const char name[] = "a/b";

	if (in->offset) {
		reply(ih->unique, 0, NULL, 0);
		return;
	}
	memset(buf, 0, sizeof(buf));
	d->ino = 10;
	d->off = 1;
	d->namelen = sizeof(name) - 1;
	d->type = DT_REG;
	memcpy(d->name, name, sizeof(name) - 1);
	reply_raw("slashdirent", ih->unique, 0, buf, FUSE_DIRENT_SIZE(d), 0);
}

static void serve(void)
{
	char *buf = malloc(BUFSIZE);

	for (;;) {
		ssize_t n = read(devfd, buf, BUFSIZE);
		struct fuse_in_header *ih = (struct fuse_in_header *)buf;
		void *arg = buf + sizeof(*ih);

		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		if (n < 0) {
			printf("hostile: read: %s\n", errname(errno));
			return;
		}
		switch (ih->opcode) {
		case FUSE_INIT: {
			struct fuse_init_in *in = arg;
			struct fuse_init_out out = {
				.major = FUSE_KERNEL_VERSION,
				.minor = in->minor < FUSE_KERNEL_MINOR_VERSION ?
					 in->minor : FUSE_KERNEL_MINOR_VERSION,
				.max_write = 4096,
			};
			reply(ih->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out out;

			memset(&out, 0, sizeof(out));
			if (ih->nodeid == FUSE_ROOT_ID)
				fill_attr(&out.attr, 1, S_IFDIR | 0755, 0);
			else if (ih->nodeid == INO_OK)
				fill_attr(&out.attr, INO_OK, S_IFREG | 0644,
					  sizeof(content) - 1);
			else if (ih->nodeid == INO_CACHED)
				fill_attr(&out.attr, INO_CACHED, S_IFREG | 0644,
					  CACHED_SIZE);
			else if (ih->nodeid == INO_TYPECHANGE)
				fill_attr(&out.attr, INO_TYPECHANGE,
					  S_IFDIR | 0755, 0);
			else {
				reply(ih->unique, -ENOENT, NULL, 0);
				break;
			}
			reply(ih->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_LOOKUP:
			do_lookup(ih, arg);
			break;
		case FUSE_OPEN:
		case FUSE_OPENDIR: {
			struct fuse_open_out out = { .fh = 42 };

			if (ih->opcode == FUSE_OPEN && ih->nodeid != INO_CACHED)
				out.open_flags = FOPEN_DIRECT_IO;
			reply(ih->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_READ: {
			struct fuse_read_in *in = arg;
			size_t len = sizeof(content) - 1;
			size_t off = in->offset < len ? in->offset : len;
			size_t n2 = len - off < in->size ? len - off : in->size;
			static char zeroes[CACHED_SIZE];

			if (ih->nodeid == INO_CACHED) {
				off = in->offset < CACHED_SIZE ? in->offset : CACHED_SIZE;
				n2 = CACHED_SIZE - off < in->size ?
				     CACHED_SIZE - off : in->size;
				reply(ih->unique, 0, zeroes, n2);
				break;
			}
			reply(ih->unique, 0, content + off, n2);
			break;
		}
		case FUSE_READDIR:
			do_readdir(ih, arg);
			break;
		case FUSE_CREATE:
			do_new_entry(ih, (char *)arg + sizeof(struct fuse_create_in));
			break;
		case FUSE_MKNOD:
			do_new_entry(ih, (char *)arg + sizeof(struct fuse_mknod_in));
			break;
		case FUSE_MKDIR:
			do_new_entry(ih, (char *)arg + sizeof(struct fuse_mkdir_in));
			break;
		case FUSE_SYMLINK:
			do_new_entry(ih, arg);
			break;
		case FUSE_LINK:
			do_new_entry(ih, (char *)arg + sizeof(struct fuse_link_in));
			break;
		case FUSE_WRITE: {
			/* more written than was sent */
			struct fuse_write_in *in = arg;
			struct fuse_write_out out = { .size = in->size + 100 };

			reply_raw("write-toomuch", ih->unique, 0, &out, sizeof(out), 0);
			break;
		}
		case FUSE_SETATTR: {
			/* a truncated file that came back a directory */
			struct fuse_attr_out out;

			memset(&out, 0, sizeof(out));
			fill_attr(&out.attr, ih->nodeid, S_IFDIR | 0755, 0);
			reply_raw("setattr-typechange", ih->unique, 0, &out, sizeof(out), 0);
			break;
		}
		case FUSE_GETXATTR:
		case FUSE_LISTXATTR: {
			/* a length no value can have; a list without its NUL */
			struct fuse_getxattr_in *in = arg;
			struct fuse_getxattr_out out = { .size = 0xfffffff0 };

			if (!in->size)
				reply_raw("xattr-hugesize", ih->unique, 0, &out, sizeof(out), 0);
			else if (ih->opcode == FUSE_LISTXATTR)
				reply_raw("listxattr-nonul", ih->unique, 0, "user.abc", 8, 0);
			else
				reply(ih->unique, -ENODATA, NULL, 0);
			break;
		}
		case FUSE_LSEEK: {
			struct fuse_lseek_out out = { .offset = (uint64_t)-5 };

			reply_raw("lseek-negative", ih->unique, 0, &out, sizeof(out), 0);
			break;
		}
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
			break;
		case FUSE_RELEASE:
		case FUSE_RELEASEDIR:
		case FUSE_DESTROY:
			reply(ih->unique, 0, NULL, 0);
			break;
		default:
			reply(ih->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
}

static int mount_fd(const char *mnt, int fd)
{
	char opts[128];

	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	return mount("hostile", mnt, "fuse.hostile", MS_NOSUID | MS_NODEV, opts) ? errno : 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int r = fd < 0 || write(fd, s, strlen(s)) < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	return r;
}

/* The kernel's rule: fd= must be a /dev/fuse opened in the user namespace
 * the mount is made in. */
static int check_userns(const char *mnt)
{
	int outer = open("/dev/fuse", O_RDWR);
	int inner, r;

	if (outer < 0 || unshare(CLONE_NEWUSER | CLONE_NEWNS)) {
		perror("hostile: userns setup");
		return 1;
	}
	write_file("/proc/self/setgroups", "deny");
	write_file("/proc/self/uid_map", "0 0 1");
	write_file("/proc/self/gid_map", "0 0 1");
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);

	r = mount_fd(mnt, outer);
	printf("hostile: userns-outer-fd: mount=%s\n", errname(r));
	inner = open("/dev/fuse", O_RDWR);
	r = inner < 0 ? errno : mount_fd(mnt, inner);
	printf("hostile: userns-inner-fd: mount=%s\n", errname(r));
	if (!r)
		umount2(mnt, MNT_DETACH);
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--userns"))
		return check_userns(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: hostile [--userns] MOUNTPOINT\n");
		return 2;
	}
	devfd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (devfd < 0) {
		perror("hostile: /dev/fuse");
		return 1;
	}
	r = mount_fd(argv[1], devfd);
	printf("hostile: mount(2) with an option string: %s\n", errname(r));
	if (r)
		return 1;
	serve();
	return 0;
}
