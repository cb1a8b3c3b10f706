// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsops: filesystem operations on a FUSE mount, checked against a reference.
 *
 *   fsops rw MNT REF [--holes] [--same-fs] [--only=TESTS] [--skip=TESTS] [--break]
 *       runs every test once in MNT and once in REF (a local directory or
 *       a tmpfs), each in a fresh subdirectory named after the test.  A test
 *       asserts what POSIX promises (CHECK*) and records what it saw (obs);
 *       the two records must be equal.  --holes compares SEEK_DATA/SEEK_HOLE
 *       (both sides keep holes), --same-fs compares statfs block counts (REF
 *       lies on the filesystem MNT mirrors).  --break alters one observation
 *       of every test on the MNT side: then every test must fail, which
 *       proves the comparison can.
 *   fsops tree A B      compares two trees: names, types, modes, owners,
 *                       sizes, link counts, contents, symlinks, xattrs.
 *   fsops hello MNT     the hello examples' read-only tree.
 *   fsops null MNT      the null example's file of zeroes.
 *   fsops perm MNT      as root: makes a 0600 and a 0644 file, then checks,
 *                       as uid 61000 through setpriv, EACCES and success.
 *   fsops open PATH WANT   (used by perm) opens PATH for reading and exits 0
 *                       if the outcome is WANT ("ok" or an errno name).
 * Exit status: 0 all passed, 1 a failure, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

struct target {
	const char *label;
	char dir[PATH_MAX];
	char *rec;
	size_t len, cap;
	int fails;
};

static struct target *T;
static const char *cur_test;
static const char *self_exe;
static bool opt_holes, opt_same_fs, opt_break, broke;
static int total_fails;

static void fail(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s [%s] line %d: ", cur_test, T ? T->label : "-", line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (T)
		T->fails++;
	total_fails++;
}

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond))                                            \
			fail(__LINE__, "%s", #cond);                    \
	} while (0)

/* expr must not return -1 (or a negative value). */
#define CHECK_OK(expr)                                                  \
	({                                                              \
		errno = 0;                                              \
		long r_ = (long)(expr);                                 \
		if (r_ < 0)                                             \
			fail(__LINE__, "%s: %m", #expr);                \
		r_;                                                     \
	})

/* expr must fail with errno e. */
#define CHECK_ERR(expr, e)                                              \
	do {                                                            \
		errno = 0;                                              \
		long r_ = (long)(expr);                                 \
		int err_ = errno;                                       \
		if (r_ != -1 || err_ != (e))                            \
			fail(__LINE__, "%s: want %s, got %ld (%s)", #expr, \
			     strerrorname_np(e), r_,                    \
			     err_ ? strerrorname_np(err_) : "no error"); \
	} while (0)

/* Records one observation of the current target. */
static void obs(const char *fmt, ...)
{
	va_list ap;
	char line[512];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = sizeof(line) - 3;
	if (opt_break && !broke && T->label[0] == 'm') {
		line[n++] = '!';
		broke = true;
	}
	line[n++] = '\n';
	if (T->len + n + 1 > T->cap) {
		T->cap = (T->cap + n + 1) * 2;
		T->rec = realloc(T->rec, T->cap);
		if (!T->rec)
			abort();
	}
	memcpy(T->rec + T->len, line, n);
	T->len += n;
	T->rec[T->len] = '\0';
}

/* The outcome of a call, as recorded: "ok" or the errno's name. */
static const char *rc(long r)
{
	return r >= 0 ? "ok" : strerrorname_np(errno);
}

/* A path inside the current test's directory (a few live at once). */
static const char *P(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 8];
	char name[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (snprintf(b, PATH_MAX, "%s/%s", T->dir, name) >= PATH_MAX)
		abort();
	return b;
}

static uint32_t crc(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void fill_pattern(char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)((i * 7 + seed + (i >> 12)) & 0xff);
}

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Reads a whole (small) file into buf; returns its length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < size && (n = read(fd, buf + got, size - got)) > 0)
		got += n;
	close(fd);
	return got;
}

static bool file_is(const char *path, const char *want)
{
	char buf[4096];
	ssize_t n = read_file(path, buf, sizeof(buf));

	return n == (ssize_t)strlen(want) && memcmp(buf, want, n) == 0;
}

/* ---------------------------------------------------------------------- */

static void t_create(void)
{
	struct stat st;
	int fd;

	fd = CHECK_OK(open(P("f"), O_CREAT | O_EXCL | O_WRONLY, 0640));
	close(fd);
	CHECK_ERR(open(P("f"), O_CREAT | O_EXCL | O_WRONLY, 0640), EEXIST);
	CHECK_OK(stat(P("f"), &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 0 && st.st_nlink == 1);
	obs("f mode=%o size=%lld nlink=%lu", st.st_mode, (long long)st.st_size,
	    (unsigned long)st.st_nlink);
	CHECK_OK(mkdir(P("d"), 0750));
	CHECK_ERR(mkdir(P("d"), 0750), EEXIST);
	CHECK_OK(stat(P("d"), &st));
	CHECK(S_ISDIR(st.st_mode) && st.st_nlink == 2);
	obs("d mode=%o nlink=%lu", st.st_mode, (unsigned long)st.st_nlink);
	CHECK_OK(mkdir(P("d/sub"), 0700));
	CHECK_OK(stat(P("d"), &st));
	CHECK(st.st_nlink == 3);
	CHECK_OK(mknod(P("fifo"), S_IFIFO | 0600, 0));
	CHECK_OK(lstat(P("fifo"), &st));
	CHECK(S_ISFIFO(st.st_mode));
	obs("fifo mode=%o", st.st_mode);
	CHECK_ERR(rmdir(P("d")), ENOTEMPTY);
	CHECK_ERR(unlink(P("d")), EISDIR);
	CHECK_ERR(rmdir(P("f")), ENOTDIR);
	CHECK_ERR(open(P("missing"), O_RDONLY), ENOENT);
	CHECK_ERR(open(P("f/x"), O_RDONLY), ENOTDIR);
	CHECK_ERR(mkdir(P("missing/x"), 0755), ENOENT);
	CHECK_OK(rmdir(P("d/sub")));
	CHECK_OK(rmdir(P("d")));
	CHECK_ERR(stat(P("d"), &st), ENOENT);
	CHECK_OK(unlink(P("fifo")));
}

static void t_rw(void)
{
	const size_t len = (1 << 20) + 123;
	char *a = malloc(len), *b = malloc(len + 100);
	size_t got = 0;
	struct stat st;
	ssize_t n;
	int fd;

	fill_pattern(a, len, 1);
	fd = CHECK_OK(open(P("f"), O_CREAT | O_RDWR, 0644));
	/* Uneven pieces, out of order, so offsets matter. */
	CHECK(pwrite(fd, a + 70000, len - 70000, 70000) == (ssize_t)(len - 70000));
	CHECK(pwrite(fd, a, 70000, 0) == 70000);
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == (off_t)len);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	while ((n = read(fd, b + got, 12289)) > 0)
		got += n;
	CHECK(n == 0 && got == len);
	CHECK(memcmp(a, b, len) == 0);
	CHECK(pread(fd, b, 100, len) == 0);
	CHECK(pread(fd, b, 100, len - 10) == 10);
	/* Overwrite inside the file: the size stays. */
	CHECK(pwrite(fd, "middle", 6, 5000) == 6);
	CHECK(pread(fd, b, 6, 5000) == 6 && memcmp(b, "middle", 6) == 0);
	CHECK_OK(fstat(fd, &st));
	obs("size=%lld", (long long)st.st_size);
	close(fd);
	memcpy(a + 5000, "middle", 6);
	got = read_file(P("f"), b, len + 100);
	CHECK(got == len && memcmp(a, b, len) == 0);
	obs("crc=%08x", crc(b, got));
	/* Read-only and write-only descriptors refuse the other direction. */
	fd = CHECK_OK(open(P("f"), O_RDONLY));
	CHECK_ERR(write(fd, "x", 1), EBADF);
	close(fd);
	fd = CHECK_OK(open(P("f"), O_WRONLY));
	CHECK_ERR(read(fd, b, 1), EBADF);
	close(fd);
	free(a);
	free(b);
}

