#!/bin/sh
# The local 3-way conference, with real phones through Kamailio. Alice
# calls bob (Opus) and carol (PCMU), then "conference": bob must hear
# carol's tone and alice's and not his own, carol bob's and alice's, and
# alice both; each call keeps its codec. "record" of a conference call
# holds the whole conference. "split" leaves carol with alice and bob
# held, hearing nobody. A second conference, then bob hangs up: alice
# and carol go on as a plain call, hearing each other. Last, a leg that
# is not tsphone: baresip 1.0 (PCMA, auto-answering) joins carol.
#
# Each tsphone plays its own tone as the microphone and records what its
# speaker plays (the file driver), each baresip too (tests/baresip-lib.sh).
# Spans are placed by each recording's own length (wav_pos, lib.sh) read
# when the events say a step is done, checked from +0.6 s to the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/baresip-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
XDG_DATA_HOME=$T/data
export XDG_DATA_HOME
SPAN_S=1.6		# audio per position, in each recording
kam_start "alice:pa" "bob:pb" "carol:pc" "dave:pd" || bail "cannot start kamailio"

# Tones of 0.3 (two of them add up to no more than full scale), none a
# harmonic of another, at different input rates.
freq_alice=600 freq_bob=1000 freq_carol=1500 freq_dave=800
sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 600 vol 0.3 &&
    sox -n -r 48000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1000 vol 0.3 &&
    sox -n -r 8000 -c 1 -b 16 "$T/carol-tone.wav" synth 1 sine 1500 vol 0.3 &&
    sox -n -r 48000 -c 1 -b 16 "$T/dave-tone.wav" synth 1 sine 800 vol 0.3 ||
	bail "sox cannot make the tones"

# phone NAME CODECS AUTO_ANSWER
phone() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
rtp_timeout = 5
[audio]
driver = file
input = $T/$1-tone.wav
output = $T/$1-heard.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = $KAM_URI
password = p$(printf %.1s "$1")
codecs = $2
auto_answer = $3
EOF
	tsp_start "$1" "$T/$1.conf"
}
phone alice "opus, pcmu, pcma" no
phone bob opus yes
phone carol pcmu yes
for n in alice bob carol; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done

# --------------------------------------------------------------- helpers

# span NAME...: hold the present position for SPAN_S in the recordings
# of NAME...: from_NAME and to_NAME are where it starts and ends.
span() {
	for _sp_n in "$@"; do
		_sp_p=$(wav_pos "$T/$_sp_n-heard.wav") || _sp_p=0
		eval "from_$_sp_n=\$(wav_add \"\$_sp_p\" 0.6)"
	done
	for _sp_n in "$@"; do
		eval "_sp_p=\$from_$_sp_n"
		wav_wait "$T/$_sp_n-heard.wav" "$(wav_add "$_sp_p" "$SPAN_S")" 5 \
		    >/dev/null || diag "$_sp_n's recording stopped growing"
		_sp_p=$(wav_pos "$T/$_sp_n-heard.wav") || _sp_p=0
		eval "to_$_sp_n=\$(wav_add \"\$_sp_p\" -0.2)"
	done
}
# hears NAME WHO [RATIO]: NAME's recording holds WHO's tone in most of
# the span; beside one other tone of the same level it is about half the
# power, so the ratio asked for is lower than for a tone alone.
hears() {
	eval "_h_f=\$freq_$2 _h_from=\$from_$1 _h_to=\$to_$1"
	ok "$what: $1 hears $2" "$TONECHECK" "$T/$1-heard.wav" "$_h_f" \
	    --from "$_h_from" --to "$_h_to" --min-fraction 0.8 \
	    --min-ratio "${3:-0.25}"
}
# deaf NAME WHO: WHO's tone is nowhere in NAME's span, not even as a
# tenth of the power (a tone sent back to its source among two others
# would be a third).
deaf() {
	eval "_h_f=\$freq_$2 _h_from=\$from_$1 _h_to=\$to_$1"
	ok "$what: $1 does not hear $2" "$TONECHECK" "$T/$1-heard.wav" \
	    "$_h_f" --from "$_h_from" --to "$_h_to" --absent --min-ratio 0.1
}
codec_of() {	# NAME ID: the codec of NAME's last media event for call ID
	json_get "$(tsp_last "$1" event=media id="$2")" codec
}

# ----------------------------------------------- alice calls bob, carol

tsp_cmd alice "dial bob"
line=$(tsp_wait alice '"event":"call".*"state":"established"' 5)
ok "alice and bob are connected" test -n "$line"
id_bob=$(json_get "$line" id)
lb=$(tsp_lines bob)
tsp_cmd alice "dial carol"
line=$(tsp_wait alice '"event":"call".*"remote":"sip:carol.*"state":"established"' 5)
ok "alice and carol are connected" test -n "$line"
id_carol=$(json_get "$line" id)
ok "calling carol holds bob" tsp_wait_after bob "$lb" 5 event=call held_by_remote=true
is "$(codec_of alice "$id_bob")" opus "alice-bob is Opus"
is "$(codec_of alice "$id_carol")" PCMU "alice-carol is PCMU"

# ---------------------------------------------------------- conference

la=$(tsp_lines alice) lb=$(tsp_lines bob)
tsp_cmd alice conference
ok "conference: bob is taken off hold" \
    tsp_wait_after bob "$lb" 5 event=call held_by_remote=false
ok "conference: alice shows bob's call in it, established" \
    tsp_wait_after alice "$la" 5 event=call id="$id_bob" state=established conference=true
ok "conference: and carol's, current" \
    tsp_find alice "$la" event=call id="$id_carol" current=true conference=true
