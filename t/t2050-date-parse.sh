#!/bin/bash
test_description='qs-date reads mail dates as git does

Each date goes through git (GIT_AUTHOR_DATE read by git var, the same
fmt_ident/parse_date path git am takes) and through qs-date: our own list
of tricky forms (t2050/), and every Date header of the corpora in ../shared.
git reads a date that names no zone in its local time zone; we read it as
UTC, so our answers must be git'"'"'s with TZ=UTC, whatever our own TZ is.'
. "$(dirname "$0")/lib.sh"

: "${QS_DATE:?QS_DATE must name the qs-date helper}"

# a zone with summer time, and one with half hours, without tzdata
LOCAL_TZ='EST5EDT,M3.2.0,M11.1.0'
OTHER_TZ='IST-5:30'

# git's answer for each date of file $2 under TZ=$1: "<seconds> <zone>",
# or "error" for "invalid date format"
git_dates() {
	local d out
	while IFS= read -r d; do
		if out=$(TZ=$1 GIT_AUTHOR_DATE=$d git var GIT_AUTHOR_IDENT)
		then
			printf '%s\n' "${out##*> }"
		else
			echo error
		fi
	done <"$2" 2>/dev/null
}

test_expect_success 'collect our dates' '
	grep -hv "^#" "$TEST_FIXTURES/dates" \
		"$TEST_FIXTURES/dates-generated" >raw &&
	test -s raw
'

have_shared || test_skip_if "no corpus at $QS_SHARED/corpus"
test_expect_success 'collect the Date headers of the corpora' '
	corpus=$QS_SHARED/corpus &&
	sed -n "s/^[Dd][Aa][Tt][Ee]:[ 	]*//p" "$corpus"/git-t5100/* \
		"$corpus"/akpm-25-new-2022-05-10/patches/* >corpus-dates &&
	test -s corpus-dates &&
	cat corpus-dates >>raw
'
test_skip_clear

test_expect_success 'git reads the dates, in UTC and in two other zones' '
	awk "\$0 != \"\" && !seen[\$0]++" raw >dates &&
	git_dates UTC dates >expect &&
	git_dates "$LOCAL_TZ" dates >expect-local &&
	git_dates "$OTHER_TZ" dates >expect-other &&
	test $(wc -l <expect) = $(wc -l <dates)
'

test_expect_success 'qs-date agrees with git in UTC, whatever its own zone' '
	TZ=$LOCAL_TZ "$QS_DATE" <dates >actual &&
	test_cmp expect actual &&
	TZ=$OTHER_TZ "$QS_DATE" <dates >actual-other &&
	test_cmp expect actual-other &&
	TZ=UTC "$QS_DATE" <dates >actual-utc &&
	test_cmp expect actual-utc
'

test_expect_success 'the list has dates git reads in its local zone' '
	paste -d "\t" expect expect-local expect-other actual dates >joined &&
	awk -F "\t" "\$1 != \$2 || \$1 != \$3" joined >tz-dependent &&
	test -s tz-dependent
'

test_expect_success 'we give those +0000' '
	awk -F "\t" "\$4 !~ / [+]0000\$/" tz-dependent >not-utc &&
	test_cmp /dev/null not-utc
'

test_expect_success 'many of the dates are ones git refuses' '
	grep -c "^error\$" expect >errors &&
	test $(cat errors) -gt 100
'

# the counts, for the record
if [ -s "$TRASH/joined" ]; then
	cd "$TRASH" &&
	say "$(wc -l <dates) distinct dates compared with git," \
	    "$(awk '!seen[$0]++' corpus-dates 2>/dev/null | wc -l) of them" \
	    "Date headers of the corpora:" \
	    "$(awk -F '\t' '$1 == $4' joined | wc -l) agree," \
	    "$(cat errors) refused by git," \
	    "$(wc -l <tz-dependent) read by git in its local zone"
	cd - >/dev/null
fi

test_done
