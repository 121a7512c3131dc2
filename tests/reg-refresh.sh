#!/bin/sh
# With a short expires the stack refreshes the binding before it ends,
# and each refresh is reported as registered again.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
kam_start "bob:pw" || bail "cannot start kamailio"

write_conf "$T/bob.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account bob]
uri = sip:bob@127.0.0.1
registrar = $KAM_URI
password = pw
expires = 10
EOF

tsp_start bob "$T/bob.conf"
line=$(tsp_wait bob '"state":"registered"' 3)
ok "registers" test -n "$line"
is "$(json_get "$line" expires)" 10 "10 s granted"
line=$(tsp_wait bob '"state":"registered"' 12)
ok "refreshed before expiry" test -n "$line"
is "$(kam_contacts bob)" 1 "still exactly one binding after the refresh"
is "$(tsp_count bob '"state":"(failed|registering)"')" 1 \
    "refreshes are silent: one registering, no failure"
n=$(grep -c 'REGISTER to=sip:bob' "$KAM_LOG")
ok "Kamailio saw the refresh REGISTERs ($n)" test "$n" -ge 3
is "$(tsp_quit bob)" 0 "quit exits 0"
is "$(kam_contacts bob)" 0 "no binding after quit"
done_testing
