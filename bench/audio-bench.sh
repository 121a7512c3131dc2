#!/bin/sh
# Media benchmark: tsphone next to baresip (1.0), measured in the same run
# on the same machine, so that the ratios hold on a noisy one. Each call
# has the caller measured and an auto-answering peer of the same kind
# behind the same Kamailio (407 on the INVITE); both ends play a looped
# speech-like WAV (synthesised with sox) and record what they hear. Per
# codec, medians of RUNS calls:
#   - CPU seconds per call-minute of the caller (utime + stime from
#     /proc/PID/stat over the established call, scaled to 60 s);
#   - wake-ups per second of the caller: voluntary + non-voluntary context
#     switches summed over /proc/PID/task/*/status across the call;
#     threads born during the call count whole, threads that ended are
#     lost and counted as "gone" (VERBOSE=1 lists each thread);
#   - peak RSS of the caller at the end of the call (VmHWM);
#   - round-trip audio latency, from one call straight to a SIPp UAS run
#     with -rtp_echo (no Kamailio): the microphone plays a 2 kHz burst every
#     second (bench/click-delay.c), the speaker's recording holds the
#     echoes, and since both files run on one clock from the device's start
#     each echo's offset from its burst, modulo the period, is the round
#     trip whenever the call began; the median over the echoes.
#
# tsphone uses its file audio driver ([audio] driver = file) in line mode.
# baresip 1.0 has a WAV source (aufile) but no WAV player, so it gets a
# virtual sound card instead: bench/alsa-benchcard.c, an ALSA plugin built
# here and used through baresip's alsa module, which plays the same WAV,
# records to a WAV, paces both directions by a timer on one clock and
# hands out capture on the file driver's convention (see its comment).
# baresip is driven through ctrl_tcp (bench/ctrl-bridge.c turns its
# netstrings into lines). Settings made equal: 48 kHz mono device, Opus
# mono, complexity 5, 32 kbit/s (passed to tsphone as [audio]
# opus_complexity / opus_bitrate when its --check-config takes them); the
# rest of each encoder's settings (application, FEC, expected loss) are
# each program's own defaults. Each keeps its own jitter buffer and device
# buffering: what is compared.
#
# Usage: bench/audio-bench.sh [path/to/tsphone]   (default build/tsphone;
# build it without ASan: mkdir build && cd build && ../configure && make)
# Tunables: RUNS (3), CALL_SECONDS (20), CODECS ("opus pcmu"),
# LAT_SECONDS (8, the echo calls), BARESIP (baresip in PATH),
# BARESIP_MODULES (/usr/lib/baresip/modules), VERBOSE (0).
# Needs kamailio, sipp, sox, cc and the ALSA headers (libasound2-dev).
# Traffic stays on 127.0.0.1, on free ports; every process started here
# is killed at exit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=$(cd "$here/.." && pwd)
TSPHONE=${1:-${TSPHONE:-$TOP_SRCDIR/build/tsphone}}
export TOP_SRCDIR TSPHONE
RUNS=${RUNS:-3}
CALL_SECONDS=${CALL_SECONDS:-20}
CODECS=${CODECS:-opus pcmu}
LAT_SECONDS=${LAT_SECONDS:-8}
VERBOSE=${VERBOSE:-0}
command_line="RUNS=$RUNS CALL_SECONDS=$CALL_SECONDS CODECS=\"$CODECS\" LAT_SECONDS=$LAT_SECONDS $0 $TSPHONE"
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/baresip-lib.sh"
require_kamailio
tmpdir_init

# ------------------------------------------------------------ requirements

[ -x "$TSPHONE" ] || bail "no tsphone at $TSPHONE (build it, or give its path)"
SIPP=${SIPP:-$(command -v sipp 2>/dev/null)}
[ -n "$SIPP" ] && [ -x "$SIPP" ] || bail "sipp not found (Debian package sip-tester)"
export SIPP
command -v sox >/dev/null 2>&1 || bail "sox is needed (Debian package sox)"
for codec in $CODECS; do
	case $codec in
	opus | pcmu) ;;
	*) bail "CODECS: only opus and pcmu are benchmarked, not '$codec'" ;;
	esac
