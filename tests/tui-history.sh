#!/bin/sh
# The history on the screen (tmux): a call bob gives up on stays on
# alice's call list as missed, even once she has dialled, and is
# counted on the title line; H opens
# the history view, which clears the count and the row; Enter calls the
# selected entry back; Esc goes back to the log and :history opens the
# view again; after a restart, dial completes the addresses of the
# history. No registrar: bob calls alice's address directly, from
# an address with his port, so that calling back reaches him.
. "$(dirname "$0")/lib.sh"
require_tsphone
require_tmux
tmpdir_init

aport=$(free_port) || bail "no free port"
bport=$(free_port) || bail "no free port"
write_conf "$T/alice.conf" <<EOF2
[sip]
listen = 127.0.0.1:$aport
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
register = no
EOF2
write_conf "$T/bob.conf" <<EOF2
[sip]
listen = 127.0.0.1:$bport
[audio]
driver = null
[account bob]
uri = sip:bob@127.0.0.1:$bport
display_name = Bob
register = no
EOF2
add_log tsphone-alice.log "$T/alice.log"

# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
tmux_start alice 100 30 env LC_ALL=C.UTF-8 XDG_DATA_HOME="$T/alice-data" \
	${TSPHONE_WRAPPER:-} "$TSPHONE" -f "$T/alice.conf" --log "$T/alice.log"
XDG_DATA_HOME=$T/bob-data
export XDG_DATA_HOME
tsp_start bob "$T/bob.conf"
tsp_wait bob '"event":"registration"' 5 >/dev/null || bail "bob did not start"
ok "alice's screen is up" tmux_wait alice 'Calls'

calls_row() {	# the first row of the call list
	tmux_screen alice | grep -E '^.? *[0-9]+ (←|→) ' | head -n 1
}

tsp_cmd bob "dial sip:alice@127.0.0.1:$aport"
ok "alice's phone rings" tmux_wait alice 'INCOMING CALL'
ok "bob hears it ring" tsp_wait bob '"state":"ringing"' 5
tsp_cmd bob hangup
ok "bob gives up" tsp_wait bob '"state":"terminated"' 5
ok "the call stays on the list as missed" tmux_wait alice '← .*Bob.*missed'
ok "the title line counts it" tmux_wait alice '\|  1 missed'

# Dialling says the user has seen the ended calls, not the missed ones.
tmux_keys alice d
tmux_keys alice -l "sip:bob@127.0.0.1:$bport"
tmux_keys alice Enter
ok "alice calls bob" tsp_wait bob '"state":"incoming"' 5
tsp_cmd bob reject
ok "bob refuses" tsp_wait bob '"state":"terminated"' 5
ok "the refused call stays on the list" tmux_wait alice '→ .*bob.*ended'
ok "and so does the missed one" tmux_wait alice '← .*Bob.*missed'
ok "still counted" tmux_wait alice '\|  1 missed'

tmux_keys alice H
ok "H opens the history" tmux_wait alice 'History: 2 calls \(Enter: call back'
ok "the entry: number, date, direction, outcome, name and address" \
    tmux_wait alice "^ +1  20[0-9-]+ [0-9:]+  in   missed +00:00  Bob <sip:bob@127\.0\.0\.1:$bport>"
ok "opening it clears the count" tmux_wait_gone alice '\|  1 missed'
is "$(calls_row)" "" "and the missed row leaves the call list"

tmux_keys alice Enter
ok "Enter calls the entry back" tsp_wait bob '"state":"incoming"' 5
ok "alice's screen shows the call" tmux_wait alice '→ .*bob@127\.0\.0\.1'
tsp_cmd bob reject
ok "the callback ends" tsp_wait bob '"state":"terminated"' 5
ok "back on the log" tmux_wait alice 'Log'

tmux_keys alice : h i s t o r y Enter
ok ":history opens the view again, with the call back" \
    tmux_wait alice 'History: 3 calls'
ok "the newest first" \
    tmux_wait alice '^ +3  20[0-9-]+ [0-9:]+  out  failed'
tmux_keys alice Escape
ok "Esc: the log again" tmux_wait_gone alice 'History: '

tmux_keys alice q
ok "alice quits" wait_until 5 test -f "$T/alice.rc"
is "$(cat "$T/alice.rc" 2>/dev/null)" 0 "with status 0"

# --- the history feeds completion after a restart
# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
tmux_start again 100 30 env LC_ALL=C.UTF-8 XDG_DATA_HOME="$T/alice-data" \
	${TSPHONE_WRAPPER:-} "$TSPHONE" -f "$T/alice.conf" --log "$T/alice.log"
ok "alice again" tmux_wait again 'Calls'
tmux_keys again : d i a l Space s i p : b
ok "dial completes bob's address from the history" \
    tmux_wait again "Tab sip:bob@127\\.0\\.0\\.1:$bport *\$" 2
tmux_keys again Escape q
ok "alice quits again" wait_until 5 test -f "$T/again.rc"
is "$(tsp_quit bob)" 0 "bob quits cleanly"
done_testing
