#!/bin/sh
# tsphone's audio against a phone that is not tsphone: baresip 1.0,
# through Kamailio. tsphone uses its file audio driver; baresip a virtual
# ALSA card (bench/alsa-benchcard.c, see tests/baresip-lib.sh) that plays
# a WAV as its microphone and records its speaker. tsphone's microphone
# plays 1000 Hz, baresip's 600 Hz; each recording must hold the other
# side's tone and not its own (Goertzel check). Calls both ways, Opus and
# PCMU; DTMF both ways by RFC 4733 while the voice goes on (baresip keeps
# sending audio during an event, tsphone does not); hold and resume from
# tsphone, with RTP keep-alives during the hold that baresip must ignore.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/baresip-lib.sh"
require_kamailio
require_tsphone
tmpdir_init
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
[ -x "$TONECHECK" ] || bail "tonecheck not built ($TONECHECK)"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
bs_setup skip_all

sox -n -r 48000 -c 1 -b 16 "$T/tsp-tone.wav" synth 1 sine 1000 vol 0.5 &&
    sox -n -r 48000 -c 1 -b 16 "$T/bs-tone.wav" synth 1 sine 600 vol 0.5 ||
	bail "sox cannot make the tones"
# One pair of accounts a call, so that no contact of an instance that
# has quit can take the next call.
kam_start t1:pt b1:pb t2:pt b2:pb t3:pt b3:pb t4:pt b4:pb ||
	bail "cannot start kamailio"

# up N CODEC WHO-ANSWERS: tsphone "tN" and baresip "bN" (started side by
# side), registered, with CODEC only; the one WHO-ANSWERS (t or b)
# answers by itself. Each records to $T/tN.wav, $T/bN.wav.
up() {
	_up_bs=manual _up_t=no
	if [ "$3" = b ]; then _up_bs=auto; else _up_t=yes; fi
	bs_start "b$1" "$T/bs-tone.wav" "$T/b$1.wav" \
	    "<sip:b$1@$KAM_HOSTPORT>;auth_pass=pb;answermode=$_up_bs;audio_codecs=$(bs_codec "$2")"
	write_conf "$T/t$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
rtp_keepalive = 1
[audio]
driver = file
input = $T/tsp-tone.wav
output = $T/t$1.wav
[account t$1]
uri = sip:t$1@127.0.0.1
registrar = $KAM_URI
password = pt
codecs = $2
auto_answer = $_up_t
EOF
	tsp_start "t$1" "$T/t$1.conf"
	tsp_wait "t$1" '"state":"registered"' 5 >/dev/null ||
		bail "tsphone t$1 did not register"
	kam_wait_contacts "b$1" 1 5 || bail "baresip b$1 did not register"
}

# down N: tsphone hangs up (unless WHO says baresip does), both see the
# end, both quit.
down() {
	if [ "${2:-t}" = b ]; then
		bs_cmd "b$1" hangup
	else
		tsp_cmd "t$1" hangup || return 1
	fi
	_dn_rc=0
	tsp_wait "t$1" '"event":"call".*"state":"terminated"' 5 >/dev/null &&
	    bs_wait "b$1" CALL_CLOSED 5 || _dn_rc=1
	bs_cmd "b$1" quit	# both quit side by side
	_dn_t=$(tsp_quit "t$1")
	bs_stop "b$1"
	_dn_b=$(cat "$T/.run/bs-b$1.rc" 2>/dev/null || echo running)
	echo "tsphone exited $_dn_t, baresip $_dn_b"
	[ "$_dn_rc" -eq 0 ] && [ "$_dn_t" = 0 ] && [ "$_dn_b" = 0 ]
}

bs_digits() {	# NAME FROM N: baresip has got N digits after message FROM
	[ "$(bs_params "$1" CALL_DTMF_START "$2" | tr -d '\n' | wc -c)" -ge "$3" ]
}

hears() {	# FILE FREQ FROM TO: the tone is in most of the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --min-fraction 0.8
}

silent() {	# FILE FREQ FROM TO: the tone is nowhere in the span
	"$TONECHECK" "$1" "$2" --from "$3" --to "$4" --absent
}

