#!/bin/sh
# Real media between two tsphone instances through Kamailio, with the
# file audio driver: each side plays its own tone as the microphone and
# records what its speaker plays. Each recording must hold the other
# side's tone (Goertzel check: a silent or garbled call fails), with
# Opus, PCMU and PCMA; DTMF arrives in order by RFC 4733 and by INFO;
# hold and mute stop the audio, resume brings it back.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

# Alice's microphone plays 1000 Hz at 48 kHz, Bob's 1500 Hz at 8 kHz, so
# both directions resample as well as encode.
sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5

# setup NAME CODECS [EXTRA CONFIG LINE]
setup() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$1-tone.wav
output = $T/$1-$2.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
codecs = $2
${3:-}
EOF
	tsp_start "$1" "$T/$1.conf"
	tsp_wait "$1" '"state":"registered"' 3 >/dev/null || bail "$1 did not register"
}

connect() {	# the established call, alice calling bob
	tsp_cmd alice "dial bob" || return 1
	tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null || return 1
	tsp_cmd bob "answer" || return 1
	tsp_wait bob '"event":"call".*"state":"established"' 5 >/dev/null &&
	    tsp_wait alice '"event":"call".*"state":"established"' 5 >/dev/null
}

hangup() {	# alice hangs up; both see the end; both quit with status 0
	tsp_cmd alice "hangup" || return 1
	tsp_wait bob '"event":"call".*"state":"terminated"' 5 >/dev/null &&
	    tsp_wait alice '"event":"call".*"state":"terminated"' 5 >/dev/null
	_hu_rc=$?
	_hu_a=$(tsp_quit alice)
	_hu_b=$(tsp_quit bob)
	echo "alice exited $_hu_a, bob exited $_hu_b"
	[ "$_hu_rc" -eq 0 ] && [ "$_hu_a" = 0 ] && [ "$_hu_b" = 0 ]
}


hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}

silent() {	# FILE FREQ FROM TO: the tone is nowhere in the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --absent
}

for codec in opus pcmu pcma; do
	setup alice "$codec"
	setup bob "$codec"
	ok "$codec: call established" connect
	line=$(grep '"event":"media"' "$T/alice.out" | tail -n 1)
	case $codec in
	opus) want=opus rate=48000 ;;
	pcmu) want=PCMU rate=8000 ;;
	pcma) want=PCMA rate=8000 ;;
	esac
	is "$(json_get "$line" codec)/$(json_get "$line" clock_rate)" "$want/$rate" \
	    "$codec: negotiated $want/$rate"
	ok "$codec: 3 s of the call recorded on both sides" \
	    wav_recorded 3 "$T/bob-$codec.wav" "$T/alice-$codec.wav"
	ok "$codec: hung up, both quit" hangup
	ok "$codec: bob hears alice's 1000 Hz" hears "$T/bob-$codec.wav" 1000 0.5 2.5
	ok "$codec: alice hears bob's 1500 Hz" hears "$T/alice-$codec.wav" 1500 0.6 2.5
	ok "$codec: bob does not hear his own tone" silent "$T/bob-$codec.wav" 1500 0.5 2.5
	ok "$codec: alice does not hear a wrong tone" silent "$T/alice-$codec.wav" 1200 0.6 2.5
	line=$(grep '"event":"stats"' "$T/bob.out" | tail -n 1)
	ok "$codec: bob received packets ($(json_get "$line" rx_packets))" \
	    test "$(json_get "$line" rx_packets)" -ge 100
	is "$(json_get "$line" lost)" 0 "$codec: no loss on loopback"
done

