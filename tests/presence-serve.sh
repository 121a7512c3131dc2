#!/bin/sh
# Our presence served directly to a peer that subscribes to us, with no
# presence server in between (RFC 3856 notifier): SIPp subscribes to
# tsphone for presence and gets 200 and a NOTIFY whose PIDF is open;
# "presence busy" sends a NOTIFY with on-the-phone; a refresh gets 200
# and that NOTIFY again; its un-SUBSCRIBE gets 200 and a terminated
# NOTIFY. A SUBSCRIBE for another package
# (message-summary: we hold no mailbox; an unknown one) gets 489 Bad
# Event naming presence in Allow-Events; unsolicited message-summary
# NOTIFYs still work. A watcher still subscribed at quit gets a
# terminated NOTIFY saying offline. A server that refuses PUBLISH
# (SIPp, 405) is said once in the log in plain words and not asked again.
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init

port=$(free_port) || bail "no free port"
srv=$(free_port) || bail "no free port"
sipp_start srv uas-publish.xml - -p "$srv"
sipp_ready srv || bail "SIPp does not listen"
write_conf "$T/me.conf" <<EOF2
[sip]
listen = 127.0.0.1:$port
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
register = no
[account pub]
uri = sip:pub@127.0.0.1
registrar = sip:127.0.0.1:$srv
register = no
presence = yes
EOF2
tsp_start me "$T/me.conf"
ok "tsphone is up" tsp_wait me '"event":"registration".*"account":"alice"' 5

# --- a server that does not take PUBLISH: said once, not asked again
ok "the refusal is logged in words" tsp_wait me \
	'"event":"log".*account pub: presence not published: the server does not take PUBLISH \(405 Method Not Allowed\); peers that subscribe to us directly still see it' 5
sipp_wait srv
is "$?" 0 "no second PUBLISH within 2 s (SIPp's scenario completed)"
is "$(tsp_count me 'presence not published')" 1 "logged once"

# --- a watcher: 200, NOTIFY open; busy; un-SUBSCRIBE
sipp_start watch uac-subscribe.xml "127.0.0.1:$port" -s alice -key event presence
ok "the SUBSCRIBE is taken" tsp_wait me '"event":"log".*SIPp Watcher.* watches the presence of alice' 5
tsp_cmd me "presence busy"
line=$(tsp_wait me '"event":"presence"' 3)
is "$(json_get "$line" state)" busy "presence busy: our own presence event"
is "$(json_get "$line" own)" true "marked own"
is "$(json_get "$line" uri)" "sip:alice@127.0.0.1" "with the account's address"
sipp_wait watch
is "$?" 0 "SIPp's watcher scenario completed (every NOTIFY as it should be)"
like "$(sipp_codes watch)" '^200 ' "the SUBSCRIBE is answered 200 (and the un-SUBSCRIBE: the scenario checks)"
ok "the first NOTIFY was open" grep -q '<basic>open</basic>' "$T/watch.msg"
ok "the second on the phone" grep -q '<rpid:on-the-phone/>' "$T/watch.msg"
ok "the last one terminated" grep -q '^Subscription-State: *terminated' "$T/watch.msg"
ok "no longer watched" tsp_wait me '"event":"log".*SIPp Watcher.* no longer watches' 3

# --- other packages: 489 with Allow-Events
sipp_run mwi uac-subscribe.xml "127.0.0.1:$port" -s alice -key event message-summary
is "$?" 0 "SIPp's message-summary SUBSCRIBE scenario completed"
is "$(sipp_codes mwi)" 489 "a SUBSCRIBE for message-summary gets 489"
ok "with Allow-Events: presence" grep -qi '^Allow-Events:.*presence' "$T/mwi.msg"
sipp_run odd uac-subscribe.xml "127.0.0.1:$port" -s alice -key event no-such-package
is "$(sipp_codes odd)" 489 "an unknown package gets 489 too"

# --- unsolicited message-summary NOTIFYs are still taken
sipp_run notify uac-notify.xml "127.0.0.1:$port" -s alice -key event message-summary
is "$(sipp_codes notify)" 200 "an unsolicited message-summary NOTIFY still gets 200"
ok "and is shown" tsp_wait me '"event":"mwi"' 3

# --- a watcher still there at quit gets a terminated NOTIFY (offline)
tsp_cmd me "presence online"
sipp_start late uac-subscribe.xml "127.0.0.1:$port" -s alice -key event presence
ok "a second watcher" tsp_wait me '"event":"log".*watches the presence of alice' 5
tsp_cmd me status
line=$(tsp_wait me '"event":"status"' 3)
is "$(json_get "$line" presence)" online "status says our presence"
is "$(json_get "$line" handles)" 1 "one SIP handle: the watcher's"
is "$(tsp_quit me)" 0 "quit exits 0"
sipp_wait late
is "$?" 0 "the second watcher's scenario completed"
ok "the watcher got a terminated NOTIFY at quit" \
	grep -q '^Subscription-State: *terminated;reason=probation' "$T/late.msg"
ok "saying offline" grep -q '<basic>closed</basic>' "$T/late.msg"
done_testing
