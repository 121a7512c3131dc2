#!/bin/sh
# One active call: alice has two calls up (bob, then carol: answering
# carol holds bob) and switches between them 20 times with "switch ID",
# then once more with "resume ID". Every switch must hold the call left
# with a real re-INVITE (its far end shows held_by_remote true) and
# resume the call made current (held_by_remote false), alice showing the
# one held and the other established; no call may end (rtp_timeout is 4 s,
# so a call left silent but not held would be hung up and caught); and
# after every switch the active pair must hear each other, the held party
# neither hearing alice nor being heard.
#
# Tone windows are placed by the recordings themselves, not by the clock
# (wav_pos in lib.sh): each position between two switches is checked from
# its start mark + 0.6 s to the next mark - 0.2 s.
#
# SWITCH_VIA=hold-resume replaces "switch ID" by "hold OLD" + "resume NEW"
# (what switch must do): a check of this test itself against a phone
# whose switch does not hold.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
: "${SWITCH_VIA:=switch}"
SWITCHES=20
HOLD_S=1.5		# audio per position, measured in alice's recording
WAIT_S=4		# for each event a switch must bring
kam_start "alice:pa" "bob:pb" "carol:pc" || bail "cannot start kamailio"

# Distinct tones, none a harmonic of another, at different input rates.
sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5
sox -n -r 16000 -c 1 -b 16 "$T/carol-tone.wav" synth 1 sine 700 vol 0.5
freq_alice=1000 freq_bob=1500 freq_carol=700

for u in alice:pa bob:pb carol:pc; do
	name=${u%%:*}
	write_conf "$T/$name.conf" <<EOF
[sip]
listen = 127.0.0.1:0
rtp_timeout = 4
[audio]
driver = file
input = $T/$name-tone.wav
output = $T/$name-heard.wav
[account $name]
uri = sip:$name@127.0.0.1
registrar = $KAM_URI
password = ${u#*:}
EOF
	tsp_start "$name" "$T/$name.conf"
done
for n in alice bob carol; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done

# --------------------------------------------------------------- helpers

last_call() {	# NAME ID: the last call event of call ID
	tsp_last "$1" event=call id="$2"
}

# alice_shows OLD NEW: the last events of alice's calls say OLD is held
# and NEW established and current.
alice_shows() {
	_as_o=$(last_call alice "$1") _as_n=$(last_call alice "$2")
	_as_got="call $1: $(json_get "$_as_o" state);"
	_as_got="$_as_got call $2: $(json_get "$_as_n" state) current=$(json_get "$_as_n" current)"
	[ "$_as_got" = "call $1: held; call $2: established current=true" ] &&
	    return 0
	note "alice shows $_as_got"
	return 1
}

name_freq() {
	case $1 in
	alice) echo "$freq_alice" ;;
	bob) echo "$freq_bob" ;;
	carol) echo "$freq_carol" ;;
	esac
}
pos_of() {	# NAME A B C: the field of NAME
	case $1 in
	alice) echo "$2" ;;
	bob) echo "$3" ;;
	carol) echo "$4" ;;
	esac
}
# (niced: they run in the background, beside the phones)
hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	nice "$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}
silent() {	# FILE FREQ FROM TO: the tone is nowhere in the span
	nice "$TONECHECK" "$1" "$2" --from "$3" --to "$4" --absent
}

