/*
 * media-level.c: the level meter and the volume gain of media-level.h.
 *
 * The meter keeps exact integer sums of squares per 10 ms block in a
 * ring of 30, so the 300 ms RMS is one addition and one subtraction per
 * block and never drifts the way a running float sum would. The peak
 * falls by a fixed factor per block, computed once at init.
 *
 * The gain is a table of Q16 factors, one per dB from -40 to +20, so
 * the per-sample work is a multiply, a shift and a clamp.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "media-level.h"

/* round(65536 * 10^(dB/20)) for dB = -40..+20 (checked by test-level). */
static const int32_t media_gain_q16[] = {
	655, 735, 825, 926, 1039, 1165, 1308, 1467,
	1646, 1847, 2072, 2325, 2609, 2927, 3285, 3685,
	4135, 4640, 5206, 5841, 6554, 7353, 8250, 9257,
	10387, 11654, 13076, 14672, 16462, 18471, 20724, 23253,
	26090, 29274, 32846, 36854, 41350, 46396, 52057, 58409,
	65536, 73533, 82505, 92572, 103868, 116541, 130762, 146717,
	164619, 184706, 207243, 232531, 260904, 292739, 328458, 368536,
	413504, 463959, 520571, 584090, 655360,
};

void
media_level_init(struct media_level *l, unsigned int rate)
{
	memset(l, 0, sizeof *l);
	if (rate == 0)
		rate = 8000;
	l->block = rate / 100 > 0 ? rate / 100 : 1;
	l->decay = powf(10.0f, -(float)MEDIA_LEVEL_DECAY_DB / 100.0f / 20.0f);
}

void
media_level_feed(struct media_level *l, const int16_t *x, size_t n)
{
	size_t		 take, i;
	uint64_t	 e;
	int32_t		 s, a, max;

	while (n > 0) {
		/* A new block: the peak falls one step first. */
		if (l->fill == 0)
			l->peak *= l->decay;
		take = l->block - l->fill;
		if (take > n)
			take = n;
		e = 0;
		max = 0;
		for (i = 0; i < take; i++) {
			s = x[i];
			e += (uint64_t)(s * s);
			a = s < 0 ? -s : s;
			if (a > max)
				max = a;
		}
		l->cur += e;
		if ((float)max > l->peak)
			l->peak = (float)max;
		l->fill += (unsigned int)take;
		x += take;
		n -= take;
		if (l->fill < l->block)
			break;
		/* Slots not filled yet hold 0, so subtracting is always right. */
		l->sum -= l->blocks[l->head];
		l->blocks[l->head] = l->cur;
		l->sum += l->cur;
		l->head = (l->head + 1) % MEDIA_LEVEL_BLOCKS;
		if (l->nblocks < MEDIA_LEVEL_BLOCKS)
			l->nblocks++;
		l->cur = 0;
		l->fill = 0;
	}
}

static float
media_level_db(double power)
{
	double	 db;

	/* Relative to a full-scale square wave, 32768^2. */
	if (power <= 0.0)
		return MEDIA_LEVEL_FLOOR_DBFS;
	db = 10.0 * log10(power / (32768.0 * 32768.0));
	return db < MEDIA_LEVEL_FLOOR_DBFS ? MEDIA_LEVEL_FLOOR_DBFS :
	    (float)db;
}

float
media_level_dbfs(const struct media_level *l)
{
	uint64_t	 count;

	count = (uint64_t)l->nblocks * l->block + l->fill;
	if (count == 0)
		return MEDIA_LEVEL_FLOOR_DBFS;
	return media_level_db((double)(l->sum + l->cur) / (double)count);
}

float
media_level_peak_dbfs(const struct media_level *l)
{
	return media_level_db((double)l->peak * l->peak);
}

void
media_gain_apply(int16_t *x, size_t n, int gain_db)
{
	int64_t		 v;
	int32_t		 f;
	size_t		 i;

	if (gain_db == 0)
		return;
	if (gain_db < MEDIA_GAIN_MIN_DB)
		gain_db = MEDIA_GAIN_MIN_DB;
	if (gain_db > MEDIA_GAIN_MAX_DB)
		gain_db = MEDIA_GAIN_MAX_DB;
	f = media_gain_q16[gain_db - MEDIA_GAIN_MIN_DB];
	for (i = 0; i < n; i++) {
		/* Round to nearest; >> of a negative is arithmetic in gcc/clang. */
		v = ((int64_t)x[i] * f + 32768) >> 16;
		if (v > 32767)
			v = 32767;
		else if (v < -32768)
			v = -32768;
		x[i] = (int16_t)v;
	}
}
