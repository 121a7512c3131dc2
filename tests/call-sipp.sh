#!/bin/sh
# tsphone against SIPp as a scripted peer, straight over 127.0.0.1:
#  - SIPp answers our call with PCMU and echoes our RTP: we must hear our
#    own tone come back (real media against a foreign stack);
#  - a SIPp caller offering only G.729 gets 488, and no ringing;
#  - a SIPp caller holds us with a sendonly re-INVITE (we answer
#    recvonly and show held_by_remote), resumes, and hangs up;
#  - switching between two calls to SIPp peers holds the one left with a
#    sendonly re-INVITE and resumes the other with a sendrecv one (the
#    one-active-call rule against a stack that is not tsphone).
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"

port=$(free_port) || bail "no free port"
sox -n -r 8000 -c 1 -b 16 "$T/tone.wav" synth 1 sine 800 vol 0.5
write_conf "$T/me.conf" <<EOF
[sip]
listen = 127.0.0.1:$port
[audio]
driver = file
input = $T/tone.wav
output = $T/heard.wav
[account me]
uri = sip:me@127.0.0.1
register = no
auto_answer = yes
codecs = opus, pcmu
EOF
tsp_start me "$T/me.conf"
ok "tsphone is up" tsp_wait me '"event":"registration"' 3

# --- outgoing call answered by SIPp, RTP echoed back
sport=$(free_port) || bail "no free port"
sipp_start echo uas-answer.xml - -p "$sport" -rtp_echo
ok "SIPp echo listens on its port" sipp_ready echo
tsp_cmd me "dial sip:echo@127.0.0.1:$sport"
ok "SIPp answers" tsp_wait me '"event":"call".*"state":"established"' 5
line=$(grep '"event":"media"' "$T/me.out" | tail -n 1)
is "$(json_get "$line" codec)" PCMU "PCMU chosen from SIPp's answer"
ok "2.5 s of the echoed call recorded" wav_wait "$T/heard.wav" 2.5
tsp_cmd me "hangup"
ok "the call ends" tsp_wait me '"event":"call".*"state":"terminated"' 5
sipp_wait echo
is "$?" 0 "SIPp's scenario completed (BYE answered)"
ok "the INVITE asked for a session timer (RFC 4028)" \
    grep -q "^Session-Expires: 1800" "$T/echo.msg"
ok "our 800 Hz came back through SIPp's echo" \
    "$TONECHECK" "$T/heard.wav" 800 --from 0.6 --to 2.4 --min-fraction 0.7
line=$(grep '"event":"stats"' "$T/me.out" | tail -n 1)
ok "packets were received ($(json_get "$line" rx_packets))" \
    test "$(json_get "$line" rx_packets)" -ge 50

# --- an offer with no common codec
sipp_run bad uac-badcodec.xml "127.0.0.1:$port" -s me
is "$?" 0 "SIPp got 488 and no ringing"
is "$(sipp_codes bad | tr ' ' '\n' | grep -c 488)" 1 "one 488"
line=$(tsp_wait me '"event":"call".*"code":488' 3)
like "$(json_get "$line" reason)" 'no common codec' "the event says why"
is "$(tsp_count me '"state":"incoming"')" 0 "it never rang"

# --- held by a SIPp caller
sipp_run hold uac-hold.xml "127.0.0.1:$port" -s me
is "$?" 0 "SIPp's hold scenario passed (recvonly answer, then sendrecv)"
ok "held_by_remote shown" tsp_wait me '"event":"call".*"held_by_remote":true' 3
ok "and cleared on resume" tsp_wait me '"event":"call".*"held_by_remote":false' 3
line=$(tsp_wait me '"event":"call".*"state":"terminated"' 5)
like "$(json_get "$line" reason)" 'remote hung up' "SIPp's BYE ends the call"
like "$(grep '"state":"incoming"' "$T/me.out" | tail -n 1)" 'SIPp Holder' \
    "the caller's display name is shown"

# --- early media: 183 with SDP, then 200
sport=$(free_port) || bail "no free port"
sipp_start early uas-early.xml - -p "$sport" -rtp_echo
ok "SIPp early listens on its port" sipp_ready early
tsp_cmd me "dial sip:early@127.0.0.1:$sport"
ok "183 with SDP is early media" tsp_wait me '"event":"call".*"state":"early"' 5
ok "then the answer" tsp_wait me '"event":"call".*"state":"established"' 5
tsp_cmd me "hangup"
ok "the early-media call ends" tsp_wait me '"event":"call".*"state":"terminated"' 5
sipp_wait early
is "$?" 0 "SIPp's early-media scenario completed"

