#!/bin/sh
# Hostile input: build the libFuzzer targets of tests/fuzz/ with clang
# (ASan, UBSan, LeakSanitizer) and, for each one, fuzz for FUZZ_SECONDS
# (default 6) from a copy of its seed corpus with libFuzzer's -seed set to
# FUZZ_SEED (default 1; never 0, which libFuzzer takes as "pick one"),
# so that the mutations are the same on every run and a failure can be
# replayed, then replay every input in tests/fuzz/regress/NAME/ (crashes
# found so far: see the README there). The number of runs still depends
# on the machine's speed within FUZZ_SECONDS.
# A crash, leak, hang or broken promise fails the test, with the input
# (kept in BUILDDIR/fuzz-crashes/NAME/ and dumped in hex) and the stack.
# Skipped when clang or its fuzzer runtime is missing; CI installs them.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

: "${FUZZ_SECONDS:=6}"
: "${FUZZ_SEED:=1}"
case $FUZZ_SEED in
'' | 0 | *[!0-9]*) bail "FUZZ_SEED must be a positive integer, not '$FUZZ_SEED'" ;;
esac
fz=$TOP_SRCDIR/tests/fuzz

require_tsphone
builddir=$(cd "$(dirname "$TSPHONE")" && pwd)
[ -f "$builddir/config.h" ] || bail "no config.h next to TSPHONE ($builddir)"
cc=
for c in ${FUZZ_CC:-} clang clang-14; do
	if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
done
[ -n "$cc" ] || skip_all "clang not found (Debian packages clang libclang-rt-14-dev libfuzzer-14-dev)"
tmpdir_init
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ return 0; }\n' \
	>"$T/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" \
	>"$T/probe.log" 2>&1 ||
	skip_all "$cc cannot link a libFuzzer target (Debian packages libclang-rt-14-dev libfuzzer-14-dev)"
FUZZ_CC=$cc
export FUZZ_CC

targets=
for f in "$fz"/fuzz-*.c; do
	n=${f##*/fuzz-}
	targets="$targets ${n%.c}"
done

add_log build "$T/build.log"
ok "the fuzz targets build (clang, ASan, UBSan)" \
	sh "$fz/build.sh" "$builddir" "$T/fuzz"
[ -x "$T/fuzz/fuzz-rtp" ] || { done_testing; exit 1; }
diag "libFuzzer seed: $FUZZ_SEED (set FUZZ_SEED to change it), $FUZZ_SECONDS s per target"

# UBSan findings abort with a stack (build.sh makes them fatal).
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export UBSAN_OPTIONS

# report NAME LOG ARTDIR: keep the inputs that failed, print them (hex,
# when short) and the sanitizer's report as diagnostics.
report() {
	_keep=$builddir/fuzz-crashes/$1
	mkdir -p "$_keep"
	for _a in "$3"/*; do
		[ -f "$_a" ] || continue
		cp "$_a" "$_keep/"
		diag "input: $_keep/${_a##*/} ($(wc -c <"$_a" | tr -d ' ') bytes)"
		if [ "$(wc -c <"$_a")" -le 512 ]; then
			od -An -tx1 -v "$_a" | sed 's/^/    /' | while IFS= read -r _l; do diag "$_l"; done
		fi
	done
	diag "reproduce: sh tests/fuzz/build.sh BUILDDIR OUT $1 && OUT/fuzz-$1 INPUT"
	# the report: from the sanitizer's first line to its SUMMARY (at
	# most 40 lines, libFuzzer's own frames left out), else the tail
	if grep -q -E '^==[0-9]+==|runtime error|invariant failed|stubs.c:' "$2"; then
		grep -n -E '^==[0-9]+==|runtime error|invariant failed|stubs.c:' "$2" |
			head -n 1 | cut -d: -f1 | {
			read -r _from
			tail -n "+$_from" "$2" | grep -v ' in fuzzer::\| in main \| in _start \|libc_start' |
				awk '{ print } /^SUMMARY:/ { exit }' | head -n 40
		} | while IFS= read -r _l; do diag "  $_l"; done
	else
		tail -n 30 "$2" | while IFS= read -r _l; do diag "  $_l"; done
	fi
}

for t in $targets; do
	bin=$T/fuzz/fuzz-$t
	if [ ! -x "$bin" ]; then
		fail "fuzz-$t was built"
		continue
	fi
	mkdir -p "$T/corpus/$t" "$T/art/$t"
	[ -d "$fz/corpus/$t" ] && cp -R "$fz/corpus/$t/." "$T/corpus/$t/"
	"$bin" -seed="$FUZZ_SEED" -max_total_time="$FUZZ_SECONDS" -timeout=5 -rss_limit_mb=1024 \
		-artifact_prefix="$T/art/$t/" -print_final_stats=1 \
		"$T/corpus/$t" >"$T/$t.log" 2>&1
	rc=$?
	stats=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$T/$t.log" | tail -n 1 |
		sed -E 's/^#([0-9]+).*cov: ([0-9]+).*exec\/s: ([0-9]+).*/\1 runs, cov \2, \3 exec\/s/')
	# libFuzzer prints the seed it used: check it took ours
	used=$(sed -n 's/.*Seed: \([0-9]*\).*/\1/p' "$T/$t.log" | head -n 1)
	what="fuzz-$t: ${FUZZ_SECONDS} s from the seed corpus with -seed=$FUZZ_SEED, no crash"
	if [ "$used" != "$FUZZ_SEED" ]; then
		fail "$what (libFuzzer used seed '${used:-none}')"
		report "$t" "$T/$t.log" "$T/art/$t"
	elif [ "$rc" -eq 0 ] && [ -z "$(ls "$T/art/$t")" ]; then
		pass "$what ($stats)"
	else
		fail "$what (exit $rc)"
		diag "replay: FUZZ_SEED=$FUZZ_SEED FUZZ_SECONDS=$FUZZ_SECONDS make check TESTS=tests/fuzz-run.sh"
		report "$t" "$T/$t.log" "$T/art/$t"
	fi

	set --
	for f in "$fz/regress/$t"/*; do
		case ${f##*/} in README* | '*') continue ;; esac
		[ -f "$f" ] && set -- "$@" "$f"
	done
	if [ $# -eq 0 ]; then
		skip "fuzz-$t: regression inputs replay" "no crash recorded yet"
		continue
	fi
	# one run per input, so that each failing one is named
	_bad=0 _i=0
	: >"$T/$t.regress.report"
	for f in "$@"; do
		_i=$((_i + 1))
		_art=$T/art/$t.regress.$_i
		mkdir -p "$_art"
		if ! "$bin" -timeout=5 -rss_limit_mb=1024 -artifact_prefix="$_art/" \
		    "$f" >"$_art.log" 2>&1; then
			_bad=$((_bad + 1))
			[ -n "$(ls "$_art")" ] || cp "$f" "$_art/"
			{
				diag "regress/$t/${f##*/} fails:"
				report "$t" "$_art.log" "$_art"
			} >>"$T/$t.regress.report"
		fi
	done
	if [ "$_bad" -eq 0 ]; then
		pass "fuzz-$t: $# regression input(s) replay cleanly"
	else
		fail "fuzz-$t: $# regression input(s) replay cleanly ($_bad fail)"
		cat "$T/$t.regress.report"
	fi
done
done_testing
