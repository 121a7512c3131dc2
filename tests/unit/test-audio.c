/*
 * test-audio.c: the audio layer without a sound card: the lock-free ring
 * (edges, wrap, and a two-thread stress run), the null driver's real-time
 * pacing and xrun counting, the file driver (resampling, mono mixing,
 * looping, the output WAV), device rates other than 48 kHz, the echo
 * reference kept in lockstep with capture (through overflow, drops and
 * reads without it), the file driver's echo (file_echo), the eventfd
 * wake-ups, the names and wake-ups of the driver threads, open errors,
 * and the tone generators.
 *
 * Wall-clock checks are one-sided and generous (never faster than real
 * time by more than a period, never slower than half of it) so a loaded
 * machine or valgrind does not make them flaky.
 */
#include "config.h"

#include <sys/eventfd.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "audio.h"
#include "audio-ring.h"
#include "audio-tone.h"
#include "tap.h"
#include "util.h"

static char	tmpdir[] = "/tmp/test-audio.XXXXXX";

/* --- helpers --------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Poll the device's counters every 5 ms until each one named in WANT
 * (0 = don't care) has reached its value there, or 5 s have passed: the
 * device runs on its own clock thread, so a fixed sleep is only a guess
 * of how far it has got. The caller then asserts the exact values.
 */
static void
stats_wait(struct audio *a, struct audio_stats *st,
    const struct audio_stats *want)
{
	double	end = now_s() + 5;

	for (;;) {
		audio_stats(a, st);
		if (st->captured >= want->captured &&
		    st->dropped >= want->dropped &&
		    st->overruns >= want->overruns &&
		    st->played >= want->played &&
		    st->silence >= want->silence &&
		    st->underruns >= want->underruns)
			return;
		if (now_s() > end) {
			printf("# stats_wait: gave up after 5 s\n");
			return;
		}
		sleep_ms(5);
	}
}

/* Amplitude (in sample units) of the frequency f in x, by Goertzel. */
static double
goertzel(const int16_t *x, size_t n, double f, double rate)
{
	double	coeff = 2 * cos(2 * M_PI * f / rate), s0, s1 = 0, s2 = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		s0 = x[i] + coeff * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return 2 * sqrt(fabs(s1 * s1 + s2 * s2 - coeff * s1 * s2)) / n;
}

static size_t
zero_crossings(const int16_t *x, size_t n)
{
	size_t	i, c = 0;

	for (i = 1; i < n; i++) {
		if ((x[i - 1] < 0 && x[i] >= 0) || (x[i - 1] >= 0 && x[i] < 0))
			c++;
	}
	return c;
}

static double
rms(const int16_t *x, size_t n)
{
	double	sum = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		sum += (double)x[i] * x[i];
	return n > 0 ? sqrt(sum / n) : 0;
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

/* Write a file of a 1 kHz sine (left channel only when stereo). */
static int
write_tone_as(const char *path, int format, int rate, int channels,
    size_t frames, double amp)
{
	SF_INFO	 info = { 0 };
	SNDFILE	*sf;
	short	*buf;
	size_t	 i;
	int	 c;

	info.samplerate = rate;
	info.channels = channels;
	info.format = format;
	if ((sf = sf_open(path, SFM_WRITE, &info)) == NULL)
		return -1;
	buf = xcalloc(frames * channels, sizeof *buf);
	for (i = 0; i < frames; i++) {
		for (c = 0; c < channels; c++) {
			buf[i * channels + c] = c != 0 ? 0 : (short)lrint(amp *
			    32767 * sin(2 * M_PI * 1000.0 * i / rate));
		}
	}
	sf_writef_short(sf, buf, (sf_count_t)frames);
	free(buf);
	return sf_close(sf) == 0 ? 0 : -1;
}

static int
write_tone_wav(const char *path, int rate, int channels, size_t frames,
    double amp)
{
	return write_tone_as(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate,
	    channels, frames, amp);
}

/* Wait (bounded) until the capture ring holds n samples. */
static bool
wait_capture(struct audio *a, size_t n, unsigned int max_ms)
{
	double	end = now_s() + max_ms / 1000.0;

	while (audio_capture_avail(a) < n) {
		if (now_s() > end)
			return false;
		sleep_ms(5);
	}
	return true;
}

/* --- the ring -------------------------------------------------------- */

static void
test_ring_edges(void)
{
	struct audio_ring	*r;
	int16_t			 in[300], out[300];
	size_t			 i;

	r = audio_ring_new(100);
	is_int(audio_ring_capacity(r), 128, "ring capacity rounds up to 128");
	is_int(audio_ring_readable(r), 0, "new ring is empty");
	is_int(audio_ring_writable(r), 128, "new ring is all room");
	is_int(audio_ring_read(r, out, 10), 0, "reading an empty ring gets 0");

	for (i = 0; i < nitems(in); i++)
		in[i] = (int16_t)(i + 1);
	is_int(audio_ring_write(r, in, 300), 128, "a write stops when full");
	is_int(audio_ring_writable(r), 0, "full ring has no room");
	is_int(audio_ring_write(r, in, 1), 0, "writing a full ring writes 0");
	is_int(audio_ring_read(r, out, 100), 100, "partial read");
	ok(memcmp(out, in, 100 * sizeof *in) == 0,
	    "first 100 come out in order");

	/* Now the writer wraps around the end of the buffer. */
	is_int(audio_ring_write(r, in + 128, 90), 90, "write across the wrap");
	is_int(audio_ring_readable(r), 118, "level after the wrap");
	is_int(audio_ring_read(r, out, 300), 118, "read across the wrap");
	ok(memcmp(out, in + 100, 118 * sizeof *in) == 0,
	    "samples across the wrap are intact and in order");
	is_int(audio_ring_readable(r), 0, "drained ring is empty");

	is_int(audio_ring_write(r, NULL, 50), 50, "NULL write is silence");
	is_int(audio_ring_read(r, NULL, 20), 20, "NULL read discards");
	memset(out, 0x55, sizeof out);
	is_int(audio_ring_read(r, out, 100), 30, "the rest of the silence");
	ok(all_zero(out, 30), "silence reads as zeros");
	audio_ring_free(r);

	r = audio_ring_new(0);
	is_int(audio_ring_capacity(r), 1, "a ring of 0 still holds one sample");
	audio_ring_free(r);
	audio_ring_free(NULL);
}

#define STRESS_TOTAL	3000000

struct stress {
	struct audio_ring	*r;
	size_t			 errors, received;
};

static void *
stress_producer(void *arg)
{
	struct stress	*s = arg;
	int16_t		 buf[97];
	size_t		 sent = 0, n, i, want;
	unsigned int	 seed = 1;

	while (sent < STRESS_TOTAL) {
		want = 1 + rand_r(&seed) % nitems(buf);
		if (want > STRESS_TOTAL - sent)
			want = STRESS_TOTAL - sent;
		for (i = 0; i < want; i++)
			buf[i] = (int16_t)(sent + i);
		n = audio_ring_write(s->r, buf, want);
		sent += n;
		if (n == 0)
			sched_yield();
	}
	return NULL;
}

static void *
stress_consumer(void *arg)
{
	struct stress	*s = arg;
	int16_t		 buf[113];
	size_t		 n, i;
	unsigned int	 seed = 2;

	while (s->received < STRESS_TOTAL) {
		n = audio_ring_read(s->r, buf, 1 + rand_r(&seed) %
		    nitems(buf));
		for (i = 0; i < n; i++) {
			if (buf[i] != (int16_t)(s->received + i))
				s->errors++;
		}
		s->received += n;
		if (n == 0)
			sched_yield();
	}
	return NULL;
}

static void
test_ring_stress(void)
{
	struct stress	s = { 0 };
	pthread_t	p, c;

	s.r = audio_ring_new(64);
	pthread_create(&c, NULL, stress_consumer, &s);
	pthread_create(&p, NULL, stress_producer, &s);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	is_int(s.received, STRESS_TOTAL,
	    "two threads move every sample of a counting sequence");
	is_int(s.errors, 0, "no sample lost, duplicated or reordered");
	is_int(audio_ring_readable(s.r), 0, "ring empty after the run");
	audio_ring_free(s.r);
}

/* --- open errors ------------------------------------------------------ */

static void
test_errors(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio		*a = NULL;
	char			*cause = NULL, *path;

	cfg.driver = "bogus";
	cfg.input = "default";
	is_int(audio_open(&cfg, &a, &cause), -1, "unknown driver fails");
	ok(cause != NULL && strstr(cause, "\"bogus\"") != NULL &&
	    strstr(cause, "portaudio, file or null") != NULL,
	    "the cause names the driver and the choices: %s", cause);
	ok(a == NULL, "*out untouched on failure");
	free(cause);
	cause = NULL;

	cfg.driver = "null";
	cfg.rate = 1000000;
	is_int(audio_open(&cfg, &a, &cause), -1, "absurd rate fails");
	ok(cause != NULL && strstr(cause, "1000000") != NULL,
	    "the cause names the rate: %s", cause);
	free(cause);
	cause = NULL;
	cfg.rate = 0;

	xasprintf(&path, "%s/missing.wav", tmpdir);
	cfg.driver = "file";
	cfg.input = path;
	is_int(audio_open(&cfg, &a, &cause), -1, "missing input file fails");
	ok(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, "No such file") != NULL,
	    "the cause names the path and the reason: %s", cause);
	free(cause);
	cause = NULL;
	free(path);

	xasprintf(&path, "%s/not-audio.wav", tmpdir);
	{
		FILE	*f = fopen(path, "w");

		fputs("this is not a WAV file at all\n", f);
		fclose(f);
	}
	cfg.input = path;
	is_int(audio_open(&cfg, &a, &cause), -1,
	    "a file that is not audio fails");
	ok(cause != NULL && strstr(cause, path) != NULL,
	    "the cause names the path: %s", cause);
	free(cause);
	cause = NULL;
	unlink(path);
	free(path);

	xasprintf(&path, "%s/no/such/dir/out.wav", tmpdir);
	cfg.input = NULL;
	cfg.output = path;
	is_int(audio_open(&cfg, &a, &cause), -1, "uncreatable output fails");
	ok(cause != NULL && strstr(cause, path) != NULL,
	    "the cause names the output path: %s", cause);
	free(cause);
	free(path);
}

