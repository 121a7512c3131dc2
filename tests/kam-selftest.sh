#!/bin/sh
# kam-selftest.sh: checks the test infrastructure itself - the Kamailio
# registrar/proxy of tests/kamailio.cfg.in driven by SIPp (REGISTER with
# tests/sip/uac-register.xml, calls with uac-call.xml to a uas-proxied.xml
# UAS, over UDP and TCP), the process/port/log handling of tests/lib.sh,
# and its tsphone driving helpers (against a fake tsphone, so this runs
# before the real one exists).
. "$(dirname "$0")/lib.sh"

require_kamailio
require_sipp
tmpdir_init

PW_ALICE='se:cr#et'
PW_BOB='a "b" $c \d; e'"'"'f%g&'	# quotes, $, backslash, space, ;, %, &
kam_start "alice:$PW_ALICE" "bob:$PW_BOB" || bail "cannot start kamailio"
diag "kamailio on $KAM_URI (pid $KAM_PID)"

like "$(kam_rpc core.version)" '^kamailio 5\.' "kamcmd answers through the ctl socket"
is "$(kam_contacts alice)" 0 "alice has no contact at start"

# one SIPp UA: the same port for all its runs, so its Contact is stable
SIPP_PORT=$(free_port) || bail "no free port"
export SIPP_PORT

codes=$(sipp_register reg alice "$PW_ALICE" 60)
is "$?" 0 "sipp REGISTER alice ends normally"
is "$codes" "401 200" "REGISTER alice: 401 then 200"
is "$(kam_contacts alice)" 1 "alice has 1 contact"
like "$(kam_contact_uris alice)" "^sip:alice@127\.0\.0\.1:$SIPP_PORT" \
	"the contact is the SIPp UA"

codes=$(sipp_register rereg alice "$PW_ALICE" 60)
is "$codes" "401 200" "REGISTER alice again: 401 then 200"
is "$(kam_contacts alice)" 1 "still 1 contact (binding refreshed)"

codes=$(sipp_register unreg alice "$PW_ALICE" 0)
is "$codes" "401 200" "REGISTER alice Expires: 0: 401 then 200"
is "$(kam_contacts alice)" 0 "alice has no contact any more"

codes=$(sipp_register badpw alice 'se:cr#eT' 60)
is "$codes" "401 401" "wrong password: challenged again"
is "$(kam_contacts alice)" 0 "wrong password: no contact"

codes=$(sipp_register unknown carol secret 60)
is "$codes" "401 401" "unknown user: challenged again"
is "$(kam_contacts carol)" 0 "unknown user: no contact"

codes=$(sipp_register forbidden forbidden1 x 60)
is "$codes" "403" "forbidden* user: 403 at once"
codes=$(sipp_register notfound notfound1 x 60)
is "$codes" "404" "notfound* user: 404 at once"
codes=$(sipp_register unavail unavail1 x 60)
is "$codes" "503" "unavail* user: 503 at once"
if grep -qi '^Retry-After' "$T/unavail.msg"; then
	fail "the 503 has no Retry-After"
else
	pass "the 503 has no Retry-After"
fi

codes=$(sipp_register mismatch alice "$PW_BOB" 60 -au bob)
is "$codes" "401 403" "REGISTER alice with bob's credentials: 403"
is "$(kam_contacts alice)" 0 "auth-user mismatch: no contact"

# a call alice -> bob through the proxy; bob is a SIPp UAS
BOBPORT=$(free_port) || bail "no free port"
codes=$(sipp_register regbob bob "$PW_BOB" 60 -p "$BOBPORT")
is "$codes" "401 200" "REGISTER bob (UAS port)"
sipp_start uas uas-proxied.xml - -s bob -p "$BOBPORT"
codes=$(sipp_call call alice "$PW_ALICE" bob)
is "$?" 0 "call alice -> bob completes"
like "$codes" '^407 (1[0-9][0-9] )*200 200$' "call: 407, INVITE answered 200, BYE 200"
sipp_wait uas
is "$?" 0 "bob's UAS got the call and the BYE through the proxy"
if grep -q '^Route: <sip:127\.0\.0\.1:'"$KAM_PORT"';lr' "$T/call.msg"; then
	pass "ACK/BYE are routed through the proxy (Record-Route)"
else
	fail "ACK/BYE are routed through the proxy (Record-Route)"
