#!/bin/sh
# Voicemail and presence on the screen (tmux). Alice's contacts file
# marks Bob presence=yes, so she watches him at start (SIPp plays his
# presence server: online, busy, offline); a voicemail notice (SIPp, as
# Asterisk sends them) puts the counts on her account line; when Bob
# calls from his phone, the call row shows his watched state after his
# name; :contacts lists him with it. Quitting with q un-SUBSCRIBEs (the
# notifier's scenario ends only after it).
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
require_tmux
tmpdir_init

aport=$(free_port) || bail "no free port"
bport=$(free_port) || bail "no free port"
pa=$(free_port) || bail "no free port"
SIPP_TIMEOUT=30
export SIPP_TIMEOUT
sipp_start pa uas-presence.xml - -p "$pa" -m 1
sipp_ready pa || bail "SIPp (presence) did not start"
mkdir "$T/alice" || bail "mkdir"
write_conf "$T/alice/tsphone.conf" <<EOF2
[sip]
listen = 127.0.0.1:$aport
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
register = no
EOF2
printf 'Bob <sip:bob@127.0.0.1:%s>;presence=yes\nCarol <sip:carol@127.0.0.1>\n' \
    "$pa" >"$T/alice/contacts"
write_conf "$T/bob.conf" <<EOF2
[sip]
listen = 127.0.0.1:$bport
[audio]
driver = null
[account bob]
uri = sip:bob@127.0.0.1:$bport
display_name = Bob
register = no
EOF2
add_log tsphone-alice.log "$T/alice.log"

# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
tmux_start alice 100 30 env LC_ALL=C.UTF-8 XDG_DATA_HOME="$T/alice-data" \
	${TSPHONE_WRAPPER:-} "$TSPHONE" -f "$T/alice/tsphone.conf" \
	--log "$T/alice.log"
ok "alice's screen is up" tmux_wait alice 'Calls'
ok "the contact marked presence=yes is watched: busy, then offline" \
    tmux_wait alice "sip:bob@127\\.0\\.0\\.1:$pa is busy: In a call"
ok "then offline" tmux_wait alice "sip:bob@127\\.0\\.0\\.1:$pa is offline"

sipp_run mwi uac-notify.xml "127.0.0.1:$aport" -s alice \
    -key event message-summary
is "$(sipp_codes mwi)" 200 "a voicemail notice is answered 200"
ok "the account line shows the counts" \
    tmux_wait alice '^\*?alice +.*voicemail: 2 new, 8 old'

tsp_start bob "$T/bob.conf"
tsp_wait bob '"event":"registration"' 5 >/dev/null || bail "bob did not start"
tsp_cmd bob "dial sip:alice@127.0.0.1:$aport"
ok "bob's call rings at alice's" tmux_wait alice 'INCOMING CALL'
ok "the call row shows his watched state" \
    tmux_wait alice '← +Bob \(offline\) <sip:bob@127\.0\.0\.1'
tsp_cmd bob hangup
ok "bob gives up" tsp_wait bob '"state":"terminated"' 5

tmux_keys alice : c o n t a c t s Enter
ok ":contacts lists bob with his state" \
    tmux_wait alice "Bob <sip:bob@127\\.0\\.0\\.1:$pa> +offline"
ok "and carol, not watched, without one" \
    tmux_wait alice 'Carol <sip:carol@127\.0\.0\.1> *$'

tmux_keys alice q
ok "alice quits" wait_until 5 test -f "$T/alice.rc"
is "$(cat "$T/alice.rc" 2>/dev/null)" 0 "with status 0"
sipp_wait pa 5
is "$?" 0 "the presence server saw the un-SUBSCRIBE"
is "$(tsp_quit bob)" 0 "bob quits cleanly"
done_testing
