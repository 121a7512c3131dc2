/*
 * media-mix.h: the arithmetic of the local conference. Each party hears
 * the sum of every source but its own, saturated to 16 bits; and a FIFO
 * lines the decoded audio of a stream, which comes in jitter-buffer steps
 * of any length (a 30 ms packet, a resampler holding samples back), up
 * into the device's frames, so that frame k of one stream is added to
 * frame k of the other. Plain data owned by the caller: only
 * media_mix_fifo_init allocates; the rest is real-time safe.
 */
#ifndef TSP_MEDIA_MIX_H
#define TSP_MEDIA_MIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_MIX_MAX	8	/* sources of one sum */

/*
 * OUT = the sum of the NSRC sources SRC (N samples each) but source SKIP
 * (-1: none), saturated at 32767 and -32768. A NULL source is silence.
 * OUT may be one of the sources.
 */
void	 media_mix(int16_t *out, const int16_t *const *src, int nsrc, int skip,
	    size_t n);

struct media_mix_fifo {
	int16_t	*buf;
	size_t	 cap;
	size_t	 head;		/* the oldest sample */
	size_t	 len;
};

/* CAP samples of room; media_mix_fifo_free gives it back. */
void	 media_mix_fifo_init(struct media_mix_fifo *, size_t cap);
void	 media_mix_fifo_free(struct media_mix_fifo *);
void	 media_mix_fifo_clear(struct media_mix_fifo *);
size_t	 media_mix_fifo_len(const struct media_mix_fifo *);
/*
 * Append N samples. What does not fit is dropped: the oldest samples
 * when DROP_OLD (for audio that should stay fresh), else the newest.
 * Returns how many samples were dropped.
 */
size_t	 media_mix_fifo_put(struct media_mix_fifo *, const int16_t *, size_t n,
	    bool drop_old);
/* Take N samples into OUT, silence where the FIFO runs short; returns
 * how many came from the FIFO. */
size_t	 media_mix_fifo_take(struct media_mix_fifo *, int16_t *out, size_t n);

#endif
