// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsbench-files: times creating, stat()ing and unlinking many small files.
 *
 *   fsbench-files DIR N
 * prints one line per phase: "create|stat|unlink N SECONDS".  The same
 * binary runs on both filesystems a benchmark compares.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void name(char *buf, size_t size, const char *dir, long i)
{
	if (snprintf(buf, size, "%s/f%06ld", dir, i) >= (int)size) {
		fprintf(stderr, "fsbench-files: path too long\n");
		exit(2);
	}
}

int main(int argc, char *argv[])
{
	char path[4096];
	struct stat st;
	double t;
	long n;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: fsbench-files DIR N\n");
		return 2;
	}
	t = now();
	for (long i = 0; i < n; i++) {
		int fd;

		name(path, sizeof(path), argv[1], i);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0 || close(fd) < 0) {
			fprintf(stderr, "fsbench-files: create %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	printf("create %ld %.6f\n", n, now() - t);
	t = now();
	for (long i = 0; i < n; i++) {
		name(path, sizeof(path), argv[1], i);
		if (stat(path, &st) < 0) {
			fprintf(stderr, "fsbench-files: stat %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	printf("stat %ld %.6f\n", n, now() - t);
	t = now();
	for (long i = 0; i < n; i++) {
		name(path, sizeof(path), argv[1], i);
		if (unlink(path) < 0) {
			fprintf(stderr, "fsbench-files: unlink %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	printf("unlink %ld %.6f\n", n, now() - t);
	return 0;
}
