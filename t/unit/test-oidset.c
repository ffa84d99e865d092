/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"
#include "oidset.h"
#include "tap.h"

/* An id whose first bytes (the slot) repeat every `spread` ids: collisions on purpose. */
static void make_id(git_oid *id, unsigned int i, unsigned int spread)
{
	memset(id, 0, sizeof(*id));
	id->id[0] = (unsigned char)(i % spread);
	id->id[19] = (unsigned char)i;
	id->id[18] = (unsigned char)(i >> 8);
}

static void test_empty(void)
{
	struct qs__oidset set = QS__OIDSET_INIT;
	git_oid id;

	make_id(&id, 1, 256);
	ok(!qs__oidset_has(&set, &id), "an empty set has nothing");
	qs__oidset_clear(&set);
	ok(set.cap == 0 && set.count == 0, "clear leaves an empty set");
}

static void test_grow(unsigned int spread)
{
	struct qs__oidset set = QS__OIDSET_INIT;
	git_oid id;
	unsigned int i, added = 0, again = 0, found = 0, strangers = 0;

	for (i = 0; i < 5000; i++) {
		make_id(&id, i, spread);
		added += qs__oidset_add(&set, &id) == 1;
	}
	for (i = 0; i < 5000; i++) {
		make_id(&id, i, spread);
		again += qs__oidset_add(&set, &id) == 0;
		found += qs__oidset_has(&set, &id);
	}
	for (i = 5000; i < 6000; i++) {
		make_id(&id, i, spread);
		strangers += qs__oidset_has(&set, &id);
	}
	is_int(added, 5000, "every new id is added (1)");
	is_int(again, 5000, "adding an id again says so (0)");
	is_int(found, 5000, "every id is found after the table grew");
	is_int(strangers, 0, "ids never added are not found");
	is_int(set.count, 5000, "the count is of distinct ids");
	ok(set.count * 4 <= set.cap * 3, "the table stays at most three quarters full");
	qs__oidset_clear(&set);
}

int main(void)
{
	test_empty();
	test_grow(256);
	test_grow(3);	/* most ids share a few slots: long probe runs */
	return done_testing();
}
