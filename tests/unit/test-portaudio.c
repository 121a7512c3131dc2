/*
 * test-portaudio.c: the portaudio driver against whatever ALSA offers,
 * run by tests/audio-portaudio.sh with a private HOME whose .asoundrc
 * routes the default device to ALSA's built-in null and file plugins, so
 * no sound card is needed.
 *
 *	test-portaudio [-f]
 *
 * The .asoundrc defines "tsp_null" and points "default" at it. Lists the
 * devices, tries the ways of naming one, opens "default" for capture and
 * playback, plays a 440 Hz tone for 300 ms while reading the capture,
 * closes. Then it asks for an echo reference: on "default" both ways (one
 * device, so one duplex stream) the reference must be exactly what was
 * played, read in lockstep with capture; on two different devices there
 * is none. ALSA's null plugin keeps no time (its callbacks run flat out)
 * and leaves capture buffers unwritten, so the checks are on what the
 * callbacks moved, not on timing or content. With -f, ALSA
 * has no device at all: opening must fail with a clear cause. Either way
 * nothing may reach stderr; the script checks that.
 *
 * Run on its own (as make check may, listing it among the programs) it
 * skips: without the script's private ALSA set-up it would play a tone on
 * the developer's real speakers.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "audio-tone.h"
#include "tap.h"
#include "util.h"

static void
sleep_ms(unsigned int ms)
{
	struct timespec	ts = { 0, (long)ms * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Is fd 2 still the file it was (the driver points it away and back)? */
static bool
same_stderr(const struct stat *before)
{
	struct stat	sb;

	return fstat(STDERR_FILENO, &sb) == 0 && sb.st_dev == before->st_dev &&
	    sb.st_ino == before->st_ino;
}

static bool
all_zero(const int16_t *x, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (x[i] != 0)
			return false;
	}
	return true;
}

static void
test_missing(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio		*a = NULL;
	char			*cause = NULL;

	struct stat		 sb;

	fstat(STDERR_FILENO, &sb);
	cfg.driver = "portaudio";
	cfg.output = "default";
	is_int(audio_open(&cfg, &a, &cause), -1,
	    "opening the default device fails without any device");
	ok(same_stderr(&sb), "fd 2 is given back after a failed open");
	ok(cause != NULL && strstr(cause, "default") != NULL,
	    "with a clear cause: %s", cause != NULL ? cause : "(none)");
	free(cause);
}

/*
 * Echo reference on one device: a duplex stream whose reference is what
 * it played, sample for sample, as many as it captured; none when input
 * and output are two devices, or when it is not asked for.
 */
static void
test_duplex(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio		*a = NULL;
	char			*cause = NULL;
	int16_t			 seq[4800], *mic, *ref;
	size_t			 n = 1 << 20, got = 0, step, i, start = 0;
	size_t			 bad;
	double			 end;
	struct timespec		 t0;
	bool			 found = false;
	int			 tries;

	cfg.driver = "portaudio";
	cfg.input = "default";
	cfg.output = "tsp_null";
	cfg.echo_ref = true;
	is_int(audio_open(&cfg, &a, &cause), 0, "two devices with echo_ref "
	    "open%s%s", cause != NULL ? ": " : "", cause != NULL ? cause : "");
	ok(a != NULL && !audio_has_echo_ref(a) && audio_has_capture(a) &&
	    audio_has_playback(a), "as two streams, without a reference");
	audio_close(a, NULL);
	a = NULL;
	free(cause);
	cause = NULL;

	cfg.output = "default";
	cfg.echo_ref = false;
	is_int(audio_open(&cfg, &a, &cause), 0, "one device without echo_ref");
	ok(a != NULL && !audio_has_echo_ref(a), "no reference unless asked");
	audio_close(a, NULL);
	a = NULL;
	free(cause);
	cause = NULL;

	cfg.echo_ref = true;
	cfg.capture_ring_ms = 5000;
	is_int(audio_open(&cfg, &a, &cause), 0, "one device with echo_ref "
	    "opens%s%s", cause != NULL ? ": " : "", cause != NULL ? cause : "");
	if (a == NULL) {
		free(cause);
		return;
	}
	ok(audio_has_echo_ref(a), "as one duplex stream, with a reference");
	for (i = 0; i < nitems(seq); i++)
		seq[i] = (int16_t)(i + 1);
	mic = calloc(n, sizeof *mic);
	ref = calloc(n, sizeof *ref);
	/*
	 * The null plugin runs a duplex stream flat out (some hundred
	 * million samples a second), far faster than anyone reads: the
	 * capture ring overflows and both rings drop alike. So empty them,
	 * queue the sequence at once (it is played within microseconds,
	 * long before the 5 s ring can fill) and read what follows; if the
	 * thread was preempted in between and the sequence fell into a
	 * dropped stretch, try again.
	 */
	for (tries = 0; tries < 5 && !found; tries++) {
		audio_capture_drop(a);
		audio_playback_write(a, seq, nitems(seq));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		end = t0.tv_sec + t0.tv_nsec / 1e9 + 1;
		for (got = 0; got < n / 2;) {
			step = audio_capture_read_ref(a, mic + got, ref + got,
			    n - got < 4096 ? n - got : 4096);
			got += step;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (t0.tv_sec + t0.tv_nsec / 1e9 > end)
				break;
			if (step == 0)
				sleep_ms(1);
		}
		for (start = 0; start < got && ref[start] != 1; start++)
			;
		for (bad = 0, i = 0; i < nitems(seq); i++) {
			if (start + i >= got || ref[start + i] != seq[i])
				bad++;
		}
		found = start < got && bad == 0 && all_zero(ref, start);
	}
	audio_stats(a, &st);
	printf("# %d tries; read %zu; %llu captured, %llu dropped, %llu "
	    "played\n", tries, got, (unsigned long long)st.captured,
	    (unsigned long long)st.dropped, (unsigned long long)st.played);
	ok(st.played == tries * nitems(seq), "the sequence was played "
	    "(%llu)", (unsigned long long)st.played);
	ok(found, "the reference holds it, intact and in order, with only "
	    "silence before it (from %zu)", start);
	is_int(audio_close(a, &cause), 0, "closes");
	free(mic);
	free(ref);
	free(cause);
}

