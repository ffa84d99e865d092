/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pack writer and its SHA-1, judged by others: object ids by
 * libgit2's hash, packs by `git verify-pack` (which inflates, resolves
 * and hashes every object and checks both checksums and the index) and
 * by reading every object back through a fresh libgit2 handle.
 */
#include "internal.h"
#include "pack.h"
#include "sha1.h"

#include <dirent.h>
#include <git2.h>
#include <sys/stat.h>

#include "scratch.h"

/* Deterministic bytes: a patch queue's files are text, but not only. */
static uint32_t rnd_state = 4000;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void hex_of(char *out, const unsigned char *sum)
{
	size_t i;

	for (i = 0; i < QS_SHA1_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

/* qs__sha1 of "blob LEN\0DATA" fed in pieces == libgit2's object id */
static int sha1_matches_git(const unsigned char *data, size_t len, size_t piece)
{
	struct qs__sha1 c;
	unsigned char sum[QS_SHA1_SIZE];
	char head[64], ours[41], theirs[41];
	size_t at;
	git_oid id;
	int n = snprintf(head, sizeof(head), "blob %zu", len);

	qs__sha1_init(&c);
	qs__sha1_update(&c, head, (size_t)n + 1);
	for (at = 0; at < len; at += piece)
		qs__sha1_update(&c, data + at, len - at < piece ? len - at : piece);
	qs__sha1_final(&c, sum);
	hex_of(ours, sum);
	if (git_odb_hash(&id, data, len, GIT_OBJECT_BLOB) < 0)
		return 0;
	git_oid_tostr(theirs, sizeof(theirs), &id);
	return !strcmp(ours, theirs);
}

static void test_sha1(void)
{
	static unsigned char data[300000];
	struct qs__sha1 c;
	unsigned char sum[QS_SHA1_SIZE];
	char hex[41];
	size_t i, bad = 0;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)rnd();
	qs__sha1_init(&c);
	qs__sha1_update(&c, "abc", 3);
	qs__sha1_final(&c, sum);
	hex_of(hex, sum);
	is_str(hex, "a9993e364706816aba3e25717850c26c9cd0d89d",
	       "SHA-1 of \"abc\" is FIPS 180's");
	/* every length around the block and padding boundaries */
	for (i = 0; i <= 300; i++)
		bad += !sha1_matches_git(data, i, 1 + i % 7);
	is_int(bad, 0, "lengths 0..300 fed in pieces of 1..7: the ids libgit2 computes");
	ok(sha1_matches_git(data, sizeof(data), 4093) &&
	   sha1_matches_git(data, sizeof(data), sizeof(data)),
	   "300000 bytes, in odd pieces and at once: libgit2's id");
}

static size_t count_dir(const char *dir, const char *prefix)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t n = 0;

	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		n += !strncmp(d->d_name, prefix, strlen(prefix));
	closedir(dp);
	return n;
}

/* The bytes of the files in `dir` whose names end in `suffix`. */
static uint64_t dir_bytes(const char *dir, const char *suffix)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	uint64_t n = 0;
	char p[1500];
	struct stat st;

	if (!dp)
		return 0;
	while ((d = readdir(dp))) {
		size_t l = strlen(d->d_name);

		if (l < strlen(suffix) ||
		    strcmp(d->d_name + l - strlen(suffix), suffix))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		if (stat(p, &st) == 0)
			n += (uint64_t)st.st_size;
	}
	closedir(dp);
	return n;
}

struct obj {
	git_object_t type;
	unsigned char *data;
	size_t len;
	size_t base;		/* SIZE_MAX: none */
	git_oid oid;
};

static size_t add_obj(struct obj *o, size_t n, git_object_t type,
		      const unsigned char *data, size_t len, size_t base)
{
	o[n].type = type;
	o[n].data = qs__malloc(len ? len : 1);
	if (len)
		memcpy(o[n].data, data, len);
	o[n].len = len;
	o[n].base = base;
	git_odb_hash(&o[n].oid, o[n].data, len, type);
	return n + 1;
}

/* A tree with `n` entries, the k-th one's id changed by `salt`. */
static size_t make_tree(unsigned char *out, size_t n, size_t k, uint32_t salt)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		int m = snprintf((char *)out + len, 32, "100644 file%04zu", i);

		len += (size_t)m + 1;
		memset(out + len, (int)(i & 0xff), 20);
		if (i == k)
			memcpy(out + len, &salt, sizeof(salt));
		len += 20;
	}
	return len;
}

