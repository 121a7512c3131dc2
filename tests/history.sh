#!/bin/sh
# The call history between two tsphones on 127.0.0.1, no registrar:
#  - each outcome as both sides record it: cancelled by the caller and
#    unanswered until ring_timeout (missed, counted once each), answered,
#    rejected;
#  - "status" counts the missed calls, across a restart, until "history"
#    has been read; "history" events with SPEC section 7's fields;
#  - the entry of a call that was shown ringing is there after kill -9;
#  - redial (after a restart) and callback N dial what the history says.
. "$(dirname "$0")/lib.sh"
require_tsphone
tmpdir_init

aport=$(free_port) || bail "no free port"
bport=$(free_port) || bail "no free port"
write_conf "$T/alice.conf" <<EOF2
[sip]
listen = 127.0.0.1:$aport
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
display_name = Alice Liddell
register = no
EOF2
write_conf "$T/bob.conf" <<EOF2
[sip]
listen = 127.0.0.1:$bport
ring_timeout = 5
[audio]
driver = null
[account bob]
uri = sip:bob@127.0.0.1
register = no
EOF2
BOB=sip:bob@127.0.0.1:$bport

# start NAME: each phone with a data directory (and database) of its own
start() {
	XDG_DATA_HOME=$T/$1-data
	export XDG_DATA_HOME
	tsp_start "$1" "$T/$1.conf"
	tsp_wait "$1" '"event":"registration"' 5 >/dev/null ||
		bail "$1 did not start"
}
start alice
start bob

# status_missed NAME: the "missed" of a fresh status event
status_missed() {
	tsp_cmd "$1" status
	json_get "$(tsp_wait "$1" '"event":"status"' 5)" missed
}

# ended NAME: the terminated call event of NAME, once it comes
ended() {
	tsp_wait "$1" '"event":"call".*"state":"terminated"' "${2:-5}"
}

# --- cancelled by the caller: missed
tsp_cmd alice "dial $BOB"
ok "1: bob rings" tsp_wait bob '"state":"incoming"' 5
ok "1: alice hears it ring" tsp_wait alice '"state":"ringing"' 5
tsp_cmd alice hangup
line=$(ended bob)
is "$(json_get "$line" outcome)" missed "the caller gave up: missed at bob's"
is "$(json_get "$(ended alice)" outcome)" cancelled "and cancelled at alice's"
is "$(status_missed bob)" 1 "status: 1 missed"

# --- unanswered until ring_timeout: missed, once
tsp_cmd alice "dial $BOB"
ok "2: bob rings" tsp_wait bob '"state":"incoming"' 5
line=$(ended bob 8)
is "$(json_get "$line" outcome)" missed "ring_timeout: missed"
is "$(json_get "$line" code)" 480 "with 480"
is "$(json_get "$(ended alice)" outcome)" failed "the caller's call failed"
is "$(status_missed bob)" 2 "status: 2 missed, each counted once"

# --- answered
tsp_cmd alice "dial $BOB"
ok "3: bob rings" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob answer
ok "3: up" tsp_wait alice '"state":"established"' 5
tsp_cmd alice hangup
is "$(json_get "$(ended bob)" outcome)" answered "answered at bob's"
is "$(json_get "$(ended alice)" outcome)" answered "answered at alice's"

# --- rejected
tsp_cmd alice "dial $BOB"
ok "4: bob rings" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob reject
is "$(json_get "$(ended bob)" outcome)" rejected "rejected at bob's"
line=$(ended alice)
is "$(json_get "$line" outcome)/$(json_get "$line" code)" failed/486 \
    "failed with 486 at alice's"
is "$(status_missed bob)" 2 "answered and rejected calls are not missed"

# --- a restart keeps the history and the count
tsp_quit bob >/dev/null
start bob
is "$(status_missed bob)" 2 "after a restart: still 2 missed"
tsp_cmd bob history
for i in 1 2 3 4; do
	eval "h$i=\$(tsp_wait bob '\"event\":\"history\"' 5)"
done
is "$(json_get "$h1" n)/$(json_get "$h4" n)" 1/4 "4 entries, oldest first"
is "$(json_get "$h1" direction)" in "direction"
like "$(json_get "$h1" remote)" '<sip:alice@127\.0\.0\.1>' "remote"
is "$(json_get "$h1" display)" "Alice Liddell" "display, from the remote"
is "$(json_get "$h1" account)" bob "account"
like "$(json_get "$h1" time)" '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9][+-][0-9]{2}:[0-9]{2}$' \
    "time: ISO 8601"
is "$(json_get "$h1" outcome)/$(json_get "$h1" code)/$(json_get "$h1" duration)" \
    missed/487/0 "outcome, code, duration of the cancelled call"
is "$(json_get "$h2" outcome)" missed "the ring_timeout entry"
is "$(json_get "$h3" outcome)" answered "the answered entry"
is "$(json_get "$h4" outcome)/$(json_get "$h4" code)" rejected/486 \
    "the rejected entry"
is "$(status_missed bob)" 0 "reading the history clears the count"
tsp_cmd bob "history 1"
line=$(tsp_wait bob '"event":"history"' 5)
is "$(json_get "$line" n)" 4 "history 1: the newest only"

# --- kill -9 right after an incoming call was shown
tsp_cmd alice "dial $BOB"
ok "5: bob shows the call" tsp_wait bob '"state":"incoming"' 5
tsp_kill bob KILL >/dev/null
start bob
tsp_cmd bob "history 1"
line=$(tsp_wait bob '"event":"history"' 5)
is "$(json_get "$line" n)/$(json_get "$line" direction)" 5/in \
    "after kill -9 the call that was shown is in the history"
is "$(json_get "$line" outcome)" missed "closed as missed at the restart"
# The caller would ring on for minutes (the INVITE waits for an answer
# from the dead bob): it quits, and starts again.
tsp_quit alice >/dev/null
start alice

# --- redial (across alice's restart), callback
tsp_cmd alice redial
line=$(tsp_wait alice '"event":"call".*"state":"calling"' 5)
is "$(json_get "$line" remote)" "$BOB" "redial dials the last target"
ok "redial: bob rings" tsp_wait bob '"state":"incoming"' 5
tsp_cmd alice hangup
ended alice >/dev/null
ended bob >/dev/null
tsp_cmd alice "callback 3"
line=$(tsp_wait alice '"event":"call".*"state":"calling"' 5)
is "$(json_get "$line" remote)" "$BOB" "callback 3: dials entry 3's remote"
tsp_cmd alice hangup
ended alice >/dev/null
tsp_cmd alice "callback 999"
like "$(tsp_wait alice '"event":"error"' 5)" 'no history entry 999' \
    "callback of a missing entry says so"

is "$(tsp_quit alice)" 0 "alice quits cleanly"
is "$(tsp_quit bob)" 0 "bob quits cleanly"
done_testing
