#!/bin/sh
# Blind transfer (REFER) through Kamailio, which challenges every INVITE
# from a local user with 407:
#  - tsphone to tsphone: alice transfers bob to carol. Bob (transferee)
#    holds alice's call, calls carol (answering the 407), tells alice the
#    truth in NOTIFYs, which alice reports as "transfer" events (trying,
#    ringing, done), and ends the old call once carol answers; bob and
#    carol then hear each other. When carol rejects, alice sees the
#    transfer fail with carol's 486 and bob's old call stays, held.
#  - against a transferor that is not tsphone: SIPp calls bob, REFERs him
#    to carol and checks each NOTIFY's sipfrag (tests/sip/uac-refer.xml).
. "$(dirname "$0")/lib.sh"
require_kamailio
require_sipp
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
kam_start "alice:pa" "bob:pb" "carol:pc" || bail "cannot start kamailio"

sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5
sox -n -r 16000 -c 1 -b 16 "$T/carol-tone.wav" synth 1 sine 700 vol 0.5

# bob listens on a known port: SIPp calls him directly in the last part
bport=$(free_port) || bail "no free port"
for u in alice:pa:0 bob:pb:$bport carol:pc:0; do
	name=${u%%:*} rest=${u#*:}
	write_conf "$T/$name.conf" <<EOF
[sip]
listen = 127.0.0.1:${rest#*:}
[audio]
driver = file
input = $T/$name-tone.wav
output = $T/$name-heard.wav
[account $name]
uri = sip:$name@127.0.0.1
registrar = $KAM_URI
password = ${rest%%:*}
EOF
	tsp_start "$name" "$T/$name.conf"
done
for n in alice bob carol; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done

hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}
line_no() {	# NAME LINE: the number of that line of NAME's output
	[ -n "$2" ] || { echo 0; return; }
	grep -nxF -- "$2" "$T/$1.out" | head -n 1 | cut -d: -f1
}
# expect DESC NAME FROM TIMEOUT_S KEY=VALUE...: ok if such an event
# comes (tsp_wait_after); the line is left in $got.
expect() {
	_ex_desc=$1
	shift
	if got=$(tsp_wait_after "$@" 2>"$T/.why"); then
		pass "$_ex_desc"
	else
		got=
		fail "$_ex_desc" "$(cat "$T/.why")"
	fi
}
none() {	# NAME FROM KEY=VALUE...: no such line after FROM
	if _n_line=$(tsp_find "$@"); then
		note "unexpected: $_n_line"
		return 1
	fi
	return 0
}
kam_invites_by() {	# USER: INVITEs Kamailio authenticated for USER
	grep -c "AUTH: INVITE: user '$1' authenticated" "$KAM_LOG"
}

# connect: alice calls bob, bob answers; sets id_a (alice's call) and
# id_b1 (bob's).
connect() {
	tsp_cmd alice "dial bob"
	line=$(tsp_wait bob '"event":"call".*"state":"incoming"' 5) || return 1
	id_b1=$(json_get "$line" id)
	tsp_cmd bob "answer"
	line=$(tsp_wait alice '"event":"call".*"state":"established"' 5) || return 1
	id_a=$(json_get "$line" id)
	tsp_wait bob '"event":"call".*"state":"established"' 5 >/dev/null
}

# ------------------------------------- alice transfers bob to carol: done

ok "alice calls bob, bob answers" connect
la=$(tsp_lines alice) lb=$(tsp_lines bob)
auth0=$(kam_invites_by bob)
tsp_cmd alice "transfer carol $id_a"
line=$(tsp_wait carol '"event":"call".*"state":"incoming"' 10)
ok "carol rings: bob calls her" test -n "$line"
like "$(json_get "$line" remote)" 'sip:bob@127\.0\.0\.1' "the call comes from bob"
ok "Kamailio challenged bob's INVITE and bob authenticated" \
    test "$(kam_invites_by bob)" -gt "$auth0"
expect "alice: transfer trying" alice "$la" 5 event=transfer id="$id_a" state=trying
l_try=$got
expect "alice: transfer ringing" alice "$la" 5 event=transfer id="$id_a" state=ringing
l_ring=$got
is "$(json_get "$l_ring" code)" 180 "ringing with code 180"
ok "bob holds alice's call while carol rings" \
    tsp_wait_after bob "$lb" 5 event=call id="$id_b1" state=held
ok "alice sees she is held" \
    tsp_wait_after alice "$la" 5 event=call id="$id_a" held_by_remote=true
ok "alice's call is still up while carol rings" \
    none alice "$la" event=call id="$id_a" state=terminated

mb=$(wav_pos "$T/bob-heard.wav") || mb=0
mc=$(wav_pos "$T/carol-heard.wav") || mc=0
tsp_cmd carol "answer"
ok "carol: established" tsp_wait carol '"event":"call".*"state":"established"' 5
expect "bob: the new call is established" bob "$lb" 5 event=call direction=out state=established
id_b2=$(json_get "$got" id)
isnt "$id_b2" "$id_b1" "it is a new call"
expect "alice: transfer done" alice "$la" 5 event=transfer id="$id_a" state=done
l_done=$got
is "$(json_get "$l_done" code)" 200 "done with code 200"
ok "the events come in order: trying, ringing, done" \
    test "$(line_no alice "$l_try")" -lt "$(line_no alice "$l_ring")" -a \
    "$(line_no alice "$l_ring")" -lt "$(line_no alice "$l_done")"
ok "alice's call ends" tsp_wait_after alice "$la" 5 event=call id="$id_a" state=terminated
ok "bob's old call ends" tsp_wait_after bob "$lb" 5 event=call id="$id_b1" state=terminated
ok "alice never saw the transfer fail" none alice "$la" event=transfer state=failed
ok "and no error about it" none alice "$la" event=error command=transfer
line=$(tsp_last bob event=call id="$id_b2")
is "$(json_get "$line" state)/$(json_get "$line" current)" established/true \
    "bob's call with carol is the current one, established"

# two seconds of bob with carol, measured in the recordings
wav_wait "$T/carol-heard.wav" "$(wav_add "$mc" 2.2)" 10 >/dev/null ||
    diag "carol's recording stopped growing"
wav_wait "$T/bob-heard.wav" "$(wav_add "$mb" 2.2)" 10 >/dev/null ||
    diag "bob's recording stopped growing"
ok "bob hears carol's 700 Hz" hears "$T/bob-heard.wav" 700 "$(wav_add "$mb" 0.6)" "$(wav_add "$mb" 2.0)"
ok "carol hears bob's 1500 Hz" hears "$T/carol-heard.wav" 1500 "$(wav_add "$mc" 0.6)" "$(wav_add "$mc" 2.0)"
tsp_cmd bob "hangup $id_b2"
ok "carol's call ends" tsp_wait carol '"event":"call".*"state":"terminated"' 5
ok "bob has no call left" tsp_wait_after bob "$lb" 5 event=call id="$id_b2" state=terminated

# ----------------------------------- alice transfers bob, carol rejects

tsp_wait alice '"event":"call".*"state":"terminated"' 1 >/dev/null	# consumed
tsp_wait bob '"event":"call".*"state":"terminated"' 1 >/dev/null
ok "alice calls bob again" connect
la=$(tsp_lines alice) lb=$(tsp_lines bob)
tsp_cmd alice "transfer carol"
ok "carol rings" tsp_wait carol '"event":"call".*"state":"incoming"' 10
tsp_cmd carol "reject"
expect "alice: transfer failed" alice "$la" 10 event=transfer id="$id_a" state=failed
is "$(json_get "$got" code)" 486 "with carol's 486"
ok "alice never saw it done" none alice "$la" event=transfer state=done
ok "bob's call to carol ends with 486" \
    tsp_wait_after bob "$lb" 5 event=call direction=out state=terminated code=486
ok "alice's call is still up" none alice "$la" event=call id="$id_a" state=terminated
ok "bob's old call is still up" none bob "$lb" event=call id="$id_b1" state=terminated
# The target's refusal ends the call that had the audio at its far end,
# so the old call becomes current again and is resumed (tsphone(1) CALLS).
expect "bob's old call is current and resumed again" bob "$lb" 5 \
    event=call id="$id_b1" state=established current=true
alice_unheld() {
	[ "$(json_get "$(tsp_last alice event=call id="$id_a")" held_by_remote)" = false ]
}
ok "bob and alice are back together" wait_until 5 alice_unheld
tsp_cmd alice "hangup"
ok "the call ends" tsp_wait_after bob "$lb" 5 event=call id="$id_b1" state=terminated

# ------------------------------- a transferor that is not tsphone: SIPp

lb=$(tsp_lines bob) lc=$(tsp_lines carol)
SIPP_TIMEOUT=20 sipp_start refer uac-refer.xml "127.0.0.1:$bport" -s bob \
    -key refer_to "sip:carol@127.0.0.1"
expect "SIPp calls bob" bob "$lb" 5 event=call state=incoming
id_s=$(json_get "$got" id)
tsp_cmd bob "answer $id_s"
expect "SIPp's REFER makes bob call carol" carol "$lc" 10 event=call state=incoming
tsp_cmd carol "answer"
sipp_wait refer 25
is "$?" 0 "SIPp: 202, NOTIFYs 1xx then 200 (terminated), hold, then bob's BYE"
# the sipfrag of each NOTIFY received (once: not its retransmissions)
frags=$(awk '
	/^UDP message (received|sent)/ { inmsg = 0 }
	/^NOTIFY / { inmsg = 1; body = 0; cseq = ""; next }
	inmsg && /^CSeq:/ { cseq = $2 }
	inmsg && /^\r?$/ { body = 1; next }
	inmsg && body && /^SIP\/2\.0 [0-9]/ {
		if (!(cseq in seen)) { printf "%s%s", sep, $2; sep = " " }
		seen[cseq] = 1
		inmsg = 0
	}
	END { print "" }' "$T/refer.msg")
like "$frags" '^(1[0-9][0-9] )+200$' "bob's sipfrags: provisional ones, then 200"
ok "bob's call with SIPp ends" tsp_wait_after bob "$lb" 5 event=call id="$id_s" state=terminated
ok "bob's call with carol is up" \
    tsp_wait_after bob "$lb" 5 event=call direction=out state=established
tsp_cmd bob "hangup"
ok "carol's call ends" tsp_wait_after carol "$lc" 5 event=call state=terminated

is "$(tsp_quit alice)" 0 "alice quits"
is "$(tsp_quit bob)" 0 "bob quits"
is "$(tsp_quit carol)" 0 "carol quits"
done_testing