done

# The helpers are built for this run, in $T: baresip's (ctrl-bridge, the
# ALSA bench card) by bs_setup, and the click train's.
bs_setup bail
# shellcheck disable=SC2086 # CC may hold options
$CC -O2 -o "$T/click-delay" "$here/click-delay.c" -lm 2>>"$T/cc.log" ||
	bail "cannot build the helpers: $(head -n 3 "$T/cc.log")"

# ------------------------------------------------------------------ inputs

# Speech-like: a voiced buzz gliding in pitch, shaped into ~4 syllables a
# second, with a hiss of its own rhythm for the fricatives.
sox -n -r 48000 -c 1 -b 16 "$T/voiced.wav" synth 6 sawtooth 110-190 vol 0.4 \
    tremolo 3.7 95 lowpass 3000 bandreject 1500 600 2>/dev/null &&
sox -n -r 48000 -c 1 -b 16 "$T/hiss.wav" synth 6 pinknoise vol 0.3 \
    tremolo 5.3 100 highpass 2500 2>/dev/null &&
sox -m "$T/voiced.wav" "$T/hiss.wav" "$T/speech.wav" gain -n -6 2>/dev/null ||
	bail "sox cannot make the speech-like input"
# One period of the click train: the drivers loop it.
"$T/click-delay" gen "$T/clicks.wav" 1 || bail "cannot make the click train"

# tsphone takes the Opus settings from its configuration once it knows
# them; before that its built-in defaults are the same values.
tsp_opus=
write_conf "$T/probe.conf" <<EOF
[audio]
driver = null
[account probe]
uri = sip:probe@127.0.0.1
register = no
EOF
"$TSPHONE" --check-config -f "$T/probe.conf" >"$T/probe.out" 2>&1 ||
	bail "tsphone --check-config refuses a plain configuration: $(head -n 2 "$T/probe.out")"
write_conf "$T/probe.conf" <<EOF
[audio]
driver = null
opus_complexity = 5
opus_bitrate = 32000
[account probe]
uri = sip:probe@127.0.0.1
register = no
EOF
if "$TSPHONE" --check-config -f "$T/probe.conf" >/dev/null 2>&1; then
	tsp_opus="opus_complexity = 5
opus_bitrate = 32000"
	tsp_opus_note="set in [audio]"
else
	tsp_opus_note="its built-in defaults; [audio] opus_* not supported yet"
fi

users=
r=0
while [ "$r" -lt "$RUNS" ]; do
	r=$((r + 1))
	users="$users ta$r:pa tb$r:pb ba$r:pa bb$r:pb"
done
# shellcheck disable=SC2086 # a word list of USER:PASSWORD
kam_start $users >/dev/null || bail "cannot start kamailio"

