#!/bin/sh
# tests/fuzz/build.sh - build tsphone's libFuzzer targets.
#
#   sh tests/fuzz/build.sh BUILDDIR OUTDIR [TARGET...]
#
# BUILDDIR is a configured build directory (it has config.h); OUTDIR gets
# one executable per target, fuzz-NAME, and its objects in OUTDIR/obj.
# With TARGET names (rtp, sdp, ...) only those are built; the name "gen"
# builds OUTDIR/gen-corpus, which writes the binary seeds (gen-corpus.c).
# `make fuzz` runs this; tests/fuzz-run.sh runs it into a temporary directory.
#
# Coverage needs the code under test compiled by clang with the fuzzer's
# instrumentation, so the gcc-built libtsphone.a is not used: each target
# links the few tsphone sources it exercises, compiled here with ASan and
# UBSan (UBSan aborts: a finding must stop the run). The lists below are
# the minimal sets that link; stubs.c stands in for the running core where
# cmd.c needs it, and for the loop under the event bus. Needs clang and
# its fuzzer runtime (Debian: clang, libclang-rt-14-dev; libfuzzer-14-dev
# for the standalone library).
#
# Environment: FUZZ_CC (default: clang, else clang-14), PKG_CONFIG,
# FUZZ_CFLAGS (added last when compiling and linking, e.g. -O2, or
# "-fprofile-instr-generate -fcoverage-mapping" for a coverage report
# with llvm-cov).
set -eu

