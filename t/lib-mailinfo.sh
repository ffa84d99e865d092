# SPDX-License-Identifier: GPL-2.0-only
# Shared by the mail parity tests (t2000, t2100, t2200); sourced after
# lib.sh.

: "${QS_MAILINFO:?QS_MAILINFO must name the qs-mailinfo helper}"

# compare_mailinfo MAIL [OPTION...] [-- HELPER-OPTION...]: `git mailinfo
# -u OPTION...` and our t/helper/qs-mailinfo with the same options (and
# the helper-only ones after "--", such as --am-message FILE) exit alike
# and, when they succeed, write the same info, msg and patch, byte for
# byte.
compare_mailinfo() {
	local mail=$1 grc=0 qrc=0 opts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	git mailinfo -u "${opts[@]}" expect.msg expect.patch <"$mail" >expect.info 2>expect.err || grc=$?
	"$QS_MAILINFO" "${opts[@]}" "$@" actual.msg actual.patch <"$mail" >actual.info 2>actual.err || qrc=$?
	if [ $grc -ne $qrc ]; then
		echo "exit status: git $grc, qs-mailinfo $qrc" >&2
		cat expect.err actual.err >&2
		return 1
	fi
	[ $grc -ne 0 ] || {
		test_cmp expect.info actual.info &&
		test_cmp expect.msg actual.msg &&
		test_cmp expect.patch actual.patch
	}
}
