# tests/nat-lib.sh - a real NAT for the tsphone tests, built from Linux
# network namespaces. Sourced after tests/lib.sh (POSIX sh).
#
#     home (phones)           router                  internet
#   192.168.1.10 ---- 192.168.1.1 | 203.0.113.1 ---- 203.0.113.10
#                          MASQUERADE               Kamailio, coturn,
#                                                   peers (tsphone, SIPp,
#                                                   baresip)
#
# The router masquerades what home sends out (plain MASQUERADE: the
# source port is kept while it is free, so one home socket shows the
# same public port to every peer) and drops every new connection from
# the internet: only answers to what home sent get in, from the address
# and port home sent to (a port-restricted cone NAT, the common home
# router). Its UDP bindings last NAT_UDP_TIMEOUT seconds (both
# nf_conntrack_udp_timeout and _stream, which are per namespace), so a
# quiet binding is forgotten, as a home router forgets it.
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/nat-lib.sh"
#   require_kamailio; require_tsphone
#   tmpdir_init
#   nat_setup 30                         # or skip_all: not root, no netns
#   nat_kam_start alice:pa bob:pb        # Kamailio on $NAT_INET_ADDR
#   nat_tsp_start home alice "$T/alice.conf"
#   nat_tsp_start inet bob "$T/bob.conf"
#   nat_exec router iptables -t nat -L -n -v
#
# Each run has namespaces and interfaces of its own (names from the
# test's pid and a random number), so tests can run side by side; the
# addresses are the same in every run, since nothing is routed between
# runs or to the host. lib.sh's exit trap stops the processes first and
# then deletes the namespaces (at_exit), which removes their interfaces,
# rules and bindings with them. Nothing here touches the host's own
# network namespace.
#
# Variables set by nat_setup (exported): NAT_NS_HOME, NAT_NS_ROUTER,
# NAT_NS_INET (namespace names), NAT_HOME_ADDR, NAT_ROUTER_LAN,
# NAT_PUBLIC_ADDR (the router's internet address, which peers see),
# NAT_INET_ADDR (the internet host: servers and peers), NAT_UDP_TIMEOUT.
# nat_stun_start sets NAT_STUN (ADDR:PORT).

NAT_HOME_ADDR=192.168.1.10
NAT_ROUTER_LAN=192.168.1.1
NAT_PUBLIC_ADDR=203.0.113.1
NAT_INET_ADDR=203.0.113.10
NAT_NS_HOME='' NAT_NS_ROUTER='' NAT_NS_INET=''
NAT_STUN=

# nat_require: skip the whole script unless network namespaces, veth
# pairs, iptables' MASQUERADE and conntrack work here (root is needed).
nat_require() {
	[ "$(id -u)" = 0 ] || skip_all "the NAT tests need root (network namespaces)"
	_lib_find IP_BIN ip || skip_all "ip not found (Debian package iproute2)"
	_lib_find IPTABLES iptables || skip_all "iptables not found (Debian package iptables)"
	_nr_ns=tsnq$$
	"$IP_BIN" netns add "$_nr_ns" 2>"$T/.nat-probe" ||
		skip_all "cannot create a network namespace: $(head -n 1 "$T/.nat-probe")"
	_nr_ok=1 _nr_why=
	if ! "$IP_BIN" netns exec "$_nr_ns" "$IPTABLES" -t nat -A POSTROUTING \
	    -o lo -j MASQUERADE 2>"$T/.nat-probe"; then
		_nr_ok='' _nr_why="iptables MASQUERADE fails: $(head -n 1 "$T/.nat-probe")"
	elif ! "$IP_BIN" netns exec "$_nr_ns" sh -c \
	    'test -w /proc/sys/net/netfilter/nf_conntrack_udp_timeout'; then
		_nr_ok='' _nr_why="no per-namespace nf_conntrack_udp_timeout"
	fi
	"$IP_BIN" netns del "$_nr_ns"
	[ -n "$_nr_ok" ] || skip_all "$_nr_why"
}

