#!/bin/sh
# Line coverage of the models (account.c, call.c, phone.c, inbox.c,
# contacts.c, sub.c, message.c) by their unit tests, measured with gcc's gcov: each must be at least
# $COVERAGE_MIN % (90). The models and the tests are compiled again here with --coverage,
# against the same fakes as the unit tests; `make coverage` runs this and
# prints the report.
. "$(dirname "$0")/lib.sh"
: "${COVERAGE_MIN:=90}"
: "${BUILDDIR:=$(dirname "$TSPHONE")}"
command -v gcov >/dev/null 2>&1 || skip_all "gcov is not installed"
[ -f "$BUILDDIR/config.h" ] || bail "no config.h in $BUILDDIR"
tmpdir_init
S=$TOP_SRCDIR
cd "$T" || bail "no temporary directory"

cflags="-std=gnu11 -O0 -g --coverage -DHAVE_CONFIG_H -D_POSIX_C_SOURCE=200809L \
-D_DEFAULT_SOURCE -D_GNU_SOURCE -I$BUILDDIR -I$S/src -I$S/ui -I$S/audio \
-I$S/tests/unit"
# The store is under the models (phone.c reports the missed count).
base="$S/src/event.c $S/src/log.c $S/src/trace.c $S/src/util.c \
$S/src/history.c $S/src/messages-store.c $S/src/store.c $S/src/pidf.c \
$S/src/presence.c $S/src/pidf-write.c \
$S/tests/unit/fake-loop.c $S/tests/unit/fake-sip.c $S/tests/unit/fake-media.c \
$S/tests/unit/fake-sub.c"
sqlite_libs=$(pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
models="account call phone inbox contacts sub message"
for m in $models; do
	# shellcheck disable=SC2086
	gcc $cflags -c "$S/src/$m.c" -o "$m.o" 2>"$m.err" ||
	    bail "cannot compile $m.c: $(head -n 3 "$m.err")"
done
for t in call account phone contacts sub; do
	mkdir -p "t-$t"
	# One directory per test, so each keeps its own counts of the base.
	# shellcheck disable=SC2086
	(cd "t-$t" && gcc $cflags -o "test-$t" "$S/tests/unit/test-$t.c" \
	    ../account.o ../call.o ../phone.o ../inbox.o ../contacts.o ../sub.o ../message.o $base $sqlite_libs -lpthread 2>err) ||
	    bail "cannot build test-$t: $(head -n 3 "t-$t/err")"
	(cd "t-$t" && "./test-$t" >out 2>&1)
	ok "test-$t passes when built for coverage" test $? -eq 0
done
for m in $models; do
	line=$(gcov -n "$m.o" 2>/dev/null | awk -v f="$m.c" '
	    $0 ~ "^File .*/" f "\x27" { getline; print; exit }')
	pct=$(printf '%s\n' "$line" | sed -n 's/^Lines executed:\([0-9.]*\)%.*/\1/p')
	[ -n "$pct" ] || { ok "gcov reports $m.c" false; continue; }
	diag "$m.c: $line"
	ok "$m.c: $pct % of lines covered (at least $COVERAGE_MIN %)" \
	    awk -v p="$pct" -v m="$COVERAGE_MIN" 'BEGIN { exit !(p >= m) }'
done
done_testing
