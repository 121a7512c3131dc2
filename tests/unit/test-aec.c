/*
 * test-aec.c: the echo canceller (media-aec.c) in a simulated room: a
 * speech-like far end, its echo at the microphone 60 ms later and 6 dB
 * down over a little noise, and a near end that is silent, plays a
 * 600 Hz tone or talks over the far end (double talk). It measures how
 * far the echo goes down and how much of the near end survives, at
 * 48000, 44100 and 16000 Hz with 20 ms frames and a 200 ms tail; then
 * the preprocessor alone, the AGC, in-place frames, the ERLE figure,
 * reset and the argument checks.
 *
 * Every figure is printed as a TAP comment, so the log of "make check"
 * shows the margins and not only pass or fail.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media-aec.h"
#include "tap.h"
#include "tone.h"
#include "util.h"

#define SECONDS		8.0
#define CONVERGE_S	2.0	/* the echo path should be learnt by then */
#define ECHO_DELAY_MS	60
#define ECHO_GAIN	0.5	/* -6 dB */
#define FAR_DBFS	(-20.0)	/* far-end RMS over the whole signal */
#define NEAR_DBFS	(-26.0)	/* near end: as loud as the echo */
#define NOISE_DBFS	(-70.0)	/* microphone noise */
#define TONE_HZ		600.0
#define TAIL_MS		200

/*
 * The product needs the echo 25 dB down end to end; the canceller alone
 * must do better, and speexdsp builds differ by a dB or so.
 */
#define MIN_ERLE_DB	28.0
/* Far-end speech with half of every syllable silent: see talker(). */
#define MIN_ERLE_CHOPPY_DB 20.0
/*
 * Echo left in the pauses of double talk: the filter has not diverged.
 * A near-end voice as loud as the echo from the moment the path is
 * learnt holds it back (~20 dB at 48 kHz, against 26-30 with a tone).
 */
#define MIN_ERLE_GAPS_DB 15.0
/* The near end at most this far down in the output. */
#define MAX_NEAR_LOSS_DB 3.0

static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Uniform in [-1, 1). */
static double
rng_uniform(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / (double)(1ULL << 52) - 1.0;
}

/* A two-pole resonator at F Hz, bandwidth BW Hz. */
struct reso {
	double	 y1, y2;
};

static double
reso_run(struct reso *r, double x, double f, double bw, double rate)
{
	double	 rad, c, y;

	rad = exp(-M_PI * bw / rate);
	c = 2.0 * rad * cos(2.0 * M_PI * f / rate);
	y = (1.0 - rad) * x + c * r->y1 - rad * rad * r->y2;
	r->y2 = r->y1;
	r->y1 = y;
	return y;
}

struct voice {
	double	 f0;		/* mean pitch, Hz */
	bool	 choppy;	/* syllables fall to silence */
};

static const struct voice voice_far = { 140.0, false };
static const struct voice voice_choppy = { 140.0, true };
static const struct voice voice_near = { 210.0, false };

/*
 * Something with the statistics of speech that a canceller cares
 * about, deterministic from SEED: a sawtooth glottal source whose pitch
 * wanders by +-30 %, mixed with breath noise, through two gliding
 * formants (F1 300-700 Hz, F2 900-2100 Hz), under a syllable envelope
 * at ~3 Hz and in phrases of 1.7 s with 0.4 s pauses. Within a phrase
 * the envelope swings by 14 dB, as speech does (vowels, consonants,
 * transitions); CHOPPY makes half of every syllable silent instead,
 * which is harsher than speech: the canceller learns only while the
 * far end has energy. Scaled to RMS_DBFS over the whole signal.
 */
