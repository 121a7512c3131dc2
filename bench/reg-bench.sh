#!/bin/sh
# Registration benchmark against a local Kamailio (with its 401 digest
# challenge), printing medians:
#   - time from exec to "registered" (ms)        RUNS runs (default 9)
#   - peak RSS of an idle registered phone (MiB) IDLE_PHONES phones (3)
#   - CPU seconds of an idle registered phone over IDLE_SECONDS (60)
# Usage: bench/reg-bench.sh [path/to/tsphone]. Traffic stays on 127.0.0.1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=$(cd "$here/.." && pwd)
TSPHONE=${1:-${TSPHONE:-$TOP_SRCDIR/build/tsphone}}
export TOP_SRCDIR TSPHONE
RUNS=${RUNS:-9}
IDLE_PHONES=${IDLE_PHONES:-3}
IDLE_SECONDS=${IDLE_SECONDS:-60}
. "$TOP_SRCDIR/tests/lib.sh"
require_kamailio
tmpdir_init

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cc -O2 -o "$T/until" "$here/until.c" || bail "cannot build bench/until.c"
users=
i=1
while [ "$i" -le "$IDLE_PHONES" ]; do users="$users u$i:pw$i"; i=$((i + 1)); done
# shellcheck disable=SC2086
kam_start "bench:pw" $users >/dev/null || bail "cannot start kamailio"

write_conf "$T/bench.conf" <<CONF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account bench]
uri = sip:bench@127.0.0.1
registrar = $KAM_URI
password = pw
CONF

i=0
: >"$T/reg.ms"
while [ "$i" -lt "$RUNS" ]; do
	"$T/until" 5000 '"state":"registered"' "$TSPHONE" --line -f "$T/bench.conf" \
	    --log "$T/bench.log" >>"$T/reg.ms" || echo "run $i: not registered" >&2
	i=$((i + 1))
done
reg=$(median <"$T/reg.ms")

i=1
while [ "$i" -le "$IDLE_PHONES" ]; do
	write_conf "$T/u$i.conf" <<CONF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account u$i]
uri = sip:u$i@127.0.0.1
registrar = $KAM_URI
password = pw$i
CONF
	tsp_start "u$i" "$T/u$i.conf"
	i=$((i + 1))
done
i=1
while [ "$i" -le "$IDLE_PHONES" ]; do
	tsp_wait "u$i" '"state":"registered"' 5 >/dev/null || bail "u$i did not register"
	i=$((i + 1))
done
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
i=1
while [ "$i" -le "$IDLE_PHONES" ]; do
	eval "t0_$i=\$(ticks \$(tsp_pid u$i))"
	i=$((i + 1))
done
sleep "$IDLE_SECONDS"
: >"$T/cpu" ; : >"$T/rss"
i=1
while [ "$i" -le "$IDLE_PHONES" ]; do
	pid=$(tsp_pid "u$i")
	eval "t0=\$t0_$i"
	echo "$(( $(ticks "$pid") - t0 ))" | awk -v hz="$hz" '{ printf "%.2f\n", $1 / hz }' >>"$T/cpu"
	awk '/^VmHWM:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$pid/status" >>"$T/rss"
	tsp_quit "u$i" >/dev/null
	i=$((i + 1))
done

echo "tsphone registration benchmark ($(uname -m), $(nproc) cores)"
echo "time to registered (exec -> 200 OK after 401): $reg ms (median of $RUNS)"
echo "peak RSS, idle registered:                     $(median <"$T/rss") MiB (median of $IDLE_PHONES)"
echo "CPU, idle registered, ${IDLE_SECONDS} s:                   $(median <"$T/cpu") s (median of $IDLE_PHONES)"
done_testing >/dev/null