/* --- the null driver --------------------------------------------------- */

static void
test_null(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio		*a;
	char			*cause = NULL;
	int16_t			 buf[4800];
	double			 t0, elapsed, expect;
	size_t			 i;

	/* Pacing: capture into a ring big enough not to overflow. */
	cfg.driver = NULL;
	cfg.input = "x";
	cfg.output = "x";
	cfg.capture_ring_ms = 2000;
	is_int(audio_open(&cfg, &a, &cause), 0, "NULL driver name opens null");
	if (a == NULL) {
		printf("# %s\n", cause);
		return;
	}
	t0 = now_s();
	is_str(audio_driver_name(a), "null", "driver name");
	is_int(audio_rate(a), 48000, "default rate");
	is_int(audio_period(a), 480, "default period is 10 ms");
	ok(audio_has_capture(a) && audio_has_playback(a), "both directions");

	for (i = 0; i < nitems(buf); i++)
		buf[i] = (int16_t)(i % 100 + 1);
	is_int(audio_playback_write(a, buf, 4800), 4800,
	    "100 ms queued for playback");
	ok(audio_playback_queued(a) <= 4800 && audio_playback_queued(a) >= 3840,
	    "queued level right after writing (%zu)", audio_playback_queued(a));
	ok(audio_playback_space(a) + audio_playback_queued(a) >= 9600,
	    "queued + space is the ring size");

	/* until the 100 ms have played and the ring has run dry */
	stats_wait(a, &st, &(struct audio_stats){ .played = 4800,
	    .silence = 480, .underruns = 1, .captured = 4800 + 480 });
	elapsed = now_s() - t0;
	expect = elapsed * 48000;
	ok(st.captured <= expect + 480,
	    "not faster than real time (%llu samples in %.3f s)",
	    (unsigned long long)st.captured, elapsed);
	ok(st.captured >= expect * 0.5,
	    "not slower than half real time (%llu samples in %.3f s)",
	    (unsigned long long)st.captured, elapsed);
	is_int(st.captured % 480, 0, "captured whole periods");
	ok(audio_capture_avail(a) >= st.captured, "all of it is in the ring");
	is_int(audio_capture_read(a, buf, 4800), 4800,
	    "read 100 ms of capture");
	ok(all_zero(buf, 4800), "the null microphone is silent");
	ok(audio_capture_drop(a) > 0, "drop discards the rest");
	ok(audio_capture_avail(a) < 960, "little left after the drop");
	is_int(st.dropped, 0, "nothing dropped with a big ring");
	is_int(st.overruns, 0, "no overrun with a big ring");

	is_int(st.played, 4800, "the playback ring was played");
	ok(st.silence > 0 && st.silence % 480 == 0,
	    "then silence, in whole periods (%llu)",
	    (unsigned long long)st.silence);
	is_int(st.underruns, 1, "running dry counts one underrun");
	is_int(audio_playback_queued(a), 0, "nothing left to play");

	/* Back to life, then dry again: a second episode. */
	is_int(audio_playback_write(a, buf, 960), 960, "a second burst queued");
	stats_wait(a, &st, &(struct audio_stats){ .played = 4800 + 960,
	    .underruns = 2 });
	is_int(st.played, 4800 + 960, "the second burst was played");
	is_int(st.underruns, 2, "and its end is a second underrun");
	is_int(audio_close(a, &cause), 0, "close");

	/* Nobody reads capture: one overrun episode. */
	memset(&cfg, 0, sizeof cfg);
	cfg.driver = "null";
	cfg.input = "x";
	cfg.capture_ring_ms = 50;
	cfg.rate = 8000;
	cfg.period_ms = 20;
	a = NULL;
	is_int(audio_open(&cfg, &a, &cause), 0,
	    "null at 8000 Hz, capture only");
	if (a == NULL)
		return;
	ok(audio_has_capture(a) && !audio_has_playback(a), "capture only");
	is_int(audio_period(a), 160, "period of 20 ms at 8 kHz");
	is_int(audio_playback_write(a, buf, 10), 0,
	    "no playback ring: write 0");
	/* until the ring has overflowed for five periods: one long episode */
	stats_wait(a, &st, &(struct audio_stats){ .captured = 512,
	    .dropped = 5 * 160 });
	is_int(st.captured, 512, "captured until the ring (512) was full");
	ok(st.dropped > 0, "then dropped (%llu)",
	    (unsigned long long)st.dropped);
	is_int(st.overruns, 1, "a long overflow is one overrun");
	is_int(audio_close(a, &cause), 0, "close");
}