# negotiated N CODEC: tsphone's media event names the codec.
negotiated() {
	_ng_l=$(grep '"event":"media"' "$T/t$1.out" | tail -n 1)
	case $2 in opus) _ng_w=opus/48000 ;; pcmu) _ng_w=PCMU/8000 ;; esac
	_ng_g=$(json_get "$_ng_l" codec)/$(json_get "$_ng_l" clock_rate)
	echo "tsphone: $_ng_g"
	[ "$_ng_g" = "$_ng_w" ]
}

# checks N CODEC FROM TO: the recordings of call N, tsphone's between
# FROM and TO (its own clock), baresip's over all of its call but the
# first and last half second.
checks() {
	_ck_b=$(wav_pos "$T/b$1.wav")
	diag "$2 call $1: tsphone's recording $3-$4 s, baresip's 0-$_ck_b s"
	ok "$2: tsphone hears baresip's 600 Hz" hears "$T/t$1.wav" 600 "$3" "$4"
	ok "$2: tsphone does not hear its own 1000 Hz" silent "$T/t$1.wav" 1000 "$3" "$4"
	ok "$2: baresip hears tsphone's 1000 Hz" \
	    hears "$T/b$1.wav" 1000 0.5 "$(wav_add "$_ck_b" -0.5)"
	ok "$2: baresip does not hear its own 600 Hz" \
	    silent "$T/b$1.wav" 600 0.5 "$(wav_add "$_ck_b" -0.5)"
}

# ------------------------------------------------ tsphone calls baresip

n=0
for codec in opus pcmu; do
	n=$((n + 1))
	up "$n" "$codec" b
	tsp_cmd "t$n" "dial b$n"
	ok "$codec: tsphone calls baresip, established" \
	    tsp_wait "t$n" '"event":"call".*"state":"established"' 10
	t0=$(wav_pos "$T/t$n.wav") || t0=0
	ok "$codec: negotiated" negotiated "$n" "$codec"
	ok "$codec: 3 s recorded" wav_recorded "$(wav_add "$t0" 3)" "$T/t$n.wav"
	t1=$(wav_pos "$T/t$n.wav")
	ok "$codec: hung up, both quit" down "$n"
	checks "$n" "$codec" "$(wav_add "$t0" 0.5)" "$t1"
done

# ------------------------------------------------ baresip calls tsphone

n=$((n + 1))
up "$n" opus t
bs_cmd "b$n" dial "sip:t$n@$KAM_HOSTPORT"
ok "opus: baresip calls tsphone, established" \
    tsp_wait "t$n" '"event":"call".*"state":"established"' 10
t0=$(wav_pos "$T/t$n.wav") || t0=0
ok "opus: negotiated" negotiated "$n" opus
# longer than the others: baresip sends its first RTCP report 5 s after
# its stream starts (and again 5 s after each re-INVITE)
ok "opus: 6 s recorded" wav_recorded "$(wav_add "$t0" 6)" "$T/t$n.wav"
t1=$(wav_pos "$T/t$n.wav")
ok "opus: baresip hangs up, both quit" down "$n" b
checks "$n" "opus (baresip calling)" "$(wav_add "$t0" 0.5)" "$t1"
# RTCP both ways: baresip shows each report it gets as a CALL_RTCP event;
# tsphone's last statistics (at the end of the call) hold the round trip
# it computed from baresip's report
line=$(grep '"event":"stats"' "$T/t$n.out" | tail -n 1)
ok "rtcp: baresip receives tsphone's reports ($(bs_count "b$n" CALL_RTCP))" \
    test "$(bs_count "b$n" CALL_RTCP)" -ge 1
ok "rtcp: tsphone has the round trip from baresip's ($(json_get "$line" rtt_ms) ms)" \
    test "$(json_get "$line" rtt_ms)" != null

# ------------------------------------------------------ DTMF, hold

n=$((n + 1))
T_WAV=$T/t$n.wav B_WAV=$T/b$n.wav
up "$n" opus b
tsp_cmd "t$n" "dial b$n"
ok "dtmf: call established" \
    tsp_wait "t$n" '"event":"call".*"state":"established"' 10
ok "dtmf: half a second of the call recorded" \
    wav_recorded "$(wav_add "$(wav_pos "$T_WAV")" 0.5)" "$T_WAV"

