/*
 * media-aec.c: the echo canceller and preprocessor behind media-aec.h.
 * speexdsp does the signal processing; this file owns the argument
 * checks, the choice of settings, the switch between "reference" and
 * "no reference" frames, and the ERLE statistics.
 *
 * The reference is already aligned by the device, so the canceller is
 * fed with speex_echo_cancellation() and not through speexdsp's own
 * playback/capture buffering, which guesses the offset from call order.
 *
 * speexdsp's preprocessor applies its spectral gains (and with them the
 * residual echo suppression) only while its denoiser is on. So when an
 * echo canceller runs, the denoiser is always on; with noise
 * suppression off its noise floor is 0 dB, which leaves stationary
 * noise (and steady tones) alone while residual echo is still taken out.
 *
 * Residual echo suppression (MEDIA_AEC_ECHO_SUPPRESS*). speexdsp's
 * linear filter is slow to learn a long tail: with 200 ms it leaves
 * the echo only 10-20 dB down for the first seconds of far-end speech
 * and ~25 dB down after that, and less on a real device whose speaker
 * distorts. The post-filter must take it the rest of the way, and it
 * does so from its estimate of the residual, with a floor below which
 * it does not push. Echo at the microphone looks like speech to the
 * preprocessor, so the floor that counts while the far end talks is
 * mostly the "active" one, not the far-end-only one:
 *
 * - 40 dB while no near-end speech is seen (speexdsp's default): the
 *   residual then goes under the room noise of any ordinary device;
 *   deeper made no measurable difference (test-aec, 60 and 80 dB).
 * - 25 dB while it sees speech, where speexdsp has 15. In test-aec this
 *   takes the echo 1.4-2.4 dB further down (48 kHz, 2 s on: 31.0 ->
 *   32.4 dB, with ns 32.8 -> 35.2 dB) and costs the near end nothing
 *   measurable in double talk (a near-end voice as loud as the echo
 *   loses 1.9 dB at 15 and at 25, a 600 Hz tone 0.8 dB at both): the
 *   suppressor's gain stays near 1 wherever the near end dominates a
 *   band, so the floor only matters in bands the echo owns. 30 and 40
 *   bought 0.2-0.4 dB more, against a harder gating of near-end speech
 *   in those bands that the level figures cannot show.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include "media-aec.h"
#include "util.h"

/* Noise suppression depth in dB (speexdsp's default). */
#define MEDIA_AEC_NOISE_SUPPRESS	15
/* A far-end frame counts for ERLE when its RMS is above -50 dBFS. */
#define MEDIA_AEC_ACTIVE_RMS	104.0

struct media_aec {
	struct media_aec_config	 cfg;
	SpeexEchoState		*echo;		/* NULL: tail 0 */
	SpeexPreprocessState	*pre;		/* NULL: nothing to do */
	bool			 attached;	/* pre sees echo's residual */
	int16_t			*buf;		/* one frame */

	/* ERLE: the window being filled, and the last complete one. */
	double			 mic_e, out_e;
	unsigned int		 samples;	/* in the window, all frames */
	unsigned int		 active;	/* far-end frames in it */
	double			 last_mic_e, last_out_e;
	unsigned int		 last_active;
	double			 active_e;	/* per-frame threshold */
};

static int
media_aec_check(const struct media_aec_config *c, char **cause)
{
	const char	*why = NULL;

	if (c->rate < MEDIA_AEC_MIN_RATE || c->rate > MEDIA_AEC_MAX_RATE)
		why = "rate must be 8000..48000 Hz";
	else if (c->frame == 0 || (uint64_t)c->frame * 400 < c->rate ||
	    (uint64_t)c->frame * 25 > c->rate)
		why = "frame must be 2.5..40 ms";
	else if (c->tail_ms > MEDIA_AEC_MAX_TAIL_MS)
		why = "echo tail must be 0..1000 ms";
	if (why == NULL)
		return 0;
	if (cause != NULL)
		xasprintf(cause, "echo canceller: %s (rate %u, frame %u, "
		    "tail %u ms)", why, c->rate, c->frame, c->tail_ms);
	return -EINVAL;
}

/* Denoise on when asked, or whenever the residual echo must be taken out. */
static void
media_aec_attach(struct media_aec *a, bool attach)
{
	spx_int32_t	 on;

	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_STATE,
	    attach ? a->echo : NULL);
	on = a->cfg.noise_suppression || attach;
	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
	a->attached = attach;
}

