/*
 * renameat2: what test-bindings.sh asks of rename's flags in DIR, where
 * it makes files x and y: RENAME_NOREPLACE fails with EEXIST, and
 * RENAME_EXCHANGE swaps them.  Exit 0 if so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	return f && fputs(text, f) >= 0 && fclose(f) == 0 ? 0 : -1;
}

static int is(const char *path, char want)
{
	FILE *f = fopen(path, "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == want;
}

int main(int argc, char *argv[])
{
	char x[4096], y[4096];

	if (argc != 2)
		return 2;
	snprintf(x, sizeof(x), "%s/x", argv[1]);
	snprintf(y, sizeof(y), "%s/y", argv[1]);
	if (put(x, "x") < 0 || put(y, "y") < 0) {
		perror("renameat2: making x and y");
		return 1;
	}
	if (renameat2(AT_FDCWD, x, AT_FDCWD, y, RENAME_NOREPLACE) == 0 || errno != EEXIST) {
		fprintf(stderr, "renameat2: NOREPLACE onto y: %s, not EEXIST\n", strerror(errno));
		return 1;
	}
	if (renameat2(AT_FDCWD, x, AT_FDCWD, y, RENAME_EXCHANGE) < 0) {
		perror("renameat2: EXCHANGE");
		return 1;
	}
	if (!is(x, 'y') || !is(y, 'x')) {
		fprintf(stderr, "renameat2: EXCHANGE did not swap x and y\n");
		return 1;
	}
	return 0;
}