# tsphone to baresip: ctrl_tcp reports each digit as CALL_DTMF_START
m=$(bs_lines "b$n")
tsp_cmd "t$n" "dtmf 1234*#"
wait_until 5 bs_digits "b$n" "$m" 6
is "$(bs_params "b$n" CALL_DTMF_START "$m")" "1234*#" \
    "dtmf: baresip receives 1234*# in order"

# baresip to tsphone: "sndcode" queues the digits; baresip sends each
# as 9 event packets and 3 ends, 20 ms apart, its voice going on
# between them on the same SSRC
d0=$(wav_pos "$T_WAV")
bs_cmd "b$n" sndcode "1234*#"
got=
i=0
while [ "$i" -lt 6 ]; do
	line=$(tsp_wait "t$n" '"event":"dtmf".*"direction":"in"' 5) || break
	got="$got$(json_get "$line" digit)"
	i=$((i + 1))
done
is "$got" "1234*#" "dtmf: tsphone receives 1234*# in order"
# a duplicate is an absence to check: give one time to come
sleep 0.5
d1=$(wav_pos "$T_WAV")
is "$(tsp_count "t$n" '"event":"dtmf".*"direction":"in"')" 6 \
    "dtmf: tsphone reports each digit exactly once"

# hold and resume from tsphone: each side's audio stops and comes back.
# Marks are each recording's position when the command went out.
ok "hold: 1 s more recorded" wav_recorded "$(wav_add "$d1" 1)" "$T_WAV"
h_t=$(wav_pos "$T_WAV") h_b=$(wav_pos "$B_WAV")
tsp_cmd "t$n" hold
ok "hold: tsphone shows the call held" \
    tsp_wait "t$n" '"event":"call".*"state":"held"' 5
ok "hold: 2 s recorded on hold" wav_recorded "$(wav_add "$h_t" 2)" "$T_WAV"
r_t=$(wav_pos "$T_WAV") r_b=$(wav_pos "$B_WAV")
tsp_cmd "t$n" resume
ok "resume: tsphone shows the call established" \
    tsp_wait "t$n" '"event":"call".*"state":"established"' 5
ok "resume: 2 s recorded after" wav_recorded "$(wav_add "$r_t" 2)" "$T_WAV"
e_t=$(wav_pos "$T_WAV") e_b=$(wav_pos "$B_WAV")
diag "marks (s): tsphone hold $h_t resume $r_t end $e_t;" \
    "baresip hold $h_b resume $r_b end $e_b"
ok "hold: hung up, both quit" down "$n"
# rtp_keepalive = 1: the held call sent RTP keep-alives (RFC 6263 4.6,
# a payload type not negotiated), which baresip ignores without a word.
ka=$(grep '"event":"stats"' "$T/t$n.out" | tail -n 1 | sed -n 's/.*"keepalives":\([0-9]*\).*/\1/p')
ok "hold: keep-alives went to baresip (${ka:-none})" test "${ka:-0}" -ge 1
ok "hold: and baresip took them quietly" \
    sh -c "! grep -iE 'unknown|payload type|bad pt' '$T/bs-b$n.log'"
ok "dtmf: tsphone hears baresip's voice during the digits" \
    hears "$T_WAV" 600 "$(wav_add "$d0" 0.3)" "$d1"
ok "before hold tsphone hears baresip" \
    hears "$T_WAV" 600 "$d1" "$(wav_add "$h_t" -0.1)"
ok "before hold baresip hears tsphone" \
    hears "$B_WAV" 1000 "$(wav_add "$h_b" -1)" "$(wav_add "$h_b" -0.1)"
ok "on hold tsphone hears nothing" \
    silent "$T_WAV" 600 "$(wav_add "$h_t" 0.6)" "$(wav_add "$r_t" -0.1)"
ok "on hold baresip hears nothing" \
    silent "$B_WAV" 1000 "$(wav_add "$h_b" 0.6)" "$(wav_add "$r_b" -0.1)"
ok "after resume tsphone hears baresip" \
    hears "$T_WAV" 600 "$(wav_add "$r_t" 0.6)" "$(wav_add "$e_t" -0.1)"
ok "after resume baresip hears tsphone" \
    hears "$B_WAV" 1000 "$(wav_add "$r_b" 0.6)" "$(wav_add "$e_b" -0.1)"
done_testing
