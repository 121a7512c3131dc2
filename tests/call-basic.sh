#!/bin/sh
# Call control between two tsphone instances through Kamailio (digest
# auth on REGISTER and INVITE): ringing, reject (486 and 603), cancel,
# answer, hold/resume seen on both sides, hang up from either side, a
# second incoming call that holds the first, switch, mute.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
kam_start "alice:pa" "bob:pb" "carol:pc" || bail "cannot start kamailio"

for u in alice:pa bob:pb carol:pc; do
	name=${u%%:*}
	write_conf "$T/$name.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account $name]
uri = sip:$name@127.0.0.1
display_name = ${name}
registrar = $KAM_URI
password = ${u#*:}
EOF
	tsp_start "$name" "$T/$name.conf"
done
for n in alice bob carol; do
	tsp_wait "$n" '"state":"registered"' 3 >/dev/null || bail "$n did not register"
done

call_field() {	# LINE KEY
	json_get "$1" "$2"
}

# --- reject with 486 (default) and 603
tsp_cmd alice "dial bob"
line=$(tsp_wait bob '"event":"call".*"state":"incoming"' 5)
ok "bob sees the incoming call" test -n "$line"
like "$(call_field "$line" remote)" 'alice.* <sip:alice@127\.0\.0\.1>' "bob sees who calls (name and URI)"
is "$(call_field "$line" direction)" in "direction in"
line=$(tsp_wait alice '"event":"call".*"state":"ringing"' 5)
ok "alice hears ringing" test -n "$line"
is "$(call_field "$line" direction)" out "direction out"
tsp_cmd bob "reject"
line=$(tsp_wait alice '"event":"call".*"state":"terminated"' 5)
is "$(call_field "$line" code)" 486 "reject gives the caller 486"
line=$(tsp_wait bob '"event":"call".*"state":"terminated"' 5)
ok "the rejected call ends on bob's side" test -n "$line"

tsp_cmd alice "dial sip:bob@127.0.0.1"
ok "reject 603: bob rings" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob "reject 603"
line=$(tsp_wait alice '"event":"call".*"state":"terminated"' 5)
is "$(call_field "$line" code)" 603 "reject 603 gives the caller 603 (decline)"

# --- cancel before answer
tsp_cmd alice "dial bob"
ok "cancel: bob rings" tsp_wait bob '"state":"incoming"' 5
ok "cancel: alice hears ringing" tsp_wait alice '"state":"ringing"' 5
tsp_cmd alice "hangup"
line=$(tsp_wait bob '"event":"call".*"state":"terminated"' 5)
ok "cancel ends the call at the callee" test -n "$line"
is "$(call_field "$line" code)" 487 "with 487"
like "$(call_field "$line" reason)" 'cancel' "reason says cancelled"
line=$(tsp_wait alice '"event":"call".*"state":"terminated"' 5)
ok "and at the caller" test -n "$line"

# --- answer, hold, resume, mute, hang up by the callee
tsp_cmd alice "dial bob"
ok "hold: bob rings" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob "answer"
ok "bob: established" tsp_wait bob '"event":"call".*"state":"established"' 5
ok "alice: established" tsp_wait alice '"event":"call".*"state":"established"' 5
line=$(grep '"event":"media"' "$T/alice.out" | tail -n 1)
ok "alice gets a media event" test -n "$line"
like "$(call_field "$line" remote)" '^127\.0\.0\.1:[0-9]+$' "media remote address"
is "$(call_field "$line" codec)" opus "opus is negotiated by default"

tsp_cmd alice "hold"
ok "alice: held" tsp_wait alice '"event":"call".*"state":"held"' 5
ok "bob sees held_by_remote" tsp_wait bob '"event":"call".*"held_by_remote":true' 5
line=$(tsp_wait alice '"event":"media".*"direction":"sendonly"' 5)
ok "alice's media is sendonly while holding" test -n "$line"
tsp_cmd bob "hold"
ok "both on hold: bob's media is inactive" tsp_wait bob '"event":"media".*"direction":"inactive"' 5
tsp_cmd bob "resume"
ok "bob resumes: recvonly again while alice holds" \
    tsp_wait bob '"event":"media".*"direction":"recvonly"' 5
tsp_cmd alice "resume"
ok "alice: established again" tsp_wait alice '"event":"call".*"state":"established"' 5
ok "bob sees the resume" tsp_wait bob '"event":"call".*"held_by_remote":false' 5
tsp_cmd alice "mute"
ok "mute is shown" tsp_wait alice '"event":"call".*"muted":true' 2
tsp_cmd alice "mute"
ok "muting twice is an error" tsp_wait alice '"event":"error","command":"mute"' 2
tsp_cmd alice "unmute"
ok "unmute is shown" tsp_wait alice '"event":"call".*"muted":false' 2
tsp_cmd alice "hold 99"
like "$(tsp_wait alice '"event":"error"' 2)" 'no call 99' "a bad call id is an error"
tsp_cmd bob "hangup"
line=$(tsp_wait alice '"event":"call".*"state":"terminated"' 5)
like "$(call_field "$line" reason)" 'remote hung up' "the callee hangs up"
ok "bob's call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5

# --- a second incoming call holds the first when answered
tsp_cmd alice "dial bob"
ok "second call: bob rings for alice" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob "answer"
ok "second call: alice is connected" \
    tsp_wait alice '"event":"call".*"state":"established"' 5
tsp_cmd carol "dial bob"
line=$(tsp_wait bob '"event":"call".*"state":"incoming"' 5)
ok "a second call rings during the first" test -n "$line"
id2=$(call_field "$line" id)
tsp_cmd bob "answer $id2"
ok "answering it puts the first on hold" tsp_wait bob '"event":"call".*"state":"held"' 5
ok "alice sees she is held" tsp_wait alice '"held_by_remote":true' 5
ok "carol is connected" tsp_wait carol '"event":"call".*"state":"established"' 5
tsp_cmd bob "status"
ok "status lists the held call" tsp_wait bob '"event":"call".*"state":"held"' 2
tsp_cmd carol "hangup"
ok "carol hangs up" tsp_wait bob '"event":"call".*"id":'"$id2"'.*"state":"terminated"' 5
tsp_cmd bob "resume"
ok "bob resumes alice" tsp_wait alice '"held_by_remote":false' 5
tsp_cmd alice "hangup"
line=$(tsp_wait bob '"event":"call".*"state":"terminated"' 5)
like "$(call_field "$line" reason)" 'remote hung up' "the caller hangs up"

# --- quit with a call up hangs it up first
tsp_cmd alice "dial bob"
ok "quit: bob rings" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob "answer"
ok "quit: the call is up" tsp_wait alice '"event":"call".*"state":"established"' 5
is "$(tsp_quit alice)" 0 "alice quits during a call"
ok "bob's call ends when alice quits" tsp_wait bob '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit bob)" 0 "bob quits"
is "$(tsp_quit carol)" 0 "carol quits"
is "$(kam_contacts alice)$(kam_contacts bob)$(kam_contacts carol)" 000 "no bindings left"
done_testing