static void t_append(void)
{
	char buf[64];
	int fd;

	CHECK_OK(write_file(P("f"), "abc", 3));
	fd = CHECK_OK(open(P("f"), O_WRONLY | O_APPEND));
	CHECK(write(fd, "def", 3) == 3);
	/* On Linux pwrite ignores the offset of an O_APPEND descriptor. */
	CHECK(pwrite(fd, "ghi", 3, 0) == 3);
	close(fd);
	CHECK(file_is(P("f"), "abcdefghi"));
	fd = CHECK_OK(open(P("g"), O_WRONLY | O_APPEND | O_CREAT, 0600));
	CHECK(write(fd, "1", 1) == 1);
	CHECK(write(fd, "2", 1) == 1);
	close(fd);
	CHECK(file_is(P("g"), "12"));
	ssize_t n = read_file(P("f"), buf, sizeof(buf));
	obs("f=%.*s", (int)(n < 0 ? 0 : n), buf);
}

static void t_truncate(void)
{
	char buf[20000], zero[10000] = { 0 };
	struct stat st;
	int fd;

	CHECK_OK(write_file(P("f"), "0123456789abcdef", 16));
	CHECK_OK(truncate(P("f"), 10000));
	CHECK_OK(stat(P("f"), &st));
	CHECK(st.st_size == 10000);
	CHECK(read_file(P("f"), buf, sizeof(buf)) == 10000);
	CHECK(memcmp(buf, "0123456789abcdef", 16) == 0 && memcmp(buf + 16, zero, 10000 - 16) == 0);
	fd = CHECK_OK(open(P("f"), O_RDWR));
	CHECK_OK(ftruncate(fd, 10));
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 10);
	obs("after ftruncate size=%lld", (long long)st.st_size);
	close(fd);
	CHECK(file_is(P("f"), "0123456789"));
	/* O_TRUNC empties the file on open. */
	fd = CHECK_OK(open(P("f"), O_WRONLY | O_TRUNC));
	close(fd);
	CHECK_OK(stat(P("f"), &st));
	CHECK(st.st_size == 0);
	CHECK_ERR(truncate(P("missing"), 0), ENOENT);
	CHECK_ERR(truncate(P("f"), -1), EINVAL);
	obs("final size=%lld", (long long)st.st_size);
}

static void t_sparse(void)
{
	const off_t far = (1 << 20) + 5;
	char buf[4096], zero[4096] = { 0 };
	struct stat st;
	int fd;

	fd = CHECK_OK(open(P("f"), O_CREAT | O_RDWR, 0644));
	CHECK(pwrite(fd, "x", 1, far) == 1);
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == far + 1);
	CHECK(pread(fd, buf, sizeof(buf), 0) == sizeof(buf) && memcmp(buf, zero, sizeof(buf)) == 0);
	CHECK(pread(fd, buf, sizeof(buf), far) == 1 && buf[0] == 'x');
	obs("size=%lld", (long long)st.st_size);
	if (opt_holes) {
		off_t data = lseek(fd, 0, SEEK_DATA), hole = lseek(fd, 0, SEEK_HOLE);
		off_t end_hole = lseek(fd, far, SEEK_HOLE);

		/* The file starts with a hole and its data ends at EOF. */
		CHECK(data > 0 && data <= far);
		CHECK(hole == 0);
		CHECK(end_hole == far + 1);
		CHECK_ERR(lseek(fd, far + 1, SEEK_DATA), ENXIO);
		obs("data=%lld hole=%lld end_hole=%lld blocks_lt_size=%d", (long long)data,
		    (long long)hole, (long long)end_hole, st.st_blocks * 512 < st.st_size);
	}
	close(fd);
}

static void t_mmap(void)
{
	const size_t len = 3 * 4096 + 100;
	char *a = malloc(len), *b = malloc(len);
	char *m;
	int fd;

	fill_pattern(a, len, 3);
	fd = CHECK_OK(open(P("f"), O_CREAT | O_RDWR, 0644));
	CHECK_OK(ftruncate(fd, len));
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		memcpy(m, a, len);
		CHECK_OK(msync(m, len, MS_SYNC));
		munmap(m, len);
	}
	close(fd);
	CHECK(read_file(P("f"), b, len) == (ssize_t)len && memcmp(a, b, len) == 0);
	/* And the other way: data written with write() seen through a mapping. */
	fill_pattern(a, len, 4);
	CHECK_OK(write_file(P("g"), a, len));
	fd = CHECK_OK(open(P("g"), O_RDONLY));
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		CHECK(memcmp(m, a, len) == 0);
		obs("g crc=%08x", crc(m, len));
		munmap(m, len);
	}
	close(fd);
	free(a);
	free(b);
}

static void t_rename(void)
{
	struct stat st;

	CHECK_OK(write_file(P("a"), "A", 1));
	CHECK_OK(write_file(P("b"), "B", 1));
	CHECK_OK(rename(P("a"), P("c")));
	CHECK_ERR(stat(P("a"), &st), ENOENT);
	CHECK(file_is(P("c"), "A"));
	CHECK_ERR(renameat2(AT_FDCWD, P("c"), AT_FDCWD, P("b"), RENAME_NOREPLACE), EEXIST);
	CHECK(file_is(P("c"), "A") && file_is(P("b"), "B"));
	CHECK_OK(renameat2(AT_FDCWD, P("c"), AT_FDCWD, P("d"), RENAME_NOREPLACE));
	CHECK_OK(renameat2(AT_FDCWD, P("d"), AT_FDCWD, P("b"), RENAME_EXCHANGE));
	CHECK(file_is(P("d"), "B") && file_is(P("b"), "A"));
	CHECK_ERR(renameat2(AT_FDCWD, P("d"), AT_FDCWD, P("nope"), RENAME_EXCHANGE), ENOENT);
	CHECK_ERR(renameat2(AT_FDCWD, P("d"), AT_FDCWD, P("b"), RENAME_EXCHANGE | RENAME_NOREPLACE),
		  EINVAL);
	/* Replacing a file. */
	CHECK_OK(rename(P("d"), P("b")));
	CHECK(file_is(P("b"), "B"));
	CHECK_ERR(stat(P("d"), &st), ENOENT);
	/* Directories. */
	CHECK_OK(mkdir(P("d1"), 0755));
	CHECK_OK(mkdir(P("d2"), 0755));
	CHECK_OK(write_file(P("d2/x"), "x", 1));
	CHECK_ERR(rename(P("d1"), P("d2")), ENOTEMPTY);
	CHECK_ERR(rename(P("b"), P("d1")), EISDIR);
	CHECK_ERR(rename(P("d1"), P("b")), ENOTDIR);
	CHECK_ERR(rename(P("d2"), P("d2/sub")), EINVAL);
	CHECK_OK(rename(P("d2/x"), P("d1/y")));
	CHECK_OK(rename(P("d1"), P("d2")));
	CHECK(file_is(P("d2/y"), "x"));
	/* Exchanging a file and a directory in different parents. */
	CHECK_OK(mkdir(P("p"), 0755));
	CHECK_OK(renameat2(AT_FDCWD, P("b"), AT_FDCWD, P("d2"), RENAME_EXCHANGE));
	CHECK(file_is(P("d2"), "B") && file_is(P("b/y"), "x"));
	CHECK_OK(rename(P("b"), P("p/moved")));
	CHECK_OK(stat(P("p"), &st));
	CHECK(st.st_nlink == 3);
	obs("p nlink=%lu", (unsigned long)st.st_nlink);
	CHECK(file_is(P("p/moved/y"), "x"));
}

