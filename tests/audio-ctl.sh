#!/bin/sh
# What the user hears and controls, with the file audio driver: the echo
# test (no call: the microphone comes back through Opus and the jitter
# buffer), recording a call into a stereo WAV, the speaker volume, the
# level and MOS figures of the stats events, and switching the speaker
# to another device during a call. Each is checked in the recordings
# (tone detection and levels), not by the events alone.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 48000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5
XDG_DATA_HOME=$T/data
export XDG_DATA_HOME

# setup NAME [REGISTER]
setup() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$1-tone.wav
output = $T/$1-out.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
codecs = opus
register = ${2:-yes}
EOF
	rm -f "$T/$1-out.wav"
	tsp_start "$1" "$T/$1.conf"
	if [ "${2:-yes}" = yes ]; then
		tsp_wait "$1" '"state":"registered"' 3 >/dev/null ||
		    bail "$1 did not register"
	else
		tsp_wait "$1" '"event":"registration"' 3 >/dev/null ||
		    bail "$1 did not start"
	fi
}

hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}

silent() {	# FILE FREQ FROM TO: the tone is nowhere in the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --absent
}

# rms FILE FROM TO: the RMS level in dB of the span (sox stats)
rms() {
	sox "$1" -n trim "$2" "=$3" stats 2>&1 |
	    awk '/^RMS lev dB/ { print $4; exit }'
}

# --- the echo test -----------------------------------------------------
setup alice no
A=$T/alice-out.wav
tsp_cmd alice "echotest on"
ok "echotest: the audio event says it runs" \
    tsp_wait alice '"event":"audio".*"echotest":true' 3
ok "echotest: 2 s heard" wav_recorded 2 "$A"
e1=$(wav_pos "$A")
tsp_cmd alice "echotest off"
ok "echotest off: the audio event says so" \
    tsp_wait alice '"event":"audio".*"echotest":false' 3
ok "echotest off: 1.5 s more recorded" wav_recorded "$(wav_add "$e1" 1.5)" "$A"
ok "echotest: alice hears her own 1000 Hz" hears "$A" 1000 0.3 "$(wav_add "$e1" -0.1)"
ok "echotest off: and then no more" silent "$A" 1000 "$(wav_add "$e1" 0.3)" \
    "$(wav_add "$e1" 1.4)"
tsp_cmd alice "echotest off"
ok "echotest off when none runs: refused, saying why" \
    tsp_wait alice '"event":"error".*no echo test is running' 3
tsp_cmd alice "echotest maybe"
ok "echotest maybe: refused" tsp_wait alice '"event":"error".*on or off' 3
is "$(tsp_quit alice)" 0 "echotest: alice quits cleanly"

# --- a call: stats, record, volume, device ------------------------------
setup alice
setup bob
A=$T/alice-out.wav B=$T/bob-out.wav
tsp_cmd alice "dial bob"
tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null
tsp_cmd bob "answer"
ok "call established" tsp_wait alice '"event":"call".*"state":"established"' 5
ok "1 s of the call" wav_recorded 1 "$A" "$B"

tsp_cmd alice "echotest on"
ok "echotest during a call: refused" \
    tsp_wait alice '"event":"error".*a call has the audio device' 3

# Stats: the figures the call line shows.
tsp_cmd alice "record on"
ok "record on: the call shows it" \
    tsp_wait alice '"event":"call".*"recording":true' 3
ok "record on: the log says where" grep -q 'recording to .*recordings/' "$T/alice.out"
r0=$(wav_pos "$B")
ok "2 s recorded" wav_recorded "$(wav_add "$r0" 2)" "$B"
tsp_cmd alice "record off"
ok "record off: the call shows it" \
    tsp_wait alice '"event":"call".*"recording":false' 3
