/*
 * media-g711.c: G.711 companding and loss concealment. Small enough to be
 * ours, and easy to get subtly wrong, so the rules are those of the ITU-T
 * G.191 software tools (the reference every G.711 test vector comes
 * from): negative samples are coded from their one's complement, mu-law
 * works on the 14 most significant bits with a bias of 33, A-law on the
 * 12 most significant bits, and the even bits of A-law codes are
 * inverted (XOR 0x55) on the line.
 *
 * The concealer is a simplified G.711 Appendix I: pitch-period
 * repetition with attenuation. It has no look-ahead delay (Appendix I
 * delays output by 3.75 ms to overlap-add the start of the loss); instead
 * the first quarter period of synthetic signal carries a decaying offset
 * that joins it to the last real sample, which avoids the click without
 * adding latency.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "media-g711.h"
#include "util.h"

/* Number of significant bits of V (0 for 0). */
static int
media_g711_bits(unsigned int v)
{
	return v == 0 ? 0 : 32 - __builtin_clz(v);
}

uint8_t
media_g711_ulaw_encode(int16_t x)
{
	unsigned int	 mag, e, m;
	uint8_t		 sign;

	if (x < 0) {
		mag = (unsigned int)~x;		/* -x - 1: no overflow */
		sign = 0x00;
	} else {
		mag = (unsigned int)x;
		sign = 0x80;
	}
	mag = (mag >> 2) + 33;
	if (mag > 0x1fff)
		mag = 0x1fff;
	e = (unsigned int)media_g711_bits(mag >> 6);	/* segment 0..7 */
	m = (mag >> (e + 1)) & 0x0f;
	return sign | (0x7f ^ ((e << 4) | m));
}

int16_t
media_g711_ulaw_decode(uint8_t code)
{
	unsigned int	 c = (uint8_t)~code, e, m;
	int		 mag;

	e = (c >> 4) & 0x07;
	m = c & 0x0f;
	mag = (int)(((m << 3) + 0x84) << e) - 0x84;
	return (int16_t)((code & 0x80) ? mag : -mag);
}

uint8_t
media_g711_alaw_encode(int16_t x)
{
	unsigned int	 mag, e, code;

	mag = (unsigned int)(x < 0 ? ~x : x) >> 4;	/* 0..2047 */
	if (mag < 32)
		code = mag;		/* segments 0 and 1 are linear */
	else {
		e = (unsigned int)media_g711_bits(mag) - 4;	/* 2..7 */
		code = (e << 4) | ((mag >> (e - 1)) & 0x0f);
	}
	if (x >= 0)
		code |= 0x80;
	return (uint8_t)(code ^ 0x55);
}

int16_t
media_g711_alaw_decode(uint8_t code)
{
	unsigned int	 c = (code ^ 0x55) & 0x7f, e, m;
	int		 mag;

	e = c >> 4;
	m = c & 0x0f;
	if (e > 0)
		m += 16;
	mag = (int)((m << 4) + 8);
	if (e > 1)
		mag <<= e - 1;
	return (int16_t)((code & 0x80) ? mag : -mag);
}

void
media_g711_ulaw_encode_buf(const int16_t *in, size_t n, uint8_t *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		out[i] = media_g711_ulaw_encode(in[i]);
}

void
media_g711_ulaw_decode_buf(const uint8_t *in, size_t n, int16_t *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		out[i] = media_g711_ulaw_decode(in[i]);
}

void
media_g711_alaw_encode_buf(const int16_t *in, size_t n, uint8_t *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		out[i] = media_g711_alaw_encode(in[i]);
}

void
media_g711_alaw_decode_buf(const uint8_t *in, size_t n, int16_t *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		out[i] = media_g711_alaw_decode(in[i]);
}

/* --- concealment (8 kHz) --------------------------------------------- */

#define PLC_PMIN	40	/* shortest pitch period: 5 ms (200 Hz) */
#define PLC_PMAX	120	/* longest: 15 ms (66 Hz) */
#define PLC_CORR	160	/* correlation window: the last 20 ms */
#define PLC_HIST	(PLC_CORR + PLC_PMAX)
#define PLC_HOLD	80	/* full level for the first 10 ms */
#define PLC_FADE	400	/* then linear fade to zero over 50 ms */
#define PLC_OLA		32	/* 4 ms cross-fade back to real signal */

struct media_g711_plc {
	int16_t		 hist[PLC_HIST];	/* last output, oldest first */
	float		 buf[PLC_PMAX];		/* one period, a smooth loop */
	float		 delta;		/* offset joining the loss start */
	unsigned int	 pitch;
	unsigned int	 pos;		/* read position in buf */
	unsigned int	 lost;		/* samples concealed so far */
};

struct media_g711_plc *
media_g711_plc_new(void)
{
	struct media_g711_plc	*plc;

	plc = xcalloc(1, sizeof *plc);
	media_g711_plc_reset(plc);
	return plc;
}

