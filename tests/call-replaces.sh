#!/bin/sh
# Replaces (RFC 3891) and what tsphone advertises, against SIPp, with
# no proxy:
#  - SIPp (uac-replaced.xml) calls bob, who answers by himself; a second
#    SIPp (uac-replaces.xml) sends INVITEs with Replaces naming that
#    dialog: a wrong tag gets 481, two Replaces headers 400, early-only
#    on the confirmed dialog 486, and a good one is answered at once,
#    without ringing, while the first SIPp gets BYE;
#  - OPTIONS and bob's own INVITE advertise what tsphone does and
#    nothing more: Supported timer, 100rel, replaces; Allow with INFO,
#    REFER and SUBSCRIBE (presence is served), without PUBLISH.
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init

bport=$(free_port) || bail "no free port"
write_conf "$T/bob.conf" <<EOF2
[sip]
listen = 127.0.0.1:$bport
[audio]
driver = null
[account bob]
uri = sip:bob@127.0.0.1
register = no
auto_answer = yes
codecs = pcmu
EOF2
tsp_start bob "$T/bob.conf"
ok "bob is up" tsp_wait bob '"event":"registration"' 3

# msg_field NAME FIRSTLINE-ERE HEADER: HEADER's value in the first
# message of SIPp run NAME whose first line matches FIRSTLINE-ERE.
msg_field() {
	awk -v first="$2" -v hdr="$3" '
		/^(UDP|TCP) message (received|sent)/ { inmsg = 0; seen = 0; next }
		!seen && /^[A-Z]/ { seen = 1; if ($0 ~ first) inmsg = 1; next }
		inmsg && tolower($0) ~ "^" tolower(hdr) ":" {
			sub(/^[^:]*:[ \t]*/, ""); sub(/\r$/, ""); print; exit
		}' "$T/$1.msg"
}
tag_of() { sed -n 's/.*;tag=\([^;>]*\).*/\1/p'; }

# ------------------------------------------------------ the dialog named
lb=$(tsp_lines bob)
sipp_start a uac-replaced.xml "127.0.0.1:$bport" -s bob
expect_up() { tsp_wait_after bob "$lb" 5 event=call state=established; }
line=$(expect_up) || line=
ok "SIPp's first call is up" test -n "$line"
id_a=$(json_get "$line" id)
cid=$(msg_field a '^SIP/2\.0 200' Call-ID)
totag=$(msg_field a '^SIP/2\.0 200' To | tag_of)
fromtag=$(msg_field a '^SIP/2\.0 200' From | tag_of)
ok "its Call-ID and tags are in the trace" test -n "$cid" -a -n "$totag" -a -n "$fromtag"

# ------------------------------------------------------ the Replaces tries
lb=$(tsp_lines bob)
sipp_run b uac-replaces.xml "127.0.0.1:$bport" -s bob \
    -key rcallid "$cid" -key rtotag "$totag" -key rfromtag "$fromtag"
is "$?" 0 "SIPp: 481, 400, 486, then 200 and its BYE answered"
codes=$(sipp_codes b | tr ' ' '\n' | grep -v '^100$' | tr '\n' ' ')
is "$codes" "200 481 400 486 200 200 " \
    "the codes (OPTIONS, the four INVITEs, the BYE): no 180 anywhere"
sipp_wait a 10
is "$?" 0 "the replaced call got BYE from bob"
line=$(tsp_last bob event=call id="$id_a" state=terminated)
is "$(json_get "$line" reason)" replaced "bob ended it as replaced"
line=$(tsp_find bob "$lb" event=call replaces="$id_a")
ok "bob's call event names the call it replaced" test -n "$line"
ok "only one call came of the four INVITEs" \
    test "$(grep -c '"event":"call".*"replaces":'"$id_a" "$T/bob.out")" -ge 1 -a \
    "$(grep '"event":"call"' "$T/bob.out" | grep -v "\"id\":$id_a," |
    sed 's/.*"id":\([0-9]*\),.*/\1/' | sort -u | wc -l)" -eq 1
ok "bob: none of the refused INVITEs rang" \
    test "$(grep -c '"state":"incoming".*"code":180' "$T/bob.out")" -eq 1

# ------------------------------------------------------ what we advertise
allow=$(msg_field b '^SIP/2\.0 200' Allow)
supported=$(msg_field b '^SIP/2\.0 200' Supported)
note "OPTIONS 200: Allow: $allow; Supported: $supported"
for m in INVITE ACK BYE CANCEL OPTIONS PRACK UPDATE INFO REFER NOTIFY MESSAGE SUBSCRIBE; do
	case ", $allow," in
	*", $m,"*) pass "Allow has $m" ;;
	*) fail "Allow has $m" "Allow: $allow" ;;
	esac
done
case ", $allow," in
*PUBLISH* | *REGISTER*) fail "Allow has nothing we do not serve" "Allow: $allow" ;;
*) pass "Allow has nothing we do not serve" ;;
esac
is "$supported" "timer, 100rel, replaces" "Supported: timer, 100rel, replaces"

sport=$(free_port) || bail "no free port"
sipp_start c uas-answer.xml - -p "$sport"
ok "SIPp listens" sipp_ready c
lb=$(tsp_lines bob)
tsp_cmd bob "dial sip:c@127.0.0.1:$sport"
ok "bob's call is answered" tsp_wait_after bob "$lb" 5 event=call state=established
tsp_cmd bob "hangup"
sipp_wait c
is "$?" 0 "SIPp's scenario completed"
is "$(msg_field c '^INVITE' Supported)" "timer, 100rel, replaces" \
    "bob's INVITE: Supported: timer, 100rel, replaces"
is "$(msg_field c '^INVITE' Allow)" "$allow" "and the same Allow"

is "$(tsp_quit bob)" 0 "bob quits"
done_testing
