#!/bin/sh
# Our presence published to a presence server (PUBLISH, RFC 3903):
# Kamailio with its presence modules (kam_start_presence, SQLite). With
# [account] presence = yes, alice's state lands in the presentity table
# at start (open); "presence away NOTE" replaces it (away, the note, one
# publication: SIP-If-Match); bob in a call is published busy
# (on-the-phone) within 2 s, not while the call only rings, and online
# again after it; the stack refreshes a publication before it expires
# (SIP-If-Match, no body; alice asks for 10 s); quitting removes the
# publication (PUBLISH Expires 0) within the bounded quit. An account
# with presence = no publishes nothing.
. "$(dirname "$0")/lib.sh"
require_kamailio_presence
require_tsphone
tmpdir_init
kam_start_presence "alice:pa" "bob:pb" "carol:pc" || bail "cannot start kamailio with presence"

for u in alice:pa:yes:10 bob:pb:yes:600 carol:pc:no:600; do
	name=${u%%:*} rest=${u#*:}
	exp=${rest##*:} rest=${rest%:*}
	write_conf "$T/$name.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account $name]
uri = sip:$name@127.0.0.1
registrar = $KAM_URI
password = ${rest%%:*}
presence = ${rest#*:}
expires = $exp
EOF
	tsp_start "$name" "$T/$name.conf"
done
for n in alice bob carol; do
	tsp_wait "$n" '"state":"registered"' 5 >/dev/null || bail "$n did not register"
done

# presentity_has USER ERE: the document published for USER matches ERE
presentity_has() {
	kam_presentity "$1" | grep -Eq "$2"
}
presentity_lacks() {
	! kam_presentity "$1" | grep -Eq "$2"
}
presentity_none() {
	[ -z "$(kam_presentity "$1")" ]
}

line=$(tsp_last alice event=presence)
is "$(json_get "$line" own)" true "alice: our own presence event at start"
is "$(json_get "$line" state)" online "online"
ok "alice's PUBLISH lands in the presentity table (open)" \
	wait_until 3 presentity_has alice '<basic>open</basic>'
like "$(kam_sql "SELECT etag FROM presentity WHERE username = 'alice';")" \
	'^[^ ]+$' "kept under an entity tag"
ok "bob's too" wait_until 3 presentity_has bob '<basic>open</basic>'
is "$(tsp_count carol '"event":"presence"')" 0 "carol (presence = no): no presence event"
is "$(kam_presentity carol)" "" "and nothing published"

# --- presence away NOTE
tsp_cmd alice 'presence away "at lunch" & back <soon>'
line=$(tsp_wait alice '"event":"presence"' 3)
is "$(json_get "$line" state)" away "presence away: the event says away"
is "$(json_get "$line" note)" 'at lunch & back <soon>' "with the note"
ok "published: away" wait_until 3 presentity_has alice '<rpid:away/>'
ok "with the note, escaped" presentity_has alice '<note>at lunch &amp; back &lt;soon&gt;</note>'
is "$(kam_sql "SELECT count(*) FROM presentity WHERE username = 'alice';")" 1 \
	"one publication, changed (SIP-If-Match), not a second one"
ok "kamailio saw our entity tag" \
	grep -Eq 'PUBLISH sip:alice@127\.0\.0\.1 event=presence expires=10 etag=[^<].* len=[1-9]' "$KAM_LOG"

# --- bob in a call: busy within 2 s (not while it rings), online after
tsp_cmd carol "dial bob"
ok "bob rings" tsp_wait bob '"state":"incoming"' 5
ok "carol calling is busy for carol only: bob still open" presentity_lacks bob 'on-the-phone'
tsp_cmd bob answer
ok "bob: established" tsp_wait bob '"event":"call".*"state":"established"' 5
t0=$(date +%s%N)
ok "bob is published busy (on-the-phone) within 2 s" wait_until 2 presentity_has bob 'rpid:on-the-phone'
t1=$(date +%s%N)
diag "bob's busy was in the presentity table $(( (t1 - t0) / 1000000 )) ms after his established event"
line=$(tsp_wait bob '"event":"presence"' 3)
is "$(json_get "$line" state)" busy "bob's own presence event says busy"
tsp_cmd carol hangup
ok "the call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
ok "bob is published without on-the-phone again" wait_until 2 presentity_lacks bob 'on-the-phone'
ok "open" presentity_has bob '<basic>open</basic>'
line=$(tsp_wait bob '"event":"presence"' 3)
is "$(json_get "$line" state)" online "bob's own presence event says online again"

# --- alice's 10 s publication is refreshed by the stack
alice_expires() {
	kam_sql "SELECT expires FROM presentity WHERE username = 'alice';"
}
before=$(alice_expires)
ok "alice's publication is refreshed before it expires: SIP-If-Match, no body" \
	wait_until 10 grep -Eq 'PUBLISH sip:alice@127\.0\.0\.1 event=presence expires=10 etag=[^<].* len=0' "$KAM_LOG"
ok "the server keeps it longer ($before, then $(alice_expires))" \
	test "$(alice_expires)" -gt "$before"
ok "with the same document" presentity_has alice '<rpid:away/>'

# --- quit: the publication is removed
is "$(tsp_quit bob)" 0 "bob quits with status 0"
ok "bob's publication is gone (PUBLISH Expires 0)" wait_until 2 presentity_none bob
ok "kamailio got the removal" grep -q 'PUBLISH sip:bob@127\.0\.0\.1 event=presence expires=0' "$KAM_LOG"
is "$(tsp_quit alice)" 0 "alice quits with status 0"
ok "alice's too" wait_until 2 presentity_none alice
is "$(tsp_quit carol)" 0 "carol quits with status 0"
done_testing
