#!/bin/sh
# The call list, the hint line and the prompt of the full-screen
# interface, with several calls (tmux): alice runs the screen with two
# accounts (alice, office); bob and carol run line mode. The hint line
# offers only the keys that work now; the prompt shows what Tab would
# complete as it is typed; a call ringing while the prompt is open says
# how to answer from there; call rows keep their columns whatever the
# remote is called (a long one is cut with an ellipsis), a ringing call
# has a running timer, HOLD and HELD-BY-REMOTE are told apart, each row
# names its account, and ended and missed calls stay until cleared.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
require_tmux
tmpdir_init
kam_start "alice:pa" "office:po" "bob:pb" "carol:pc" ||
	bail "cannot start kamailio"

write_conf "$T/alice.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
registrar = $KAM_URI
password = pa
[account office]
uri = sip:office@127.0.0.1
registrar = $KAM_URI
password = po
EOF
for who in bob:pb:Bob carol:pc:"Carol Lastname-With-Many-Syllables Of The Long Names Society"; do
	name=${who%%:*} rest=${who#*:}
	write_conf "$T/$name.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account $name]
uri = sip:$name@127.0.0.1
display_name = ${rest#*:}
registrar = $KAM_URI
password = ${rest%%:*}
EOF
done
add_log tsphone-alice.log "$T/alice.log"

# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
tmux_start alice 100 30 env LC_ALL=C.UTF-8 ${TSPHONE_WRAPPER:-} \
	"$TSPHONE" -f "$T/alice.conf" --log "$T/alice.log"

screen() { tmux_screen alice; }
row() {		# ID: the row of call ID
	screen | grep -E "^.? *$1 (←|→) " | head -n 1
}
hints() {	# the hint line (the one above the input line)
	screen | tail -n 2 | head -n 1
}
col() {		# LINE ERE: the column where ERE first matches in LINE
	printf '%s\n' "$1" | sed -E "s/($2).*//" | LC_ALL=C.UTF-8 wc -L
}
secs() {	# ID: the timer of call ID, in seconds
	row "$1" | sed -nE 's/.* ([0-9]+):([0-9]{2})( .*)?$/\1 \2/p' |
		awk 'NR == 1 { print $1 * 60 + $2 }'
}
secs_past() {	# ID SECONDS
	_s=$(secs "$1")
	[ -n "$_s" ] && [ "$_s" -ge "$2" ]
}
lacks() {	# TEXT ERE
	! printf '%s\n' "$1" | grep -Eq -- "$2"
}
aligned() {	# ERE1 ERE2: on rows 2 and 3, at the same column
	_a=$(col "$(row 2)" "$1") _b=$(col "$(row 3)" "$2")
	[ "$_a" -eq "$_b" ] || { note "columns $_a and $_b"; return 1; }
}

tsp_start bob "$T/bob.conf"
tsp_start carol "$T/carol.conf"
ok "both of alice's accounts register" \
    tmux_wait alice '^.office +registered' 5
tmux_wait alice '^.alice +registered' 5 >/dev/null
ok "bob registers" tsp_wait bob '"state":"registered"' 5
ok "carol registers" tsp_wait carol '"state":"registered"' 5

# --- with no call, the hint line offers dialling, not call keys
h=$(hints)
like "$h" '0-9 dial a number +d dial a URI' "idle: the hints offer dialling"
ok "and no hang up" lacks "$h" 'hang up|cancel'
ok "no hold" lacks "$h" 'hold|resume'
ok "no DTMF, no transfer, no mute" lacks "$h" 'DTMF|transfer|mute'

# --- the prompt shows its completions as they are typed
tmux_keys alice : a c c o u n t Space
ok "account completes account names" \
    tmux_wait alice '^ account NAME +Tab alice  office *$' 2
tmux_keys alice C-u
ok "the open prompt lists the commands Tab completes" \
    tmux_wait alice '^ Tab dial  answer  reject  hangup' 2
tmux_keys alice d
ok "d narrows them to dial, dtmf, dnd and device" tmux_wait alice '^ Tab dial  dtmf  dnd  device *$' 2
tmux_keys alice i a l Space
ok "after the command, its usage and help" \
    tmux_wait alice '^ dial TARGET \[ACCOUNT\]: call TARGET' 2
tmux_keys alice -l sip:bob@127.0.0.1
tmux_keys alice Space
ok "then its accounts, for the second argument" \
    tmux_wait alice '^ dial TARGET \[ACCOUNT\] +Tab alice  office *$' 2
tmux_keys alice o
ok "narrowed as typed" tmux_wait alice '^ dial TARGET \[ACCOUNT\] +Tab office *$' 2
tmux_keys alice BSpace Enter

# --- an outgoing call while it rings: a running timer, cancel, no hold
ok "bob rings" tsp_wait bob '"event":"call".*"state":"incoming"' 5
ok "alice's call 1 rings out" tmux_wait alice '^> +1 → .* (calling|ringing) ' 5
ok "its timer runs while it rings" wait_until 5 secs_past 1 2
h=$(hints)
like "$h" 'h cancel +m mute' "ringing out: h cancels, m mutes"
ok "and nothing that needs an answer (hold, DTMF, transfer)" \
    lacks "$h" 'hold|DTMF|transfer|dial a'
tmux_keys alice h
ok "h cancels: the row stays, ended, with why" \
    tmux_wait alice '^ +1 → .* ended +[0-9]+:[0-9]{2} +[0-9]{3} [a-zA-Z]' 5
ok "the hints offer clearing it" tmux_wait alice 'c clear ended' 2

# --- a call rings while the prompt is open
tmux_keys alice : d
tmux_wait alice '^:d$' 2 >/dev/null
tsp_cmd bob "dial alice"
ok "the banner says how to answer from the prompt" \
    tmux_wait alice 'INCOMING CALL 2 from Bob( <[^>]*>)?: Esc closes the prompt, then a answers; or type answer 2' 5
ok "the completions move to the line above it" \
    tmux_wait alice '^ Tab dial  dtmf  dnd  device *$' 2
like "$(screen | tail -n 1)" '^:d$' "the prompt keeps what was typed"
ok "the ringing call's timer runs" wait_until 8 secs_past 2 5
like "$(row 1)" 'ended' "the ended call 1 is still listed, 5 s later"
like "$(row 2)" 'alice +incoming +00:0[5-9]' "the ringing row names the account"
tmux_keys alice Escape
ok "Esc closes the prompt; the banner says press a" \
    tmux_wait alice 'INCOMING CALL 2 from Bob.*: press a to answer, r to reject' 2
tmux_keys alice a
ok "a answers" tmux_wait alice '^> +2 ← .* established ' 5

# --- in a call: the call keys, and not the idle ones
h=$(hints)
like "$h" 'h hang up +p hold +m mute +0-9\*# DTMF +t transfer' \
    "established: hang up, hold, mute, DTMF, transfer"
ok "no next call with one call up" lacks "$h" 'next call|dial a'

# --- a second call, from a long name, to the other account
tsp_cmd carol "dial office"
ok "carol's call rings in" tmux_wait alice '^ +3 ← Carol Lastname' 5
like "$(row 3)" '… +office +incoming ' "the long remote is cut with an ellipsis, then the account"
ok "the state column lines up" aligned 'established' 'incoming'
ok "and the timer column" aligned '[0-9]+:[0-9]{2}' '[0-9]+:[0-9]{2}'
tmux_keys alice a
ok "a answers carol" tmux_wait alice '^> +3 ← .* established ' 5
ok "bob is held by us: on hold, HOLD" \
    tmux_wait alice '^ +2 ← Bob .* on hold +[0-9]+:[0-9]{2} +HOLD ' 5
like "$(hints)" 'Tab next call' "two calls: the hints offer the next call"
tsp_cmd carol "hold"
ok "held by carol: HELD-BY-REMOTE" \
    tmux_wait alice '^> +3 ← .* established +[0-9]+:[0-9]{2} +HELD-BY-REMOTE' 5
ok "HOLD and HELD-BY-REMOTE in one column" aligned 'HOLD' 'HELD-BY-REMOTE'
lacks "$(row 2)" 'HELD-BY-REMOTE' && pass "bob's row does not say HELD-BY-REMOTE" ||
	fail "bob's row does not say HELD-BY-REMOTE"
tmux_keys alice p
ok "p holds carol too: both flags, spelled" \
    tmux_wait alice '^> +3 ← .* on hold +[0-9]+:[0-9]{2} +HOLD HELD-BY-REMOTE' 5
h=$(hints)
like "$h" 'p resume' "on hold: p resumes"
ok "and no DTMF while on hold" lacks "$h" 'DTMF'

# --- 80x24: still aligned, nothing wider than the screen
tmux_cmd resize-window -t alice -x 80 -y 24
wide() { [ "$(screen | grep '^── Calls' | LC_ALL=C.UTF-8 wc -L)" -eq 80 ]; }
ok "redrawn at 80 columns" wait_until 3 wide
ok "no line is wider than 80 columns" \
    test "$(screen | LC_ALL=C.UTF-8 wc -L)" -le 80
like "$(row 3)" 'on hold +[0-9]+:[0-9]{2} +HOLD HELD-BY-REMOTE' "the flags are whole at 80 columns"
ok "the state column lines up at 80 columns" aligned 'on hold' 'on hold'
tmux_cmd resize-window -t alice -x 100 -y 30
tsp_cmd carol "resume"

# --- clearing, hanging up, a missed call
tmux_keys alice c
ok "c clears the ended call" tmux_wait_gone alice '^ +1 → ' 2
like "$(row 2)" 'on hold' "and leaves the live ones"
tmux_keys alice h
ok "h hangs carol up: her row stays, ended" \
    tmux_wait alice '^ +3 ← .* ended +[0-9]+:[0-9]{2} ' 5
tsp_cmd bob "hangup"
ok "bob hangs up: his row stays, ended" \
    tmux_wait alice '^ +2 ← Bob .* ended +[0-9]+:[0-9]{2} ' 5
tsp_cmd carol "dial alice"
ok "carol calls again" tmux_wait alice '^> +4 ← Carol' 5
tsp_cmd carol "hangup"
ok "she gives up: the call shows missed" \
    tmux_wait alice '^ +4 ← Carol.* missed +[0-9]+:[0-9]{2} +487 ' 5
h=$(hints)
like "$h" '0-9 dial a number .*c clear ended' "no call up: dial and clear"
tmux_keys alice c
ok "c clears every ended and missed call" tmux_wait alice 'No calls' 2
tmux_keys alice c
ok "c with nothing to clear says so" tmux_wait alice 'clear: no ended calls' 2

# --- do not disturb and forwarding on the title line
tmux_keys alice : d n d Space o n Enter
ok "dnd on: the title line says DND" tmux_wait alice '^ tsphone.*  DND' 2
tmux_keys alice : f o r w a r d Space c a r o l Space o f f i c e Enter
ok "forward on one account: the title line names it" \
    tmux_wait alice '^ tsphone.*  DND  FWD:office(→|->)carol@' 2
tmux_keys alice : d n d Space o f f Enter : f o r w a r d Space o f f Enter
ok "both off: the title line is plain again" \
    tmux_wait_gone alice '^ tsphone.*(DND|FWD)' 2

tmux_keys alice : q u i t Enter
is "$(tmux_status alice 8)" 0 "alice quits with status 0"
is "$(tsp_quit bob)" 0 "bob quits"
is "$(tsp_quit carol)" 0 "carol quits"
tmux_stop
done_testing
