# tests/lib.sh - shared helpers for tsphone's TAP integration tests.
#
# Sourced (POSIX sh: dash and bash both work) by tests/*.sh, which
# automake's TAP driver runs as "$(SHELL) tests/foo.sh" with TSPHONE,
# TOP_SRCDIR, KAMAILIO and SIPP exported (empty ones fall back to a
# search of PATH, /usr/sbin and /usr/bin).
#
# Typical test:
#
#   . "$(dirname "$0")/lib.sh"
#   require_kamailio; require_tsphone
#   tmpdir_init
#   kam_start "alice:s3cret" || bail "cannot start kamailio"
#   write_conf "$T/alice.conf" <<EOF
#   ...registrar = $KAM_URI...
#   EOF
#   tsp_start alice "$T/alice.conf"
#   ok "alice registers" tsp_wait alice '"state":"registered"'
#   is "$(kam_contacts alice)" 1 "one contact in the location table"
#   ok "alice quits with status 0" tsp_quit alice
#   done_testing
#
# Rules kept by every helper: traffic only to 127.0.0.1; ports are found
# free at run time; every process started here is killed at exit (trap),
# even when the test fails or is interrupted; every file lives in the
# private directory $T, removed at exit unless KEEP_TMP=1 (when a test
# fails, the tails of the logs are printed as "# " TAP comments first).
#
# Conventions: helpers whose output you may capture with $(...) print
# their own diagnostics on stderr (prefixed "# "); diag prints on stdout.
# Functions and variables whose names start with "_lib" are private.

# ---------------------------------------------------------------- setup

_lib_dir=$(cd "$(dirname "$0")" 2>/dev/null && pwd)
: "${TOP_SRCDIR:=$(cd "$_lib_dir/.." 2>/dev/null && pwd)}"
: "${KEEP_TMP:=0}"
: "${LOG_TAIL_LINES:=40}"
export TOP_SRCDIR

# fd 9: the script's original stdout (the TAP stream), so that the exit
# trap can report even when it fires inside "ok" (which redirects 1 and 2)
exec 9>&1

T=${T:-}
KAM_PID=
_tap_n=0
_tap_failed=0
_tap_plan=
_tap_done=
_lib_exiting=

# ------------------------------------------------------------------ TAP

# plan N: print the plan up front (prefer done_testing at the end).
plan() {
	_tap_plan=$1
	printf '1..%s\n' "$1"
}

# done_testing: print "1..N" (unless plan was used); the exit status of
# the script is then 1 if any test failed, else that of the script.
done_testing() {
	[ -n "$_tap_plan" ] || printf '1..%s\n' "$_tap_n"
	_tap_done=1
}

_lib_desc() {	# TAP-safe description: no newline, "#" escaped
	case $1 in
	*'#'* | *'
'*)	printf '%s' "$1" | tr '\n' ' ' | sed 's/#/\\#/g' ;;
	*)	printf '%s' "$1" ;;
	esac
}

# pass DESC / fail DESC [DIAG...]: record one result directly.
# While TODO is set (TODO="why"), results are marked "# TODO why": a
# failure is expected and not counted, a pass is reported as unexpected.
pass() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s%s\n' "$_tap_n" "$(_lib_desc "$1")" "$(_lib_todo)"
}
fail() {
	_tap_n=$((_tap_n + 1))
	[ -n "${TODO:-}" ] || _tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s%s\n' "$_tap_n" "$(_lib_desc "$1")" "$(_lib_todo)"
	shift
	for _fail_l in "$@"; do diag "$_fail_l"; done
}

# ok DESC CMD [ARGS...]: run CMD in this shell (so helpers keep their
# state); ok if it exits 0.  On failure the command, its exit status and
# its output (stdout+stderr, captured) are printed as diagnostics.
ok() {
	_ok_desc=$1
	shift
	[ $# -gt 0 ] || bail "ok '$_ok_desc': no command given"
	tmpdir_init
	_ok_out=$T/.ok.out
	if "$@" >"$_ok_out" 2>&1; then
		pass "$_ok_desc"
	else
		_ok_rc=$?
		fail "$_ok_desc" "command: $*" "exit status: $_ok_rc"
		_lib_diag_file "$_ok_out" 30 "  | "
	fi
}

_lib_todo() {
	[ -z "${TODO:-}" ] || printf ' # TODO %s' "$(_lib_desc "$TODO")"
}

# is GOT WANT DESC: string equality.
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected: '$2'"
	fi
}

# isnt GOT UNWANTED DESC
isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected anything else"
	fi
}

# like GOT ERE DESC: GOT (any line of it) matches the extended regex.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected to match /$2/"
	fi
}

# skip DESC REASON: a skipped test (counts as passed).
skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$(_lib_desc "$1")" "$(_lib_desc "$2")"
}

# diag TEXT...: "# "-prefixed lines on stdout (TAP comments).
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# note TEXT...: the same on stderr (safe inside $(...)).
note() {
	printf '%s\n' "$*" | sed 's/^/# /' >&2
}

# skip_all REASON: whole script skipped ("1..0 # SKIP ..."), exit 0.
skip_all() {
	printf '1..0 # SKIP %s\n' "$(_lib_desc "$*")"
	_tap_plan=0
	_tap_done=1
	exit 0
}

# bail REASON: abort the whole test run ("Bail out!"), exit 1.
bail() {
	printf 'Bail out! %s\n' "$(_lib_desc "$*")"
	exit 1
}

# ------------------------------------------------------- time & polling

_lib_now_ms() {
	_now=$(date +%s%N 2>/dev/null)
	case $_now in
	*N | '') _now=$(date +%s)000 ;;
	*) _now=${_now%??????} ;;
	esac
	printf '%s\n' "$_now"
}

_lib_s2ms() {	# seconds (may be fractional) -> integer milliseconds
	awk -v s="$1" 'BEGIN { printf "%d\n", s * 1000 }'
}

