#!/bin/sh
# The layering of STYLE.md, as a second line behind the build (each layer
# is a library compiled with only its own flags): the core and audio never
# include curses; the UI never includes Sofia, Opus, libsrtp2 or
# PortAudio; only sip-*.c and the loop include Sofia headers; the models
# (account, call, phone) include no library header and no private header
# of the SIP layer; and no lower layer names an upper one: the SIP layer
# and the media engine reach the models only through handlers and the
# event bus.
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

# callers PATTERN FILES...: files that call a function matching PATTERN
callers() {
	pat=$1
	shift
	for f in "$@"; do
		[ -f "$f" ] || continue
		grep -lE "(^|[^a-z_])($pat)[a-z_]*\(" "$f"
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

models="src/account.c src/call.c src/phone.c src/inbox.c src/contacts.c src/message.c src/account.h src/call.h src/phone.h src/inbox.h src/contacts.h src/message.h"
# shellcheck disable=SC2086
is "$(offenders 'sofia-sip/|opus|srtp2|portaudio|sndfile|speex|openssl|n?curses|sip-int\.h|sip-sdp\.h|tls-check\.h|media-[a-z]+\.h|audio' $models)" "" \
    "the models include no library and no private header of a lower layer"
sip=$(ls src/sip-*.c src/tls-check.c)
media=$(ls src/media*.c audio/*.c)
# shellcheck disable=SC2086
is "$(callers 'account_|call_(new|state|terminated|media|dtmf|glare|negotiated|emit|find|count|make_current)|phone_' $sip $media)" "" \
    "the SIP layer and the media engine name no model function"
# shellcheck disable=SC2086
is "$(offenders 'account\.h|call\.h|phone\.h|cmd\.h|tui|line\.h' $sip $media)" "" \
    "nor include a model's, the commands' or the UI's header"
# shellcheck disable=SC2086
is "$(offenders 'cmd\.h|tui|line\.h' $models)" "" \
    "the models include nothing of the commands or the UI"
# Hooks are an observer of the bus, like line mode: no model, command
# or UI header, and no model function called by name.
is "$(offenders 'account\.h|call\.h|phone\.h|inbox\.h|cmd\.h|tui|line\.h|sofia-sip/' src/hook.c src/hook.h)" "" \
    "hooks include nothing of the models, the commands, the UI or Sofia"
is "$(callers 'account_|call_|phone_' src/hook.c)" "" \
    "hooks name no model function"
# The libraries: each compiled with only its own flags (Makefile.am).
sqlite_ok=
for f in $core $ui; do
	case $f in
	src/store.c|src/history.c|src/messages-store.c) ;;
	*) sqlite_ok="$sqlite_ok $f" ;;
	esac
done
# shellcheck disable=SC2086
is "$(offenders 'sqlite3\.h' $sqlite_ok)" "" \
    "SQLite only in the store (store.c, history.c, messages-store.c); its headers expose none"
for lib in ui conf cmd hook core store sip media base loop util; do
	ok "libtsp-$lib is a library of its own" \
	    grep -q "^libtsp_${lib}_a_SOURCES" Makefile.am
done
ok "the models are compiled without any library's flags" \
    sh -c '! grep -q "^libtsp_core_a_CFLAGS" Makefile.am'
done_testing
