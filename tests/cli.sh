#!/bin/sh
# The command line (SPEC section 2): options, exit statuses, config
# checks, --init-config, the embedded default, and line mode with
# standard input from /dev/null, a regular file and a pipe.
. "$(dirname "$0")/lib.sh"
require_tsphone
tmpdir_init

HOME=$T/home XDG_CONFIG_HOME= XDG_STATE_HOME=
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
mkdir -p "$HOME"

out=$("$TSPHONE" -V)
is "$?" 0 "-V exits 0"
like "$out" '^tsphone [0-9]+\.[0-9]+' "-V prints the version"
out=$("$TSPHONE" -h)
is "$?" 0 "-h exits 0"
like "$out" 'usage: tsphone' "-h prints usage"
"$TSPHONE" --no-such-option >/dev/null 2>&1
is "$?" 2 "unknown option exits 2"
"$TSPHONE" -f "$T/missing.conf" --check-config >/dev/null 2>"$T/err"
is "$?" 2 "a missing -f file exits 2"
like "$(cat "$T/err")" 'missing.conf: no such file' "and says so"

write_conf "$T/good.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[audio]
driver = null
[account a]
uri = sip:a@127.0.0.1
register = no
[account b]
uri = sip:b@127.0.0.1
register = no
EOF
out=$("$TSPHONE" --check-config -f "$T/good.conf")
is "$?" 0 "--check-config on a clean file exits 0"
like "$out" 'OK \(2 accounts\)' "and says OK"

write_conf "$T/bad.conf" <<EOF
[sip]
listen = 127.0.0.1:0
[account a]
uri = sip:a@127.0.0.1
regster = yes
expires = soon
EOF
"$TSPHONE" --check-config -f "$T/bad.conf" >/dev/null 2>"$T/err"
is "$?" 2 "--check-config on a bad file exits 2"
like "$(sed -n 1p "$T/err")" "^$T/bad.conf:5: .*regster" "first problem: FILE:LINE and the key"
like "$(sed -n 2p "$T/err")" "^$T/bad.conf:6: .*expires" "second problem reported too"
"$TSPHONE" --line -f "$T/bad.conf" </dev/null >"$T/out" 2>"$T/err"
is "$?" 2 "the phone does not start on a config error"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "and prints no events"

"$TSPHONE" -a nosuch --check-config -f "$T/good.conf" >/dev/null 2>"$T/err"
is "$?" 2 "-a with an unknown account exits 2"
like "$(cat "$T/err")" 'no account "nosuch"' "and names it"

# --init-config: writes a 0600 template that passes --check-config, once.
conf=$HOME/.config/tsphone/tsphone.conf
"$TSPHONE" --init-config >/dev/null
is "$?" 0 "--init-config exits 0"
is "$(stat -c %a "$conf" 2>/dev/null)" 600 "template created with mode 0600"
is "$(stat -c %a "$(dirname "$conf")")" 700 "its directory has mode 0700"
"$TSPHONE" --check-config >/dev/null 2>"$T/err"
is "$?" 0 "the template passes --check-config (default path)"
echo "# mine" >>"$conf"
"$TSPHONE" --init-config >/dev/null 2>"$T/err"
isnt "$?" 0 "--init-config refuses to overwrite"
is "$(tail -n 1 "$conf")" "# mine" "the existing file is untouched"
rm -f "$conf"

# Embedded default: no config file, no registration, exits on EOF.
USER=tester "$TSPHONE" --line --log "$T/default.log" </dev/null >"$T/default.out" 2>"$T/default.err"
is "$?" 0 "embedded default with stdin /dev/null exits 0 at end of input"
like "$(grep '"event":"registration"' "$T/default.out" | head -n 1)" \
    '"account":"tester","state":"unregistered"' "one local account named after USER, not registered"
like "$(cat "$T/default.out")" 'listening on sip:' "it listens"
is "$(grep -vc '^{"event":' "$T/default.out")" 0 "stdout carries only JSON events"

# Line mode from a regular file: commands run in order, then EOF quits.
printf 'status\n\n# comment\nbogus\nregister zz\nhelp\n' >"$T/script"
"$TSPHONE" --line -f "$T/good.conf" --log "$T/f.log" <"$T/script" >"$T/f.out" 2>"$T/f.err"
is "$?" 0 "commands from a regular file, exit 0"
is "$(grep -c '"event":"registration"' "$T/f.out")" 4 "status reports both accounts (after start-up)"
like "$(grep '"command":"bogus"' "$T/f.out")" 'unknown command' "unknown command is an error event"
like "$(grep '"command":"register"' "$T/f.out")" 'no account \\"zz\\"' "unknown account is an error event"
like "$(cat "$T/f.out")" '"text":"quit: ' "help lists quit"

# From a pipe, with a last line that has no newline.
printf 'status' | "$TSPHONE" --line -f "$T/good.conf" --log "$T/p.log" >"$T/p.out" 2>&1
is "$?" 0 "commands from a pipe, exit 0"
is "$(grep -c '"event":"registration"' "$T/p.out")" 4 "an unterminated last line still runs"
ok "the log file was written" test -s "$T/p.log"
is "$(stat -c %a "$T/p.log")" 600 "the log file has mode 0600"
done_testing