# nat_setup [UDP_TIMEOUT_S]: build the topology (default timeout 30 s);
# skip the whole script when it cannot be built here.
nat_setup() {
	tmpdir_init
	nat_require
	NAT_UDP_TIMEOUT=${1:-30}
	_ns_id=$(( $$ % 100000 ))$(( $(_lib_rand16) % 100 ))
	NAT_NS_HOME=tsn${_ns_id}h
	NAT_NS_ROUTER=tsn${_ns_id}r
	NAT_NS_INET=tsn${_ns_id}i
	export NAT_NS_HOME NAT_NS_ROUTER NAT_NS_INET NAT_HOME_ADDR \
	    NAT_ROUTER_LAN NAT_PUBLIC_ADDR NAT_INET_ADDR NAT_UDP_TIMEOUT
	for _ns_n in "$NAT_NS_HOME" "$NAT_NS_ROUTER" "$NAT_NS_INET"; do
		"$IP_BIN" netns add "$_ns_n" || bail "cannot create namespace $_ns_n"
		at_exit "'$IP_BIN' netns del '$_ns_n'"
		"$IP_BIN" -n "$_ns_n" link set lo up || bail "no lo in $_ns_n"
	done
	# veth pairs, created in the router and moved to the ends (interface
	# names: at most 15 characters, unique to this run)
	_ns_hl=tsn${_ns_id}hl _ns_rl=tsn${_ns_id}rl
	_ns_rw=tsn${_ns_id}rw _ns_iw=tsn${_ns_id}iw
	nat_exec router "$IP_BIN" link add "$_ns_rl" type veth peer name "$_ns_hl" &&
	nat_exec router "$IP_BIN" link set "$_ns_hl" netns "$NAT_NS_HOME" &&
	nat_exec router "$IP_BIN" link add "$_ns_rw" type veth peer name "$_ns_iw" &&
	nat_exec router "$IP_BIN" link set "$_ns_iw" netns "$NAT_NS_INET" ||
		bail "cannot create the veth pairs"
	NAT_IF_WAN=$_ns_rw NAT_IF_LAN=$_ns_rl
	export NAT_IF_WAN NAT_IF_LAN
	_nat_sh home "
		ip addr add $NAT_HOME_ADDR/24 dev $_ns_hl &&
		ip link set $_ns_hl up &&
		ip route add default via $NAT_ROUTER_LAN" &&
	_nat_sh inet "
		ip addr add $NAT_INET_ADDR/24 dev $_ns_iw &&
		ip link set $_ns_iw up" &&
	# The router drops unsolicited packets to itself, as a home router's
	# firewall does. Accepted, a peer's first RTP packet that beats ours
	# leaves a conntrack entry for the router itself on our public port,
	# and our own flow is then masqueraded to another port: the port
	# STUN found no longer reaches us.
	_nat_sh router "
		ip addr add $NAT_ROUTER_LAN/24 dev $_ns_rl &&
		ip addr add $NAT_PUBLIC_ADDR/24 dev $_ns_rw &&
		ip link set $_ns_rl up && ip link set $_ns_rw up &&
		sysctl -qw net.ipv4.ip_forward=1 &&
		'$IPTABLES' -t nat -A POSTROUTING -o $_ns_rw -j MASQUERADE &&
		'$IPTABLES' -P FORWARD DROP &&
		'$IPTABLES' -A FORWARD -i $_ns_rl -o $_ns_rw -j ACCEPT &&
		'$IPTABLES' -A FORWARD -i $_ns_rw -o $_ns_rl \
			-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
		'$IPTABLES' -A INPUT -i $_ns_rw \
			-m conntrack --ctstate NEW -j DROP" ||
		bail "cannot configure the NAT topology"
	nat_udp_timeout "$NAT_UDP_TIMEOUT" || bail "cannot set the conntrack timeouts"
	diag "NAT: home $NAT_HOME_ADDR -> router $NAT_PUBLIC_ADDR ->" \
	    "internet $NAT_INET_ADDR (namespaces $NAT_NS_HOME $NAT_NS_ROUTER" \
	    "$NAT_NS_INET; UDP bindings last ${NAT_UDP_TIMEOUT} s)"
}

