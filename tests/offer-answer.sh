#!/bin/sh
# Offer/answer (RFC 3264), INVITE bodies (RFC 3261 7.4 and 20.11, RFC
# 5621), SDES (RFC 4568) and telephone-event (RFC 4733) against a
# scripted caller: the SIPp scenarios tests/sip/uac-offer-*.xml,
# uac-reoffer.xml and uac-update.xml, one after the other, to one
# auto-answering tsphone with three accounts (srtp off, optional and
# mandatory). Each scenario checks the response code and the answer's m=
# lines, or the Warning and Accept of a refusal; here we check what
# tsphone made of it: the stream its media took (by the port the
# scenario offered it on), SRTP or not, the reason in the log, and that
# it never rang for what it refused.
. "$(dirname "$0")/lib.sh"
require_sipp
require_tsphone
tmpdir_init

port=$(free_port) || bail "no free port"
{
	printf '[sip]\nlisten = 127.0.0.1:%s\n[audio]\ndriver = null\n' "$port"
	for a in off:off opt:optional man:mandatory; do
		printf '[account %s]\nuri = sip:%s@127.0.0.1\nregister = no\n' \
		    "${a%%:*}" "${a%%:*}"
		printf 'auto_answer = yes\ncodecs = opus, pcmu\nsrtp = %s\n' "${a#*:}"
	done
} | write_conf "$T/me.conf"
tsp_start me "$T/me.conf"
ok "tsphone is up" tsp_wait me '"event":"registration"' 3

# offered NAME N: the port of the Nth m= line of the first INVITE SIPp
# sent in run NAME.
offered() {
	awk -v n="$2" '/^INVITE / { inv++ } inv == 1 && /^m=/ && ++i == n {
		print $2; exit }' "$T/$1.msg"
}

# answered NAME ACCOUNT SCENARIO STREAM SRTP WHAT: the call is taken, its
# media runs on the scenario's STREAMth offered stream, SRTP or not.
answered() {
	sipp_run "$1" "$3" "127.0.0.1:$port" -s "$2"
	is "$?" 0 "$6: 200 and the answer's m= lines (SIPp's checks)"
	line=$(tsp_wait me '"event":"media"' 3)
	want=$(offered "$1" "$4")
	like "$(json_get "$line" remote)" ":$want\$" "$6: media to the stream taken ($want)"
	is "$(json_get "$line" srtp)" "$5" "$6: srtp $5"
	ok "$6: the call ends" tsp_wait me '"event":"call".*"state":"terminated"' 3
}

# refused NAME ACCOUNT SCENARIO CODE WHY WHAT: refused with CODE, the log
# says WHY, and it never rang.
refused() {
	_rings=$(tsp_count me '"state":"incoming"')
	sipp_run "$1" "$3" "127.0.0.1:$port" -s "$2"
	is "$?" 0 "$6: $4 with the Warning (SIPp's checks)"
	ok "$6: the log says why" \
	    wait_until 3 grep -q "refusing the offer of .*: $4 .*$5" "$T/me.log"
	is "$(tsp_count me '"state":"incoming"')" "$_rings" "$6: it never rang"
}

answered streams opt uac-offer-streams.xml 3 false \
    "unknown transport, video, audio, T.38"
answered port0 opt uac-offer-port0.xml 2 false "the first audio at port 0"
answered altoff off uac-offer-alt-off.xml 1 false "AVP or SAVP, srtp off"
answered altopt opt uac-offer-alt-opt.xml 2 true "AVP or SAVP, srtp optional"
answered altman man uac-offer-alt-man.xml 2 true "AVP or SAVP, srtp mandatory"
answered lf opt uac-offer-lf.xml 1 false "LF-only SDP"
line=$(grep '"event":"media"' "$T/me.out" | tail -n 1)
is "$(json_get "$line" codec)" opus "LF-only SDP: Opus, with telephone-event/8000 only"
answered multipart opt uac-offer-multipart.xml 1 false "multipart/mixed with ISUP"
answered alternative opt uac-offer-alternative.xml 2 false \
    "multipart/alternative: the last SDP"

refused nocrypto man uac-offer-nocrypto.xml 488 "no SRTP crypto suite" \
    "SAVP with no usable a=crypto, srtp mandatory"
line=$(tsp_wait me '"event":"call".*"code":488' 3)
like "$(json_get "$line" reason)" 'no SRTP crypto suite' "the call event says why"
refused nocodec opt uac-offer-nocodec.xml 488 "stream 2: no common codec" \
    "no usable audio stream"
refused noaudio opt uac-offer-noaudio.xml 488 "no audio stream" "video only"
refused badsdp opt uac-offer-badsdp.xml 400 "bad offered SDP: m= invalid format" \
    "unparsable SDP"
refused nosdp opt uac-offer-nosdp.xml 415 "no session description" \
    "multipart with no SDP"
refused required opt uac-offer-required.xml 415 \
    "application/pidf.xml part is required" "a required part we cannot use"

# re-INVITEs: three refused while the call goes on, one taken.
mark=$(tsp_lines me)
sipp_run reoffer uac-reoffer.xml "127.0.0.1:$port" -s opt
is "$?" 0 "re-INVITEs: 488, 400 and 415 with Warnings, then 200 recvonly (SIPp's checks)"
ok "re-INVITEs: the call ends with SIPp's BYE" \
    tsp_wait me '"event":"call".*"state":"terminated".*remote hung up' 3
media=$(tail -n "+$((mark + 1))" "$T/me.out" | grep '"event":"media"')
is "$(printf '%s\n' "$media" | wc -l | tr -d ' ')" 2 \
    "re-INVITEs: media set up twice: the call, the offer taken"
want=$(awk '/^INVITE / { inv++ } inv == 5 && /^m=/ && ++i == 2 { print $2; exit }' \
    "$T/reoffer.msg")
line=$(printf '%s\n' "$media" | tail -n 1)
like "$(json_get "$line" remote)" ":$want\$" \
    "re-INVITEs: then to the second stream of the last offer ($want)"
is "$(json_get "$line" direction)" recvonly "re-INVITEs: held by the peer"
is "$(grep -c 'refusing the re-offer of' "$T/me.log")" 3 \
    "re-INVITEs: three refusals logged"
is "$(tail -n "+$((mark + 1))" "$T/me.out" | grep -c '"state":"terminated"')" 1 \
    "re-INVITEs: the call was never ended by a refusal"
# UPDATEs (RFC 3311): refused, a refresh, a hold.
mark=$(tsp_lines me)
sipp_run update uac-update.xml "127.0.0.1:$port" -s opt
is "$?" 0 "UPDATEs: 400 with a Warning, 200 without a body, 200 recvonly (SIPp's checks)"
ok "UPDATEs: the call ends with SIPp's BYE" \
    tsp_wait me '"event":"call".*"state":"terminated".*remote hung up' 3
media=$(tail -n "+$((mark + 1))" "$T/me.out" | grep '"event":"media"')
is "$(printf '%s\n' "$media" | tail -n 1 | sed 's/.*"direction":"\([a-z]*\)".*/\1/')" \
    recvonly "UPDATEs: the hold reached the media"
is "$(grep -c 'refusing the re-offer of .*: 400 bad offered SDP' "$T/me.log")" 2 \
    "UPDATEs: the refusal logged (one for the re-INVITE before)"
is "$(tsp_quit me)" 0 "quit exits 0"
done_testing
