#!/bin/sh
# The portaudio driver in a real call, with no sound card: PortAudio's
# ALSA host API is given a private ALSA configuration (ALSA_CONFIG_PATH)
# whose only cards are bench/alsa-benchcard.c, an ALSA plugin that plays
# a WAV as the microphone and records the speaker to a WAV, paced by a
# timer. The card takes 44.1 kHz only, while alice's tsphone asks 48 kHz
# (the default): the driver must fall back to the card's rate and the
# media engine follow it, resampling both ways and keeping its pace.
#
# alice (portaudio, input = output = the card, so one duplex stream with
# an echo reference) calls bob (the file driver) through Kamailio:
#  - opus and pcmu: the card plays 1000 Hz, bob 600 Hz; bob must hear
#    1000 Hz and the card record 600 Hz, neither pitch-shifted by the
#    ratio of the two rates (1088/918 Hz, 653/551 Hz) nor broken up by
#    frames sent or played late; alice's log says the device is
#    PortAudio's at 44100 Hz, with echo cancellation;
#  - two cards (input one, output another): echo cancellation cannot
#    work, and alice's log says so in plain words;
#  - a room: the card mixes what it plays back into what it captures,
#    60 ms later and 6 dB down, and alice says nothing herself; bob talks
#    (speech-like noise). What bob hears of himself must be at least
#    20 dB lower with aec = yes than with aec = no.
# ALSA and JACK must keep quiet on alice's stderr.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
CC=${CC:-cc}
command -v "${CC%% *}" >/dev/null 2>&1 || skip_all "a C compiler is needed (set CC)"
# shellcheck disable=SC2086 # CC may hold options
$CC -O2 -shared -fPIC -DPIC -o "$T/libasound_module_pcm_benchcard.so" \
    "$TOP_SRCDIR/bench/alsa-benchcard.c" -lasound -lm 2>"$T/cc.log" ||
	skip_all "cannot build the ALSA bench card (ALSA headers missing? Debian package libasound2-dev): $(grep -m 1 error "$T/cc.log")"
t_start=$(_lib_now_ms)

RATE=44100
# The card's microphone: 1000 Hz, or silence (no dither: digital zero);
# bob's: 600 Hz, or 6 s of speech-like noise at 16 kHz (band limited,
# with syllable and phrase envelopes; about -24 dBFS RMS).
sox -n -r "$RATE" -c 1 -b 16 "$T/tone.wav" synth 1 sine 1000 vol 0.5 &&
    sox -D -n -r "$RATE" -c 1 -b 16 "$T/silence.wav" trim 0 1 &&
    sox -n -r 48000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 600 vol 0.5 &&
    sox -D -n -r 16000 -c 1 -b 16 "$T/bob-speech.wav" synth 6 pinknoise \
	sinc 200-3600 tremolo 4.3 95 tremolo 0.45 70 gain -n -6 ||
	bail "sox cannot make the signals"

# Alice's ALSA: none of the machine's cards, configuration or JACK
# server; only what card() writes. (PortAudio 19.6 asserts when
# ALSA has no "default", hence one.)
mkdir "$T/home" || bail "cannot create $T/home"
HOME=$T/home
ALSA_CONFIG_PATH=$T/asound.conf
JACK_DEFAULT_SERVER=tsphone-test-none
export HOME ALSA_CONFIG_PATH JACK_DEFAULT_SERVER
unset ALSA_CARD ALSA_PCM_CARD ALSA_PCM_DEVICE JACK_NO_START_SERVER

# card INPUT OUTPUT [ROOM]: the cards alice will see. "tspcard" plays
# INPUT and records to OUTPUT, with ROOM (benchcard fields) if given;
# "tspmic" and "tspspk" are a second pair, for input and output apart.
# Each counts its xruns in $T/xruns (see xruns below).
card() {
	_cd_common="rate $RATE capture_ahead no xruns \"$T/xruns\""
	cat >"$ALSA_CONFIG_PATH" <<EOF
pcm_type.benchcard { lib "$T/libasound_module_pcm_benchcard.so" }
pcm.tspcard { type benchcard $_cd_common input "$1" output "$2" ${3:-} }
pcm.tspmic { type benchcard $_cd_common input "$1" output "$T/unused.wav" }
pcm.tspspk { type benchcard $_cd_common input "$1" output "$2" }
pcm.!default tspcard
EOF
}

# setup_bob INPUT OUTPUT CODECS / setup_alice IN-DEV OUT-DEV CODECS EXTRA
setup_bob() {
	write_conf "$T/bob.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $1
output = $2
[account bob]
uri = sip:bob@127.0.0.1
registrar = $KAM_URI
password = pb
codecs = $3
auto_answer = yes
EOF
	tsp_start bob "$T/bob.conf"
	tsp_wait bob '"state":"registered"' 5 >/dev/null || bail "bob did not register"
}

