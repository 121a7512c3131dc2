#!/bin/sh
# SIP keep-alives and the public contact through a real NAT whose UDP
# bindings last 3 s (tests/nat-lib.sh). Alice (keepalive = 1) and carol
# (keepalive = 0) register from home; bob calls from the internet.
#   - carol's binding at the router expires; alice's never does: her
#     OPTIONS refresh it, and bob's call still reaches her after quiet
#     time well beyond the router's timeout, while his call to carol is
#     lost at the router (the control: the NAT really forgets);
#   - the router changes its public address (its bindings go with it):
#     alice's next keep-alive is answered with the new address in Via
#     received, she says so and registers again, Kamailio has her new
#     Contact only, and bob's call reaches her there;
#   - the registrar goes away: alice's next keep-alive gets no answer,
#     she says so and registers again, and that fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
nat_setup 3
export KAM_DEFINES=CANCEL_AT_ONCE	# (bob's call into the router's void)
nat_kam_start "alice:pa" "bob:pb" "carol:pc" || bail "cannot start kamailio"

# setup WHERE NAME ADDRESS KEEPALIVE
setup() {
	write_conf "$T/$2.conf" <<EOF
[sip]
listen = $3:0
[audio]
driver = null
[account $2]
uri = sip:$2@$NAT_INET_ADDR
registrar = $KAM_URI
password = p$(printf %.1s "$2")
keepalive = $4
EOF
	nat_tsp_start "$1" "$2" "$T/$2.conf" --trace
}

setup home alice "$NAT_HOME_ADDR" 1
setup home carol "$NAT_HOME_ADDR" 0
setup inet bob "$NAT_INET_ADDR" 25
ok "alice registers from home" tsp_wait alice '"state":"registered"' 5
ok "carol registers from home" tsp_wait carol '"state":"registered"' 5
ok "bob registers from the internet" tsp_wait bob '"state":"registered"' 5
ok "alice logs the address the registrar sees" \
    grep -Eq "\"text\":\"account alice: the registrar sees us at $NAT_PUBLIC_ADDR:[0-9]+ \\(behind a NAT\\)\"" "$T/alice.out"

public_port() {	# USER: the port of its Contact at Kamailio (one contact)
	kam_contact_uris "$1" | sed -n "s/^sip:$1@$NAT_PUBLIC_ADDR:\([0-9]*\).*/\1/p"
}
aport=$(public_port alice)
cport=$(public_port carol)
ok "alice's Contact is public ($NAT_PUBLIC_ADDR:$aport)" test -n "$aport"
ok "carol's Contact is public ($NAT_PUBLIC_ADDR:$cport)" test -n "$cport"

# a call out from home: its Contact is public too, so the BYE bob sends
# (through Kamailio, which relays to the internet only) finds her
tsp_cmd alice "dial bob"
ok "alice's call reaches bob" tsp_wait bob '"event":"call".*"state":"incoming"' 5
tsp_cmd bob answer
ok "alice's call is up" tsp_wait alice '"event":"call".*"state":"established"' 5
invite_contact=$(awk '/ sip    INVITE sip:bob/ { inv = 1; next }
	inv && / sip    Contact:/ { sub(/.* sip    Contact: /, ""); print; exit }
	/ sip    -----/ { inv = 0 }' "$T/alice.log")
is "$invite_contact" "<sip:alice@$NAT_PUBLIC_ADDR:$aport;transport=udp>" \
    "her INVITE's Contact is her public address"
tsp_cmd bob hangup
ok "bob's BYE reaches her" tsp_wait alice '"event":"call".*"state":"terminated"' 5
ok "bob sees the end" tsp_wait bob '"event":"call".*"state":"terminated"' 5

# carol sends nothing: the router forgets her within its 3 s (plus the
# conntrack timer's slack); alice's OPTIONS keep hers
t0=$(_lib_now_ms)
ok "the router forgets carol's binding" wait_until 10 nat_no_binding "$cport"
diag "carol's binding went $(( $(_lib_now_ms) - t0 )) ms after all three had registered"
ok "the router still has alice's" nat_binding "$aport"
# one more timeout of quiet for alice (her keep-alives are the only
# traffic): twice the router's timeout since she registered
sleep 3
ok "alice's binding outlives two of the router's timeouts" nat_binding "$aport"
like "$(grep -c 'OPTIONS sip:' "$T/alice.log")" '^([4-9]|[1-9][0-9]+)$' \
    "alice sent an OPTIONS a second"
is "$(grep -c 'OPTIONS sip:' "$T/carol.log")" 0 "carol (keepalive = 0) sent none"

tsp_cmd bob "dial alice"
ok "bob's call reaches alice after the quiet time" \
    tsp_wait alice '"event":"call".*"state":"incoming"' 5
tsp_cmd bob hangup
ok "bob's call to alice ends" tsp_wait alice '"event":"call".*"state":"terminated"' 5
ok "bob sees it end" tsp_wait bob '"event":"call".*"state":"terminated"' 5

tsp_cmd bob "dial carol"
ok "Kamailio sends bob's call to carol's old public address" \
    wait_until 5 grep -q "new branch .* to sip:carol@$NAT_PUBLIC_ADDR:$cport" "$KAM_LOG"
# an absence: give the INVITE's retransmissions two seconds to get in
sleep 2
is "$(tsp_count carol '"event":"call"')" 0 "the router drops it: carol never hears of it"
tsp_cmd bob hangup
ok "bob gives up on carol" tsp_wait bob '"event":"call".*"state":"terminated"' 5

# a new public address: the router's bindings go with the old one
nat_readdress 203.0.113.2
ok "alice's keep-alive learns the new address and she says so" \
    tsp_wait alice "\"text\":\"account alice: public address changed from 203\\.0\\.113\\.1:$aport to 203\\.0\\.113\\.2:[0-9]+; registering again\"" 5
ok "she registers again" tsp_wait alice '"state":"registered"' 5
new_uris() { kam_contact_uris alice | tr '\n' ' '; }
_has_new() { new_uris | grep -Eq "^sip:alice@203\.0\.113\.2:[0-9]+;transport=udp $"; }
ok "Kamailio has only her new Contact" wait_until 5 _has_new
diag "alice's bindings at Kamailio: $(new_uris)"
tsp_cmd bob "dial alice"
ok "bob's call reaches alice at her new address" \
    tsp_wait alice '"event":"call".*"state":"incoming"' 5
tsp_cmd bob hangup
ok "that call ends" tsp_wait alice '"event":"call".*"state":"terminated"' 5

kam_stop
ok "with the registrar gone, alice's keep-alive gets no answer" \
    tsp_wait alice '"text":"account alice: no answer to the keep-alive \([0-9]+ [^)]*\); registering again"' 5
ok "and her registration fails" tsp_wait alice '"state":"failed"' 5
is "$(tsp_quit alice)" 0 "alice quits with status 0"
is "$(tsp_quit carol)" 0 "carol quits with status 0"
is "$(tsp_quit bob)" 0 "bob quits with status 0"
done_testing
