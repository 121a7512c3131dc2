#!/bin/sh
# What the local conference costs: delay and CPU. Bob's microphone plays
# a 2 kHz burst every second (bench/click-delay.c) and his speaker is
# recorded, both on his file driver's clock, so each echo's offset from
# its burst is a round trip.
#   1. direct: bob calls a SIPp UAS run with -rtp_echo;
#   2. conference: bob calls alice (silent microphone), alice calls the
#      echo and joins both calls: bob -> alice -> echo -> alice -> bob,
#      two passes through alice's mixer and three jitter buffers.
# Prints the median round trip of each (ms; click-delay's "MEDIAN CLICKS
# MIN MAX") and the CPU the calling phone spends per call-minute (utime +
# stime from /proc/PID/stat over the call): bob's in 1, alice's in 2.
# No registrar: every URI is direct, on 127.0.0.1 and free ports.
#
# Usage: bench/conf-bench.sh [path/to/tsphone]   (default build/tsphone)
# Tunables: CODEC (opus or pcmu; opus), LAT_SECONDS (8).
# Needs sipp, sox and cc.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=$(cd "$here/.." && pwd)
TSPHONE=${1:-${TSPHONE:-$TOP_SRCDIR/build/tsphone}}
export TOP_SRCDIR TSPHONE
LAT_SECONDS=${LAT_SECONDS:-8}
CODEC=${CODEC:-opus}
. "$TOP_SRCDIR/tests/lib.sh"
require_tsphone
require_sipp
tmpdir_init
command -v sox >/dev/null 2>&1 || bail "sox is needed (Debian package sox)"
${CC:-cc} -O2 -o "$T/click-delay" "$here/click-delay.c" -lm ||
	bail "cannot build bench/click-delay.c"
"$T/click-delay" gen "$T/clicks.wav" 1 || bail "cannot make the click train"
sox -n -r 48000 -c 1 -b 16 "$T/silence.wav" trim 0 1 ||
	bail "sox cannot make silence"
# The echo's scenario is audio-bench.sh's.
sed -n '/^echo_scenario() {/,/^}/p' "$here/audio-bench.sh" >"$T/scenario.sh"
. "$T/scenario.sh"
echo_scenario "$CODEC"

phone() {	# NAME INPUT OUTPUT LISTEN-PORT [LINE]
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:$4
[audio]
driver = file
input = $2
output = $3
[account $1]
uri = sip:$1@127.0.0.1
register = no
codecs = $CODEC
${5:-}
EOF
	tsp_start "$1" "$T/$1.conf"
	tsp_wait "$1" '"event":"registration"' 5 >/dev/null
}
echo_start() {	# NAME: SIPp echoing on $echo_port
	echo_port=$(free_port) || bail "no free port"
	SIPP_TIMEOUT=$((LAT_SECONDS + 40)) \
	    sipp_start "$1" "$T/uas-echo-$CODEC.xml" - -p "$echo_port" -rtp_echo
	sipp_ready "$1" || bail "SIPp did not start"
}
ticks() {	# PID: utime + stime
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
per_minute() {	# TICKS0 TICKS1: CPU seconds per minute over LAT_SECONDS
	awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" -v s="$LAT_SECONDS" \
	    'BEGIN { printf "%.2f\n", (b - a) / hz * 60 / s }'
}

# 1. direct
echo_start echo1
phone bob1 "$T/clicks.wav" "$T/direct.wav" 0
tsp_cmd bob1 "dial sip:echo@127.0.0.1:$echo_port"
tsp_wait bob1 '"event":"call".*"state":"established"' 10 >/dev/null ||
	bail "no call to the echo"
c0=$(ticks "$(tsp_pid bob1)")
sleep "$LAT_SECONDS"
c1=$(ticks "$(tsp_pid bob1)")
tsp_cmd bob1 hangup
tsp_wait bob1 '"event":"call".*"state":"terminated"' 5 >/dev/null
tsp_quit bob1 >/dev/null
sipp_wait echo1 >/dev/null
echo "direct: round trip $("$T/click-delay" measure "$T/clicks.wav" "$T/direct.wav"); CPU s/min $(per_minute "$c0" "$c1")"

# 2. conference
echo_start echo2
ap=$(free_port) || bail "no free port"
phone alice "$T/silence.wav" "$T/alice.wav" "$ap" "auto_answer = yes"
phone bob "$T/clicks.wav" "$T/conf.wav" 0
tsp_cmd bob "dial sip:alice@127.0.0.1:$ap"
tsp_wait alice '"event":"call".*"state":"established"' 10 >/dev/null ||
	bail "no call from bob to alice"
tsp_cmd alice "dial sip:echo@127.0.0.1:$echo_port"
tsp_wait alice '"event":"call".*"remote":"sip:echo.*"state":"established"' 10 \
    >/dev/null || bail "no call from alice to the echo"
tsp_cmd alice conference
tsp_wait alice '"event":"call".*"conference":true' 5 >/dev/null ||
	bail "no conference"
c0=$(ticks "$(tsp_pid alice)")
sleep "$LAT_SECONDS"
c1=$(ticks "$(tsp_pid alice)")
tsp_cmd alice "hangup 2"
tsp_cmd alice "hangup 1"
tsp_wait bob '"event":"call".*"state":"terminated"' 5 >/dev/null
tsp_quit alice >/dev/null
tsp_quit bob >/dev/null
sipp_wait echo2 >/dev/null
echo "conference: round trip $("$T/click-delay" measure "$T/clicks.wav" "$T/conf.wav"); CPU s/min (alice, two calls) $(per_minute "$c0" "$c1")"