static void
talker(double *x, size_t n, double rate, uint64_t seed,
    const struct voice *v, double rms_dbfs)
{
	struct reso	 f1 = { 0, 0 }, f2 = { 0, 0 };
	double		 t, phase = 0.0, f0, src, syl, phrase, e = 0.0;
	double		 p1, p2, g;
	size_t		 i;

	p1 = (double)(seed % 97) / 97.0 * 2.0 * M_PI;
	p2 = (double)(seed % 89) / 89.0 * 2.0 * M_PI;
	for (i = 0; i < n; i++) {
		t = (double)i / rate;
		f0 = v->f0 * (1.0 + 0.2 * sin(2.0 * M_PI * 0.7 * t + p1) +
		    0.1 * sin(2.0 * M_PI * 2.3 * t + p2));
		phase += f0 / rate;
		if (phase >= 1.0)
			phase -= 1.0;
		src = 0.8 * (2.0 * phase - 1.0) + 0.3 * rng_uniform(&seed);
		syl = sin(2.0 * M_PI * 3.1 * t + 0.8 * sin(2.0 * M_PI *
		    0.37 * t + p1));
		if (v->choppy)
			syl = syl > 0.0 ? sqrt(syl) : 0.0;
		else
			syl = 0.2 + 0.8 * (0.5 + 0.5 * syl);
		phrase = fmod(t + p2 / 10.0, 2.1) < 1.7 ? 1.0 : 0.0;
		x[i] = syl * phrase * (
		    reso_run(&f1, src, 500.0 + 200.0 * sin(2.0 * M_PI * 1.3 *
		    t + p2), 90.0, rate) +
		    0.6 * reso_run(&f2, src, 1500.0 + 600.0 * sin(2.0 * M_PI *
		    0.9 * t + p1), 140.0, rate));
		e += x[i] * x[i];
	}
	g = pow(10.0, rms_dbfs / 20.0) * 32768.0 / sqrt(e / (double)n);
	for (i = 0; i < n; i++)
		x[i] *= g;
}

static int16_t
clip16(double v)
{
	v = lrint(v);
	if (v > 32767.0)
		return 32767;
	if (v < -32768.0)
		return -32768;
	return (int16_t)v;
}

/* What the test puts in front of the microphone besides the echo. */
enum near_kind {
	NEAR_SILENT,
	NEAR_BURSTS,		/* 600 Hz, 400 ms on, 600 ms off, from 2 s */
	NEAR_STEADY,		/* 600 Hz from 2 s to the end */
	NEAR_TALK,		/* another voice, 1 s on, 1 s off, from 2 s */
};

/* Is the near end on at T, and since when? */
static bool
near_on(enum near_kind k, double t, double *since)
{
	double	 pos;

	if (k == NEAR_SILENT || t < CONVERGE_S)
		return false;
	switch (k) {
	case NEAR_STEADY:
		*since = CONVERGE_S;
		return true;
	case NEAR_BURSTS:
		pos = fmod(t - CONVERGE_S, 1.0);
		*since = t - pos;
		return pos < 0.4;
	default:
		pos = fmod(t - CONVERGE_S, 2.0);
		*since = t - pos;
		return pos < 1.0;
	}
}

struct room {
	double		 rate;
	unsigned int	 frame;
	size_t		 n;
	int16_t		*ref;		/* far end, as played */
	int16_t		*mic;
	double		*echo;		/* the echo (and noise) alone */
	double		*near;		/* the near end alone */
	int16_t		*out;
};

static void
room_make(struct room *r, unsigned int rate, const struct voice *far_voice,
    enum near_kind k, uint64_t seed)
{
	double		*far, since, amp, noise;
	size_t		 i, d;
	uint64_t	 ns = seed * 7 + 1;