setup_alice() {
	write_conf "$T/alice.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = portaudio
input = $1
output = $2
rate = 48000
$4
[account alice]
uri = sip:alice@127.0.0.1
registrar = $KAM_URI
password = pa
codecs = $3
EOF
	rm -f "$T/alice.log"
	tsp_start alice "$T/alice.conf" -v
	tsp_wait alice '"state":"registered"' 5 >/dev/null || bail "alice did not register"
}

connect() {	# alice calls bob, who answers by himself
	tsp_cmd alice "dial bob" || return 1
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

# quiet_stderr LABEL: nothing on alice's stderr (ALSA and JACK are noisy
# while PortAudio probes, opens and closes) but speexdsp's warning when
# its canceller resets itself, which a pure tone may make it do: said,
# not counted (what the canceller does is measured below).
quiet_stderr() {
	_qs_funny='^warning: The echo canceller started acting funny'
	grep -q "$_qs_funny" "$T/alice.err" &&
		diag "$1: speexdsp reset alice's echo canceller (on her stderr)"
	ok "$1: nothing from ALSA or JACK on alice's stderr" \
	    _quiet_stderr "$_qs_funny"
}

_quiet_stderr() {
	! grep -v "$1" "$T/alice.err"
}

# xruns LABEL: how many times alice's card ran dry or over in the call
# that ended, as a diagnostic: a stall of a busy machine shows there.
xruns() {
	diag "$1: the card had $(awk '{ n += $4 } END { print n + 0 }' \
	    "$T/xruns" 2>/dev/null || echo 0) xruns"
	rm -f "$T/xruns"
}

hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}

# unbroken FILE FREQ FROM TO: the tone in 20 ms windows of the span,
# with at most two breaks. A device that wakes the media thread at the
# wrong pace makes it send and play by fits: a frame short every 240 ms
# or so. A stall of a busy machine may break it a few times in a row:
# breaks after less than 150 ms of tone count as the one before.
unbroken() {
	_ub_out=$("$TONECHECK" "$1" "$2" --from "$3" --to "$4" --window 20 \
	    --min-fraction 0.9)
	_ub_rc=$?
	printf '%s\n' "$_ub_out"
	_ub_n=$(printf '%s\n' "$_ub_out" | awk '{
		s = $0
		if (!sub(/.*, at /, "", s) || index(s, " more")) { print 99; exit }
		sub(/;.*/, "", s)
		n = split(s, r, ",")
		for (i = 1; i <= n; i++) {
			match(r[i], /[0-9.]+-[0-9.]+/)
			split(substr(r[i], RSTART, RLENGTH), t, "-")
			if (i > 1 && prev >= 0.15)
				b++
			prev = t[2] - t[1]
		}
		print b + 0
	}')
	echo "breaks: $_ub_n"
	[ "$_ub_rc" -eq 0 ] && [ "$_ub_n" -le 2 ]
}

silent() {	# FILE FREQ FROM TO: the tone is nowhere in the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --absent
}

# rms FILE FROM TO: the RMS level of the span in dBFS (-200: silence).
rms() {
	sox "$1" -n trim "$2" "=$3" stats 2>&1 |
	    awk '/^RMS lev dB/ { v = $4 } END { if (v == "" || v ~ /inf/) v = -200; print v }'
}

# at_least A B DB: A >= B + DB (dB figures).
at_least() {
	awk -v a="$1" -v b="$2" -v d="$3" \
	    'BEGIN { exit !(a != "" && b != "" && a + 0 >= b + d) }'
}

card "$T/tone.wav" "$T/card.wav"
if ! "$TSPHONE" --list-devices >"$T/devices" 2>"$T/devices.err" &&
    grep -q 'cannot load PortAudio' "$T/devices.err"; then
	skip_all "$(cat "$T/devices.err")"
fi
like "$(cat "$T/devices")" '^[0-9]+	tspcard	in=1 out=1	ALSA' \
    "--list-devices shows the card through PortAudio's ALSA"
is "$(cat "$T/devices.err")" "" "--list-devices: nothing on stderr"

kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