# --- an answer that rejects the audio stream
sport=$(free_port) || bail "no free port"
sipp_start noaudio uas-noaudio.xml - -p "$sport"
ok "SIPp noaudio listens on its port" sipp_ready noaudio
tsp_cmd me "dial sip:noaudio@127.0.0.1:$sport"
line=$(tsp_wait me '"event":"call".*"state":"terminated"' 5)
is "$(json_get "$line" code)" 488 "rejected audio ends the call with 488"
like "$(json_get "$line" reason)" 'rejected' "and says the audio was rejected"
sipp_wait noaudio
is "$?" 0 "SIPp got our BYE"

# --- 491 on our re-INVITE: retried after a random delay
sport=$(free_port) || bail "no free port"
sipp_start glare uas-glare.xml - -p "$sport"
ok "SIPp glare listens on its port" sipp_ready glare
tsp_cmd me "dial sip:glare@127.0.0.1:$sport"
ok "SIPp answers the glare call" tsp_wait me '"event":"call".*"state":"established"' 5
tsp_cmd me "hold"
ok "the 491 is retried" tsp_wait me '"text":"call [0-9]+: re-INVITE glare' 3
ok "and the retry succeeds: media is sendonly" \
    tsp_wait me '"event":"media".*"direction":"sendonly"' 6
tsp_cmd me "hangup"
ok "the glare call ends" tsp_wait me '"event":"call".*"state":"terminated"' 5
sipp_wait glare
is "$?" 0 "SIPp saw the 491 dance and the BYE"
is "$(tsp_quit me)" 0 "quit exits 0"

# --- no RTP at all: the call is hung up after rtp_timeout
write_conf "$T/quiet.conf" <<EOF
[sip]
listen = 127.0.0.1:0
rtp_timeout = 2
[audio]
driver = null
[account quiet]
uri = sip:quiet@127.0.0.1
register = no
EOF
tsp_start quiet "$T/quiet.conf"
sport=$(free_port) || bail "no free port"
sipp_start mute uas-answer.xml - -p "$sport"
ok "SIPp mute listens on its port" sipp_ready mute
tsp_cmd quiet "dial sip:mute@127.0.0.1:$sport"
ok "established with a silent peer" tsp_wait quiet '"event":"call".*"state":"established"' 5
line=$(tsp_wait quiet '"event":"call".*"state":"terminated"' 6)
like "$(json_get "$line" reason)" 'no media' "hung up after 2 s without RTP"
sipp_wait mute
is "$?" 0 "SIPp got the BYE"
is "$(tsp_quit quiet)" 0 "quit exits 0"
# --- switching between two SIPp peers: the one left is held by re-INVITE
write_conf "$T/sw.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account sw]
uri = sip:sw@127.0.0.1
register = no
codecs = pcmu
EOF
tsp_start sw "$T/sw.conf"
ok "the switching phone is up" tsp_wait sw '"event":"registration"' 3
pa=$(free_port) || bail "no free port"
sipp_start pa uas-held.xml - -p "$pa"
ok "the first SIPp peer listens" sipp_ready pa
pb=$(free_port) || bail "no free port"
sipp_start pb uas-held.xml - -p "$pb"
ok "the second SIPp peer listens" sipp_ready pb
tsp_cmd sw "dial sip:a@127.0.0.1:$pa"
line=$(tsp_wait sw '"event":"call".*"state":"established"' 5)
ok "the first peer answers" test -n "$line"
ida=$(json_get "$line" id)
tsp_cmd sw "dial sip:b@127.0.0.1:$pb"
line=$(tsp_wait sw '"event":"call".*"remote":"sip:b@.*"state":"established"' 5)
ok "the second peer answers" test -n "$line"
idb=$(json_get "$line" id)
ok "dialling held the first call" \
    grep -q '"event":"call","id":'"$ida"',.*"state":"held"' "$T/sw.out"
tsp_cmd sw "switch $ida"
ok "switching back holds the second call" \
    tsp_wait sw '"event":"call","id":'"$idb"',.*"state":"held"' 5
ok "and resumes the first" \
    tsp_wait sw '"event":"call","id":'"$ida"',.*"state":"established"' 5
# The resume goes out once the hold it follows is answered: wait for the
# first peer's third INVITE before hanging up.
resumed() { [ "$(grep -c '^INVITE ' "$T/pa.msg")" -ge 3 ]; }
ok "the first peer got the resuming re-INVITE" wait_until 5 resumed
tsp_cmd sw "hangup $ida"
tsp_cmd sw "hangup $idb"
ok "both calls end" tsp_wait sw '"event":"call","id":'"$idb"',.*"state":"terminated"' 5
sipp_wait pa
is "$?" 0 "the first peer saw hold (sendonly), then resume (sendrecv), then BYE"
sipp_wait pb
is "$?" 0 "the second peer saw hold (sendonly), then BYE"
is "$(tsp_quit sw)" 0 "quit exits 0"
done_testing