	r->rate = rate;
	r->frame = rate / 50;
	r->n = (size_t)(SECONDS * rate);
	far = xcalloc(r->n, sizeof *far);
	r->ref = xcalloc(r->n, sizeof *r->ref);
	r->mic = xcalloc(r->n, sizeof *r->mic);
	r->echo = xcalloc(r->n, sizeof *r->echo);
	r->near = xcalloc(r->n, sizeof *r->near);
	r->out = xcalloc(r->n, sizeof *r->out);
	talker(far, r->n, rate, seed, far_voice, FAR_DBFS);
	if (k == NEAR_TALK)
		talker(r->near, r->n, rate, seed * 3 + 11, &voice_near,
		    NEAR_DBFS);
	d = (size_t)rate * ECHO_DELAY_MS / 1000;
	amp = pow(10.0, NEAR_DBFS / 20.0) * 32768.0 * sqrt(2.0);
	noise = pow(10.0, NOISE_DBFS / 20.0) * 32768.0 * sqrt(3.0);
	for (i = 0; i < r->n; i++) {
		r->ref[i] = clip16(far[i]);
		r->echo[i] = (i >= d ? ECHO_GAIN * r->ref[i - d] : 0.0) +
		    noise * rng_uniform(&ns);
		if (!near_on(k, (double)i / rate, &since))
			r->near[i] = 0.0;
		else if (k != NEAR_TALK)
			r->near[i] = amp * sin(2.0 * M_PI * TONE_HZ *
			    ((double)i / rate - since));
		r->mic[i] = clip16(r->echo[i] + r->near[i]);
	}
	free(far);
}

static void
room_free(struct room *r)
{
	free(r->ref);
	free(r->mic);
	free(r->echo);
	free(r->near);
	free(r->out);
}

static struct media_aec *
aec_new(unsigned int rate, unsigned int tail_ms, bool ns, bool agc)
{
	struct media_aec_config	 c;
	struct media_aec	*a = NULL;
	char			*cause = NULL;

	memset(&c, 0, sizeof c);
	c.rate = rate;
	c.frame = rate / 50;
	c.tail_ms = tail_ms;
	c.noise_suppression = ns;
	c.agc = agc;
	if (media_aec_alloc(&a, &c, &cause) != 0) {
		printf("# alloc: %s\n", cause);
		free(cause);
		return NULL;
	}
	return a;
}

/* Run the room through a new canceller; false if it could not be made. */
static bool
room_run(struct room *r, bool ns, double *erle_last)
{
	struct media_aec	*a;
	size_t			 i;

	a = aec_new((unsigned int)r->rate, TAIL_MS, ns, false);
	if (a == NULL)
		return false;
	for (i = 0; i + r->frame <= r->n; i += r->frame)
		media_aec_process(a, r->mic + i, r->ref + i, r->out + i);
	if (erle_last != NULL)
		*erle_last = media_aec_erle(a);
	media_aec_free(a);
	return true;
}

static double
energy16(const int16_t *x, size_t from, size_t to)
{
	double	 e = 0.0;
	size_t	 i;

	for (i = from; i < to; i++)
		e += (double)x[i] * x[i];
	return e;
}

static double
energyd(const double *x, size_t from, size_t to)
{
	double	 e = 0.0;
	size_t	 i;

	for (i = from; i < to; i++)
		e += x[i] * x[i];
	return e;
}

static double
db(double ratio)
{
	return 10.0 * log10(ratio);
}

/* Power at TONE_HZ of X[from..to) (Goertzel, tests/tools/tone.c). */
static double
tone_power(const int16_t *x, size_t from, size_t to, double rate)
{
	double	*d, ratio, rms;
	size_t	 i;

	d = xcalloc(to - from, sizeof *d);
	for (i = from; i < to; i++)
		d[i - from] = x[i] / 32768.0;
	ratio = tone_ratio(d, to - from, rate, TONE_HZ, &rms);
	free(d);
	/* The share of the energy at the frequency, times the energy. */
	return ratio * rms * rms;
}

/*
 * The ERLE media_aec_erle() should report for the last complete second:
 * mic over output energy in the frames whose reference is above
 * -50 dBFS.
 */
static double
erle_last_second(const struct room *r)
{
	double	 em = 0.0, eo = 0.0, thr;
	size_t	 from, i;

	thr = 104.0 * 104.0 * r->frame;
	from = (r->n / (size_t)r->rate - 1) * (size_t)r->rate;
	for (i = from; i + r->frame <= from + (size_t)r->rate;
	    i += r->frame) {
		if (energy16(r->ref, i, i + r->frame) < thr)
			continue;
		em += energy16(r->mic, i, i + r->frame);
		eo += energy16(r->out, i, i + r->frame);
	}
	return db(em / (eo > 1.0 ? eo : 1.0));
}