_nat_ns() {	# home|router|inet|NAMESPACE: the namespace's name
	case $1 in
	home) printf '%s\n' "$NAT_NS_HOME" ;;
	router) printf '%s\n' "$NAT_NS_ROUTER" ;;
	inet) printf '%s\n' "$NAT_NS_INET" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

_nat_sh() {	# WHERE SCRIPT: run a shell script in a namespace
	nat_exec "$1" sh -ec "$2"
}

# nat_exec WHERE CMD [ARGS...]: run CMD in namespace WHERE (home,
# router, inet) and return its status.
nat_exec() {
	_ne_ns=$(_nat_ns "$1")
	shift
	"$IP_BIN" netns exec "$_ne_ns" "$@"
}

# nat_wrapper WHERE: the words that run a command in namespace WHERE
# (for the *_WRAPPER variables of lib.sh).
nat_wrapper() {
	printf '%s netns exec %s\n' "$IP_BIN" "$(_nat_ns "$1")"
}

# nat_udp_timeout SECONDS: how long the router keeps a quiet UDP binding
# (both the one-way and the "stream" timeout: a SIP or RTP flow that had
# answers is a stream). Applies to bindings made or refreshed after it.
nat_udp_timeout() {
	NAT_UDP_TIMEOUT=$1
	_nat_sh router "
		sysctl -qw net.netfilter.nf_conntrack_udp_timeout=$1
		sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream=$1"
}

# nat_readdress ADDR: the router gets another internet address, as after
# a DHCP lease or a reconnection: the old one is removed, which drops
# every binding masqueraded to it (the kernel does that on the address
# change), so home's next packets leave from ADDR. Peers and servers keep
# the old address until home tells them. Sets NAT_PUBLIC_ADDR.
nat_readdress() {
	# (the new address is added first: removing the primary address
	# of a subnet would take the secondary ones with it, but for
	# promote_secondaries)
	_nat_sh router "
		sysctl -qw net.ipv4.conf.$NAT_IF_WAN.promote_secondaries=1
		ip addr add $1/24 dev $NAT_IF_WAN
		ip addr del $NAT_PUBLIC_ADDR/24 dev $NAT_IF_WAN" || return 1
	NAT_PUBLIC_ADDR=$1
	export NAT_PUBLIC_ADDR
}

# nat_bindings: print the router's UDP bindings (conntrack entries, from
# /proc/net/nf_conntrack of its namespace) one a line.
nat_bindings() {
	nat_exec router sh -c 'cat /proc/net/nf_conntrack 2>/dev/null' |
		grep -w udp || true
}

# nat_binding PORT: true while the router holds a UDP binding whose
# public side is PORT on its internet address (what a peer on the
# internet must send to, to reach home through it).
nat_binding() {
	nat_bindings | grep -q -- "dst=$NAT_PUBLIC_ADDR sport=[0-9]* dport=$1 "
}

# nat_binding_from PORT: true while the router holds a UDP binding for
# what home sends from PORT (on NAT_HOME_ADDR), whatever its public port.
nat_binding_from() {
	nat_bindings | grep -q -- "src=$NAT_HOME_ADDR dst=[0-9.]* sport=$1 "
}

# nat_no_binding PORT: the opposite of nat_binding, for wait_until.
nat_no_binding() {
	! nat_binding "$1"
}

