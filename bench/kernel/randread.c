/*
 * randread: times random 4 KiB reads of a file.
 *
 *   randread FILE N
 * preads N blocks of 4 KiB at offsets drawn from a fixed-seed generator
 * (the same sequence in every run, so two runs read the same blocks) and
 * prints "randread N SECONDS".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64: enough for spreading offsets, and reproducible. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char *argv[])
{
	static char buf[BLOCK];
	uint64_t seed = 0x9e3779b97f4a7c15u, blocks;
	struct stat st;
	double t;
	long n;
	int fd;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: randread FILE N\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 1;
	}
	blocks = (uint64_t)st.st_size / BLOCK;
	if (blocks == 0) {
		fprintf(stderr, "randread: %s is smaller than a block\n", argv[1]);
		return 1;
	}
	t = now();
	for (long i = 0; i < n; i++) {
		off_t off = (off_t)(next(&seed) % blocks) * BLOCK;

		if (pread(fd, buf, BLOCK, off) != BLOCK) {
			perror("randread: pread");
			return 1;
		}
	}
	printf("randread %ld %.6f\n", n, now() - t);
	close(fd);
	return 0;
}
