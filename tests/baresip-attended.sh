#!/bin/sh
# Attended transfer (RFC 5589) with baresip 1.0 in the two roles the
# issue asks, through Kamailio; alice and carol (or bob) are tsphones:
#  - baresip as transferee: alice talks to baresip, holds it, talks to
#    carol and runs "transfer CAROL BARESIP": baresip gets the REFER with
#    Replaces in its Refer-To;
#  - baresip as target: alice talks to bob, holds him, talks to baresip
#    and runs "transfer BARESIP BOB": bob INVITEs baresip with Replaces.
# baresip 1.0 knows no Replaces: as transferee it calls the Refer-To URI
# without it, as target it takes the INVITE as a new call. Either way
# the transfer completes as a plain one: the target answers, the
# transferee's NOTIFY says 200, and alice ends both of her calls (the
# target's after CALL_REPLACED_S, since baresip does not end it); the
# new pair hears each other.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/baresip-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
bs_setup skip_all

sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5 &&
    sox -n -r 48000 -c 1 -b 16 "$T/tsp-tone.wav" synth 1 sine 1500 vol 0.5 &&
    sox -n -r 48000 -c 1 -b 16 "$T/bs-tone.wav" synth 1 sine 600 vol 0.5 ||
	bail "sox cannot make the tones"
kam_start alice:pa carol:pc bs1:pb bob:pc2 bs2:pb2 || bail "cannot start kamailio"

tsp_up() {	# NAME PASSWORD INPUT
	write_conf "$T/$1.conf" <<EOF2
[sip]
listen = 127.0.0.1:0
[audio]
driver = file
input = $3
output = $T/$1.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = $2
codecs = opus
EOF2
	tsp_start "$1" "$T/$1.conf"
	tsp_wait "$1" '"state":"registered"' 5 >/dev/null || bail "$1 did not register"
}
hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.7
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
# dial_up NAME TARGET: NAME dials TARGET, which answers by itself; the
# call's id is left in $id.
dial_up() {
	_du_l=$(tsp_lines "$1")
	tsp_cmd "$1" "dial $2"
	_du=$(tsp_wait_after "$1" "$_du_l" 8 event=call direction=out \
	    state=established) || return 1
	id=$(json_get "$_du" id)
}

tsp_up alice pa "$T/alice-tone.wav"

# ------------------------------------------------ baresip as transferee
tsp_up carol pc "$T/tsp-tone.wav"
bs_start bs1 "$T/bs-tone.wav" "$T/bs1.wav" \
    "<sip:bs1@$KAM_HOSTPORT>;auth_pass=pb;answermode=auto;audio_codecs=opus/48000/1"
kam_wait_contacts bs1 1 5 || bail "baresip bs1 did not register"
ok "alice calls baresip, which answers" dial_up alice bs1
id_ab=$id
lc=$(tsp_lines carol)
tsp_cmd alice "dial carol"
l=$(tsp_wait_after carol "$lc" 5 event=call state=incoming) || l=
id_ca=$(json_get "$l" id)
tsp_cmd carol "answer $id_ca"
ok "alice calls carol, carol answers (baresip is held)" \
    tsp_wait_after alice 0 5 event=call remote=sip:carol@127.0.0.1 state=established
id_ac=$(json_get "$(tsp_last alice event=call remote=sip:carol@127.0.0.1)" id)
la=$(tsp_lines alice) lc=$(tsp_lines carol) bl=$(bs_lines bs1)
tsp_cmd alice "transfer $id_ac $id_ab"
expect "alice: transfer trying" alice "$la" 5 event=transfer id="$id_ab" state=trying
ok "baresip is told to transfer" bs_wait bs1 TRANSFER 5 "$bl"
expect "carol: baresip's call comes" carol "$lc" 8 event=call direction=in \
    state=incoming
id_cb=$(json_get "$got" id)
like "$(json_get "$got" remote)" 'sip:bs1@' "from baresip"
note "carol's event: $got (baresip 1.0 sends no Replaces: it rings)"
tsp_cmd carol "answer $id_cb"
expect "alice: transfer done" alice "$la" 8 event=transfer id="$id_ab" state=done
ok "alice's call with baresip ends" \
    tsp_wait_after alice "$la" 5 event=call id="$id_ab" state=terminated