die() {
	printf 'fuzz/build.sh: %s\n' "$*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: build.sh BUILDDIR OUTDIR [TARGET...]"
top=$(cd "$(dirname "$0")/../.." && pwd)
fz=$top/tests/fuzz
[ -f "$1/config.h" ] || die "$1/config.h not found: run configure first"
builddir=$(cd "$1" && pwd)
out=$2
shift 2

# name | sources (from the top of the tree) | pkg-config modules | libs
targets='
rtp	| src/media-rtp.c src/util.c			| libcrypto	|
dtmf	| src/media-dtmf.c src/util.c			|		|
jbuf	| src/media-jbuf.c src/media-jbuf-est.c src/util.c |		|
codec	| src/media-codec.c src/media-g711.c src/util.c	| opus		| -lm
body	| src/sip-body.c				| sofia-sip-ua	| -lpthread -ldl
sdp	| src/sip-sdp.c src/sip-sdp-guard.c src/media-srtp.c src/util.c tests/fuzz/rand.c | sofia-sip-ua libsrtp2 libcrypto | -lpthread
crypto	| src/media-srtp.c src/util.c			| libsrtp2 libcrypto | -lpthread
conf	| src/conf.c src/cmd.c src/contacts.c src/history.c src/messages-store.c src/store.c src/key-string.c src/sip-uri.c src/event.c src/log.c src/trace.c src/util.c tests/fuzz/stubs.c | sofia-sip-ua sqlite3 | -lpthread
cmd	| src/cmd.c src/contacts.c src/history.c src/messages-store.c src/store.c src/sip-uri.c src/event.c src/log.c src/trace.c src/util.c tests/fuzz/stubs.c | sofia-sip-ua sqlite3 | -lpthread
trace	| src/log.c src/trace.c src/event.c src/util.c tests/fuzz/stubs.c |		| -lpthread
contacts | src/contacts.c src/log.c src/trace.c src/event.c src/util.c tests/fuzz/stubs.c |	| -lpthread
pidf	| src/pidf.c src/util.c			|		|
stun	| src/media-stun.c				|		|
'

if [ -z "${FUZZ_CC:-}" ]; then
	for c in clang clang-14; do
		if command -v "$c" >/dev/null 2>&1; then FUZZ_CC=$c; break; fi
	done
fi
[ -n "${FUZZ_CC:-}" ] || die "clang not found (Debian: apt-get install clang libclang-rt-14-dev libfuzzer-14-dev)"
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -std=gnu11 -fno-omit-frame-pointer $san -Wall -Wextra \
-Wno-unused-parameter ${FUZZ_CFLAGS:-}"
cppflags="-DHAVE_CONFIG_H -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
-D_GNU_SOURCE -I$builddir -I$top/src -I$top/ui -I$top/audio -I$fz"

mkdir -p "$out/obj"
rm -f "$out"/obj/*.done

# Does the compiler have the fuzzer runtime at all? (clang without
# libclang-rt-14-dev compiles, then fails to link.)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ return 0; }\n' \
	>"$out/obj/probe.c"
"$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$out/obj/probe" \
	"$out/obj/probe.c" >"$out/obj/probe.log" 2>&1 ||
	die "$FUZZ_CC cannot link a libFuzzer target (Debian: apt-get install libclang-rt-14-dev libfuzzer-14-dev): $(tail -n 3 "$out/obj/probe.log")"
rm -f "$out/obj/probe" "$out/obj/probe.c" "$out/obj/probe.log"

wanted() {	# NAME: on the command line, or no names given
	[ -z "$want" ] && return 0
	case " $want " in *" $1 "*) return 0 ;; esac
	return 1
}
want=$*

# The seed generator: a plain program (no instrumentation, no libFuzzer).
if wanted gen && [ -n "$want" ]; then
	gen_pkgs="opus libsrtp2 libcrypto"
	# shellcheck disable=SC2086,SC2046 # flag lists are word lists
	"$FUZZ_CC" -g -O1 -std=gnu11 $cppflags $($PKG_CONFIG --cflags $gen_pkgs) \
		-o "$out/gen-corpus" "$fz/gen-corpus.c" "$top/src/media-rtp.c" \
		"$top/src/media-dtmf.c" "$top/src/media-codec.c" \
		"$top/src/media-g711.c" "$top/src/media-srtp.c" "$top/src/util.c" \
		$($PKG_CONFIG --libs $gen_pkgs) -lpthread -lm ||
		die "cannot build gen-corpus"
	printf 'fuzz/build.sh: built %s\n' "$out/gen-corpus"
fi

# compile SRC OBJ EXTRA_CFLAGS: one object, instrumented for coverage.
compile() {
	# shellcheck disable=SC2086 # flag lists are word lists
	"$FUZZ_CC" $cflags -fsanitize=fuzzer-no-link $cppflags $3 \
		-c "$1" -o "$2" || die "cannot compile $1"
}

printf '%s\n' "$targets" | while IFS='|' read -r name srcs pkgs libs; do
	# trim the blanks around the fields
	set -f
	# shellcheck disable=SC2086
	set -- $name
	name=${1:-}
	# shellcheck disable=SC2086
	set -- $pkgs
	pkgs=$*
	set +f
	[ -n "$name" ] || continue
	wanted "$name" || continue
	pc_cflags='' pc_libs=''
	if [ -n "$pkgs" ]; then
		# shellcheck disable=SC2086
		pc_cflags=$($PKG_CONFIG --cflags $pkgs) ||
			die "pkg-config: $pkgs not found"
		# shellcheck disable=SC2086
		pc_libs=$($PKG_CONFIG --libs $pkgs)
	fi
	objs=
	for s in $srcs; do
		src=$top/$s obj=$out/obj/$(basename "$s" .c).o
		# Once per run, with the pkg-config flags of the first target
		# listing it (each target lists the modules its files need).
		[ -f "$obj.done" ] || { compile "$src" "$obj" "$pc_cflags"; : >"$obj.done"; }
		objs="$objs $obj"
	done
	compile "$fz/fuzz-$name.c" "$out/obj/fuzz-$name.o" "$pc_cflags"
	# shellcheck disable=SC2086
	"$FUZZ_CC" -g $san -fsanitize=fuzzer ${FUZZ_CFLAGS:-} -o "$out/fuzz-$name" \
		"$out/obj/fuzz-$name.o" $objs $pc_libs $libs ||
		die "cannot link fuzz-$name"
	printf 'fuzz/build.sh: built %s\n' "$out/fuzz-$name"
done
rm -f "$out"/obj/*.done
