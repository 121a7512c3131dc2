#!/bin/sh
# transport = tcp: the registered Contact carries ";transport=tcp", so an
# incoming call arrives over TCP (not over UDP, where the phone also
# listens); when the registrar goes away and its connection closes, the
# account registers again within the retry period once it is back.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

for n in alice bob; do
	tp=udp
	[ "$n" = alice ] && tp=tcp
	write_conf "$T/$n.conf" <<EOF2
[sip]
listen = 127.0.0.1:0

[audio]
driver = null

[account $n]
uri = sip:$n@127.0.0.1
registrar = $KAM_URI
transport = $tp
password = p${n%"${n#?}"}
EOF2
	tsp_start "$n" "$T/$n.conf" --trace
done
ok "alice registers over TCP" tsp_wait alice '"state":"registered"' 5
ok "bob registers over UDP" tsp_wait bob '"state":"registered"' 5
ok "the REGISTER came over TCP" grep -q 'REGISTER to=sip:alice.*src=tcp:127.0.0.1' "$KAM_LOG"
like "$(kam_contact_uris alice)" ';transport=tcp' "alice's binding says transport=tcp"
like "$(kam_contact_uris bob)" '^sip:bob@127\.0\.0\.1:[0-9]+$' "bob's binding has no transport"

tsp_cmd bob "dial alice"
ok "alice rings" tsp_wait alice '"event":"call".*"state":"incoming"' 5
ok "the INVITE reached alice over TCP" grep -q 'recv .* from tcp/' "$T/alice.log"
ok "nothing reached alice over UDP" sh -c "! grep -q 'recv .* from udp/' '$T/alice.log'"
tsp_cmd alice "reject"
ok "bob's call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5

# The registrar restarts (its bindings live in memory: alice's is gone).
# The closed connection makes the stack send a new REGISTER at once; it
# fails while nobody listens, and the retry after the backoff (4 s)
# finds the registrar back.
kport=$KAM_PORT
kam_stop
line=$(tsp_wait alice '"event":"registration".*"state":"failed"' 10)
ok "alice sees the registrar gone, at once" test -n "$line"
kam_start_on "$kport" "alice:pa" "bob:pb" || bail "cannot restart kamailio"
line=$(tsp_wait alice '"event":"registration".*"state":"registered"' 15)
ok "alice registers again when it is back" test -n "$line"
alice_bound() { [ "$(kam_contacts alice)" -ge 1 ]; }
ok "the restarted registrar has alice's binding" wait_until 5 alice_bound
like "$(kam_contact_uris alice)" ';transport=tcp' "over TCP again"
is "$(tsp_quit alice)" 0 "alice quits"
is "$(tsp_quit bob)" 0 "bob quits"
is "$(kam_contacts alice)" 0 "no binding left"
done_testing