# wait_until TIMEOUT_S CMD [ARGS...]: run CMD every 50 ms until it exits
# 0 (return 0) or TIMEOUT_S seconds have passed (return 1).
wait_until() {
	_wu_end=$(( $(_lib_now_ms) + $(_lib_s2ms "$1") ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(_lib_now_ms)" -lt "$_wu_end" ] || return 1
		sleep 0.05
	done
}

# ------------------------------------------------------ temp dir & trap

# tmpdir_init: create the private directory $T and install the trap
# that kills every process started here and removes $T at exit.
# Idempotent; other helpers call it, but call it yourself first: never
# let the first call happen inside $(...).
tmpdir_init() {
	[ -n "$T" ] && [ -d "$T" ] && return 0
	T=$(mktemp -d "${TMPDIR:-/tmp}/tsphone-test.XXXXXX") ||
		bail "mktemp -d failed"
	export T
	# The history database and recordings stay inside the test.
	XDG_DATA_HOME=$T/data
	export XDG_DATA_HOME
	mkdir "$T/.run" || bail "cannot create $T/.run"
	: >"$T/.logs"
	: >"$T/.ports"
	trap '_lib_exit' EXIT
	trap '_lib_signal 129' HUP
	trap '_lib_signal 130' INT
	trap '_lib_signal 143' TERM
	# stdout closed (e.g. "sh test.sh | head"): clean up without output
	trap '_lib_quiet=1; exit 141' PIPE
}

_lib_quiet=
_lib_hooks=

# at_exit COMMAND: have the exit trap run COMMAND (a line of shell, run
# with eval) after every process started here has been stopped, before
# the logs are shown and $T is removed; the last added runs first.  For
# what the test made outside $T: network namespaces, firewall rules.
at_exit() {
	_lib_hooks="$1
$_lib_hooks"
}

_lib_run_hooks() {
	_rh_all=$_lib_hooks
	_lib_hooks=
	printf '%s\n' "$_rh_all" | while IFS= read -r _rh_cmd; do
		[ -n "$_rh_cmd" ] || continue
		eval "$_rh_cmd" >/dev/null 2>&1 </dev/null ||
			printf '# at exit: "%s" failed\n' "$_rh_cmd"
	done
}

_lib_signal() {
	exec 1>&9
	printf '# interrupted by a signal\n'
	exit "$1"
}

# add_log LABEL FILE: have FILE's tail printed if the test fails.
add_log() {
	tmpdir_init
	printf '%s %s\n' "$1" "$2" >>"$T/.logs"
}

_lib_diag_file() {	# FILE LINES [PREFIX]: tail of FILE as diagnostics
	[ -s "$1" ] || return 0
	# (minus Kamailio's per-process shutdown noise)
	grep -v -e 'sig_usr(): signal 15 received' -e 'probe_max_receive_buffer()' \
		"$1" | tail -n "$2" | awk -v p="# ${3:-}" '{ print p $0 }'
}

_lib_exit() {
	_lib_rc=$?
	[ -n "$_lib_exiting" ] && return
	_lib_exiting=1
	trap - EXIT HUP INT TERM PIPE
	set +e
	if [ -n "$_lib_quiet" ]; then
		trap '' PIPE
		exec 9>/dev/null 1>/dev/null 2>/dev/null
	fi
	exec 1>&9
	_lib_bad=0
	if [ -z "$_tap_done" ]; then
		printf '# test script exited (status %s) before done_testing\n' "$_lib_rc"
		_lib_bad=1
	fi
	[ "$_lib_rc" -eq 0 ] || _lib_bad=1
	[ "$_tap_failed" -eq 0 ] || _lib_bad=1
	if [ -n "$T" ] && [ -d "$T" ]; then
		_lib_kill_all
		_lib_run_hooks
		[ "$_lib_bad" -eq 0 ] || _lib_dump_logs
		if [ "$KEEP_TMP" = 1 ]; then
			printf '# KEEP_TMP=1: files kept in %s\n' "$T"
		else
			rm -rf "$T"
		fi
	fi
	_lib_run_hooks
	[ "$_lib_rc" -ne 0 ] || [ "$_tap_failed" -eq 0 ] || _lib_rc=1
	exit "$_lib_rc"
}

_lib_dump_logs() {
	printf '# ---- failure: log tails (set KEEP_TMP=1 to keep %s) ----\n' "$T"
	while read -r _dl_label _dl_file; do
		[ -s "$_dl_file" ] || continue
		printf '# ==== %s: %s (last %s lines) ====\n' \
			"$_dl_label" "$_dl_file" "$LOG_TAIL_LINES"
		_lib_diag_file "$_dl_file" "$LOG_TAIL_LINES" "  "
	done <"$T/.logs"
	for _dl_rc in "$T"/.run/*.rc; do
		[ -f "$_dl_rc" ] || continue
		_dl_name=${_dl_rc##*/}
		printf '# process %s exited with status %s\n' \
			"${_dl_name%.rc}" "$(cat "$_dl_rc")"
	done
}

# ----------------------------------------------------- process control
#
# Every process is started by _lib_spawn NAME ... which runs it in the
# background under a tiny wrapper subshell that records its exit status:
#   $T/.run/NAME.pid   pid of the process itself
#   $T/.run/NAME.wpid  pid of the wrapper subshell
#   $T/.run/NAME.rc    exit status, written when it ends (128+sig if killed)
#   $T/.run/NAME.tree  present if descendants must be killed too (kamailio)
# so that status and liveness can be read even from $(...) subshells.

_lib_alive() {	# PID: running and not a zombie
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		{ read -r _al_stat <"/proc/$1/stat"; } 2>/dev/null || return 1
		_al_stat=${_al_stat##*) }
		case $_al_stat in Z* | X*) return 1 ;; esac
	fi
	return 0
}

_lib_descendants() {	# PID...: all descendants (via /proc), one a line
	[ -d /proc/self ] || return 0
	_ds_roots=$*
	for _ds_f in /proc/[0-9]*/stat; do
		{ read -r _ds_l <"$_ds_f"; } 2>/dev/null || continue
		_ds_pid=${_ds_l%% *}
		_ds_rest=${_ds_l##*) }
		# shellcheck disable=SC2086 # split the fields
		set -- $_ds_rest
		printf '%s %s\n' "$_ds_pid" "$2"
	done | awk -v roots="$_ds_roots" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			n = split(roots, q, " ")
			for (i = 1; i <= n; i++) {
				m = split(kids[q[i]], k, " ")
				for (j = 1; j <= m; j++) {
					if (!(k[j] in seen)) { seen[k[j]] = 1; print k[j]; q[++n] = k[j] }
				}
			}
		}'
}

# _lib_spawn NAME STDIN STDOUT STDERR CMD [ARGS...]: output files are
# opened for appending; STDERR may be "&1"; STDIN "rw:FILE" opens FILE
# read-write (for a FIFO: never blocks).
_lib_spawn() {
	_sp_name=$1 _sp_in=$2 _sp_out=$3 _sp_err=$4
	shift 4
	rm -f "$T/.run/$_sp_name.pid" "$T/.run/$_sp_name.rc" \
		"$T/.run/$_sp_name.wpid" "$T/.run/$_sp_name.tree"
	(
		trap - EXIT HUP INT TERM PIPE
		exec 9>&- >>"$_sp_out"
		if [ "$_sp_err" = "&1" ]; then
			exec 2>&1
		else
			exec 2>>"$_sp_err"
		fi
		case $_sp_in in
		rw:*) "$@" <>"${_sp_in#rw:}" & ;;
		*) "$@" <"$_sp_in" & ;;
		esac
		_sp_pid=$!
		echo "$_sp_pid" >"$T/.run/$_sp_name.pid.tmp"
		mv "$T/.run/$_sp_name.pid.tmp" "$T/.run/$_sp_name.pid"
		wait "$_sp_pid"
		_sp_rc=$?
		echo "$_sp_rc" >"$T/.run/$_sp_name.rc.tmp"
		mv "$T/.run/$_sp_name.rc.tmp" "$T/.run/$_sp_name.rc"
	) &
	echo $! >"$T/.run/$_sp_name.wpid"
	# the pid file appears within microseconds; bounded anyway
	_sp_i=0
	while [ ! -f "$T/.run/$_sp_name.pid" ]; do
		_sp_i=$((_sp_i + 1))
		[ "$_sp_i" -le 200 ] || { note "spawn $_sp_name: no pid"; return 1; }
		sleep 0.01
	done
	return 0
}

_lib_pid() {	# NAME: pid of a spawned process (empty if none)
	[ -f "$T/.run/$1.pid" ] && cat "$T/.run/$1.pid"
}

_lib_running() {	# NAME: spawned and still running
	[ -f "$T/.run/$1.pid" ] && [ ! -f "$T/.run/$1.rc" ] &&
		_lib_alive "$(cat "$T/.run/$1.pid")"
}

# _lib_stop NAME TIMEOUT_S [SIGNAL]: signal NAME (default TERM; and its
# descendants if it has a .tree mark), wait up to TIMEOUT_S for it to
# end, then SIGKILL what is left.  Prints nothing; returns its status.
_lib_stop() {
	_st_name=$1 _st_sig=${3:-TERM}
	_st_pid=$(_lib_pid "$_st_name")
	[ -n "$_st_pid" ] || return 0
	_st_kids=
	[ -f "$T/.run/$_st_name.tree" ] && _st_kids=$(_lib_descendants "$_st_pid")
	if _lib_alive "$_st_pid"; then
		kill "-$_st_sig" "$_st_pid" 2>/dev/null
		wait_until "$2" _lib_not_running "$_st_name" ||
			{ note "$_st_name (pid $_st_pid) did not end, sending SIGKILL"
			  kill -KILL "$_st_pid" 2>/dev/null; }
	fi
	for _st_k in $_st_kids; do
		_lib_alive "$_st_k" && kill -KILL "$_st_k" 2>/dev/null
	done
	wait_until 2 test -f "$T/.run/$_st_name.rc"
	_st_w=$(cat "$T/.run/$_st_name.wpid" 2>/dev/null)
	[ -n "$_st_w" ] && wait "$_st_w" 2>/dev/null
	[ -f "$T/.run/$_st_name.rc" ] && return "$(cat "$T/.run/$_st_name.rc")"
	return 255
}