ok "alice's call with carol ends too" \
    tsp_wait_after alice "$la" 8 event=call id="$id_ac" state=terminated
ok "carol's new call is up" tsp_wait_after carol "$lc" 5 event=call id="$id_cb" \
    state=established
mc=$(wav_pos "$T/carol.wav") || mc=0
mb=$(wav_pos "$T/bs1.wav") || mb=0
wav_wait "$T/carol.wav" "$(wav_add "$mc" 2.2)" 10 >/dev/null ||
    diag "carol's recording stopped growing"
ok "carol hears baresip's 600 Hz" hears "$T/carol.wav" 600 \
    "$(wav_add "$mc" 0.6)" "$(wav_add "$mc" 2.0)"
tsp_cmd carol "hangup $id_cb"
ok "baresip's call ends" bs_wait bs1 CALL_CLOSED 5 "$bl"
bs_stop bs1	# its recording is complete once it has quit
ok "baresip hears carol's 1500 Hz" hears "$T/bs1.wav" 1500 \
    "$(wav_add "$mb" 0.6)" "$(wav_add "$mb" 2.0)"
is "$(tsp_quit carol)" 0 "carol quits"

# ------------------------------------------------ baresip as target
tsp_up bob pc2 "$T/tsp-tone.wav"
bs_start bs2 "$T/bs-tone.wav" "$T/bs2.wav" \
    "<sip:bs2@$KAM_HOSTPORT>;auth_pass=pb2;answermode=auto;audio_codecs=opus/48000/1"
kam_wait_contacts bs2 1 5 || bail "baresip bs2 did not register"
lb=$(tsp_lines bob)
tsp_cmd alice "dial bob"
l=$(tsp_wait_after bob "$lb" 5 event=call state=incoming) || l=
id_ba=$(json_get "$l" id)
tsp_cmd bob "answer $id_ba"
ok "alice calls bob, bob answers" \
    tsp_wait_after alice 0 5 event=call remote=sip:bob@127.0.0.1 state=established
id_ab=$(json_get "$(tsp_last alice event=call remote=sip:bob@127.0.0.1)" id)
ok "alice calls baresip, which answers (bob is held)" dial_up alice bs2
id_as=$id
la=$(tsp_lines alice) lb=$(tsp_lines bob) bl=$(bs_lines bs2)
tsp_cmd alice "transfer $id_as $id_ab"
expect "bob calls baresip (with Replaces)" bob "$lb" 8 event=call direction=out \
    state=established
id_bs=$(json_get "$got" id)
expect "alice: transfer done" alice "$la" 8 event=transfer id="$id_ab" state=done
ok "alice's call with bob ends" \
    tsp_wait_after alice "$la" 5 event=call id="$id_ab" state=terminated
ok "alice's call with baresip ends (alice ends it: baresip ignored Replaces)" \
    tsp_wait_after alice "$la" 8 event=call id="$id_as" state=terminated
mb=$(wav_pos "$T/bob.wav") || mb=0
ms=$(wav_pos "$T/bs2.wav") || ms=0
wav_wait "$T/bob.wav" "$(wav_add "$mb" 2.2)" 10 >/dev/null ||
    diag "bob's recording stopped growing"
ok "bob hears baresip's 600 Hz" hears "$T/bob.wav" 600 \
    "$(wav_add "$mb" 0.6)" "$(wav_add "$mb" 2.0)"
tsp_cmd bob "hangup $id_bs"
ok "baresip's call ends" bs_wait bs2 CALL_CLOSED 5 "$bl"
bs_stop bs2
ok "baresip hears bob's 1500 Hz" hears "$T/bs2.wav" 1500 \
    "$(wav_add "$ms" 0.6)" "$(wav_add "$ms" 2.0)"
is "$(tsp_quit bob)" 0 "bob quits"
is "$(tsp_quit alice)" 0 "alice quits"
done_testing