static void t_link(void)
{
	struct stat sf, sg;

	CHECK_OK(write_file(P("f"), "one", 3));
	CHECK_OK(link(P("f"), P("g")));
	CHECK_OK(stat(P("f"), &sf));
	CHECK_OK(stat(P("g"), &sg));
	CHECK(sf.st_nlink == 2 && sg.st_nlink == 2);
	CHECK(sf.st_ino == sg.st_ino);
	obs("nlink f=%lu g=%lu", (unsigned long)sf.st_nlink, (unsigned long)sg.st_nlink);
	CHECK_OK(write_file(P("g"), "two", 3));
	CHECK(file_is(P("f"), "two"));
	CHECK_ERR(link(P("f"), P("g")), EEXIST);
	CHECK_OK(mkdir(P("d"), 0755));
	CHECK_ERR(link(P("d"), P("dl")), EPERM);
	CHECK_ERR(link(P("missing"), P("x")), ENOENT);
	CHECK_OK(link(P("f"), P("d/h")));
	CHECK_OK(unlink(P("f")));
	CHECK_OK(stat(P("g"), &sg));
	CHECK(sg.st_nlink == 2);
	CHECK_OK(unlink(P("d/h")));
	CHECK_OK(stat(P("g"), &sg));
	CHECK(sg.st_nlink == 1);
	obs("after unlinks g nlink=%lu", (unsigned long)sg.st_nlink);
	CHECK(file_is(P("g"), "two"));
}