# DTMF by RFC 4733 and by SIP INFO, received in order.
for method in rfc4733 info; do
	setup alice opus "dtmf = $method"
	setup bob opus "dtmf = $method"
	ok "dtmf $method: call established" connect
	ok "dtmf $method: half a second of the call recorded" \
	    wav_recorded 0.5 "$T/bob-opus.wav" "$T/alice-opus.wav"
	tsp_cmd alice "dtmf 1234*#"
	got=
	i=0
	while [ "$i" -lt 6 ]; do
		line=$(tsp_wait bob '"event":"dtmf"' 5) || break
		got="$got$(json_get "$line" digit)"
		m=$(json_get "$line" method)
		i=$((i + 1))
	done
	is "$got" "1234*#" "dtmf $method: bob receives 1234*# in order"
	is "$m" "$method" "dtmf $method: reported method"
	is "$(tsp_count alice '"event":"dtmf".*"direction":"out"')" 6 \
	    "dtmf $method: alice reports the six digits sent"
	# a duplicate is an absence to check, no event to wait for: give
	# one a moment to arrive (RFC 4733 repeats its end packets at once)
	sleep 0.5
	is "$(tsp_count bob '"event":"dtmf"')" 6 "dtmf $method: each digit exactly once"
	ok "dtmf $method: hung up, both quit" hangup
done

# Hold, resume and mute change what each side hears. Each change is
# marked by where each recording had got to when the command was sent
# (wav_pos: the recordings' own clock, not wall-clock time); the tone
# check allows half a second or more after each mark for the change to
# reach the speaker, and leaves a little before the next one.
setup alice opus
setup bob opus
A=$T/alice-opus.wav B=$T/bob-opus.wav
ok "hold: call established" connect
ok "hold: 2 s of the call recorded" wav_recorded 2 "$B" "$A"
h1a=$(wav_pos "$A") h1b=$(wav_pos "$B")
tsp_cmd alice "hold"
ok "hold: bob is told he is held" tsp_wait bob '"held_by_remote":true' 5
ok "hold: 2 s more recorded" wav_recorded "$(wav_add "$h1b" 2)" "$B"
r1a=$(wav_pos "$A") r1b=$(wav_pos "$B")
tsp_cmd alice "resume"
ok "resume: bob is told he is no longer held" \
    tsp_wait bob '"held_by_remote":false' 5
ok "resume: 2 s more recorded" wav_recorded "$(wav_add "$r1b" 2)" "$B"
m1a=$(wav_pos "$A") m1b=$(wav_pos "$B")
tsp_cmd alice "mute"
ok "mute: alice shows the call muted" tsp_wait alice '"event":"call".*"muted":true' 5
ok "mute: 2 s more recorded" wav_recorded "$(wav_add "$m1b" 2)" "$B"
m2a=$(wav_pos "$A") m2b=$(wav_pos "$B")
tsp_cmd alice "unmute"
ok "unmute: alice shows the call unmuted" tsp_wait alice '"event":"call".*"muted":false' 5
ok "unmute: 1.5 s more recorded" wav_recorded "$(wav_add "$m2b" 1.5)" "$B"
e1a=$(wav_pos "$A") e1b=$(wav_pos "$B")
diag "marks (s) in bob's recording: hold $h1b, resume $r1b, mute $m1b, unmute $m2b, end $e1b"
diag "marks (s) in alice's recording: hold $h1a, resume $r1a, mute $m1a, unmute $m2a, end $e1a"
ok "hold: hung up, both quit" hangup
ok "before hold bob hears alice" hears "$B" 1000 0.3 "$(wav_add "$h1b" -0.1)"
ok "while held bob hears nothing from alice" \
    silent "$B" 1000 "$(wav_add "$h1b" 0.6)" "$(wav_add "$r1b" -0.1)"
ok "while holding alice hears nothing from bob" \
    silent "$A" 1500 "$(wav_add "$h1a" 0.8)" "$(wav_add "$r1a" -0.1)"
ok "after resume bob hears alice again" \
    hears "$B" 1000 "$(wav_add "$r1b" 0.6)" "$(wav_add "$m1b" -0.1)"
ok "muted: bob hears nothing from alice" \
    silent "$B" 1000 "$(wav_add "$m1b" 0.6)" "$(wav_add "$m2b" -0.1)"
ok "unmuted: bob hears alice again" \
    hears "$B" 1000 "$(wav_add "$m2b" 0.6)" "$(wav_add "$e1b" -0.1)"
ok "alice heard bob while muted" \
    hears "$A" 1500 "$(wav_add "$m1a" 0.3)" "$(wav_add "$m2a" -0.1)"
done_testing
