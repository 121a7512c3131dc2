#!/bin/sh
# Presence end to end, through Kamailio with its presence modules
# (kam_start_presence): alice and bob publish (presence = yes) and watch
# each other through the server (watch). Bob in a call shows busy at
# alice within 2 s, and online again after it; alice's "presence away
# NOTE" reaches bob's watch of her; bob quitting shows offline at alice.
. "$(dirname "$0")/lib.sh"
require_kamailio_presence
require_tsphone
tmpdir_init
kam_start_presence "alice:pa" "bob:pb" || bail "cannot start kamailio with presence"

for u in alice:pa bob:pb; do
	name=${u%%:*}
	write_conf "$T/$name.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account $name]
uri = sip:$name@127.0.0.1
registrar = $KAM_URI
password = ${u#*:}
presence = yes
EOF
	tsp_start "$name" "$T/$name.conf"
done
for n in alice bob; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done

# watching NAME URI: the last presence event of NAME about URI, watched
watched() {
	tsp_last "$1" event=presence uri="$2" own=false
}
# state_is NAME URI STATE
state_is() {
	[ "$(json_get "$(watched "$1" "$2")" state)" = "$3" ]
}

tsp_cmd alice "watch sip:bob@127.0.0.1"
tsp_cmd bob "watch sip:alice@127.0.0.1"
ok "alice sees bob online" wait_until 5 state_is alice sip:bob@127.0.0.1 online
ok "bob sees alice online" wait_until 5 state_is bob sip:alice@127.0.0.1 online

# --- bob in a call: busy at alice within 2 s
tsp_cmd alice "dial bob"
ok "bob rings" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob answer
ok "bob: established" tsp_wait bob '"event":"call".*"state":"established"' 5
t0=$(date +%s%N)
ok "alice sees bob busy within 2 s" wait_until 2 state_is alice sip:bob@127.0.0.1 busy
t1=$(date +%s%N)
diag "bob busy at alice $(( (t1 - t0) / 1000000 )) ms after bob's established event"
ok "bob sees alice busy too (she dialled)" wait_until 2 state_is bob sip:alice@127.0.0.1 busy
tsp_cmd bob hangup
ok "the call ends" tsp_wait alice '"event":"call".*"state":"terminated"' 5
ok "alice sees bob online again" wait_until 2 state_is alice sip:bob@127.0.0.1 online

# --- alice's PUBLISH reaches bob's watch of her
tsp_cmd alice 'presence away "back at 3"'
ok "bob sees alice away" wait_until 2 state_is bob sip:alice@127.0.0.1 away
is "$(json_get "$(watched bob sip:alice@127.0.0.1)" note)" "back at 3" "with her note"

# --- bob quits: offline at alice
is "$(tsp_quit bob)" 0 "bob quits with status 0"
ok "alice sees bob offline" wait_until 3 state_is alice sip:bob@127.0.0.1 offline
is "$(tsp_quit alice)" 0 "alice quits with status 0"
ok "nothing of theirs is left on the server" \
	test "$(kam_sql 'SELECT count(*) FROM presentity;')" = 0
done_testing
