/*
 * media-resample.c: the speexdsp resampler behind a small API. speexdsp
 * does the filtering; this file owns the argument checks, the
 * equal-rate shortcut (a copy, not a trip through the filter) and the
 * bookkeeping that keeps callers from losing input when they pass too
 * little output room.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <speex/speex_resampler.h>

#include "media-resample.h"
#include "util.h"

#define MEDIA_RESAMPLE_MAX_RATE	384000

struct media_resample {
	SpeexResamplerState	*st;		/* NULL: rates are equal */
	unsigned int		 in_rate;
	unsigned int		 out_rate;
};

struct media_resample *
media_resample_new(unsigned int in_rate, unsigned int out_rate, int quality,
    char **cause)
{
	struct media_resample	*r;
	int			 err = 0;

	if (in_rate == 0 || out_rate == 0 || in_rate > MEDIA_RESAMPLE_MAX_RATE ||
	    out_rate > MEDIA_RESAMPLE_MAX_RATE) {
		if (cause != NULL)
			xasprintf(cause, "bad sample rates %u -> %u", in_rate,
			    out_rate);
		return NULL;
	}
	if (quality < 0 || quality > 10) {
		if (cause != NULL)
			xasprintf(cause, "bad resampler quality %d", quality);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	if (in_rate == out_rate)
		return r;
	r->st = speex_resampler_init(1, in_rate, out_rate, quality, &err);
	if (r->st == NULL) {
		if (cause != NULL)
			xasprintf(cause, "resampler %u -> %u: %s", in_rate,
			    out_rate, speex_resampler_strerror(err));
		free(r);
		return NULL;
	}
	return r;
}

void
media_resample_free(struct media_resample *r)
{
	if (r == NULL)
		return;
	if (r->st != NULL)
		speex_resampler_destroy(r->st);
	free(r);
}

size_t
media_resample_process(struct media_resample *r, const int16_t *in,
    size_t in_len, int16_t *out, size_t out_cap, size_t *consumed)
{
	spx_uint32_t	 ilen, olen;
	size_t		 done_in = 0, done_out = 0;

	if (r->st == NULL) {
		done_out = in_len < out_cap ? in_len : out_cap;
		if (done_out > 0)
			memcpy(out, in, done_out * sizeof *out);
		if (consumed != NULL)
			*consumed = done_out;
		return done_out;
	}
	/* speexdsp counts in 32 bits; go round for (absurdly) long input. */
	while (done_in < in_len && done_out < out_cap) {
		ilen = (spx_uint32_t)((in_len - done_in) > 0x10000000 ?
		    0x10000000 : in_len - done_in);
		olen = (spx_uint32_t)((out_cap - done_out) > 0x10000000 ?
		    0x10000000 : out_cap - done_out);
		if (speex_resampler_process_int(r->st, 0, in + done_in, &ilen,
		    out + done_out, &olen) != RESAMPLER_ERR_SUCCESS)
			break;
		if (ilen == 0 && olen == 0)
			break;
		done_in += ilen;
		done_out += olen;
	}
	if (consumed != NULL)
		*consumed = done_in;
	return done_out;
}

size_t
media_resample_out_max(const struct media_resample *r, size_t in_len)
{
	/* Ceiling of the exact ratio plus one for the fractional phase. */
	return (size_t)(((uint64_t)in_len * r->out_rate + r->in_rate - 1) /
	    r->in_rate) + 1;
}

void
media_resample_reset(struct media_resample *r)
{
	if (r->st != NULL)
		speex_resampler_reset_mem(r->st);
}

unsigned int
media_resample_latency(const struct media_resample *r)
{
	int	n;

	if (r->st == NULL)
		return 0;
	n = speex_resampler_get_output_latency(r->st);
	return n > 0 ? (unsigned int)n : 0;
}

int
media_resample_passthrough(const struct media_resample *r)
{
	return r->st == NULL;
}

unsigned int
media_resample_in_rate(const struct media_resample *r)
{
	return r->in_rate;
}

unsigned int
media_resample_out_rate(const struct media_resample *r)
{
	return r->out_rate;
}