# tone_call LABEL CODECS IN-DEV OUT-DEV: alice on the card(s) playing
# 1000 Hz, bob playing 600 Hz, 3.5 s of call; what each heard from 0.6 s
# after the call was established (the jitter buffer has settled) to 3.3.
tone_call() {
	rm -f "$T/card.wav"
	setup_bob "$T/bob-tone.wav" "$T/bob-$1.wav" "$2"
	setup_alice "$3" "$4" "$2"
	ok "$1: call established" connect
	b0=$(wav_pos "$T/bob-$1.wav") || b0=0
	c0=$(wav_pos "$T/card.wav") || c0=0
	ok "$1: 3.5 s of the call recorded by bob and by the card" \
	    wav_recorded 3.5 "$T/bob-$1.wav" "$T/card.wav"
	ok "$1: hung up, both quit" hangup
	xruns "$1"
	mv "$T/card.wav" "$T/card-$1.wav"
	C=$T/card-$1.wav B=$T/bob-$1.wav
	b1=$(wav_add "$b0" 0.6) b2=$(wav_add "$b0" 3.3)
	c1=$(wav_add "$c0" 0.6) c2=$(wav_add "$c0" 3.3)
	diag "$1: call established at $b0 s of bob's recording, $c0 s of the card's"
	like "$(grep 'device open at' "$T/alice.log")" \
	    'audio: portaudio device open at 44100 Hz' \
	    "$1: alice's device is PortAudio's, at the card's 44100 Hz"
	ok "$1: bob hears alice's 1000 Hz" hears "$B" 1000 "$b1" "$b2"
	ok "$1: bob hears it without a break (20 ms windows)" \
	    unbroken "$B" 1000 "$b1" "$b2"
	for f in 1088 918; do
		ok "$1: bob hears no 1000 Hz shifted to $f Hz" \
		    silent "$B" "$f" "$b1" "$b2"
	done
	ok "$1: the card records bob's 600 Hz" hears "$C" 600 "$c1" "$c2"
	ok "$1: the card records it without a break (20 ms windows)" \
	    unbroken "$C" 600 "$c1" "$c2"
	for f in 653 551; do
		ok "$1: the card records no 600 Hz shifted to $f Hz" \
		    silent "$C" "$f" "$c1" "$c2"
	done
	quiet_stderr "$1"
}

for codec in opus pcmu; do
	tone_call "$codec" "$codec" tspcard tspcard
	like "$(grep 'audio: echo cancellation' "$T/alice.log")" \
	    'echo cancellation, .*at 44100 Hz' \
	    "$codec: one duplex stream: echo cancellation at 44100 Hz"
	ok "$codec: alice does not say echo cancellation is off" \
	    test -z "$(grep 'echo cancellation is off' "$T/alice.log")"
done

tone_call apart opus tspmic tspspk
like "$(grep 'echo cancellation is off' "$T/alice.log")" \
    'echo cancellation is off: the input and the output are not one duplex device' \
    "apart: alice says echo cancellation is off, and why"

# aec_call AEC: 8 s of bob talking into alice's room, alice's aec = AEC
# (noise suppression off: it would blur what the canceller does); sets
# B (bob's recording) and b0 (where it stood when the call began).
aec_call() {
	card "$T/silence.wav" "$T/card.wav" "echo_delay_ms 60 echo_gain_db -6"
	rm -f "$T/card.wav"
	setup_bob "$T/bob-speech.wav" "$T/bob-aec-$1.wav" opus
	setup_alice tspcard tspcard opus "aec = $1
noise_suppression = no"
	B=$T/bob-aec-$1.wav
	ok "aec $1: call established" connect
	b0=$(wav_pos "$B") || b0=0
	ok "aec $1: bob records 8 s of the call" \
	    wav_wait "$B" "$(wav_add "$b0" 8)" 5
	ok "aec $1: hung up, both quit" hangup
	xruns "aec $1"
	quiet_stderr "aec $1"
	ok "aec $1: alice does not say echo cancellation is off" \
	    test -z "$(grep 'echo cancellation is off' "$T/alice.log")"
}

# What bob hears of himself, second by second of the call (bob's speech
# is the same in both calls, second by second). The echo cancelled is
# the median of the differences over seconds 3 to 7: the canceller has
# had time to converge, and a stall of a busy machine (the card's xruns)
# costs it a second or two to converge again, which the median leaves
# out.
for aec in no yes; do
	aec_call "$aec"
	prof=
	for s in 0 1 2 3 4 5 6 7; do
		prof="$prof $(rms "$B" "$(wav_add "$b0" "$s")" "$(wav_add "$b0" $((s + 1)))")"
	done
	diag "aec $aec: what bob hears of himself in each second of the call (dBFS):$prof"
	if [ "$aec" = no ]; then prof_no=$prof; else prof_yes=$prof; fi
done
gain=$(printf '%s\n%s\n' "$prof_no" "$prof_yes" | awk '
	NR == 1 { for (i = 4; i <= 8; i++) no[i] = $i }
	NR == 2 { for (i = 4; i <= 8; i++) d[++n] = no[i] - $i }
	END {
		for (i = 1; i <= n; i++)	# sort the five
			for (j = i + 1; j <= n; j++)
				if (d[j] < d[i]) { t = d[i]; d[i] = d[j]; d[j] = t }
		printf "%.1f\n", n == 5 ? d[3] : -999
	}')
echo_no=$(printf '%s\n' "$prof_no" | awk '{ s = 0; for (i = 4; i <= 8; i++) s += $i; printf "%.1f\n", s / 5 }')
diag "echo cancelled, seconds 3 to 7 (median): $gain dB"
ok "without aec bob hears his echo (seconds 3 to 7: $echo_no dBFS)" \
    at_least "$echo_no" -40 0
ok "aec takes the echo down by 20 dB or more ($gain dB)" \
    at_least "$gain" 0 20
diag "portaudio-call took $(( ($(_lib_now_ms) - t_start) / 1000 )) s"
done_testing
