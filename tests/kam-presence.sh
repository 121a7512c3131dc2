#!/bin/sh
# kam-presence.sh: the presence server of tests/kamailio.cfg.in
# (WITH_PRESENCE, kam_start_presence) that the presence tests rely on:
# it starts on a fresh SQLite database made from Kamailio's schema, takes
# an authenticated PUBLISH of a PIDF document (SIPp) with a SIP-ETag,
# keeps it in the presentity table until it expires, and refuses a wrong
# password.  (tsphone's own PUBLISH is tested in presence-*.sh.)
. "$(dirname "$0")/lib.sh"
require_sipp
require_kamailio_presence
tmpdir_init

kam_start_presence "alice:pw1" "bob:pw2" || bail "cannot start kamailio with presence"
diag "kamailio (presence) on $KAM_URI"
is "$(kam_sql 'SELECT count(*) FROM presentity;')" 0 "the presentity table starts empty"

sipp_run pub uac-publish.xml "127.0.0.1:$KAM_PORT" -s alice -au alice -ap pw1 \
	-key basic open -key expires 2
is "$?" 0 "SIPp's PUBLISH scenario completed"
codes=$(sipp_codes pub)
is "$codes" "407 200" "an authenticated PUBLISH is taken: 407 then 200"
like "$(kam_presentity alice)" '<basic>open</basic>' "the PIDF is in the presentity table"
ok "a SIP-ETag was given" grep -qi '^SIP-ETag: ' "$T/pub.msg"

sipp_run nopw uac-publish.xml "127.0.0.1:$KAM_PORT" -s bob -au bob -ap wrong \
	-key basic open -key expires 60
codes=$(sipp_codes nopw)
is "$codes" "407 407" "a PUBLISH with a wrong password is challenged again"
is "$(kam_presentity bob)" "" "and not stored"

_expired() { [ -z "$(kam_presentity alice)" ]; }
ok "the publication expires (2 s)" wait_until 6 _expired
like "$(kam_rpc core.version)" "^kamailio" "kamailio still answers"
done_testing
