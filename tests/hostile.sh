#!/bin/sh
# Hostile input from the network while a call is up: malformed and hostile
# SIP (SDP that makes Debian's Sofia-SIP loop forever, broken SDP, missing headers, a huge header, bad Content-Length, an
# unknown method, a BYE for no dialog, raw garbage, an INVITE flood), RTP
# from a stranger's address (must not hijack the call), and an RTP flood
# (must not freeze the phone). Throughout, the phone answers with 4xx or
# drops, keeps running and registered, and the call's audio goes on.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
tools=$(dirname "$TSPHONE")/tests/tools
: "${TONECHECK:=$tools/tonecheck}"
UDPSEND=$tools/udpsend
[ -x "$TONECHECK" ] && [ -x "$UDPSEND" ] || bail "test tools not built in $tools"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
H=$TOP_SRCDIR/tests/sip/hostile
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"
sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 48000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5
for n in alice bob; do
	write_conf "$T/$n.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$n-tone.wav
output = $T/$n-out.wav
[account $n]
uri = sip:$n@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$n")
codecs = pcmu
EOF
	tsp_start "$n" "$T/$n.conf"
	tsp_wait "$n" '"state":"registered"' 3 >/dev/null || bail "$n did not register"
done
B=$T/bob-out.wav
tsp_cmd alice "dial bob"
tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null || bail "bob did not ring"
tsp_cmd bob "answer"
ok "call established" tsp_wait alice '"event":"call".*"state":"established"' 5
sport=$(kam_contact_uris bob | sed -n 's/^sip:bob@127\.0\.0\.1:\([0-9]*\).*/\1/p' | head -n 1)
ok "bob's SIP port is known ($sport)" test -n "$sport"
line=$(grep '"event":"media"' "$T/bob.out" | tail -n 1)
rport=$(json_get "$line" local | sed 's/.*://')
# Where the hostile parts begin and end is read from bob's recording
# itself (wav_pos: what his speaker has played so far), not guessed from
# wall-clock time.
ok "1.5 s of clean audio recorded first" wav_wait "$B" 1.5

# alive WHAT: bob answers a command, is registered, and the call is up
alive() {
	tsp_cmd bob status
	ok "$1: bob answers" tsp_wait bob '"event":"registration".*"state":"registered"' 3
	ok "$1: the call is still up" \
	    tsp_wait bob '"event":"call".*"state":"established"' 3
}

for f in invite-sdp-loop invite-bad-sdp invite-no-callid invite-no-cseq invite-no-via \
    bad-content-length negative-content-length unknown-method \
    bye-unknown-dialog; do
	ok "$f: sent" "$UDPSEND" -f "$H/$f.txt" 127.0.0.2 127.0.0.1 "$sport" 3
	alive "$f"
done

# A header of 60000 bytes.
awk 'BEGIN {
	printf "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
	printf "Via: SIP/2.0/UDP 127.0.0.2:5099;branch=z9hG4bK-huge-@N@\r\n"
	printf "From: <sip:evil@127.0.0.2>;tag=h\r\nTo: <sip:bob@127.0.0.1>\r\n"
	printf "Call-ID: huge-@N@@127.0.0.2\r\nCSeq: 1 OPTIONS\r\nX-Junk: "
	for (i = 0; i < 60000; i++) printf "A"
	printf "\r\nContent-Length: 0\r\n\r\n"
}' >"$T/huge.txt"
ok "a 60 kB header: sent" "$UDPSEND" -f "$T/huge.txt" 127.0.0.2 127.0.0.1 "$sport" 2
alive "a 60 kB header"

# Raw garbage on the SIP port.
ok "200 garbage datagrams: sent" "$UDPSEND" 127.0.0.2 127.0.0.1 "$sport" 200 1400
alive "200 garbage datagrams"

# An INVITE flood: at most a handful of calls ring; the rest get 486.
ok "100 INVITEs: sent" "$UDPSEND" -f "$H/invite-flood.txt" 127.0.0.2 127.0.0.1 "$sport" 100
alive "100 INVITEs"
sleep 0.5
n=$(grep '"event":"call".*"state":"incoming"' "$T/bob.out" |
    sed 's/.*"id":\([0-9]*\).*/\1/' | sort -u | wc -l | tr -d ' ')
ok "the flood rang at most 7 calls beside the one up ($n)" test "$n" -le 8
ok "and some rang (the phone still takes calls)" test "$n" -ge 1
ok "the flood was refused past the limit" grep -q 'refusing a call from .*127\.0\.0\.2.*8 calls already' "$T/bob.log"

# RTP from a stranger: the same port, another address; then a flood.
hs=$(wav_pos "$B")
ok "2000 RTP packets from a stranger: sent" "$UDPSEND" 127.0.0.2 127.0.0.1 "$rport" 2000 172
he=$(wav_pos "$B")
alive "2000 RTP packets from a stranger"
"$UDPSEND" 127.0.0.1 127.0.0.1 "$rport" 20000 200 &
fpid=$!
tsp_cmd bob status
ok "bob answers during an RTP flood" tsp_wait bob '"event":"registration"' 3
wait "$fpid"
is "$?" 0 "the RTP flood was sent"
fe=$(wav_pos "$B")
alive "after the RTP flood"
is "$(tsp_count bob '"event":"call".*"id":1,.*"state":"terminated"')" 0 \
    "the call never ended before the hang-up"
ok "1.5 s recorded after the flood" wav_wait "$B" "$(wav_add "$fe" 1.5)"
te=$(wav_pos "$B")
diag "marks (s) in bob's recording: stranger's RTP $hs-$he, flood until $fe, hang-up at $te"
tsp_cmd alice "hangup"
ok "the call ends" tsp_wait bob '"event":"call".*"id":1,.*"state":"terminated"' 5
is "$(tsp_quit bob)" 0 "bob quits normally"
is "$(tsp_quit alice)" 0 "alice quits normally"
ok "bob heard alice before and through the hostile SIP" \
    "$TONECHECK" "$B" 1000 --from 0.5 --to "$(wav_add "$hs" -0.1)" --min-fraction 0.8
ok "the stranger's RTP did not replace alice's audio" \
    "$TONECHECK" "$B" 1000 --from "$hs" --to "$(wav_add "$he" 0.6)" --min-fraction 0.7
ok "alice's audio is back after the flood" \
    "$TONECHECK" "$B" 1000 --from "$(wav_add "$fe" 0.3)" --to "$(wav_add "$te" -0.1)" --min-fraction 0.6
done_testing
