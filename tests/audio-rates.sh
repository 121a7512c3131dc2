#!/bin/sh
# Devices at rates other than the codecs': two tsphones through Kamailio
# with the file driver, alice's device at 44.1 kHz and bob's at 16 kHz,
# then alice's at 16 kHz and bob's at 44.1 kHz with 10 ms periods, each
# with Opus (48 kHz) and PCMU (8 kHz). The input WAVs are at yet other
# rates (alice 1000 Hz at 48 kHz, bob 600 Hz at 8 kHz), so the file
# driver resamples them to the device, and the call resamples between
# device and codec both ways.
#
# Each recording must be written at its device's configured rate (the
# WAV header), and hold the other side's tone at its true frequency from
# the established call to the hang-up: a rate mix-up (48 against 44.1,
# 16 against 8) moves the tone by 9 % or more, which the Goertzel checks
# and the measured peak frequency both see.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
: "${WAVSTAT:=$(dirname "$TSPHONE")/tests/tools/wavstat}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
[ -x "$WAVSTAT" ] || bail "wavstat not built ($WAVSTAT)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

sox -n -r 48000 -c 1 -b 16 "$T/alice-in.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-in.wav" synth 1 sine 600 vol 0.5

# setup NAME CODEC RATE PERIOD: start NAME with its device at RATE Hz.
setup() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$1-in.wav
output = $T/$1-$2-$3.wav
rate = $3
period = $4
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
codecs = $2
EOF
	tsp_start "$1" "$T/$1.conf"
	tsp_wait "$1" '"state":"registered"' 3 >/dev/null || bail "$1 did not register"
}

connect() {	# alice calls bob, bob answers
	tsp_cmd alice "dial bob" || return 1
	tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null || return 1
	tsp_cmd bob "answer" || return 1
	tsp_wait bob '"event":"call".*"state":"established"' 5 >/dev/null &&
	    tsp_wait alice '"event":"call".*"state":"established"' 5 >/dev/null
}

hangup() {	# alice hangs up; both see the end and quit with status 0
	tsp_cmd alice "hangup" || return 1
	tsp_wait bob '"event":"call".*"state":"terminated"' 5 >/dev/null &&
	    tsp_wait alice '"event":"call".*"state":"terminated"' 5 >/dev/null
	_hu_rc=$?
	_hu_a=$(tsp_quit alice)
	_hu_b=$(tsp_quit bob)
	echo "alice exited $_hu_a, bob exited $_hu_b"
	[ "$_hu_rc" -eq 0 ] && [ "$_hu_a" = 0 ] && [ "$_hu_b" = 0 ]
}

# field LINE NAME: the value of NAME=VALUE in a wavstat line.
field() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# near A B TOL: |A - B| <= TOL.
near() {
	awk -v a="$1" -v b="$2" -v t="$3" \
	    'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'
}

# check NAME FILE RATE FREQ OWN FROM TO: NAME's recording FILE is at
# RATE and holds the tone FREQ (and not OWN, its own) from FROM to TO.
check() {
	_ck_who=$1 _ck_f=$2 _ck_rate=$3 _ck_freq=$4 _ck_own=$5
	_ck_from=$6 _ck_to=$7
	_ck_line=$("$WAVSTAT" "$_ck_f" --from "$_ck_from" --to "$_ck_to" \
	    --peak 200-3000)
	diag "$tag: $_ck_who: $_ck_line"
	is "$(field "$_ck_line" rate)" "$_ck_rate" \
	    "$tag: $_ck_who's recording is at the device rate, $_ck_rate Hz"
	ok "$tag: $_ck_who hears $_ck_freq Hz ($_ck_from-$_ck_to s)" \
	    "$TONECHECK" "$_ck_f" "$_ck_freq" --from "$_ck_from" \
	    --to "$_ck_to" --min-fraction 0.9
	ok "$tag: the strongest tone $_ck_who hears is $_ck_freq Hz (got $(field "$_ck_line" peak_hz))" \
	    near "$(field "$_ck_line" peak_hz)" "$_ck_freq" 2
	ok "$tag: $_ck_who does not hear their own $_ck_own Hz" \
	    "$TONECHECK" "$_ck_f" "$_ck_own" --from "$_ck_from" \
	    --to "$_ck_to" --absent
}

# round ARATE BRATE PERIOD CODEC
round() {
	ar=$1 br=$2 per=$3 codec=$4
	tag="$codec alice@$ar bob@$br ${per}ms"
	A=$T/alice-$codec-$ar.wav B=$T/bob-$codec-$br.wav
	setup alice "$codec" "$ar" "$per"
	setup bob "$codec" "$br" "$per"
	ok "$tag: call established" connect
	# Where each recording stood when the call was established: the
	# tone is looked for from there (plus time for the first packets
	# and the jitter buffer) to where it stood at the hang-up.
	a0=$(wav_pos "$A") || a0=0
	b0=$(wav_pos "$B") || b0=0
	ok "$tag: alice records 3 s of the established call" \
	    wav_wait "$A" "$(wav_add "$a0" 3.5)"
	ok "$tag: bob records 3 s of the established call" \
	    wav_wait "$B" "$(wav_add "$b0" 3.5)"
	a1=$(wav_pos "$A") b1=$(wav_pos "$B")
	ok "$tag: hung up, both quit" hangup
	line=$(grep '"event":"stats"' "$T/bob.out" | tail -n 1)
	ok "$tag: bob received packets ($(json_get "$line" rx_packets))" \
	    test "$(json_get "$line" rx_packets)" -ge 100
	line=$(grep '"event":"stats"' "$T/alice.out" | tail -n 1)
	ok "$tag: alice received packets ($(json_get "$line" rx_packets))" \
	    test "$(json_get "$line" rx_packets)" -ge 100
	check bob "$B" "$br" 1000 600 "$(wav_add "$b0" 0.6)" "$(wav_add "$b1" -0.1)"
	check alice "$A" "$ar" 600 1000 "$(wav_add "$a0" 0.6)" "$(wav_add "$a1" -0.1)"
}

t_start=$(date +%s)
for codec in opus pcmu; do
	round 44100 16000 20 "$codec"
	round 16000 44100 10 "$codec"
done
diag "audio-rates took $(($(date +%s) - t_start)) s"
done_testing