int
media_aec_alloc(struct media_aec **out, const struct media_aec_config *cfg,
    char **cause)
{
	struct media_aec	*a;
	spx_int32_t		 v;
	int			 rate, tail;

	if (cause != NULL)
		*cause = NULL;
	if (out == NULL || cfg == NULL) {
		if (cause != NULL)
			xasprintf(cause, "echo canceller: no configuration");
		return -EINVAL;
	}
	if (media_aec_check(cfg, cause) != 0)
		return -EINVAL;

	a = xcalloc(1, sizeof *a);
	a->cfg = *cfg;
	a->buf = xcalloc(cfg->frame, sizeof *a->buf);
	a->active_e = MEDIA_AEC_ACTIVE_RMS * MEDIA_AEC_ACTIVE_RMS * cfg->frame;

	rate = (int)cfg->rate;
	if (cfg->tail_ms > 0) {
		tail = (int)((uint64_t)cfg->rate * cfg->tail_ms / 1000);
		a->echo = speex_echo_state_init((int)cfg->frame, tail);
		if (a->echo == NULL)
			goto fail;
		speex_echo_ctl(a->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	}
	if (a->echo != NULL || cfg->noise_suppression || cfg->agc) {
		a->pre = speex_preprocess_state_init((int)cfg->frame, rate);
		if (a->pre == NULL)
			goto fail;
		/* Noise off means a 0 dB floor, not denoise off: see above. */
		v = cfg->noise_suppression ? -MEDIA_AEC_NOISE_SUPPRESS : 0;
		speex_preprocess_ctl(a->pre,
		    SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &v);
		v = -MEDIA_AEC_ECHO_SUPPRESS;
		speex_preprocess_ctl(a->pre,
		    SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &v);
		v = -MEDIA_AEC_ECHO_SUPPRESS_ACTIVE;
		speex_preprocess_ctl(a->pre,
		    SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &v);
		v = cfg->agc;
		speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_AGC, &v);
		media_aec_attach(a, a->echo != NULL);
	}
	*out = a;
	return 0;

fail:
	if (cause != NULL)
		xasprintf(cause, "echo canceller: speexdsp refused rate %u, "
		    "frame %u, tail %u ms", cfg->rate, cfg->frame,
		    cfg->tail_ms);
	media_aec_free(a);
	return -EINVAL;
}

void
media_aec_free(struct media_aec *a)
{
	if (a == NULL)
		return;
	if (a->pre != NULL)
		speex_preprocess_state_destroy(a->pre);
	if (a->echo != NULL)
		speex_echo_state_destroy(a->echo);
	free(a->buf);
	free(a);
}

static double
media_aec_energy(const int16_t *x, unsigned int n)
{
	int64_t		 e = 0;
	unsigned int	 i;

	for (i = 0; i < n; i++)
		e += (int32_t)x[i] * x[i];
	return (double)e;
}

static void
media_aec_account(struct media_aec *a, const int16_t *mic, const int16_t *ref)
{
	if (ref != NULL && media_aec_energy(ref, a->cfg.frame) >= a->active_e) {
		a->mic_e += media_aec_energy(mic, a->cfg.frame);
		a->out_e += media_aec_energy(a->buf, a->cfg.frame);
		a->active++;
	}
	a->samples += a->cfg.frame;
	if (a->samples < a->cfg.rate)
		return;
	a->last_mic_e = a->mic_e;
	a->last_out_e = a->out_e;
	a->last_active = a->active;
	a->mic_e = a->out_e = 0.0;
	a->samples = a->active = 0;
}

void
media_aec_process(struct media_aec *a, const int16_t *mic, const int16_t *ref,
    int16_t *out)
{
	size_t	size = a->cfg.frame * sizeof *a->buf;

	/*
	 * speex_echo_cancellation() reads MIC again after writing its
	 * output, so the two must not overlap: it writes into BUF.
	 */
	if (a->echo != NULL && ref != NULL) {
		if (!a->attached)
			media_aec_attach(a, true);
		speex_echo_cancellation(a->echo, mic, ref, a->buf);
	} else {
		/*
		 * No echo estimate for this frame: the last one belongs to
		 * a frame that went through the canceller, not to this one.
		 */
		if (a->attached)
			media_aec_attach(a, false);
		memcpy(a->buf, mic, size);
	}
	if (a->pre != NULL)
		speex_preprocess_run(a->pre, a->buf);
	if (a->echo != NULL)
		media_aec_account(a, mic, ref);
	memcpy(out, a->buf, size);
}

void
media_aec_reset(struct media_aec *a)
{
	if (a->echo != NULL)
		speex_echo_state_reset(a->echo);
	a->mic_e = a->out_e = 0.0;
	a->samples = a->active = 0;
	a->last_mic_e = a->last_out_e = 0.0;
	a->last_active = 0;
}

double
media_aec_erle(const struct media_aec *a)
{
	if (a->echo == NULL || a->last_active == 0 || a->last_mic_e <= 0.0)
		return NAN;
	/* A silent output reads as one LSB: a large number, not infinity. */
	return 10.0 * log10(a->last_mic_e /
	    (a->last_out_e > 1.0 ? a->last_out_e : 1.0));
}

const struct media_aec_config *
media_aec_config(const struct media_aec *a)
{
	return &a->cfg;
}