# ----------------------------------------------------------- measurements

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# threads PID: "TID VOLUNTARY NONVOLUNTARY TICKS NAME" for each thread of
# PID (TICKS: its utime + stime).
threads() {
	for _th in /proc/"$1"/task/[0-9]*; do
		_th_comm=$(cat "$_th/comm" 2>/dev/null) || continue
		_th_ticks=$(sed 's/.*) //' "$_th/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
		_th_ns=$(awk '{ print $1 }' "$_th/schedstat" 2>/dev/null) || continue
		awk -v tid="${_th##*/}" -v comm="$_th_comm" -v ticks="$_th_ticks" -v ns="$_th_ns" '
			/^voluntary_ctxt_switches:/ { v = $2 }
			/^nonvoluntary_ctxt_switches:/ { n = $2 }
			END { if (v != "") print tid, v + 0, n + 0, ticks + 0, ns + 0, comm }' "$_th/status" 2>/dev/null
	done
}

# measure_begin PID / measure_end PID PROG CODEC: the caller's CPU, wake-ups
# and peak RSS over the span between them, appended to $T/PROG.CODEC.*.
# The per-thread lines of $T/threads.log split the wake-ups into voluntary
# switches (the thread slept) and involuntary ones (it was preempted:
# mostly the machine's other load).
measure_begin() {
	_mb_ms=$(_lib_now_ms)
	_mb_ticks=$(ticks "$1")
	threads "$1" >"$T/threads.0"
}
measure_end() {
	_me_ticks=$(ticks "$1")
	threads "$1" >"$T/threads.1"
	_me_s=$(awk -v a="$_mb_ms" -v b="$(_lib_now_ms)" 'BEGIN { printf "%.3f\n", (b - a) / 1000 }')
	awk -v d="$((_me_ticks - _mb_ticks))" -v hz="$hz" -v s="$_me_s" \
	    'BEGIN { printf "%.3f\n", d / hz * 60 / s }' >>"$T/$2.$3.cpu"
	awk '/^VmHWM:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status" >>"$T/$2.$3.rss"
	awk -v s="$_me_s" -v who="$2 $3" -v verbose="$T/threads.log" -v hz="$hz" '
		NR == FNR { v[$1] = $2; n[$1] = $3; c[$1] = $4; r[$1] = $5; next }
		{
			name = $0; sub(/^[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ /, "", name)
			old = $1 in v
			dv = old ? $2 - v[$1] : $2
			dn = old ? $3 - n[$1] : $3
			dc = old ? $4 - c[$1] : $4
			dr = old ? $5 - r[$1] : $5
			tv += dv; tn += dn; seen[$1] = 1
			line = line sprintf("  %-16s tid %-8s %7.1f/s = %6.1f + %5.1f, CPU s/min %.3f (ticks) %.3f (run time)%s\n",
			    name, $1, (dv + dn) / s, dv / s, dn / s, dc / hz * 60 / s,
			    dr / 1e9 * 60 / s, old ? "" : " (born in the call)")
		}
		END {
			for (t in v) if (!(t in seen)) gone++
			printf "%.1f\n", (tv + tn) / s
			printf "%s: %.1f wake-ups/s (%.1f voluntary + %.1f involuntary) over %.1f s%s\n%s",
			    who, (tv + tn) / s, tv / s, tn / s, s,
			    gone ? ", " gone " thread(s) gone (not counted)" : "", line >>verbose
		}' "$T/threads.0" "$T/threads.1" >>"$T/$2.$3.wake"
}

# ----------------------------------------------------------------- tsphone

# tsp_conf NAME INPUT OUTPUT CODEC ACCOUNT-LINES...
tsp_conf() {
	_tc_name=$1 _tc_in=$2 _tc_out=$3 _tc_codec=$4
	shift 4
	{
		printf '[sip]\nlisten = 127.0.0.1:0\n[audio]\ndriver = file\n'
		printf 'input = %s\noutput = %s\n' "$_tc_in" "$_tc_out"
		[ -n "$tsp_opus" ] && printf '%s\n' "$tsp_opus"
		printf '[account %s]\ncodecs = %s\n' "$_tc_name" "$_tc_codec"
		printf '%s\n' "$@"
	} | write_conf "$T/$_tc_name.conf"
}

tsp_call() {	# RUN CODEC
	for _u in "tb$1" "ta$1"; do
		_aa=no
		[ "$_u" = "tb$1" ] && _aa=yes
		tsp_conf "$_u" "$T/speech.wav" "$T/$_u.wav" "$2" \
		    "uri = sip:$_u@127.0.0.1" "registrar = $KAM_URI" \
		    "password = $(test "$_u" = "ta$1" && echo pa || echo pb)" \
		    "auto_answer = $_aa"
		tsp_start "$_u" "$T/$_u.conf"
		tsp_wait "$_u" '"state":"registered"' 5 >/dev/null || bail "tsphone $_u did not register"
	done
	tsp_cmd "ta$1" "dial tb$1"
	tsp_wait "ta$1" '"event":"call".*"state":"established"' 10 >/dev/null ||
		bail "tsphone: no call ($2)"
	_p=$(tsp_pid "ta$1")
	measure_begin "$_p"
	sleep "$CALL_SECONDS"
	measure_end "$_p" tsphone "$2"
	tsp_cmd "ta$1" hangup
	tsp_wait "tb$1" '"event":"call".*"state":"terminated"' 5 >/dev/null
	tsp_quit "ta$1" >/dev/null
	tsp_quit "tb$1" >/dev/null
}

# echo_scenario CODEC: a SIPp UAS answering with CODEC only, for -rtp_echo
# (tests/sip/uas-answer.xml with the codec and the BYE wait changed). The
# echo returns the caller's own payload type, so the answer must keep the
# offer's number for Opus, whatever it is.
echo_scenario() {
	case $1 in
	opus) _es_m='[$pt]'
		_es_a='a=rtpmap:[$pt] opus/48000/2
      a=fmtp:[$pt] maxaveragebitrate=32000;useinbandfec=1;stereo=0;sprop-stereo=0'
		_es_re='a=rtpmap:([0-9]+) opus/48000' ;;
	pcmu) _es_m=0
		_es_a='a=rtpmap:0 PCMU/8000'
		_es_re='m=audio [0-9]+ RTP/AVP( )' ;;
	esac
	cat >"$T/uas-echo-$1.xml" <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="uas-echo-$1">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="$_es_re" search_in="body" check_it="true" assign_to="all,pt"/>
    </action>
  </recv>
  <Reference variables="all,pt"/>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP $_es_m
      $_es_a

    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE" timeout="$(( (LAT_SECONDS + 30) * 1000 ))"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
EOF
}

