// SPDX-License-Identifier: GPL-2.0-only
/*
 * qs__refname_is_valid against git itself: every name, hand-picked at
 * git's rules and made at random from the bytes they concern, gets the
 * verdict `git check-ref-format NAME` gives.
 */
#include "internal.h"
#include "refname.h"

#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

/* git check-ref-format's verdict: 1 valid, 0 not, -1 git did not run. */
static int git_verdict(const char *name)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("git", "git", "check-ref-format", name, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) > 1)
		return -1;
	return WEXITSTATUS(status) == 0;
}

static const char *const picked[] = {
	"refs/heads/mm-unstable", "refs/heads/mm-unstable-gup-folio-pinning-helpers",
	"refs/quiltsync/remotes/git-kernel-org/slab-next", "refs/heads/a/b/c",
	"refs/heads/x.y", "refs/heads/v6.9-rc3", "refs/heads/é", "refs/heads/a@b",
	"refs/heads/@", "@", "HEAD", "mm-unstable", "refs/heads/", "/refs/heads/a",
	"refs//heads/a", "refs/heads/a/", "refs/heads/.a", "refs/heads/a/.b",
	"refs/heads/a.", "refs/heads/a..b", "refs/heads/a.lock", "refs/heads/a.lock/b",
	"refs/heads/lock", "refs/heads/.lock", "refs/heads/a@{b", "refs/heads/a@{",
	"refs/heads/@{", "refs/heads/a b", "refs/heads/a~1", "refs/heads/a^",
	"refs/heads/a:b", "refs/heads/a?", "refs/heads/a*", "refs/heads/a[b",
	"refs/heads/a\\b", "refs/heads/a\tb", "refs/heads/a\x7f", "refs/heads/a]b",
	"refs/heads/a{b}", "refs/heads/-a", "refs/heads/a-", "refs.heads/a",
	"refs/heads/a/..", "refs/heads/./a", "refs/heads/a/./b", "a/b", "a",
	"refs/heads/\xc3\x28", "refs/heads/a.lockx", "refs/heads/a..", "..",
	"refs/heads/-", "refs/heads/...", "refs/heads/a/b.lock", "refs/x@{/a",
};

int main(void)
{
	static const char alphabet[] = "ab./@{}~^:?*[\\ -_.lock";
	size_t i, agree = 0, n = 0;
	unsigned int seed = 8117;
	char name[32];
	int g;

	if (git_verdict("refs/heads/probe") != 1) {
		tap_skip_all("git check-ref-format does not run here");
		return 0;
	}
	for (i = 0; i < QS_ARRAY_SIZE(picked); i++) {
		g = git_verdict(picked[i]);
		ok(g == qs__refname_is_valid(picked[i]),
		   "'%s': git says %s", picked[i], g ? "valid" : "invalid");
	}
	/* random names over the bytes the rules are about, seeded */
	for (i = 0; i < 600; i++) {
		size_t len = 6 + (size_t)(rand_r(&seed) % 10), k;

		memcpy(name, "refs/", 5);
		for (k = 5; k < len; k++)
			name[k] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		name[len] = '\0';
		if ((g = git_verdict(name)) < 0)
			continue;
		n++;
		if (g == qs__refname_is_valid(name))
			agree++;
		else
			tap_diag("'%s': git says %s", name, g ? "valid" : "invalid");
	}
	ok(agree == n, "%zu random names: each as git check-ref-format judges it", n);
	return done_testing();
}
