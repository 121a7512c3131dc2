#!/bin/sh
# The include rules of STYLE.md: the core and audio never include curses;
# the UI never includes Sofia, Opus, libsrtp2 or PortAudio; only sip-*.c
# and the loop include Sofia headers.
. "$(dirname "$0")/lib.sh"
cd "$TOP_SRCDIR" || bail "no source tree"

# offenders PATTERN FILES...: files that include a header matching PATTERN
offenders() {
	pat=$1
	shift
	for f in "$@"; do
		[ -f "$f" ] || continue
		grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pat)" "$f"
	done | tr '\n' ' '
}

core=$(ls src/*.c src/*.h audio/*.c audio/*.h 2>/dev/null)
ui=$(ls ui/*.c ui/*.h 2>/dev/null)
ok "there are core sources to check" test -n "$core"
ok "there are UI sources to check" test -n "$ui"

# shellcheck disable=SC2086
is "$(offenders 'n?curses|term\.h|panel\.h' $core)" "" "no curses in src/ or audio/"
# shellcheck disable=SC2086
is "$(offenders 'sofia-sip/|opus|srtp|portaudio' $ui)" "" \
    "no Sofia, Opus, libsrtp2 or PortAudio in ui/"
sofia_ok=
for f in $core; do
	case ${f##*/} in
	sip-*|loop.c) ;;
	*) sofia_ok="$sofia_ok $f" ;;
	esac
done
# shellcheck disable=SC2086
is "$(offenders 'sofia-sip/' $sofia_ok)" "" "Sofia headers only in sip-*.c and loop.c"
is "$(offenders 'sofia-sip/' src/*.h | tr ' ' '\n' | grep -v 'sip-int\.h' | tr -d '\n')" "" \
    "no public core header exposes Sofia (sip-int.h is private to sip-*.c)"
done_testing