static void t_symlink(void)
{
	char buf[PATH_MAX];
	struct stat st;
	ssize_t n;

	CHECK_OK(write_file(P("f"), "target", 6));
	CHECK_OK(symlink("f", P("s")));
	n = CHECK_OK(readlink(P("s"), buf, sizeof(buf)));
	CHECK(n == 1 && buf[0] == 'f');
	CHECK_OK(lstat(P("s"), &st));
	CHECK(S_ISLNK(st.st_mode) && st.st_size == 1);
	obs("lstat mode=%o size=%lld", st.st_mode, (long long)st.st_size);
	CHECK_OK(stat(P("s"), &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 6);
	CHECK(file_is(P("s"), "target"));
	CHECK_OK(symlink("nowhere/at/all", P("dangling")));
	CHECK_ERR(stat(P("dangling"), &st), ENOENT);
	n = CHECK_OK(readlink(P("dangling"), buf, sizeof(buf)));
	CHECK(n == 14 && memcmp(buf, "nowhere/at/all", 14) == 0);
	/* A short buffer truncates without a terminator or an error. */
	CHECK(readlink(P("dangling"), buf, 4) == 4 && memcmp(buf, "nowh", 4) == 0);
	CHECK_ERR(readlink(P("f"), buf, sizeof(buf)), EINVAL);
	CHECK_ERR(symlink("x", P("f")), EEXIST);
	CHECK_ERR(open(P("s"), O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_OK(mkdir(P("d"), 0755));
	CHECK_OK(symlink("../f", P("d/up")));
	CHECK(file_is(P("d/up"), "target"));
}

#define NENTRIES 10000

static void t_readdir(void)
{
	static unsigned char seen[NENTRIES];
	unsigned dots = 0, found = 0, other = 0, dup = 0;
	char name_at_mid[256] = "", name_after_seek[256] = "";
	long mid_pos = -1;
	struct dirent *de;
	DIR *dp;

	CHECK_OK(mkdir(P("big"), 0755));
	for (int i = 0; i < NENTRIES; i++) {
		if (mknod(P("big/entry-%05d", i), S_IFREG | 0644, 0) < 0) {
			fail(__LINE__, "mknod entry %d: %m", i);
			return;
		}
	}
	CHECK_OK(mkdir(P("big/subdir"), 0755));
	memset(seen, 0, sizeof(seen));
	dp = opendir(P("big"));
	CHECK(dp != NULL);
	if (!dp)
		return;
	for (unsigned i = 0; (errno = 0, de = readdir(dp)); i++) {
		int idx;

		if (i == NENTRIES / 2) {
			mid_pos = telldir(dp);
		} else if (i == NENTRIES / 2 + 1) {
			snprintf(name_at_mid, sizeof(name_at_mid), "%s", de->d_name);
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			dots++;
		else if (sscanf(de->d_name, "entry-%05d", &idx) == 1 && idx >= 0 && idx < NENTRIES) {
			if (seen[idx]++)
				dup++;
			else
				found++;
		} else if (strcmp(de->d_name, "subdir") == 0) {
			CHECK(de->d_type == DT_DIR || de->d_type == DT_UNKNOWN);
			other++;
		} else {
			other++;
		}
	}
	CHECK(errno == 0);
	CHECK(dots == 2 && found == NENTRIES && dup == 0 && other == 1);
	obs("dots=%u found=%u dup=%u other=%u", dots, found, dup, other);
	/* seekdir() back to a telldir() cookie continues where it was. */
	if (mid_pos >= 0) {
		seekdir(dp, mid_pos);
		de = readdir(dp);
		if (de)
			snprintf(name_after_seek, sizeof(name_after_seek), "%s", de->d_name);
		CHECK(strcmp(name_at_mid, name_after_seek) == 0);
	}
	rewinddir(dp);
	found = 0;
	while ((de = readdir(dp)))
		found++;
	CHECK(found == NENTRIES + 3);
	closedir(dp);
	/* Remove a few and read again: they must be gone. */
	for (int i = 0; i < NENTRIES; i += 1000)
		CHECK_OK(unlink(P("big/entry-%05d", i)));
	dp = opendir(P("big"));
	found = 0;
	while (dp && (de = readdir(dp)))
		found++;
	if (dp)
		closedir(dp);
	CHECK(found == NENTRIES + 3 - NENTRIES / 1000);
	obs("after unlink count=%u", found);
}

/* Sorts a NUL-separated list so that orders can be compared. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void obs_xattr_list(const char *path)
{
	char list[4096], *names[64], joined[4096] = "";
	ssize_t n = llistxattr(path, list, sizeof(list));
	int count = 0;

	CHECK(n >= 0);
	for (ssize_t i = 0; n > 0 && i < n && count < 64; i += strlen(list + i) + 1)
		if (strncmp(list + i, "user.", 5) == 0)
			names[count++] = list + i;
	qsort(names, count, sizeof(*names), cmp_str);
	for (int i = 0; i < count; i++) {
		strncat(joined, names[i], sizeof(joined) - strlen(joined) - 2);
		strcat(joined, ",");
	}
	obs("xattrs=[%s]", joined);
}

static void t_xattr(void)
{
	char buf[256], big[3000];
	ssize_t n;

	CHECK_OK(write_file(P("f"), "x", 1));
	CHECK_OK(setxattr(P("f"), "user.one", "value1", 6, 0));
	CHECK_OK(setxattr(P("f"), "user.two", "", 0, XATTR_CREATE));
	CHECK_ERR(setxattr(P("f"), "user.one", "v", 1, XATTR_CREATE), EEXIST);
	CHECK_ERR(setxattr(P("f"), "user.three", "v", 1, XATTR_REPLACE), ENODATA);
	CHECK_OK(setxattr(P("f"), "user.one", "longer value", 12, XATTR_REPLACE));
	/* Size probe, then too small a buffer, then the value. */
	CHECK(getxattr(P("f"), "user.one", NULL, 0) == 12);
	CHECK_ERR(getxattr(P("f"), "user.one", buf, 3), ERANGE);
	n = getxattr(P("f"), "user.one", buf, sizeof(buf));
	CHECK(n == 12 && memcmp(buf, "longer value", 12) == 0);
	CHECK(getxattr(P("f"), "user.two", buf, sizeof(buf)) == 0);
	CHECK_ERR(getxattr(P("f"), "user.none", buf, sizeof(buf)), ENODATA);
	n = listxattr(P("f"), NULL, 0);
	CHECK(n >= (ssize_t)sizeof("user.one") + (ssize_t)sizeof("user.two"));
	if (n > 1)
		CHECK_ERR(listxattr(P("f"), buf, 1), ERANGE);
	obs_xattr_list(P("f"));
	memset(big, 'v', sizeof(big));
	CHECK_OK(setxattr(P("f"), "user.big", big, sizeof(big), 0));
	CHECK(getxattr(P("f"), "user.big", NULL, 0) == sizeof(big));
	CHECK_OK(removexattr(P("f"), "user.one"));
	CHECK_ERR(removexattr(P("f"), "user.one"), ENODATA);
	CHECK_ERR(getxattr(P("f"), "user.one", buf, sizeof(buf)), ENODATA);
	obs_xattr_list(P("f"));
	CHECK_OK(mkdir(P("d"), 0755));
	CHECK_OK(setxattr(P("d"), "user.dir", "d", 1, 0));
	CHECK(getxattr(P("d"), "user.dir", buf, sizeof(buf)) == 1);
	obs_xattr_list(P("d"));
}

static bool ts_eq(struct timespec a, time_t s, long ns)
{
	return a.tv_sec == s && a.tv_nsec == ns;
}

static void t_utimens(void)
{
	struct timespec ts[2] = { { 1000, 500000000 }, { 2000, 250000000 } };
	struct stat st;
	time_t t0 = time(NULL);
	int fd;

	CHECK_OK(write_file(P("f"), "x", 1));
	CHECK_OK(utimensat(AT_FDCWD, P("f"), ts, 0));
	CHECK_OK(stat(P("f"), &st));
	CHECK(ts_eq(st.st_atim, 1000, 500000000) && ts_eq(st.st_mtim, 2000, 250000000));
	obs("atime=%lld.%09ld mtime=%lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	/* UTIME_OMIT leaves atime; UTIME_NOW sets mtime to the present. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	CHECK_OK(utimensat(AT_FDCWD, P("f"), ts, 0));
	CHECK_OK(stat(P("f"), &st));
	CHECK(ts_eq(st.st_atim, 1000, 500000000));
	CHECK(st.st_mtim.tv_sec >= t0 - 1 && st.st_mtim.tv_sec <= time(NULL) + 1);
	/* Through a descriptor. */
	ts[0] = (struct timespec){ 3000, 0 };
	ts[1] = (struct timespec){ 4000, 7 };
	fd = CHECK_OK(open(P("f"), O_RDWR));
	CHECK_OK(futimens(fd, ts));
	CHECK_OK(fstat(fd, &st));
	close(fd);
	CHECK(ts_eq(st.st_atim, 3000, 0) && ts_eq(st.st_mtim, 4000, 7));
	obs("after futimens atime=%lld mtime=%lld.%09ld", (long long)st.st_atim.tv_sec,
	    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	/* A write moves mtime forward. */
	CHECK_OK(write_file(P("f"), "y", 1));
	CHECK_OK(stat(P("f"), &st));
	CHECK(st.st_mtim.tv_sec >= t0 - 1);
	CHECK_OK(mkdir(P("d"), 0755));
	ts[0] = ts[1] = (struct timespec){ 5000, 0 };
	CHECK_OK(utimensat(AT_FDCWD, P("d"), ts, 0));
	CHECK_OK(stat(P("d"), &st));
	CHECK(ts_eq(st.st_mtim, 5000, 0));
}

static void t_chmod(void)
{
	struct stat st;
	int fd;

	CHECK_OK(write_file(P("f"), "x", 1));
	CHECK_OK(chmod(P("f"), 0640));
	CHECK_OK(stat(P("f"), &st));
	CHECK((st.st_mode & 07777) == 0640 && S_ISREG(st.st_mode));
	obs("mode=%o", st.st_mode);
	CHECK_OK(chmod(P("f"), 04755));
	CHECK_OK(stat(P("f"), &st));
	CHECK((st.st_mode & 07777) == 04755);
	fd = CHECK_OK(open(P("f"), O_RDONLY));
	CHECK_OK(fchmod(fd, 0600));
	CHECK_OK(fstat(fd, &st));
	close(fd);
	CHECK((st.st_mode & 07777) == 0600);
	obs("fchmod mode=%o", st.st_mode);
	CHECK_OK(mkdir(P("d"), 0755));
	CHECK_OK(chmod(P("d"), 01777));
	CHECK_OK(stat(P("d"), &st));
	CHECK((st.st_mode & 07777) == 01777 && S_ISDIR(st.st_mode));
	CHECK_ERR(chmod(P("missing"), 0600), ENOENT);
}

static void t_chown(void)
{
	struct stat st;
	int fd;

	CHECK_OK(write_file(P("f"), "x", 1));
	CHECK_OK(chown(P("f"), 61001, 61002));
	CHECK_OK(stat(P("f"), &st));
	CHECK(st.st_uid == 61001 && st.st_gid == 61002);
	CHECK_OK(chown(P("f"), -1, 61003));
	CHECK_OK(stat(P("f"), &st));
	CHECK(st.st_uid == 61001 && st.st_gid == 61003);
	obs("uid=%u gid=%u", st.st_uid, st.st_gid);
	fd = CHECK_OK(open(P("f"), O_RDONLY));
	CHECK_OK(fchown(fd, 61004, -1));
	CHECK_OK(fstat(fd, &st));
	close(fd);
	CHECK(st.st_uid == 61004 && st.st_gid == 61003);
	CHECK_OK(symlink("f", P("s")));
	CHECK_OK(lchown(P("s"), 61005, 61005));
	CHECK_OK(lstat(P("s"), &st));
	CHECK(st.st_uid == 61005 && st.st_gid == 61005);
	CHECK_OK(stat(P("f"), &st));
	CHECK(st.st_uid == 61004);
	obs("f uid=%u gid=%u", st.st_uid, st.st_gid);
}

static void t_statfs(void)
{
	struct statvfs sv;

	CHECK_OK(statvfs(T->dir, &sv));
	CHECK(sv.f_bsize > 0 && sv.f_namemax > 0 && sv.f_blocks > 0);
	CHECK(sv.f_bfree <= sv.f_blocks && sv.f_bavail <= sv.f_blocks);
	obs("namemax=%lu", (unsigned long)sv.f_namemax);
	if (opt_same_fs)
		obs("bsize=%lu frsize=%lu blocks=%llu files=%llu", (unsigned long)sv.f_bsize,
		    (unsigned long)sv.f_frsize, (unsigned long long)sv.f_blocks,
		    (unsigned long long)sv.f_files);
}

static void t_fsync(void)
{
	int fd;

	fd = CHECK_OK(open(P("f"), O_CREAT | O_RDWR, 0644));
	CHECK(write(fd, "data", 4) == 4);
	CHECK_OK(fsync(fd));
	CHECK_OK(fdatasync(fd));
	close(fd);
	fd = CHECK_OK(open(T->dir, O_RDONLY | O_DIRECTORY));
	CHECK_OK(fsync(fd));
	close(fd);
	CHECK(file_is(P("f"), "data"));
	obs("fsync done");
}

/* Runs fn in a child process; what it writes to the pipe becomes observations. */
static void in_child(void (*fn)(const char *path, pid_t holder, FILE *out), const char *path)
{
	pid_t holder = getpid(), pid;
	char line[256];
	int pfd[2], status;
	FILE *in;

	if (pipe(pfd) < 0) {
		fail(__LINE__, "pipe: %m");
		return;
	}
	pid = fork();
	if (pid == 0) {
		FILE *out = fdopen(pfd[1], "w");
		close(pfd[0]);
		fn(path, holder, out);
		fclose(out);
		_exit(0);
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "FAIL ", 5) == 0)
			fail(__LINE__, "child: %s", line + 5);
		else
			obs("%s", line);
	}
	fclose(in);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void child_posix_conflict(const char *path, pid_t holder, FILE *out)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 10 };
	int fd = open(path, O_RDWR), r;

	if (fd < 0) {
		fprintf(out, "FAIL open: %m\n");
		return;
	}
	r = fcntl(fd, F_SETLK, &fl);
	if (r == 0 || (errno != EAGAIN && errno != EACCES))
		fprintf(out, "FAIL F_SETLK on a locked range: %s\n", rc(r));
	fprintf(out, "setlk locked range: %s\n", r == 0 ? "granted" : "refused");
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	if (fcntl(fd, F_GETLK, &fl) < 0)
		fprintf(out, "FAIL F_GETLK: %m\n");
	if (fl.l_type != F_WRLCK || fl.l_start != 0 || fl.l_len != 100 || fl.l_pid != holder)
		fprintf(out, "FAIL F_GETLK reports type=%d start=%lld len=%lld pid=%d, want %d/0/100/%d\n",
			fl.l_type, (long long)fl.l_start, (long long)fl.l_len, fl.l_pid, F_WRLCK,
			holder);
	fprintf(out, "getlk type=%d start=%lld len=%lld holder=%d\n", fl.l_type,
		(long long)fl.l_start, (long long)fl.l_len, fl.l_pid == holder);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 200, .l_len = 10 };
	r = fcntl(fd, F_SETLK, &fl);
	if (r < 0)
		fprintf(out, "FAIL F_SETLK on a free range: %m\n");
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	if (fcntl(fd, F_GETLK, &fl) == 0)
		fprintf(out, "getlk own-only type=%d\n", fl.l_type);
	close(fd);
}

static void child_posix_free(const char *path, pid_t holder, FILE *out)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 10 };
	int fd = open(path, O_RDWR);

	if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
		fprintf(out, "FAIL F_SETLK after the holder unlocked: %m\n");
	fprintf(out, "setlk after unlock ok\n");
	if (fd >= 0)
		close(fd);
}

