#!/bin/sh
# Packet loss on the media path, in a private network namespace
# (unshare -n: only loopback exists, and its firewall is ours). Alice
# calls bob through Kamailio with the file driver and sends a 1000 Hz
# tone; once the call is up, iptables drops 10 % of the UDP packets
# arriving at bob's RTP port, at random (SIP and RTCP pass). After ~10 s
# with Opus, then with PCMU:
#  - bob still hears the tone in at least 90 % of the half-second
#    windows from the start of the call to the hang-up (loss is
#    concealed, the stream does not stall or drift);
#  - bob's last stats event counts the loss (lost > 0, and as many as
#    the firewall dropped) and the frames his jitter buffer concealed
#    (concealed > 0).
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
if [ -z "${TSP_LOSS_NS:-}" ]; then
	_lib_find IPTABLES iptables ||
		skip_all "iptables not found (Debian package iptables)"
	unshare -n sh -c 'ip link set lo up &&
	    "$0" -A INPUT -p udp --dport 9 -m statistic --mode random \
	    --probability 0.1 -j DROP' "$IPTABLES" >/dev/null 2>&1 ||
		skip_all "needs unshare -n, ip and iptables' statistic match (root)"
	TSP_LOSS_NS=1 exec unshare -n sh "$0" "$@"
fi
ip link set lo up || bail "cannot bring up lo in the namespace"
_lib_find IPTABLES iptables || bail "iptables vanished"
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

sox -D -n -r 48000 -c 1 -b 16 "$T/alice-in.wav" synth 1 sine 1000 vol 0.5
sox -D -n -r 48000 -c 1 -b 16 "$T/bob-in.wav" trim 0 1

# How long the lossy stretch of each call lasts, in s.
: "${LOSS_SECONDS:=10}"

setup() {	# NAME CODEC
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$1-in.wav
output = $T/$1-$2.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
codecs = $2
EOF
	tsp_start "$1" "$T/$1.conf"
	tsp_wait "$1" '"state":"registered"' 3 >/dev/null || bail "$1 did not register"
}

connect() {	# alice calls bob, bob answers
	tsp_cmd alice "dial bob" || return 1
	tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null || return 1
	tsp_cmd bob "answer" || return 1
	tsp_wait bob '"event":"call".*"state":"established"' 5 >/dev/null &&
	    tsp_wait alice '"event":"call".*"state":"established"' 5 >/dev/null
}

# dropped: how many packets the DROP rule has taken so far.
dropped() {
	"$IPTABLES" -L INPUT -n -v -x | awk '$3 == "DROP" { n += $1 } END { print n + 0 }'
}

t_start=$(date +%s)
for codec in opus pcmu; do
	B=$T/bob-$codec.wav
	setup alice "$codec"
	setup bob "$codec"
	ok "$codec: call established" connect
	b0=$(wav_pos "$B") || b0=0
	line=$(grep '"event":"media"' "$T/bob.out" | tail -n 1)
	laddr=$(json_get "$line" local)
	port=${laddr##*:}
	case $port in '' | *[!0-9]*) port=0 ;; esac
	ok "$codec: bob's RTP port is known ($laddr)" test "$port" -gt 0
	ok "$codec: 10 % loss on UDP to port $port" \
	    "$IPTABLES" -A INPUT -p udp --dport "$port" \
	    -m statistic --mode random --probability 0.10 -j DROP
	ok "$codec: bob records $LOSS_SECONDS s under loss" \
	    wav_wait "$B" "$(wav_add "$b0" "$LOSS_SECONDS")" 5
	b1=$(wav_pos "$B")
	d=$(dropped)
	"$IPTABLES" -F INPUT
	tsp_cmd alice "hangup"
	ok "$codec: the call ends" \
	    tsp_wait bob '"event":"call".*"state":"terminated"' 5
	is "$(tsp_quit alice)" 0 "$codec: alice quits with status 0"
	is "$(tsp_quit bob)" 0 "$codec: bob quits with status 0"
	line=$(grep '"event":"stats"' "$T/bob.out" | tail -n 1)
	diag "$codec: $d packets dropped; bob's last stats: $line"
	ok "$codec: the firewall dropped packets ($d)" test "$d" -gt 0
	ok "$codec: bob hears 1000 Hz in 90 % of half seconds despite the loss" \
	    "$TONECHECK" "$B" 1000 --from "$(wav_add "$b0" 0.5)" \
	    --to "$(wav_add "$b1" -0.1)" --window 500 --min-fraction 0.9
	rx=$(json_get "$line" rx_packets)
	lost=$(json_get "$line" lost)
	concealed=$(json_get "$line" concealed)
	ok "$codec: bob received packets ($rx)" test "${rx:-0}" -gt 0
	ok "$codec: bob counts lost packets ($lost)" test "${lost:-0}" -gt 0
	# the rule drops RTP only, and is taken away while packets still
	# flow, so each packet it took is followed by one that arrives
	ok "$codec: as many as the firewall dropped ($lost, $d)" \
	    test "${lost:-0}" -ge $((d - 2)) -a "${lost:-0}" -le $((d + 2))
	ok "$codec: bob's jitter buffer concealed frames ($concealed)" \
	    test "${concealed:-0}" -gt 0
done
diag "loss took $(($(date +%s) - t_start)) s"
done_testing