# Positions: each starts once a switch is seen done on all sides and ends
# just before the next command, marked by the three recordings' lengths.
# Its tone checks run in the background while the next position is held
# (the recording already holds what they read); each writes what failed,
# nothing if all went well, to $T/pos-K.pair and $T/pos-K.held.
npos=0 pos_pids=''
pos_peer='' pos_held='' pos_marks=''
marks() {	# (0 for a recording not started yet)
	for _mk_n in alice bob carol; do
		wav_pos "$T/$_mk_n-heard.wav" || echo 0
	done | tr '\n' ' '
}
pos_begin() {	# PEER HELD: alice talks with PEER, HELD ("-": none) waits
	pos_peer=$1 pos_held=$2 pos_marks=$(marks)
	wav_wait "$T/alice-heard.wav" "$(wav_add "${pos_marks%% *}" "$HOLD_S")" 10 \
	    >/dev/null 2>&1 || diag "alice's recording stopped growing"
}
pos_end() {
	[ -n "$pos_peer" ] || return 0
	# (the end marks are taken here: in "cmd $(...) &" the expansion
	# would run in the background, after the next command)
	pos_end_marks=$(marks)
	# shellcheck disable=SC2086 # the marks are six words
	pos_check "$npos" "$pos_peer" "$pos_held" $pos_marks $pos_end_marks &
	pos_pids="$pos_pids $!"
	echo "$npos $pos_peer $pos_held $pos_marks $pos_end_marks" >>"$T/positions"
	npos=$((npos + 1))
	pos_peer=
}
pos_check() {	# K PEER HELD A0 B0 C0 A1 B1 C1
	_pc_k=$1 _pc_peer=$2 _pc_held=$3
	shift 3
	_pc_fa=$(wav_add "$1" 0.6) _pc_ta=$(wav_add "$4" -0.2)
	_pc_from=$(wav_add "$(pos_of "$_pc_peer" "$1" "$2" "$3")" 0.6)
	_pc_to=$(wav_add "$(pos_of "$_pc_peer" "$4" "$5" "$6")" -0.2)
	_pc_f=$(name_freq "$_pc_peer")
	_pc_err=
	_pc_o=$(hears "$T/alice-heard.wav" "$_pc_f" "$_pc_fa" "$_pc_ta" 2>&1) ||
	    _pc_err="alice does not hear $_pc_peer in her $_pc_fa-$_pc_ta s: $_pc_o"
	_pc_o=$(hears "$T/$_pc_peer-heard.wav" "$freq_alice" "$_pc_from" "$_pc_to" 2>&1) ||
	    _pc_err="$_pc_err${_pc_err:+
}$_pc_peer does not hear alice in his/her $_pc_from-$_pc_to s: $_pc_o"
	printf '%s' "$_pc_err" >"$T/pos-$_pc_k.pair"
	[ "$_pc_held" != - ] || return 0
	_pc_from=$(wav_add "$(pos_of "$_pc_held" "$1" "$2" "$3")" 0.6)
	_pc_to=$(wav_add "$(pos_of "$_pc_held" "$4" "$5" "$6")" -0.2)
	_pc_f=$(name_freq "$_pc_held")
	_pc_err=
	_pc_o=$(silent "$T/alice-heard.wav" "$_pc_f" "$_pc_fa" "$_pc_ta" 2>&1) ||
	    _pc_err="alice hears $_pc_held in her $_pc_fa-$_pc_ta s: $_pc_o"
	_pc_o=$(silent "$T/$_pc_held-heard.wav" "$freq_alice" "$_pc_from" "$_pc_to" 2>&1) ||
	    _pc_err="$_pc_err${_pc_err:+
}$_pc_held hears alice in his/her $_pc_from-$_pc_to s: $_pc_o"
	printf '%s' "$_pc_err" >"$T/pos-$_pc_k.held"
}
: >"$T/positions"

# ------------------------------------------------ alice calls bob; carol

tsp_cmd alice "dial bob"
line=$(tsp_wait bob '"event":"call".*"state":"incoming"' 5)
ok "bob rings" test -n "$line"
tsp_cmd bob "answer"
line=$(tsp_wait alice '"event":"call".*"state":"established"' 5)
ok "alice and bob are connected" test -n "$line"
id_bob=$(json_get "$line" id)
ok "bob: established" tsp_wait bob '"event":"call".*"state":"established"' 5
pos_begin bob -

la=$(tsp_lines alice) lb=$(tsp_lines bob)
tsp_cmd carol "dial alice"
line=$(tsp_wait alice '"event":"call".*"state":"incoming"' 5)
ok "carol's call rings at alice" test -n "$line"
id_carol=$(json_get "$line" id)
pos_end
tsp_cmd alice "answer $id_carol"
ok "answering carol holds bob: bob sees held_by_remote" \
    tsp_wait_after bob "$lb" "$WAIT_S" event=call held_by_remote=true
ok "carol is connected" tsp_wait carol '"event":"call".*"state":"established"' 5
ok "alice shows bob's call held, carol's established" \
    tsp_wait_after alice "$la" "$WAIT_S" event=call id="$id_carol" state=established
ok "alice: the last states are right" alice_shows "$id_bob" "$id_carol"
pos_begin carol bob

# -------------------------------------------------------- the switches

