#!/bin/sh
# Attended transfer (RFC 5589) between three tsphones through Kamailio,
# tsphone in every role at once: alice (transferor) talks to bob, holds
# him, calls carol, and puts them through ("transfer CAROL_ID BOB_ID"):
# bob (transferee) gets a REFER whose Refer-To carries a Replaces for
# alice's dialog with carol, INVITEs carol with it, and carol (target)
# answers at once, without ringing, in place of her call with alice,
# which she ends. Alice sees the transfer done and both her calls end;
# bob and carol hear each other. Bob has [account] refer = ask: the
# first time he refuses from line mode (alice sees the transfer fail
# with 603, and nothing changes), the second time he accepts.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
kam_start "alice:pa" "bob:pb" "carol:pc" || bail "cannot start kamailio"

sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5
sox -n -r 16000 -c 1 -b 16 "$T/carol-tone.wav" synth 1 sine 700 vol 0.5

for u in alice:pa bob:pb carol:pc; do
	name=${u%%:*}
	write_conf "$T/$name.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $T/$name-tone.wav
output = $T/$name-heard.wav
[account $name]
uri = sip:$name@127.0.0.1
registrar = $KAM_URI
password = ${u#*:}
EOF
	[ "$name" = bob ] && echo "refer = ask" >>"$T/$name.conf"
	# alice's SIP messages go to her log: the Refer-To is checked there
	if [ "$name" = alice ]; then
		tsp_start "$name" "$T/$name.conf" --trace
	else
		tsp_start "$name" "$T/$name.conf"
	fi
done
for n in alice bob carol; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done

hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}
expect() {	# DESC NAME FROM TIMEOUT_S KEY=VALUE...; the line in $got
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

# setup: alice calls bob (id_ab; bob's id_ba), then carol (id_ac;
# carol's id_ca); bob is held.
setup() {
	_la=$(tsp_lines alice) _lb=$(tsp_lines bob) _lc=$(tsp_lines carol)
	tsp_cmd alice "dial bob"
	l=$(tsp_wait_after bob "$_lb" 5 event=call state=incoming) || return 1
	id_ba=$(json_get "$l" id)
	tsp_cmd bob "answer $id_ba"
	l=$(tsp_wait_after alice "$_la" 5 event=call state=established) || return 1
	id_ab=$(json_get "$l" id)
	tsp_cmd alice "dial carol"
	l=$(tsp_wait_after carol "$_lc" 5 event=call state=incoming) || return 1
	id_ca=$(json_get "$l" id)
	tsp_cmd carol "answer $id_ca"
	l=$(tsp_wait_after alice "$_la" 5 event=call direction=out state=established \
	    remote="sip:carol@127.0.0.1") || return 1
	id_ac=$(json_get "$l" id)
	tsp_wait_after bob "$_lb" 5 event=call id="$id_ba" held_by_remote=true >/dev/null
}

# ------------------------------------------ alice puts bob through to carol

ok "alice talks to bob, holds him, talks to carol" setup
la=$(tsp_lines alice) lb=$(tsp_lines bob) lc=$(tsp_lines carol)
tsp_cmd alice "transfer $id_ac $id_ab"
expect "alice: transfer trying, on bob's call" alice "$la" 5 \
    event=transfer id="$id_ab" state=trying
refer_to=$(grep -a -m 1 -o 'Refer-To: .*' "$T/alice.log" | tr -d '\r')
like "$refer_to" '^Refer-To: <sip:carol@127\.0\.0\.1:[0-9]+\?Replaces=[^;=?&>]+%3Bto-tag%3D[^;=?&>]+%3Bfrom-tag%3D[^;=?&>]+>$' \
    "the Refer-To: carol's Contact with Replaces, escaped (RFC 3261 19.1.1)"
expect "bob is asked (refer = ask)" bob "$lb" 5 event=call id="$id_ba"
refer_to=$(json_get "$got" refer_to)
like "$refer_to" '^sip:carol@127\.0\.0\.1' "the call event names carol"
tsp_cmd bob "refer refuse"
expect "alice: the transfer fails" alice "$la" 5 event=transfer id="$id_ab" \
    state=failed
is "$(json_get "$got" code)" 603 "with 603"
ok "carol got no call" none carol "$lc" event=call state=incoming
ok "bob's call is still there" none bob "$lb" event=call id="$id_ba" \
    state=terminated
ok "so is alice's with carol" none alice "$la" event=call id="$id_ac" \
    state=terminated

la=$(tsp_lines alice) lb=$(tsp_lines bob) lc=$(tsp_lines carol)
tsp_cmd alice "transfer $id_ac $id_ab"
expect "alice: transfer trying again" alice "$la" 5 \
    event=transfer id="$id_ab" state=trying
ok "bob is asked again" tsp_wait_after bob "$lb" 5 event=call id="$id_ba" \
    refer_to="$refer_to"
tsp_cmd bob "refer accept $id_ba"
expect "carol: a new call from bob, replacing alice's" carol "$lc" 10 \
    event=call replaces="$id_ca"
like "$(json_get "$got" remote)" 'sip:bob@127\.0\.0\.1' "it comes from bob"
id_cb=$(json_get "$got" id)
expect "carol: it is up at once" carol "$lc" 5 event=call id="$id_cb" \
    state=established current=true
mb=$(wav_pos "$T/bob-heard.wav") || mb=0
mc=$(wav_pos "$T/carol-heard.wav") || mc=0
ok "carol's phone never rang for it" none carol "$lc" event=call id="$id_cb" \
    state=incoming code=180
expect "alice: transfer done" alice "$la" 10 event=transfer id="$id_ab" state=done
is "$(json_get "$got" code)" 200 "with 200"
ok "alice's call with bob ends" \
    tsp_wait_after alice "$la" 5 event=call id="$id_ab" state=terminated
expect "alice's call with carol ends: carol hangs up the replaced call" \
    alice "$la" 5 event=call id="$id_ac" state=terminated
is "$(json_get "$got" reason)" "remote hung up" "not alice"
expect "carol's old call ends, replaced" carol "$lc" 5 event=call id="$id_ca" \
    state=terminated
is "$(json_get "$got" reason)" "replaced" "the reason says so"
expect "bob: his call to carol is up" bob "$lb" 5 event=call direction=out \
    state=established
id_bc=$(json_get "$got" id)
ok "bob's old call ends" tsp_wait_after bob "$lb" 5 event=call id="$id_ba" state=terminated
line=$(tsp_last bob event=call id="$id_bc")
is "$(json_get "$line" current)/$(json_get "$line" held_by_remote)" true/false \
    "bob's new call is current, not held"
ok "alice saw no failure" none alice "$la" event=transfer state=failed

# two seconds of bob with carol, from when the new call is up
wav_wait "$T/carol-heard.wav" "$(wav_add "$mc" 2.2)" 10 >/dev/null ||
    diag "carol's recording stopped growing"
wav_wait "$T/bob-heard.wav" "$(wav_add "$mb" 2.2)" 10 >/dev/null ||
    diag "bob's recording stopped growing"
ok "bob hears carol's 700 Hz" hears "$T/bob-heard.wav" 700 \
    "$(wav_add "$mb" 0.6)" "$(wav_add "$mb" 2.0)"
ok "carol hears bob's 1500 Hz" hears "$T/carol-heard.wav" 1500 \
    "$(wav_add "$mc" 0.6)" "$(wav_add "$mc" 2.0)"
tsp_cmd bob "hangup $id_bc"
ok "carol's call with bob ends" \
    tsp_wait_after carol "$lc" 5 event=call id="$id_cb" state=terminated

is "$(tsp_quit alice)" 0 "alice quits"
is "$(tsp_quit bob)" 0 "bob quits"
is "$(tsp_quit carol)" 0 "carol quits"
done_testing
