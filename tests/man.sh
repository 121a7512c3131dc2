#!/bin/sh
# The man pages render without warnings, and every option in tsphone -h
# is in tsphone(1) and the other way round.
. "$(dirname "$0")/lib.sh"
require_tsphone
tmpdir_init

for page in tsphone.1 tsphone.conf.5; do
	if command -v groff >/dev/null 2>&1; then
		groff -mandoc -ww -z "$TOP_SRCDIR/man/$page" >"$T/groff.out" 2>&1
		is "$?:$(cat "$T/groff.out")" "0:" "$page renders without groff warnings"
	else
		skip "groff is not installed" 1
	fi
done

# Long options of -h, and the ".Fl \-name" of the OPTIONS section.
"$TSPHONE" -h | grep -oE -- '--[a-z][a-z-]+' | sed 's/^--//' | sort -u >"$T/code"
awk '/^\.Sh / { inside = ($2 == "OPTIONS") }
     inside && /^\.It Fl/ {
	for (i = 1; i <= NF; i++)
		if ($i ~ /^\\-[a-z]/) { gsub(/\\-/, "-", $i); sub(/^-/, "", $i); print $i }
     }' "$TOP_SRCDIR/man/tsphone.1" | sort -u >"$T/man"
ok "tsphone -h lists options" test -s "$T/code"
is "$(comm -23 "$T/code" "$T/man" | tr '\n' ' ')" "" "every option of -h is in tsphone(1)"
is "$(comm -13 "$T/code" "$T/man" | tr '\n' ' ')" "" "every option of tsphone(1) is in -h"

# make install puts both pages under $(mandir), as they are in man/.
builddir=$(dirname "$TSPHONE")
if [ -f "$builddir/Makefile" ]; then
	${MAKE:-make} -s --no-print-directory -C "$builddir" install-man DESTDIR="$T/inst" \
	    >"$T/install.out" 2>&1
	is "$?" 0 "make install-man DESTDIR=... succeeds"
	mandir=$(printf 'print-mandir:\n\t@echo $(mandir)\n' |
	    ${MAKE:-make} -s --no-print-directory -C "$builddir" -f Makefile -f - print-mandir)
	for page in man1/tsphone.1 man5/tsphone.conf.5; do
		ok "$page is installed under $mandir" \
		    cmp "$T/inst$mandir/$page" "$TOP_SRCDIR/man/${page#*/}"
	done
else
	skip "no Makefile next to $TSPHONE" 3
fi
done_testing