/* --- the file driver --------------------------------------------------- */

static void
test_file_input(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio		*a = NULL;
	char			*cause = NULL, *path;
	int16_t			*buf;
	double			 on, off;
	size_t			 n = 9600, i, bad;

	buf = xcalloc(n, sizeof *buf);

	/* 0.5 s of 1 kHz at 8 kHz, mono. */
	xasprintf(&path, "%s/tone8k.wav", tmpdir);
	ok(write_tone_wav(path, 8000, 1, 4000, 0.5) == 0, "wrote tone8k.wav");
	cfg.driver = "file";
	cfg.input = path;
	cfg.capture_ring_ms = 1000;
	is_int(audio_open(&cfg, &a, &cause), 0, "file driver opens %s", path);
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	is_int(audio_rate(a), 48000, "runs at 48 kHz");
	ok(wait_capture(a, n, 3000), "200 ms captured");
	is_int(audio_capture_read(a, buf, n), n, "read 200 ms");
	on = goertzel(buf + 480, n - 960, 1000, 48000);
	off = goertzel(buf + 480, n - 960, 6000, 48000) +
	    goertzel(buf + 480, n - 960, 166.67, 48000);
	ok(on > 0.45 * 32767 && on < 0.55 * 32767,
	    "1 kHz at 48 kHz with the file's level (%.0f)", on);
	ok(off < on / 100, "not 6 kHz or 167 Hz: resampled, not copied "
	    "(%.0f)", off);
	i = zero_crossings(buf, n);
	ok(i >= 395 && i <= 405, "400 zero crossings in 200 ms (%zu)", i);
	is_int(audio_close(a, &cause), 0, "close");
	a = NULL;
	free(path);

	/* 50 ms: the loop must repeat seamlessly, exactly every 2400. */
	xasprintf(&path, "%s/short.wav", tmpdir);
	ok(write_tone_wav(path, 8000, 1, 400, 0.5) == 0, "wrote short.wav");
	cfg.input = path;
	is_int(audio_open(&cfg, &a, &cause), 0, "open a 50 ms file");
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	ok(wait_capture(a, n, 3000), "200 ms captured from a 50 ms file");
	is_int(audio_capture_read(a, buf, n), n, "read 4 loops");
	for (bad = 0, i = 0; i + 2400 < n; i++) {
		if (buf[i] != buf[i + 2400])
			bad++;
	}
	is_int(bad, 0, "the capture repeats with the file's length (2400)");
	for (bad = 0, i = 0; i + 240 <= n; i += 240) {
		if (rms(buf + i, 240) < 0.3 * 32767)
			bad++;
	}
	is_int(bad, 0, "no gap where the loop wraps");
	is_int(audio_close(a, &cause), 0, "close");
	a = NULL;
	free(path);

	/* Stereo at 44.1 kHz, tone on the left only: mixed to half. */
	xasprintf(&path, "%s/stereo.wav", tmpdir);
	ok(write_tone_wav(path, 44100, 2, 44100, 0.8) == 0, "wrote stereo.wav");
	cfg.input = path;
	is_int(audio_open(&cfg, &a, &cause), 0, "open a stereo 44.1 kHz file");
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	ok(wait_capture(a, n, 3000), "200 ms captured");
	is_int(audio_capture_read(a, buf, n), n, "read 200 ms of the mix");
	on = goertzel(buf, n, 1000, 48000);
	ok(on > 0.37 * 32767 && on < 0.43 * 32767,
	    "mono mix is half the left channel (%.0f)", on);
	i = zero_crossings(buf, n);
	ok(i >= 395 && i <= 405, "still 1 kHz at 48 kHz (%zu crossings)", i);
	is_int(audio_close(a, &cause), 0, "close");

out:
	free(cause);
	free(path);
	free(buf);
}

/*
 * The driver reads WAVs itself (audio-wav.c) and must make of them what
 * it made of them through libsndfile: the channels' mean, in double, as
 * a float, times 32767, rounded. Checked sample for sample on a 24-bit
 * WAVE_FORMAT_EXTENSIBLE file of three channels at the device rate (no
 * resampler to blur the comparison). Then what only libsndfile reads
 * (FLAC, an A-law WAV) still plays, and a broken WAV is refused with
 * what is wrong.
 */
static void
test_file_formats(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio		*a = NULL;
	SF_INFO			 info = { 0 };
	SNDFILE			*sf;
	char			*cause = NULL, *path;
	float			*in, v;
	int16_t			*want, *buf;
	size_t			 n = 4800, i, bad = 0;
	double			 sum, on;
	int			 c, fd;

	in = xcalloc(n * 3, sizeof *in);
	want = xcalloc(n, sizeof *want);
	buf = xcalloc(n, sizeof *buf);
	for (i = 0; i < n; i++) {
		in[3 * i] = (float)(0.9 * sin(2 * M_PI * 440 * i / 48000.0));
		in[3 * i + 1] = (float)(0.5 * sin(2 * M_PI * 1330 * i /
		    48000.0));
		in[3 * i + 2] = i % 100 < 50 ? 0.999f : -1.0f;
	}
	xasprintf(&path, "%s/ext24.wav", tmpdir);
	info.samplerate = 48000;
	info.channels = 3;
	info.format = SF_FORMAT_WAVEX | SF_FORMAT_PCM_24;
	if ((sf = sf_open(path, SFM_WRITE, &info)) == NULL) {
		ok(0, "write %s: %s", path, sf_strerror(NULL));
		goto out;
	}
	sf_writef_float(sf, in, (sf_count_t)n);
	sf_close(sf);
	/* What libsndfile reads back, made into the driver's samples. */
	memset(&info, 0, sizeof info);
	sf = sf_open(path, SFM_READ, &info);
	ok(sf != NULL && sf_readf_float(sf, in, (sf_count_t)n) ==
	    (sf_count_t)n, "wrote and read back a 24-bit, 3-channel WAVEX");
	if (sf != NULL)
		sf_close(sf);
	for (i = 0; i < n; i++) {
		for (sum = 0, c = 0; c < 3; c++)
			sum += in[3 * i + c];
		v = (float)(sum / 3) * 32767.0f;
		want[i] = (int16_t)lrintf(v);
	}
	cfg.driver = "file";
	cfg.input = path;
	cfg.capture_ring_ms = 1000;
	is_int(audio_open(&cfg, &a, &cause), 0, "the file driver opens it");
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	ok(wait_capture(a, n, 3000) && audio_capture_read(a, buf, n) == n,
	    "captured the whole file once");
	for (i = 0; i < n; i++) {
		if (buf[i] != want[i])
			bad++;
	}
	is_int(bad, 0, "each sample is what libsndfile's reading made of it");
	audio_close(a, NULL);
	a = NULL;

	/* Formats of libsndfile's: still heard. */
	free(path);
	xasprintf(&path, "%s/tone.flac", tmpdir);
	cfg.input = path;
	ok(write_tone_as(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 1,
	    22050, 0.5) == 0, "wrote a FLAC of 1 kHz");
	is_int(audio_open(&cfg, &a, &cause), 0, "the file driver opens it");
	if (a != NULL && wait_capture(a, n, 3000)) {
		audio_capture_read(a, buf, n);
		on = goertzel(buf + 480, n - 960, 1000, 48000);
		ok(on > 0.45 * 32767 && on < 0.55 * 32767, "and plays its "
		    "1 kHz (%.0f)", on);
	} else
		ok(0, "and plays it: %s", cause);
	audio_close(a, NULL);
	a = NULL;
	unlink(path);
	free(path);
	xasprintf(&path, "%s/alaw.wav", tmpdir);
	cfg.input = path;
	ok(write_tone_as(path, SF_FORMAT_WAV | SF_FORMAT_ALAW, 8000, 1,
	    4000, 0.5) == 0, "wrote an A-law WAV of 1 kHz");
	is_int(audio_open(&cfg, &a, &cause), 0, "the file driver opens it");
	if (a != NULL && wait_capture(a, n, 3000)) {
		audio_capture_read(a, buf, n);
		on = goertzel(buf + 480, n - 960, 1000, 48000);
		ok(on > 0.45 * 32767 && on < 0.55 * 32767, "and plays its "
		    "1 kHz (%.0f)", on);
	} else
		ok(0, "and plays it: %s", cause);
	audio_close(a, NULL);
	a = NULL;

	/* A WAV cut inside its fmt chunk. */
	ok(write_tone_wav(path, 8000, 1, 4000, 0.5) == 0 &&
	    (fd = open(path, O_WRONLY)) != -1 && ftruncate(fd, 30) == 0 &&
	    close(fd) == 0, "cut a WAV to 30 bytes");
	is_int(audio_open(&cfg, &a, &cause), -1, "the file driver refuses it");
	ok(cause != NULL && strncmp(cause, "audio input ", 12) == 0 &&
	    strstr(cause, path) != NULL && strstr(cause, "truncated WAV: "
	    "the \"fmt \" chunk at byte 12 claims 16 bytes, the file has 10 "
	    "more") != NULL, "saying what is wrong: %s", cause);

out:
	unlink(path);
	free(path);
	free(cause);
	free(in);
	free(want);
	free(buf);
}

