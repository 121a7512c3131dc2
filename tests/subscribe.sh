#!/bin/sh
# Subscriptions as a subscriber (RFC 6665), against SIPp as a voicemail
# server (tests/sip/uas-mwi.xml) and as a presence notifier
# (tests/sip/uas-presence.xml):
# - mwi = yes: SUBSCRIBE message-summary with the Accept it needs,
#   challenged and answered with the account's digest; the NOTIFYs give
#   mwi events (2/8, then 0/10), a NOTIFY whose body is no
#   message-summary changes nothing; the server grants 4 s, so the stack
#   refreshes; a refresh refused 500 is followed by a new subscription
#   after the backoff, and one terminated (deactivated) by one at once;
# - an unsolicited message-summary NOTIFY meanwhile still counts;
# - watch two URIs: presence events online, busy (with the note) and
#   offline; status repeats them; unwatch of what is not watched fails;
# - the voicemail command dials the voicemail setting;
# - quit with the three subscriptions open un-SUBSCRIBEs each (both SIPps
#   see Expires: 0 and finish their scenarios) within quit's bound.
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init

SIPP_TIMEOUT=40
export SIPP_TIMEOUT
vm=$(free_port) || bail "no free port"
pa=$(free_port) || bail "no free port"
dead=$(free_port) || bail "no free port"
sipp_start vm uas-mwi.xml - -p "$vm" -m 3
sipp_start pa uas-presence.xml - -p "$pa" -m 2
sipp_ready vm || bail "SIPp (voicemail) did not start"
sipp_ready pa || bail "SIPp (presence) did not start"

port=$(free_port) || bail "no free port"
write_conf "$T/me.conf" <<EOF2
[sip]
listen = 127.0.0.1:$port
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1:$vm
register = no
password = secret
mwi = yes
voicemail = sip:vm@127.0.0.1:$dead
EOF2
tsp_start me "$T/me.conf"
ok "tsphone is up" tsp_wait me '"event":"registration".*"account":"alice"' 5

# --- voicemail: subscribed (after a challenge), two NOTIFYs
line=$(tsp_wait me '"event":"mwi"' 5)
ok "an mwi event from the subscription" test -n "$line"
is "$(json_get "$line" account)" alice "for the account"
is "$(json_get "$line" waiting)" true "messages waiting"
is "$(json_get "$line" new)/$(json_get "$line" old)" 2/8 "2 new, 8 old"
line=$(tsp_wait me '"event":"mwi"' 8)
is "$(json_get "$line" new)/$(json_get "$line" old)" 0/10 \
    "after the refresh, 0 new, 10 old"
is "$(json_get "$line" waiting)" false "none waiting"
ok "a NOTIFY that is no message-summary is logged and ignored" \
    tsp_wait me '"event":"log".*voicemail notice without Messages-Waiting' 3

# --- the refresh refused: again after the backoff; deactivated: at once
ok "a refused refresh is logged with its code" \
    tsp_wait me '"event":"log".*voicemail subscription to .*500 Server Error.*again in 4 s' 8
line=$(tsp_wait me '"event":"mwi"' 8)
is "$(json_get "$line" new)/$(json_get "$line" old)" 3/10 \
    "subscribed again: 3 new, 10 old"
ok "terminated (deactivated): subscribing again at once" \
    tsp_wait me '"event":"log".*terminated by the server \(deactivated\); subscribing again' 3
line=$(tsp_wait me '"event":"mwi"' 3)
is "$(json_get "$line" new)/$(json_get "$line" old)" 1/11 "1 new, 11 old"

# --- an unsolicited NOTIFY (Asterisk's way) still counts
sipp_run asterisk uac-notify.xml "127.0.0.1:$port" -s alice \
    -key event message-summary
is "$(sipp_codes asterisk)" 200 "an unsolicited NOTIFY is answered 200"
line=$(tsp_wait me '"event":"mwi"' 3)
is "$(json_get "$line" new)/$(json_get "$line" old)" 2/8 "and counted"

# --- presence: two watches
tsp_cmd me "watch sip:bob@127.0.0.1:$pa"
tsp_cmd me "watch sip:carol@127.0.0.1:$pa alice"
seen() {	# WHO STATE [NOTE]: a presence event of WHO's in STATE came
	[ "$(tsp_count me "\"event\":\"presence\".*\"uri\":\"sip:$1@127\\.0\\.0\\.1:$pa\".*\"state\":\"$2\",\"note\":\"${3:-}\",\"own\":false")" -ge 1 ]
}
for who in bob carol; do
	ok "$who is online" wait_until 5 seen "$who" online
	ok "$who is busy, with the note" wait_until 5 seen "$who" busy "In a call"
	ok "$who is offline" wait_until 5 seen "$who" offline
done
tsp_cmd me "unwatch sip:dave@127.0.0.1:$pa"
line=$(tsp_wait me '"event":"error"' 3)
like "$(json_get "$line" message)" 'not watching' "unwatch of what is not watched: error"
tsp_cmd me status
line=$(tsp_wait me "\"event\":\"presence\".*\"uri\":\"sip:bob@127\\.0\\.0\\.1:$pa\"" 3)
is "$(json_get "$line" state)" offline "status repeats the watches"

# --- the voicemail key's command
tsp_cmd me voicemail
line=$(tsp_wait me '"event":"call"' 3)
like "$(json_get "$line" remote)" "sip:vm@127\\.0\\.0\\.1:$dead" \
    "voicemail dials the voicemail setting"
tsp_cmd me hangup
tsp_wait me '"event":"call".*"state":"terminated"' 5 >/dev/null

# --- quit with three subscriptions open
t0=$(_lib_now_ms)
is "$(tsp_quit me)" 0 "quit exits 0"
ms=$(($(_lib_now_ms) - t0))
ok "within quit's bounds (${ms} ms)" test "$ms" -lt 4000
sipp_wait vm 5
is "$?" 0 "the voicemail server saw every step, the un-SUBSCRIBE last"
sipp_wait pa 5
is "$?" 0 "the presence notifier saw both un-SUBSCRIBEs"
ok "no subscription was left to expire" \
    sh -c "! grep -q 'no answer to the un-SUBSCRIBE' '$T/me.log'"
done_testing
