#!/bin/sh
# Refused registrations: a wrong password (answered by a new challenge or
# by 403), a forbidden user, an unknown user and an unavailable server
# each end as "failed" with the reason; the phone keeps running and does
# not retry in a tight loop.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
kam_start "carol:right" || bail "cannot start kamailio"

conf() {	# NAME USER PASSWORD
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account $1]
uri = sip:$2@127.0.0.1
registrar = $KAM_URI
password = $3
EOF
}

conf wrong carol wrong
tsp_start wrong "$T/wrong.conf"
line=$(tsp_wait wrong '"state":"failed"' 3)
ok "wrong password fails" test -n "$line"
is "$(json_get "$line" code)" 401 "with 401"
like "$(json_get "$line" reason)" 'wrong user name or password' "reason says wrong password"
is "$(json_get "$line" retry_in)" 4 "first retry in 4 s"
sleep 1.5
is "$(tsp_count wrong '"state":"registering"')" 1 "no second attempt before the backoff"
tsp_cmd wrong status
ok "still running and answering" tsp_wait wrong '"state":"failed"' 2
line=$(tsp_wait wrong '"state":"failed"' 8)
ok "retried once after the backoff, failed again" test -n "$line"
is "$(json_get "$line" retry_in)" 8 "backoff doubles to 8 s"
tsp_cmd wrong "register wrong"
ok "register command retries at once" tsp_wait wrong '"state":"registering"' 2
is "$(kam_contacts carol)" 0 "no binding for a wrong password"
is "$(tsp_quit wrong)" 0 "quit exits 0"

# A call from an account with a wrong password ends in words, not with
# Sofia's "904 Operation has no matching challenge".
write_conf "$T/wrongcall.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account wrongcall]
uri = sip:carol@127.0.0.1
registrar = $KAM_URI
password = wrong
register = no
EOF
tsp_start wrongcall "$T/wrongcall.conf"
tsp_wait wrongcall '"event":"registration"' 3 >/dev/null
tsp_cmd wrongcall "dial somebody"
line=$(tsp_wait wrongcall '"event":"call".*"state":"terminated"' 5)
ok "the call fails" test -n "$line"
note "reason: $(json_get "$line" reason)"
like "$(json_get "$line" reason)" '^(authentication failed: )?wrong user name or password' \
    "the reason says wrong password in words"
like "$(json_get "$line" code)" '^(401|407|904)$' "the code is kept in code"
is "$(tsp_quit wrongcall)" 0 "quit exits 0"

for u in forbidden1:403:forbidden notfound1:404:'not found' unavail1:503:unavailable; do
	user=${u%%:*} rest=${u#*:}
	code=${rest%%:*} why=${rest#*:}
	conf "$user" "$user" x
	tsp_start "$user" "$T/$user.conf"
	line=$(tsp_wait "$user" '"state":"failed"' 3)
	is "$(json_get "$line" code)" "$code" "$user: failed with $code"
	like "$(json_get "$line" reason)" "$why" "$user: reason says $why"
	ok "$user: keeps running" tsp_running "$user"
	is "$(tsp_quit "$user")" 0 "$user: quit exits 0"
done
kam_stop

# A registrar that answers a wrong password with 403 instead of a new
# challenge.
KAM_DEFINES=BADPASS_403 kam_start "carol:right" || bail "cannot restart kamailio"
conf wrong403 carol wrong
tsp_start wrong403 "$T/wrong403.conf"
line=$(tsp_wait wrong403 '"state":"failed"' 3)
is "$(json_get "$line" code)" 403 "wrong password answered 403 fails with 403"
ok "keeps running" tsp_running wrong403
is "$(tsp_quit wrong403)" 0 "quit exits 0"
done_testing