# echo_start NAME CODEC: SIPp echoing on a free port, $echo_port (not
# printed: a process spawned inside $(...) would hold its pipe open).
echo_start() {
	echo_port=$(free_port) || bail "no free port"
	SIPP_TIMEOUT=$((LAT_SECONDS + 40)) \
	    sipp_start "$1" "$T/uas-echo-$2.xml" - -p "$echo_port" -rtp_echo
	sipp_ready "$1" || bail "SIPp did not start"
}

tsp_latency() {	# CODEC
	echo_start "echo-t-$1" "$1"
	rm -f "$T/lat-t-$1.wav"
	tsp_conf "lat_t_$1" "$T/clicks.wav" "$T/lat-t-$1.wav" "$1" \
	    "uri = sip:lat@127.0.0.1" "register = no"
	tsp_start "lat_t_$1" "$T/lat_t_$1.conf"
	tsp_wait "lat_t_$1" '"event":"registration"' 5 >/dev/null
	tsp_cmd "lat_t_$1" "dial sip:echo@127.0.0.1:$echo_port"
	tsp_wait "lat_t_$1" '"event":"call".*"state":"established"' 10 >/dev/null ||
		bail "tsphone: no call to the echo ($1)"
	sleep "$LAT_SECONDS"
	tsp_cmd "lat_t_$1" hangup
	tsp_wait "lat_t_$1" '"event":"call".*"state":"terminated"' 5 >/dev/null
	tsp_quit "lat_t_$1" >/dev/null
	sipp_wait "echo-t-$1" >/dev/null
	"$T/click-delay" measure "$T/clicks.wav" "$T/lat-t-$1.wav" >"$T/tsphone.$1.lat"
}

# ----------------------------------------------------------------- baresip
#
# The instances, their sound cards and ctrl_tcp: tests/baresip-lib.sh.
# Opus at tsphone's complexity and bit rate; the rest baresip's defaults.
BS_CONFIG="opus_bitrate		32000
opus_complexity		5
opus_dtx		no"

bs_call() {	# RUN CODEC
	_c=$(bs_codec "$2")
	bs_start "bb$1" "$T/speech.wav" "$T/bb$1.wav" \
	    "<sip:bb$1@$KAM_HOSTPORT>;auth_pass=pb;answermode=auto;audio_codecs=$_c"
	kam_wait_contacts "bb$1" 1 5 || bail "baresip bb$1 did not register"
	bs_start "ba$1" "$T/speech.wav" "$T/ba$1.wav" \
	    "<sip:ba$1@$KAM_HOSTPORT>;auth_pass=pa;audio_codecs=$_c"
	kam_wait_contacts "ba$1" 1 5 || bail "baresip ba$1 did not register"
	bs_cmd "ba$1" dial "sip:bb$1@$KAM_HOSTPORT"
	bs_wait "ba$1" CALL_ESTABLISHED 10 || bail "baresip: no call ($2)"
	_p=$(bs_pid "ba$1")
	measure_begin "$_p"
	sleep "$CALL_SECONDS"
	measure_end "$_p" baresip "$2"
	bs_cmd "ba$1" hangup
	bs_wait "bb$1" CALL_CLOSED 5 >/dev/null
	bs_stop "ba$1"
	bs_stop "bb$1"
}

