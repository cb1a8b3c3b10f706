// SPDX-License-Identifier: GPL-2.0-or-later
/* Prints "d_ino name" for each entry readdir() returns: what the file
 * system put in the listing, without the stat() that ls -i may do. */
#include <dirent.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
	DIR *d;
	struct dirent *e;

	if (argc != 2 || !(d = opendir(argv[1]))) {
		perror("opendir");
		return 1;
	}
	while ((e = readdir(d)))
		printf("%llu %s\n", (unsigned long long)e->d_ino, e->d_name);
	closedir(d);
	return 0;
}
