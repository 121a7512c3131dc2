#!/bin/sh
# DNS (RFC 3263) and DNS outages, in a private network and mount
# namespace (unshare -mn): only loopback exists, and /etc/resolv.conf and
# /etc/hosts are private files bind-mounted over the real ones, so the
# test's DNS server is a dnsmasq of its own on 127.0.0.1:53.
#
#  - SRV: a domain whose _sip._udp SRV names another host and a
#    non-default port is registered to there; NAPTR is followed too;
#  - /etc/hosts names a PBX (registers, also with no DNS reachable);
#  - no DNS server reachable (no route to it): the account fails within
#    5 s saying so, an IP-literal account still registers and calls, the
#    phone stays idle (CPU, log size), a call by name fails with the
#    reason, and quit exits 0;
#  - a silent DNS server: the attempt fails within our bounded timeout;
#  - resolv.conf switched under a running phone: the next attempt works.
. "$(dirname "$0")/lib.sh"
require_kamailio
require_tsphone
UDPSINK=$(dirname "$TSPHONE")/tests/tools/udpsink
[ -x "$UDPSINK" ] || bail "test tool not built: $UDPSINK"

_lib_find DNSMASQ dnsmasq || skip_all "dnsmasq not found (Debian package dnsmasq-base)"
if [ -z "${TSP_DNS_NS:-}" ]; then
	unshare -mn sh -c 'ip link set lo up && mount --bind /dev/null /etc/hosts' \
	    >/dev/null 2>&1 ||
		skip_all "needs unshare -mn, ip and mount --bind (root)"
	TSP_DNS_NS=1 exec unshare -mn sh "$0" "$@"
fi
ip link set lo up || bail "cannot bring up lo in the namespace"
tmpdir_init

# The namespace's resolver files.
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:5\n' >"$T/resolv.conf"
{ cat /etc/hosts; printf '127.0.0.1 pbx-hosts.test\n'; } >"$T/hosts"
mount --bind "$T/resolv.conf" /etc/resolv.conf || bail "cannot bind-mount resolv.conf"
mount --bind "$T/hosts" /etc/hosts || bail "cannot bind-mount hosts"
# reg_wait NAME ACCOUNT STATE [TIMEOUT_S]: wait for ACCOUNT's
# registration event with STATE, whatever the tsp_wait cursor; print it.
reg_wait() {
	_rw_re="\"event\":\"registration\",\"account\":\"$2\",\"state\":\"$3\""
	wait_until "${4:-5}" _reg_seen "$1" "$_rw_re" || return 1
	grep -E "$_rw_re" "$T/$1.out" | head -n 1
}
_reg_seen() { [ "$(tsp_count "$1" "$2")" -gt 0 ]; }
use_resolv() {	# use_resolv NAMESERVER: rewrite resolv.conf in place
	printf 'nameserver %s\noptions timeout:30 attempts:5\n' "$1" >"$T/resolv.conf"
}

kam_start "alice:pw-a" "bob:pw-b" "carol:pw-c" "dave:pw-d" "erin:pw-e" ||
	bail "cannot start kamailio"

# dnsmasq: srv.test has only an SRV (to pbx2.test on Kamailio's port);
# naptr.test has a NAPTR to an SRV; nothing else under .test exists.
add_log dnsmasq "$T/dnsmasq.log"
_lib_spawn dnsmasq /dev/null "$T/dnsmasq.log" '&1' "$DNSMASQ" \
	--keep-in-foreground --no-resolv --no-hosts --no-poll \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 \
	--pid-file="$T/dnsmasq.pid" --user=root --group=root \
	--log-queries --log-facility=- --local=/test/ \
	--host-record=pbx2.test,127.0.0.1 \
	--srv-host="_sip._udp.srv.test,pbx2.test,$KAM_PORT,0,0" \
	--naptr-record="naptr.test,10,10,S,SIP+D2U,,_sip._udp.far.test" \
	--srv-host="_sip._udp.far.test,pbx2.test,$KAM_PORT,0,0" ||
	bail "cannot start dnsmasq"
ok "dnsmasq answers" wait_until 5 getent hosts pbx2.test
[ "$KAM_PORT" != 5060 ] || bail "Kamailio on 5060: the SRV port would prove nothing"

# ------------------------------------------------ SRV, NAPTR, hosts file
write_conf "$T/a.conf" <<EOF
[sip]
listen = 127.0.0.1:0

[audio]
driver = null

[account alice]
uri = sip:alice@srv.test
password = pw-a

[account bob]
uri = sip:bob@naptr.test
password = pw-b

[account carol]
uri = sip:carol@pbx-hosts.test
registrar = sip:pbx-hosts.test:$KAM_PORT
password = pw-c
EOF
tsp_start a "$T/a.conf" --trace
line=$(reg_wait a alice registered)
ok "SRV: sip:srv.test is registered at pbx2.test:$KAM_PORT" test -n "$line"
is "$(kam_contacts alice)" 1 "Kamailio has alice's binding"
ok "the REGISTER keeps the Request-URI as written" grep -q 'REGISTER sip:srv.test SIP/2.0' "$T/a.log"
ok "and its Route names the address found" \
    grep -q "Route: <sip:127.0.0.1:$KAM_PORT;transport=udp;lr>" "$T/a.log"
line=$(reg_wait a bob registered)
ok "NAPTR: sip:naptr.test is registered through NAPTR and SRV" test -n "$line"
line=$(reg_wait a carol registered)
ok "/etc/hosts: pbx-hosts.test is registered" test -n "$line"
ok "dnsmasq was asked for NAPTR of naptr.test" grep -q 'query\[NAPTR\] naptr.test' "$T/dnsmasq.log"
ok "dnsmasq was never asked about pbx-hosts.test" sh -c "! grep -q 'pbx-hosts.test' '$T/dnsmasq.log'"

