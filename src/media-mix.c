/*
 * media-mix.c: sums of 16-bit sources for the local conference, and the
 * FIFO that cuts decoded audio into device frames (media-mix.h).
 *
 * The sum is taken in 32 bits, where three or eight full-scale sources
 * cannot overflow, and clipped once at the end: clipping each partial sum
 * would make the result depend on the order of the sources.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "media-mix.h"
#include "util.h"

void
media_mix(int16_t *out, const int16_t *const *src, int nsrc, int skip,
    size_t n)
{
	const int16_t	*use[MEDIA_MIX_MAX];
	int32_t		 acc;
	size_t		 s;
	int		 i, k = 0;

	for (i = 0; i < nsrc && k < MEDIA_MIX_MAX; i++) {
		if (i != skip && src[i] != NULL)
			use[k++] = src[i];
	}
	for (s = 0; s < n; s++) {
		acc = 0;
		for (i = 0; i < k; i++)
			acc += use[i][s];
		if (acc > INT16_MAX)
			acc = INT16_MAX;
		else if (acc < INT16_MIN)
			acc = INT16_MIN;
		out[s] = (int16_t)acc;
	}
}

void
media_mix_fifo_init(struct media_mix_fifo *f, size_t cap)
{
	f->buf = xcalloc(cap, sizeof *f->buf);
	f->cap = cap;
	f->head = f->len = 0;
}

void
media_mix_fifo_free(struct media_mix_fifo *f)
{
	free(f->buf);
	memset(f, 0, sizeof *f);
}

void
media_mix_fifo_clear(struct media_mix_fifo *f)
{
	f->head = f->len = 0;
}

size_t
media_mix_fifo_len(const struct media_mix_fifo *f)
{
	return f->len;
}

/* Drop the N oldest samples (N <= len). */
static void
media_mix_fifo_skip(struct media_mix_fifo *f, size_t n)
{
	f->head = (f->head + n) % f->cap;
	f->len -= n;
}

size_t
media_mix_fifo_put(struct media_mix_fifo *f, const int16_t *pcm, size_t n,
    bool drop_old)
{
	size_t	 dropped = 0, tail, run;

	if (f->cap == 0)
		return n;
	if (n > f->cap) {
		/* More than it holds at all: only the newest can stay, or
		 * only the first cap of them. */
		dropped = n - f->cap;
		if (drop_old)
			pcm += dropped;
		n = f->cap;
	}
	if (n > f->cap - f->len) {
		if (drop_old) {
			dropped += n - (f->cap - f->len);
			media_mix_fifo_skip(f, n - (f->cap - f->len));
		} else {
			dropped += n - (f->cap - f->len);
			n = f->cap - f->len;
		}
	}
	tail = (f->head + f->len) % f->cap;
	run = f->cap - tail < n ? f->cap - tail : n;
	memcpy(f->buf + tail, pcm, run * sizeof *pcm);
	memcpy(f->buf, pcm + run, (n - run) * sizeof *pcm);
	f->len += n;
	return dropped;
}

size_t
media_mix_fifo_take(struct media_mix_fifo *f, int16_t *out, size_t n)
{
	size_t	 got = f->len < n ? f->len : n, run;

	run = f->cap - f->head < got ? f->cap - f->head : got;
	if (got > 0) {
		memcpy(out, f->buf + f->head, run * sizeof *out);
		memcpy(out + run, f->buf, (got - run) * sizeof *out);
		media_mix_fifo_skip(f, got);
	}
	memset(out + got, 0, (n - got) * sizeof *out);
	return got;
}