static void child_flock_conflict(const char *path, pid_t holder, FILE *out)
{
	int fd = open(path, O_RDWR), r;

	if (fd < 0) {
		fprintf(out, "FAIL open: %m\n");
		return;
	}
	r = flock(fd, LOCK_EX | LOCK_NB);
	if (r == 0 || errno != EWOULDBLOCK)
		fprintf(out, "FAIL flock LOCK_EX on a locked file: %s\n", rc(r));
	r = flock(fd, LOCK_SH | LOCK_NB);
	if (r == 0 || errno != EWOULDBLOCK)
		fprintf(out, "FAIL flock LOCK_SH on a locked file: %s\n", rc(r));
	fprintf(out, "flock on locked file: %s\n", r == 0 ? "granted" : "refused");
	close(fd);
}

static void child_flock_free(const char *path, pid_t holder, FILE *out)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		fprintf(out, "FAIL flock after the holder unlocked: %m\n");
	fprintf(out, "flock after unlock ok\n");
	if (fd >= 0)
		close(fd);
}

/* F_SETLKW waits for the holder, who lets go 200 ms after the child forked. */
static void child_posix_wait(const char *path, pid_t holder, FILE *out)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	int fd = open(path, O_RDWR);

	/* Never wait forever: SIGALRM's default action kills us, and only a
	 * fatal signal ends a FUSE request the server does not answer. */
	alarm(10);
	if (fd < 0 || fcntl(fd, F_SETLKW, &fl) < 0) {
		fprintf(out, "FAIL F_SETLKW: %m\n");
		_exit(1);
	}
	close(fd);
}

static void t_locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	int fd;

	fd = CHECK_OK(open(P("f"), O_CREAT | O_RDWR, 0644));
	CHECK(write(fd, "lock me", 7) == 7);
	CHECK_OK(fcntl(fd, F_SETLK, &fl));
	in_child(child_posix_conflict, P("f"));
	fl.l_type = F_UNLCK;
	CHECK_OK(fcntl(fd, F_SETLK, &fl));
	in_child(child_posix_free, P("f"));
	CHECK_OK(flock(fd, LOCK_EX));
	in_child(child_flock_conflict, P("f"));
	CHECK_OK(flock(fd, LOCK_UN));
	in_child(child_flock_free, P("f"));
	close(fd);

	/* Closing any descriptor of the file drops the process's POSIX locks. */
	fd = CHECK_OK(open(P("f"), O_RDWR));
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	CHECK_OK(fcntl(fd, F_SETLK, &fl));
	close(CHECK_OK(open(P("f"), O_RDONLY)));
	in_child(child_posix_free, P("f"));
	close(fd);

	/* A waiting F_SETLKW is granted when the holder unlocks. */
	fd = CHECK_OK(open(P("f"), O_RDWR));
	CHECK_OK(fcntl(fd, F_SETLK, &fl));
	pid_t unlocker = fork();
	if (unlocker == 0) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	if (unlocker > 0) {
		/* The child waits on the lock; we unlock once it had time to block. */
		pid_t waiter = fork();
		if (waiter == 0) {
			child_posix_wait(P("f"), getppid(), stderr);
			_exit(0);
		}
		waitpid(unlocker, NULL, 0);
		fl.l_type = F_UNLCK;
		CHECK_OK(fcntl(fd, F_SETLK, &fl));
		int status = -1;
		CHECK(waiter > 0 && waitpid(waiter, &status, 0) == waiter);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(fd);
	obs("close drops locks; setlkw waits");
}