_lib_not_running() { ! _lib_running "$1"; }

_lib_kill_all() {
	# first ask everything still running to stop, then wait, then KILL
	for _ka_p in "$T"/.run/*.pid; do
		[ -f "$_ka_p" ] || continue
		_ka_n=${_ka_p##*/}
		_ka_n=${_ka_n%.pid}
		if _lib_running "$_ka_n"; then
			printf '# stopping %s (pid %s), still running at exit\n' \
				"$_ka_n" "$(cat "$_ka_p")"
			_ka_pid=$(cat "$_ka_p")
			[ -f "$T/.run/$_ka_n.tree" ] &&
				_lib_descendants "$_ka_pid" >"$T/.run/$_ka_n.kids"
			kill -TERM "$_ka_pid" 2>/dev/null
		fi
	done
	for _ka_p in "$T"/.run/*.pid; do
		[ -f "$_ka_p" ] || continue
		_ka_n=${_ka_p##*/}
		_ka_n=${_ka_n%.pid}
		wait_until 5 _lib_not_running "$_ka_n" ||
			{ printf '# %s (pid %s) did not end within 5 s of SIGTERM: SIGKILL\n' \
				"$_ka_n" "$(cat "$_ka_p")"
			  kill -KILL "$(cat "$_ka_p")" 2>/dev/null; }
		if [ -f "$T/.run/$_ka_n.kids" ]; then
			for _ka_k in $(cat "$T/.run/$_ka_n.kids"); do
				_lib_alive "$_ka_k" && kill -KILL "$_ka_k" 2>/dev/null
			done
		fi
		_ka_w=$(cat "$T/.run/$_ka_n.wpid" 2>/dev/null)
		if [ -n "$_ka_w" ]; then
			wait_until 2 test -f "$T/.run/$_ka_n.rc" ||
				kill -KILL "$_ka_w" 2>/dev/null
			wait "$_ka_w" 2>/dev/null
		fi
	done
}

# ---------------------------------------------------------------- ports

_lib_rand16() {
	od -An -N2 -tu2 /dev/urandom | tr -d ' \n'
}

_lib_port_in_use() {	# PORT: bound/used for UDP or TCP, IPv4 or IPv6
	if [ -r /proc/net/udp ]; then
		_piu_hex=$(printf '%04X' "$1")
		for _piu_f in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do
			[ -r "$_piu_f" ] || continue
			awk -v h="$_piu_hex" 'NR > 1 { n = split($2, a, ":"); if (toupper(a[n]) == h) { f = 1; exit } }
				END { exit !f }' "$_piu_f" && return 0
		done
		return 1
	fi
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hanut "( sport = :$1 )" 2>/dev/null)" ]
		return
	fi
	return 1	# cannot tell: kam_start retries on bind failure anyway
}

# free_port: print a port free for both UDP and TCP on 127.0.0.1,
# chosen at random below the kernel's ephemeral range, and never twice
# in one test.  On failure prints a diagnostic on stderr and returns 1:
#   port=$(free_port) || bail "no free port"
free_port() {
	_fp_lo=20000 _fp_hi=60000
	if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
		# (not "read <file": dash reads byte-wise, which sysctl files break)
		_fp_r=$(cat /proc/sys/net/ipv4/ip_local_port_range)
		# shellcheck disable=SC2086
		set -- $_fp_r
		if [ "${1:-0}" -gt 21000 ]; then
			_fp_hi=$(($1 - 1))
		elif [ "${2:-65535}" -lt 64000 ]; then
			_fp_lo=$(($2 + 1)) _fp_hi=65000
		fi
	fi
	_fp_i=0
	while [ "$_fp_i" -lt 500 ]; do
		_fp_i=$((_fp_i + 1))
		_fp_p=$((_fp_lo + $(_lib_rand16) % (_fp_hi - _fp_lo + 1)))
		if [ -n "$T" ] && [ -f "$T/.ports" ] && grep -qx "$_fp_p" "$T/.ports"; then
			continue
		fi
		_lib_port_in_use "$_fp_p" && continue
		[ -n "$T" ] && [ -d "$T" ] && echo "$_fp_p" >>"$T/.ports"
		echo "$_fp_p"
		return 0
	done
	note "free_port: no free port found in $_fp_lo-$_fp_hi"
	return 1
}

# --------------------------------------------------------- requirements

_lib_find() {	# VAR NAME: set VAR to a path for program NAME if unset
	eval "_fd_v=\${$1:-}"
	if [ -z "$_fd_v" ]; then
		_fd_v=$(command -v "$2" 2>/dev/null) ||
			for _fd_d in /usr/sbin /usr/bin /sbin /usr/local/sbin /usr/local/bin; do
				[ -x "$_fd_d/$2" ] && { _fd_v=$_fd_d/$2; break; }
			done
	fi
	eval "$1=\$_fd_v"
	# shellcheck disable=SC2163 # export the variable named by $1
	export "$1"
	[ -n "$_fd_v" ] && [ -x "$_fd_v" ]
}

# require_kamailio: skip the whole script unless kamailio and kamcmd
# are installed (KAMAILIO, KAMCMD may point at them).
require_kamailio() {
	_lib_find KAMAILIO kamailio || skip_all "kamailio not found (Debian package kamailio)"
	if [ -z "${KAMCMD:-}" ] && [ -x "$(dirname "$KAMAILIO")/kamcmd" ]; then
		KAMCMD=$(dirname "$KAMAILIO")/kamcmd
	fi
	_lib_find KAMCMD kamcmd || skip_all "kamcmd not found (Debian package kamailio)"
}

# require_sipp: skip the whole script unless sipp is installed.
require_sipp() {
	_lib_find SIPP sipp || skip_all "sipp not found (Debian package sip-tester)"
}

# require_tsphone: TSPHONE must be an executable (error if it was given
# and is not; skip if it was not given and no ./tsphone exists).
require_tsphone() {
	if [ -z "${TSPHONE:-}" ]; then
		if [ -x ./tsphone ]; then
			TSPHONE=$(pwd)/tsphone
		elif [ -x "$TOP_SRCDIR/tsphone" ]; then
			TSPHONE=$TOP_SRCDIR/tsphone
		else
			skip_all "tsphone binary not found (set TSPHONE)"
		fi
	fi
	export TSPHONE
	[ -x "$TSPHONE" ] || bail "TSPHONE=$TSPHONE is not an executable"
}

# ------------------------------------------------------------- kamailio
#
# Exported once started: KAM_PORT, KAM_URI (sip:127.0.0.1:PORT),
# KAM_HOSTPORT (127.0.0.1:PORT), KAM_RUNDIR, KAM_CFG, KAM_LOG, KAM_PID.
# Where it runs (tests/nat-lib.sh sets these): KAM_ADDR (127.0.0.1),
# KAM_NEXTHOP (the ERE of next hops it may relay to: 127.0.0.1 only),
# KAM_WRAPPER (words put before the command, e.g. "ip netns exec NS").
# Tunables (environment): KAM_REALM (default: $fd, i.e. the From/To
# domain), KAM_DEBUG (default 2), KAM_NONCE_EXPIRE (default 300),
# KAM_DEFINES (space-separated pre-processor defines, e.g. BADPASS_403),
# KAM_START_TIMEOUT (default 10 s), KAM_SHM / KAM_PKG (MB, 32 / 4).

_lib_hex() {	# STRING -> lowercase hex of its bytes
	printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'
}

# kam_start USER:PASS...: start Kamailio on a free port (retrying on
# another port if it fails to start there).  Returns 1 (and prints the
# log tail) if it does not come up:  kam_start alice:pw || bail ...
kam_start() {
	_kam_start "" "$@"
}

# kam_start_on PORT USER:PASS...: the same on a given port (no retry).
kam_start_on() {
	_ks_port=$1
	shift
	_kam_start "$_ks_port" "$@"
}

