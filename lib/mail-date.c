/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The date of a mail, read the way git reads it when `git am` records an
 * author date: git's strict date parser (parse_date_basic() in git's
 * date.c, as of git 2.39). It is not a grammar but a scanner: every word
 * and number of the text is looked at once and fills in whatever part of
 * the date it looks like, the rest is skipped. We reproduce its decisions
 * one by one, quirks included, because the point is to give the very
 * timestamp git would have written into the commit.
 *
 * Where git depends on the process, we do not:
 * - Time zone. A date that names no zone is taken by git in the local
 *   zone (mktime()); we take it as UTC (+0000), which is what git gives
 *   with TZ=UTC.
 * - Locale. Letters, digits and spaces are ASCII only (git uses its own
 *   ctype tables too); calendar arithmetic is ours, not mktime/gmtime.
 * - Clock. Like git, a date written month first ("07/05/22") or with the
 *   year last is refused when it lies more than ten days in the future;
 *   that check reads the current time, as git does.
 *
 * git keeps timestamps unsigned: a date before 1970 that it nonetheless
 * accepts (a month without a day in January 1970, "@<huge>") wraps
 * around. We return the same 64 bits, as int64_t.
 */
#include "mail-internal.h"

#include <time.h>

#define SECONDS_PER_DAY 86400

/* Fields as in struct tm (year - 1900, month 0-11); -1 while unknown. */
struct date_fields {
	int year, mon, mday;
	int hour, min, sec;
};

struct date_parser {
	struct date_fields tm;
	int offset;		/* minutes east of UTC, -1 while unknown */
	bool gmt;		/* the fields came from a bare epoch number */
	bool have_now;
	int64_t now;
};

static const char *const month_names[] = {
	"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December",
};

static const char *const weekday_names[] = {
	"Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays",
	"Fridays", "Saturdays",
};

/*
 * git's zone names, in git's order (the first that matches wins), with
 * git's offsets: it adds an hour to every daylight-saving name, and
 * gives "always summer" offsets to some others.
 */
static const struct {
	const char *name;
	int minutes;
} zone_names[] = {
	{ "IDLW", -12 * 60 }, { "NT", -11 * 60 }, { "CAT", -10 * 60 },
	{ "HST", -10 * 60 }, { "HDT", -9 * 60 }, { "YST", -9 * 60 },
	{ "YDT", -8 * 60 }, { "PST", -8 * 60 }, { "PDT", -7 * 60 },
	{ "MST", -7 * 60 }, { "MDT", -6 * 60 }, { "CST", -6 * 60 },
	{ "CDT", -5 * 60 }, { "EST", -5 * 60 }, { "EDT", -4 * 60 },
	{ "AST", -3 * 60 }, { "ADT", -2 * 60 }, { "WAT", -1 * 60 },
	{ "GMT", 0 }, { "UTC", 0 }, { "Z", 0 },
	{ "WET", 0 }, { "BST", 1 * 60 }, { "CET", 1 * 60 },
	{ "MET", 1 * 60 }, { "MEWT", 1 * 60 }, { "MEST", 2 * 60 },
	{ "CEST", 2 * 60 }, { "MESZ", 2 * 60 }, { "FWT", 1 * 60 },
	{ "FST", 2 * 60 }, { "EET", 2 * 60 }, { "EEST", 3 * 60 },
	{ "WAST", 7 * 60 }, { "WADT", 8 * 60 }, { "CCT", 8 * 60 },
	{ "JST", 9 * 60 }, { "EAST", 10 * 60 }, { "EADT", 11 * 60 },
	{ "GST", 10 * 60 }, { "NZT", 12 * 60 }, { "NZST", 12 * 60 },
	{ "NZDT", 13 * 60 }, { "IDLE", 12 * 60 },
};

/* ASCII classes, independent of the locale. */
static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int to_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* What strtol() skips in the C locale. */
static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	       c == '\f' || c == '\r';
}

/*
 * The value of a 64-bit pattern as a signed number, and the low 32 bits
 * of a number as an int: the conversions git's code does implicitly
 * (unsigned timestamp to time_t or long, long to int), spelled out so
 * that they are defined behaviour here.
 */
