#!/bin/sh
# Secrets: a config holding a password that others can read is refused;
# password_cmd and ha1 work as alternatives to a clear-text password; a
# failing password_cmd is reported and the phone keeps running; no
# secret reaches the output, the log or the trace.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init

PASS='pa:ss#wörd'
kam_start "erin:$PASS" || bail "cannot start kamailio"

# World-readable file with a password: refused before any network use.
cat >"$T/open.conf" <<EOF
[account erin]
uri = sip:erin@127.0.0.1
registrar = $KAM_URI
password = $PASS
EOF
chmod 644 "$T/open.conf"
"$TSPHONE" --line -f "$T/open.conf" --log "$T/open.log" </dev/null >"$T/open.out" 2>"$T/open.err"
is "$?" 2 "a readable config with a password exits 2"
like "$(cat "$T/open.err")" "open.conf:4: .*chmod 600 $T/open.conf" \
    "the error names file, line and the chmod that fixes it"
is "$(kam_contacts erin)" 0 "nothing was registered"
"$TSPHONE" --check-config -f "$T/open.conf" >/dev/null 2>&1
is "$?" 2 "--check-config refuses it too"
chmod 600 "$T/open.conf"
"$TSPHONE" --check-config -f "$T/open.conf" >/dev/null 2>&1
is "$?" 0 "after chmod 600 it is accepted"

# password_cmd: the first line of the command's output.
printf '%s\n' "$PASS" >"$T/secret"
chmod 600 "$T/secret"
write_conf "$T/cmd.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account erin]
uri = sip:erin@127.0.0.1
registrar = $KAM_URI
password_cmd = cat '$T/secret'; echo second-line
EOF
tsp_start cmd "$T/cmd.conf" --trace
line=$(tsp_wait cmd '"state":"registered"' 3)
ok "password_cmd supplies the password" test -n "$line"
is "$(tsp_quit cmd)" 0 "quit exits 0"
is "$(kam_contacts erin)" 0 "unregistered"

# A failing password_cmd: a clear error, no crash, no retry loop.
write_conf "$T/bad.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account erin]
uri = sip:erin@127.0.0.1
registrar = $KAM_URI
password_cmd = exit 3
EOF
tsp_start bad "$T/bad.conf"
line=$(tsp_wait bad '"state":"failed"' 3)
like "$(json_get "$line" reason)" 'password_cmd failed \(exit status 3\)' \
    "a failing password_cmd is the reason"
ok "the phone keeps running" tsp_running bad
is "$(tsp_quit bad)" 0 "quit exits 0"

# ha1 = md5(user:realm:password); the test realm is the domain.
ha1=$(printf '%s' "erin:127.0.0.1:$PASS" | md5sum | cut -c1-32)
write_conf "$T/ha1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account erin]
uri = sip:erin@127.0.0.1
registrar = $KAM_URI
ha1 = $ha1
EOF
tsp_start ha1 "$T/ha1.conf" --trace -v
line=$(tsp_wait ha1 '"state":"registered"' 3)
ok "ha1 registers without the password" test -n "$line"
is "$(tsp_quit ha1)" 0 "quit exits 0"

for f in cmd.out cmd.err cmd.log ha1.out ha1.err ha1.log open.out open.err; do
	ok "no password in $f" sh -c "! grep -F 'pa:ss' '$T/$f'"
done
ok "no HA1 in the verbose trace" sh -c "! grep -F '$ha1' '$T/ha1.log'"
done_testing