_kam_start() {
	tmpdir_init
	require_kamailio
	if [ -n "$KAM_PID" ] && _lib_running kamailio; then
		bail "kam_start: kamailio is already running (pid $KAM_PID)"
	fi
	_ks_given=$1
	shift
	KAM_RUNDIR=$T/kam
	KAM_CFG=$KAM_RUNDIR/kamailio.cfg
	KAM_LOG=$KAM_RUNDIR/kamailio.log
	mkdir -p "$KAM_RUNDIR" || bail "cannot create $KAM_RUNDIR"
	_ks_sock=$KAM_RUNDIR/kamailio_ctl
	[ "${#_ks_sock}" -lt 100 ] ||
		bail "ctl socket path too long ($_ks_sock): use a shorter TMPDIR"
	grep -q "^kamailio $KAM_LOG\$" "$T/.logs" || add_log kamailio "$KAM_LOG"

	# users -> htable lines (password hex-encoded)
	: >"$KAM_RUNDIR/users.inc"
	for _ks_up in "$@"; do
		case $_ks_up in
		*:*) ;;
		*) bail "kam_start: '$_ks_up' is not USER:PASSWORD" ;;
		esac
		_ks_u=${_ks_up%%:*}
		_ks_p=${_ks_up#*:}
		case $_ks_u in
		'' | *[!A-Za-z0-9._+-]*)
			bail "kam_start: bad user name '$_ks_u' (use [A-Za-z0-9._+-])" ;;
		esac
		[ -n "$_ks_p" ] || bail "kam_start: empty password for '$_ks_u'"
		printf '\t$sht(users=>%s) = "%s";\n' "$_ks_u" "$(_lib_hex "$_ks_p")" \
			>>"$KAM_RUNDIR/users.inc"
	done

	_ks_realm=${KAM_REALM:-'$fd'}
	case $_ks_realm in
	*'"'* | *'\'* | *'
'*)	bail "kam_start: bad KAM_REALM '$_ks_realm'" ;;
	esac

	_ks_tries=3
	[ -n "$_ks_given" ] && _ks_tries=1
	while [ "$_ks_tries" -gt 0 ]; do
		_ks_tries=$((_ks_tries - 1))
		if [ -n "$_ks_given" ]; then
			_ks_port=$_ks_given
		else
			_ks_port=$(free_port) || return 1
		fi
		_ks_tls=
		if [ -n "${KAM_TLS_CERT:-}" ]; then
			_ks_tls=$(free_port) || return 1
			cat >"$KAM_RUNDIR/tls.cfg" <<EOF
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $KAM_TLS_CERT
private_key = $KAM_TLS_KEY

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
EOF
		fi
		L_TLSPORT=$_ks_tls L_ADDR=${KAM_ADDR:-127.0.0.1} \
		L_NEXTHOP=${KAM_NEXTHOP:-'^127\.0\.0\.1$'} \
		L_PORT=$_ks_port L_RUNDIR=$KAM_RUNDIR L_REALM=$_ks_realm \
		L_DEBUG=${KAM_DEBUG:-2} L_NONCE=${KAM_NONCE_EXPIRE:-300} \
		L_DBFILE=${KAM_DBFILE:-$KAM_RUNDIR/presence.db} \
		awk -v users="$KAM_RUNDIR/users.inc" '
			$0 == "@USERS@" {
				while ((getline l < users) > 0) print l
				next
			}
			{
				gsub(/@TLSPORT@/, ENVIRON["L_TLSPORT"])
				gsub(/@PORT@/, ENVIRON["L_PORT"])
				gsub(/@RUNDIR@/, ENVIRON["L_RUNDIR"])
				gsub(/@DEBUG@/, ENVIRON["L_DEBUG"])
				gsub(/@NONCE_EXPIRE@/, ENVIRON["L_NONCE"])
				gsub(/@DBFILE@/, ENVIRON["L_DBFILE"])
				# (literal values: no regex or "&" in them)
				$0 = lit($0, "@REALM@", ENVIRON["L_REALM"])
				$0 = lit($0, "@ADDR@", ENVIRON["L_ADDR"])
				$0 = lit($0, "@NEXTHOP@", ENVIRON["L_NEXTHOP"])
				print
			}
			function lit(s, from, to,  i, r) {
				r = ""
				while ((i = index(s, from)) > 0) {
					r = r substr(s, 1, i - 1) to
					s = substr(s, i + length(from))
				}
				return r s
			}' "$TOP_SRCDIR/tests/kamailio.cfg.in" >"$KAM_CFG" ||
			bail "cannot generate $KAM_CFG"
		set --
		for _ks_d in ${KAM_DEFINES:-}; do set -- "$@" -A "$_ks_d"; done
		[ -n "$_ks_tls" ] && set -- "$@" -A WITH_TLS
		printf '=== kam_start: %s -f %s on port %s ===\n' \
			"$KAMAILIO" "$KAM_CFG" "$_ks_port" >>"$KAM_LOG"
		# shellcheck disable=SC2086 # KAM_WRAPPER is a word list
		_lib_spawn kamailio /dev/null "$KAM_LOG" '&1' \
			${KAM_WRAPPER:-} "$KAMAILIO" -DD -E --atexit=no -f "$KAM_CFG" -Y "$KAM_RUNDIR" \
			-P "$KAM_RUNDIR/kamailio.pid" -w "$KAM_RUNDIR" \
			-m "${KAM_SHM:-32}" -M "${KAM_PKG:-4}" "$@" ||
			bail "cannot spawn kamailio"
		: >"$T/.run/kamailio.tree"
		KAM_PID=$(_lib_pid kamailio)
		if wait_until "${KAM_START_TIMEOUT:-10}" _kam_ready; then
			KAM_PORT=$_ks_port
			KAM_HOSTPORT=${KAM_ADDR:-127.0.0.1}:$KAM_PORT
			KAM_URI=sip:$KAM_HOSTPORT
			KAM_TLS_PORT=$_ks_tls
			export KAM_PORT KAM_HOSTPORT KAM_URI KAM_PID KAM_RUNDIR KAM_CFG KAM_LOG
			export KAM_TLS_PORT
			return 0
		fi
		_lib_stop kamailio 3
		note "kamailio did not start on port $_ks_port; log tail:"
		tail -n 15 "$KAM_LOG" | sed 's/^/#   /' >&2
		KAM_PID=
		# a broken config does not get better on another port
		tail -n 15 "$KAM_LOG" | grep -q 'bad config file' && break
	done
	return 1
}

# require_kamailio_presence: skip unless the presence and SQLite modules
# of Kamailio and the sqlite3 shell are installed.
require_kamailio_presence() {
	require_kamailio
	_lib_find SQLITE3 sqlite3 || skip_all "sqlite3 not found (Debian package sqlite3)"
	_krp_mods=$("$KAMAILIO" -I 2>/dev/null | sed -n 's/.*MODULES_DIR: *//p' | head -n 1)
	[ -n "$_krp_mods" ] || _krp_mods=/usr/lib/x86_64-linux-gnu/kamailio/modules
	for _krp_m in presence presence_xml db_sqlite; do
		[ -f "$_krp_mods/$_krp_m.so" ] || [ -f "/usr/lib/kamailio/modules/$_krp_m.so" ] ||
			skip_all "kamailio module $_krp_m not found (Debian packages kamailio-presence-modules, kamailio-sqlite-modules)"
	done
	_krp_schema=${KAM_SCHEMA_DIR:-/usr/share/kamailio/db_sqlite}
	[ -f "$_krp_schema/presence-create.sql" ] ||
		skip_all "no $_krp_schema/presence-create.sql (Debian package kamailio-sqlite-modules)"
}

# kam_start_presence USER:PASS...: kam_start with the presence server
# (WITH_PRESENCE in kamailio.cfg.in) on a fresh SQLite database made from
# Kamailio's own schema, $KAM_DB (exported).
kam_start_presence() {
	tmpdir_init
	require_kamailio_presence
	mkdir -p "$T/kam" || bail "cannot create $T/kam"
	KAM_DB=$T/kam/presence.db
	rm -f "$KAM_DB"
	{ echo 'PRAGMA journal_mode = WAL;'
	  cat "$_krp_schema/standard-create.sql" "$_krp_schema/presence-create.sql"
	} | "$SQLITE3" "$KAM_DB" >/dev/null || bail "cannot create $KAM_DB"
	export KAM_DB
	case " ${KAM_DEFINES:-} " in
	*" WITH_PRESENCE "*) ;;
	*) KAM_DEFINES="${KAM_DEFINES:-} WITH_PRESENCE" ;;
	esac
	KAM_DBFILE=$KAM_DB kam_start "$@"
}

