#!/bin/sh
# The full-screen interface driven in a real terminal (tmux): alice runs
# the screen, bob runs line mode, both registered at the test Kamailio.
# Registration shown; bob's call shown and answered by key; the timer
# runs; hold, remote hold, mute, DTMF and hang-up by keys, each seen on
# the screen and by bob; the help overlay; the SIP trace view (and the
# log file left without SIP messages); a resize to 80x24; dialling by
# typing, with completion; quitting with a call up asks first; NO_COLOR.
# Every assertion reads the screen with capture-pane, with bounded waits.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
require_tmux
tmpdir_init
kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio"

write_conf "$T/alice.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
display_name = Alice
registrar = $KAM_URI
password = pa
EOF
write_conf "$T/bob.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account bob]
uri = sip:bob@127.0.0.1
display_name = Jürgen Bob 日本
registrar = $KAM_URI
password = pb
EOF
add_log tsphone-alice.log "$T/alice.log"

# --- the key table, and [keys] remapping it
out=$("$TSPHONE" --dump-keys -f "$T/alice.conf")
is "$?" 0 "--dump-keys exits 0"
like "$out" '^a +answer +answer a ringing call' "it prints KEY NAME HELP lines"
like "$out" '^none +status ' "commands without a key say none"
like "$out" '^p +hold_toggle ' "and the key-only actions"
{ cat "$T/alice.conf"; printf '[keys]\nanswer = F1\nquit = none\n'; } >"$T/keys.conf"
chmod 600 "$T/keys.conf"
out=$("$TSPHONE" --dump-keys -f "$T/keys.conf")
like "$out" '^F1 +answer ' "[keys] moves answer to F1"
like "$out" '^none +quit ' "and unbinds quit"
{ cat "$T/alice.conf"; printf '[keys]\nhold_toggle = h\n'; } >"$T/bad.conf"
chmod 600 "$T/bad.conf"
"$TSPHONE" --check-config -f "$T/bad.conf" >/dev/null 2>"$T/err"
is "$?" 2 "a clashing key is a configuration error"
like "$(cat "$T/err")" "^$T/bad.conf:11: key h for hold_toggle is the default key of hangup" \
    "reported as FILE:LINE: message"

# LC_ALL: the names are UTF-8 whatever the locale of the test run.
# TSPHONE_WRAPPER (e.g. "valgrind -q --error-exitcode=99 --log-file=F")
# runs the screen under a checker too; its status is the one tested.
tui_start() {	# SESSION CONFIG [ENV...]
	_s=$1 _c=$2
	shift 2
	# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
	tmux_start "$_s" 100 30 env LC_ALL=C.UTF-8 "$@" ${TSPHONE_WRAPPER:-} \
		"$TSPHONE" -f "$_c" --log "$T/alice.log"
}

# The m:ss of call ID on the screen, in seconds (empty if none).
call_secs() {
	tmux_screen alice | sed -nE "s/^.? *$1 .* ([0-9]+):([0-9]{2})( .*)?\$/\\1 \\2/p" |
		awk 'NR == 1 { print $1 * 60 + $2 }'
}
timer_past() {	# ID SECONDS
	_now=$(call_secs "$1")
	[ -n "$_now" ] && [ "$_now" -gt "$2" ]
}
window_is() {	# SESSION COLSxROWS
	[ "$(tmux_cmd display -p -t "$1" '#{window_width}x#{window_height}')" = "$2" ]
}
rule_is() {	# SESSION COLS: the Calls rule (line 3) spans COLS columns
	[ "$(tmux_screen "$1" | sed -n 3p | LC_ALL=C.UTF-8 wc -L)" -eq "$2" ]
}
lacks() {	# TEXT ERE
	! printf '%s\n' "$1" | grep -Eq -- "$2"
}

tsp_start bob "$T/bob.conf"
tui_start alice "$T/alice.conf"
ok "alice's screen shows the account registered, marked * as the default" \
    tmux_wait alice '^\*alice +registered' 5
like "$(tmux_screen alice)" 'registered  expires in [0-9]+:[0-9]{2}' \
    "with the time left on the binding"
like "$(tmux_screen alice | sed -n 1p)" '^ tsphone .* [0-9]{2}:[0-9]{2}:[0-9]{2} *$' \
    "the title line ends with the clock"
ok "bob registers" tsp_wait bob '"state":"registered"' 5
colour=$(tmux_cmd capture-pane -p -e -t alice)

# --- an incoming call, answered by key
tsp_cmd bob "dial alice"
ok "the incoming call is shown with a banner" \
    tmux_wait alice 'INCOMING CALL 1 from Jürgen Bob 日本 <sip:bob@127\.0\.0\.1>' 5
