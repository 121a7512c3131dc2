#!/bin/sh
# "quit" is a bounded sequence: hang up the calls, un-REGISTER (waiting
# at most about 2 s), shut the SIP stack down, exit 0, in under 10 s in
# all, even when nobody answers any more:
#  (a) a call up to SIPp, then the registrar and SIPp stopped (SIGSTOP):
#      exit 0 within 10 s, the log says which steps were abandoned, and
#      no assertion;
#  (b) a call ringing here and one ringing there, the registrar well:
#      exit 0 at once, both calls ended on the wire, no binding left and
#      nothing abandoned;
#  (c) quit right after start, registration in progress: with the
#      registrar answering (no binding left), and with it stopped.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_sipp
require_tsphone
tmpdir_init
kam_start "bob:pb" "carol:pc" "dave:pd" "erin:pe" || bail "cannot start kamailio"

# conf NAME PORT: a registering account, no audio device; and the same
# user without registration or proxy, to call SIPp directly.
conf() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:$2
[audio]
driver = null
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
codecs = pcmu
[account direct]
uri = sip:$1@127.0.0.1
register = no
codecs = pcmu
EOF
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

tree() {	# PID: PID and its descendants
	echo "$1"
	for _c in $(pgrep -P "$1"); do tree "$_c"; done
}

# freeze NAME...|thaw NAME...: SIGSTOP/SIGCONT processes started by
# lib.sh (their pids are in $T/.run/NAME.pid) with their children
# (Kamailio's workers do the answering).
freeze() {
	for _n; do kill -STOP $(tree "$(cat "$T/.run/$_n.pid")"); done
}
thaw() {
	for _n; do kill -CONT $(tree "$(cat "$T/.run/$_n.pid")") 2>/dev/null; done
}

# quit_timed NAME LIMIT_S: quit NAME; set rc and ms (time to exit).
quit_timed() {
	_t0=$(now_ms)
	rc=$(tsp_quit "$1" "$2")
	ms=$(($(now_ms) - _t0))
	diag "$1 quit in $ms ms, status $rc"
}

# after_quit NAME: NAME's log from "quitting" on.
after_quit() {
	sed -n '/ quitting$/,$p' "$T/$1.log"
}

no_assert() {	# NAME: no assertion or sanitizer report on stderr
	! grep -E 'Assertion|AddressSanitizer|LeakSanitizer|runtime error' "$T/$1.err"
}

# --- (a) registrar and call peer stop answering
conf bob 0
tsp_start bob "$T/bob.conf"
ok "a: bob registers" tsp_wait bob '"state":"registered"' 5
sport=$(free_port) || bail "no free port"
sipp_start peer uas-answer.xml - -p "$sport" -rtp_echo
wait_until 3 test -s "$T/peer.screen"
tsp_cmd bob "dial sip:peer@127.0.0.1:$sport"
ok "a: the call is up" tsp_wait bob '"event":"call".*"state":"established"' 5
freeze kamailio sipp-peer
quit_timed bob 15
is "$rc" 0 "a: quit exits 0 with the registrar and the peer stopped"
ok "a: within 10 s ($ms ms)" test "$ms" -lt 10000
log=$(after_quit bob)
like "$log" '(warning|error).*(un-?REGISTER|unregist)' \
    "a: the log says the un-REGISTER was abandoned"
like "$log" '(warning|error).*([Cc]all|BYE|hang)' \
    "a: the log says the hang-up was abandoned"
ok "a: no assertion" no_assert bob
thaw kamailio sipp-peer
sipp_wait peer 3 >/dev/null

# --- (b) a call ringing in each direction; the registrar answers
cport=$(free_port) || bail "no free port"
conf carol "$cport"
tsp_start carol "$T/carol.conf"
ok "b: carol registers" tsp_wait carol '"state":"registered"' 5
is "$(kam_contacts carol)" 1 "b: carol has a binding"
rport=$(free_port) || bail "no free port"
sipp_start there uas-ring.xml - -p "$rport"
wait_until 3 test -s "$T/there.screen"
tsp_cmd carol "dial sip:there@127.0.0.1:$rport direct"
ok "b: carol's call rings there" tsp_wait carol '"event":"call".*"state":"ringing"' 5
# an INVITE that would ring for 30 s before SIPp cancels it
SIPP_TIMEOUT=40 sipp_start here uac-flood.xml "127.0.0.1:$cport" -s carol -d 30000
ok "b: a call rings here" tsp_wait carol '"event":"call".*"state":"incoming"' 5
quit_timed carol 15
is "$rc" 0 "b: quit exits 0"
ok "b: at once (within 3 s: $ms ms)" test "$ms" -lt 3000
is "$(kam_contacts carol)" 0 "b: no binding left at the registrar"
sipp_wait there 5
is "$?" 0 "b: the call ringing there was cancelled"
ok "b: the call ringing here got a final answer ($(sipp_codes here))" \
    wait_until 3 sh -c "grep -Eq '^SIP/2\\.0 [4-6][0-9][0-9] ' '$T/here.msg'"
sipp_wait here 1 >/dev/null
is "$(after_quit carol | grep -Ec ' (warning|error) ')" 0 "b: nothing was abandoned"
ok "b: no assertion" no_assert carol

# --- (c) quit right after start, registration in progress
conf dave 0
tsp_start dave "$T/dave.conf"
quit_timed dave 15
is "$rc" 0 "c: quit at start exits 0"
ok "c: at once (within 3 s: $ms ms)" test "$ms" -lt 3000
ok "c: no binding left at the registrar" kam_wait_contacts dave 0 2
ok "c: no assertion" no_assert dave

conf erin 0
freeze kamailio
tsp_start erin "$T/erin.conf"
ok "c: erin is registering (the registrar is stopped)" \
    tsp_wait erin '"state":"registering"' 5
quit_timed erin 15
is "$rc" 0 "c: quit during a registration that gets no answer exits 0"
ok "c: within 10 s ($ms ms)" test "$ms" -lt 10000
ok "c: no assertion" no_assert erin
thaw kamailio
done_testing