static void t_unlink_open(void)
{
	char buf[64];
	struct stat st;
	int fd;

	CHECK_OK(write_file(P("f"), "still here", 10));
	fd = CHECK_OK(open(P("f"), O_RDWR));
	CHECK_OK(unlink(P("f")));
	CHECK_ERR(stat(P("f"), &st), ENOENT);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 10 && memcmp(buf, "still here", 10) == 0);
	CHECK(pwrite(fd, "!", 1, 10) == 1);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 11 && memcmp(buf, "still here!", 11) == 0);
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 11);
	obs("read after unlink=%.11s", buf);
	/* The name is free for a new file meanwhile. */
	CHECK_OK(write_file(P("f"), "new", 3));
	CHECK(file_is(P("f"), "new"));
	CHECK(pread(fd, buf, sizeof(buf), 0) == 11);
	close(fd);
}

static void t_copy_range(void)
{
	const size_t len = 100000;
	char *a = malloc(len), *b = malloc(len + 20);
	loff_t in_off = 10, out_off = 20;
	int in, out;
	ssize_t n = 0, got;

	fill_pattern(a, len, 9);
	CHECK_OK(write_file(P("in"), a, len));
	in = CHECK_OK(open(P("in"), O_RDONLY));
	out = CHECK_OK(open(P("out"), O_CREAT | O_RDWR, 0644));
	while (n < (ssize_t)len - 10) {
		got = copy_file_range(in, &in_off, out, &out_off, len - 10 - n, 0);
		if (got <= 0) {
			fail(__LINE__, "copy_file_range: %s", rc(got));
			break;
		}
		n += got;
	}
	close(in);
	close(out);
	got = read_file(P("out"), b, len + 20);
	CHECK(got == (ssize_t)len + 10);
	CHECK(memcmp(b + 20, a + 10, len - 10) == 0);
	obs("out size=%zd", got);
	free(a);
	free(b);
}

static void t_fallocate(void)
{
	struct stat st;
	char buf[100], zero[100] = { 0 };
	int fd;

	fd = CHECK_OK(open(P("f"), O_CREAT | O_RDWR, 0644));
	CHECK_OK(fallocate(fd, 0, 0, 65536));
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 65536);
	CHECK(pread(fd, buf, sizeof(buf), 1000) == sizeof(buf) && memcmp(buf, zero, sizeof(buf)) == 0);
	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 65536, 4096));
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 65536);
	obs("size=%lld", (long long)st.st_size);
	close(fd);
}

/* Names at the limits and with bytes that need care: the library hands
 * names and paths through unchanged. */
static void t_names(void)
{
	static const char *odd[] = { "with space", "new\nline", "tab\there", "back\\slash",
				     "caf\xc3\xa9-\xe2\x82\xac", "\x01ctl", "-dash", ".hidden",
				     "semi;colon", "percent%s", "quote'\"" };
	char name[300], path[PATH_MAX], target[4000], buf[4096];
	struct stat st;
	int count = 0;
	struct dirent *de;
	DIR *dp;

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		CHECK_OK(write_file(P("%s", odd[i]), odd[i], strlen(odd[i])));
		CHECK(file_is(P("%s", odd[i]), odd[i]));
	}
	memset(name, 'n', 255);
	name[255] = '\0';
	CHECK_OK(write_file(P("%s", name), "long", 4));
	CHECK(file_is(P("%s", name), "long"));
	name[255] = 'n';
	name[256] = '\0';
	CHECK_ERR(open(P("%s", name), O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	dp = opendir(T->dir);
	while (dp && (de = readdir(dp)))
		count++;
	if (dp)
		closedir(dp);
	CHECK(count == (int)(sizeof(odd) / sizeof(odd[0])) + 3);
	obs("entries=%d", count);
	/* A long symlink target comes back whole. */
	memset(target, 't', sizeof(target) - 1);
	target[sizeof(target) - 1] = '\0';
	for (size_t i = 100; i < sizeof(target) - 1; i += 100)
		target[i] = '/';
	CHECK_OK(symlink(target, P("longlink")));
	CHECK(readlink(P("longlink"), buf, sizeof(buf)) == (ssize_t)strlen(target) &&
	      memcmp(buf, target, strlen(target)) == 0);
	CHECK_OK(lstat(P("longlink"), &st));
	CHECK(st.st_size == (off_t)strlen(target));
	/* Deep directories: a path of some 3000 bytes. */
	snprintf(path, sizeof(path), "deep");
	CHECK_OK(mkdir(P("deep"), 0755));
	memset(name, 'd', 200);
	name[200] = '\0';
	for (int i = 0; i < 14; i++) {
		strcat(path, "/");
		strcat(path, name);
		CHECK_OK(mkdir(P("%s", path), 0755));
	}
	strcat(path, "/file");
	CHECK_OK(write_file(P("%s", path), "deep", 4));
	CHECK(file_is(P("%s", path), "deep"));
	CHECK_OK(stat(P("%s", path), &st));
	obs("deep size=%lld", (long long)st.st_size);
}

/* Several processes at once, each with its own files: requests of different
 * callers interleave in the server's threads, and each must get its own
 * data back. */
#define PAR_PROCS 4
#define PAR_SIZE (4 << 20)

static int par_worker(int id)
{
	char *a = malloc(PAR_SIZE), *b = malloc(PAR_SIZE);
	unsigned seed = 1234 + id;
	struct stat st;
	int fd, bad = 0;

	fill_pattern(a, PAR_SIZE, id * 31 + 7);
	fd = open(P("w%d", id), O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	/* Odd-sized writes at increasing offsets. */
	for (size_t off = 0; off < PAR_SIZE;) {
		size_t len = 1 + rand_r(&seed) % 200000;
		if (len > PAR_SIZE - off)
			len = PAR_SIZE - off;
		if (pwrite(fd, a + off, len, off) != (ssize_t)len)
			bad = 1;
		off += len;
	}
	for (int i = 0; i < 200; i++) {
		char name[64];
		snprintf(name, sizeof(name), "s%d-%d", id, i);
		if (mknod(P("%s", name), S_IFREG | 0600, 0) < 0 || stat(P("%s", name), &st) < 0 ||
		    rename(P("%s", name), P("%s.r", name)) < 0 || unlink(P("%s.r", name)) < 0)
			bad = 1;
	}
	if (pread(fd, b, PAR_SIZE, 0) != PAR_SIZE || memcmp(a, b, PAR_SIZE) != 0)
		bad = 1;
	close(fd);
	free(a);
	free(b);
	return bad;
}

static void t_parallel(void)
{
	pid_t pids[PAR_PROCS];
	int bad = 0;

	for (int i = 0; i < PAR_PROCS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(par_worker(i));
	}
	for (int i = 0; i < PAR_PROCS; i++) {
		int status = -1;
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fail(__LINE__, "worker %d failed", i);
			bad++;
		}
	}
	obs("workers failed=%d", bad);
}

static const struct test {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "create", t_create },
	{ "rw", t_rw },
	{ "append", t_append },
	{ "truncate", t_truncate },
	{ "sparse", t_sparse },
	{ "mmap", t_mmap },
	{ "rename", t_rename },
	{ "link", t_link },
	{ "symlink", t_symlink },
	{ "readdir", t_readdir },
	{ "xattr", t_xattr },
	{ "utimens", t_utimens },
	{ "chmod", t_chmod },
	{ "chown", t_chown },
	{ "statfs", t_statfs },
	{ "fsync", t_fsync },
	{ "locks", t_locks },
	{ "unlink_open", t_unlink_open },
	{ "copy_range", t_copy_range },
	{ "fallocate", t_fallocate },
	{ "names", t_names },
	{ "parallel", t_parallel },
};

