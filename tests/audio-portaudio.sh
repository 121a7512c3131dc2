#!/bin/sh
# The portaudio driver without a sound card, through real ALSA: a private
# HOME whose .asoundrc points ALSA's "default" at its built-in null plugin
# (part of alsa-lib itself: libasound2-plugins is not needed), then
# tests/unit/test-portaudio lists, opens, plays, captures and closes. A
# second run gives ALSA a configuration in which "default" cannot open and
# no device exists: opening must fail with a clear cause, which is what
# makes tsphone fall back to the null driver. ALSA and JACK are noisy on
# stderr while PortAudio starts and probes; in both runs stderr must stay
# empty, or it would scribble over the curses screen.
. "$(dirname "$0")/lib.sh"

tmpdir_init
prog=${TEST_PORTAUDIO:-}
if [ -z "$prog" ]; then
	for d in "$(dirname "${TSPHONE:-./tsphone}")" . "$TOP_SRCDIR"; do
		if [ -x "$d/tests/unit/test-portaudio" ]; then
			prog=$d/tests/unit/test-portaudio
			break
		fi
	done
fi
if [ -z "$prog" ] || [ ! -x "$prog" ]; then
	fail "tests/unit/test-portaudio is built (make check builds it)"
	done_testing
	exit 1
fi

mkdir "$T/home" || bail "cannot create $T/home"
cat >"$T/home/.asoundrc" <<'ASOUNDRC'
pcm.!default {
	type asym
	playback.pcm "tsp_null"
	capture.pcm "tsp_null"
}
pcm.tsp_null {
	type null
}
ASOUNDRC
# ALSA_CONFIG_PATH replaces alsa.conf: with only a "default" that cannot
# open (and no "hw" definitions), PortAudio finds no device at all, even
# on a machine with a sound card. (An empty file trips an assertion in
# PortAudio 19.6, hence the one line.)
printf 'pcm.!default { type hw card 99 }\n' >"$T/broken.conf"

# sub_tap NAME ENV... -- CMD...: run a TAP program with the environment
# given and its results folded into ours; then its exit status and its
# stderr, which must be empty.
sub_tap() {
	_st_name=$1
	shift
	(
		unset ALSA_CONFIG_PATH ALSA_CARD ALSA_PCM_CARD ALSA_PCM_DEVICE
		unset JACK_NO_START_SERVER	# the driver must set it
		TSPHONE_AUDIO_TEST=1
		XDG_CONFIG_HOME=$T/home/.config
		export TSPHONE_AUDIO_TEST XDG_CONFIG_HOME
		while [ "$1" != "--" ]; do
			export "${1?sub_tap: no --}"
			shift
		done
		shift
		exec "$@"
	) >"$T/$_st_name.out" 2>"$T/$_st_name.err"
	_st_rc=$?
	_st_plan=
	while IFS= read -r _st_line; do
		case $_st_line in
		"ok "*) pass "$_st_name: ${_st_line#ok * - }" ;;
		"not ok "*) fail "$_st_name: ${_st_line#not ok * - }" ;;
		"1.."*) _st_plan=$_st_line ;;
		"#"*) printf '%s\n' "$_st_line" ;;
		esac
	done <"$T/$_st_name.out"
	is "$_st_rc" 0 "$_st_name: exits 0"
	like "$_st_plan" '^1\.\.[1-9]' "$_st_name: ran to the end"
	if [ -s "$T/$_st_name.err" ]; then
		fail "$_st_name: nothing from ALSA or JACK on stderr"
		_lib_diag_file "$T/$_st_name.err" 20 "  | "
	else
		pass "$_st_name: nothing from ALSA or JACK on stderr"
	fi
}

# A JACK server a developer may be running must not take part.
sub_tap null-device HOME="$T/home" JACK_DEFAULT_SERVER=tsphone-test-none \
    -- "$prog"
sub_tap no-device HOME="$T/home" ALSA_CONFIG_PATH="$T/broken.conf" \
    JACK_DEFAULT_SERVER=tsphone-test-none -- "$prog" -f
done_testing
