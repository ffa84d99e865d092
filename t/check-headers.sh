#!/bin/sh
# Compile each public header alone with -pedantic -Werror, as C11 and as
# the oldest C a user may have: a header that needs another to be
# included first, or that uses an extension, fails the build.
# usage: check-headers.sh CC INCLUDE_DIR STAMP HEADER...
cc=$1 inc=$2 stamp=$3
shift 3
for h in "$@"; do
	for std in c99 c11; do
		printf '#include "%s"\nint qs_header_check_%s;\n' "$h" "$std" |
			$cc -std=$std -pedantic -Wall -Wextra -Werror -I"$inc" -x c -c -o /dev/null - ||
			{ echo "check-headers: '$h' does not compile alone ($std)" >&2; exit 1; }
	done
done
touch "$stamp"