like "$(tmux_screen alice)" 'press a to answer, r to reject' \
    "the banner says which key answers"
like "$(tmux_screen alice)" '^> +1 ← Jürgen Bob 日本 <sip:bob@127\.0\.0\.1> +incoming' \
    "the call line: current mark, id, direction, name and URI, state"
tmux_keys alice a
ok "a answers: established" tmux_wait alice '^> +1 ← .* established +[0-9]+:[0-9]{2}' 5
ok "bob is connected" tsp_wait bob '"event":"call".*"state":"established"' 5
ok "the codec is shown" tmux_wait alice '^> +1 ← .*established.* opus' 5
t0=$(call_secs 1)
ok "the call timer runs" wait_until 4 timer_past 1 "${t0:-0}"
ok "the banner made way for the call keys" tmux_wait alice 'h hang up +p hold +m mute' 2

# --- hold and resume by key, seen by bob
tmux_keys alice p
ok "p holds: state on hold, flag HOLD" tmux_wait alice '^> +1 ← .* on hold +[0-9:]+ +HOLD' 5
ok "bob sees he is held" tsp_wait bob '"event":"call".*"held_by_remote":true' 5
ok "the hint offers resume" tmux_wait alice 'p resume' 2
tmux_keys alice p
ok "p again resumes" tmux_wait alice '^> +1 ← .* established +[0-9:]+ ' 5
ok "bob sees the resume" tsp_wait bob '"event":"call".*"held_by_remote":false' 5
tsp_cmd bob "hold"
ok "held by bob shows HELD-BY-REMOTE" tmux_wait alice '^> +1 ← .* established +[0-9:]+ +HELD-BY-REMOTE' 5
tsp_cmd bob "resume"
ok "and HELD-BY-REMOTE goes when bob resumes" tmux_wait_gone alice 'HELD' 5

# --- mute and DTMF
tmux_keys alice m
ok "m mutes: flag MUTE" tmux_wait alice '^> +1 ← .* established .*MUTE' 5
ok "the hint offers unmute" tmux_wait alice 'm unmute' 2
tmux_keys alice m
ok "m again unmutes" tmux_wait_gone alice 'MUTE' 5
tmux_keys alice 5
ok "a digit during a call is DTMF: bob receives 5" \
    tsp_wait bob '"event":"dtmf".*"digit":"5"' 5
ok "and the log says it was sent" tmux_wait alice 'call 1: DTMF 5 sent' 2

# --- help overlay, from the key table
tmux_keys alice '?'
ok "? shows the help" tmux_wait alice 'tsphone help' 2
like "$(tmux_screen alice)" ' a +answer a ringing call' "with the keys from the table"
like "$(tmux_screen alice)" ' p +put the current call on hold' "and the key-only actions"
tmux_keys alice x
ok "any key closes it" tmux_wait_gone alice 'tsphone help' 2
like "$(tmux_screen alice)" '^> +1 ← .* established' "the call is untouched by that key"