# A call by name: alice dials bob@srv.test (Kamailio found by SRV), and
# bob (registered from this same phone) rings.
tsp_cmd a "dial sip:bob@srv.test alice"
line=$(tsp_wait a '"event":"call".*"state":"incoming"' 5)
ok "a call to a name found by SRV arrives" test -n "$line"
ok "the INVITE keeps the Request-URI as written" grep -q 'INVITE sip:bob@srv.test SIP/2.0' "$T/a.log"
tsp_cmd a "reject"
ok "the call ends" tsp_wait a '"event":"call".*"state":"terminated"' 5
is "$(tsp_quit a)" 0 "quit exits 0"

# ----------------------------------------------- no DNS server reachable
use_resolv 192.0.2.1
ok "no route to 192.0.2.1 in the namespace" sh -c '! getent ahosts pbx2.test'

write_conf "$T/b.conf" <<EOF
[sip]
listen = 127.0.0.1:0

[audio]
driver = null

[account dave]
uri = sip:dave@srv.test
password = pw-d

[account erin]
uri = sip:erin@127.0.0.1
registrar = $KAM_URI
password = pw-e

[account carol]
uri = sip:carol@pbx-hosts.test
registrar = sip:pbx-hosts.test:$KAM_PORT
password = pw-c
EOF
t0=$(_lib_now_ms)
tsp_start b "$T/b.conf"
line=$(reg_wait b dave failed)
t1=$(_lib_now_ms)
ok "unreachable DNS: the attempt fails within 5 s ($((t1 - t0)) ms)" test -n "$line"
like "$(json_get "$line" reason)" 'cannot resolve srv.test: no DNS server reachable' \
    "with a plain reason"
line=$(reg_wait b erin registered)
ok "the IP-literal account registers meanwhile" test -n "$line"
line=$(reg_wait b carol registered)
ok "a PBX in /etc/hosts registers with no DNS at all" test -n "$line"

# Calls: by name from dave fails with the reason; erin calls carol (on
# this same phone) through Kamailio by its address.
tsp_cmd b "dial sip:alice@srv.test dave"
line=$(tsp_wait b '"event":"call".*"state":"terminated"' 5)
ok "a call by name ends within 5 s" test -n "$line"
like "$(json_get "$line" reason)" 'cannot resolve srv.test: no DNS server reachable' \
    "saying why"
tsp_cmd b "dial sip:carol@127.0.0.1 erin"
line=$(tsp_wait b '"event":"call".*"state":"incoming"' 5)
ok "the IP-literal account still calls (the callee rings)" test -n "$line"
tsp_cmd b "answer"
ok "and the call is established" tsp_wait b '"event":"call".*"state":"established"' 5
tsp_cmd b "hangup"
ok "and ends" tsp_wait b '"event":"call".*"state":"terminated"' 5

# Idle while the outage lasts: CPU time over 3 s (the account retries
# meanwhile), and the log stays small.
pid=$(tsp_pid b)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
c0=$(cpu_ticks)
w0=$(_lib_now_ms)
tsp_wait b '"account":"dave".*"state":"failed"' 8 >/dev/null
sleep 1
c1=$(cpu_ticks)
w1=$(_lib_now_ms)
hz=$(getconf CLK_TCK)
pct=$(( (c1 - c0) * 1000 * 100 / hz / (w1 - w0) ))
ok "CPU under 5 % during the outage (${pct} % over $((w1 - w0)) ms)" test "$pct" -lt 5
size=$(wc -c <"$T/b.log")
ok "log under 1 MB ($size bytes)" test "$size" -lt 1048576
ok "no resolver loop in the log" sh -c "! grep -q 'sres_server_socket' '$T/b.log'"

# resolv.conf changes under the running phone: the next attempt works.
use_resolv 127.0.0.1
line=$(reg_wait b dave registered 20)
ok "after resolv.conf changes, the retry registers" test -n "$line"
is "$(tsp_quit b)" 0 "quit exits 0"

# quit during the outage
use_resolv 192.0.2.1
write_conf "$T/c.conf" <<EOF
[sip]
listen = 127.0.0.1:0

[audio]
driver = null

[account dave]
uri = sip:dave@srv.test
password = pw-d
EOF
tsp_start c "$T/c.conf"
ok "outage: the account fails" tsp_wait c '"account":"dave".*"state":"failed"' 5
t0=$(_lib_now_ms)
is "$(tsp_quit c)" 0 "quit during the outage exits 0"
t1=$(_lib_now_ms)
ok "within 3 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 3000

# ------------------------------------------------ a silent DNS server
_lib_spawn sink /dev/null "$T/sink.out" "$T/sink.err" "$UDPSINK" 127.0.0.2 53 ||
	bail "cannot start udpsink"
add_log udpsink "$T/sink.err"
use_resolv 127.0.0.2
t0=$(_lib_now_ms)
tsp_start c "$T/c.conf"
line=$(tsp_wait c '"account":"dave".*"state":"failed"' 15)
t1=$(_lib_now_ms)
ok "silent DNS server: the attempt fails within 15 s ($((t1 - t0)) ms)" test -n "$line"
like "$(json_get "$line" reason)" 'cannot resolve srv.test: no answer from the DNS server' \
    "saying the server did not answer"
ok "the server was asked" test -s "$T/sink.out"
is "$(tsp_quit c)" 0 "quit exits 0"
done_testing
