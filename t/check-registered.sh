#!/bin/sh
# Every test source under t/ must be registered with meson: a test file
# that nobody runs is a test that silently stopped testing.
# usage: check-registered.sh SOURCE_DIR REGISTERED...
src=$1
shift
echo "1..1"
missing=
cd "$src/t" || exit 1
for f in unit/test-*.c t[0-9][0-9][0-9][0-9]-*.sh fuzz/fuzz-*.c; do
	[ -e "$f" ] || continue
	found=no
	for r in "$@"; do
		[ "$r" = "$f" ] && found=yes
	done
	[ $found = yes ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	echo "not ok 1 - every test file is registered in t/meson.build"
	echo "# not registered:$missing"
	exit 1
fi
echo "ok 1 - every test file is registered in t/meson.build"
