#!/bin/sh
# Echo cancellation end to end. Alice's file driver plays a room
# (file_echo = 60 -6: what her speaker plays comes back into her
# microphone 60 ms later, 6 dB down) and her own microphone input is
# silent for the first 6 s, so all she sends then is the echo of what
# bob says; bob talks throughout (pink noise shaped like speech: band
# limited, syllable and phrase envelopes). From 6 s on alice's input is
# a 600 Hz tone in bursts (400 ms on, 600 ms off: a steady tone would be
# taken for noise), so both talk at once.
#
# The same call runs with alice's aec = no and with aec = yes, noise
# suppression on both times, as tsphone runs with a sound card by
# default: speexdsp removes the canceller's residual echo through its
# preprocessor, and without it the canceller alone reached 22.6 to 38 dB
# here (2 runs in 27 under 25 dB), with it 48 to 50 dB. Noise
# suppression by itself leaves the echo of bob's speech where it was
# (about -30 dBFS with aec = no, with or without it). Bob's recording is
# measured with tests/tools/wavstat:
#  - echo: the energy bob hears from 2 s after the call is established
#    (time for the canceller to converge) to 5.5 s must be at least
#    25 dB lower with aec = yes;
#  - double talk: the 600 Hz alice says, 6.8 to 11.5 s after the call
#    is established, may be at most 3 dB weaker with aec = yes: the
#    canceller must not eat the near end. Bob's speech has a notch at
#    500-700 Hz, so its echo does not add to the 600 Hz measured.
. "$(dirname "$0")/lib.sh"
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
: "${WAVSTAT:=$(dirname "$TSPHONE")/tests/tools/wavstat}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
[ -x "$WAVSTAT" ] || bail "wavstat not built ($WAVSTAT)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"

# Bob: 6 s of "speech" at 16 kHz (the file driver resamples it), looped:
# about -24 dBFS RMS, peaks at -6, nothing between 500 and 700 Hz. No
# dither (-D): alice's silence must be digital silence.
sox -D -n -r 16000 -c 1 -b 16 "$T/bob-in.wav" synth 6 pinknoise \
    sinc 200-3600 sinc -t 40 720-480 tremolo 4.3 95 tremolo 0.45 70 gain -n -6 ||
	bail "sox cannot make bob's speech"
# Alice: 6 s of silence, then 7 s of 600 Hz bursts at -23 dBFS RMS, a
# little louder than the echo of bob in her microphone.
sox -D -n -r 48000 -c 1 -b 16 "$T/burst.wav" synth 0.4 sine 600 vol 0.1 \
    fade 0.01 0.4 0.01 pad 0 0.6 repeat 6 &&
sox -D -n -r 48000 -c 1 -b 16 "$T/silence.wav" trim 0 6 &&
sox -D "$T/silence.wav" "$T/burst.wav" "$T/alice-in.wav" ||
	bail "sox cannot make alice's input"

bport=$(free_port) || bail "no free port"

# field LINE NAME: the value of NAME=VALUE in a wavstat line.
field() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# at_least A B DB: A >= B + DB (dB figures).
at_least() {
	awk -v a="$1" -v b="$2" -v d="$3" \
	    'BEGIN { exit !(a != "" && b != "" && a + 0 >= b + d) }'
}

# run AEC: one call alice -> bob with alice's aec = AEC; sets B (bob's
# recording) and b0 (where it stood when the call was established).
run() {
	write_conf "$T/alice.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/alice-in.wav
output = $T/alice-$1.wav
file_echo = 60 -6
aec = $1
noise_suppression = yes
[account alice]
uri = sip:alice@127.0.0.1
register = no
codecs = opus
EOF
	write_conf "$T/bob.conf" <<EOF
[sip]
listen = 127.0.0.1:$bport
[audio]
driver = file
input = $T/bob-in.wav
output = $T/bob-$1.wav
[account bob]
uri = sip:bob@127.0.0.1
register = no
auto_answer = yes
codecs = opus
EOF
	B=$T/bob-$1.wav
	tsp_start bob "$T/bob.conf"
	tsp_start alice "$T/alice.conf"
	tsp_wait bob '"event":"registration"' 5 >/dev/null || bail "bob did not start"
	tsp_wait alice '"event":"registration"' 5 >/dev/null || bail "alice did not start"
	tsp_cmd alice "dial sip:bob@127.0.0.1:$bport"
	ok "aec $1: call established" \
	    tsp_wait bob '"event":"call".*"state":"established"' 5
	b0=$(wav_pos "$B") || b0=0
	ok "aec $1: bob records 11.6 s of the call" \
	    wav_wait "$B" "$(wav_add "$b0" 11.6)" 5
	tsp_cmd alice "hangup"
	ok "aec $1: the call ends" \
	    tsp_wait bob '"event":"call".*"state":"terminated"' 5
	is "$(tsp_quit alice)" 0 "aec $1: alice quits with status 0"
	is "$(tsp_quit bob)" 0 "aec $1: bob quits with status 0"
}

t_start=$(date +%s)
for aec in no yes; do
	run "$aec"
	echo_l=$("$WAVSTAT" "$B" --from "$(wav_add "$b0" 2)" \
	    --to "$(wav_add "$b0" 5.5)")
	dt_l=$("$WAVSTAT" "$B" --from "$(wav_add "$b0" 6.8)" \
	    --to "$(wav_add "$b0" 11.5)" --freq 600)
	prof=
	for s in 0 1 2 3 4 5; do
		prof="$prof $(field "$("$WAVSTAT" "$B" --from "$(wav_add "$b0" "$s")" \
		    --to "$(wav_add "$b0" "$((s + 1))")")" rms_db)"
	done
	diag "aec $aec: call established at $b0 s of bob's recording;" \
	    "what bob hears in each second from there (dBFS):$prof"
	diag "aec $aec: echo span: $echo_l"
	diag "aec $aec: double-talk span: $dt_l"
	eval "echo_$aec=\$(field \"\$echo_l\" rms_db)"
	eval "tone_$aec=\$(field \"\$dt_l\" tone_db)"
	# the bursts are where they were expected in both runs (the spans
	# above rest on it): none in the echo span, and in the double-talk
	# span 40 % of the time, so at least a third of the windows
	ok "aec $aec: no 600 Hz from alice yet in the echo span" \
	    "$TONECHECK" "$B" 600 --from "$(wav_add "$b0" 2)" \
	    --to "$(wav_add "$b0" 5.5)" --absent
	ok "aec $aec: bob hears alice's 600 Hz bursts in the double-talk span" \
	    "$TONECHECK" "$B" 600 --from "$(wav_add "$b0" 6.8)" \
	    --to "$(wav_add "$b0" 11.5)" --min-fraction 0.3
done
diag "echo heard by bob, 2-5.5 s: aec=no $echo_no dBFS, aec=yes $echo_yes dBFS"
diag "600 Hz heard by bob in double talk: aec=no $tone_no dBFS, aec=yes $tone_yes dBFS"
ok "without aec bob hears his echo (above -40 dBFS: $echo_no)" \
    at_least "$echo_no" -40 0
ok "aec takes the echo down by 25 dB or more ($echo_no -> $echo_yes)" \
    at_least "$echo_no" "$echo_yes" 25
ok "double talk: alice's 600 Hz loses at most 3 dB to aec ($tone_no -> $tone_yes)" \
    at_least "$tone_yes" "$tone_no" -3
diag "aec took $(($(date +%s) - t_start)) s"
done_testing
