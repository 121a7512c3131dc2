#!/bin/sh
# A registrar that is not running: the failure says so at once, the
# phone retries with backoff and registers once the registrar is up. A
# registrar that never answers ends in a timeout with a reason.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init

port=$(free_port) || bail "no free port"
write_conf "$T/dave.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account dave]
uri = sip:dave@127.0.0.1
registrar = sip:127.0.0.1:$port
password = pw
EOF
tsp_start dave "$T/dave.conf"
line=$(tsp_wait dave '"state":"failed"' 3)
ok "fails while nothing listens" test -n "$line"
like "$(json_get "$line" reason)" 'cannot reach the registrar' "reason: cannot reach"
is "$(json_get "$line" retry_in)" 4 "retry armed"
kam_start_on "$port" "dave:pw" || bail "cannot start kamailio on $port"
line=$(tsp_wait dave '"state":"registered"' 10)
ok "registers on retry once the registrar is up" test -n "$line"
is "$(kam_contacts dave)" 1 "binding present"
is "$(tsp_quit dave)" 0 "quit exits 0"
is "$(kam_contacts dave)" 0 "binding removed"

# noanswer* users are silently dropped by the test registrar.
write_conf "$T/mute.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account mute]
uri = sip:noanswer@127.0.0.1
registrar = $KAM_URI
password = pw
EOF
tsp_start mute "$T/mute.conf"
ok "registering" tsp_wait mute '"state":"registering"' 2
line=$(tsp_wait mute '"state":"failed"' 40)
ok "a registrar that never answers ends in failure" test -n "$line"
is "$(json_get "$line" code)" 408 "with 408"
like "$(json_get "$line" reason)" 'timeout' "reason says timeout"
ok "keeps running" tsp_running mute
started=$(date +%s)
is "$(tsp_quit mute)" 0 "quit exits 0"
ok "quit does not wait for a dead registrar" test $(( $(date +%s) - started )) -le 4
done_testing
