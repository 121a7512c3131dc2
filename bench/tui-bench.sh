#!/bin/sh
# Full-screen interface benchmark, in a real terminal (tmux) against a
# local Kamailio:
#   - idle CPU of the screen with a registered account over IDLE_SECONDS
#     (default 30), next to an idle line-mode phone for reference, and
#     the bytes the screen writes to the terminal meanwhile (the clock);
#   - time from the key press that dials (Enter at ":dial bob") to the
#     INVITE leaving, from Sofia's --trace timestamp of the sent INVITE,
#     median and worst of RUNS (default 10) calls. The clock starts
#     before the tmux client is spawned, so the figure includes tmux
#     taking the key to the terminal: an upper bound, printed next to a
#     bare send-keys round trip for scale.
# Usage: bench/tui-bench.sh [path/to/tsphone]. Traffic stays on 127.0.0.1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=$(cd "$here/.." && pwd)
TSPHONE=${1:-${TSPHONE:-$TOP_SRCDIR/build/tsphone}}
export TOP_SRCDIR TSPHONE
RUNS=${RUNS:-10}
IDLE_SECONDS=${IDLE_SECONDS:-30}
. "$TOP_SRCDIR/tests/lib.sh"
require_kamailio
require_tmux
tmpdir_init

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

kam_start "alice:pa" "bob:pb" "idle:pi" >/dev/null || bail "cannot start kamailio"
for u in alice:pa bob:pb idle:pi; do
	write_conf "$T/${u%%:*}.conf" <<CONF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account ${u%%:*}]
uri = sip:${u%%:*}@127.0.0.1
registrar = $KAM_URI
password = ${u#*:}
CONF
done

tsp_start bob "$T/bob.conf"
tsp_start idle "$T/idle.conf"
tmux_start alice 100 30 env LC_ALL=C.UTF-8 "$TSPHONE" -f "$T/alice.conf" \
	--log "$T/alice.log" --trace || bail "cannot start the screen"
tmux_wait alice '^\*alice +registered' 5 >/dev/null || bail "alice did not register"
tsp_wait bob '"state":"registered"' 5 >/dev/null || bail "bob did not register"
tsp_wait idle '"state":"registered"' 5 >/dev/null || bail "idle did not register"
pane=$(tmux_cmd display -p -t alice '#{pane_pid}')
tui=$(pgrep -P "$pane" -x tsphone | head -n 1)
[ -n "$tui" ] || bail "cannot find the screen's tsphone"
line=$(tsp_pid idle)
hz=$(getconf CLK_TCK)

# --- idle
tmux_cmd pipe-pane -o -t alice "cat >'$T/pane.out'"
sleep 1
: >"$T/pane.out"
a0=$(ticks "$tui")
l0=$(ticks "$line")
s0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$tui/status")
sleep "$IDLE_SECONDS"
a1=$(ticks "$tui")
l1=$(ticks "$line")
s1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$tui/status")
bytes=$(wc -c <"$T/pane.out" | tr -d ' ')
tmux_cmd pipe-pane -t alice
tui_cpu=$(awk -v t="$((a1 - a0))" -v hz="$hz" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.3f", 100 * t / hz / s }')
line_cpu=$(awk -v t="$((l1 - l0))" -v hz="$hz" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.3f", 100 * t / hz / s }')
wakeups=$(awk -v n="$((s1 - s0))" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.1f", n / s }')
tbytes=$(awk -v n="$bytes" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.0f", n / s }')

# --- key press to INVITE
# The UTC time of day in microseconds: Sofia stamps messages with it.
now_us() { date -u +%H:%M:%S.%N | awk -F'[:.]' '{ printf "%.0f\n", (($1 * 60 + $2) * 60 + $3) * 1e6 + substr($4, 1, 6) }'; }
invite_stamps() {
	awk '/ sip send [0-9]+ bytes to / { at = $NF; next }
	     / sip    INVITE sip:/ && at != "" { print at; at = ""; next }
	     / sip    / { next }
	     { at = "" }' "$T/alice.log" |
		awk -F'[:.]' '{ printf "%.0f\n", (($1 * 60 + $2) * 60 + $3) * 1e6 + $4 }'
}
: >"$T/lat.us"
i=0
while [ "$i" -lt "$RUNS" ]; do
	n0=$(invite_stamps | wc -l)
	tmux_keys alice : d i a l Space b o b
	tmux_wait alice '^:dial bob$' 2 >/dev/null || bail "the prompt did not show"
	t0=$(now_us)
	tmux_keys alice Enter
	tsp_wait bob '"event":"call".*"state":"incoming"' 5 >/dev/null ||
		bail "run $i: bob was not called"
	stamp=$(invite_stamps | sed -n "$((n0 + 1))p")
	[ -n "$stamp" ] && echo $((stamp - t0)) >>"$T/lat.us"
	tsp_cmd bob reject
	tmux_wait alice '^.? *[0-9]+ → .* ended ' 8 >/dev/null ||
		bail "run $i: the call did not end"
	tmux_keys alice c	# an ended call stays until cleared
	tmux_wait alice 'No calls' 2 >/dev/null || bail "run $i: c did not clear it"
	i=$((i + 1))
done
lat=$(awk '{ print $1 / 1000 }' "$T/lat.us" | median)
worst=$(awk '{ print $1 / 1000 }' "$T/lat.us" | sort -n | tail -n 1)

# What tmux itself costs: send-keys to a pane that only reads.
tmux_start sink 80 24 cat || bail "cannot start the sink pane"
: >"$T/tmux.us"
i=0
while [ "$i" -lt "$RUNS" ]; do
	t0=$(now_us)
	tmux_keys sink x
	t1=$(now_us)
	echo $((t1 - t0)) >>"$T/tmux.us"
	i=$((i + 1))
done
tmuxlat=$(awk '{ print $1 / 1000 }' "$T/tmux.us" | median)

tmux_keys alice q
tmux_status alice 8 >/dev/null
tsp_quit bob >/dev/null
tsp_quit idle >/dev/null
tmux_stop

printf 'tui idle CPU over %s s:           %s %% (line-mode phone: %s %%)\n' \
	"$IDLE_SECONDS" "$tui_cpu" "$line_cpu"
printf 'tui idle wake-ups:                %s /s\n' "$wakeups"
printf 'tui idle output to the terminal:  %s bytes/s\n' "$tbytes"
printf 'key press to INVITE sent (%s runs): median %s ms, worst %s ms\n' \
	"$(wc -l <"$T/lat.us" | tr -d ' ')" "$lat" "$worst"
printf '  (for scale: a tmux send-keys round trip alone: median %s ms)\n' "$tmuxlat"
done_testing >/dev/null
