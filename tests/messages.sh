#!/bin/sh
# Nothing silently dropped: SIPp sends tsphone a MESSAGE and a NOTIFY for
# message-summary without a subscription (as Asterisk does for
# voicemail). The MESSAGE gets 200 and becomes a "message" event with its
# UTF-8 text (and a log line); one in another charset gets 415 (Accept
# names UTF-8) and a failed "message" event, and so does one over 8 KB
# (413); the NOTIFY gets 200 and becomes an "mwi" event
# (2 new, 8 old), repeated by status; a NOTIFY for another event still
# gets 481. No SIP handle is left behind.
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
[account work]
uri = sip:work@127.0.0.1
register = no
[account home]
uri = sip:home@127.0.0.1
register = no
EOF2
tsp_start me "$T/me.conf"
ok "tsphone is up" tsp_wait me '"event":"registration".*"account":"home"' 5

# --- a MESSAGE in UTF-8, to the second account
sipp_run msg uac-message.xml "127.0.0.1:$port" -s home -key charset utf-8
is "$?" 0 "SIPp's MESSAGE scenario completed"
is "$(sipp_codes msg)" 200 "the MESSAGE is answered 200"
ok "the text is in the log" \
    tsp_wait me '"event":"log".*message from .*SIPp Sender.* to home: Grüß dich' 3
line=$(tsp_wait me '"event":"message"' 3)
ok "a message event" test -n "$line"
is "$(json_get "$line" account)" home "for the account it was sent to"
is "$(json_get "$line" direction)" in "direction in"
like "$(json_get "$line" peer)" 'SIPp Sender.*<sip:sender@127\.0\.0\.1' "the peer"
is "$(json_get "$line" text)" 'Grüß dich, 日本 \"quoted\"' "the UTF-8 text, escaped as JSON"
is "$(json_get "$line" state)" received "state received"
is "$(json_get "$line" code)" 200 "code 200"

# --- a MESSAGE in another charset
sipp_run latin uac-message.xml "127.0.0.1:$port" -s work -key charset iso-8859-1
is "$?" 0 "SIPp's second MESSAGE scenario completed"
is "$(sipp_codes latin)" 415 "a MESSAGE in ISO-8859-1 is answered 415"
ok "with an Accept header" grep -qi '^Accept: text/plain' "$T/latin.msg"
line=$(tsp_wait me '"event":"message"' 3)
is "$(json_get "$line" state)" failed "shown as a failed message"
is "$(json_get "$line" code)" 415 "code 415"
like "$(json_get "$line" reason)" 'charset iso-8859-1 is not UTF-8' "saying why"

ok "naming the charset we take" grep -qi '^Accept: text/plain;charset=UTF-8' "$T/latin.msg"

# --- a text over 8 KB: 413, never cut
big=$(awk 'BEGIN { for (i = 0; i < 9000; i++) printf "x" }')
sed -e "s/^      Grüß dich.*/      $big/" -e 's/response="415"/response="413"/' \
    "$TOP_SRCDIR/tests/sip/uac-message.xml" >"$T/uac-big.xml"
sipp_run big "$T/uac-big.xml" "127.0.0.1:$port" -s work -key charset utf-8
is "$?" 0 "SIPp's big MESSAGE scenario completed"
is "$(sipp_codes big)" 413 "a 9000-byte text is answered 413"
line=$(tsp_wait me '"event":"message"' 3)
is "$(json_get "$line" state)" failed "shown as a failed message"
like "$(json_get "$line" reason)" '9000 bytes; we take up to 8192' "saying why"

# --- an unsolicited message-summary NOTIFY
sipp_run mwi uac-notify.xml "127.0.0.1:$port" -s work -key event message-summary
is "$?" 0 "SIPp's NOTIFY scenario completed"
is "$(sipp_codes mwi)" 200 "the NOTIFY is answered 200 (not 481)"
ok "logged" tsp_wait me '"event":"log".*voicemail for work: messages waiting, 2 new, 8 old' 3
line=$(tsp_wait me '"event":"mwi"' 3)
ok "an mwi event" test -n "$line"
is "$(json_get "$line" account)" work "for the account"
is "$(json_get "$line" waiting)" true "messages waiting"
is "$(json_get "$line" new)" 2 "2 new"
is "$(json_get "$line" old)" 8 "8 old"

# --- a NOTIFY for an event we did not subscribe to
sipp_run other uac-notify.xml "127.0.0.1:$port" -s work -key event presence
is "$?" 0 "SIPp's other NOTIFY scenario completed"
is "$(sipp_codes other)" 481 "a NOTIFY for presence still gets 481"

tsp_cmd me status
line=$(tsp_wait me '"event":"mwi"' 3)
is "$(json_get "$line" new)" 2 "status repeats the voicemail count"
line=$(tsp_wait me '"event":"status"' 3)
is "$(json_get "$line" handles)" 0 "no SIP handle is left behind"
is "$(tsp_count me '"event":"mwi"')" 2 "no mwi event for the refused NOTIFY"
is "$(tsp_quit me)" 0 "quit exits 0"
done_testing