# kam_sql SQL: run a query on the presence database, one row a line,
# columns separated by "|".
kam_sql() {
	"$SQLITE3" -cmd '.timeout 2000' "$KAM_DB" "$1"
}

# kam_presentity USER: print the PIDF bodies published for USER (event
# presence), one a line with newlines squeezed; nothing when none.
kam_presentity() {
	kam_sql "SELECT replace(replace(CAST(body AS TEXT), char(10), ' '), char(13), '') \
		FROM presentity WHERE username = '$1' AND event = 'presence';"
}

_kam_ready() {
	_lib_running kamailio || return 1
	[ -S "$KAM_RUNDIR/kamailio_ctl" ] || return 1
	kam_rpc core.version | grep -q kamailio
}

# kam_rpc CMD [ARGS...]: run a kamcmd RPC through the ctl socket, print
# its output; returns 1 if kamcmd fails or answers "error: ...".
kam_rpc() {
	if command -v timeout >/dev/null 2>&1; then
		_kr_out=$(timeout 5 "$KAMCMD" -s "unix:$KAM_RUNDIR/kamailio_ctl" "$@" 2>&1) || {
			printf '%s\n' "$_kr_out"; return 1; }
	else
		_kr_out=$("$KAMCMD" -s "unix:$KAM_RUNDIR/kamailio_ctl" "$@" 2>&1) || {
			printf '%s\n' "$_kr_out"; return 1; }
	fi
	printf '%s\n' "$_kr_out"
	case $_kr_out in error:*) return 1 ;; esac
	return 0
}

# kam_stop: stop Kamailio (SIGTERM, up to 5 s, then SIGKILL).  KAM_PORT
# stays set, so "kam_start_on $KAM_PORT users..." restarts it.
kam_stop() {
	[ -n "$T" ] && [ -f "$T/.run/kamailio.pid" ] || return 0
	_lib_stop kamailio 5
	_ks_rc=$?
	KAM_PID=
	return 0
}

# kam_contacts USER: print how many live contacts USER has in the
# location table (usrloc keys AoRs by user only: use_domain is off).
# Prints 0 when the AoR is unknown; returns 1 if kamcmd fails.
kam_contacts() {
	_kc_out=$(kam_rpc ul.lookup location "$1")
	_kc_rc=$?
	if [ "$_kc_rc" -ne 0 ]; then
		case $_kc_out in
		*'AOR not found'*) echo 0; return 0 ;;
		esac
		note "kam_contacts $1: $_kc_out"
		return 1
	fi
	# "Expires: N" (seconds left), "permanent", or "expired"/"deleted"
	printf '%s\n' "$_kc_out" | awk '
		$1 == "Expires:" && ($2 == "permanent" || $2 + 0 > 0) { n++ }
		END { print n + 0 }'
}

# kam_contact_uris USER: print the Contact URIs registered for USER.
kam_contact_uris() {
	kam_rpc ul.lookup location "$1" 2>/dev/null |
		awk '$1 == "Address:" { print $2 }'
}

# kam_wait_contacts USER N [TIMEOUT_S]: wait (default 5 s) until USER
# has exactly N contacts; returns 1 on timeout (prints the last count).
kam_wait_contacts() {
	if wait_until "${3:-5}" _kam_contacts_is "$1" "$2"; then
		return 0
	fi
	note "kam_wait_contacts $1: wanted $2, have $(kam_contacts "$1")"
	return 1
}

_kam_contacts_is() {
	[ "$(kam_contacts "$1")" = "$2" ]
}

# ------------------------------------------------------------- tsphone
#
# tsp_start NAME CONFIG [EXTRA ARGS...] runs
#   $TSPHONE_WRAPPER $TSPHONE --line -f CONFIG --log $T/NAME.log ARGS
# with stdin from the FIFO $T/NAME.in (held open by a helper process, so
# it never sees EOF until tsp_quit), stdout to $T/NAME.out (one JSON
# event a line), stderr to $T/NAME.err.  TSPHONE_WRAPPER may be e.g.
# "valgrind -q --error-exitcode=99".  NAME: [A-Za-z0-9_]+.

_tsp_check_name() {
	case $1 in
	'' | *[!A-Za-z0-9_]*) bail "bad tsphone instance name '$1'" ;;
	esac
}

tsp_start() {
	_tsp_check_name "$1"
	[ $# -ge 2 ] || bail "usage: tsp_start NAME CONFIG [ARGS...]"
	tmpdir_init
	require_tsphone
	_ts_name=$1 _ts_conf=$2
	shift 2
	if _lib_running "tsp-$_ts_name"; then
		bail "tsp_start: $_ts_name is already running"
	fi
	_ts_fifo=$T/$_ts_name.in
	rm -f "$_ts_fifo"
	mkfifo "$_ts_fifo" || bail "mkfifo $_ts_fifo failed"
	: >"$T/$_ts_name.out"
	: >"$T/$_ts_name.err"
	echo 0 >"$T/$_ts_name.cur"
	if ! grep -q "^tsphone-$_ts_name.out " "$T/.logs"; then
		add_log "tsphone-$_ts_name.out" "$T/$_ts_name.out"
		add_log "tsphone-$_ts_name.err" "$T/$_ts_name.err"
		add_log "tsphone-$_ts_name.log" "$T/$_ts_name.log"
	fi
	# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
	_lib_spawn "tsp-$_ts_name" "$_ts_fifo" "$T/$_ts_name.out" "$T/$_ts_name.err" \
		${TSPHONE_WRAPPER:-} "$TSPHONE" --line -f "$_ts_conf" \
		--log "$T/$_ts_name.log" "$@" || bail "cannot spawn tsphone"
	# The holder opens the FIFO read-write: that never blocks (Linux),
	# lets tsphone's open() return, and keeps a writer so tsphone sees
	# no EOF between commands; being a reader too, it keeps tsp_cmd's
	# open() from blocking even if tsphone has died.
	_lib_spawn "hold-$_ts_name" "rw:$_ts_fifo" /dev/null /dev/null \
		sleep 86400 || bail "cannot spawn the FIFO holder"
	return 0
}

# tsp_pid NAME: print the pid of tsphone instance NAME.
tsp_pid() {
	_lib_pid "tsp-$1"
}

# tsp_running NAME: true if tsphone instance NAME is running.
tsp_running() {
	_lib_running "tsp-$1"
}

# tsp_cmd NAME "COMMAND LINE": send one command line to NAME's stdin.
# Returns 1 (with a diagnostic) if NAME is not running.
tsp_cmd() {
	case $2 in *'
'*) bail "tsp_cmd: the command must be one line" ;; esac
	if ! _lib_running "tsp-$1" || ! _lib_running "hold-$1"; then
		note "tsp_cmd $1: tsphone $1 is not running (command: $2)"
		return 1
	fi
	printf '%s\n' "$2" >"$T/$1.in"
}

_tsp_lines() {	# NAME: number of complete lines in its output
	wc -l <"$T/$1.out" | tr -d ' '
}

# tsp_wait NAME ERE [TIMEOUT_S]: wait (default 5 s) for a line of
# NAME's output, after the last line consumed by a previous tsp_wait,
# matching the extended regex ERE; print it, consume it (and nothing
# before it), return 0.  Returns 1 on timeout or if tsphone exited and
# no such line came.
tsp_wait() {
	_tw_name=$1 _tw_re=$2
	_tw_end=$(( $(_lib_now_ms) + $(_lib_s2ms "${3:-5}") ))
	[ -f "$T/$_tw_name.cur" ] || { note "tsp_wait: no tsphone '$_tw_name'"; return 1; }
	_tw_cur=$(cat "$T/$_tw_name.cur")
	_tw_from=$_tw_cur
	while :; do
		_tw_dead=
		_lib_running "tsp-$_tw_name" || _tw_dead=1
		_tw_n=$(_tsp_lines "$_tw_name")
		if [ "$_tw_n" -gt "$_tw_from" ]; then
			_tw_hit=$(RE=$_tw_re awk -v s="$_tw_from" -v n="$_tw_n" '
				NR > n { exit }
				NR > s && $0 ~ ENVIRON["RE"] { print NR; print; exit }' \
				"$T/$_tw_name.out")
			if [ -n "$_tw_hit" ]; then
				echo "${_tw_hit%%
*}" >"$T/$_tw_name.cur"
				printf '%s\n' "${_tw_hit#*
}"
				return 0
			fi
			_tw_from=$_tw_n
		fi
		if [ -n "$_tw_dead" ]; then
			note "tsp_wait $_tw_name /$_tw_re/: tsphone exited" \
				"(status $(cat "$T/.run/tsp-$_tw_name.rc" 2>/dev/null))"
			_tsp_wait_diag "$_tw_name" "$_tw_cur"
			return 1
		fi
		if [ "$(_lib_now_ms)" -ge "$_tw_end" ]; then
			note "tsp_wait $_tw_name: timeout (${3:-5} s) waiting for /$_tw_re/"
			_tsp_wait_diag "$_tw_name" "$_tw_cur"
			return 1
		fi
		sleep 0.03
	done
}

