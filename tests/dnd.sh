#!/bin/sh
# Do not disturb and forwarding, through Kamailio, against a calling
# tsphone and a calling baresip 1.0: with DND the caller gets 486, the
# callee never rings and shows the call ended; with forward the caller
# gets 302, follows it to the target and talks to it (the target's
# recording holds the caller's tone). Per-account and global settings,
# the config keys as the starting state, the registration and status
# fields, and bad arguments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/baresip-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
bs_setup skip_all
sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5 &&
    sox -n -r 48000 -c 1 -b 16 "$T/bs-tone.wav" synth 1 sine 600 vol 0.5 &&
    sox -n -r 48000 -c 1 -b 16 "$T/quiet.wav" synth 1 sine 300 vol 0.5 ||
	bail "sox cannot make the tones"
kam_start alice:pa bob:pb carol:pc dave:pd b1:pb1 || bail "cannot start kamailio"

# phone NAME PASSWORD INPUT [EXTRA CONFIG LINES]
phone() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $3
output = $T/$1.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = $2
${4:-}
EOF
	tsp_start "$1" "$T/$1.conf"
}

phone alice pa "$T/alice-tone.wav"
# bob starts with do not disturb on, from the config
phone bob pb "$T/quiet.wav" "dnd = yes"
phone carol pc "$T/quiet.wav" "auto_answer = yes"
phone dave pd "$T/quiet.wav" "auto_answer = yes"
# (its requests go through Kamailio, as a phone's do through its
# provider's proxy: the 302's Contact, sip:dave@127.0.0.1, names the
# domain, not a port)
bs_start b1 "$T/bs-tone.wav" "$T/b1.wav" \
    "<sip:b1@$KAM_HOSTPORT>;auth_pass=pb1;answermode=manual;audio_codecs=opus/48000/1;outbound=\"sip:$KAM_HOSTPORT\""
for n in alice carol dave; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done
line=$(tsp_wait bob '"state":"registered"' 5) || bail "bob did not register"
is "$(json_get "$line" dnd)" true "dnd = yes in the config: bob starts with DND"
kam_wait_contacts b1 1 5 || bail "baresip did not register"

# --- DND: a tsphone calls
tsp_cmd alice "dial bob"
line=$(tsp_wait alice '"event":"call".*"state":"terminated"' 5)
is "$(json_get "$line" code)" 486 "DND: the calling tsphone gets 486"
line=$(tsp_wait bob '"event":"call".*"state":"terminated"' 5)
ok "DND: bob shows the call, ended" test -n "$line"
is "$(json_get "$line" direction)" in "DND: an incoming call"
like "$(json_get "$line" reason)" "do not disturb" "DND: the reason says why"
is "$(tsp_count bob '"state":"incoming"')" 0 "DND: bob never rang"

# --- DND: baresip calls
from=$(bs_lines b1)
bs_cmd b1 dial "sip:bob@$KAM_HOSTPORT"
ok "DND: baresip's call is closed" bs_wait b1 CALL_CLOSED 5 "$from"
like "$(bs_params b1 CALL_CLOSED "$from")" "486" "DND: baresip sees 486"
is "$(tsp_count bob '"state":"incoming"')" 0 "DND: bob never rang for baresip"
tsp_cmd bob "status"
line=$(tsp_wait bob '"event":"status"' 3)
is "$(json_get "$line" missed)" 2 "DND: both refused calls count as missed"