/* --- the echo alone -------------------------------------------------- */

static void
test_echo(unsigned int rate, const struct voice *v, bool ns, double min)
{
	struct room	 r;
	double		 erle, last = NAN, want;
	size_t		 from;
	const char	*what = v->choppy ? "choppy speech" : "speech";

	room_make(&r, rate, v, NEAR_SILENT, 12345);
	if (!room_run(&r, ns, &last)) {
		ok(0, "%u Hz: allocated", rate);
		room_free(&r);
		return;
	}
	from = (size_t)(CONVERGE_S * rate);
	erle = db(energyd(r.echo, from, r.n) /
	    (energy16(r.out, from, r.n) + 1.0));
	printf("# %u Hz, %s, ns %s: echo %.1f dB down from %.0f s on\n", rate,
	    what, ns ? "on" : "off", erle, CONVERGE_S);
	ok(erle >= min, "%u Hz, %s, ns %s: echo at least %.0f dB down (%.1f)",
	    rate, what, ns ? "on" : "off", min, erle);
	if (!v->choppy && !ns) {
		want = erle_last_second(&r);
		ok(fabs(last - want) < 0.01, "%u Hz: media_aec_erle is the "
		    "last second's far-end frames (%.2f, want %.2f dB)", rate,
		    last, want);
	}
	room_free(&r);
}

/* --- double talk ----------------------------------------------------- */

/*
 * The near end in the output against the microphone, in dB, over the
 * 50 ms windows inside the near end's bursts (after convergence): the
 * power at 600 Hz for a tone, the energy against the clean near end
 * for a voice.
 */
static double
near_kept(const struct room *r, enum near_kind k)
{
	double	 win = 0.05, t, since, pin = 0.0, pout = 0.0;
	size_t	 w, from;

	w = (size_t)(win * r->rate);
	for (from = (size_t)(CONVERGE_S * r->rate); from + w <= r->n;
	    from += w) {
		t = (double)from / r->rate;
		if (!near_on(k, t, &since) ||
		    !near_on(k, t + win - 1.0 / r->rate, &since))
			continue;
		if (k == NEAR_TALK) {
			pin += energyd(r->near, from, from + w);
			pout += energy16(r->out, from, from + w);
		} else {
			pin += tone_power(r->mic, from, from + w, r->rate);
			pout += tone_power(r->out, from, from + w, r->rate);
		}
	}
	return pin > 0.0 ? db(pout / pin) : -INFINITY;
}

/* Echo left where the near end is quiet (and 100 ms after it stops). */
static double
gaps_erle(const struct room *r, enum near_kind k)
{
	double	 since, ein = 0.0, eout = 0.0, t;
	size_t	 i;

	for (i = (size_t)(CONVERGE_S * r->rate); i < r->n; i++) {
		t = (double)i / r->rate;
		if (near_on(k, t, &since) || near_on(k, t - 0.1, &since))
			continue;
		ein += r->echo[i] * r->echo[i];
		eout += (double)r->out[i] * r->out[i];
	}
	return db(ein / (eout + 1.0));
}

static const char *
near_name(enum near_kind k)
{
	switch (k) {
	case NEAR_BURSTS:
		return "600 Hz bursts";
	case NEAR_STEADY:
		return "steady 600 Hz";
	case NEAR_TALK:
		return "near-end voice";
	default:
		return "silence";
	}
}