/* Whether name is one of a comma-separated list. */
static bool in_list(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	}
	return false;
}

static int cmd_rw(const char *mnt, const char *ref, const char *only, const char *skip)
{
	struct target tg[2] = { { .label = "mount" }, { .label = "reference" } };
	const char *roots[2] = { mnt, ref };
	int failed_tests = 0, ran = 0;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int before = total_fails;

		if ((only && !in_list(only, tests[i].name)) || in_list(skip, tests[i].name))
			continue;
		cur_test = tests[i].name;
		broke = false;
		for (int k = 0; k < 2; k++) {
			T = &tg[k];
			T->len = 0;
			if (T->rec)
				T->rec[0] = '\0';
			snprintf(T->dir, sizeof(T->dir), "%s/%s", roots[k], cur_test);
			if (mkdir(T->dir, 0755) < 0) {
				fail(__LINE__, "mkdir %s: %m", T->dir);
				continue;
			}
			tests[i].fn();
		}
		T = NULL;
		if (strcmp(tg[0].rec ? tg[0].rec : "", tg[1].rec ? tg[1].rec : "") != 0) {
			fprintf(stderr, "FAIL %s: the mount and the reference differ\n--- mount\n%s"
				"--- reference\n%s", cur_test, tg[0].rec ? tg[0].rec : "",
				tg[1].rec ? tg[1].rec : "");
			total_fails++;
		}
		ran++;
		if (total_fails != before)
			failed_tests++;
		printf("%s %s\n", total_fails == before ? "ok  " : "FAIL", cur_test);
		fflush(stdout);
	}
	free(tg[0].rec);
	free(tg[1].rec);
	if (opt_break) {
		/* Every test must have noticed the altered observation. */
		printf("--break: %d of %d tests failed\n", failed_tests, ran);
		return failed_tests == ran && ran > 0 ? 0 : 1;
	}
	return total_fails ? 1 : 0;
}

/* ---------------------------------------------------------------------- */

static bool skip_name(const char *name)
{
	/* The high-level library's stand-ins for open, unlinked files. */
	return strncmp(name, ".fuse_hidden", 12) == 0;
}

static void describe(const char *path, struct stat *st, FILE *out);

/* Describes every entry below root/rel, one line each, named by its path
 * relative to root, in a stable order. */
static void tree_walk(const char *root, const char *rel, FILE *out)
{
	struct dirent **names;
	char dir[PATH_MAX];
	int n;

	snprintf(dir, sizeof(dir), "%s%s", root, rel);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(out, "%s: scandir %s\n", rel, strerrorname_np(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char child[PATH_MAX], crel[PATH_MAX];
		struct stat st;

		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..") &&
		    !skip_name(names[i]->d_name) &&
		    snprintf(crel, sizeof(crel), "%s/%s", rel, names[i]->d_name) < (int)sizeof(crel) &&
		    snprintf(child, sizeof(child), "%s%s", root, crel) < (int)sizeof(child)) {
			fprintf(out, "%s: ", crel);
			if (lstat(child, &st) < 0) {
				fprintf(out, "lstat %s\n", strerrorname_np(errno));
			} else {
				describe(child, &st, out);
				if (S_ISDIR(st.st_mode))
					tree_walk(root, crel, out);
			}
		}
		free(names[i]);
	}
	free(names);
}

static void describe(const char *path, struct stat *st, FILE *out)
{
	char buf[65536], list[4096];
	ssize_t n;

	fprintf(out, "mode=%o uid=%u gid=%u", st->st_mode, st->st_uid, st->st_gid);
	if (!S_ISDIR(st->st_mode))
		fprintf(out, " size=%lld nlink=%lu", (long long)st->st_size,
			(unsigned long)st->st_nlink);
	else
		fprintf(out, " nlink=%lu", (unsigned long)st->st_nlink);
	if (S_ISLNK(st->st_mode)) {
		n = readlink(path, buf, sizeof(buf) - 1);
		fprintf(out, " -> %.*s", (int)(n < 0 ? 0 : n), buf);
	} else if (S_ISREG(st->st_mode) && (st->st_mode & 0444)) {
		int fd = open(path, O_RDONLY);
		uint32_t h = 2166136261u;
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			for (ssize_t i = 0; i < n; i++)
				h = (h ^ (unsigned char)buf[i]) * 16777619u;
		if (fd >= 0)
			close(fd);
		fprintf(out, " data=%08x", h);
	}
	n = llistxattr(path, list, sizeof(list));
	for (ssize_t i = 0; n > 0 && i < n; i += strlen(list + i) + 1) {
		ssize_t v;
		if (strncmp(list + i, "user.", 5) != 0)
			continue;
		v = lgetxattr(path, list + i, buf, sizeof(buf));
		fprintf(out, " %s=%zd:%08x", list + i, v, v > 0 ? crc(buf, v) : 0);
	}
	fputc('\n', out);
}

static int cmd_tree(const char *a, const char *b)
{
	char *ta = NULL, *tb = NULL;
	size_t la = 0, lb = 0;
	FILE *fa = open_memstream(&ta, &la), *fb = open_memstream(&tb, &lb);
	int r;

	tree_walk(a, "", fa);
	tree_walk(b, "", fb);
	fclose(fa);
	fclose(fb);
	r = strcmp(ta, tb) != 0;
	if (r) {
		fprintf(stderr, "FAIL tree %s and %s differ\n", a, b);
		/* The first differing line is what a reader needs. */
		char *pa = ta, *pb = tb;
		while (*pa && *pb) {
			size_t ea = strcspn(pa, "\n"), eb = strcspn(pb, "\n");
			if (ea != eb || memcmp(pa, pb, ea) != 0) {
				fprintf(stderr, "  %s: %.*s\n  %s: %.*s\n", a, (int)ea, pa, b, (int)eb, pb);
				break;
			}
			pa += ea + (pa[ea] != 0);
			pb += eb + (pb[eb] != 0);
		}
		if (!*pa || !*pb)
			fprintf(stderr, "  one tree ends early:\n  %s\n  %s\n", pa, pb);
	} else {
		printf("ok   tree (%zu bytes of description)\n", la);
	}
	free(ta);
	free(tb);
	return r;
}

/* ---------------------------------------------------------------------- */

