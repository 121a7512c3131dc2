#!/bin/sh
# Our own presence on the screen (tmux): ":presence away at lunch" puts
# "away: at lunch" on the account line; "presence online" takes it off
# again (online without a note is what every account starts with).
. "$(dirname "$0")/lib.sh"
require_tsphone
require_tmux
tmpdir_init

port=$(free_port) || bail "no free port"
write_conf "$T/me.conf" <<EOF2
[sip]
listen = 127.0.0.1:$port
[audio]
driver = null
[account alice]
uri = sip:alice@127.0.0.1
register = no
EOF2
add_log tsphone-me.log "$T/me.log"

# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
tmux_start me 100 30 env LC_ALL=C.UTF-8 XDG_DATA_HOME="$T/data" \
	${TSPHONE_WRAPPER:-} "$TSPHONE" -f "$T/me.conf" --log "$T/me.log"
ok "the screen is up" tmux_wait me 'Calls'
ok "online: nothing on the account line" tmux_wait_gone me '^\*?alice .*online'

tmux_keys me :
tmux_keys me -l 'presence away at lunch'
tmux_keys me Enter
ok "away with its note on the account line" tmux_wait me '^\*?alice +.*away: at lunch'
tmux_keys me :
tmux_keys me -l 'presence online'
tmux_keys me Enter
ok "online again: gone" tmux_wait_gone me '^\*?alice .*(away|online)'

tmux_keys me q
is "$(tmux_status me)" 0 "q quits with status 0"
done_testing