static int64_t as_int64(uint64_t v)
{
	return v <= INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

static int as_int(int64_t v)
{
	int64_t low = (int64_t)((uint64_t)v & 0xffffffffu);

	return (int)(low > INT_MAX ? low - 0x100000000 : low);
}

/*
 * strtoul()/strtol() in base 10, as git calls them: leading white space
 * and a sign are accepted, a negative number wraps (strtoul) and
 * overflow saturates. With no digits, *end is `s` and the value 0.
 */
static uint64_t scan_unsigned(const char *s, const char **end, bool *negative,
			      bool *overflow)
{
	const char *p = s;
	uint64_t v = 0;

	*negative = false;
	*overflow = false;
	while (is_space((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	if (!is_digit(*p)) {
		*end = s;
		return 0;
	}
	for (; is_digit(*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			*overflow = true;
		else
			v = v * 10 + d;
	}
	*end = p;
	return v;
}

static uint64_t parse_ulong(const char *s, const char **end)
{
	bool negative, overflow;
	uint64_t v = scan_unsigned(s, end, &negative, &overflow);

	if (overflow)
		return UINT64_MAX;
	return negative ? 0 - v : v;
}

static int64_t parse_long(const char *s, const char **end)
{
	bool negative, overflow;
	uint64_t v = scan_unsigned(s, end, &negative, &overflow);

	if (negative)
		return overflow || v > (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		       -as_int64(v - 1) - 1;
	return overflow || v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (month 1-12). */
static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

/*
 * gmtime_r() as glibc does it, including its failure: when the year does
 * not fit an int, glibc has already stored the time of day and the
 * truncated year, but not the month and day, and git goes on with them.
 */
static bool fields_from_seconds(int64_t t, struct date_fields *tm)
{
	int64_t days = t / SECONDS_PER_DAY, rem = t % SECONDS_PER_DAY;
	int64_t year;
	int month, day;

	if (rem < 0) {
		rem += SECONDS_PER_DAY;
		days--;
	}
	tm->hour = (int)(rem / 3600);
	tm->min = (int)(rem % 3600 / 60);
	tm->sec = (int)(rem % 60);
	civil_from_days(days, &year, &month, &day);
	tm->year = as_int(year - 1900);
	if (tm->year != year - 1900)
		return false;
	tm->mon = month - 1;
	tm->mday = day;
	return true;
}

/*
 * git's tm_to_time_t(): only 1970-2099, no normalisation, a day of -1
 * (unknown) simply counted, and -1 for "cannot".
 */
static int64_t seconds_from_fields(const struct date_fields *tm)
{
	static const int days_before_month[] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
	};
	int64_t year = (int64_t)tm->year - 70;
	int64_t day = tm->mday;

	if (year < 0 || year > 129)
		return -1;
	if (tm->mon < 0 || tm->mon > 11)
		return -1;
	if (tm->mon < 2 || (year + 2) % 4)
		day--;
	if (tm->hour < 0 || tm->min < 0 || tm->sec < 0)
		return -1;
	return (year * 365 + (year + 1) / 4 + days_before_month[tm->mon] +
		day) * SECONDS_PER_DAY + tm->hour * 3600 + tm->min * 60 +
	       tm->sec;
}

static int64_t parser_now(struct date_parser *p)
{
	if (!p->have_now) {
		p->now = (int64_t)time(NULL);
		p->have_now = true;
	}
	return p->now;
}

/*
 * How many characters of the word at `text` match `name`, ignoring case;
 * 0 when the word goes on with a letter or digit that does not match.
 */
static size_t match_word(const char *text, const char *name)
{
	size_t i;

	for (i = 0; text[i]; i++) {
		if (to_upper((unsigned char)text[i]) ==
		    to_upper((unsigned char)name[i]))
			continue;
		if (!is_alnum((unsigned char)text[i]))
			break;
		return 0;
	}
	return i;
}

/* A word: month, weekday, zone name, AM/PM, or anything to skip. */
static size_t scan_word(struct date_parser *p, const char *text)
{
	size_t i, n;

	for (i = 0; i < QS_ARRAY_SIZE(month_names); i++) {
		n = match_word(text, month_names[i]);
		if (n >= 3) {
			p->tm.mon = (int)i;
			return n;
		}
	}
	/* the weekday counts for nothing, but it is consumed here */
	for (i = 0; i < QS_ARRAY_SIZE(weekday_names); i++) {
		n = match_word(text, weekday_names[i]);
		if (n >= 3)
			return n;
	}
	for (i = 0; i < QS_ARRAY_SIZE(zone_names); i++) {
		n = match_word(text, zone_names[i].name);
		if (n >= 3 || n == strlen(zone_names[i].name)) {
			/* an explicit numeric offset wins over a name */
			if (p->offset == -1)
				p->offset = zone_names[i].minutes;
			return n;
		}
	}
	/* with no hour yet, git's arithmetic turns -1 into 11 or -1 */
	if (match_word(text, "PM") == 2) {
		p->tm.hour = p->tm.hour % 12 + 12;
		return 2;
	}
	if (match_word(text, "AM") == 2) {
		p->tm.hour = p->tm.hour % 12;
		return 2;
	}
	n = 1;
	while (is_alpha((unsigned char)text[n]))
		n++;
	return n;
}

/*
 * Take year, month and day, git's way: two-digit years are 1971-1999 or
 * 2000-2037, -1 is "this year". Without `refuse_future` the month and day
 * are stored even when the year is then refused (git does that too).
 * With it, a date more than ten days ahead of the clock is refused.
 */
static int set_date(struct date_parser *p, int year, int month, int day,
		    bool refuse_future)
{
	struct date_fields check = p->tm;
	struct date_fields *r = refuse_future ? &check : &p->tm;
	int64_t specified;

	if (month < 1 || month > 12 || day < 1 || day > 31)
		return -1;
	r->mon = month - 1;
	r->mday = day;
	if (year == -1) {
		int64_t y;
		int m, d;

		if (!refuse_future)
			return 0;
		civil_from_days(parser_now(p) / SECONDS_PER_DAY, &y, &m, &d);
		r->year = (int)(y - 1900);
	} else if (year >= 1970 && year < 2100) {
		r->year = year - 1900;
	} else if (year > 70 && year < 100) {
		r->year = year;
	} else if (year < 38) {
		r->year = year + 100;
	} else {
		return -1;
	}
	if (!refuse_future)
		return 0;

	specified = seconds_from_fields(r);
	if (specified != -1 &&
	    parser_now(p) + 10 * SECONDS_PER_DAY < specified)
		return -1;
	p->tm.mon = r->mon;
	p->tm.mday = r->mday;
	if (year != -1)
		p->tm.year = r->year;
	return 0;
}

/* Hour 24 and second 60 (a leap second) are allowed. */
static int set_time(int64_t hour, int64_t min, int64_t sec,
		    struct date_fields *tm)
{
	if (hour < 0 || hour > 24 || min < 0 || min > 59 || sec < 0 ||
	    sec > 60)
		return -1;
	tm->hour = (int)hour;
	tm->min = (int)min;
	tm->sec = (int)sec;
	return 0;
}

static bool date_known(const struct date_fields *tm)
{
	return tm->year != -1 && tm->mon != -1 && tm->mday != -1;
}

/*
 * "num<sep>num[<sep>num]": a time with ':', a date with '-', '/' or '.'
 * (year first; else month first unless the separator is '.'; else day
 * first). `sep` points at the first separator. 0 when it is neither.
 */
static size_t scan_number_group(struct date_parser *p, const char *text,
				uint64_t num, const char *sep)
{
	char c = *sep;
	const char *end;
	int64_t num2, num3 = -1;
	int n1, n2, n3;

	num2 = parse_long(sep + 1, &end);
	if (*end == c && is_digit(end[1]))
		num3 = parse_long(end + 1, &end);

	if (c == ':') {
		if (num3 < 0)
			num3 = 0;
		if (set_time(as_int64(num), num2, num3, &p->tm))
			return 0;
		/* fractional seconds, once the date is known */
		if (*end == '.' && is_digit(end[1]) && date_known(&p->tm))
			parse_long(end + 1, &end);
		return (size_t)(end - text);
	}

	/* git passes them to int parameters */
	n1 = as_int(as_int64(num));
	n2 = as_int(num2);
	n3 = as_int(num3);
	if (num > 70) {
		if (!set_date(p, n1, n2, n3, false) ||
		    !set_date(p, n1, n3, n2, false))
			return (size_t)(end - text);
	}
	if (c != '.' && !set_date(p, n3, n1, n2, true))
		return (size_t)(end - text);
	if (!set_date(p, n3, n2, n1, true))
		return (size_t)(end - text);
	if (c == '.' && !set_date(p, n3, n1, n2, true))
		return (size_t)(end - text);
	return 0;
}

static bool nothing_known(const struct date_fields *tm)
{
	return (tm->year & tm->mon & tm->mday & tm->hour & tm->min &
		tm->sec) < 0;
}

/* A number: epoch seconds, time, date, year, zone, day or month. */
static size_t scan_number(struct date_parser *p, const char *text)
{
	const char *end;
	uint64_t num = parse_ulong(text, &end);
	size_t n;

	/*
	 * Nine digits or more, before anything else: seconds since the
	 * epoch, in UTC (eight digits could be YYYYMMDD).
	 */
	if (num >= 100000000 && nothing_known(&p->tm) &&
	    fields_from_seconds(as_int64(num), &p->tm)) {
		p->gmt = true;
		return (size_t)(end - text);
	}

	if ((*end == ':' || *end == '.' || *end == '/' || *end == '-') &&
	    is_digit(end[1])) {
		n = scan_number_group(p, text, num, end);
		if (n)
			return n;
	}

	n = (size_t)(end - text);

	/* compact ISO 8601: YYYYMMDD, HHMMSS[.fraction] */
	if (n == 8 || n == 6) {
		unsigned int num1 = (unsigned int)(num / 10000);
		unsigned int num2 = (unsigned int)(num % 10000 / 100);
		unsigned int num3 = (unsigned int)(num % 100);

		if (n == 8)
			set_date(p, (int)num1, (int)num2, (int)num3, false);
		else if (!set_time(num1, num2, num3, &p->tm) &&
			 *end == '.' && is_digit(end[1]))
			parse_ulong(end + 1, &end);
		return (size_t)(end - text);
	}

	/* a zone without its sign ("0200", always east), or a year */
	if (n == 4) {
		if (num <= 1400 && p->offset == -1)
			p->offset = (int)(num / 100 * 60 + num % 100);
		else if (num > 1900 && num < 2100)
			p->tm.year = (int)num - 1900;
		return n;
	}

	if (n > 2)
		return n;

	/* day of month first: "01 Apr 05" is 1 April 2005 */
	if (num > 0 && num < 32 && p->tm.mday < 0) {
		p->tm.mday = (int)num;
		return n;
	}

	if (n == 2 && p->tm.year < 0) {
		if (num < 10 && p->tm.mday >= 0) {
			p->tm.year = (int)num + 100;
			return n;
		}
		if (num >= 70) {
			p->tm.year = (int)num;
			return n;
		}
	}

	if (num > 0 && num < 13 && p->tm.mon < 0)
		p->tm.mon = (int)num - 1;
	return n;
}

/*
 * "+hhmm", "+hh", "+hh:mm" (the minutes may even be " 5" or "-5", since
 * git reads them with strtoul). Anything else is consumed but ignored.
 */
static size_t scan_offset(struct date_parser *p, const char *text)
{
	const char *end;
	int hour = as_int(as_int64(parse_ulong(text + 1, &end)));
	int64_t n = end - (text + 1);
	int min = 0;

	if (n == 4) {
		min = hour % 100;
		hour /= 100;
	} else if (n != 2) {
		min = 99;
	} else if (*end == ':') {
		min = as_int(as_int64(parse_ulong(end + 1, &end)));
		if (end - (text + 1) != 5)
			min = 99;
	}

	if (min < 60 && hour < 24) {
		int offset = hour * 60 + min;

		p->offset = *text == '-' ? -offset : offset;
	}
	return (size_t)(end - text);
}

/*
 * "@<seconds> <+|-><4 digits>", the form git writes in commit objects;
 * all of the text, up to a newline.
 */
static bool parse_raw(const char *text, int64_t *out_time, int *out_offset)
{
	const char *end, *zone;
	uint64_t stamp;
	int64_t ofs;

	if (!is_digit(*text))
		return false;
	stamp = parse_ulong(text, &end);
	if (*end != ' ' || stamp == UINT64_MAX ||
	    (end[1] != '+' && end[1] != '-'))
		return false;
	zone = end + 2;
	/* strtol() again: " 100" and "-100" are four characters too */
	ofs = parse_long(zone, &end);
	if ((*end != '\0' && *end != '\n') || end != zone + 4)
		return false;
	ofs = ofs / 100 * 60 + ofs % 100;
	if (zone[-1] == '-')
		ofs = -ofs;
	*out_time = as_int64(stamp);
	*out_offset = (int)ofs;
	return true;
}

int qs__date_parse(int64_t *out_time, int *out_offset, const char *text)
{
	struct date_parser p = {
		{ -1, -1, -1, -1, -1, -1 }, -1, false, false, 0
	};
	int64_t t;

	if (!out_time || !out_offset || !text)
		return qs__error_set(QS_EINVAL,
				     "qs__date_parse: NULL argument");

	if (*text == '@' && parse_raw(text + 1, out_time, out_offset))
		return 0;

	while (*text && *text != '\n') {
		unsigned char c = (unsigned char)*text;
		size_t n = 1;

		if (is_alpha(c))
			n = scan_word(&p, text);
		else if (is_digit(c))
			n = scan_number(&p, text);
		else if ((c == '-' || c == '+') && is_digit(text[1]))
			n = scan_offset(&p, text);
		text += n;
	}

	t = seconds_from_fields(&p.tm);
	if (t == -1)
		return QS_EPARSE;
	/* git asks mktime() for the local zone here: we say UTC */
	if (p.offset == -1)
		p.offset = 0;
	if (!p.gmt)
		t = as_int64((uint64_t)t - (uint64_t)((int64_t)p.offset * 60));
	*out_time = t;
	*out_offset = p.offset;
	return 0;
}