static void
test_talk(unsigned int rate, enum near_kind k, bool ns)
{
	struct room	 r;
	double		 kept, gaps;

	room_make(&r, rate, &voice_far, k, 777);
	if (!room_run(&r, ns, NULL)) {
		ok(0, "%u Hz: allocated", rate);
		room_free(&r);
		return;
	}
	kept = near_kept(&r, k);
	if (k == NEAR_STEADY) {
		printf("# %u Hz, %s, ns %s: tone %+.1f dB\n", rate,
		    near_name(k), ns ? "on" : "off", kept);
		/*
		 * The denoiser learns a tone that never stops as noise, and
		 * takes it down by up to its 15 dB: that is its job. Only
		 * without it must a steady tone come through.
		 */
		if (!ns)
			ok(kept >= -MAX_NEAR_LOSS_DB, "%u Hz, steady tone, "
			    "ns off: kept within %.0f dB (%+.1f)", rate,
			    MAX_NEAR_LOSS_DB, kept);
		else
			ok(kept < 0.0, "%u Hz, steady tone, ns on: the "
			    "denoiser takes it for noise (%+.1f dB)", rate,
			    kept);
		room_free(&r);
		return;
	}
	gaps = gaps_erle(&r, k);
	printf("# %u Hz, %s, ns %s: near end %+.1f dB, echo in the pauses "
	    "%.1f dB down\n", rate, near_name(k), ns ? "on" : "off", kept,
	    gaps);
	ok(kept >= -MAX_NEAR_LOSS_DB, "%u Hz, %s, ns %s: near end kept "
	    "within %.0f dB (%+.1f)", rate, near_name(k), ns ? "on" : "off",
	    MAX_NEAR_LOSS_DB, kept);
	ok(gaps >= MIN_ERLE_GAPS_DB, "%u Hz, %s, ns %s: echo still %.0f dB "
	    "down between bursts (%.1f)", rate, near_name(k),
	    ns ? "on" : "off", MIN_ERLE_GAPS_DB, gaps);
	room_free(&r);
}

/* --- without a reference --------------------------------------------- */

static void
test_no_ref_after_echo(void)
{
	struct room		 r;
	struct media_aec	*a;
	int16_t			*x, *y;
	size_t			 i, n = 48000, from = 4800, cut = 0;
	double			 pin, pout, e, loudest = 0.0;

	room_make(&r, 48000, &voice_far, NEAR_SILENT, 5);
	x = xcalloc(n, sizeof *x);
	y = xcalloc(n, sizeof *y);
	for (i = 0; i < n; i++)
		x[i] = clip16(1500.0 * sin(2.0 * M_PI * TONE_HZ * i /
		    48000.0));
	a = aec_new(48000, TAIL_MS, false, false);
	ok(a != NULL, "tail %d: allocated", TAIL_MS);
	if (a != NULL) {
		/* Stop on the loudest far-end frame of the last 2 s. */
		for (i = 6 * 48000; i + r.frame <= r.n; i += r.frame) {
			e = energy16(r.ref, i, i + r.frame);
			if (e > loudest) {
				loudest = e;
				cut = i + r.frame;
			}
		}
		for (i = 0; i + r.frame <= cut; i += r.frame)
			media_aec_process(a, r.mic + i, r.ref + i, r.out + i);
		ok(media_aec_erle(a) > 20.0, "the echo path is learnt "
		    "(%.1f dB)", media_aec_erle(a));
		for (i = 0; i + r.frame <= n; i += r.frame)
			media_aec_process(a, x + i, NULL, y + i);
		/* From 100 ms on: the overlap of the last echo frames. */
		pin = tone_power(x, from, n, 48000.0);
		pout = tone_power(y, from, n, 48000.0);
		ok(fabs(db(pout / pin)) < 1.0, "then ref NULL: a near-end "
		    "tone at -29 dBFS comes through (%+.2f dB)",
		    db(pout / pin));
		media_aec_free(a);
	}
	free(x);
	free(y);
	room_free(&r);
}

