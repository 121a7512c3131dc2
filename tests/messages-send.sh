#!/bin/sh
# Text messages end to end (RFC 3428): two tsphones through Kamailio
# (digest on every MESSAGE) both ways in UTF-8, each "sending" then
# "sent" under one id and "received" on the other side; a 4 KB text on a
# UDP account goes over TCP and arrives whole; a user Kamailio does not
# know gives "failed" 404, a known one that is not registered 480; the
# messages are in the database and "messages" prints them after a
# restart, with the unread count in status until they are read. The
# message hook runs for each received message with its text in
# TSPHONE_TEXT (never through a shell); a long text for a hop pinned to
# UDP is refused, not cut.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
kam_start "alice:pa" "bob:pb" "carol:pc" || bail "cannot start kamailio"

# The hook leaves its TSPHONE_* variables in a file of its own.
cat >"$T/hook.sh" <<'EOF'
#!/bin/sh
f=$1/$TSPHONE_EVENT.$$
env | grep '^TSPHONE_' | sort >"$f.tmp" && mv "$f.tmp" "$f"
EOF
chmod +x "$T/hook.sh"
mkdir -p "$T/hooks"

start() {	# NAME PASSWORD
	XDG_DATA_HOME=$T/$1-data
	export XDG_DATA_HOME
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[hooks]
message = $T/hook.sh $T/hooks
[account $1]
uri = sip:$1@127.0.0.1
display_name = $1
registrar = $KAM_URI
password = $2
[account pinned]
uri = sip:$1@127.0.0.1
proxy = $KAM_URI;transport=udp
password = $2
register = no
EOF
	tsp_start "$1" "$T/$1.conf" --trace
	tsp_wait "$1" '"account":"'"$1"'".*"state":"registered"' 5 >/dev/null ||
	    bail "$1 did not register"
}
# Both phones read the contacts beside their configuration.
printf 'Bobby Brown <sip:bob@127.0.0.1>\n' >"$T/contacts"
start alice pa
start bob pb

text='Grüße, 你好'
tsp_cmd alice "message bob $text"
line=$(tsp_wait alice '"event":"message".*"state":"sending"' 3)
ok "alice: sending" test -n "$line"
id=$(json_get "$line" id)
is "$(json_get "$line" direction)" out "direction out"
is "$(json_get "$line" peer)" "sip:bob@127.0.0.1" "to bob at the account's domain"
line=$(tsp_wait alice '"event":"message".*"state":"sent"' 5)
ok "alice: sent" test -n "$line"
is "$(json_get "$line" id)" "$id" "under the same id"
is "$(json_get "$line" code)" 200 "code 200"
line=$(tsp_wait bob '"event":"message".*"state":"received"' 5)
ok "bob: received" test -n "$line"
is "$(json_get "$line" text)" "$text" "the UTF-8 text, whole"
like "$(json_get "$line" peer)" '<sip:alice@127\.0\.0\.1>' "from alice"
is "$(json_get "$line" display)" alice "her name"
hook_file() { ls "$T/hooks"/message.* 2>/dev/null | head -n 1; }
hook_ran() { test -n "$(hook_file)"; }
ok "the message hook ran" wait_until 3 hook_ran
f=$(hook_file)
is "$(sed -n 's/^TSPHONE_TEXT=//p' "$f")" "$text" "TSPHONE_TEXT: the text"
is "$(sed -n 's/^TSPHONE_REMOTE=//p' "$f")" "sip:alice@127.0.0.1" "TSPHONE_REMOTE"
is "$(sed -n 's/^TSPHONE_ACCOUNT=//p' "$f")" bob "TSPHONE_ACCOUNT"
rm -f "$T/hooks"/message.*

# --- to a contact, by part of its name
tsp_cmd alice "message bobby still there?"
line=$(tsp_wait alice '"event":"message".*"state":"sent"' 5)
is "$(json_get "$line" peer)" "sip:bob@127.0.0.1" "a contact's name: its address"
is "$(json_get "$line" display)" "Bobby Brown" "and its name in the event"
line=$(tsp_wait bob '"event":"message".*"state":"received"' 5)
is "$(json_get "$line" text)" "still there?" "bob has it"
rm -f "$T/hooks"/message.*

