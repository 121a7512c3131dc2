#!/bin/sh
# Messages on the screen (tmux): a message from bob rings the bell and is
# counted on alice's title line ("1 unread"); M opens the conversations
# (bob's with its count and text), Enter opens bob's, which clears the
# count; Enter there opens the prompt with a reply to bob, whose text
# reaches him; ours shows its state, and one that could not go says why.
# No registrar: bob sends to alice's address directly.
. "$(dirname "$0")/lib.sh"
require_tsphone
require_tmux
tmpdir_init

aport=$(free_port) || bail "no free port"
bport=$(free_port) || bail "no free port"
dead=$(free_port) || bail "no free port"
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

tsp_cmd bob "message sip:alice@127.0.0.1:$aport Grüße, 你好"
ok "bob's message goes" tsp_wait bob '"state":"sent"' 5
ok "the title line counts it" tmux_wait alice '\|  1 unread'

tmux_keys alice M
ok "M opens the conversations" tmux_wait alice 'Messages: 1 conversation \(Enter: open'
ok "bob's, with its count and text" \
    tmux_wait alice "1 new .*Bob <sip:bob@127\.0\.0\.1:$bport>  > Grüße, 你好"
ok "still unread until it is opened" tmux_wait alice '\|  1 unread'
tmux_keys alice Enter
ok "Enter opens it" tmux_wait alice "Messages with sip:bob@127\.0\.0\.1:$bport: 1 "
ok "the message, theirs" tmux_wait alice '^ [0-9:]+ > Grüße, 你好'
ok "opening it clears the count" tmux_wait_gone alice '\|  1 unread'

tmux_keys alice Enter
ok "Enter opens a reply" tmux_wait alice "^:message sip:bob@127\.0\.0\.1:$bport"
tmux_keys alice -l "Hallo Bob"
tmux_keys alice Enter
line=$(tsp_wait bob '"event":"message".*"state":"received"' 5)
is "$(json_get "$line" text)" "Hallo Bob" "the reply reaches bob"
ok "and shows in the conversation" tmux_wait alice '^ [0-9:]+ < Hallo Bob'

tsp_cmd bob "message sip:alice@127.0.0.1:$aport one more"
ok "a new one in the open conversation shows at once" \
    tmux_wait alice '^ [0-9:]+ > one more'
ok "and is read: no count" tmux_wait_gone alice 'unread'

tmux_keys alice Escape
ok "Esc goes back to the conversations" tmux_wait alice 'Messages: 1 conversation'
tmux_keys alice -l ":message sip:nobody@127.0.0.1:$dead hello?"
tmux_keys alice Enter
ok "a message nobody takes is listed" tmux_wait alice 'Messages: 2 conversations'
tmux_keys alice Enter
ok "its conversation says it did not go, and why" \
    tmux_wait alice 'not sent: .*(cannot reach|no answer|503)' 40
tmux_keys alice M
ok "M goes back to the log" tmux_wait alice '─ Log|- Log|Log '

tmux_keys alice q
is "$(tmux_status alice 10)" 0 "alice quits cleanly"
is "$(tsp_quit bob)" 0 "bob quits"
done_testing
