#!/bin/sh
# SIP over TLS with a real Kamailio (tls module) and a private CA made
# here with openssl: two phones register over TLS and make an SRTP call
# that carries audio both ways; a server certificate for another host,
# an expired one and a self-signed one are each refused within 5 s with
# the right reason; tls_verify = no is the explicit way round it.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
tmpdir_init
command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed"
command -v sox >/dev/null 2>&1 || skip_all "sox is not installed"
[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] ||
    ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 ||
    skip_all "Kamailio's TLS module is not installed (kamailio-tls-modules)"
: "${TONECHECK:=$(dirname "$TSPHONE")/tests/tools/tonecheck}"
# Under ASan: Sofia-SIP's TLS transport leaks OpenSSL objects at exit
# (see the file); suppress exactly those, with the full stacks they need.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TOP_SRCDIR/tests/lsan-sofia-tls.supp:print_suppressions=0"
export ASAN_OPTIONS LSAN_OPTIONS

P=$T/pki
mkdir -p "$P"
ssl() { openssl "$@" >>"$P/openssl.log" 2>&1 || bail "openssl $1 failed"; }
# cert NAME CN SAN DAYS [self]: a key and a certificate signed by our CA
cert() {
	ssl req -newkey rsa:2048 -nodes -keyout "$P/$1.key" -out "$P/$1.csr" -subj "/CN=$2"
	printf 'subjectAltName=%s\n' "$3" >"$P/$1.ext"
	if [ "${5:-}" = self ]; then
		ssl x509 -req -in "$P/$1.csr" -signkey "$P/$1.key" -out "$P/$1.pem" \
		    -days "$4" -extfile "$P/$1.ext"
	else
		ssl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
		    -CAcreateserial -out "$P/$1.pem" -days "$4" -extfile "$P/$1.ext"
	fi
	chmod 600 "$P/$1.key"
}
ssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.pem" \
    -days 2 -subj "/CN=tsphone test CA"
# Sofia-SIP matches IP targets against the CN only (not IP SANs), so the
# test certificates carry 127.0.0.1 in both.
cert server 127.0.0.1 IP:127.0.0.1 2
cert phone 127.0.0.1 IP:127.0.0.1 2
cert wrong wrong.example DNS:wrong.example 2
cert expired 127.0.0.1 IP:127.0.0.1 0
cert self 127.0.0.1 IP:127.0.0.1 2 self
# the expired certificate's last second runs out
expired() {	# (exit status 1: "will expire", i.e. has expired)
	openssl x509 -checkend 0 -noout -in "$P/expired.pem" >/dev/null 2>&1
	[ $? -eq 1 ]
}
wait_until 5 expired || bail "the expired test certificate is still valid"

sox -n -r 48000 -c 1 -b 16 "$T/alice-tone.wav" synth 1 sine 1000 vol 0.5
sox -n -r 48000 -c 1 -b 16 "$T/bob-tone.wav" synth 1 sine 1500 vol 0.5

start_kam() {	# CERT
	KAM_TLS_CERT=$P/$1.pem
	KAM_TLS_KEY=$P/$1.key
	export KAM_TLS_CERT KAM_TLS_KEY
	kam_start "alice:pa" "bob:pb" || bail "cannot start kamailio with $1"
}

# phone NAME [EXTRA [SIP]]: a TLS account with a TLS listener of its own
phone() {
	write_conf "$T/$1.conf" <<EOF
[sip]
listen = 127.0.0.1:0
tls_listen = 127.0.0.1:0
tls_ca_file = $P/ca.pem
tls_cert_file = $P/phone.pem
tls_key_file = $P/phone.key
${3:-}
[audio]
driver = file
input = $T/$1-tone.wav
output = $T/$1-out.wav
[account $1]
uri = sip:$1@127.0.0.1
registrar = sip:127.0.0.1:$KAM_TLS_PORT
transport = tls
password = p$(printf %.1s "$1")
srtp = mandatory
${2:-}
EOF
	tsp_start "$1" "$T/$1.conf" --trace
}