# --- the other way, with blanks and quotes kept as typed
tsp_cmd bob "message alice   \"ja\"  $text  "
line=$(tsp_wait alice '"event":"message".*"state":"received"' 5)
is "$(json_get "$line" text)" "\\\"ja\\\"  $text" "bob to alice: the text as typed"
ok "bob: sent" tsp_wait bob '"event":"message".*"state":"sent"' 5

# --- 4 KB over TCP (alice's account is UDP)
big=$(awk 'BEGIN { for (i = 0; i < 64; i++) printf "%03d-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567", i }')
is "${#big}" 4096 "a 4096-byte text"
tsp_cmd alice "message bob $big"
ok "logged as going over TCP" tsp_wait alice '"event":"log".*over TCP' 3
ok "alice: the big one is sent" tsp_wait alice '"event":"message".*"state":"sent"' 5
line=$(tsp_wait bob '"event":"message".*"state":"received"' 5)
is "$(json_get "$line" text)" "$big" "bob has it whole"
ok "it went to Kamailio over TCP" sh -c "grep -A 2 'bytes to tcp/' '$T/alice.log' |
    grep -q 'MESSAGE sip:bob@'"
huge=$(awk 'BEGIN { for (i = 0; i < 9000; i++) printf "y" }')
tsp_cmd alice "message bob $huge"
line=$(tsp_wait alice '"event":"error"' 3)
like "$(json_get "$line" message)" '9000 bytes; a message takes up to 8192' \
    "over 8 KB: refused, not cut"
tsp_cmd alice "message -a pinned bob $big"
line=$(tsp_wait alice '"event":"error"' 3)
is "$(json_get "$line" command)" message "a hop pinned to UDP: refused"
like "$(json_get "$line" message)" 'too large for UDP' "saying why"

# --- failures
tsp_cmd alice "message nosuchuser hello"
line=$(tsp_wait alice '"event":"message".*"state":"failed"' 5)
is "$(json_get "$line" code)" 404 "an unknown user: 404"
like "$(json_get "$line" reason)" 'no such user' "in words"
tsp_cmd alice "message carol hello"
line=$(tsp_wait alice '"event":"message".*"state":"failed"' 5)
is "$(json_get "$line" code)" 480 "a user who is not registered: 480"
like "$(json_get "$line" reason)" 'not online' "in words"

# --- kept across a restart; unread until read
tsp_cmd bob status
line=$(tsp_wait bob '"event":"status"' 3)
is "$(json_get "$line" unread)" 3 "bob has 3 unread"
is "$(json_get "$line" handles)" 1 "no SIP handle left behind (the registration's only)"
is "$(tsp_quit bob)" 0 "bob quits"
start bob pb
tsp_cmd bob status
line=$(tsp_wait bob '"event":"status"' 3)
is "$(json_get "$line" unread)" 3 "still 3 unread after a restart"
tsp_cmd bob "messages alice"
line=$(tsp_wait bob '"event":"message".*"stored":true' 3)
is "$(json_get "$line" text)" "$text" "the first message, from the database"
is "$(json_get "$line" state)" received "received"
is "$(json_get "$line" read)" false "not read yet"
line=$(tsp_wait bob '"event":"message".*"stored":true' 3)
is "$(json_get "$line" text)" "still there?" "the second"
line=$(tsp_wait bob '"event":"message".*"stored":true' 3)
is "$(json_get "$line" state)" sent "bob's answer"
line=$(tsp_wait bob '"event":"message".*"stored":true' 3)
is "$(json_get "$line" text)" "$big" "the 4 KB one, whole"
tsp_cmd bob status
line=$(tsp_wait bob '"event":"status"' 3)
is "$(json_get "$line" unread)" 0 "read now"
is "$(tsp_count bob '"event":"message".*"stored":true')" 4 \
    "4 messages in bob's database, no more"

is "$(tsp_quit alice)" 0 "alice quits"
is "$(tsp_quit bob)" 0 "bob quits"
done_testing
