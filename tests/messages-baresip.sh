#!/bin/sh
# Text messages with a phone that is not tsphone: baresip 1.0 through
# Kamailio, both ways. baresip sends with its contact module's /message
# (to its current contact). baresip 1.0 shows a message it receives only
# on a text console (none here), so its side is seen in its answer (200,
# from baresip, in tsphone's trace) and in the chime it plays for it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/baresip-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
bs_setup skip_all
kam_start t:pt b:pb || bail "cannot start kamailio"

write_conf "$T/t.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account t]
uri = sip:t@127.0.0.1
registrar = $KAM_URI
password = pt
EOF
tsp_start t "$T/t.conf" --trace
tsp_wait t '"state":"registered"' 5 >/dev/null || bail "tsphone did not register"

# baresip's contact module: tsphone is its one (current) contact
mkdir -p "$T/bs-b"
printf '"tsphone" <sip:t@127.0.0.1>\n' >"$T/bs-b/contacts"
printf 'sip:t@127.0.0.1' >"$T/bs-b/current_contact"
BS_CONFIG="module_app		contact.so" bs_start b /dev/null /dev/null \
    "<sip:b@127.0.0.1>;auth_pass=pb;outbound=\"sip:$KAM_HOSTPORT\";regint=600"
kam_wait_contacts b 1 5 || bail "baresip did not register"

text='Grüße, 你好 from tsphone'
tsp_cmd t "message b $text"
line=$(tsp_wait t '"event":"message".*"state":"sent"' 5)
ok "tsphone to baresip: sent" test -n "$line"
is "$(json_get "$line" code)" 200 "baresip answered 200"
ok "the 200 came from baresip" grep -q 'Server: baresip' "$T/t.log"
ok "baresip chimes for it" wait_until 3 grep -q 'message\.wav' "$T/bs-b.log"

bs_cmd b message "Grüße, 你好 from baresip"
line=$(tsp_wait t '"event":"message".*"state":"received"' 5)
ok "baresip to tsphone: received" test -n "$line"
is "$(json_get "$line" text)" "Grüße, 你好 from baresip" "the UTF-8 text"
like "$(json_get "$line" peer)" 'sip:b@127\.0\.0\.1' "from baresip's account"

bs_stop b
is "$(tsp_quit t)" 0 "tsphone quits"
done_testing