static void
test_file_output(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio		*a = NULL;
	SF_INFO			 info = { 0 };
	SNDFILE			*sf;
	char			*cause = NULL, *path;
	int16_t			 seq[2400], *wav = NULL;
	sf_count_t		 frames = 0;
	size_t			 i, start = 0, mism = 0;
	bool			 found = false;

	xasprintf(&path, "%s/out.wav", tmpdir);
	cfg.driver = "file";
	cfg.output = path;
	is_int(audio_open(&cfg, &a, &cause), 0, "file driver with an output");
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	ok(!audio_has_capture(a) && audio_has_playback(a), "playback only");
	for (i = 0; i < nitems(seq); i++)
		seq[i] = (int16_t)(i + 1);
	is_int(audio_playback_write(a, seq, nitems(seq)), nitems(seq),
	    "queued a counting sequence");
	stats_wait(a, &st, &(struct audio_stats){ .played = 2400,
	    .silence = 480, .underruns = 1 });
	is_int(st.played, 2400, "the sequence was played");
	ok(st.silence > 0, "then silence");
	is_int(st.underruns, 1, "one underrun after the sequence");
	is_int(audio_close(a, &cause), 0, "close finishes the WAV");

	if ((sf = sf_open(path, SFM_READ, &info)) == NULL) {
		ok(0, "reopen the output: %s", sf_strerror(NULL));
		goto out;
	}
	is_int(info.samplerate, 48000, "output WAV at the device rate");
	is_int(info.channels, 1, "output WAV is mono");
	is_int(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16,
	    "output WAV is 16-bit PCM");
	ok(info.frames >= (sf_count_t)(st.played + st.silence),
	    "holds every sample played (%lld >= %llu)", (long long)info.frames,
	    (unsigned long long)(st.played + st.silence));
	is_int(info.frames % 480, 0, "in whole periods");
	wav = xcalloc(info.frames + 1, sizeof *wav);
	frames = sf_read_short(sf, wav, info.frames);
	sf_close(sf);
	is_int(frames, info.frames, "header length matches the data");
	for (i = 0; i < (size_t)frames; i++) {
		if (wav[i] == 1) {
			start = i;
			found = true;
			break;
		}
	}
	ok(found, "the sequence is in the file (at %zu)", start);
	if (found) {
		ok(all_zero(wav, start), "only silence before it");
		for (i = 0; i < nitems(seq) && start + i < (size_t)frames;
		    i++) {
			if (wav[start + i] != seq[i])
				mism++;
		}
		ok(mism == 0 && start + nitems(seq) <= (size_t)frames,
		    "the whole sequence, intact and in order");
		ok(all_zero(wav + start + nitems(seq),
		    frames - start - nitems(seq)),
		    "silence where the ring ran dry");
	}

out:
	free(wav);
	free(cause);
	unlink(path);
	free(path);
}

static void
test_file_both(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio		*a = NULL;
	char			*cause = NULL, *in, *out;
	int16_t			 buf[4800];
	SF_INFO			 info = { 0 };
	SNDFILE			*sf;
	size_t			 got = 0, n;
	double			 end;

	/* Loopback: what the microphone sends is played to the speaker. */
	xasprintf(&in, "%s/tone8k.wav", tmpdir);
	xasprintf(&out, "%s/loop.wav", tmpdir);
	cfg.driver = "file";
	cfg.input = in;
	cfg.output = out;
	cfg.rate = 16000;
	is_int(audio_open(&cfg, &a, &cause), 0, "file driver, both at 16 kHz");
	if (a == NULL) {
		printf("# %s\n", cause);
		goto done;
	}
	end = now_s() + 0.3;
	while (now_s() < end) {
		n = audio_capture_read(a, buf, nitems(buf));
		audio_playback_write(a, buf, n);
		got += n;
		sleep_ms(10);
	}
	ok(got > 1600, "captured while looping back (%zu)", got);
	is_int(audio_close(a, &cause), 0, "close");
	if ((sf = sf_open(out, SFM_READ, &info)) == NULL) {
		ok(0, "reopen loop.wav");
		goto done;
	}
	n = (size_t)sf_read_short(sf, buf, nitems(buf));
	sf_close(sf);
	is_int(info.samplerate, 16000, "loop.wav at 16 kHz");
	ok(n > 1600 && goertzel(buf, n, 1000, 16000) > 0.3 * 32767,
	    "the speaker played the microphone's 1 kHz");
done:
	unlink(in);
	unlink(out);
	free(in);
	free(out);
	free(cause);
}

/* --- device rates ------------------------------------------------------ */

/*
 * A device at `rate` Hz with `period_ms` periods: it captures and plays
 * whole periods of that size at that pace, the file driver resamples its
 * input to that rate and writes its output WAV at it.
 */