# --- a good server: register, call, hear each other
start_kam server
phone alice
phone bob
ok "alice registers over TLS" tsp_wait alice '"state":"registered"' 5
ok "bob registers over TLS" tsp_wait bob '"state":"registered"' 5
ok "the REGISTERs came over TLS" grep -q 'REGISTER .*src=tls:127.0.0.1' "$KAM_LOG"
tsp_cmd alice "dial bob"
ok "bob rings" tsp_wait bob '"event":"call".*"state":"incoming"' 5
tsp_cmd bob "answer"
ok "the call is up" tsp_wait alice '"event":"call".*"state":"established"' 5
line=$(grep '"event":"media"' "$T/alice.out" | tail -n 1)
is "$(json_get "$line" srtp)" true "media is SRTP"
ok "2.5 s of the call recorded on both sides" \
    wav_recorded 2.5 "$T/bob-out.wav" "$T/alice-out.wav"
tsp_cmd alice "hangup"
ok "the call ends" tsp_wait bob '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit alice)" 0 "alice quits"
is "$(tsp_quit bob)" 0 "bob quits"
ok "bob heard alice (TLS + SRTP)" \
    "$TONECHECK" "$T/bob-out.wav" 1000 --from 0.5 --to 2.2 --min-fraction 0.8
ok "alice heard bob (TLS + SRTP)" \
    "$TONECHECK" "$T/alice-out.wav" 1500 --from 0.6 --to 2.2 --min-fraction 0.8
ok "INVITE went over TLS" grep -q 'send .* to tls/' "$T/alice.log"
ok "no SIP over UDP from alice" sh -c "! grep -q 'send .* to udp/' '$T/alice.log'"
ok "no digest response or key in alice's trace" \
    sh -c "! grep -E 'response=\"[0-9a-f]{32}\"|inline:[A-Za-z0-9+/]{20,}' '$T/alice.log'"
kam_stop

# --- bad servers: refused at once, with the reason
bad() {	# CERT REGEX WHAT
	start_kam "$1"
	phone alice
	start=$(date +%s)
	line=$(tsp_wait alice '"state":"failed"' 5)
	ok "$3: refused within 5 s" test -n "$line"
	like "$(json_get "$line" reason)" "$2" "$3: reason says so"
	ok "$3: the phone keeps running" tsp_running alice
	is "$(tsp_quit alice)" 0 "$3: quit exits 0"
	is "$(kam_contacts alice)" 0 "$3: nothing registered"
	ok "$3: quit was quick" test $(( $(date +%s) - start )) -le 8
	kam_stop
}
bad wrong 'does not match host 127\.0\.0\.1' "certificate for another host"
bad expired 'expired' "expired certificate"
bad self 'self-signed' "self-signed certificate"

# --- tls_verify = no: the explicit, warned opt-out
start_kam self
phone alice "" "tls_verify = no"
ok "tls_verify = no registers with a self-signed server" \
    tsp_wait alice '"state":"registered"' 5
like "$(grep 'NOT' "$T/alice.out" | head -n 1)" 'not checked|NOT' "and warns about it"
is "$(tsp_quit alice)" 0 "quit exits 0"

# --- config checks for TLS files
write_conf "$T/badtls.conf" <<EOF
[sip]
tls_cert_file = $P/phone.pem
tls_ca_file = $T/missing.pem
[account a]
uri = sip:a@127.0.0.1
register = no
EOF
"$TSPHONE" --check-config -f "$T/badtls.conf" >/dev/null 2>"$T/err"
is "$?" 2 "bad TLS settings are a config error"
like "$(cat "$T/err")" 'tls_ca_file: cannot read' "a missing CA file is named"
like "$(cat "$T/err")" 'tls_cert_file and tls_key_file go together' "a cert needs its key"
chmod 644 "$P/phone.key"
write_conf "$T/openkey.conf" <<EOF
[sip]
tls_cert_file = $P/phone.pem
tls_key_file = $P/phone.key
[account a]
uri = sip:a@127.0.0.1
register = no
EOF
"$TSPHONE" --check-config -f "$T/openkey.conf" >/dev/null 2>"$T/err"
is "$?" 2 "a private key others can read is refused"
like "$(cat "$T/err")" 'chmod 600' "with the fix"
done_testing