bs_latency() {	# CODEC
	echo_start "echo-b-$1" "$1"
	bs_start "lat-$1" "$T/clicks.wav" "$T/lat-b-$1.wav" \
	    "<sip:lat@127.0.0.1>;regint=0;audio_codecs=$(bs_codec "$1")"
	bs_cmd "lat-$1" dial "sip:echo@127.0.0.1:$echo_port"
	bs_wait "lat-$1" CALL_ESTABLISHED 10 || bail "baresip: no call to the echo ($1)"
	sleep "$LAT_SECONDS"
	bs_cmd "lat-$1" hangup
	bs_wait "lat-$1" CALL_CLOSED 5 >/dev/null
	bs_stop "lat-$1"
	sipp_wait "echo-b-$1" >/dev/null
	"$T/click-delay" measure "$T/clicks.wav" "$T/lat-b-$1.wav" >"$T/baresip.$1.lat"
}

# ------------------------------------------------------------------- run

for codec in $CODECS; do
	echo_scenario "$codec"
	: >"$T/tsphone.$codec.cpu"; : >"$T/baresip.$codec.cpu"
done
: >"$T/threads.log"
r=0
while [ "$r" -lt "$RUNS" ]; do
	r=$((r + 1))
	for codec in $CODECS; do
		# alternate who goes first, so that a drift in the machine's
		# load weighs on both alike
		if [ $((r % 2)) -eq 1 ]; then
			tsp_call "$r" "$codec"; bs_call "$r" "$codec"
		else
			bs_call "$r" "$codec"; tsp_call "$r" "$codec"
		fi
	done
done
for codec in $CODECS; do
	tsp_latency "$codec"
	bs_latency "$codec"
done

kam_stop

# ----------------------------------------------------------------- report

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
row() {	# LABEL TSPHONE BARESIP
	printf '%-26s %9s %9s %7s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"
}
med() { median <"$T/$1"; }
lat() { awk '{ print $1 }' "$T/$1"; }
latinfo() { awk '{ printf "%s echoes, %s-%s ms", $2, $3, $4 }' "$T/$1"; }

bs_version=$("$BARESIP" -h 2>&1 | sed -n '1s/^baresip \(v[^ ]*\).*/\1/p')
printf 'tsphone vs baresip %s: %s, %s cores; medians of %s calls of %s s per codec\n' \
    "$bs_version" "$(uname -m)" "$(nproc)" "$RUNS" "$CALL_SECONDS"
printf 'caller measured; tsphone opus settings: %s\n\n' "$tsp_opus_note"
printf '%-26s %9s %9s %7s\n' "" tsphone baresip ratio
for codec in $CODECS; do
	row "$codec CPU s/call-min" "$(med "tsphone.$codec.cpu")" "$(med "baresip.$codec.cpu")"
done
for codec in $CODECS; do
	row "wake-ups/s ($codec)" "$(med "tsphone.$codec.wake")" "$(med "baresip.$codec.wake")"
done
for codec in $CODECS; do
	row "peak RSS MiB ($codec)" "$(med "tsphone.$codec.rss")" "$(med "baresip.$codec.rss")"
done
for codec in $CODECS; do
	row "RTT latency ms ($codec)" "$(lat "tsphone.$codec.lat")" "$(lat "baresip.$codec.lat")"
done
echo
for codec in $CODECS; do
	printf 'latency %s: tsphone %s; baresip %s (one %s s call each)\n' "$codec" \
	    "$(latinfo "tsphone.$codec.lat")" "$(latinfo "baresip.$codec.lat")" "$LAT_SECONDS"
done
printf 'ratio = tsphone / baresip (below 1: tsphone uses less)\n'
printf 'command: %s\n' "$command_line"
if [ "$VERBOSE" = 1 ]; then
	echo
	echo "threads of the callers (wake-ups/s over each call):"
	cat "$T/threads.log"
fi
done_testing >/dev/null