static void
test_rate(const char *driver, unsigned int rate, unsigned int period_ms)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio		*a = NULL;
	SF_INFO			 info = { 0 };
	SNDFILE			*sf;
	bool			 file = strcmp(driver, "file") == 0;
	char			*cause = NULL, *in = NULL, *out = NULL;
	int16_t			*seq, *buf, *wav = NULL;
	size_t			 period = (size_t)rate * period_ms / 1000;
	size_t			 n = rate / 10, i, start = 0, mism = 0;
	size_t			 zc;
	double			 t0, elapsed, expect, level;
	sf_count_t		 frames;
	bool			 found = false;

	seq = xcalloc(n, sizeof *seq);
	buf = xcalloc(rate, sizeof *buf);
	for (i = 0; i < n; i++)
		seq[i] = (int16_t)(i + 1);
	cfg.driver = driver;
	cfg.rate = rate;
	cfg.period_ms = period_ms;
	cfg.capture_ring_ms = 2000;
	if (file) {
		xasprintf(&in, "%s/rate-in.wav", tmpdir);
		xasprintf(&out, "%s/rate-out.wav", tmpdir);
		ok(write_tone_wav(in, 8000, 1, 4000, 0.5) == 0,
		    "%s %u Hz: wrote an 8 kHz input", driver, rate);
		cfg.input = in;
		cfg.output = out;
	} else
		cfg.input = cfg.output = "x";
	is_int(audio_open(&cfg, &a, &cause), 0, "%s driver opens at %u Hz, "
	    "%u ms", driver, rate, period_ms);
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	t0 = now_s();
	is_int(audio_rate(a), rate, "%s runs at %u Hz", driver, rate);
	is_int(audio_period(a), period, "%s: a period is %zu samples", driver,
	    period);
	is_int(audio_playback_write(a, seq, n), n, "%s %u Hz: 100 ms queued",
	    driver, rate);
	stats_wait(a, &st, &(struct audio_stats){ .played = n,
	    .silence = period, .underruns = 1, .captured = rate / 5 });
	elapsed = now_s() - t0;
	expect = elapsed * rate;
	ok(st.captured <= expect + period && st.captured >= expect * 0.5,
	    "%s %u Hz: captured at the device rate (%llu samples in %.3f s)",
	    driver, rate, (unsigned long long)st.captured, elapsed);
	is_int(st.captured % period, 0, "%s %u Hz: captured whole periods",
	    driver, rate);
	is_int(st.played, n, "%s %u Hz: played what was queued", driver,
	    rate);
	is_int((st.played + st.silence) % period, 0,
	    "%s %u Hz: played whole periods", driver, rate);
	is_int(audio_capture_read(a, buf, rate / 5), rate / 5,
	    "%s %u Hz: read 200 ms of capture", driver, rate);
	if (file) {
		zc = zero_crossings(buf, rate / 5);
		level = goertzel(buf + period, rate / 5 - 2 * period, 1000,
		    rate);
		ok(zc >= 395 && zc <= 405 && level > 0.45 * 32767 &&
		    level < 0.55 * 32767, "file %u Hz: the 8 kHz input is "
		    "resampled to 1 kHz at %u Hz (%zu crossings in 200 ms, "
		    "level %.0f)", rate, rate, zc, level);
	} else
		ok(all_zero(buf, rate / 5), "null %u Hz: silent capture", rate);
	is_int(audio_close(a, &cause), 0, "%s %u Hz: close", driver, rate);
	if (!file)
		goto out;

	if ((sf = sf_open(out, SFM_READ, &info)) == NULL) {
		ok(0, "reopen the output: %s", sf_strerror(NULL));
		goto out;
	}
	is_int(info.samplerate, rate, "file %u Hz: output WAV at %u Hz", rate,
	    rate);
	ok(info.frames >= (sf_count_t)(st.played + st.silence) &&
	    info.frames % period == 0, "file %u Hz: output WAV holds every "
	    "period played (%lld frames)", rate, (long long)info.frames);
	wav = xcalloc(info.frames + 1, sizeof *wav);
	frames = sf_read_short(sf, wav, info.frames);
	sf_close(sf);
	for (i = 0; i < (size_t)frames; i++) {
		if (wav[i] == 1) {
			start = i;
			found = true;
			break;
		}
	}
	for (i = 0; found && i < n; i++) {
		if (start + i >= (size_t)frames || wav[start + i] != seq[i])
			mism++;
	}
	ok(found && mism == 0 && all_zero(wav, start) && start % period == 0,
	    "file %u Hz: the sequence is in the WAV, intact, from a period's "
	    "start (%zu)", rate, start);

out:
	if (in != NULL)
		unlink(in);
	if (out != NULL)
		unlink(out);
	free(in);
	free(out);
	free(wav);
	free(buf);
	free(seq);
	free(cause);
}

/* --- the echo reference ------------------------------------------------- */

/*
 * Read n samples of capture and reference, polling (bounded): the device
 * produces them in real time. Returns how many were read.
 */
static size_t
read_ref(struct audio *a, int16_t *mic, int16_t *ref, size_t n,
    unsigned int max_ms)
{
	double	end = now_s() + max_ms / 1000.0;
	size_t	got = 0, step;

	while (got < n) {
		/* An odd size, so reads straddle periods. */
		step = n - got < 333 ? n - got : 333;
		step = audio_capture_read_ref(a, mic + got, ref != NULL ?
		    ref + got : NULL, step);
		got += step;
		if (step == 0) {
			if (now_s() > end)
				break;
			sleep_ms(2);
		}
	}
	return got;
}

/* How many of x[i] differ from y[i]. */
static size_t
differ(const int16_t *x, const int16_t *y, size_t n)
{
	size_t	i, d = 0;

	for (i = 0; i < n; i++) {
		if (x[i] != y[i])
			d++;
	}
	return d;
}

/* Breaks in a counting sequence (each sample the last one plus one). */
static size_t
breaks(const int16_t *x, size_t n)
{
	size_t	i, b = 0;

	for (i = 1; i < n; i++) {
		if (x[i] != (int16_t)(x[i - 1] + 1))
			b++;
	}
	return b;
}

/* The counting sequence from value v on, wrapping before 0 comes up. */
static void
counting(int16_t *x, size_t n, int16_t *v)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		x[i] = *v;
		*v = *v == 32767 ? 1 : *v + 1;
	}
}

/* Which devices have a reference, and what it holds on the null one. */
static void
test_echo_ref_null(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio		*a = NULL;
	char			*cause = NULL;
	int16_t			 seq[2400], mic[9600], ref[9600];
	size_t			 i, got, start;

	cfg.driver = "null";
	cfg.input = cfg.output = "x";
	is_int(audio_open(&cfg, &a, &cause), 0, "null without echo_ref");
	if (a == NULL)
		return;
	ok(!audio_has_echo_ref(a), "has no reference unless asked");
	memset(ref, 0x55, sizeof ref);
	ok(wait_capture(a, 480, 3000) && audio_capture_read_ref(a, mic, ref,
	    480) == 480 && all_zero(ref, 480),
	    "read_ref without a reference gives silence as the reference");
	audio_close(a, NULL);

	cfg.echo_ref = true;
	cfg.output = NULL;
	a = NULL;
	is_int(audio_open(&cfg, &a, &cause), 0, "null, capture only, echo_ref");
	if (a == NULL)
		return;
	ok(!audio_has_echo_ref(a), "no reference without playback");
	audio_close(a, NULL);

	cfg.output = "x";
	cfg.capture_ring_ms = 1000;
	a = NULL;
	is_int(audio_open(&cfg, &a, &cause), 0, "null, both, echo_ref");
	if (a == NULL)
		return;
	ok(audio_has_echo_ref(a), "the null device has a reference");
	for (i = 0; i < nitems(seq); i++)
		seq[i] = (int16_t)(i + 1);
	is_int(audio_playback_write(a, seq, nitems(seq)), nitems(seq),
	    "queued a counting sequence");
	got = read_ref(a, mic, ref, nitems(mic), 3000);
	is_int(got, nitems(mic), "read 200 ms of capture and reference");
	ok(all_zero(mic, got), "the microphone is silent");
	for (start = 0; start < got && ref[start] == 0; start++)
		;
	ok(start + nitems(seq) <= got && differ(ref + start, seq,
	    nitems(seq)) == 0 && all_zero(ref + start + nitems(seq),
	    got - start - nitems(seq)), "the reference is what was played, "
	    "in order, then silence (from %zu)", start);
	is_int(start % 480, 0, "it starts on a period's boundary");
	is_int(audio_close(a, &cause), 0, "close");
}