_tsp_wait_diag() {	# NAME CURSOR: show the unconsumed output
	_twd_n=$(_tsp_lines "$1")
	if [ "$_twd_n" -gt "$2" ]; then
		note "output of $1 after line $2:"
		tail -n "+$(($2 + 1))" "$T/$1.out" | tail -n 20 | sed 's/^/#   /' >&2
	else
		note "no output from $1 after line $2"
	fi
}

# tsp_count NAME ERE: print how many output lines of NAME match ERE
# (all lines so far, regardless of the tsp_wait cursor).
tsp_count() {
	[ -f "$T/$1.out" ] || { echo 0; return 0; }
	RE=$2 awk -v n="$(_tsp_lines "$1")" '
		NR > n { exit }
		$0 ~ ENVIRON["RE"] { c++ }
		END { print c + 0 }' "$T/$1.out"
}

# tsp_quit NAME [TIMEOUT_S]: send "quit", close its stdin, wait (default
# 5 s) for it to exit (then SIGKILL); print and return its exit status.
tsp_quit() {
	_tq_name=$1
	if _lib_running "tsp-$_tq_name"; then
		printf 'quit\n' >"$T/$_tq_name.in"
	fi
	_lib_stop "hold-$_tq_name" 2
	if ! wait_until "${2:-5}" _lib_not_running "tsp-$_tq_name"; then
		note "tsp_quit $_tq_name: still running after ${2:-5} s, killing it"
	fi
	_lib_stop "tsp-$_tq_name" 2 KILL
	_tq_rc=$?
	echo "$_tq_rc"
	return "$_tq_rc"
}

# tsp_kill NAME [SIGNAL]: send SIGNAL (default TERM) and wait (5 s, then
# SIGKILL); print and return its exit status (128+signal if killed).
tsp_kill() {
	_lib_stop "tsp-$1" 5 "${2:-TERM}"
	_tk_rc=$?
	_lib_stop "hold-$1" 2
	echo "$_tk_rc"
	return "$_tk_rc"
}

# tsp_status NAME: print the exit status of an instance that has ended
# (returns 1 and prints nothing if it is still running).
tsp_status() {
	[ -f "$T/.run/tsp-$1.rc" ] || return 1
	cat "$T/.run/tsp-$1.rc"
}

# json_get LINE KEY: print the value of "KEY" in a flat one-line JSON
# object: strings without their quotes (escapes left as they are),
# numbers/true/false/null as they are.  Returns 1 if KEY is absent.
json_get() {
	_jg_v=$(printf '%s\n' "$1" | sed -n -E \
		-e 's/.*"'"$2"'"[[:space:]]*:[[:space:]]*"(([^"\\]|\\.)*)".*/\1/p' \
		-e 't' \
		-e 's/.*"'"$2"'"[[:space:]]*:[[:space:]]*([^",}[:space:]]+).*/\1/p')
	[ -n "$_jg_v" ] || printf '%s\n' "$1" | grep -q "\"$2\"[[:space:]]*:[[:space:]]*\"\"" ||
		return 1
	printf '%s\n' "$_jg_v"
}

# write_conf FILE: write stdin to FILE with mode 0600 (write_conf F <<EOF).
write_conf() {
	( umask 077 && cat >"$1" ) || bail "cannot write $1"
	chmod 600 "$1"
}

# ------------------------------------------------------- recorded audio
#
# The file audio driver writes everything the speaker plays, silence
# included, to its output WAV, a 20 ms writer thread behind the device
# clock. The file's length is therefore the device's position in the
# recording: read at the moment of an event, it says where in the WAV to
# look for the event's effect, with no guess from wall-clock time.
#
#   t=$(wav_pos "$T/bob.wav")              # e.g. 2.140 (seconds)
#   tsp_cmd alice hold
#   ...
#   "$TONECHECK" "$T/bob.wav" 1000 --to "$(wav_add "$t" -0.3)" ...

# wav_pos FILE: print the length in seconds (3 decimals) of the audio
# written so far to the WAV FILE, from its size and the "fmt " and
# "data" chunks of its header; return 1 if FILE is not (yet) a WAV.
wav_pos() {
	[ -f "$1" ] || return 1
	_wp_size=$(wc -c <"$1" | tr -d ' ')
	od -An -v -tu1 -N 1024 "$1" 2>/dev/null | awk -v size="$_wp_size" '
		function le(i, n,  v, k) { v = 0; for (k = n - 1; k >= 0; k--) v = v * 256 + b[i + k]; return v }
		{ for (i = 1; i <= NF; i++) b[n++] = $i + 0 }
		END {
			if (n < 12 || le(0, 4) != 1179011410 || le(8, 4) != 1163280727)
				exit 1		# "RIFF" ... "WAVE"
			for (p = 12; p + 8 <= n; p += 8 + sz + sz % 2) {
				id = le(p, 4); sz = le(p + 4, 4)
				if (id == 544501094) {		# "fmt "
					ch = le(p + 10, 2); rate = le(p + 12, 4); bits = le(p + 22, 2)
				} else if (id == 1635017060) {	# "data"
					if (rate < 1 || ch < 1 || bits < 8)
						exit 1
					fr = ch * int(bits / 8)
					d = size - (p + 8)
					printf "%.3f\n", (d < 0 ? 0 : int(d / fr)) / rate
					found = 1
					exit 0
				}
			}
			exit 1
		}'
}

# wav_add A B: print A + B (seconds, 2 decimals; never below 0).
wav_add() {
	awk -v a="$1" -v b="$2" 'BEGIN { s = a + b; printf "%.2f\n", s < 0 ? 0 : s }'
}

# wav_wait FILE SECONDS [TIMEOUT_S]: wait until FILE holds SECONDS of
# audio (at most SECONDS + TIMEOUT_S, default 5 s, of wall-clock time);
# print the position reached.  On timeout print a diagnostic on stderr
# and return 1.  A recording grows no faster than real time, so it
# sleeps half of what is missing between looks (at least 50 ms): a few
# looks per wait, not twenty a second beside a phone playing audio.
wav_wait() {
	_ww_end=$(( $(_lib_now_ms) + $(_lib_s2ms "$2") + $(_lib_s2ms "${3:-5}") ))
	while :; do
		_ww_p=$(wav_pos "$1") || _ww_p=0
		_ww_nap=$(awk -v p="$_ww_p" -v s="$2" 'BEGIN {
			d = s - p
			if (d <= 0) print "done"; else printf "%.3f\n", (d > 0.1 ? d / 2 : 0.05) }')
		if [ "$_ww_nap" = done ]; then
			printf '%s\n' "$_ww_p"
			return 0
		fi
		[ "$(_lib_now_ms)" -lt "$_ww_end" ] || break
		sleep "$_ww_nap"
	done
	note "wav_wait: $1 did not reach $2 s in time (at $(wav_pos "$1" || echo 'no WAV'))"
	return 1
}