static void test_pack(void)
{
	static unsigned char big[200000], tree[64 * 40];
	struct obj objs[200];
	struct qs__packwriter *w = NULL;
	git_repository *repo = NULL, *again = NULL;
	char path[512], cmd[1200];
	size_t n = 0, i, prev, bad = 0, tlen;
	uint64_t raw = 0, packed;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/repo.git", scratch);
	if (git_repository_init(&repo, path, 1) < 0) {
		ok(0, "setup: a repository");
		return;
	}
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)('a' + rnd() % 26);
	/* small objects: never deltas */
	n = add_obj(objs, n, GIT_OBJECT_BLOB, (const unsigned char *)"", 0, SIZE_MAX);
	n = add_obj(objs, n, GIT_OBJECT_BLOB, (const unsigned char *)"hello\n", 6, SIZE_MAX);
	/*
	 * 70 versions of a 200 kB file, each one edit away from the last:
	 * the common head and tail exceed one copy instruction (64 kB),
	 * and the chain outgrows the depth limit.
	 */
	prev = SIZE_MAX;
	for (i = 0; i < 70; i++) {
		big[(i * 2731) % sizeof(big)] = (unsigned char)('A' + i % 26);
		n = add_obj(objs, n, GIT_OBJECT_BLOB, big, sizeof(big), prev);
		prev = n - 1;
	}
	/* 40 versions of a tree, and one version that rewrites it whole */
	prev = SIZE_MAX;
	for (i = 0; i < 40; i++) {
		tlen = make_tree(tree, 60, (i * 7) % 60, (uint32_t)i + 1);
		n = add_obj(objs, n, GIT_OBJECT_TREE, tree, tlen, prev);
		prev = n - 1;
	}
	for (i = 0; i < sizeof(big) / 2; i++)
		big[i] = (unsigned char)rnd();
	n = add_obj(objs, n, GIT_OBJECT_BLOB, big, sizeof(big), 70);
	for (i = 0; i < n; i++)
		raw += objs[i].len;

	snprintf(cmd, sizeof(cmd), "%s/objects", path);
	ret = qs__pack_begin(&w, cmd, n);
	for (i = 0; i < n && !ret; i++) {
		const struct obj *b = objs[i].base == SIZE_MAX ? NULL : &objs[objs[i].base];

		ret = qs__pack_add(w, &objs[i].oid, objs[i].type, objs[i].data,
				   objs[i].len, objs[i].base, b ? b->data : NULL,
				   b ? b->len : 0);
	}
	is_int(ret, 0, "%zu objects added", n);
	is_int(qs__pack_finish(w, NULL, NULL), 0, "the pack is finished");
	snprintf(cmd, sizeof(cmd), "%s/objects/pack", path);
	is_int(count_dir(cmd, "pack-"), 2, "one .pack and one .idx");
	is_int(count_dir(cmd, "tmp_"), 0, "no temporary file left");
	ok(sh("cd '%s' && git verify-pack -v objects/pack/pack-*.idx >%s/verify.out",
	      path, scratch) == 0,
	   "git verify-pack accepts the pack and its index");
	/* depth is the 6th column of a delta's line; git's limit is 50 */
	ok(sh("awk 'NF == 7 && $6 > m { m = $6 } END { exit !(m > 10 && m <= 50) }' %s/verify.out",
	      scratch) == 0,
	   "deltas were made, no chain longer than 50");
	snprintf(cmd, sizeof(cmd), "%s/objects/pack", path);
	packed = dir_bytes(cmd, ".pack");
	ok(packed > 0 && packed < raw / 10,
	   "the pack (%llu bytes) is under a tenth of the %llu raw bytes",
	   (unsigned long long)packed, (unsigned long long)raw);

	if (git_repository_open(&again, path) < 0) {
		ok(0, "reopen the repository");
		goto done;
	}
	for (i = 0; i < n; i++) {
		git_odb *odb = NULL;
		git_odb_object *o = NULL;

		if (git_repository_odb(&odb, again) < 0 ||
		    git_odb_read(&o, odb, &objs[i].oid) < 0 ||
		    git_odb_object_type(o) != objs[i].type ||
		    git_odb_object_size(o) != objs[i].len ||
		    memcmp(git_odb_object_data(o), objs[i].data, objs[i].len))
			bad++;
		git_odb_object_free(o);
		git_odb_free(odb);
	}
	is_int(bad, 0, "every object reads back through libgit2, type and bytes");
done:
	for (i = 0; i < n; i++)
		free(objs[i].data);
	git_repository_free(again);
	git_repository_free(repo);
}

static void test_abort(void)
{
	struct qs__packwriter *w = NULL;
	char dir[512], packdir[600];
	git_oid id;

	snprintf(dir, sizeof(dir), "%s/objects2", scratch);
	snprintf(packdir, sizeof(packdir), "%s/pack", dir);
	mkdir(dir, 0777);
	git_odb_hash(&id, "x", 1, GIT_OBJECT_BLOB);
	is_int(qs__pack_begin(&w, dir, 2), 0, "a pack of two is started");
	is_int(count_dir(packdir, "tmp_pack_"), 1, "under a temporary name");
	is_int(qs__pack_add(w, &id, GIT_OBJECT_BLOB, "x", 1, SIZE_MAX, NULL, 0), 0,
	       "one object added");
	is_int(qs__pack_finish(w, NULL, NULL), QS_EINVAL, "finishing with one of two is refused");
	is_int(count_dir(packdir, ""), 2, "and leaves nothing behind (only . and ..)");
	is_int(qs__pack_begin(&w, dir, 1), 0, "another pack");
	qs__pack_abort(w);
	is_int(count_dir(packdir, "tmp_"), 0, "abort removes its temporary file");
	qs__pack_abort(NULL);
}

int main(void)
{
	git_libgit2_init();
	if (scratch_make("pack")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	test_sha1();
	test_pack();
	test_abort();
	scratch_remove();
	git_libgit2_shutdown();
	return done_testing();
}
