/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs__date_parse(): git's reading of dates. Expected values were taken
 * from git 2.39.5 (`GIT_AUTHOR_DATE=... git var GIT_AUTHOR_IDENT`, with
 * TZ=UTC for the dates that name no zone); t2050 compares many more with
 * git itself. Here: a fixed table, independence from TZ and locale, and
 * hostile input.
 */
#include <locale.h>
#include <time.h>

#include "mail-internal.h"
#include "tap.h"

static const struct {
	const char *text;
	int64_t time;
	int offset;
	bool ok;
} cases[] = {
	/* RFC 2822 and its relatives */
	{ "Tue, 5 Jul 2022 10:00:00 +0200", 1657008000LL, 120, true },
	{ "Tue, 05 Jul 2022 10:00:00 -0700", 1657040400LL, -420, true },
	{ "5 Jul 2022 10:00 +0200", 1657008000LL, 120, true },
	{ "Tue, 5 Jul 2022 10:00:00 GMT", 1657015200LL, 0, true },
	{ "Tue, 5 Jul 2022 10:00:00 EST", 1657033200LL, -300, true },
	{ "Tue, 5 Jul 2022 10:00:00 EDT", 1657029600LL, -240, true },
	{ "Tue, 5 Jul 2022 10:00:00 +0200 (CEST)", 1657008000LL, 120, true },
	{ "Tue, 5 Jul 2022 10:00:00 (CEST) +0000", 1657015200LL, 0, true },
	/* two-digit years: 70-99 and 00-09 only */
	{ "Tue, 5 Jul 22 10:00:00 +0200", 0, 0, false },
	{ "Tue, 5 Jul 99 10:00:00 +0200", 931161600LL, 120, true },
	{ "Tue, 5 Jul 05 10:00:00 +0200", 1120550400LL, 120, true },
	/* no zone, or one git does not know ("UT"): UTC, by our rule */
	{ "Tue, 5 Jul 2022 10:00:00", 1657015200LL, 0, true },
	{ "Tue, 5 Jul 2022 10:00:00 UT", 1657015200LL, 0, true },
	{ "Tue Jul  5 10:00:00 2022", 1657015200LL, 0, true },
	{ "Tue Jul  5 10:00:00 2022 +0200", 1657008000LL, 120, true },
	/* ISO 8601 */
	{ "2022-07-05 10:00:00 +0200", 1657008000LL, 120, true },
	{ "2022-07-05T10:00:00Z", 1657015200LL, 0, true },
	{ "2022-07-05T10:00:00.123456+05:30", 1656995400LL, 330, true },
	{ "20220705T100000Z", 1657015200LL, 0, true },
	{ "07/05/2022 10:00 +0000", 1657015200LL, 0, true },
	{ "05.07.2022 10:00 +0000", 1657015200LL, 0, true },
	/* git's raw form, and bare epoch seconds */
	{ "@1657000000 +0200", 1657000000LL, 120, true },
	{ "@1657000000 -0130", 1657000000LL, -90, true },
	{ "@1657000000", 1657000000LL, 0, true },
	{ "1657000000 +0200", 1657000000LL, 120, true },
	{ "10:00:00 PM Jul 5 2022", 1657058400LL, 0, true },
	/* quirks git has and we keep */
	{ "Jul 2022 10:00:00 +0000", 1656496800LL, 0, true },
	{ "Jan 1970 00:00:00 +0000", -172800LL, 0, true },
	{ "@18446744073709551614 +0000", -2LL, 0, true },
	{ "2022-07-05 10:00 +05:-3", 1656997380LL, 297, true },
	{ "2022-07-05 10:00 0530", 1656995400LL, 330, true },
	{ "2022-02-30 10:00 +0000", 1646215200LL, 0, true },
	{ "2022-07-05 24:00:00 +0000", 1657065600LL, 0, true },
	{ "2022-07-05 10:00:60 +0000", 1657015260LL, 0, true },
	{ "2022-07-05 25:00:00 +0000", 1656979200LL, 0, true },
	{ "135536077753420455 Jul 5 +0000", 962802855LL, 0, true },
	{ "99999999999999999999 2022", 1672531199LL, 0, true },
	/* the future: refused only where git checks it */
	{ "2099-12-31 10:00:00 +0000", 4102394400LL, 0, true },
	{ "12/31/2099 10:00:00 +0000", 4102394400LL, 0, true },
	{ "10:00:00 12/31/2099 +0000", 0, 0, false },
	/* "invalid date format" */
	{ "2100-01-01 00:00:00 +0000", 0, 0, false },
	{ "1969-12-31 23:59:59 +0000", 0, 0, false },
	{ "2022-07-05 PM", 0, 0, false },
	{ "", 0, 0, false },
	{ "garbage", 0, 0, false },
	{ "Tue, 5 Jul", 0, 0, false },
	{ "10:00:00 +0200", 0, 0, false },
};

/* The text for a test's name: escaped, and cut after 60 bytes. */
static const char *shown(const char *text)
{
	static char out[60 * 4 + 8];
	size_t i, n = 0;

	for (i = 0; text[i] && i < 60; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, sizeof(out) - n,
					      "\\x%02x", c);
	}
	if (text[i])
		n += (size_t)snprintf(out + n, sizeof(out) - n, "...");
	out[n] = '\0';
	return out;
}

