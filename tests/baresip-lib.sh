# tests/baresip-lib.sh - baresip 1.0 as a peer, for tests/baresip.sh and
# bench/audio-bench.sh. Sourced after tests/lib.sh (POSIX sh).
#
# baresip 1.0 has a WAV source (aufile) but no WAV player, so each
# instance gets a virtual sound card instead: bench/alsa-benchcard.c, an
# ALSA plugin used through baresip's alsa module, which plays a WAV as the
# microphone and records the speaker to a WAV, both on one clock. It is
# driven through its ctrl_tcp module; bench/ctrl-bridge.c turns the
# module's netstrings into lines.
#
#   bs_setup skip_all          # or bail: what to do when a part is missing
#   bs_start bob "$T/in.wav" "$T/bob.wav" "<sip:bob@$KAM_HOSTPORT>;auth_pass=pb"
#   kam_wait_contacts bob 1 5
#   bs_cmd bob dial "sip:alice@$KAM_HOSTPORT"
#   bs_wait bob CALL_ESTABLISHED 10
#   bs_stop bob
#
# Tunables: BARESIP (baresip in PATH), BARESIP_MODULES
# (/usr/lib/baresip/modules), CC (cc); BS_CONFIG: lines added to each
# instance's config (e.g. Opus settings); BS_ADDR, the address it uses
# for SIP and RTP (127.0.0.1), and BS_WRAPPER, words put before baresip
# and its control bridge (tests/nat-lib.sh: "ip netns exec NS").

BARESIP=${BARESIP:-$(command -v baresip 2>/dev/null)}
BARESIP_MODULES=${BARESIP_MODULES:-/usr/lib/baresip/modules}
BS_CONFIG=${BS_CONFIG:-}

# bs_setup FAIL: check that baresip, its modules, a C compiler and the
# ALSA headers are there, and build the helpers into $T; if something is
# missing call FAIL (skip_all or bail) with the reason.
bs_setup() {
	tmpdir_init
	[ -n "$BARESIP" ] && [ -x "$BARESIP" ] ||
		"$1" "baresip not found (Debian package baresip-core, or set BARESIP)"
	for _bsu_m in alsa ctrl_tcp menu account g711 opus; do
		[ -f "$BARESIP_MODULES/$_bsu_m.so" ] ||
			"$1" "baresip module $_bsu_m.so not in $BARESIP_MODULES (set BARESIP_MODULES)"
	done
	CC=${CC:-cc}
	command -v "${CC%% *}" >/dev/null 2>&1 || "$1" "a C compiler is needed (set CC)"
	# shellcheck disable=SC2086 # CC may hold options
	$CC -O2 -o "$T/ctrl-bridge" "$TOP_SRCDIR/bench/ctrl-bridge.c" 2>"$T/cc.log" ||
		"$1" "cannot build bench/ctrl-bridge.c: $(head -n 3 "$T/cc.log")"
	# shellcheck disable=SC2086
	$CC -O2 -shared -fPIC -DPIC -o "$T/libasound_module_pcm_benchcard.so" \
	    "$TOP_SRCDIR/bench/alsa-benchcard.c" -lasound -lm 2>>"$T/cc.log" ||
		"$1" "cannot build the ALSA bench card (ALSA headers missing? Debian package libasound2-dev): $(grep -m 1 error "$T/cc.log")"
}

# Each instance NAME has a config directory $T/bs-NAME (config, accounts,
# the ALSA configuration naming its bench card), runs as spawned process
# "bs-NAME" with its log in $T/bs-NAME.log, and is driven through a
# ctrl-bridge ("bsc-NAME") whose stdin is the FIFO $T/bs-NAME.in (held open
# as tsp_start does) and whose output, one JSON message a line, is
# $T/bs-NAME.out. ctrl_tcp sends events only to a connected client, so
# what happens before the bridge connects (the registration) is checked
# at Kamailio instead. The spawning and stopping are lib.sh's own, so that
# its exit trap ends them all.

