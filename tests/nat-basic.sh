#!/bin/sh
# Registration and incoming calls through a real NAT (tests/nat-lib.sh):
# alice sits at home behind a masquerading router, Kamailio (no media
# relay, no nathelper: it routes to the Contact it is given) and bob sit
# on the internet. Alice registers through the router; Kamailio sees the
# router's address, and the Contact it stores is the public one alice
# learnt from rport/received, so bob's call reaches her; audio flows both
# ways (tone checks on both recordings).
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

sox -n -r 8000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5

# setup WHERE NAME ADDRESS
setup() {
	write_conf "$T/$2.conf" <<EOF
[sip]
listen = $3:0
[audio]
driver = file
input = $T/$2-tone.wav
output = $T/$2.wav
[account $2]
uri = sip:$2@$NAT_INET_ADDR
registrar = $KAM_URI
password = p$(printf %.1s "$2")
codecs = pcmu
EOF
	nat_tsp_start "$1" "$2" "$T/$2.conf" --trace
}

setup home alice "$NAT_HOME_ADDR"
setup inet bob "$NAT_INET_ADDR"
ok "alice registers from home" tsp_wait alice '"state":"registered"' 5
ok "bob registers from the internet" tsp_wait bob '"state":"registered"' 5
ok "Kamailio saw alice's REGISTER come from the router" \
    grep -q "REGISTER to=sip:alice@.* src=udp:$NAT_PUBLIC_ADDR:" "$KAM_LOG"
ok "and never from her private address" \
    sh -c "! grep -q 'src=udp:$NAT_HOME_ADDR' '$KAM_LOG'"
ok "alice has one binding" kam_wait_contacts alice 1 5
uris=$(kam_contact_uris alice)
like "$uris" "^sip:alice[^@]*@$NAT_PUBLIC_ADDR:[0-9]+" \
    "the binding is alice's public address (from rport/received)"

tsp_cmd bob "dial alice"
ok "bob's call reaches alice at home" \
    tsp_wait alice '"event":"call".*"state":"incoming"' 5
tsp_cmd alice answer
ok "alice is in the call" tsp_wait alice '"event":"call".*"state":"established"' 5
ok "bob is in the call" tsp_wait bob '"event":"call".*"state":"established"' 5
ok "3 s of the call recorded on both sides" \
    wav_recorded 3 "$T/alice.wav" "$T/bob.wav"
tsp_cmd bob hangup
ok "alice sees the end" tsp_wait alice '"event":"call".*"state":"terminated"' 5
ok "bob sees the end" tsp_wait bob '"event":"call".*"state":"terminated"' 5
# Alice's SDP carries her private address: bob must take her media from
# where it comes (symmetric RTP latching) and answer there.
ok "bob hears alice's 1000 Hz (home to internet)" \
    "$TONECHECK" "$T/bob.wav" 1000 --from 1 --to 3 --min-fraction 0.8
ok "alice hears bob's 1500 Hz (internet to home)" \
    "$TONECHECK" "$T/alice.wav" 1500 --from 1 --to 3 --min-fraction 0.8
is "$(tsp_quit alice)" 0 "alice quits with status 0"
is "$(tsp_quit bob)" 0 "bob quits with status 0"
ok "alice's binding is gone (the un-REGISTER got through)" \
    kam_wait_contacts alice 0 5
done_testing
