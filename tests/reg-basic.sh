#!/bin/sh
# Registration through a real Kamailio with digest auth: registers fast,
# the binding is in the location table with our contact, status reports
# it, quit removes it, and no secret reaches the output, log or trace.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init

PASS='se:cr#et "q" \x'
kam_start "alice:$PASS" || bail "cannot start kamailio"

write_conf "$T/alice.conf" <<EOF
[sip]
listen = 127.0.0.1:0

[audio]
driver = null

[account alice]
uri = sip:alice@127.0.0.1
display_name = "Alice \"A\" Example"
registrar = $KAM_URI
password = "se:cr#et \"q\" \\\\x"
expires = 300
EOF

tsp_start alice "$T/alice.conf" --trace
line=$(tsp_wait alice '"state":"registered"' 2)
ok "registers within 2 s (password with : # quotes and backslash)" test -n "$line"
is "$(json_get "$line" code)" 200 "registered with code 200"
is "$(json_get "$line" expires)" 300 "expires granted is reported"
is "$(json_get "$line" account)" alice "event names the account"
is "$(kam_contacts alice)" 1 "one binding in Kamailio's location table"
like "$(kam_contact_uris alice)" '^sip:alice@127\.0\.0\.1:[0-9]+' "the binding is our contact"

tsp_cmd alice status
line=$(tsp_wait alice '"event":"registration"' 2)
is "$(json_get "$line" state)" registered "status reports the registration"

tsp_cmd alice "frobnicate"
line=$(tsp_wait alice '"event":"error"' 2)
is "$(json_get "$line" command)" frobnicate "an unknown command is an error event"
ok "and the phone keeps running" tsp_running alice

rc=$(tsp_quit alice)
is "$rc" 0 "quit exits 0"
is "$(tsp_count alice '"state":"unregistered","code":200')" 1 "un-REGISTER answered 200"
is "$(kam_contacts alice)" 0 "no binding left after quit"

ok "the trace has the SIP messages" grep -q "REGISTER $KAM_URI SIP/2.0" "$T/alice.log"
ok "the trace has the Authorization header" grep -q "Authorization: Digest" "$T/alice.log"
ok "digest response is masked in the trace" grep -q 'response="\*"' "$T/alice.log"
ok "no digest response value in the trace" \
    sh -c "! grep -E 'response=\"[0-9a-f]{32}\"' '$T/alice.log'"
for f in alice.out alice.err alice.log; do
	ok "password not in $f" sh -c "! grep -F 'se:cr#et' '$T/$f'"
done
done_testing