# wav_recorded SECONDS FILE...: wav_wait for SECONDS in each FILE.
wav_recorded() {
	_wrc_s=$1
	shift
	for _wrc_f in "$@"; do
		wav_wait "$_wrc_f" "$_wrc_s" || return 1
	done
}

# ----------------------------------------------------------------- sipp

# sipp_start NAME SCENARIO TARGET [SIPP ARGS...]: start SIPp in the
# background for one call (-m 1), bound to 127.0.0.1 on the port given
# with "-p PORT" in the SIPP ARGS, else $SIPP_PORT, else a free one (the
# port used is written to $T/NAME.port), with free
# control and media ports, a global timeout of $SIPP_TIMEOUT s (10),
# no stdin, the message trace in $T/NAME.msg, unexpected messages in
# $T/NAME.errors, its screen in $T/NAME.screen.  SCENARIO is a file
# name in tests/sip/, an absolute path, or "sn:NAME" for a built-in
# scenario (sn:uas).  TARGET: 127.0.0.1:PORT, or "-" for none (UAS).
# SIPP_IP (127.0.0.1) is the address it binds and the one TARGET must
# have (tests/nat-lib.sh: another namespace's); SIPP_WRAPPER, words put
# before the command (e.g. "ip netns exec NS").
sipp_start() {
	tmpdir_init
	require_sipp
	_sr_name=$1 _sr_scen=$2 _sr_target=$3
	shift 3
	_sr_ip=${SIPP_IP:-127.0.0.1}
	case $_sr_target in
	-) _sr_target= ;;
	"$_sr_ip":[0-9]*) ;;
	*) bail "sipp_start: target must be $_sr_ip:PORT or -, not '$_sr_target'" ;;
	esac
	case $_sr_scen in
	sn:*) set -- -sn "${_sr_scen#sn:}" "$@" ;;
	/*) set -- -sf "$_sr_scen" "$@" ;;
	*) set -- -sf "$TOP_SRCDIR/tests/sip/$_sr_scen" "$@" ;;
	esac
	_sr_port='' _sr_prev=''
	for _sr_a in "$@"; do
		[ "$_sr_prev" = "-p" ] && _sr_port=$_sr_a
		_sr_prev=$_sr_a
	done
	if [ -z "$_sr_port" ]; then
		_sr_port=${SIPP_PORT:-}
		[ -n "$_sr_port" ] || _sr_port=$(free_port) || return 1
		set -- -p "$_sr_port" "$@"
	fi
	echo "$_sr_port" >"$T/$_sr_name.port"
	_sr_cport=$(free_port) || return 1
	_sr_mport=$(_lib_free_port4) || return 1
	rm -f "$T/$_sr_name.msg" "$T/$_sr_name.errors" "$T/$_sr_name.screen"
	# shellcheck disable=SC2086 # SIPP_WRAPPER is a word list
	_lib_spawn "sipp-$_sr_name" /dev/null "$T/$_sr_name.screen" '&1' \
		${SIPP_WRAPPER:-} "$SIPP" -i "$_sr_ip" \
		-cp "$_sr_cport" -mp "$_sr_mport" -m 1 \
		-timeout "${SIPP_TIMEOUT:-10}s" -timeout_error -nostdin \
		-trace_msg -message_file "$T/$_sr_name.msg" \
		-trace_err -error_file "$T/$_sr_name.errors" \
		"$@" ${_sr_target:+"$_sr_target"} || bail "cannot spawn sipp"
}

# sipp_wait NAME [TIMEOUT_S]: wait for a sipp_start'ed SIPp to end
# (default: SIPP_TIMEOUT + 5 s, then it is killed); return its status
# (0: the scenario completed; 255 (-1) on its global timeout).
sipp_wait() {
	_sw_name=$1
	wait_until "${2:-$((${SIPP_TIMEOUT:-10} + 5))}" test -f "$T/.run/sipp-$_sw_name.rc" ||
		note "sipp $_sw_name did not end in time, killing it"
	_lib_stop "sipp-$_sw_name" 2
	_sw_rc=$?
	if [ "$_sw_rc" -ne 0 ]; then	# show this run's files if the test fails
		add_log "sipp-$_sw_name.errors(status-$_sw_rc)" "$T/$_sw_name.errors"
		add_log "sipp-$_sw_name.msg" "$T/$_sw_name.msg"
		add_log "sipp-$_sw_name.screen" "$T/$_sw_name.screen"
	fi
	return "$_sw_rc"
}

# sipp_ready NAME [TIMEOUT_S]: wait (default 5 s) until the SIPp
# sipp_start'ed as NAME has bound its SIP port, so that a request sent
# to it is not lost; return 1 with a diagnostic on stderr if it has not,
# or has ended first.
sipp_ready() {
	_sy_port=$(cat "$T/$1.port" 2>/dev/null) ||
		{ note "sipp_ready: no SIPp '$1'"; return 1; }
	wait_until "${2:-5}" _lib_sipp_bound "$1" "$_sy_port" && return 0
	if _lib_running "sipp-$1"; then
		note "sipp $1: port $_sy_port not bound within ${2:-5} s"
	else
		note "sipp $1 ended (status $(cat "$T/.run/sipp-$1.rc" 2>/dev/null))" \
			"before binding port $_sy_port"
	fi
	return 1
}

_lib_sipp_bound() {	# NAME PORT
	_lib_running "sipp-$1" && _lib_port_in_use "$2"
}

# sipp_run NAME SCENARIO TARGET [SIPP ARGS...]: sipp_start + sipp_wait.
sipp_run() {
	sipp_start "$@" || return 1
	sipp_wait "$1"
}

_lib_free_port4() {	# a free port P with P+1..P+3 free too (sipp media)
	_f4_i=0
	while [ "$_f4_i" -lt 50 ]; do
		_f4_i=$((_f4_i + 1))
		_f4_p=$(free_port) || return 1
		[ "$_f4_p" -lt 65530 ] || continue
		_lib_port_in_use $((_f4_p + 1)) || _lib_port_in_use $((_f4_p + 2)) ||
			_lib_port_in_use $((_f4_p + 3)) || { echo "$_f4_p"; return 0; }
	done
	return 1
}

# sipp_codes NAME: print the status codes SIPp received in run NAME,
# space-separated, in order (e.g. "401 200").
sipp_codes() {
	[ -f "$T/$1.msg" ] || return 0
	awk '/^SIP\/2\.0 [0-9][0-9][0-9] / { printf "%s%s", sep, $2; sep = " " }
		END { print "" }' "$T/$1.msg"
}

# sipp_register NAME USER PASSWORD EXPIRES [SIPP ARGS...]: REGISTER USER
# at the running Kamailio with tests/sip/uac-register.xml; print the
# status codes received (e.g. "401 200"); return sipp's exit status.
# Use the same SIPP_PORT for register and unregister (same Contact).
sipp_register() {
	_sg_name=$1 _sg_user=$2 _sg_pass=$3 _sg_exp=$4
	shift 4
	[ -n "${KAM_PORT:-}" ] || bail "sipp_register: kamailio is not started"
	sipp_run "$_sg_name" uac-register.xml "127.0.0.1:$KAM_PORT" \
		-s "$_sg_user" -au "$_sg_user" -ap "$_sg_pass" \
		-key expires "$_sg_exp" "$@"
	_sg_rc=$?
	sipp_codes "$_sg_name"
	return "$_sg_rc"
}

# sipp_call NAME CALLER PASSWORD CALLEE [SIPP ARGS...]: call CALLEE
# through the running Kamailio as CALLER with tests/sip/uac-call.xml
# (407, authenticated INVITE, ACK, BYE after 500 ms); print the status
# codes received (e.g. "407 100 180 200 200"); return sipp's status.
sipp_call() {
	_sc_name=$1 _sc_from=$2 _sc_pass=$3 _sc_to=$4
	shift 4
	[ -n "${KAM_PORT:-}" ] || bail "sipp_call: kamailio is not started"
	sipp_run "$_sc_name" uac-call.xml "127.0.0.1:$KAM_PORT" \
		-s "$_sc_to" -key caller "$_sc_from" -au "$_sc_from" -ap "$_sc_pass" "$@"
	_sc_rc=$?
	sipp_codes "$_sc_name"
	return "$_sc_rc"
}

# ================================================================= tmux
#
# The full-screen interface in a real terminal, for tests/tui.sh: a
# private tmux server (its socket in $T, never the user's server, no
# user configuration), one detached session per NAME. The server is
# registered like a spawned process ($T/.run/tmux-server.pid, with its
# descendants), so the exit trap above kills it and what runs in it.
#
#   tmux_start alice 100 30 env LANG=C.UTF-8 "$TSPHONE" -f "$T/a.conf"
#   tmux_wait alice 'registered'          # poll capture-pane, bounded
#   tmux_keys alice a                     # tmux send-keys
#   tmux_screen alice                     # the screen as text

# require_tmux: skip the whole script unless tmux is installed.
require_tmux() {
	_lib_find TMUX_BIN tmux || skip_all "tmux not found (Debian package tmux)"
}

# tmux_cmd ARGS...: run tmux against the private server.
tmux_cmd() {
	"$TMUX_BIN" -S "$T/.tmux.sock" "$@"
}

# tmux_start NAME COLS ROWS CMD [ARGS...]: run CMD in a new session NAME
# of COLS x ROWS; its exit status is written to $T/NAME.rc when it ends
# (the pane then stays, so its last screen can still be read).
tmux_start() {
	tmpdir_init
	require_tmux
	_tm_name=$1 _tm_x=$2 _tm_y=$3
	shift 3
	rm -f "$T/$_tm_name.rc"
	tmux_cmd -f /dev/null new-session -d -s "$_tm_name" -x "$_tm_x" \
		-y "$_tm_y" sh -c '"$@"; echo $? >"$0.tmp"; mv "$0.tmp" "$0"; exec sleep 86400' \
		"$T/$_tm_name.rc" "$@" || { note "tmux_start $_tm_name failed"; return 1; }
	if [ ! -f "$T/.run/tmux-server.pid" ]; then
		tmux_cmd display-message -p '#{pid}' >"$T/.run/tmux-server.pid"
		: >"$T/.run/tmux-server.tree"
	fi
	return 0
}

# tmux_screen NAME: print what the terminal of session NAME shows.
tmux_screen() {
	tmux_cmd capture-pane -p -t "$1"
}

# tmux_keys NAME KEY...: type keys (tmux key names: Enter, Escape, Up...).
tmux_keys() {
	_tk_name=$1
	shift
	tmux_cmd send-keys -t "$_tk_name" "$@"
}

_tmux_has() {	# NAME ERE
	tmux_screen "$1" | grep -Eq -- "$2"
}

_tmux_hasnt() {	# NAME ERE
	! tmux_screen "$1" | grep -Eq -- "$2"
}

# tmux_wait NAME ERE [TIMEOUT_S]: wait (default 5 s) until a line of the
# screen matches ERE; on timeout print the screen as diagnostics and
# return 1.
tmux_wait() {
	wait_until "${3:-5}" _tmux_has "$1" "$2" && return 0
	note "tmux_wait $1: no /$2/ within ${3:-5} s; the screen:"
	tmux_screen "$1" | sed 's/^/#   |/' >&2
	return 1
}

# tmux_wait_gone NAME ERE [TIMEOUT_S]: wait until no line matches ERE.
tmux_wait_gone() {
	wait_until "${3:-5}" _tmux_hasnt "$1" "$2" && return 0
	note "tmux_wait_gone $1: /$2/ still there after ${3:-5} s; the screen:"
	tmux_screen "$1" | sed 's/^/#   |/' >&2
	return 1
}

# tmux_status NAME [TIMEOUT_S]: wait (default 5 s) for the command of
# session NAME to end; print its exit status (return 1 if it did not end).
tmux_status() {
	wait_until "${2:-5}" test -f "$T/$1.rc" || return 1
	cat "$T/$1.rc"
}

# tmux_stop: kill the private server and everything running in it.
tmux_stop() {
	[ -f "$T/.run/tmux-server.pid" ] || return 0
	_tq_pid=$(cat "$T/.run/tmux-server.pid")
	_tq_kids=$(_lib_descendants "$_tq_pid")
	tmux_cmd kill-server 2>/dev/null
	wait_until 5 _tmux_dead "$_tq_pid" || kill -KILL "$_tq_pid" 2>/dev/null
	for _tq_k in $_tq_kids; do
		_lib_alive "$_tq_k" && kill -KILL "$_tq_k" 2>/dev/null
	done
	rm -f "$T/.run/tmux-server.pid" "$T/.run/tmux-server.tree"
	return 0
}

_tmux_dead() { ! _lib_alive "$1"; }

# ================================================= events in any order
#
# tsp_wait reads one instance's events in order. When one action brings
# several events whose order is not part of the contract (a switch holds
# one call and resumes another), mark the output first and look after
# the mark, in any order and in any key order; tsp_wait's cursor is not
# moved:
#
#   m=$(tsp_lines alice)
#   tsp_cmd alice "switch 2"
#   ok "call 1 held" tsp_wait_after alice "$m" 5 event=call id=1 state=held
#   ok "call 2 up" tsp_wait_after alice "$m" 5 event=call id=2 state=established
#
# A KEY=VALUE matches "KEY":VALUE in a flat JSON line, VALUE quoted unless
# it is a number, true, false or null.

# tsp_lines NAME: how many lines NAME has printed so far.
tsp_lines() {
	[ -f "$T/$1.out" ] || { echo 0; return 0; }
	_tsp_lines "$1"
}

# tsp_find NAME FROM KEY=VALUE...: print the first line after line FROM
# of NAME's output holding every KEY=VALUE; return 1 if there is none.
tsp_find() {
	_tsp_match first "$@"
}

# tsp_last NAME KEY=VALUE...: print the last line of NAME's output
# holding every KEY=VALUE; return 1 if there is none.
tsp_last() {
	_tl_name=$1
	shift
	_tsp_match last "$_tl_name" 0 "$@"
}

_tsp_match() {	# first|last NAME FROM KEY=VALUE...
	_tm_mode=$1 _tm_name=$2 _tm_from=$3
	shift 3
	[ -f "$T/$_tm_name.out" ] || return 1
	_tm_pats=
	for _tm_kv in "$@"; do
		_tm_k=${_tm_kv%%=*} _tm_v=${_tm_kv#*=}
		case $_tm_v in
		true | false | null) ;;
		'' | *[!0-9]*) _tm_v="\"$_tm_v\"" ;;
		esac
		_tm_pats="$_tm_pats\"$_tm_k\":$_tm_v
"
	done
	PATS=$_tm_pats awk -v from="$_tm_from" -v n="$(_tsp_lines "$_tm_name")" \
	    -v mode="$_tm_mode" '
		BEGIN { np = split(ENVIRON["PATS"], p, "\n") }
		NR > n { exit }
		NR > from {
			for (i = 1; i < np; i++)
				if (!index($0, p[i] ",") && !index($0, p[i] "}"))
					next
			hit = $0
			if (mode == "first")
				exit
		}
		END { if (hit != "") print hit; exit (hit == "") }' "$T/$_tm_name.out"
}

# tsp_wait_after NAME FROM TIMEOUT_S KEY=VALUE...: wait for such a line
# after line FROM and print it; on timeout say so (with NAME's output
# since FROM) and return 1.
tsp_wait_after() {
	_twa_name=$1 _twa_from=$2 _twa_t=$3
	shift 3
	if wait_until "$_twa_t" tsp_find "$_twa_name" "$_twa_from" "$@"; then
		tsp_find "$_twa_name" "$_twa_from" "$@"
		return 0
	fi
	note "tsp_wait_after $_twa_name: no line with $* after line $_twa_from" \
	    "within $_twa_t s"
	_tsp_wait_diag "$_twa_name" "$_twa_from"
	return 1
}
