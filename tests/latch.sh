#!/bin/sh
# Symmetric RTP latching and RTP keep-alives, on loopback. SIPp answers
# our call with an SDP naming port P, but the peer's media comes from
# tests/tools/rtppeer on port Q (and Q+1 for RTCP), as from behind a NAT:
#  - we latch onto Q (and Q+1), say so once in the log, and audio flows
#    both ways (tone checks on both sides); what went to P stops;
#  - a stranger on another address sending its own steady stream (one
#    SSRC, sequence numbers in order, its own tone) and random RTP does
#    not move the stream: no second latch line, the peer's tone goes on,
#    the stranger's is never heard, the stats count what was dropped;
#  - on hold, with rtp_keepalive = 1, keep-alives (empty RTP of a payload
#    type not negotiated) reach the peer's port about once a second.
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init
tools=$(dirname "$TSPHONE")/tests/tools
: "${TONECHECK:=$tools/tonecheck}"
RTPPEER=$tools/rtppeer
UDPSEND=$tools/udpsend
[ -x "$TONECHECK" ] && [ -x "$RTPPEER" ] && [ -x "$UDPSEND" ] ||
	bail "test tools not built in $tools"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"

port=$(free_port) || bail "no free port"
sox -n -r 8000 -c 1 -b 16 "$T/tone.wav" synth 1 sine 1000 vol 0.5
write_conf "$T/me.conf" <<EOF
[sip]
listen = 127.0.0.1:$port
rtp_keepalive = 1
[audio]
driver = file
input = $T/tone.wav
output = $T/heard.wav
[account me]
uri = sip:me@127.0.0.1
register = no
codecs = pcmu
EOF
tsp_start me "$T/me.conf"
ok "tsphone is up" tsp_wait me '"event":"registration"' 3

sdp_port=$(free_port) || bail "no free port"
peer_port=$(_lib_free_port4) || bail "no free ports"
sport=$(free_port) || bail "no free port"
SIPP_TIMEOUT=30 sipp_start peer uas-latch.xml - -p "$sport" -key sdp_port "$sdp_port"
ok "SIPp listens" sipp_ready peer
tsp_cmd me "dial sip:peer@127.0.0.1:$sport"
ok "SIPp answers" tsp_wait me '"event":"call".*"state":"established"' 5
line=$(grep '"event":"media"' "$T/me.out" | tail -n 1)
like "$(json_get "$line" remote)" ":$sdp_port\$" "the SDP names port $sdp_port"
my_port=$(json_get "$line" local | sed 's/.*://')

# The peer: 8 s of a 1500 Hz tone from port $peer_port.
_lib_spawn rtppeer /dev/null "$T/peer.out" "$T/peer.err" \
	"$RTPPEER" -s 0x5eed1234 -f 1500 -q "$sdp_port" \
	127.0.0.1 "$peer_port" 127.0.0.1 "$my_port" 8 "$T/peer.wav" ||
	bail "cannot start rtppeer"
add_log rtppeer "$T/peer.out"
ok "RTP latched onto the peer's real port" wait_until 3 \
	grep -q "RTP latched to 127.0.0.1:$peer_port" "$T/me.log"
ok "the log names the SDP's address" \
	grep -q "RTP latched to 127.0.0.1:$peer_port.*said 127.0.0.1:$sdp_port" "$T/me.log"
ok "RTCP latched onto the port its reports come from" wait_until 3 \
	grep -q "RTCP latched to 127.0.0.1:$((peer_port + 1))" "$T/me.log"

# A stranger on another address: its own steady stream, then garbage.
_lib_spawn stranger /dev/null "$T/stranger.out" "$T/stranger.err" \
	"$RTPPEER" -s 0xbad -f 2500 127.0.0.2 "$peer_port" 127.0.0.1 "$my_port" \
	1.5 "$T/stranger.wav" || bail "cannot start the stranger"
ok "and random RTP from yet another port" \
	"$UDPSEND" 127.0.0.3 127.0.0.1 "$my_port" 50
wait_until 3 test -f "$T/.run/stranger.rc"
is "$(cat "$T/.run/stranger.rc" 2>/dev/null)" 0 "the stranger sent for 1.5 s"
ok "4.5 s of the call recorded" wav_wait "$T/heard.wav" 4.5
is "$(grep -c 'RTP latched' "$T/me.log")" 1 "the stranger never moved the stream (one latch line)"
is "$(grep -c 'RTCP latched' "$T/me.log")" 1 "nor RTCP"

# Hold: no media goes out, keep-alives do.
tsp_cmd me "hold"
ok "held" tsp_wait me '"event":"call".*"state":"held"' 3
ok "the peer ran its 8 s" wait_until 8 test -f "$T/.run/rtppeer.rc"
is "$(cat "$T/.run/rtppeer.rc" 2>/dev/null)" 0 "and ended well"
line=$(tail -n 1 "$T/peer.out")
rtp=$(echo "$line" | awk '{ print $2 }')
sdp=$(echo "$line" | awk '{ print $6 }')
ka=$(echo "$line" | awk '{ print $8 }')
ok "the peer got our RTP on its real port ($rtp packets)" test "${rtp:-0}" -ge 150
ok "little went to the SDP's port before the latch ($sdp packets)" test "${sdp:-999}" -lt 40
ok "keep-alives reached the peer during the hold ($ka)" test "${ka:-0}" -ge 3
gaps=$(awk '$1 == "keepalive" { if (p) printf "%d ", $2 - p; p = $2 }' "$T/peer.out")
ok "about one a second (gaps in ms: $gaps)" sh -c '
	n=0; for g in $1; do
		[ "$g" -ge 800 ] && [ "$g" -le 1600 ] || exit 1; n=$((n + 1)); done
	[ "$n" -ge 2 ]' - "$gaps"

tsp_cmd me "hangup"
ok "the call ends" tsp_wait me '"event":"call".*"state":"terminated"' 5
line=$(grep '"event":"stats"' "$T/me.out" | tail -n 1)
ok "the stats count the stranger's packets ($(json_get "$line" stranger_dropped))" \
	test "$(json_get "$line" stranger_dropped)" -ge 100
ok "and the keep-alives ($(json_get "$line" keepalives))" \
	test "$(json_get "$line" keepalives)" -ge 3
sipp_wait peer
is "$?" 0 "SIPp's scenario completed (hold, BYE)"
is "$(tsp_quit me)" 0 "tsphone quits with status 0"

ok "we hear the peer's 1500 Hz" \
	"$TONECHECK" "$T/heard.wav" 1500 --from 0.8 --to 4.3 --min-fraction 0.8
ok "never the stranger's 2500 Hz" \
	"$TONECHECK" "$T/heard.wav" 2500 --from 0.5 --to 4.3 --absent
ok "the peer hears our 1000 Hz on its real port" \
	"$TONECHECK" "$T/peer.wav" 1000 --from 0.3 --to 2.8 --min-fraction 0.8
done_testing
