#!/bin/sh
# STUN for media behind a real NAT (tests/nat-lib.sh): alice sits at home
# behind a masquerading, port-restricted router; Kamailio (no media
# relay), coturn (plain STUN) and bob sit on the internet. With
# [account] stun_server, alice's SDP carries the router's public address
# and the port it maps her RTP socket to, so bob's RTP reaches her
# without any latching on his side, and audio flows both ways (tone
# checks), for her calls out and for calls in. A STUN server that does
# not answer: the call still goes ahead, with the reason logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
nat_setup 30
nat_kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"
nat_stun_start
diag "STUN server: coturn on $NAT_STUN"

sox -n -r 8000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5

# setup WHERE NAME ADDRESS [EXTRA CONFIG LINE]
setup() {
	write_conf "$T/$2.conf" <<EOF
[sip]
listen = $3:0
[audio]
driver = file
input = $T/$2-tone.wav
output = $T/${OUTNAME:-$2}.wav
[account $2]
uri = sip:$2@$NAT_INET_ADDR
registrar = $KAM_URI
password = p$(printf %.1s "$2")
codecs = pcmu
${4:-}
EOF
	nat_tsp_start "$1" "$2" "$T/$2.conf" --trace
	tsp_wait "$2" '"state":"registered"' 5 >/dev/null || bail "$2 did not register"
}

hears() {	# FILE FREQ FROM TO
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}

# The public RTP address:port alice's log says STUN gave (last call).
mapped() {
	sed -n 's/.*STUN server [^ ]* sees [^ ]* as \([^ ]*\) (RTCP.*/\1/p' \
	    "$T/alice.log" | tail -n 1
}

setup home alice "$NAT_HOME_ADDR" "stun_server = $NAT_STUN"
setup inet bob "$NAT_INET_ADDR"

# --- alice calls out --------------------------------------------------
tsp_cmd alice "dial bob"
ok "alice's call reaches bob" tsp_wait bob '"event":"call".*"state":"incoming"' 5
m=$(mapped)
like "$m" "^$NAT_PUBLIC_ADDR:[0-9]+\$" \
    "STUN sees alice's RTP socket at the router's address ($m)"
ok "alice's log names her private socket and the public one" \
    grep -q "sees $NAT_HOME_ADDR:[0-9]* as $m " "$T/alice.log"
ok "the INVITE bob got carries the public address (c=)" \
    grep -q "c=IN IP4 $NAT_PUBLIC_ADDR" "$T/bob.log"
ok "and not the private one" \
    sh -c "! grep -q 'c=IN IP4 $NAT_HOME_ADDR' '$T/bob.log'"
ok "and the public port (m=)" grep -q "m=audio ${m#*:} RTP/AVP" "$T/bob.log"
tsp_cmd bob answer
ok "the call is up" tsp_wait alice '"event":"call".*"state":"established"' 5
line=$(grep '"event":"media"' "$T/bob.out" | tail -n 1)
is "$(json_get "$line" remote)" "$m" "bob sends his RTP to alice's public address"
ok "2.5 s of the call recorded on both sides" \
    wav_recorded 2.5 "$T/alice.wav" "$T/bob.wav"
# Re-INVITEs (hold, resume) keep the public address.
tsp_cmd alice hold
ok "alice holds: bob is told" tsp_wait bob '"held_by_remote":true' 5
tsp_cmd alice resume
ok "alice resumes: bob is told" tsp_wait bob '"held_by_remote":false' 5
n=$(grep -c "c=IN IP4 $NAT_PUBLIC_ADDR" "$T/bob.log")
ok "the INVITE and both re-INVITEs bob got carry the public address ($n)" \
    test "$n" -ge 3
ok "and the same public port" \
    test "$(grep -c "m=audio ${m#*:} RTP/AVP" "$T/bob.log")" -ge 3
ok "never the private address" \
    sh -c "! grep -q 'c=IN IP4 $NAT_HOME_ADDR' '$T/bob.log'"
tsp_cmd alice hangup
ok "bob sees the end" tsp_wait bob '"event":"call".*"state":"terminated"' 5
ok "alice sees the end" tsp_wait alice '"event":"call".*"state":"terminated"' 5
ok "bob hears alice's 1000 Hz (home to internet)" hears "$T/bob.wav" 1000 0.6 2.4
ok "alice hears bob's 1500 Hz (internet to home, through the binding)" \
    hears "$T/alice.wav" 1500 1 2.4

# --- bob calls alice --------------------------------------------------
tsp_cmd bob "dial alice"
ok "bob's call reaches alice at home" \
    tsp_wait alice '"event":"call".*"state":"incoming"' 5
m=$(mapped)
like "$m" "^$NAT_PUBLIC_ADDR:[0-9]+\$" "the binding is known when it rings ($m)"
tsp_cmd alice answer
ok "the call is up" tsp_wait bob '"event":"call".*"state":"established"' 5
ok "alice too" tsp_wait alice '"event":"call".*"state":"established"' 5
a0=$(wav_pos "$T/alice.wav") b0=$(wav_pos "$T/bob.wav")
line=$(grep '"event":"media"' "$T/bob.out" | tail -n 1)
is "$(json_get "$line" remote)" "$m" "alice's answer gave bob her public address"
ok "3.5 s more recorded on both sides" \
    wav_recorded "$(wav_add "$a0" 3.5)" "$T/alice.wav"
ok "... on bob's side too" wav_recorded "$(wav_add "$b0" 3.5)" "$T/bob.wav"
diag "call 2 established at $a0 s of alice's recording, $b0 s of bob's"
tsp_cmd bob hangup
ok "alice sees the end" tsp_wait alice '"event":"call".*"state":"terminated"' 5
diag "alice: $(grep '"event":"stats"' "$T/alice.out" | tail -n 1)"
diag "bob: $(grep '"event":"stats"' "$T/bob.out" | tail -n 1)"
is "$(tsp_quit alice)" 0 "alice quits with status 0"
ok "bob hears alice" hears "$T/bob.wav" 1000 "$(wav_add "$b0" 1.5)" "$(wav_add "$b0" 3.4)"
ok "alice hears bob" hears "$T/alice.wav" 1500 "$(wav_add "$a0" 1.5)" "$(wav_add "$a0" 3.4)"

# --- the STUN server does not answer ----------------------------------
dead=$(free_port) || bail "no free port"
OUTNAME=alice-dead
setup home alice "$NAT_HOME_ADDR" "stun_server = $NAT_INET_ADDR:$dead"
tsp_cmd alice "dial bob"
ok "the call still goes out" tsp_wait bob '"event":"call".*"state":"incoming"' 5
ok "alice says why, in plain words" \
    grep -q "STUN server $NAT_INET_ADDR:$dead did not answer; the SDP carries the local address $NAT_HOME_ADDR" "$T/alice.log"
tsp_cmd bob answer
ok "the call is up" tsp_wait alice '"event":"call".*"state":"established"' 5
tsp_cmd alice hangup
ok "bob sees the end" tsp_wait bob '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit alice)" 0 "alice quits with status 0"
is "$(tsp_quit bob)" 0 "bob quits with status 0"
done_testing