# nat_kam_start USER:PASS...: kam_start in the internet namespace, on
# NAT_INET_ADDR, relaying to the internet side only (KAM_URI and
# KAM_HOSTPORT name that address).
nat_kam_start() {
	KAM_ADDR=$NAT_INET_ADDR
	KAM_NEXTHOP='^203\.0\.113\.[0-9]+$'
	KAM_WRAPPER=$(nat_wrapper inet)
	export KAM_ADDR KAM_NEXTHOP KAM_WRAPPER
	kam_start "$@"
}

# nat_tsp_start WHERE NAME CONFIG [ARGS...]: tsp_start in a namespace
# (the config's [sip] listen should name that namespace's address).
nat_tsp_start() {
	_nts_w=${TSPHONE_WRAPPER:-}
	TSPHONE_WRAPPER="$(nat_wrapper "$1") $_nts_w"
	shift
	tsp_start "$@"
	TSPHONE_WRAPPER=$_nts_w
}

# nat_sipp_start WHERE NAME SCENARIO TARGET [SIPP ARGS...]: sipp_start
# in a namespace, bound to its address (TARGET: that address:PORT).
nat_sipp_start() {
	_nss_w=${SIPP_WRAPPER:-} _nss_i=${SIPP_IP:-}
	case $1 in
	home) SIPP_IP=$NAT_HOME_ADDR ;;
	inet) SIPP_IP=$NAT_INET_ADDR ;;
	*) bail "nat_sipp_start: home or inet, not '$1'" ;;
	esac
	SIPP_WRAPPER=$(nat_wrapper "$1")
	shift
	sipp_start "$@"
	_nss_rc=$?
	SIPP_WRAPPER=$_nss_w SIPP_IP=$_nss_i
	return "$_nss_rc"
}

# nat_bs_start WHERE NAME INPUT OUTPUT ACCOUNT-LINE: bs_start (from
# tests/baresip-lib.sh, sourced and bs_setup done) in a namespace.
nat_bs_start() {
	_nbs_w=${BS_WRAPPER:-} _nbs_a=${BS_ADDR:-}
	case $1 in
	home) BS_ADDR=$NAT_HOME_ADDR ;;
	inet) BS_ADDR=$NAT_INET_ADDR ;;
	*) bail "nat_bs_start: home or inet, not '$1'" ;;
	esac
	BS_WRAPPER=$(nat_wrapper "$1")
	shift
	bs_start "$@"
	BS_WRAPPER=$_nbs_w BS_ADDR=$_nbs_a
}

# nat_stun_start: coturn's turnserver as a plain STUN server (no TURN,
# no authentication, no TLS) in the internet namespace, on a free port
# of NAT_INET_ADDR; sets NAT_STUN (ADDR:PORT). Skips the whole script if
# coturn is not installed.
nat_stun_start() {
	_lib_find TURNSERVER turnserver || skip_all "turnserver not found (Debian package coturn)"
	_nst_port=$(free_port) || bail "no free port"
	add_log coturn "$T/coturn.log"
	# shellcheck disable=SC2046
	_lib_spawn coturn /dev/null "$T/coturn.log" '&1' \
	    $(nat_wrapper inet) "$TURNSERVER" -n --stun-only --no-cli \
	    --no-tls --no-dtls --listening-ip="$NAT_INET_ADDR" \
	    --listening-port="$_nst_port" --pidfile="$T/coturn.pid" \
	    --log-file=stdout --simple-log --no-software-attribute ||
		bail "cannot spawn turnserver"
	NAT_STUN=$NAT_INET_ADDR:$_nst_port
	export NAT_STUN
	wait_until 5 _nat_udp_bound inet "$_nst_port" ||
		bail "turnserver did not bind $NAT_STUN"
}

_nat_udp_bound() {	# WHERE PORT: a UDP socket is bound to PORT there
	_nub_hex=$(printf '%04X' "$2")
	nat_exec "$1" cat /proc/net/udp | awk -v h="$_nub_hex" '
		NR > 1 { n = split($2, a, ":"); if (toupper(a[n]) == h) f = 1 }
		END { exit !f }'
}