static void
test_no_ref(void)
{
	struct media_aec	*a;
	int16_t			*x, *y;
	size_t			 n = 48000 * 3, i, frame = 960, from;
	uint64_t		 s = 99;
	double			 ein, eout;

	x = xcalloc(n, sizeof *x);
	y = xcalloc(n, sizeof *y);

	/* Tail 0, nothing asked: the frames come out as they went in. */
	for (i = 0; i < n; i++)
		x[i] = clip16(3000.0 * rng_uniform(&s));
	a = aec_new(48000, 0, false, false);
	ok(a != NULL, "tail 0, no ns, no agc: allocated");
	if (a != NULL) {
		for (i = 0; i + frame <= n; i += frame)
			media_aec_process(a, x + i, NULL, y + i);
		ok(memcmp(x, y, n * sizeof *x) == 0, "... and passes frames "
		    "through untouched");
		ok(isnan(media_aec_erle(a)), "... and has no ERLE");
		media_aec_free(a);
	}

	/* Tail 0 with the denoiser: steady noise goes down. */
	for (i = 0; i < n; i++)
		x[i] = clip16(300.0 * rng_uniform(&s));	/* -44 dBFS */
	a = aec_new(48000, 0, true, false);
	ok(a != NULL, "tail 0 with ns: allocated");
	if (a != NULL) {
		for (i = 0; i + frame <= n; i += frame)
			media_aec_process(a, x + i, NULL, y + i);
		from = 48000;
		ein = energy16(x, from, n);
		eout = energy16(y, from, n);
		printf("# tail 0, ns on, white noise: %.1f dB down\n",
		    db(ein / (eout + 1.0)));
		ok(db(ein / (eout + 1.0)) >= 6.0, "... takes white noise "
		    "down by at least 6 dB (%.1f)", db(ein / (eout + 1.0)));
		media_aec_free(a);
	}

	/*
	 * A canceller that has learnt an echo path and then gets no
	 * reference: the preprocessor alone, and the near end comes out.
	 */
	test_no_ref_after_echo();
	free(x);
	free(y);
}

/* --- AGC ------------------------------------------------------------- */

static void
test_agc(void)
{
	struct media_aec	*a;
	double			*v;
	int16_t			*x, *y;
	size_t			 n = 16000 * 8, i, frame = 320, from;
	double			 gain[2];
	int			 on;

	v = xcalloc(n, sizeof *v);
	x = xcalloc(n, sizeof *x);
	y = xcalloc(n, sizeof *y);
	talker(v, n, 16000.0, 4242, &voice_near, -45.0);
	for (i = 0; i < n; i++)
		x[i] = clip16(v[i]);
	for (on = 0; on < 2; on++) {
		gain[on] = -INFINITY;
		a = aec_new(16000, 0, false, on);
		if (a == NULL)
			continue;
		for (i = 0; i + frame <= n; i += frame)
			media_aec_process(a, x + i, NULL, y + i);
		from = 16000 * 5;
		gain[on] = db(energy16(y, from, n) / energy16(x, from, n));
		media_aec_free(a);
	}
	printf("# quiet talker at -45 dBFS: agc off %+.1f dB, on %+.1f dB\n",
	    gain[0], gain[1]);
	ok(fabs(gain[0]) < 0.5, "agc off: level unchanged (%+.1f dB)",
	    gain[0]);
	ok(gain[1] >= 10.0, "agc on: a quiet talker is raised by 10 dB or "
	    "more after 5 s (%+.1f dB)", gain[1]);
	free(v);
	free(x);
	free(y);
}

/* --- in place, reset ------------------------------------------------- */

static void
test_in_place_reset(void)
{
	struct room		 r;
	struct media_aec	*a, *b;
	int16_t			*in_place;
	size_t			 i;
	double			 before, after;

	room_make(&r, 16000, &voice_far, NEAR_TALK, 31);
	in_place = xcalloc(r.n, sizeof *in_place);
	memcpy(in_place, r.mic, r.n * sizeof *in_place);
	a = aec_new(16000, TAIL_MS, true, false);
	b = aec_new(16000, TAIL_MS, true, false);
	ok(a != NULL && b != NULL, "two cancellers");
	if (a == NULL || b == NULL)
		goto out;
	for (i = 0; i + r.frame <= r.n; i += r.frame) {
		media_aec_process(a, r.mic + i, r.ref + i, r.out + i);
		media_aec_process(b, in_place + i, r.ref + i, in_place + i);
	}
	ok(memcmp(r.out, in_place, r.n * sizeof *in_place) == 0,
	    "OUT may be MIC: the same result in place");

	before = media_aec_erle(a);
	media_aec_reset(a);
	ok(isfinite(before) && isnan(media_aec_erle(a)),
	    "reset forgets the ERLE (%.1f dB before)", before);
	/* The path is learnt again: run the same room once more. */
	for (i = 0; i + r.frame <= r.n; i += r.frame)
		media_aec_process(a, r.mic + i, r.ref + i, r.out + i);
	after = media_aec_erle(a);
	ok(isfinite(after) && after > 15.0, "after reset it converges again "
	    "(%.1f dB)", after);
out:
	media_aec_free(a);
	media_aec_free(b);
	free(in_place);
	room_free(&r);
}