tsp_cmd alice "record on $id_bob"
ok "record on: the call shows it" \
    tsp_wait_after alice "$la" 3 event=call id="$id_bob" recording=true
what=conference
span alice bob carol
hears bob carol
hears bob alice
deaf bob bob
hears carol bob
hears carol alice
deaf carol carol
hears alice bob
hears alice carol
deaf alice alice
is "$(codec_of alice "$id_bob")/$(codec_of alice "$id_carol")" opus/PCMU \
    "conference: each call keeps its codec"
tsp_cmd alice "record off $id_bob"
ok "record off" tsp_wait_after alice "$la" 3 event=call id="$id_bob" recording=false
set -- "$XDG_DATA_HOME"/tsphone/recordings/*.wav
# (its two channels as recordings "recleft" and "recright")
if [ $# -eq 1 ] && [ -f "$1" ] &&
    sox "$1" "$T/recleft-heard.wav" remix 1 &&
    sox "$1" "$T/recright-heard.wav" remix 2; then
	for side in left right; do
		p=$(wav_pos "$T/rec$side-heard.wav")
		eval "from_rec$side=0.6 to_rec$side=\$(wav_add \"\$p\" -0.2)"
	done
	what="record, left"
	hears recleft alice 0.8
	what="record, right"
	hears recright bob
	hears recright carol
else
	fail "one recording of bob's call" "$*"
fi

# --------------------------------------------------------------- split

la=$(tsp_lines alice) lb=$(tsp_lines bob)
tsp_cmd alice split
ok "split: bob is held again" \
    tsp_wait_after bob "$lb" 5 event=call held_by_remote=true
ok "split: alice shows bob held, out of the conference" \
    tsp_wait_after alice "$la" 5 event=call id="$id_bob" state=held conference=false
ok "split: carol established, current" \
    tsp_find alice "$la" event=call id="$id_carol" state=established current=true conference=false
what=split
span alice bob carol
deaf bob carol
deaf bob alice
hears carol alice 0.5
deaf carol bob
hears alice carol 0.5
deaf alice bob

# ------------------------------------------- bob leaves the conference

la=$(tsp_lines alice) lb=$(tsp_lines bob)
tsp_cmd alice conference
ok "conference again" \
    tsp_wait_after bob "$lb" 5 event=call held_by_remote=false
ok "conference again: alice shows it" \
    tsp_wait_after alice "$la" 5 event=call id="$id_bob" state=established conference=true
la=$(tsp_lines alice)
tsp_cmd bob hangup
ok "bob hangs up" tsp_wait_after alice "$la" 5 event=call id="$id_bob" state=terminated
ok "carol's call goes on: established, current, no conference" \
    tsp_wait_after alice "$la" 5 event=call id="$id_carol" state=established \
    current=true conference=false
what="after bob hung up"
span alice carol
hears carol alice 0.5
hears alice carol 0.5
deaf alice bob

# --------------------------------------------- baresip joins carol

if bs_ok=$(bs_setup echo) && [ -z "$bs_ok" ]; then
	bs_start dave "$T/dave-tone.wav" "$T/dave-heard.wav" \
	    "<sip:dave@$KAM_HOSTPORT>;auth_pass=pd;answermode=auto;audio_codecs=PCMA"
	kam_wait_contacts dave 1 5 || bail "baresip did not register"
	la=$(tsp_lines alice) lc=$(tsp_lines carol)
	tsp_cmd alice "dial dave"
	line=$(tsp_wait alice '"event":"call".*"remote":"sip:dave.*"state":"established"' 10)
	ok "alice and dave (baresip) are connected" test -n "$line"
	id_dave=$(json_get "$line" id)
	is "$(codec_of alice "$id_dave")" PCMA "alice-dave is PCMA"
	ok "calling dave holds carol" \
	    tsp_wait_after carol "$lc" 5 event=call held_by_remote=true
	la=$(tsp_lines alice) lc=$(tsp_lines carol)
	tsp_cmd alice conference
	ok "conference with baresip: carol is taken off hold" \
	    tsp_wait_after carol "$lc" 5 event=call held_by_remote=false
	ok "conference with baresip: alice shows it" \
	    tsp_wait_after alice "$la" 5 event=call id="$id_carol" conference=true
	what="conference with baresip"
	span alice carol dave
	hears carol dave
	hears carol alice
	deaf carol carol
	hears alice dave
	hears alice carol
	la=$(tsp_lines alice)
	tsp_cmd alice "hangup $id_dave"
	ok "dave hung up: baresip sees the end" bs_wait dave CALL_CLOSED 5
	ok "carol goes on" tsp_wait_after alice "$la" 5 event=call id="$id_carol" \
	    state=established current=true conference=false
	bs_stop dave
	# (the bench card writes its WAV's sizes when it closes)
	hears dave carol
	hears dave alice
	deaf dave dave
else
	for w in connected PCMA "carol held" "carol resumed" "alice shows it" \
	    "dave hears carol" "dave hears alice" "dave not himself" \
	    "carol hears dave" "carol hears alice" "carol not herself" \
	    "alice hears dave" "alice hears carol" "dave hung up" \
	    "carol goes on"; do
		skip "conference with baresip: $w" "$bs_ok"
	done
fi

# ------------------------------------------------------------- the end

tsp_cmd alice hangup
ok "carol's call ends" tsp_wait carol '"event":"call".*"state":"terminated"' 5
ok "no RTP timeout in any log" \
    sh -c "! grep -i 'no RTP' '$T/alice.log' '$T/bob.log' '$T/carol.log'"
is "$(tsp_quit alice)" 0 "alice quits"
is "$(tsp_quit bob)" 0 "bob quits"
is "$(tsp_quit carol)" 0 "carol quits"
done_testing
