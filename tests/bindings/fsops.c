/*
 * fsops: the system calls test-bindings.sh needs and the shell has no
 * command for, one per run; prints what came back ("ok", a number, or the
 * errno's name) and exits 0 whenever the call was made.
 *
 *   fsops rename2 FROM TO noreplace|exchange
 *   fsops fallocate PATH OFFSET LENGTH
 *   fsops copy FROM TO LENGTH        copy_file_range, offsets 0
 *   fsops seek PATH OFFSET data|hole
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int report(long long r)
{
	if (r < 0)
		printf("%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else
		printf("%lld\n", r);
	return 0;
}

int main(int argc, char *argv[])
{
	int fd, out;

	if (argc == 5 && strcmp(argv[1], "rename2") == 0) {
		unsigned flags = strcmp(argv[4], "exchange") == 0 ? RENAME_EXCHANGE : RENAME_NOREPLACE;

		return report(renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3], flags));
	}
	if (argc == 5 && strcmp(argv[1], "fallocate") == 0) {
		fd = open(argv[2], O_RDWR);
		if (fd < 0)
			return report(-1);
		return report(fallocate(fd, 0, atoll(argv[3]), atoll(argv[4])));
	}
	if (argc == 5 && strcmp(argv[1], "copy") == 0) {
		loff_t in_off = 0, out_off = 0;

		fd = open(argv[2], O_RDONLY);
		out = open(argv[3], O_WRONLY);
		if (fd < 0 || out < 0)
			return report(-1);
		return report(copy_file_range(fd, &in_off, out, &out_off, atoll(argv[4]), 0));
	}
	if (argc == 5 && strcmp(argv[1], "seek") == 0) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return report(-1);
		return report(lseek(fd, atoll(argv[3]),
				    strcmp(argv[4], "hole") == 0 ? SEEK_HOLE : SEEK_DATA));
	}
	fprintf(stderr, "usage: fsops rename2|fallocate|copy|seek ...\n");
	return 2;
}