/*
 * The file driver's room with no delay and no gain makes the microphone
 * hear exactly what the speaker played, in the same period: sample k of
 * capture and of the reference must then be equal, always. Checked on a
 * sequence played from idle, then through a capture overflow, a drop and
 * a read without the reference.
 */
static void
test_echo_ref_lockstep(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio		*a = NULL;
	char			*cause = NULL, *in;
	int16_t			*mic, *ref, *play, v = 1;
	size_t			 n = 48000, got, start, i, d;
	double			 end;

	mic = xcalloc(n, sizeof *mic);
	ref = xcalloc(n, sizeof *ref);
	play = xcalloc(2 * n, sizeof *play);
	xasprintf(&in, "%s/silence.wav", tmpdir);
	ok(write_tone_wav(in, 8000, 1, 800, 0) == 0, "wrote silence.wav");
	cfg.driver = "file";
	cfg.input = in;
	cfg.output = NULL;
	cfg.echo_ref = true;
	cfg.file_echo = true;
	cfg.echo_delay_ms = 0;
	cfg.echo_gain_db = 0;
	is_int(audio_open(&cfg, &a, &cause), 0, "file, capture only, echo_ref");
	ok(a != NULL && !audio_has_echo_ref(a), "no reference without "
	    "playback");
	audio_close(a, NULL);
	a = NULL;

	/* 100 ms of capture ring: 8192 samples once rounded up. */
	cfg.output = "/dev/null";
	cfg.capture_ring_ms = 100;
	cfg.playback_ring_ms = 3000;
	is_int(audio_open(&cfg, &a, &cause), 0, "file, both, echo_ref, an "
	    "echo of 0 ms at 0 dB");
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	ok(audio_has_echo_ref(a), "the file device has a reference");

	/* From idle: a period-aligned sequence in both. */
	counting(play, 4800, &v);
	audio_playback_write(a, play, 4800);
	got = read_ref(a, mic, ref, 14400, 3000);
	is_int(got, 14400, "read 300 ms");
	is_int(differ(mic, ref, got), 0, "capture equals reference, sample "
	    "for sample");
	for (start = 0; start < got && ref[start] == 0; start++)
		;
	ok(start + 4800 <= got && differ(ref + start, play, 4800) == 0 &&
	    all_zero(ref + start + 4800, got - start - 4800),
	    "the reference is the sequence played (from %zu)", start);
	is_int(start % 480, 0, "from the start of a period");

	/* Overflow: nobody reads for longer than the ring lasts. */
	counting(play, 2 * n, &v);
	is_int(audio_playback_write(a, play, 2 * n), 2 * n,
	    "queued 2 s of a counting sequence");
	audio_stats(a, &st);
	stats_wait(a, &st, &(struct audio_stats){ .dropped = st.dropped +
	    480 });
	ok(st.dropped > 0, "the capture ring overflowed (%llu dropped)",
	    (unsigned long long)st.dropped);
	got = read_ref(a, mic, ref, 8192 + 4800, 3000);
	d = differ(mic, ref, got);
	ok(got == 8192 + 4800 && d == 0 && !all_zero(ref, got),
	    "after the overflow, still sample for sample (%zu of %zu differ)",
	    d, got);
	i = breaks(ref, got);
	is_int(i, 1, "the reference is the sequence played, with one gap "
	    "where both overflowed");

	/* A drop takes both. */
	end = now_s() + 3;
	while (audio_capture_avail(a) < 2000 && now_s() < end)
		sleep_ms(2);
	ok(audio_capture_drop(a) >= 2000, "dropped what was waiting");
	got = read_ref(a, mic, ref, 4800, 3000);
	d = differ(mic, ref, got);
	ok(got == 4800 && d == 0 && breaks(ref, got) == 0 && ref[0] != 0,
	    "after a drop, still sample for sample and in sequence (%zu "
	    "differ)", d);

	/* A read without the reference drops its reference. */
	end = now_s() + 3;
	while (audio_capture_avail(a) < 1000 && now_s() < end)
		sleep_ms(2);
	is_int(audio_capture_read(a, mic, 1000), 1000,
	    "read 1000 without the reference");
	got = read_ref(a, mic, ref, 4800, 3000);
	d = differ(mic, ref, got);
	ok(got == 4800 && d == 0 && breaks(ref, got) == 0 && ref[0] != 0,
	    "then, with it, still sample for sample (%zu differ)", d);
	is_int(audio_close(a, &cause), 0, "close");

out:
	unlink(in);
	free(in);
	free(cause);
	free(mic);
	free(ref);
	free(play);
}

/*
 * The room: a 1 kHz tone burst played is captured DELAY later, GAIN
 * quieter, at exactly that offset from its reference, and saturates
 * instead of wrapping when the gain is positive.
 */
