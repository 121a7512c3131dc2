#!/bin/sh
# Symmetric RTP latching through a real NAT (tests/nat-lib.sh), without
# STUN: alice at home writes her private address in her SDP; bob on the
# internet latches RTP and RTCP onto the router's public address her
# packets come from, and audio flows both ways. Then a stranger on the
# internet sends its own steady RTP stream (another SSRC, its own tone)
# to bob's RTP port and to alice's public port: neither stream moves (one
# latch line only), the stranger is never heard, bob's stats count what
# he dropped. The same again with SRTP, where only packets that pass
# authentication with the peer's key may latch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
tools=$(dirname "$TSPHONE")/tests/tools
: "${TONECHECK:=$tools/tonecheck}"
RTPPEER=$tools/rtppeer
[ -x "$TONECHECK" ] && [ -x "$RTPPEER" ] || bail "test tools not built in $tools"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
nat_setup 30
nat_kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

sox -n -r 8000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5

# setup WHERE NAME ADDRESS SRTP RUN
setup() {
	write_conf "$T/$2-$5.conf" <<EOF
[sip]
listen = $3:0
[audio]
driver = file
input = $T/$2-tone.wav
output = $T/$2-$5.wav
[account $2]
uri = sip:$2@$NAT_INET_ADDR
registrar = $KAM_URI
password = p$(printf %.1s "$2")
codecs = pcmu
srtp = $4
EOF
	nat_tsp_start "$1" "$2" "$T/$2-$5.conf"
}

# stranger DST PORT FROM: 1.5 s of a steady 2500 Hz stream with its own
# SSRC, from the internet host's port FROM (no peer's)
stranger() {
	nat_exec inet "$RTPPEER" -s 0xbad -f 2500 "$NAT_INET_ADDR" "$3" \
	    "$1" "$2" 1.5 "$T/stranger-$3.wav" >/dev/null
}

# call RUN SRTP: bob calls alice; latching, strangers, tone checks
call() {
	setup home alice "$NAT_HOME_ADDR" "$2" "$1"
	setup inet bob "$NAT_INET_ADDR" "$2" "$1"
	ok "$1: alice registers from home" tsp_wait alice '"state":"registered"' 5
	ok "$1: bob registers" tsp_wait bob '"state":"registered"' 5
	tsp_cmd bob "dial alice"
	ok "$1: bob's call reaches alice" \
	    tsp_wait alice '"event":"call".*"state":"incoming"' 5
	tsp_cmd alice answer
	ok "$1: established" tsp_wait bob '"event":"call".*"state":"established"' 5
	line=$(grep '"event":"media"' "$T/alice.out" | tail -n 1)
	like "$(json_get "$line" local)" "^$NAT_HOME_ADDR:" \
	    "$1: alice's SDP gives her private address"
	line=$(grep '"event":"media"' "$T/bob.out" | tail -n 1)
	bport=$(json_get "$line" local | sed 's/.*://')
	ok "$1: bob latches RTP onto the router's public address" wait_until 3 \
	    grep -q "RTP latched to $NAT_PUBLIC_ADDR:" "$T/bob.log"
	apub=$(sed -n "s/.*RTP latched to $NAT_PUBLIC_ADDR:\([0-9]*\).*/\1/p" \
	    "$T/bob.log" | head -n 1)
	ok "$1: alice latches nothing (bob's SDP is right)" \
	    sh -c "! grep -q latched '$T/alice.log'"
	ok "$1: 1.5 s of the call recorded" wav_recorded 1.5 \
	    "$T/alice-$1.wav" "$T/bob-$1.wav"
	# both at once, from two ports
	stranger "$NAT_PUBLIC_ADDR" "$apub" 41002 &
	ok "$1: a stranger's stream to bob's RTP port $bport" \
	    stranger "$NAT_INET_ADDR" "$bport" 41000
	wait $!
	is "$?" 0 "$1: and one to alice's public port $apub"
	ok "$1: 4 s of the call recorded" wav_recorded 4 \
	    "$T/alice-$1.wav" "$T/bob-$1.wav"
	# the first report comes within 3.75 s (RFC 3550 6.2)
	ok "$1: bob latches RTCP too" wait_until 2 \
	    grep -q "RTCP latched to $NAT_PUBLIC_ADDR:" "$T/bob.log"
	is "$(grep -c 'RTP latched' "$T/bob.log")" 1 \
	    "$1: bob's stream did not move (one latch line)"
	ok "$1: alice's neither" sh -c "! grep -q latched '$T/alice.log'"
	tsp_cmd bob hangup
	ok "$1: bob sees the end" tsp_wait bob '"event":"call".*"state":"terminated"' 5
	ok "$1: alice sees the end" tsp_wait alice '"event":"call".*"state":"terminated"' 5
	line=$(grep '"event":"stats"' "$T/bob.out" | tail -n 1)
	if [ "$2" = off ]; then
		ok "$1: bob's stats count the stranger's packets ($(json_get "$line" stranger_dropped))" \
		    test "$(json_get "$line" stranger_dropped)" -ge 50
	else
		ok "$1: bob's stats count the stranger's packets as forged ($(json_get "$line" srtp_dropped))" \
		    test "$(json_get "$line" srtp_dropped)" -ge 50
	fi
	is "$(tsp_quit alice)" 0 "$1: alice quits with status 0"
	is "$(tsp_quit bob)" 0 "$1: bob quits with status 0"
	ok "$1: bob hears alice's 1000 Hz (home to internet)" \
	    "$TONECHECK" "$T/bob-$1.wav" 1000 --from 1 --to 3.8 --min-fraction 0.8
	ok "$1: alice hears bob's 1500 Hz (internet to home)" \
	    "$TONECHECK" "$T/alice-$1.wav" 1500 --from 1 --to 3.8 --min-fraction 0.8
	ok "$1: bob never hears the stranger" \
	    "$TONECHECK" "$T/bob-$1.wav" 2500 --from 0.5 --to 3.8 --absent
	ok "$1: nor does alice" \
	    "$TONECHECK" "$T/alice-$1.wav" 2500 --from 0.5 --to 3.8 --absent
	mv "$T/alice.log" "$T/alice-$1.log"
	mv "$T/bob.log" "$T/bob-$1.log"
}

call plain off
call srtp mandatory
done_testing