static void
test_play(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio_tone	 tone;
	struct audio		*a = NULL;
	char			*cause = NULL, *list = NULL, *line;
	size_t			 list_len = 0, target, n, captured = 0;
	size_t			 written = 0, queued;
	int16_t			 buf[4800];
	FILE			*f;
	struct stat		 sb;
	int			 i, count;

	fstat(STDERR_FILENO, &sb);
	f = open_memstream(&list, &list_len);
	count = audio_list_devices(f, &cause);
	fclose(f);
	ok(same_stderr(&sb), "fd 2 is given back after listing");
	ok(count >= 1, "devices listed (%d)", count);
	ok(list != NULL && strstr(list, "\tdefault\t") != NULL &&
	    strstr(list, "default-output") != NULL,
	    "the listing shows the default device and marks it");
	for (line = strtok(list, "\n"); line != NULL; line = strtok(NULL, "\n"))
		printf("# %s\n", line);
	free(list);
	free(cause);
	cause = NULL;

	cfg.driver = "portaudio";
	cfg.output = "no such device here";
	is_int(audio_open(&cfg, &a, &cause), -1, "an unknown device fails");
	ok(cause != NULL && strstr(cause, "no such device here") != NULL,
	    "naming it: %s", cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;

	cfg.output = "u";
	is_int(audio_open(&cfg, &a, &cause), -1, "an ambiguous name fails");
	ok(cause != NULL && strstr(cause, "ambiguous") != NULL &&
	    strstr(cause, "\"tsp_null\"") != NULL &&
	    strstr(cause, "\"default\"") != NULL,
	    "listing the candidates: %s", cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;

	cfg.output = "99";
	is_int(audio_open(&cfg, &a, &cause), -1, "a bad index fails");
	ok(cause != NULL && strstr(cause, "99") != NULL, "naming it: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;

	cfg.output = "TSP_NU";
	is_int(audio_open(&cfg, &a, &cause), 0, "a unique substring opens%s%s",
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	audio_close(a, NULL);
	a = NULL;
	free(cause);
	cause = NULL;

	cfg.input = "0";
	cfg.output = NULL;
	is_int(audio_open(&cfg, &a, &cause), 0,
	    "an index opens for capture%s%s",
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	ok(a != NULL && audio_has_capture(a) && !audio_has_playback(a),
	    "capture only");
	audio_close(a, NULL);
	a = NULL;
	free(cause);
	cause = NULL;

	cfg.input = "default";
	cfg.output = "default";
	is_int(audio_open(&cfg, &a, &cause), 0, "the default device opens%s%s",
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	if (a == NULL) {
		free(cause);
		return;
	}
	is_int(audio_rate(a), 48000, "at the asked rate");
	audio_tone_init_sine(&tone, audio_rate(a), 440, 0.5);
	target = audio_rate(a) * 60 / 1000;
	for (i = 0; i < 30; i++) {
		while (audio_playback_queued(a) < target) {
			n = target - audio_playback_queued(a);
			if (n > nitems(buf))
				n = nitems(buf);
			audio_tone_fill(&tone, buf, n);
			written += audio_playback_write(a, buf, n);
		}
		captured += audio_capture_read(a, buf, nitems(buf));
		sleep_ms(10);
	}
	queued = audio_playback_queued(a);
	audio_stats(a, &st);
	ok(written > target, "queued %zu samples of a 440 Hz tone", written);
	ok(st.played >= written - queued && st.played <= written,
	    "the callback played them (%llu of %zu, %zu still queued)",
	    (unsigned long long)st.played, written, queued);
	ok(captured > 0 && captured <= st.captured,
	    "the callback captured (%zu read of %llu)", captured,
	    (unsigned long long)st.captured);
	ok(same_stderr(&sb), "fd 2 is given back while the device runs");
	is_int(audio_close(a, &cause), 0, "closes");
	ok(same_stderr(&sb), "and after close");
	free(cause);
}

int
main(int argc, char **argv)
{
	bool		 fail = false;
	int		 c;

	if (getenv("TSPHONE_AUDIO_TEST") == NULL) {
		printf("1..0 # SKIP run by tests/audio-portaudio.sh, which "
		    "sets up a private ALSA\n");
		return 0;
	}
	while ((c = getopt(argc, argv, "f")) != -1) {
		switch (c) {
		case 'f':
			fail = true;
			break;
		default:
			fprintf(stderr, "usage: test-portaudio [-f]\n");
			return 2;
		}
	}
	if (fail)
		test_missing();
	else {
		test_play();
		test_duplex();
	}
	return done_testing();
}