# --- the rule: global, per account, status
tsp_cmd bob "dnd off"
line=$(tsp_wait bob '"event":"registration"' 3)
is "$(json_get "$line" dnd)" false "dnd off (global) overrides the config's start"
tsp_cmd bob "dnd on bob"
line=$(tsp_wait bob '"event":"registration"' 3)
is "$(json_get "$line" dnd)" true "dnd on ACCOUNT"
tsp_cmd bob "status"
line=$(tsp_wait bob '"event":"status"' 3)
is "$(json_get "$line" dnd)" false "status: the global DND is still off"
tsp_cmd bob "dnd off bob"
tsp_wait bob '"event":"registration".*"dnd":false' 3 >/dev/null
tsp_cmd bob "dnd maybe"
line=$(tsp_wait bob '"event":"error"' 3)
like "$(json_get "$line" message)" "on or off" "dnd maybe is refused"
tsp_cmd bob "forward sip:"
line=$(tsp_wait bob '"event":"error"' 3)
is "$(json_get "$line" command)" forward "a bad forward target is refused"
tsp_cmd bob "dnd on nosuch"
line=$(tsp_wait bob '"event":"error"' 3)
is "$(json_get "$line" command)" dnd "an unknown account is refused"

# --- forward: a tsphone calls, follows the 302 to carol, talks
tsp_cmd bob "forward carol"
line=$(tsp_wait bob '"event":"registration"' 3)
is "$(json_get "$line" forward)" "sip:carol@127.0.0.1" \
    "forward carol: a bare user is one at the account's domain"
tsp_cmd bob "status"
line=$(tsp_wait bob '"event":"status"' 3)
is "$(json_get "$line" forward)" carol "status: the global forward, as typed"
n=$(tsp_count bob '"event":"call"')
tsp_cmd alice "dial bob"
# (Sofia's nua follows a 3xx by itself: alice's call to bob goes on,
# sent to carol)
ok "forward: alice's call is answered" \
    tsp_wait alice '"event":"call".*"state":"established"' 5
line=$(tsp_wait carol '"event":"call".*"state":"established"' 5)
like "$(json_get "$line" remote)" "alice" "forward: carol answered alice"
is "$(tsp_count alice '"event":"call".*"state":"terminated"')" 1 \
    "forward: alice's call did not end (only the DND one did)"
is "$(tsp_count bob '"event":"call"')" "$n" "forward: bob shows no call"
t=$(wav_pos "$T/carol.wav")
ok "forward: 2 s of the call at carol" wav_wait "$T/carol.wav" "$(wav_add "$t" 2)"
ok "forward: carol hears alice's 1000 Hz" \
    "$TONECHECK" "$T/carol.wav" 1000 --from "$(wav_add "$t" 0.5)" \
    --to "$(wav_add "$t" 2)" --min-fraction 0.8
tsp_cmd alice hangup
ok "forward: hung up" tsp_wait carol '"event":"call".*"state":"terminated"' 5

# --- forward per account wins over the global one: baresip reaches dave
tsp_cmd bob "forward dave bob"
line=$(tsp_wait bob '"event":"registration"' 3)
is "$(json_get "$line" forward)" "sip:dave@127.0.0.1" "forward TARGET ACCOUNT"
from=$(bs_lines b1)
bs_cmd b1 dial "sip:bob@$KAM_HOSTPORT"
ok "forward: baresip's call is established" bs_wait b1 CALL_ESTABLISHED 8 "$from"
ok "forward: dave answered baresip" \
    tsp_wait dave '"event":"call".*"remote":".*b1@.*"state":"established"' 5
t=$(wav_pos "$T/dave.wav")
ok "forward: 2 s of baresip's call at dave" wav_wait "$T/dave.wav" "$(wav_add "$t" 2)"
ok "forward: dave hears baresip's 600 Hz" \
    "$TONECHECK" "$T/dave.wav" 600 --from "$(wav_add "$t" 0.5)" \
    --to "$(wav_add "$t" 2)" --min-fraction 0.8
tsp_cmd dave hangup
ok "forward: baresip's call closed" bs_wait b1 CALL_CLOSED 5 "$from"

tsp_cmd bob "forward off"
line=$(tsp_wait bob '"event":"registration"' 3)
is "$(json_get "$line" forward)" "" "forward off"
bs_stop b1
for n in alice bob carol dave; do
	is "$(tsp_quit "$n")" 0 "$n quits with status 0"
done
done_testing
