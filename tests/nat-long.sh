#!/bin/sh
# Long quiet times through a real NAT (tests/nat-lib.sh) whose UDP
# bindings last 30 s, as a home router's do. Two things overlap:
#   - alice at home calls bob on the internet, holds the call for 2
#     minutes (four of the router's timeouts) and resumes it: her RTP
#     binding at the router survived the hold (her RTP keep-alives), and
#     the audio flows both ways again (tone checks on both recordings);
#   - carol, at home too, registered at the start and does nothing for 5
#     minutes: her SIP keep-alives keep her binding, and dave's call from
#     the internet reaches her.
# It takes about 5.5 minutes, so ./run check runs it in a lane of its own
# (LONG_TESTS in Makefile.am), beside the others. NAT_LONG_QUICK=1 runs
# the same with everything scaled down (bindings 5 s, hold 20 s, quiet
# 30 s: about 40 s), for trying changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"

if [ "${NAT_LONG_QUICK:-0}" = 1 ]; then
	udp=5 hold=20 quiet=30
	extra_sip="rtp_keepalive = 2" extra_account="keepalive = 2"
else
	# tsphone's defaults: SIP keep-alives every 25 s, RTP every 15 s
	udp=30 hold=120 quiet=300
	extra_sip='' extra_account=''
fi
nat_setup "$udp"
nat_kam_start "alice:pa" "bob:pb" "carol:pc" "dave:pd" ||
	bail "cannot start kamailio"

sox -n -r 8000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5
cp "$T/bob-tone.wav" "$T/carol-tone.wav"
cp "$T/bob-tone.wav" "$T/dave-tone.wav"

# setup WHERE NAME ADDRESS
setup() {
	write_conf "$T/$2.conf" <<EOF
[sip]
listen = $3:0
$extra_sip
[audio]
driver = file
input = $T/$2-tone.wav
output = $T/$2.wav
[account $2]
uri = sip:$2@$NAT_INET_ADDR
registrar = $KAM_URI
password = p$(printf %.1s "$2")
codecs = pcmu
$extra_account
EOF
	nat_tsp_start "$1" "$2" "$T/$2.conf"
}

hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}

setup home carol "$NAT_HOME_ADDR"
ok "carol registers from home" tsp_wait carol '"state":"registered"' 5
carol_t0=$(_lib_now_ms)
setup home alice "$NAT_HOME_ADDR"
setup inet bob "$NAT_INET_ADDR"
setup inet dave "$NAT_INET_ADDR"
ok "alice registers from home" tsp_wait alice '"state":"registered"' 5
ok "bob registers from the internet" tsp_wait bob '"state":"registered"' 5
ok "dave registers from the internet" tsp_wait dave '"state":"registered"' 5

# the call: alice dials bob
tsp_cmd alice "dial bob"
ok "bob is called" tsp_wait bob '"event":"call".*"state":"incoming"' 5
tsp_cmd bob answer
ok "bob is in the call" tsp_wait bob '"event":"call".*"state":"established"' 5
line=$(tsp_wait alice '"event":"media"' 5)
ok "alice is in the call" tsp_wait alice '"event":"call".*"state":"established"' 5
rtp=$(json_get "$line" local)
rtp=${rtp##*:}
ok "alice's RTP port is known ($rtp)" test -n "$rtp"
A=$T/alice.wav B=$T/bob.wav
ok "2 s of the call recorded on both sides" wav_recorded 2 "$A" "$B"
h_a=$(wav_pos "$A") h_b=$(wav_pos "$B")
tsp_cmd alice hold
ok "bob is told he is held" tsp_wait bob '"held_by_remote":true' 5
ok "before the hold bob hears alice" hears "$B" 1000 0.5 "$(wav_add "$h_b" -0.1)"
ok "before the hold alice hears bob" hears "$A" 1500 0.5 "$(wav_add "$h_a" -0.1)"

# the hold: nothing but keep-alives for four of the router's timeouts
t=$(_lib_now_ms)
diag "holding for $hold s (the router forgets a quiet binding after $udp s)"
sleep "$hold"
ok "alice's RTP binding at the router outlived the hold" nat_binding_from "$rtp"
diag "router's bindings: $(nat_bindings | grep -c .) (held $(( ($(_lib_now_ms) - t) / 1000 )) s)"
r_a=$(wav_pos "$A") r_b=$(wav_pos "$B")
tsp_cmd alice resume
ok "bob is told the hold is over" tsp_wait bob '"held_by_remote":false' 5
ok "3 s more recorded after the resume" \
    wav_recorded "$(wav_add "$r_b" 3)" "$B"
ok "and on alice's side" wav_recorded "$(wav_add "$r_a" 3)" "$A"
e_a=$(wav_pos "$A") e_b=$(wav_pos "$B")
tsp_cmd alice hangup
ok "the call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
ok "after the resume bob hears alice again" \
    hears "$B" 1000 "$(wav_add "$r_b" 1)" "$(wav_add "$e_b" -0.1)"
ok "after the resume alice hears bob again" \
    hears "$A" 1500 "$(wav_add "$r_a" 1)" "$(wav_add "$e_a" -0.1)"
line=$(grep '"event":"stats"' "$T/alice.out" | tail -n 1)
diag "alice's last stats: $line"

# carol: quiet since she registered; dave calls her once the time is up
left=$(( quiet * 1000 - ($(_lib_now_ms) - carol_t0) ))
if [ "$left" -gt 0 ]; then
	diag "carol has been quiet for $(( quiet - left / 1000 )) s; $(( left / 1000 )) s more"
	sleep "$(awk -v ms="$left" 'BEGIN { printf "%.3f\n", ms / 1000 }')"
fi
is "$(tsp_count carol '"event":"call"')" 0 "carol had no call in $quiet s"
tsp_cmd dave "dial carol"
ok "dave's call reaches carol after $quiet quiet seconds" \
    tsp_wait carol '"event":"call".*"state":"incoming"' 5
tsp_cmd carol answer
ok "carol is in the call" tsp_wait carol '"event":"call".*"state":"established"' 5
ok "dave is in the call" tsp_wait dave '"event":"call".*"state":"established"' 5
tsp_cmd dave hangup
ok "carol sees the end" tsp_wait carol '"event":"call".*"state":"terminated"' 5
for p in alice bob carol dave; do
	is "$(tsp_quit "$p")" 0 "$p quits with status 0"
done
done_testing
