#!/bin/sh
# A flood of watchers: 70 peers SUBSCRIBE to our presence at once
# (SIPp). 64 are served (a NOTIFY each), the rest get 503; status counts
# 64 SIP handles; quit sends the 64 terminated NOTIFYs, is answered, and
# exits 0 within its bound.
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init

port=$(free_port) || bail "no free port"
write_conf "$T/me.conf" <<EOF2
[sip]
listen = 127.0.0.1:$port
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
register = no
EOF2
tsp_start me "$T/me.conf"
ok "tsphone is up" tsp_wait me '"event":"registration".*"account":"alice"' 5

SIPP_TIMEOUT=30
export SIPP_TIMEOUT
sipp_start flood uac-subscribe-flood.xml "127.0.0.1:$port" -s alice -m 70 -r 200 -l 70
_served() { [ "$(tsp_count me 'watches the presence of alice')" -ge 64 ]; }
ok "64 watchers are served" wait_until 10 _served
_refused() { [ "$(grep -c '^SIP/2.0 503' "$T/flood.msg" 2>/dev/null)" -ge 6 ]; }
ok "the other 6 get 503" wait_until 5 _refused
ok "with Retry-After" grep -qi '^Retry-After: *60' "$T/flood.msg"
is "$(tsp_count me 'watches the presence of alice')" 64 "no more than 64"
tsp_cmd me status
line=$(tsp_wait me '"event":"status"' 3)
is "$(json_get "$line" handles)" 64 "64 SIP handles, one per watcher"
t0=$(date +%s%N)
is "$(tsp_quit me 10)" 0 "quit exits 0"
t1=$(date +%s%N)
diag "quit with 64 watchers took $(( (t1 - t0) / 1000000 )) ms"
sipp_wait flood 20
is "$?" 0 "every watcher got its terminated NOTIFY (SIPp's calls completed)"
is "$(grep -c '^Subscription-State: *terminated' "$T/flood.msg")" 64 "64 terminated NOTIFYs"
done_testing
