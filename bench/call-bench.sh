#!/bin/sh
# Call benchmark on 127.0.0.1 through Kamailio (407 challenge on the
# INVITE, auto-answer at the callee), file audio driver at both ends,
# both ends sending a tone. Prints medians over RUNS calls per codec:
#   - CPU seconds per call-minute, per end (utime + stime of the process
#     over the established call, scaled to 60 s)
#   - peak RSS of a phone during the call (VmHWM)
#   - call set-up time: INVITE sent -> 200 OK received (from --trace)
#   - jitter-buffer delay reported by the stats events
# Usage: bench/call-bench.sh [path/to/tsphone]
# Tunables: RUNS (3), CALL_SECONDS (20), CODECS ("opus pcmu").
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=$(cd "$here/.." && pwd)
TSPHONE=${1:-${TSPHONE:-$TOP_SRCDIR/build/tsphone}}
export TOP_SRCDIR TSPHONE
RUNS=${RUNS:-3}
CALL_SECONDS=${CALL_SECONDS:-20}
CODECS=${CODECS:-opus pcmu}
. "$TOP_SRCDIR/tests/lib.sh"
require_kamailio
tmpdir_init
command -v sox >/dev/null 2>&1 || bail "sox is needed (apt-get install sox)"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

kam_start "alice:pa" "bob:pb" >/dev/null || bail "cannot start kamailio"
sox -n -r 48000 -c 1 -b 16 "$T/a.wav" synth 1 sine 1000 vol 0.5
sox -n -r 48000 -c 1 -b 16 "$T/b.wav" synth 1 sine 1500 vol 0.5

# Milliseconds from the first INVITE sent to the 200 OK for it, from a
# --trace log.
setup_ms() {
	awk '
	function t(s,   a) { split(s, a, ":"); return (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 }
	/ sip (send|recv) [0-9]+ bytes .* at [0-9:.]+:$/ {
		dir = $4; ts = $NF; sub(/:$/, "", ts); start = 1; ok200 = 0; next
	}
	start && / sip +INVITE sip:/ && dir == "send" && !inv { inv = t(ts) }
	start && / sip +SIP\/2\.0 200 / && dir == "recv" { ok200 = 1 }
	ok200 && / sip +CSeq: [0-9]+ INVITE/ && inv && !done { printf "%.2f\n", t(ts) - inv; done = 1 }
	' "$1"
}

for codec in $CODECS; do
	: >"$T/cpu.$codec"; : >"$T/rss.$codec"; : >"$T/setup.$codec"; : >"$T/jb.$codec"
	run=0
	while [ "$run" -lt "$RUNS" ]; do
		run=$((run + 1))
		for u in alice bob; do
			aa=no
			[ "$u" = bob ] && aa=yes
			write_conf "$T/$u.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$(printf %.1s "$u").wav
output = $T/$u-out.wav
[account $u]
uri = sip:$u@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$u")
codecs = $codec
auto_answer = $aa
EOF
			rm -f "$T/$u.log"
			tsp_start "$u" "$T/$u.conf" --trace
			tsp_wait "$u" '"state":"registered"' 5 >/dev/null || bail "$u did not register"
		done
		tsp_cmd alice "dial bob"
		tsp_wait alice '"event":"call".*"state":"established"' 5 >/dev/null || bail "no call"
		tsp_wait bob '"event":"call".*"state":"established"' 5 >/dev/null || bail "no call"
		pa=$(tsp_pid alice) pb=$(tsp_pid bob)
		a0=$(ticks "$pa") b0=$(ticks "$pb")
		sleep "$CALL_SECONDS"
		a1=$(ticks "$pa") b1=$(ticks "$pb")
		for d in $((a1 - a0)) $((b1 - b0)); do
			awk -v d="$d" -v hz="$hz" -v s="$CALL_SECONDS" \
			    'BEGIN { printf "%.3f\n", d / hz * 60 / s }' >>"$T/cpu.$codec"
		done
		for p in "$pa" "$pb"; do
			awk '/^VmHWM:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$p/status" >>"$T/rss.$codec"
		done
		tsp_cmd alice "hangup"
		tsp_wait bob '"event":"call".*"state":"terminated"' 5 >/dev/null
		grep '"event":"stats"' "$T/bob.out" | tail -n 1 |
		    sed -n 's/.*"jbuf_ms":\([0-9.]*\).*/\1/p' >>"$T/jb.$codec"
		grep '"event":"stats"' "$T/alice.out" | tail -n 1 |
		    sed -n 's/.*"jbuf_ms":\([0-9.]*\).*/\1/p' >>"$T/jb.$codec"
		tsp_quit alice >/dev/null
		tsp_quit bob >/dev/null
		setup_ms "$T/alice.log" >>"$T/setup.$codec"
	done
done

echo "tsphone call benchmark ($(uname -m), $(nproc) cores; $RUNS calls of ${CALL_SECONDS} s per codec)"
for codec in $CODECS; do
	printf '%-5s CPU per call-minute, per end: %s s   peak RSS: %s MiB   setup (INVITE -> 200, with 407): %s ms   jitter buffer: %s ms\n' \
	    "$codec" "$(median <"$T/cpu.$codec")" "$(median <"$T/rss.$codec")" \
	    "$(median <"$T/setup.$codec")" "$(median <"$T/jb.$codec")"
done
done_testing >/dev/null
