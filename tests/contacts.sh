#!/bin/sh
# Contacts, through Kamailio: bob keeps a contacts file beside his config
# (with a bad line, reported with its file and line); "dial Alice" rings
# alice and the call shows the contact's name; the file edited and a
# vCard added while bob runs are read again; "dial Al" with Alice and
# Albert is ambiguous and says so; "contacts Al" lists both; a vCard's
# IMPP and TEL dial; a call from a contact shows its name in the call
# event's display (and the history's), one from a stranger the name the
# caller gave. Carol runs the screen (tmux): the contact's name on the
# call row, and the dial prompt offering contact names as they are
# typed, Tab cycling.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
require_tmux
tmpdir_init
kam_start "alice:pa" "albert:pe" "bob:pb" "carol:pc" ||
	bail "cannot start kamailio"

for u in alice:pa:"A. Liddell" albert:pe:Einstein bob:pb:Bob carol:pc:Carol; do
	name=${u%%:*} rest=${u#*:}
	mkdir -p "$T/$name"
	write_conf "$T/$name/tsphone.conf" <<EOF
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
cat >"$T/bob/contacts" <<EOF
# bob's contacts
Alice <sip:alice@127.0.0.1>
this line is wrong
EOF
cat >"$T/carol/contacts" <<EOF
"Alice L." <sip:alice@127.0.0.1>
Albert Einstein <sip:albert@127.0.0.1>;presence=yes
EOF

out=$("$TSPHONE" -f "$T/bob/tsphone.conf" --check-config 2>"$T/check.err")
ok "--check-config with a bad contact line still passes" test $? -eq 0
like "$out" "^$T/bob: 1 contact, 1 error\$" "and counts the contacts and errors"
is "$(cat "$T/check.err")" "$T/bob/contacts:3: expected Name <sip:user@host>" \
    "the bad line with its file and line"

add_log tsphone-carol.log "$T/carol.log"
# shellcheck disable=SC2086 # TSPHONE_WRAPPER is a word list
tmux_start carol 100 24 env LC_ALL=C.UTF-8 ${TSPHONE_WRAPPER:-} \
	"$TSPHONE" -f "$T/carol/tsphone.conf" --log "$T/carol.log"
for n in alice albert bob; do
	# each its own call history
	XDG_DATA_HOME=$T/$n/data
	export XDG_DATA_HOME
	tsp_start "$n" "$T/$n/tsphone.conf"
done

line=$(tsp_wait bob '"event":"log".*/bob/contacts:3: ' 5)
like "$line" "contacts: $T/bob/contacts:3: expected Name <sip:user@host>" \
    "a bad line is reported with its file and line"
ok "the rest is read" tsp_wait bob '"text":"contacts: 1 read from ' 5
for n in alice albert bob; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done
tmux_wait carol '^.carol +registered' 5 >/dev/null || bail "carol did not register"

# --- dial a contact by name; the outgoing call shows it
tsp_cmd bob "dial alice"
line=$(tsp_wait alice '"event":"call".*"state":"incoming"' 5)
like "$(json_get "$line" remote)" '<sip:bob@127\.0\.0\.1>' "dial alice: alice rings, bob calls"
line=$(tsp_wait bob '"event":"call".*"state":"ringing"' 5)
is "$(json_get "$line" remote)" "sip:alice@127.0.0.1" "the contact's URI is dialled"
is "$(json_get "$line" display)" "Alice" "the outgoing call shows the contact's name"
tsp_cmd bob "hangup"
ok "alice's call ends" tsp_wait alice '"event":"call".*"state":"terminated"' 5

# --- a call from a contact, and from a stranger
tsp_cmd alice "dial bob"
line=$(tsp_wait bob '"event":"call".*"state":"incoming"' 5)
like "$(json_get "$line" remote)" 'A\. Liddell' "alice gives her own name"
is "$(json_get "$line" display)" "Alice" "bob sees the contact's name instead"
tsp_cmd alice "hangup"
ok "bob's call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
tsp_cmd bob "dial sip:albert@127.0.0.1"
line=$(tsp_wait albert '"event":"call".*"state":"incoming"' 5)
is "$(json_get "$line" display)" "Bob" "no contact: the caller's display name"
tsp_cmd bob "hangup"
ok "albert's call ends" tsp_wait albert '"event":"call".*"state":"terminated"' 5
tsp_cmd bob "history 3"
line=$(tsp_wait bob '"event":"history".*"direction":"in"' 5)
is "$(json_get "$line" display)" "Alice" "the call history keeps the contact's name"

# --- edited while running: a second Al, and a vCard
mark=$(tsp_lines bob)
cat >"$T/bob/contacts.new" <<EOF
Alice <sip:alice@127.0.0.1>
"Albert Einstein" <sip:albert@127.0.0.1>;presence=yes
EOF
mv "$T/bob/contacts.new" "$T/bob/contacts"
mkdir "$T/bob/contacts.d"
printf '%s\r\n' "BEGIN:VCARD" "VERSION:3.0" "FN:Carla" "  Vcard" \
    "N:Vcard;Carla;;;" "IMPP;X-SERVICE-TYPE=SIP:sip:carol@127.0.0.1" \
    "TEL;TYPE=cell:+49 30 555" "END:VCARD" \
    "BEGIN:VCARD" "VERSION:4.0" "FN:Builder\\, Bob" \
    "TEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+49-30-1234" "END:VCARD" \
    >"$T/bob/contacts.d/export.tmp"
mv "$T/bob/contacts.d/export.tmp" "$T/bob/contacts.d/export.vcf"
ok "the edited file and the vCard are read again" \
    tsp_wait bob '"text":"contacts: 4 read from '
ok "without errors" sh -c "! tail -n +$((mark + 1)) '$T/bob.out' | grep -q '\"level\":\"warn\".*contacts:'"

tsp_cmd bob "dial Al"
line=$(tsp_wait bob '"event":"error"' 5)
is "$(json_get "$line" message)" "ambiguous: Alice, Albert Einstein" \
    "dial Al with two matches is refused, naming them"
is "$(json_get "$line" command)" "dial" "as an error of dial"
ok "and nothing is dialled" sh -c "! tail -n +$((mark + 1)) '$T/bob.out' | grep -q '\"state\":\"calling\"'"

mark=$(tsp_lines bob)
tsp_cmd bob "contacts al"
ok "contacts al: the log says how many" tsp_wait bob '"text":"contacts: 2 of 4 match' 5
events=$(tail -n +$((mark + 1)) "$T/bob.out" | grep '"event":"contact"')
is "$(printf '%s\n' "$events" | wc -l | tr -d ' ')" 2 "two contact events"
line=$(printf '%s\n' "$events" | sed -n 2p)
is "$(json_get "$line" name)" "Albert Einstein" "name"
is "$(json_get "$line" uri)" "sip:albert@127.0.0.1" "uri"
is "$(json_get "$line" presence)" "online" \
    "presence online: watched (presence=yes), and albert's phone serves it"

# --- the vCard's IMPP and TEL dial
tsp_cmd bob "dial vcard"
ok "dial vcard: its IMPP rings carol" \
    tmux_wait carol 'INCOMING CALL .* from Bob' 5
line=$(tsp_wait bob '"event":"call".*"state":"ringing"' 5)
is "$(json_get "$line" display)" "Carla Vcard" \
    "the vCard's folded FN (one blank of the fold dropped) is the display"
tsp_cmd bob "hangup"
ok "the call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
tsp_cmd bob "dial builder"
line=$(tsp_wait bob '"event":"call".*"state":"calling"' 5)
is "$(json_get "$line" remote)" "sip:+49301234@127.0.0.1;user=phone" \
    "a TEL is dialled as a number at the account's domain"
is "$(json_get "$line" display)" "Builder, Bob" "escaped comma in FN"
ok "nobody has that number" tsp_wait bob '"event":"call".*"state":"terminated"' 5

# --- the screen: contact names on call rows, completion while typing
tsp_cmd alice "dial carol"
ok "carol's screen rings with the contact's name" \
    tmux_wait carol 'INCOMING CALL [0-9]+ from Alice L\.' 5
ok "the call row shows the contact's name and the URI" \
    tmux_wait carol '^. +[0-9]+ ← Alice L\. <sip:alice@127\.0\.0\.1' 5
rows_lack() {	# ERE: no call row matches
	! tmux_screen carol | grep -E '^. +[0-9]+ (←|→) ' | grep -Eq -- "$1"
}
ok "and not the name alice gave" rows_lack 'Liddell'
tsp_cmd alice "hangup"
tmux_keys carol : d i a l Space
ok "the dial prompt lists the contacts" \
    tmux_wait carol '^ dial .*Tab Alice L\.  Albert Einstein' 2
tmux_keys carol e i n
ok "matching anywhere in the name" \
    tmux_wait carol '^ dial .*Tab Albert Einstein *$' 2
tmux_keys carol C-u d i a l Space a l
ok "two candidates for al" tmux_wait carol 'Tab Alice L\.  Albert Einstein' 2
tmux_keys carol Tab
ok "Tab puts in the first, the hint marks it" \
    tmux_wait carol 'Tab \[Alice L\.\]  Albert Einstein' 2
ok "on the input line" tmux_wait carol '^:dial Alice L\. *$' 2
tmux_keys carol Tab
ok "Tab again: the next" tmux_wait carol '^:dial Albert Einstein *$' 2
tmux_keys carol C-u q u i t Enter
is "$(tmux_status carol 8)" 0 "carol quits with status 0"

for n in alice albert bob; do
	is "$(tsp_quit "$n")" 0 "$n quits"
done
tmux_stop
done_testing
