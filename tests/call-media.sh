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
	tsp_cmd alice "dial bob"
	tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null || return 1
	tsp_cmd bob "answer"
	tsp_wait bob '"event":"call".*"state":"established"' 5 >/dev/null &&
	    tsp_wait alice '"event":"call".*"state":"established"' 5 >/dev/null
}

hangup() {
	tsp_cmd alice "hangup"
	tsp_wait bob '"event":"call".*"state":"terminated"' 5 >/dev/null
	tsp_quit alice >/dev/null
	tsp_quit bob >/dev/null
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
	sleep 3
	hangup
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
	sleep 0.5
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
	sleep 0.5
	is "$(tsp_count bob '"event":"dtmf"')" 6 "dtmf $method: each digit exactly once"
	hangup
done

# Hold, resume and mute change what each side hears. Bob's recording
# starts when he answers; the tone check allows half a second of slack
# around each change.
setup alice opus
setup bob opus
ok "hold: call established" connect
t0=$(date +%s%N)
since() { echo "$(( ($(date +%s%N) - t0) / 1000000 ))" | awk '{ printf "%.2f", $1 / 1000 }'; }
sleep 2
h1=$(since)
tsp_cmd alice "hold"
tsp_wait bob '"held_by_remote":true' 5 >/dev/null
sleep 2
r1=$(since)
tsp_cmd alice "resume"
tsp_wait bob '"held_by_remote":false' 5 >/dev/null
sleep 2
m1=$(since)
tsp_cmd alice "mute"
sleep 2
m2=$(since)
tsp_cmd alice "unmute"
sleep 1.5
e1=$(since)
hangup
w() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
ok "before hold bob hears alice" hears "$T/bob-opus.wav" 1000 0.3 "$(w "$h1" -0.3)"
ok "while held bob hears nothing from alice" \
    silent "$T/bob-opus.wav" 1000 "$(w "$h1" 0.6)" "$(w "$r1" -0.1)"
ok "while holding alice hears nothing from bob" \
    silent "$T/alice-opus.wav" 1500 "$(w "$h1" 0.8)" "$(w "$r1" 0.1)"
ok "after resume bob hears alice again" \
    hears "$T/bob-opus.wav" 1000 "$(w "$r1" 0.6)" "$(w "$m1" -0.2)"
ok "muted: bob hears nothing from alice" \
    silent "$T/bob-opus.wav" 1000 "$(w "$m1" 0.6)" "$(w "$m2" -0.1)"
ok "unmuted: bob hears alice again" \
    hears "$T/bob-opus.wav" 1000 "$(w "$m2" 0.6)" "$(w "$e1" -0.3)"
ok "alice heard bob while muted" \
    hears "$T/alice-opus.wav" 1500 "$(w "$m1" 0.8)" "$(w "$m2" 0.2)"
done_testing