void
media_g711_plc_free(struct media_g711_plc *plc)
{
	free(plc);
}

void
media_g711_plc_reset(struct media_g711_plc *plc)
{
	memset(plc, 0, sizeof *plc);
	plc->pitch = PLC_PMIN;
}

static void
media_g711_plc_remember(struct media_g711_plc *plc, const int16_t *pcm,
    size_t n)
{
	if (n >= PLC_HIST) {
		memcpy(plc->hist, pcm + n - PLC_HIST, sizeof plc->hist);
		return;
	}
	memmove(plc->hist, plc->hist + n, (PLC_HIST - n) * sizeof *pcm);
	memcpy(plc->hist + PLC_HIST - n, pcm, n * sizeof *pcm);
}

/* The lag in [PMIN, PMAX] that best predicts the last 20 ms. */
static unsigned int
media_g711_plc_pitch(const int16_t *h)
{
	unsigned int	 p, i, best = PLC_PMIN;
	double		 num, en, score, best_score = 0.0;

	for (p = PLC_PMIN; p <= PLC_PMAX; p++) {
		num = en = 0.0;
		for (i = PLC_HIST - PLC_CORR; i < PLC_HIST; i++) {
			num += (double)h[i] * h[i - p];
			en += (double)h[i - p] * h[i - p];
		}
		if (en <= 0.0)
			continue;
		score = num / sqrt(en);
		if (score > best_score) {
			best_score = score;
			best = p;
		}
	}
	return best;
}

/*
 * Start of a loss: take the last period as the loop, and cross-fade its
 * last quarter towards the period before so that the loop's end leads
 * into its start as the real signal did.
 */
static void
media_g711_plc_start(struct media_g711_plc *plc)
{
	const int16_t	*h = plc->hist;
	unsigned int	 p, l, i, base;
	float		 w;

	p = plc->pitch = media_g711_plc_pitch(h);
	l = p / 4;
	base = PLC_HIST - p;
	for (i = 0; i < p; i++)
		plc->buf[i] = h[base + i];
	for (i = p - l; i < p; i++) {
		w = (float)(i - (p - l) + 1) / (float)(l + 1);
		plc->buf[i] = (1.0f - w) * h[base + i] + w * h[base + i - p];
	}
	/* The loop starts as if after h[base - 1]; we are after h[end]. */
	plc->delta = (float)h[PLC_HIST - 1] - (float)h[base - 1];
	plc->pos = 0;
}

/* The K'th synthetic sample of this loss; advances the read position. */
static float
media_g711_plc_next(struct media_g711_plc *plc, unsigned int k)
{
	unsigned int	 l = plc->pitch / 4;
	float		 v, g;

	v = plc->buf[plc->pos];
	if (k < l)
		v += plc->delta * (1.0f - (float)(k + 1) / (float)(l + 1));
	if (++plc->pos == plc->pitch)
		plc->pos = 0;
	if (k < PLC_HOLD)
		g = 1.0f;
	else if (k < PLC_HOLD + PLC_FADE)
		g = 1.0f - (float)(k - PLC_HOLD) / PLC_FADE;
	else
		g = 0.0f;
	return v * g;
}

static int16_t
media_g711_plc_clip(float v)
{
	if (v > 32767.0f)
		return 32767;
	if (v < -32768.0f)
		return -32768;
	return (int16_t)lrintf(v);
}

void
media_g711_plc_conceal(struct media_g711_plc *plc, int16_t *pcm, size_t n)
{
	size_t	i;

	if (plc->lost == 0)
		media_g711_plc_start(plc);
	for (i = 0; i < n; i++) {
		if (plc->lost >= PLC_HOLD + PLC_FADE) {
			pcm[i] = 0;
			continue;
		}
		pcm[i] = media_g711_plc_clip(media_g711_plc_next(plc,
		    plc->lost));
		plc->lost++;
	}
	media_g711_plc_remember(plc, pcm, n);
}

/*
 * A real frame. After a loss, fade from the synthetic signal into it:
 * 4 ms, plus 4 ms for every further 10 ms lost (at most 10 ms), as
 * Appendix I does, since longer losses drift further from the signal.
 */
void
media_g711_plc_good(struct media_g711_plc *plc, int16_t *pcm, size_t n)
{
	size_t	 i, r;
	float	 w, s;

	if (plc->lost > 0) {
		r = PLC_OLA + PLC_OLA * ((plc->lost - 1) / PLC_HOLD);
		if (r > 80)
			r = 80;
		if (r > n)
			r = n;
		for (i = 0; i < r; i++) {
			s = 0.0f;
			if (plc->lost + i < PLC_HOLD + PLC_FADE)
				s = media_g711_plc_next(plc, plc->lost + i);
			w = (float)(i + 1) / (float)(r + 1);
			pcm[i] = media_g711_plc_clip((1.0f - w) * s + w * pcm[i]);
		}
		plc->lost = 0;
	}
	media_g711_plc_remember(plc, pcm, n);
}