# --- the SIP trace view
tmux_keys alice s
ok "s shows the SIP trace of the call" tmux_wait alice 'SIP trace of call 1' 2
like "$(tmux_screen alice)" 'SIP/2\.0 200 OK|ACK sip:' "with its messages"
# PageUp until the first message, the INVITE from bob, is in view.
scroll_to_invite() {
	_i=0
	while [ "$_i" -lt 30 ]; do
		tmux_screen alice | grep -q 'From: "Jürgen Bob 日本"' &&
			tmux_screen alice | grep -q '^INVITE sip:alice@' && return 0
		tmux_keys alice PageUp
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
ok "PageUp scrolls back to bob's INVITE" scroll_to_invite
is "$(grep -c 'INVITE sip:' "$T/alice.log")" 0 \
    "no SIP message goes to the log file without --trace"
tmux_keys alice s
ok "s again shows the log" tmux_wait alice '── Log ──' 2

# --- resize to 80x24
tmux_cmd resize-window -t alice -x 80 -y 24
ok "the window is 80x24" wait_until 2 window_is alice 80x24
ok "the screen is redrawn for it" wait_until 3 rule_is alice 80
screen=$(tmux_screen alice)
is "$(tmux_screen alice | wc -l | tr -d ' ')" 24 "24 lines"
ok "no line is wider than 80 columns" \
    test "$(printf '%s\n' "$screen" | LC_ALL=C.UTF-8 wc -L)" -le 80
like "$(printf '%s\n' "$screen" | sed -n 1p)" '[0-9]{2}:[0-9]{2}:[0-9]{2} *$' "line 1: title and clock"
like "$(printf '%s\n' "$screen" | sed -n 2p)" '^\*alice +registered' "line 2: the account"
like "$(printf '%s\n' "$screen" | sed -n 3p)" '^── Calls ─+$' "line 3: the calls rule"
like "$(printf '%s\n' "$screen" | sed -n 4p)" '^> +1 ← Jürgen Bob 日本 <sip:bob@127\.0\.0\.1> +established +[0-9]+:[0-9]{2}' \
    "line 4: the whole call, name and URI uncut"
like "$(printf '%s\n' "$screen" | sed -n 23p)" 'h hang up' "line 23: the key hints"
tmux_cmd resize-window -t alice -x 100 -y 30
ok "and back to 100x30" wait_until 3 rule_is alice 100

# --- quit with a call up asks first
tmux_keys alice q
ok "q with a call up asks" tmux_wait alice '1 call is up: hang up and quit\? \(y/n\)' 2
tmux_keys alice n
ok "n keeps the phone" tmux_wait alice 'not quitting' 2
like "$(tmux_screen alice)" '^> +1 ← .* established' "and the call"
ok "still running" test ! -f "$T/alice.rc"

# --- hang up by key
tmux_keys alice h
ok "h hangs up: the call shows ended" tmux_wait alice '^ +1 ← .* ended' 5
ok "bob's call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
like "$(tmux_screen alice)" 'c clear ended' "the hint line offers clearing it"
tmux_keys alice c
ok "c clears the ended call from the list" tmux_wait alice 'No calls' 2

# --- dialling: a digit opens the prompt, ':' with Tab completion
tmux_keys alice 1
ok "a digit with no call starts a dial string" tmux_wait alice '^:dial 1 *$' 2
tmux_keys alice BSpace BSpace BSpace BSpace BSpace BSpace BSpace
ok "backspace on an empty line closes the prompt" tmux_wait_gone alice '^:' 2
# (capture-pane drops trailing blanks: the space Tab adds is not seen)
tmux_keys alice : d i Tab
ok "Tab completes a command" tmux_wait alice '^:dial$' 2
tmux_keys alice Tab
ok "and a URI seen before" tmux_wait alice '^:dial sip:bob@127\.0\.0\.1$' 2
tmux_keys alice Enter
ok "Enter dials: bob rings" tsp_wait bob '"event":"call".*"state":"incoming"' 5
ok "alice sees the outgoing call" tmux_wait alice '^> +2 → .*sip:bob@127\.0\.0\.1.* ringing' 5
tsp_cmd bob "answer"
ok "bob answers" tmux_wait alice '^> +2 → .* established' 5
tmux_keys alice s
ok "the trace of an outgoing call finds its messages" \
    tmux_wait alice 'SIP trace of call 2' 2
like "$(tmux_screen alice)" 'Call-ID: ' "by the Call-ID tsphone chose"
tmux_keys alice s

# --- quit with the call up: confirm, hang up, unregister, exit 0
tmux_keys alice q
tmux_wait alice 'hang up and quit\? \(y/n\)' 2 >/dev/null
tmux_keys alice y
is "$(tmux_status alice 8)" 0 "y quits with status 0"
ok "bob's call ended" tsp_wait bob '"event":"call".*"state":"terminated"' 5
is "$(kam_contacts alice)" 0 "alice unregistered on the way out"

# --- NO_COLOR, and a remapped answer key
tmux_stop
tui_start mono "$T/keys.conf" NO_COLOR=1
ok "NO_COLOR: the screen comes up registered" tmux_wait mono '^\*alice +registered' 5
mono=$(tmux_cmd capture-pane -p -e -t mono)
sgr_colour='\[([0-9]+;)*(3[0-7]|4[0-7]|38|48)(;[0-9]+)*m'
like "$colour" "$sgr_colour" "with colours, the screen has colour escapes"
ok "with NO_COLOR, none" lacks "$mono" "$sgr_colour"
like "$mono" '\[(0;)?7m|\[[0-9;]*;7m' "meaning is kept by reverse video"
tsp_cmd bob "dial alice"
ok "the banner names the remapped key" tmux_wait mono 'press F1 to answer' 5
tmux_keys mono a
ok "a is no longer answer" tmux_wait mono 'a: no such key' 2
tmux_keys mono F1
ok "F1 answers" tmux_wait mono '^> +1 ← .* established' 5
tsp_cmd bob "hangup"
ok "the call ends" tmux_wait mono '^ +1 ← .* ended' 5
tmux_keys mono c
ok "c clears it" tmux_wait mono 'No calls' 2
tmux_keys mono q
ok "q is unbound now" tmux_wait mono 'q: no such key' 2
tmux_keys mono : q u i t Enter
is "$(tmux_status mono 8)" 0 ":quit with no call quits at once, status 0"
is "$(tsp_quit bob)" 0 "bob quits"
tmux_stop
done_testing