static int cmd_hello(const char *mnt)
{
	static struct target tg = { .label = "mount" };
	const char *text = "Hello, world!\n";
	char buf[64];
	struct stat st;
	struct dirent *de;
	DIR *dp;
	int n = 0, fd;

	cur_test = "hello";
	T = &tg;
	snprintf(T->dir, sizeof(T->dir), "%s", mnt);
	CHECK_OK(stat(mnt, &st));
	CHECK(S_ISDIR(st.st_mode));
	dp = opendir(mnt);
	CHECK(dp != NULL);
	while (dp && (de = readdir(dp))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			CHECK(strcmp(de->d_name, "hello") == 0);
		n++;
	}
	if (dp)
		closedir(dp);
	CHECK(n == 3);
	CHECK_OK(stat(P("hello"), &st));
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0444);
	CHECK(st.st_size == (off_t)strlen(text) && st.st_nlink == 1);
	CHECK(file_is(P("hello"), text));
	/* O_DIRECT: the read at an offset must reach the server, not the cache. */
	fd = CHECK_OK(open(P("hello"), O_RDONLY | O_DIRECT));
	CHECK(pread(fd, buf, sizeof(buf), 7) == 7 && memcmp(buf, "world!\n", 7) == 0);
	CHECK(pread(fd, buf, sizeof(buf), 100) == 0);
	close(fd);
	CHECK_ERR(open(P("hello"), O_WRONLY), EACCES);
	CHECK_ERR(stat(P("nothing"), &st), ENOENT);
	errno = 0;
	CHECK(open(P("new"), O_CREAT | O_WRONLY, 0644) < 0);
	CHECK(mkdir(P("dir"), 0755) < 0);
	CHECK(unlink(P("hello")) < 0);
	printf("%s hello\n", total_fails ? "FAIL" : "ok  ");
	return total_fails != 0;
}

static int cmd_null(const char *mnt)
{
	static struct target tg = { .label = "mount" };
	const size_t len = 1 << 20;
	const off_t size = 1LL << 40;
	char *buf = malloc(len), *zero = calloc(1, len);
	struct stat st;
	int fd;

	cur_test = "null";
	T = &tg;
	snprintf(T->dir, sizeof(T->dir), "%s", mnt);
	CHECK_OK(stat(P("null"), &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == size);
	fd = CHECK_OK(open(P("null"), O_RDWR));
	memset(buf, 'x', len);
	CHECK(pread(fd, buf, len, 0) == (ssize_t)len && memcmp(buf, zero, len) == 0);
	memset(buf, 'x', len);
	CHECK(pread(fd, buf, len, size - 4096) == 4096 && memcmp(buf, zero, 4096) == 0);
	CHECK(pread(fd, buf, len, size) == 0);
	memset(buf, 'x', len);
	CHECK(pwrite(fd, buf, len, 12345) == (ssize_t)len);
	close(fd);
	/* Writes are thrown away: a fresh open still reads zeroes. */
	fd = CHECK_OK(open(P("null"), O_RDONLY | O_DIRECT));
	if (fd < 0)
		fd = CHECK_OK(open(P("null"), O_RDONLY));
	CHECK(pread(fd, buf, len, 0) == (ssize_t)len && memcmp(buf, zero, len) == 0);
	close(fd);
	CHECK_OK(stat(P("null"), &st));
	CHECK(st.st_size == size);
	CHECK_ERR(stat(P("other"), &st), ENOENT);
	free(buf);
	free(zero);
	printf("%s null\n", total_fails ? "FAIL" : "ok  ");
	return total_fails != 0;
}

/* ---------------------------------------------------------------------- */

/* Runs "fsops open PATH WANT" as uid/gid 61000 with no groups. */
static int probe_as_user(const char *path, const char *want)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execlp("setpriv", "setpriv", "--reuid=61000", "--regid=61000", "--clear-groups",
		       self_exe, "open", path, want, (char *)NULL);
		perror("setpriv");
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmd_perm(const char *mnt)
{
	static struct target tg = { .label = "mount" };
	char secret[PATH_MAX], public[PATH_MAX];

	cur_test = "perm";
	T = &tg;
	snprintf(T->dir, sizeof(T->dir), "%s/perm", mnt);
	CHECK_OK(mkdir(T->dir, 0755));
	CHECK_OK(chmod(T->dir, 0755));
	snprintf(secret, sizeof(secret), "%s", P("secret"));
	snprintf(public, sizeof(public), "%s", P("public"));
	CHECK_OK(write_file(secret, "secret", 6));
	CHECK_OK(chmod(secret, 0600));
	CHECK_OK(write_file(public, "public", 6));
	CHECK_OK(chmod(public, 0644));
	if (probe_as_user(secret, "EACCES") < 0)
		fail(__LINE__, "uid 61000 opening a 0600 root file: want EACCES");
	if (probe_as_user(public, "ok") < 0)
		fail(__LINE__, "uid 61000 opening a 0644 root file: want success");
	/* Writing the directory is not the user's either. */
	if (probe_as_user(P("new"), "EACCES-create") < 0)
		fail(__LINE__, "uid 61000 creating in a 0755 root directory: want EACCES");
	printf("%s perm\n", total_fails ? "FAIL" : "ok  ");
	return total_fails != 0;
}

static int cmd_open(const char *path, const char *want)
{
	bool create = strcmp(want, "EACCES-create") == 0;
	int fd = create ? open(path, O_CREAT | O_WRONLY, 0644) : open(path, O_RDONLY);
	const char *got = fd >= 0 ? "ok" : strerrorname_np(errno);
	char buf[16];

	if (create)
		want = "EACCES";
	if (fd >= 0 && read(fd, buf, sizeof(buf)) < 0 && !create)
		got = strerrorname_np(errno);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "open %s as uid %d: got %s, want %s\n", path, getuid(), got, want);
		return 1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: fsops rw MNT REF [--holes] [--same-fs] [--only=T,..] [--skip=T,..] [--break]\n"
			"       fsops tree A B | hello MNT | null MNT | perm MNT | open PATH WANT\n");
	return 2;
}

int main(int argc, char *argv[])
{
	const char *only = NULL, *skip = NULL;

	self_exe = realpath("/proc/self/exe", NULL);
	umask(0);
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "rw") == 0 && argc >= 4) {
		for (int i = 4; i < argc; i++) {
			if (strcmp(argv[i], "--holes") == 0)
				opt_holes = true;
			else if (strcmp(argv[i], "--same-fs") == 0)
				opt_same_fs = true;
			else if (strcmp(argv[i], "--break") == 0)
				opt_break = true;
			else if (strncmp(argv[i], "--only=", 7) == 0)
				only = argv[i] + 7;
			else if (strncmp(argv[i], "--skip=", 7) == 0)
				skip = argv[i] + 7;
			else
				return usage();
		}
		return cmd_rw(argv[2], argv[3], only, skip);
	}
	if (strcmp(argv[1], "tree") == 0 && argc == 4)
		return cmd_tree(argv[2], argv[3]);
	if (strcmp(argv[1], "hello") == 0)
		return cmd_hello(argv[2]);
	if (strcmp(argv[1], "null") == 0)
		return cmd_null(argv[2]);
	if (strcmp(argv[1], "perm") == 0)
		return cmd_perm(argv[2]);
	if (strcmp(argv[1], "open") == 0 && argc == 4)
		return cmd_open(argv[2], argv[3]);
	return usage();
}