# bs_start NAME INPUT OUTPUT ACCOUNT-LINE: INPUT a mono 16-bit 48 kHz WAV
# (looped), OUTPUT the recording (one per process: a second call's audio
# goes on at its own time in the same file).
bs_start() {
	_bs_dir=$T/bs-$1
	mkdir -p "$_bs_dir" "$T/no-sounds"
	_bs_sip=$(free_port) || bail "no free port"
	_bs_ctrl=$(free_port) || bail "no free port"
	cat >"$_bs_dir/asound.conf" <<EOF
pcm_type.benchcard { lib "$T/libasound_module_pcm_benchcard.so" }
pcm.bench { type benchcard input "$2" output "$3" }
EOF
	# the example configuration of baresip 1.0, cut to what is used;
	# statmode off (it would print the call status 10 times a second)
	cat >"$_bs_dir/config" <<EOF
poll_method		epoll
sip_listen		${BS_ADDR:-127.0.0.1}:$_bs_sip
net_interface		${BS_ADDR:-127.0.0.1}
call_local_timeout	120
call_max_calls		4
audio_path		$T/no-sounds
audio_player		alsa,bench
audio_source		alsa,bench
audio_alert		alsa,none
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		1
auplay_channels		1
ausrc_format		s16
auplay_format		s16
auenc_format		s16
audec_format		s16
rtcp_mux		no
module_path		$BARESIP_MODULES
module			opus.so
module			g711.so
module			alsa.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$_bs_ctrl
opus_stereo		no
opus_sprop_stereo	no
ringback_disabled	yes
statmode_default	off
$BS_CONFIG
EOF
	printf '%s\n' "$4" >"$_bs_dir/accounts"
	: >"$_bs_dir.out"
	add_log "baresip-$1" "$_bs_dir.log"
	add_log "baresip-$1.ctrl" "$_bs_dir.out"
	# shellcheck disable=SC2086 # BS_WRAPPER is a word list
	_lib_spawn "bs-$1" /dev/null "$_bs_dir.log" '&1' \
	    ${BS_WRAPPER:-} env ALSA_CONFIG_PATH="$_bs_dir/asound.conf" \
	    "$BARESIP" -f "$_bs_dir" || bail "cannot spawn baresip"
	rm -f "$_bs_dir.in"
	mkfifo "$_bs_dir.in" || bail "mkfifo failed"
	# shellcheck disable=SC2086
	_lib_spawn "bsc-$1" "$_bs_dir.in" "$_bs_dir.out" "$_bs_dir.bridge" \
	    ${BS_WRAPPER:-} "$T/ctrl-bridge" "$_bs_ctrl" 5000 || bail "cannot spawn ctrl-bridge"
	_lib_spawn "bsh-$1" "rw:$_bs_dir.in" /dev/null /dev/null \
	    sleep 86400 || bail "cannot spawn the FIFO holder"
}

bs_pid() { _lib_pid "bs-$1"; }

bs_cmd() {	# NAME COMMAND [PARAMS]
	printf '{"command":"%s"%s,"token":"t"}\n' "$2" \
	    "${3:+,\"params\":\"$3\"}" >"$T/bs-$1.in"
}

# bs_lines NAME: how many messages NAME's ctrl_tcp has sent so far.
bs_lines() {
	wc -l <"$T/bs-$1.out" | tr -d ' '
}

_bs_has() {	# NAME TYPE FROM
	awk -v from="$3" -v t="\"type\":\"$2\"" 'NR > from && index($0, t) { f = 1; exit }
		END { exit !f }' "$T/bs-$1.out"
}

# bs_wait NAME EVENT-TYPE TIMEOUT_S [FROM]: wait for an event of that type
# after message FROM (default 0: any); on timeout show the log's tail.
bs_wait() {
	wait_until "$3" _bs_has "$1" "$2" "${4:-0}" && return 0
	note "baresip $1: no $2 within $3 s; its log:"
	tail -n 15 "$T/bs-$1.log" | sed 's/^/#   /' >&2
	return 1
}

# bs_count NAME EVENT-TYPE: how many such events NAME has sent so far.
bs_count() {
	grep -c "\"type\":\"$2\"" "$T/bs-$1.out"
}

# bs_params NAME EVENT-TYPE [FROM]: the "param" of each such event after
# message FROM, in order, on one line ("1234" for CALL_DTMF_START).
bs_params() {
	awk -v from="${3:-0}" -v t="\"type\":\"$2\"" '
		NR > from && index($0, t) && match($0, /"param":"[^"]*"/) {
			printf "%s", substr($0, RSTART + 9, RLENGTH - 10)
		}
		END { print "" }' "$T/bs-$1.out"
}

bs_stop() {	# NAME: quit, then TERM/KILL if it lingers
	_lib_running "bs-$1" && bs_cmd "$1" quit
	wait_until 5 _lib_not_running "bs-$1" >/dev/null
	_lib_stop "bs-$1" 3 >/dev/null
	_lib_stop "bsh-$1" 2 >/dev/null
	_lib_stop "bsc-$1" 2 >/dev/null
}

bs_codec() {	# CODEC: baresip's name for it
	case $1 in opus) echo opus/48000/1 ;; pcmu) echo PCMU ;; esac
}