set -- "$XDG_DATA_HOME"/tsphone/recordings/*.wav
ok "one recording under the data directory" test $# -eq 1 -a -f "$1"
R=$1
is "$(stat -c %a "$R")" 600 "the recording is readable by its owner alone"
is "$(soxi -c "$R" 2>/dev/null)" 2 "the recording is stereo"
dur=$(soxi -D "$R" 2>/dev/null)
ok "the recording lasts about 2 s ($dur s)" \
    awk -v d="$dur" 'BEGIN { exit !(d >= 1.5 && d <= 5) }'
sox "$R" "$T/rec-left.wav" remix 1
sox "$R" "$T/rec-right.wav" remix 2
ok "left: what alice sends (1000 Hz)" hears "$T/rec-left.wav" 1000 0.3 1.4
ok "right: what alice hears (1500 Hz)" hears "$T/rec-right.wav" 1500 0.3 1.4
ok "left holds nothing of bob" silent "$T/rec-left.wav" 1500 0.3 1.4

# The speaker volume: bob turns alice down by 20 dB.
v0=$(wav_pos "$B")
tsp_cmd bob "volume out -20"
ok "volume: the audio event says -20" \
    tsp_wait bob '"event":"audio".*"out_volume":-20' 3
ok "volume: 1.5 s more" wav_recorded "$(wav_add "$v0" 1.5)" "$B"
v1=$(wav_pos "$B")
before=$(rms "$B" "$(wav_add "$v0" -1)" "$(wav_add "$v0" -0.1)")
after=$(rms "$B" "$(wav_add "$v0" 0.4)" "$(wav_add "$v1" -0.1)")
diag "bob's speaker: $before dB before, $after dB after volume out -20"
ok "volume out -20: the speaker is 17 to 23 dB quieter" \
    awk -v b="$before" -v a="$after" 'BEGIN { d = b - a; exit !(d >= 17 && d <= 23) }'
tsp_cmd bob "volume out +30"
ok "volume out +30 (to +10): accepted" \
    tsp_wait bob '"event":"audio".*"out_volume":10' 3
tsp_cmd bob "volume out +30"
ok "volume beyond +20: refused, saying the range" \
    tsp_wait bob '"event":"error".*from -40 to \+20 dB' 3
tsp_cmd bob "volume side 3"
ok "volume side: refused" tsp_wait bob '"event":"error".*expected in' 3

# The speaker switched to another device (a new WAV) mid-call.
tsp_cmd alice "device out $T/nowhere/x.wav"
ok "device out to a path that cannot be: refused" \
    tsp_wait alice '"event":"error"' 3
d0=$(wav_pos "$A")
ok "and the old speaker plays on" wav_recorded "$(wav_add "$d0" 1)" "$A"
tsp_cmd alice "device out $T/alice-new.wav"
ok "device out: the audio event names the new device" \
    tsp_wait alice '"event":"audio".*alice-new\.wav' 3
ok "device out: the new speaker records" wav_recorded 1.5 "$T/alice-new.wav"
ok "device out: and alice hears bob on it" \
    hears "$T/alice-new.wav" 1500 0.4 1.4

tsp_cmd bob "status"
line=$(tsp_wait bob '"event":"stats"' 7)
ok "a stats event" test -n "$line"
mos=$(json_get "$line" mos)
lvl=$(json_get "$line" in_level_dbfs)
diag "bob's stats: mos $mos, in_level_dbfs $lvl, concealed $(json_get "$line" concealed)"
ok "MOS of a clean loopback call is 4 or more ($mos)" \
    awk -v m="$mos" 'BEGIN { exit !(m >= 4 && m <= 4.5) }'
ok "bob's microphone level is his tone's, about -9 dBFS ($lvl)" \
    awk -v l="$lvl" 'BEGIN { exit !(l >= -13 && l <= -5) }'
ok "concealed is reported" json_get "$line" concealed
tsp_cmd alice "hangup"
ok "hung up" tsp_wait bob '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit alice)" 0 "alice quits cleanly"
is "$(tsp_quit bob)" 0 "bob quits cleanly"
done_testing
