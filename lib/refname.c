// SPDX-License-Identifier: GPL-2.0-only
/* git's ref name rules; see refname.h. */
#include "internal.h"
#include "refname.h"

/* A byte no component may hold: controls, DEL, space and ~^:?*[\ */
static int forbidden(unsigned char c)
{
	return c < 0x20 || c == 0x7f || strchr(" ~^:?*[\\", c);
}

int qs__refname_is_valid(const char *name)
{
	const char *p = name, *comp = name;
	int slashes = 0;

	if (!*name || !strcmp(name, "@"))
		return 0;
	for (;; p++) {
		if (*p == '/' || !*p) {
			size_t len = (size_t)(p - comp);

			/* no empty component, none starting with '.' or ending in ".lock" */
			if (!len || comp[0] == '.' ||
			    (len >= 5 && !memcmp(p - 5, ".lock", 5)))
				return 0;
			if (!*p)
				break;
			slashes++;
			comp = p + 1;
			continue;
		}
		if (forbidden((unsigned char)*p) ||
		    (p[0] == '.' && p[1] == '.') || (p[0] == '@' && p[1] == '{'))
			return 0;
	}
	/* not ending in '.'; at least two components */
	return p[-1] != '.' && slashes > 0;
}
