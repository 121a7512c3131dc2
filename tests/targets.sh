#!/bin/sh
# Dial targets as people type them, in line mode against SIPp on
# 127.0.0.1: malformed ones are refused with an error event naming the
# command and saying why, and nothing is dialled; a number typed with
# blanks, dashes and brackets, and a tel: URI, reach the account's
# domain as the number alone (tel: with user=phone). The default
# account is named in registration events and changed by "account".
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init

# SIPp listens once its port is bound: poll for it rather than sleep.
sipp_listening() {
	wait_until 5 _lib_port_in_use "$1"
}

sport=$(free_port) || bail "no free port"
write_conf "$T/me.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account me]
uri = sip:me@127.0.0.1:$sport
register = no
[account other]
uri = sip:other@127.0.0.1
register = no
EOF
tsp_start me "$T/me.conf"
line=$(tsp_wait me '"event":"registration".*"account":"me"' 5)
is "$(json_get "$line" default)" true "the first account is the default"
line=$(tsp_wait me '"event":"registration".*"account":"other"' 5)
is "$(json_get "$line" default)" false "the other is not"

# --- malformed targets: an error event each, and no call
bad() {	# TARGET WHY
	tsp_cmd me "dial $1"
	line=$(tsp_wait me '"event":"(error|call)"' 3)
	like "$line" '"event":"error","command":"dial"' "dial $1: an error event for dial"
	like "$(json_get "$line" message)" "$2" "dial $1: says $2"
}
bad 'bob@@host' 'more than one @'
bad 'sip:' 'nothing after the scheme'
bad '@host' 'no user before @'
bad 'bob@' 'no host after @'
bad '"sip:bob smith@127.0.0.1"' 'spaces'
bad 'alice bob carol' 'only a phone number may have blanks'
bad 'tel:+49-30-x' 'not a phone number'
tsp_cmd me "status"
ok "status answers" tsp_wait me '"event":"status"' 3
is "$(tsp_count me '"event":"call"')" 0 "no call was made for any of them"

# --- a number with separators, then a tel: URI, reach SIPp as numbers
sipp_start num uas-answer.xml - -p "$sport"
sipp_listening "$sport" || bail "SIPp does not listen"
tsp_cmd me "dial +49 (0)30 1234-56"
ok "the number is dialled" tsp_wait me '"event":"call".*"state":"established"' 5
tsp_cmd me "hangup"
tsp_wait me '"event":"call".*"state":"terminated"' 5 >/dev/null
sipp_wait num
is "$?" 0 "SIPp's scenario completed"
like "$(grep '^INVITE ' "$T/num.msg")" "^INVITE sip:\+4930123456@127\.0\.0\.1:$sport SIP/2\.0" \
    "exactly the number at the account's domain"

sipp_start tel uas-answer.xml - -p "$sport"
sipp_listening "$sport" || bail "SIPp does not listen"
tsp_cmd me "dial tel:+49-30-123456;phone-context=example.com me"
ok "the tel: URI is dialled" tsp_wait me '"event":"call".*"state":"established"' 5
tsp_cmd me "hangup"
tsp_wait me '"event":"call".*"state":"terminated"' 5 >/dev/null
sipp_wait tel
is "$?" 0 "SIPp's scenario completed"
like "$(grep '^INVITE ' "$T/tel.msg")" \
    "^INVITE sip:\+4930123456@127\.0\.0\.1:$sport;user=phone SIP/2\.0" \
    "as sip:+4930123456@domain;user=phone"

# --- the default account, changed at run time
tsp_cmd me "account nobody"
line=$(tsp_wait me '"event":"error"' 3)
like "$line" '"command":"account".*no account \\"nobody\\"' \
    "account nobody: an error naming the command"
tsp_cmd me "account other"
line=$(tsp_wait me '"event":"registration".*"account":"(me|other)"' 3)
like "$line" '"account":"me".*"default":false' "account other: me is no longer the default"
line=$(tsp_wait me '"event":"registration".*"account":"other"' 3)
is "$(json_get "$line" default)" true "other is"
tsp_cmd me "status"
line=$(tsp_wait me '"event":"registration".*"account":"other"' 3)
is "$(json_get "$line" default)" true "status says so too"
sipp_start acct uas-answer.xml - -p "$sport"
sipp_listening "$sport" || bail "SIPp does not listen"
tsp_cmd me "dial sip:x@127.0.0.1:$sport"
line=$(tsp_wait me '"event":"call"' 5)
is "$(json_get "$line" account)" other "dial without an account uses other"
tsp_wait me '"event":"call".*"state":"established"' 5 >/dev/null
tsp_cmd me "hangup"
tsp_wait me '"event":"call".*"state":"terminated"' 5 >/dev/null
sipp_wait acct
is "$?" 0 "SIPp's scenario completed"
like "$(grep '^From: ' "$T/acct.msg" | head -n 1)" '<sip:other@127\.0\.0\.1>' \
    "the INVITE is from other"
is "$(tsp_quit me)" 0 "quit exits 0"
done_testing