static void
test_file_echo(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio_tone	 tone;
	struct audio		*a = NULL;
	char			*cause = NULL, *in;
	int16_t			*mic, *ref, *play;
	size_t			 n = 48000, got, r0, m0, i, d = 5760, bad;
	size_t			 len = 9600;	/* 200 ms of tone */
	double			 lm, lr, db, want;
	long			 e, worst = 0;

	mic = xcalloc(n, sizeof *mic);
	ref = xcalloc(n, sizeof *ref);
	play = xcalloc(len, sizeof *play);
	xasprintf(&in, "%s/silence.wav", tmpdir);
	ok(write_tone_wav(in, 8000, 1, 800, 0) == 0, "wrote silence.wav");
	cfg.driver = "file";
	cfg.input = in;
	cfg.output = "/dev/null";
	cfg.capture_ring_ms = 2000;
	cfg.echo_ref = true;
	cfg.file_echo = true;
	cfg.echo_delay_ms = 120;
	cfg.echo_gain_db = -6;
	is_int(audio_open(&cfg, &a, &cause), 0, "file with an echo of 120 ms "
	    "at -6 dB");
	if (a == NULL) {
		printf("# %s\n", cause);
		goto out;
	}
	audio_tone_init_sine(&tone, 48000, 1000, 0.5);
	audio_tone_fill(&tone, play, len);
	audio_playback_write(a, play, len);
	got = read_ref(a, mic, ref, n, 5000);
	is_int(got, n, "read 1 s of capture and reference");
	for (r0 = 0; r0 < got && ref[r0] == 0; r0++)
		;
	for (m0 = 0; m0 < got && mic[m0] == 0; m0++)
		;
	ok(r0 + len + d <= got, "the whole burst and its echo were read "
	    "(reference from %zu)", r0);
	is_int(m0 - r0, d, "the echo starts 120 ms (5760 samples) after the "
	    "reference");
	if (r0 + len + d <= got) {
		lr = goertzel(ref + r0 + 480, len - 960, 1000, 48000);
		lm = goertzel(mic + r0 + d + 480, len - 960, 1000, 48000);
		db = 20 * log10(lm / lr);
		ok(fabs(db - -6) < 0.5, "the echo is 6 dB down (%.2f dB)", db);
		want = pow(10, -6 / 20.0);
		for (bad = 0, i = d; i < got; i++) {
			e = labs(mic[i] - lrint(ref[i - d] * want));
			if (e > worst)
				worst = e;
			if (e > 1)
				bad++;
		}
		ok(bad == 0, "every sample is the reference 5760 earlier times "
		    "the gain (worst error %ld)", worst);
		ok(all_zero(mic, r0 + d) && all_zero(mic + r0 + d + len,
		    got - r0 - d - len), "and nothing else is heard");
	}
	is_int(audio_close(a, &cause), 0, "close");

	/* +12 dB on a loud tone: full scale, never a wrapped sample. */
	cfg.echo_delay_ms = 10;
	cfg.echo_gain_db = 12;
	a = NULL;
	is_int(audio_open(&cfg, &a, &cause), 0, "file with +12 dB of echo");
	if (a == NULL)
		goto out;
	audio_tone_init_sine(&tone, 48000, 1000, 0.9);
	audio_tone_fill(&tone, play, len);
	audio_playback_write(a, play, len);
	got = read_ref(a, mic, ref, 24000, 5000);
	for (bad = 0, i = 480; i < got; i++) {
		if ((ref[i - 480] > 0 && mic[i] < 0) ||
		    (ref[i - 480] < 0 && mic[i] > 0))
			bad++;
	}
	ok(got == 24000 && bad == 0, "a loud echo never wraps (%zu samples "
	    "of the wrong sign)", bad);
	for (bad = 0, i = 0; i < got; i++) {
		if (mic[i] == 32767 || mic[i] == -32768)
			bad++;
	}
	ok(bad > 1000, "it clips at full scale (%zu samples)", bad);
	is_int(audio_close(a, &cause), 0, "close");

	cfg.echo_delay_ms = AUDIO_MAX_ECHO_DELAY_MS + 1;
	a = NULL;
	is_int(audio_open(&cfg, &a, &cause), -1, "an absurd echo delay fails");
	ok(cause != NULL && strstr(cause, "delay") != NULL, "saying so: %s",
	    cause);
	free(cause);
	cause = NULL;
	cfg.echo_delay_ms = 10;
	cfg.echo_gain_db = NAN;
	is_int(audio_open(&cfg, &a, &cause), -1, "a gain of NaN dB fails");
	ok(cause != NULL && strstr(cause, "gain") != NULL, "saying so: %s",
	    cause);

out:
	unlink(in);
	free(in);
	free(cause);
	free(mic);
	free(ref);
	free(play);
}

/* --- the consumer's wake-ups -------------------------------------------- */

/*
 * Count the eventfd's wake-ups over about a second, waiting on it with
 * poll as the media thread will; then compare with what the device
 * produced. `capture`: count captured samples, else played ones.
 */
static void
check_notify(unsigned int rate, unsigned int period_ms,
    unsigned int every, bool capture)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio		*a = NULL;
	struct pollfd		 pfd;
	char			*cause = NULL;
	uint64_t		 v, total = 0, produced;
	size_t			 wakes = 0;
	double			 t0, elapsed, expect;
	int			 fd;

	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	cfg.driver = "null";
	cfg.input = capture ? "x" : NULL;
	cfg.output = "x";
	cfg.rate = rate;
	cfg.period_ms = period_ms;
	cfg.capture_ring_ms = 2000;
	cfg.notify_fd = fd;
	cfg.notify_samples = every;
	is_int(audio_open(&cfg, &a, &cause), 0, "null at %u Hz, %u ms, "
	    "waking every %u %s samples", rate, period_ms, every,
	    capture ? "captured" : "played");
	if (a == NULL) {
		close(fd);
		return;
	}
	t0 = now_s();
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((elapsed = now_s() - t0) < 1.0) {
		if (poll(&pfd, 1, 100) == 1 && read(fd, &v, sizeof v) ==
		    sizeof v) {
			total += v;
			wakes++;
		}
	}
	if (read(fd, &v, sizeof v) == sizeof v)
		total += v;
	audio_stats(a, &st);
	elapsed = now_s() - t0;
	produced = capture ? st.captured + st.dropped : st.played + st.silence;
	expect = elapsed * rate / every;
	printf("# %zu wake-ups, %llu notifications in %.3f s (%.1f expected)\n",
	    wakes, (unsigned long long)total, elapsed, expect);
	ok(total <= expect + 2 && total >= expect * 0.5,
	    "about rate / notify_samples a second (%llu in %.3f s)",
	    (unsigned long long)total, elapsed);
	ok(produced / every >= total && produced / every - total <= 2,
	    "one for each %u samples the device produced (%llu for %llu)",
	    every, (unsigned long long)total, (unsigned long long)produced);
	ok(wakes > 0 && wakes <= total, "each wake-up carries at least one "
	    "(%zu wake-ups)", wakes);
	is_int(audio_close(a, &cause), 0, "close");
	close(fd);
}

static void
test_notify(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio		*a = NULL;
	char			*cause = NULL;
	uint64_t		 v;
	int			 fd;

	check_notify(48000, 10, 480, true);
	check_notify(16000, 20, 160, true);	/* two in each period */
	check_notify(44100, 10, 1323, true);	/* one every three */
	check_notify(48000, 20, 960, false);	/* playback only */

	/* notify_samples 0 is off, whatever the descriptor. */
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	cfg.driver = "null";
	cfg.input = cfg.output = "x";
	cfg.notify_fd = fd;
	is_int(audio_open(&cfg, &a, &cause), 0, "null with notify_samples 0");
	ok(a != NULL && wait_capture(a, 2400, 3000), "ran 50 ms");
	ok(read(fd, &v, sizeof v) == -1 && errno == EAGAIN,
	    "and never wrote to the eventfd");
	audio_close(a, NULL);
	close(fd);
}

/* --- the driver threads ------------------------------------------------ */

/*
 * Find our thread called `name` in /proc and its voluntary context
 * switches (each a sleep it woke from). Returns false if there is none.
 */
static bool
thread_switches(const char *name, long *out)
{
	DIR		*d;
	struct dirent	*de;
	FILE		*f;
	char		 path[512], line[256];
	bool		 found = false;

	if ((d = opendir("/proc/self/task")) == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/status",
		    de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "Name:", 5) == 0) {
				line[strcspn(line, "\n")] = '\0';
				if (strcmp(line + 5 + strspn(line + 5, " \t"),
				    name) != 0)
					break;
				found = true;
			} else if (found && sscanf(line,
			    "voluntary_ctxt_switches: %ld", out) == 1)
				break;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * The clock and the WAV writer are named, and the writer sleeps until
 * the clock has 200 ms for it: five wake-ups a second, not fifty.
 */
