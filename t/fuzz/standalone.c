/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replays a fuzzer's corpus without libFuzzer: every file named on the
 * command line, or every file in a directory named there, is passed to
 * LLVMFuzzerTestOneInput once. A crash or sanitizer report fails the
 * test; each input is one TAP line.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		printf("not ok %d - cannot open '%s'\n", ++count, path);
		return 1;
	}
	for (;;) {
		if (cap - len < 65536) {
			uint8_t *p = realloc(data, cap + 65536);
			if (!p) {
				fclose(f);
				free(data);
				printf("not ok %d - out of memory reading '%s'\n", ++count, path);
				return 1;
			}
			data = p;
			cap += 65536;
		}
		n = fread(data + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	printf("ok %d - %s\n", ++count, path);
	fflush(stdout);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	int failed = 0;

	if (!d) {
		printf("not ok %d - cannot open directory '%s'\n", ++count, dir);
		return 1;
	}
	while ((e = readdir(d))) {
		char **p;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		p = realloc(names, (n + 1) * sizeof(*names));
		if (!p)
			break;
		names = p;
		len = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(len);
		if (!names[n])
			break;
		snprintf(names[n], len, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	/* a stable order keeps the TAP numbering the same run to run */
	qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		failed |= run_file(names[i]);
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			failed |= run_dir(argv[i]);
		else
			failed |= run_file(argv[i]);
	}
	printf("1..%d\n", count);
	return failed;
}
