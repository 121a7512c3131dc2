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

stop() {
	tsp_quit alice >/dev/null
	tsp_quit bob >/dev/null
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
		tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null
		tsp_cmd bob "answer"
		tsp_wait alice '"event":"call".*"state":"established"' 5 >/dev/null
		want=false
		[ "$3" = srtp ] && want=true
		for n in alice bob; do
			line=$(grep '"event":"media"' "$T/$n.out" | tail -n 1)
			is "$(json_get "$line" srtp)" "$want" "$1 -> $2: $n's media srtp=$want"
		done
		tsp_cmd alice "hangup"
		tsp_wait bob '"event":"call".*"state":"terminated"' 5 >/dev/null
	fi
	stop
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
tsp_cmd alice "dial bob"
tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null
tsp_cmd bob "answer"
ok "SRTP call established" tsp_wait alice '"event":"call".*"state":"established"' 5
line=$(grep '"event":"media"' "$T/bob.out" | tail -n 1)
bport=$(json_get "$line" local | sed 's/.*://')
sleep 1.5
# 50 forged packets from the peer's own address: they pass the address
# check and must fail SRTP authentication.
"$UDPSEND" 127.0.0.1 127.0.0.1 "$bport" 50
ok "forged packets sent to bob's RTP port $bport" test "$?" -eq 0
sleep 1.5
tsp_cmd alice "hangup"
line=$(tsp_wait bob '"event":"stats"' 5)
while [ -n "$line" ] && [ "$(json_get "$line" srtp_dropped)" = 0 ]; do
	line=$(tsp_wait bob '"event":"stats"' 3) || break
done
is "$(json_get "$line" srtp_dropped)" 50 "the 50 forged packets were dropped and counted"
tsp_wait bob '"event":"call".*"state":"terminated"' 5 >/dev/null
stop
ok "bob hears alice through SRTP" \
    "$TONECHECK" "$T/bob-optional.wav" 1000 --from 0.5 --to 2.8 --min-fraction 0.8
ok "alice hears bob through SRTP" \
    "$TONECHECK" "$T/alice-mandatory.wav" 1500 --from 0.6 --to 2.8 --min-fraction 0.8
ok "the trace shows the crypto lines" grep -q 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\*' "$T/alice.log"
ok "no SRTP key in any trace" \
    sh -c "! grep -hE 'inline:[A-Za-z0-9+/]{20,}' '$T/alice.log' '$T/bob.log'"
done_testing