fi
codes=$(sipp_call call404 alice "$PW_ALICE" carol)
is "$codes" "407 404" "call to an unregistered user: 404"
codes=$(sipp_call call407 alice wrong bob)
is "$codes" "407 407" "call with a wrong password: 407 again"
codes=$(sipp_register unregbob bob "$PW_BOB" 0 -p "$BOBPORT")
is "$codes" "401 200" "unREGISTER bob"
is "$(kam_contacts bob)" 0 "bob has no contact"

BOBTCP=$(free_port) || bail "no free port"
codes=$(sipp_register tcp bob "$PW_BOB" 60 -t t1 -p "$BOBTCP")
is "$codes" "401 200" "REGISTER bob over TCP (password full of punctuation)"
is "$(kam_contacts bob)" 1 "bob has 1 contact"
like "$(kam_contact_uris bob)" 'transport=TCP' "bob's contact is TCP"
sipp_start uastcp uas-proxied.xml - -s bob -t t1 -p "$BOBTCP"
codes=$(sipp_call calltcp alice "$PW_ALICE" bob)
like "$codes" '^407 (1[0-9][0-9] )*200 200$' "call alice (UDP) -> bob (TCP)"
sipp_wait uastcp
is "$?" 0 "bob's TCP UAS got the call"
codes=$(sipp_call calldead alice "$PW_ALICE" bob)
like "$codes" '^407 (1[0-9][0-9] )*4[0-9][0-9]$' \
	"call to a dead TCP contact: exactly one final error"

codes=$(sipp_register short alice "$PW_ALICE" 2)
is "$codes" "401 200" "REGISTER alice with Expires: 2"
is "$(kam_contacts alice)" 1 "alice has 1 contact"
ok "the contact expires within 5 s" kam_wait_contacts alice 0 5

# restart on the same port, with a wrong password answered by 403
port=$KAM_PORT
ok "kam_stop" kam_stop
if _lib_alive "$(cat "$T/.run/kamailio.pid")"; then
	fail "kamailio is gone after kam_stop"
else
	pass "kamailio is gone after kam_stop"
fi
SIPP_TIMEOUT=2
codes=$(sipp_register down alice "$PW_ALICE" 60)
is "$?" 255 "REGISTER with the registrar down: sipp times out"
SIPP_TIMEOUT=
is "$codes" "" "REGISTER with the registrar down: no answer"
KAM_DEFINES=BADPASS_403
ok "kam_start_on the same port" kam_start_on "$port" "alice:$PW_ALICE"
KAM_DEFINES=
is "$KAM_PORT" "$port" "KAM_PORT is the same"
codes=$(sipp_register badpw403 alice nope 60)
is "$codes" "401 403" "BADPASS_403: wrong password gets 403"
codes=$(sipp_register ok2 alice "$PW_ALICE" 60)
is "$codes" "401 200" "BADPASS_403: right password still works"
is "$(kam_contacts alice)" 1 "alice has 1 contact after the restart"

# ---- the tsphone helpers, against a fake tsphone -----------------------
cat >"$T/fake-tsphone" <<'EOF'
#!/bin/sh
# fake tsphone --line -f CONF --log LOG: one JSON object per line
while [ $# -gt 0 ]; do
	case $1 in --log) log=$2; shift ;; -f) conf=$2; shift ;; esac
	shift
done
echo "fake tsphone, config $conf" >"$log"
[ -r "$conf" ] || { echo "cannot read $conf" >&2; exit 2; }
printf '{"event":"started"}\n'
while IFS= read -r line; do
	case $line in
	quit) printf '{"event":"bye"}\n'; exit 0 ;;
	crash) exit 3 ;;
	"register "*)
		printf '{"event":"registration","account":"%s","state":"registered","code":200,"reason":"OK","expires":600}\n' "${line#register }" ;;
	*) printf '{"event":"error","reason":"unknown command \\"%s\\""}\n' "$line" ;;
	esac
done
printf '{"event":"eof"}\n'
exit 0
EOF
chmod +x "$T/fake-tsphone"
TSPHONE=$T/fake-tsphone
write_conf "$T/f.conf" <<EOF
[account alice]
password = $PW_ALICE
EOF
is "$(stat -c %a "$T/f.conf")" 600 "write_conf makes a 0600 file"
is "$(cat "$T/f.conf")" "[account alice]
password = se:cr#et" "write_conf writes what it is given"

