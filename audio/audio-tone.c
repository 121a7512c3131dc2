/*
 * audio-tone.c: the tone generators. Each sample is computed from a phase
 * accumulator per oscillator (in cycles, so it never loses precision to a
 * growing angle), which is what keeps the waveform continuous from one
 * call to the next and across steps of the cadence. Edges of the cadence
 * are ramped over a few milliseconds: a tone switched on at full level
 * clicks.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "audio-tone.h"

#define AUDIO_TONE_RAMP_MS	4
#define AUDIO_TONE_PROGRESS	0.25	/* call progress tones, ~-12 dBFS */
#define AUDIO_TONE_RING		0.5	/* the ringtone must be heard */

static void
audio_tone_init(struct audio_tone *t, unsigned int rate, double amplitude,
    bool loop, bool smooth)
{
	memset(t, 0, sizeof *t);
	t->rate = rate;
	t->amplitude = amplitude < 0 ? 0 : (amplitude > 1 ? 1 : amplitude);
	t->loop = loop;
	t->smooth = smooth;
	t->done = rate == 0;
}

static void
audio_tone_add(struct audio_tone *t, double f0, double f1, uint32_t ms)
{
	struct audio_tone_step	*s;

	if (t->nsteps == AUDIO_TONE_MAX_STEPS)
		return;
	s = &t->steps[t->nsteps++];
	s->freq[0] = (float)f0;
	s->freq[1] = (float)f1;
	s->ms = ms;
}

void
audio_tone_init_sine(struct audio_tone *t, unsigned int rate, double freq,
    double amplitude)
{
	audio_tone_init(t, rate, amplitude, true, false);
	audio_tone_add(t, freq, 0, 0);
}

void
audio_tone_init_ringback(struct audio_tone *t, unsigned int rate)
{
	audio_tone_init(t, rate, AUDIO_TONE_PROGRESS, true, true);
	audio_tone_add(t, 440, 480, 2000);
	audio_tone_add(t, 0, 0, 4000);
}

void
audio_tone_init_ringtone(struct audio_tone *t, unsigned int rate)
{
	int	burst, i;

	audio_tone_init(t, rate, AUDIO_TONE_RING, true, true);
	for (burst = 0; burst < 2; burst++) {
		for (i = 0; i < 8; i++)
			audio_tone_add(t, i % 2 == 0 ? 659.26 : 783.99, 0, 100);
		audio_tone_add(t, 0, 0, burst == 0 ? 400 : 2000);
	}
}

void
audio_tone_init_beep(struct audio_tone *t, unsigned int rate, double freq,
    unsigned int ms)
{
	audio_tone_init(t, rate, AUDIO_TONE_PROGRESS, false, true);
	audio_tone_add(t, freq > 0 ? freq : 1000, 0, ms > 0 ? ms : 150);
}

int
audio_tone_init_dtmf(struct audio_tone *t, unsigned int rate, char digit,
    unsigned int ms)
{
	static const char	 keys[] = "123A456B789C*0#D";
	static const double	 low[] = { 697, 770, 852, 941 };
	static const double	 high[] = { 1209, 1336, 1477, 1633 };
	const char		*k;

	if (digit == '\0' || (k = strchr(keys, digit)) == NULL)
		return -1;
	audio_tone_init(t, rate, AUDIO_TONE_PROGRESS, false, true);
	audio_tone_add(t, low[(k - keys) / 4], high[(k - keys) % 4],
	    ms > 0 ? ms : 100);
	return 0;
}

void
audio_tone_reset(struct audio_tone *t)
{
	t->step = 0;
	t->pos = 0;
	t->phase[0] = t->phase[1] = 0;
	t->done = t->rate == 0 || t->nsteps == 0;
}

bool
audio_tone_done(const struct audio_tone *t)
{
	return t->done || t->nsteps == 0;
}

static uint64_t
audio_tone_len(const struct audio_tone *t, const struct audio_tone_step *s)
{
	uint64_t	len;

	if (s->ms == 0)
		return UINT64_MAX;
	len = (uint64_t)s->ms * t->rate / 1000;
	return len > 0 ? len : 1;
}

/* The next sample in [-1, 1], advancing the tone. */
static double
audio_tone_next(struct audio_tone *t)
{
	const struct audio_tone_step	*s;
	uint64_t			 len, ramp;
	double				 v = 0, gain = 1;
	int				 i, voices = 0;

	if (t->done || t->nsteps == 0)
		return 0;
	s = &t->steps[t->step];
	len = audio_tone_len(t, s);
	for (i = 0; i < 2; i++) {
		if (s->freq[i] <= 0)
			continue;
		v += sin(2 * M_PI * t->phase[i]);
		t->phase[i] += s->freq[i] / t->rate;
		t->phase[i] -= floor(t->phase[i]);
		voices++;
	}
	if (voices > 1)
		v /= voices;
	if (t->smooth && voices > 0) {
		ramp = (uint64_t)t->rate * AUDIO_TONE_RAMP_MS / 1000;
		if (len != UINT64_MAX && ramp > len / 2)
			ramp = len / 2;
		if (ramp > 0 && t->pos < ramp)
			gain = (double)(t->pos + 1) / (ramp + 1);
		if (ramp > 0 && len != UINT64_MAX && len - t->pos <= ramp)
			gain = (double)(len - t->pos) / (ramp + 1);
	}
	if (++t->pos >= len) {
		t->pos = 0;
		if (++t->step == t->nsteps) {
			t->step = 0;
			if (!t->loop)
				t->done = true;
		}
	}
	return v * gain * t->amplitude;
}

void
audio_tone_fill(struct audio_tone *t, int16_t *out, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		out[i] = (int16_t)lrint(audio_tone_next(t) * 32767.0);
}

void
audio_tone_mix(struct audio_tone *t, int16_t *out, size_t n)
{
	size_t	i;
	long	v;

	for (i = 0; i < n; i++) {
		v = out[i] + lrint(audio_tone_next(t) * 32767.0);
		out[i] = (int16_t)(v > 32767 ? 32767 : (v < -32768 ? -32768 :
		    v));
	}
}