static void
test_threads(void)
{
	struct audio_config	 cfg = { 0 };
	struct audio_stats	 st;
	struct audio		*a = NULL;
	char			*cause = NULL, *out;
	long			 before = 0, after = 0, clock = 0;
	SF_INFO			 info = { 0 };
	SNDFILE			*sf;

	if (access("/proc/self/task", R_OK) != 0) {
		printf("ok %d # SKIP no /proc/self/task\n", ++tap_n);
		return;
	}
	xasprintf(&out, "%s/threads.wav", tmpdir);
	cfg.driver = "file";
	cfg.output = out;
	is_int(audio_open(&cfg, &a, &cause), 0, "file driver with an output");
	if (a == NULL)
		goto out;
	stats_wait(a, &st, &(struct audio_stats){ .silence = 480 });
	ok(thread_switches("tsp-audio", &clock), "the clock thread is "
	    "called tsp-audio");
	ok(thread_switches("tsp-wav", &before), "the WAV writer is called "
	    "tsp-wav");
	audio_stats(a, &st);
	stats_wait(a, &st, &(struct audio_stats){ .silence = st.silence +
	    48000 });
	thread_switches("tsp-wav", &after);
	printf("# tsp-wav slept %ld times in 1 s of audio\n", after - before);
	ok(after - before >= 3 && after - before <= 12, "the writer woke "
	    "about five times in a second (%ld)", after - before);

	/*
	 * While the device runs, the file on disk is already a WAV holding
	 * all but the last chunk or two (the writer may not have finished
	 * the chunk it was just woken for).
	 */
	if ((sf = sf_open(out, SFM_READ, &info)) != NULL) {
		sf_close(sf);
		ok(info.frames > 0 && (uint64_t)info.frames + 2 * 9600 + 480 >=
		    st.silence, "readable while running, short of at most "
		    "two chunks (%lld frames of %llu)", (long long)info.frames,
		    (unsigned long long)st.silence);
	} else
		ok(0, "readable while running: %s", sf_strerror(NULL));
	is_int(audio_close(a, &cause), 0, "close");
out:
	unlink(out);
	free(out);
	free(cause);
}

/* --- tones ------------------------------------------------------------- */

static void
test_tones(void)
{
	struct audio_tone	 t, u;
	int16_t			*a, *b, buf[800];
	size_t			 n = 8000 * 7, i, step, peak = 0;
	double			 g440, g480, g1k;

	a = xcalloc(n, sizeof *a);
	b = xcalloc(n, sizeof *b);

	audio_tone_init_sine(&t, 8000, 1000, 0.5);
	u = t;
	audio_tone_fill(&t, a, 8000);
	for (i = 0; i < 8000; i += step) {
		step = 1 + i % 13;
		if (i + step > 8000)
			step = 8000 - i;
		audio_tone_fill(&u, b + i, step);
	}
	ok(memcmp(a, b, 8000 * sizeof *a) == 0,
	    "the sine is the same generated in one call or in odd chunks");
	g1k = goertzel(a, 8000, 1000, 8000);
	ok(fabs(g1k - 0.5 * 32767) < 0.01 * 32767, "sine at 1 kHz, half scale "
	    "(%.0f)", g1k);
	ok(goertzel(a, 8000, 1100, 8000) < 50, "and nothing at 1.1 kHz");
	for (i = 0; i < 8000; i++) {
		if ((size_t)abs(a[i]) > peak)
			peak = abs(a[i]);
	}
	ok(peak >= 16300 && peak <= 16384, "peak is half scale (%zu)", peak);

	/* Ringback: 440 + 480, 2 s on, 4 s off, then again. */
	audio_tone_init_ringback(&t, 8000);
	audio_tone_fill(&t, a, n);
	g440 = goertzel(a + 800, 8000, 440, 8000);
	g480 = goertzel(a + 800, 8000, 480, 8000);
	g1k = goertzel(a + 800, 8000, 1000, 8000);
	ok(g440 > 2000 && g480 > 2000 && fabs(g440 - g480) < 200,
	    "ringback has 440 and 480 Hz equally (%.0f, %.0f)", g440, g480);
	ok(g1k < g440 / 50, "and little else (%.0f at 1 kHz)", g1k);
	ok(rms(a + 15800, 100) > 1000, "on until 2 s");
	ok(all_zero(a + 16000, 32000), "silent from 2 s to 6 s");
	ok(rms(a + 48100, 800) > 1000, "on again at 6 s");
	ok(abs(a[0]) < 100 && abs(a[15999]) < 100,
	    "ramped at both edges (%d, %d)", a[0], a[15999]);

	/* Ringtone: two trills of E5/G5 with pauses, a 4 s cycle. */
	audio_tone_init_ringtone(&t, 8000);
	audio_tone_fill(&t, a, n);
	ok(goertzel(a + 40, 720, 659.26, 8000) > 5000 &&
	    goertzel(a + 840, 720, 783.99, 8000) > 5000,
	    "ringtone alternates 659 and 784 Hz");
	ok(goertzel(a + 40, 720, 783.99, 8000) < 1500,
	    "one note at a time");
	ok(all_zero(a + 6400, 3200), "pause after the first trill");
	ok(rms(a + 9600, 6400) > 3000, "second trill");
	ok(all_zero(a + 16000, 16000), "long pause");
	ok(goertzel(a + 32040, 720, 659.26, 8000) > 5000,
	    "the cycle starts again at 4 s");

	/* Beep: once, then silence and done. */
	audio_tone_init_beep(&t, 8000, 0, 0);
	ok(!audio_tone_done(&t), "a new beep is not done");
	audio_tone_fill(&t, a, 2000);
	ok(goertzel(a, 1200, 1000, 8000) > 3000, "beep at 1 kHz");
	ok(rms(a + 1100, 80) > 1000 && all_zero(a + 1200, 800),
	    "lasting 150 ms");
	ok(audio_tone_done(&t), "done after it");
	audio_tone_reset(&t);
	ok(!audio_tone_done(&t), "reset starts it again");

	/* DTMF. */
	is_int(audio_tone_init_dtmf(&t, 8000, 'x', 0), -1, "no DTMF for 'x'");
	is_int(audio_tone_init_dtmf(&t, 8000, '5', 0), 0, "DTMF 5");
	audio_tone_fill(&t, a, 800);
	ok(goertzel(a, 800, 770, 8000) > 2000 &&
	    goertzel(a, 800, 1336, 8000) > 2000 &&
	    goertzel(a, 800, 697, 8000) < 1000 &&
	    goertzel(a, 800, 1209, 8000) < 1000, "5 is 770 + 1336 Hz");
	ok(audio_tone_done(&t), "100 ms by default");

	/* Mixing saturates instead of wrapping. */
	for (i = 0; i < nitems(buf); i++)
		buf[i] = 30000;
	audio_tone_init_sine(&t, 8000, 500, 0.5);
	audio_tone_mix(&t, buf, nitems(buf));
	for (peak = 0, i = 0; i < nitems(buf); i++) {
		if (buf[i] < 30000 - 16400)
			peak++;
	}
	is_int(peak, 0, "mixing near full scale clips, never wraps");
	ok(buf[4] == 32767, "and reaches full scale (%d)", buf[4]);
	ok(buf[12] < 30000 - 16000, "while the troughs are mixed (%d)",
	    buf[12]);

	free(a);
	free(b);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_ring_edges();
	test_ring_stress();
	test_errors();
	test_null();
	test_file_input();
	test_file_formats();
	test_file_output();
	test_file_both();
	test_rate("null", 44100, 10);
	test_rate("null", 16000, 20);
	test_rate("file", 44100, 10);
	test_rate("file", 16000, 20);
	test_rate("file", 44100, 20);
	test_echo_ref_null();
	test_echo_ref_lockstep();
	test_file_echo();
	test_notify();
	test_threads();
	test_tones();
	rmdir(tmpdir);
	return done_testing();
}