/* --- arguments ------------------------------------------------------- */

static void
test_alloc(void)
{
	static const struct {
		unsigned int	 rate, frame, tail;
		const char	*word;
	} bad[] = {
		{ 0, 160, 100, "rate" },
		{ 7999, 160, 100, "rate" },
		{ 96000, 1920, 100, "rate" },
		{ 16000, 0, 100, "frame" },
		{ 16000, 39, 100, "frame" },	/* < 2.5 ms */
		{ 16000, 641, 100, "frame" },	/* > 40 ms */
		{ 16000, 320, 1001, "tail" },
		{ 16000, 320, 100000, "tail" },
	};
	struct media_aec_config	 c;
	struct media_aec	*a, *sentinel = (struct media_aec *)&c;
	char			*cause;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(bad); i++) {
		memset(&c, 0, sizeof c);
		c.rate = bad[i].rate;
		c.frame = bad[i].frame;
		c.tail_ms = bad[i].tail;
		a = sentinel;
		cause = NULL;
		rc = media_aec_alloc(&a, &c, &cause);
		ok(rc == -EINVAL && a == sentinel && cause != NULL &&
		    strstr(cause, bad[i].word) != NULL,
		    "rate %u, frame %u, tail %u: refused (%s)", c.rate,
		    c.frame, c.tail_ms, cause != NULL ? cause : "no cause");
		free(cause);
	}
	c.rate = 0;
	ok(media_aec_alloc(&a, &c, NULL) == -EINVAL, "CAUSE may be NULL");
	cause = NULL;
	ok(media_aec_alloc(&a, NULL, &cause) == -EINVAL && cause != NULL,
	    "no configuration: refused (%s)", cause != NULL ? cause : "");
	free(cause);

	memset(&c, 0, sizeof c);
	c.rate = 44100;
	c.frame = 441;
	c.tail_ms = 1000;
	c.noise_suppression = true;
	c.agc = true;
	a = NULL;
	ok(media_aec_alloc(&a, &c, NULL) == 0 && a != NULL &&
	    media_aec_config(a)->frame == 441 &&
	    media_aec_config(a)->tail_ms == 1000,
	    "44100 Hz, 10 ms frames, 1 s tail, ns and agc: allocated");
	media_aec_free(a);
	media_aec_free(NULL);
}

int
main(void)
{
	static const unsigned int rates[] = { 48000, 44100, 16000 };
	size_t		 i;

	for (i = 0; i < nitems(rates); i++) {
		test_echo(rates[i], &voice_far, false, MIN_ERLE_DB);
		test_echo(rates[i], &voice_far, true, MIN_ERLE_DB);
		test_echo(rates[i], &voice_choppy, false, MIN_ERLE_CHOPPY_DB);
		test_echo(rates[i], &voice_choppy, true, MIN_ERLE_CHOPPY_DB);
	}
	for (i = 0; i < nitems(rates); i++) {
		test_talk(rates[i], NEAR_BURSTS, false);
		test_talk(rates[i], NEAR_BURSTS, true);
		test_talk(rates[i], NEAR_TALK, false);
		test_talk(rates[i], NEAR_TALK, true);
		test_talk(rates[i], NEAR_STEADY, false);
		test_talk(rates[i], NEAR_STEADY, true);
	}
	test_no_ref();
	test_agc();
	test_in_place_reset();
	test_alloc();
	return done_testing();
}
