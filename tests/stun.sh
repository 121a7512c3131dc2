#!/bin/sh
# STUN for media ([account] stun_server) against a real STUN server
# (coturn's turnserver, STUN only, on loopback), through Kamailio:
#  - alice asks it before her INVITE goes; the SDP bob receives carries
#    the address and port the server saw (the trace of both sides and
#    alice's log agree), and audio flows both ways (tone checks);
#  - an incoming call to alice rings only once the binding is known,
#    and her answer carries it;
#  - STUN packets nobody asked for, sent to alice's RTP port during the
#    call, change nothing: no crash, her audio goes on;
#  - a STUN server that does not answer: the call goes ahead after about
#    a second with the local address, and the log says why.
# On loopback the mapped address is the local one; tests/nat-stun.sh
# does the same behind a real NAT, where they differ.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
UDPSEND=$(dirname "$TSPHONE")/tests/tools/udpsend
[ -x "$UDPSEND" ] || bail "udpsend not built ($UDPSEND)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
_lib_find TURNSERVER turnserver || skip_all "turnserver not found (Debian package coturn)"
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

# coturn as a plain STUN server: no TURN, no authentication, no TLS.
stun_port=$(free_port) || bail "no free port"
add_log coturn "$T/coturn.log"
_lib_spawn coturn /dev/null "$T/coturn.log" '&1' \
    "$TURNSERVER" -n --stun-only --no-cli --no-tls --no-dtls \
    --listening-ip=127.0.0.1 --listening-port="$stun_port" \
    --pidfile="$T/coturn.pid" --log-file=stdout --simple-log \
    --no-software-attribute || bail "cannot spawn turnserver"
udp_bound() {	# PORT: a UDP socket is bound to PORT on this host
	awk -v h="$(printf '%04X' "$1")" '
		NR > 1 { n = split($2, a, ":"); if (toupper(a[n]) == h) f = 1 }
		END { exit !f }' /proc/net/udp
}
wait_until 5 udp_bound "$stun_port" || bail "turnserver did not bind port $stun_port"
STUN=127.0.0.1:$stun_port
diag "STUN server: coturn on $STUN"

sox -n -r 8000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5

# setup NAME [EXTRA CONFIG LINE]: start NAME, registered.
setup() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$1-tone.wav
output = $T/$1.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
codecs = pcmu
${2:-}
EOF
	tsp_start "$1" "$T/$1.conf" --trace
	tsp_wait "$1" '"state":"registered"' 3 >/dev/null || bail "$1 did not register"
}

hears() {	# FILE FREQ FROM TO
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}

# The public RTP address:port alice's log says STUN gave (last call).
mapped() {
	sed -n 's/.*STUN server [^ ]* sees [^ ]* as \([^ ]*\) (RTCP.*/\1/p' \
	    "$T/alice.log" | tail -n 1
}

# --- outgoing: the INVITE waits for the binding ---------------------
setup alice "stun_server = $STUN"
setup bob
tsp_cmd alice "dial bob"
ok "alice's call reaches bob" tsp_wait bob '"event":"call".*"state":"incoming"' 5
ok "alice asked the STUN server first, and said how long it may wait" \
    grep -q "asking STUN server $STUN for the public address of 127.0.0.1:[0-9]*; the INVITE waits for it (1 s at most)" "$T/alice.log"
m=$(mapped)
like "$m" '^127\.0\.0\.1:[0-9]+$' "the server answered: alice's RTP is seen as $m"
ok "bob's INVITE carries that address (c=)" \
    grep -q "c=IN IP4 ${m%:*}" "$T/bob.log"
ok "and that port (m=)" grep -q "m=audio ${m#*:} RTP/AVP" "$T/bob.log"
ok "no a=rtcp: RTCP is at RTP's port + 1" sh -c "! grep -q 'a=rtcp:' '$T/bob.log'"
tsp_cmd bob answer
ok "the call is up" tsp_wait alice '"event":"call".*"state":"established"' 5
ok "2.5 s of the call recorded on both sides" wav_recorded 2.5 "$T/alice.wav" "$T/bob.wav"