# switch_to LABEL COMMAND: alice leaves $cur for the other call with
# COMMAND ("switch", or "resume" for the route through resume), ID added;
# check what each side shows; hold the new position. Returns 1 if a
# check failed.
cur=carol
switch_to() {
	if [ "$cur" = carol ]; then
		new=bob old=carol id_new=$id_bob id_old=$id_carol
	else
		new=carol old=bob id_new=$id_carol id_old=$id_bob
	fi
	what="$1 to $new"
	la=$(tsp_lines alice) lo=$(tsp_lines "$old") ln=$(tsp_lines "$new")
	pos_end
	if [ "$2" = switch ] && [ "$SWITCH_VIA" = hold-resume ]; then
		tsp_cmd alice "hold $id_old"
		tsp_cmd alice "resume $id_new"
	else
		tsp_cmd alice "$2 $id_new"
	fi
	good=1
	ok "$what: $old (left) sees held_by_remote true" \
	    tsp_wait_after "$old" "$lo" "$WAIT_S" event=call held_by_remote=true || good=
	ok "$what: $new (made current) sees held_by_remote false" \
	    tsp_wait_after "$new" "$ln" "$WAIT_S" event=call held_by_remote=false || good=
	if tsp_wait_after alice "$la" "$WAIT_S" event=call id="$id_old" state=held \
	    >/dev/null 2>&1 &&
	    tsp_wait_after alice "$la" "$WAIT_S" event=call id="$id_new" state=established \
	    >/dev/null 2>&1; then
		ok "$what: alice shows $old held, $new established" \
		    alice_shows "$id_old" "$id_new" || good=
	else
		fail "$what: alice shows $old held, $new established" \
		    "$(last_call alice "$id_old")" "$(last_call alice "$id_new")"
		good=
	fi
	cur=$new
	pos_begin "$new" "$old"
	[ -n "$good" ]
}

i=0
completed=0
while [ "$i" -lt "$SWITCHES" ]; do
	i=$((i + 1))
	switch_to "switch $i" switch ||
	    { diag "stopping after the first bad switch"; break; }
	completed=$i
done
is "$completed" "$SWITCHES" "all $SWITCHES switches done"

# Making the held call current with "resume ID" holds the other too.
if [ "$completed" = "$SWITCHES" ]; then
	switch_to "resume" resume
else
	for w in "the call left is held" "the call resumed is resumed" "alice's states"; do
		skip "resume: $w" "the switches failed"
	done
fi
pos_end

# No call may end, however long a call stays held: wait past rtp_timeout.
_terminated() {
	grep -q '"state":"terminated"' "$T/alice.out" "$T/bob.out" "$T/carol.out"
}
wait_until 5 _terminated
is "$(cat "$T/alice.out" "$T/bob.out" "$T/carol.out" | grep -c '"state":"terminated"')" 0 \
    "no call ended"
ok "no RTP timeout in any log" \
    sh -c "! grep -i 'no RTP' '$T/alice.log' '$T/bob.log' '$T/carol.log'"

# --------------------------------------------------------- tone checks

# shellcheck disable=SC2086 # a list of pids
wait $pos_pids	# the background checks
while read -r k peer held _; do
	what="position $k (alice with $peer)"
	if [ ! -f "$T/pos-$k.pair" ]; then
		fail "$what: the pair hear each other" "no result"
	elif [ -s "$T/pos-$k.pair" ]; then
		fail "$what: the pair hear each other" "$(cat "$T/pos-$k.pair")"
	else
		pass "$what: the pair hear each other"
	fi
	[ "$held" != - ] || continue
	what="$what: $held, held, neither hears alice nor is heard"
	if [ ! -f "$T/pos-$k.held" ]; then
		fail "$what" "no result"
	elif [ -s "$T/pos-$k.held" ]; then
		fail "$what" "$(cat "$T/pos-$k.held")"
	else
		pass "$what"
	fi
done <"$T/positions"

# ------------------------------------------------------------- the end

tsp_cmd alice "hangup $id_bob"
tsp_cmd alice "hangup $id_carol"
ok "bob's call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
ok "carol's call ends" tsp_wait carol '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit alice)" 0 "alice quits"
is "$(tsp_quit bob)" 0 "bob quits"
is "$(tsp_quit carol)" 0 "carol quits"
done_testing