static void check(const char *text, int64_t want_time, int want_offset,
		  bool want_ok, const char *what)
{
	int64_t t = 12345;
	int offset = 678;
	int err = qs__date_parse(&t, &offset, text);

	if (!want_ok) {
		is_int(err, QS_EPARSE, "%s: '%s' is refused", what,
		       shown(text));
		return;
	}
	if (!is_int(err, 0, "%s: '%s' parses", what, shown(text)))
		return;
	is_int(t, want_time, "%s: '%s' seconds", what, shown(text));
	is_int(offset, want_offset, "%s: '%s' offset", what, shown(text));
}

static void check_table(const char *what)
{
	size_t i;

	for (i = 0; i < QS_ARRAY_SIZE(cases); i++)
		check(cases[i].text, cases[i].time, cases[i].offset,
		      cases[i].ok, what);
}

/* The answer must not move with the process's zone or locale. */
static void test_environment(void)
{
	static const char *const zones[] = {
		"Asia/Kolkata", "America/New_York", "EST5EDT,M3.2.0,M11.1.0",
		"XXX-14:45", "UTC",
	};
	size_t i;

	for (i = 0; i < QS_ARRAY_SIZE(zones); i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		check("Tue, 5 Jul 2022 10:00:00", 1657015200LL, 0, true,
		      zones[i]);
		check("@1657000000", 1657000000LL, 0, true, zones[i]);
		check("Jan 5 2022 10:00:00", 1641376800LL, 0, true, zones[i]);
	}
	/* a locale where toupper('i') is not 'I', if installed */
	if (setlocale(LC_ALL, "tr_TR.UTF-8") || setlocale(LC_ALL, "C.UTF-8"))
		check_table(setlocale(LC_ALL, NULL));
	setlocale(LC_ALL, "C");
	check("fri, 8 aug 2008 13:08:37 +0200", 1218193717LL, 120, true,
	      "case");
}

static char *repeat(const char *unit, size_t times)
{
	size_t n = strlen(unit), i;
	char *s = malloc(n * times + 1);

	if (!s)
		abort();
	for (i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

static void test_hostile(void)
{
	static const char *const junk[] = {
		"+", "-", "@", "@ +0000", "@1 +", "@1 +00000", "@1 +0x00",
		"@99999999999999999999999 +0000", "1:", "1:2:", "1-", "1.",
		"+99999999999999999999999", "-1:", "+12:", "+12:-",
		"99999999999999999999999:99999999999999999999999:9",
		"2022-99999999999999999999-05", "4294967295/4294967295/5",
		"18446744073709551615-1-1", "9223372036854775808 +0000",
		"PM PM PM AM", "\xff\xfe\x80 2022", "Z\xe9", "\t\r\v\f",
	};
	char *s;
	size_t i;
	int64_t t;
	int offset;

	for (i = 0; i < QS_ARRAY_SIZE(junk); i++) {
		int err = qs__date_parse(&t, &offset, junk[i]);

		ok(err == 0 || err == QS_EPARSE, "junk %zu gives an answer", i);
	}

	/* overflowing numbers saturate as strtoul() does */
	check("@18446744073709551615 +0000", 0, 0, false, "saturated raw");
	check("99999999999999999999999999 Jan 1 2022 +0000", 1643673599LL, 0,
	      true, "saturated epoch");
	/*
	 * The largest epoch seconds whose year fits an int, and the first
	 * past it (glibc's gmtime_r() fails there).
	 */
	check("67768036191676799 2022 +0100", 1672531199LL, 60, true,
	      "last year");
	/* past it, glibc leaves the time of day set and git goes on */
	check("67768036191676800 Feb 3 2050 +0100", 2527455600LL, 60, true,
	      "overflowing year");
	/* a newline ends the date */
	check("2022-07-05 10:00 +0200\n+0500", 1657008000LL, 120, true,
	      "newline");
	check("@1657000000 +0200\nx", 1657000000LL, 120, true, "raw newline");

	s = repeat("Tue, ", 100000);
	check(s, 0, 0, false, "100000 weekdays");
	free(s);
	s = repeat("9", 100000);
	check(s, 0, 0, false, "100000 digits");
	free(s);
	s = repeat("+05:-3 2022-07-05 10:00 ", 10000);
	check(s, 1656997380LL, 297, true, "10000 dates");
	free(s);
	s = repeat("\xff", 100000);
	check(s, 0, 0, false, "100000 high bytes");
	free(s);

	is_int(qs__date_parse(NULL, &offset, "2022-07-05"), QS_EINVAL,
	       "NULL out_time");
	is_int(qs__date_parse(&t, NULL, "2022-07-05"), QS_EINVAL,
	       "NULL out_offset");
	is_int(qs__date_parse(&t, &offset, NULL), QS_EINVAL, "NULL text");
	is_int(qs_error_last()->code, QS_EINVAL, "EINVAL is recorded");
}

int main(void)
{
	check_table("table");
	test_environment();
	test_hostile();
	return done_testing();
}