# --- unsolicited STUN on the RTP port --------------------------------
# A Binding success response for a transaction nobody started (it
# would map alice to 198.51.100.66:1), a Binding request, and a
# response with a bad length, 20 of each, from a stranger and "from"
# the STUN server's address.
printf '\001\001\000\014\041\022\244\102ABCDEFGHIJKL\000\040\000\010\000\001\041\023\347\041\144\042' >"$T/stun-resp.bin"
printf '\000\001\000\000\041\022\244\102MNOPQRSTUVWX' >"$T/stun-req.bin"
printf '\001\001\000\100\041\022\244\102ABCDEFGHIJKL\000\040\000\010\000' >"$T/stun-short.bin"
port=${m#*:}
before=$(wav_pos "$T/alice.wav")
for f in stun-resp stun-req stun-short; do
	"$UDPSEND" -f "$T/$f.bin" 127.0.0.1 127.0.0.1 "$port" 20 >/dev/null ||
		fail "udpsend $f"
	"$UDPSEND" -f "$T/$f.bin" 127.0.0.1 127.0.0.1 "$((port + 1))" 20 >/dev/null ||
		fail "udpsend $f to RTCP"
done
ok "1.5 s more recorded after the STUN packets" \
    wav_recorded "$(wav_add "$before" 1.5)" "$T/alice.wav"
ok "alice is still running" tsp_running alice
tsp_cmd alice hangup
ok "bob sees the end" tsp_wait bob '"event":"call".*"state":"terminated"' 5
ok "alice sees the end" tsp_wait alice '"event":"call".*"state":"terminated"' 5
ok "bob hears alice's 1000 Hz" hears "$T/bob.wav" 1000 0.6 2.4
ok "alice hears bob's 1500 Hz" hears "$T/alice.wav" 1500 1 2.4
ok "alice still hears bob after the STUN packets" \
    hears "$T/alice.wav" 1500 "$(wav_add "$before" 0.2)" "$(wav_add "$before" 1.4)"
ok "and no second binding came of them" \
    test "$(grep -c 'sees 127' "$T/alice.log")" -eq 1

# --- incoming: alice rings once the binding is known ------------------
tsp_cmd bob "dial alice"
ok "bob's call reaches alice" tsp_wait alice '"event":"call".*"state":"incoming"' 5
ok "alice's answer waited for STUN, and said so" \
    grep -q "asking STUN server $STUN for the public address of 127.0.0.1:[0-9]*; the answer waits for it (1 s at most)" "$T/alice.log"
m=$(mapped)
ok "the binding is known before alice rings ($m)" \
    test "$(grep -c 'sees 127' "$T/alice.log")" -eq 2
tsp_cmd alice answer
ok "the call is up" tsp_wait bob '"event":"call".*"state":"established"' 5
ok "bob got alice's answer with that port" \
    test "$(grep -c "m=audio ${m#*:} RTP/AVP" "$T/bob.log")" -ge 1
tsp_cmd bob hangup
ok "alice sees the end" tsp_wait alice '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit alice)" 0 "alice quits with status 0"

# --- a STUN server that does not answer -------------------------------
dead=$(free_port) || bail "no free port"
setup alice "stun_server = 127.0.0.1:$dead"
t0=$(_lib_now_ms)
tsp_cmd alice "dial bob"
ok "the call still goes out" tsp_wait bob '"event":"call".*"state":"incoming"' 5
t1=$(_lib_now_ms)
diag "the INVITE reached bob $((t1 - t0)) ms after the dial"
ok "after the STUN attempt's second, not much later ($((t1 - t0)) ms)" \
    test "$((t1 - t0))" -ge 950 -a "$((t1 - t0))" -le 3000
ok "alice says why, in plain words" \
    grep -q "STUN server 127.0.0.1:$dead did not answer; the SDP carries the local address 127.0.0.1" "$T/alice.log"
tsp_cmd bob answer
ok "the call is up" tsp_wait alice '"event":"call".*"state":"established"' 5
tsp_cmd alice hangup
ok "bob sees the end" tsp_wait bob '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit alice)" 0 "alice quits with status 0"
is "$(tsp_quit bob)" 0 "bob quits with status 0"
done_testing
