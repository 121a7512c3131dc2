#!/bin/sh
# SDES-SRTP between two tsphone instances through Kamailio: the srtp
# off/optional/mandatory matrix gives the expected outcome on each side,
# an encrypted call carries audio both ways (tone check), the keys never
# reach the trace in clear, and forged SRTP packets are dropped and
# counted, never played.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
tools=$(dirname "$TSPHONE")/tests/tools
: "${TONECHECK:=$tools/tonecheck}"
UDPSEND=$tools/udpsend
[ -x "$TONECHECK" ] && [ -x "$UDPSEND" ] || bail "test tools not built in $tools"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"
sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 48000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5

# phone NAME SRTP DRIVER
phone() {
	if [ "$3" = file ]; then
		audio="driver = file
input = $T/$1-tone.wav
output = $T/$1-$2.wav"
	else
		audio="driver = null"
	fi
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
$audio
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
srtp = $2
EOF
	tsp_start "$1" "$T/$1.conf" --trace
	tsp_wait "$1" '"state":"registered"' 3 >/dev/null || bail "$1 did not register"
}

stop() {	# both quit with status 0
	_st_a=$(tsp_quit alice)
	_st_b=$(tsp_quit bob)
	echo "alice exited $_st_a, bob exited $_st_b"
	[ "$_st_a" = 0 ] && [ "$_st_b" = 0 ]
}

# expect CALLER CALLEE OUTCOME: OUTCOME is srtp, plain or 488
expect() {
	phone alice "$1" null
	phone bob "$2" null
	tsp_cmd alice "dial bob"
	if [ "$3" = 488 ]; then
		line=$(tsp_wait alice '"event":"call".*"state":"terminated"' 5)
		is "$(json_get "$line" code)" 488 "$1 -> $2: refused with 488"
		like "$(json_get "$line" reason)" 'SRTP|srtp' "$1 -> $2: the reason names SRTP"
		is "$(tsp_count bob '"state":"incoming"')" 0 "$1 -> $2: it never rang"
	else
		ok "$1 -> $2: bob rings" tsp_wait bob '"event":"call".*"state":"incoming"' 5
		tsp_cmd bob "answer"
		ok "$1 -> $2: established" \
		    tsp_wait alice '"event":"call".*"state":"established"' 5
		want=false
		[ "$3" = srtp ] && want=true
		for n in alice bob; do
			line=$(grep '"event":"media"' "$T/$n.out" | tail -n 1)
			is "$(json_get "$line" srtp)" "$want" "$1 -> $2: $n's media srtp=$want"
		done
		tsp_cmd alice "hangup"
		ok "$1 -> $2: the call ends" \
		    tsp_wait bob '"event":"call".*"state":"terminated"' 5
	fi
	ok "$1 -> $2: both quit with status 0" stop
}

expect off off plain
expect off optional plain
expect off mandatory 488
expect optional off plain
expect optional optional srtp
expect optional mandatory srtp
expect mandatory off 488
expect mandatory optional srtp
expect mandatory mandatory srtp

# An encrypted call carries audio, and forged packets are dropped.
phone alice mandatory file
phone bob optional file
A=$T/alice-mandatory.wav B=$T/bob-optional.wav
tsp_cmd alice "dial bob"
ok "SRTP call: bob rings" tsp_wait bob '"event":"call".*"state":"incoming"' 5
tsp_cmd bob "answer"
ok "SRTP call established" tsp_wait alice '"event":"call".*"state":"established"' 5
line=$(grep '"event":"media"' "$T/bob.out" | tail -n 1)
bport=$(json_get "$line" local | sed 's/.*://')
# the recordings' own length, not wall-clock time, says how much of the
# call has been heard (tests/lib.sh, wav_pos)
ok "1.5 s of the call recorded" wav_wait "$B" 1.5
# 50 forged packets from the peer's own address: they pass the address
# check and must fail SRTP authentication.
ok "forged packets sent to bob's RTP port $bport" \
    "$UDPSEND" 127.0.0.1 127.0.0.1 "$bport" 50
# 50 more from a stranger's address: garbage auth must not latch.
ok "forged packets from another address" \
    "$UDPSEND" 127.0.0.2 127.0.0.1 "$bport" 50
ok "3 s of the call recorded on both sides" \
    wav_recorded 3 "$B" "$A"
tsp_cmd alice "hangup"
line=$(tsp_wait bob '"event":"stats"' 5)
while [ -n "$line" ] && [ "$(json_get "$line" srtp_dropped)" = 0 ]; do
	line=$(tsp_wait bob '"event":"stats"' 3) || break
done
while [ -n "$line" ] && [ "$(json_get "$line" srtp_dropped)" -lt 100 ]; do
	line=$(tsp_wait bob '"event":"stats"' 3) || break
done
is "$(json_get "$line" srtp_dropped)" 100 "the 100 forged packets were dropped and counted"
ok "the SRTP call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
ok "both quit with status 0" stop
ok "bob hears alice through SRTP" \
    "$TONECHECK" "$B" 1000 --from 0.5 --to 2.8 --min-fraction 0.8
ok "alice hears bob through SRTP" \
    "$TONECHECK" "$A" 1500 --from 0.6 --to 2.8 --min-fraction 0.8
ok "the trace shows the crypto lines" grep -q 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\*' "$T/alice.log"
ok "the forged packets moved no stream (no latch in the logs)" \
    sh -c "! grep -h 'latched' '$T/alice.log' '$T/bob.log'"
ok "no SRTP key in any trace" \
    sh -c "! grep -hE 'inline:[A-Za-z0-9+/]{20,}' '$T/alice.log' '$T/bob.log'"
done_testing