tsp_start f1 "$T/f.conf"
ok "fake tsphone starts" tsp_wait f1 '"event":"started"'
tsp_cmd f1 "register a"
tsp_cmd f1 "register b"
l=$(tsp_wait f1 '"state":"registered"')
is "$(json_get "$l" account)" a "first tsp_wait gets the first event"
l=$(tsp_wait f1 '"state":"registered"')
is "$(json_get "$l" account)" b "second tsp_wait gets the second event"
is "$(json_get "$l" code)" 200 "json_get reads a number"
is "$(json_get "$l" reason)" OK "json_get reads a string"
if json_get "$l" nokey >/dev/null; then
	fail "json_get fails on a missing key"
else
	pass "json_get fails on a missing key"
fi
is "$(tsp_count f1 '"state":"registered"')" 2 "tsp_count counts all matches"
if tsp_wait f1 '"state":"registered"' 0.3 2>/dev/null; then
	fail "a third tsp_wait times out"
else
	pass "a third tsp_wait times out"
fi
tsp_cmd f1 'bogus'
l=$(tsp_wait f1 '"event":"error"')
is "$(json_get "$l" reason)" 'unknown command \"bogus\"' "json_get keeps escapes"
is "$(json_get '{"a":"x\\","b" : -1.5e3 ,"c":"","d":true}' b)" -1.5e3 \
	"json_get: number after an escaped backslash"
is "$(json_get '{"a":"","b":1}' a)" "" "json_get: empty string"
like "$(tsp_pid f1)" '^[0-9]+$' "tsp_pid"
is "$(tsp_quit f1)" 0 "tsp_quit: exit status 0"
ok "fake tsphone said bye" tsp_wait f1 '"event":"bye"' 1
if tsp_cmd f1 "register c" 2>/dev/null; then
	fail "tsp_cmd fails once it has quit"
else
	pass "tsp_cmd fails once it has quit"
fi

tsp_start f2 "$T/f.conf"
tsp_cmd f2 crash
if tsp_wait f2 '"event":"never"' 5 2>/dev/null; then
	fail "tsp_wait returns at once when tsphone dies"
else
	pass "tsp_wait returns at once when tsphone dies"
fi
is "$(tsp_status f2)" 3 "tsp_status: exit status of a dead instance"
tsp_quit f2 >/dev/null
is "$?" 3 "tsp_quit returns the status of a dead instance"

tsp_start f3 "$T/f.conf"
ok "f3 started" tsp_wait f3 started
is "$(tsp_kill f3)" 143 "tsp_kill: 128+SIGTERM"

tsp_start f4 "$T/nonexistent.conf"
is "$(tsp_quit f4)" 2 "tsp_quit of an instance that failed at once"

# ---- lib.sh internals ----------------------------------------------------
# a process that ignores SIGTERM, with a child: SIGKILL for both
_lib_spawn stubborn /dev/null "$T/stubborn.out" '&1' \
	sh -c 'trap "" TERM; sleep 30 & echo $! >"$1"; wait' sh "$T/stubborn.child"
: >"$T/.run/stubborn.tree"
ok "stubborn process started" wait_until 5 test -s "$T/stubborn.child"
_lib_stop stubborn 1
is "$?" 137 "a process ignoring SIGTERM gets SIGKILL"
if _lib_alive "$(cat "$T/stubborn.child")"; then
	fail "its child is killed too"
else
	pass "its child is killed too"
fi

out=$( (_tap_n=0 _tap_failed=0; ok "a # b" sh -c 'echo oops; exit 3') )
like "$out" '^not ok 1 - a \\# b$' "ok: 'not ok' with '#' escaped"
like "$out" '^# exit status: 3$' "ok: shows the exit status"
like "$out" '^#   \| oops$' "ok: shows the output"
out=$( (_tap_n=0 _tap_failed=0; is x y "d") )
like "$out" "^#      got: 'x'" "is: shows what it got"

p1=$(free_port) && p2=$(free_port)
isnt "$p1" "$p2" "free_port never gives the same port twice"
if _lib_port_in_use "$KAM_PORT"; then
	pass "_lib_port_in_use sees kamailio's port"
else
	fail "_lib_port_in_use sees kamailio's port"
fi

# a running instance left for the exit trap to kill
tsp_start f5 "$T/f.conf"
ok "f5 started" tsp_wait f5 started

done_testing
