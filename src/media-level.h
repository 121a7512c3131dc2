/*
 * media-level.h: a level meter for 16-bit audio (RMS over the last
 * ~300 ms and a decaying peak, in dBFS) and a volume control that
 * applies a gain in whole dB with saturation. Plain data owned by the
 * caller; feeding and applying are real-time safe (no allocation, no
 * locks, no libm in the per-sample loops). One writer: the meter is fed
 * and read from the same thread, or read with that in mind (a torn read
 * gives a wrong value for one refresh, never a crash).
 */
#ifndef TSP_MEDIA_LEVEL_H
#define TSP_MEDIA_LEVEL_H

#include <stddef.h>
#include <stdint.h>

#define MEDIA_LEVEL_FLOOR_DBFS	(-90.0f)
#define MEDIA_LEVEL_BLOCKS	30	/* of 10 ms: the RMS window */
#define MEDIA_LEVEL_DECAY_DB	20	/* peak fall, dB per second */
#define MEDIA_GAIN_MIN_DB	(-40)
#define MEDIA_GAIN_MAX_DB	20

/* 0 dBFS is a full-scale square wave: a full-scale sine reads -3 dBFS. */
struct media_level {
	unsigned int	 block;		/* samples per 10 ms block */
	unsigned int	 fill;		/* samples in the current block */
	uint64_t	 cur;		/* sum of squares, current block */
	uint64_t	 blocks[MEDIA_LEVEL_BLOCKS];	/* ring of sums */
	unsigned int	 head;		/* next slot of the ring */
	unsigned int	 nblocks;	/* complete blocks in it, 0..30 */
	uint64_t	 sum;		/* of the ring */
	float		 peak;		/* linear, 0..32768 */
	float		 decay;		/* peak factor per block */
};

/* RATE in Hz; 0 is taken as 8000. Also resets a meter in use. */
void	 media_level_init(struct media_level *, unsigned int rate);
void	 media_level_feed(struct media_level *, const int16_t *, size_t n);
/* RMS over the last ~300 ms (less before that much was fed), >= -90. */
float	 media_level_dbfs(const struct media_level *);
/* Highest sample, falling by MEDIA_LEVEL_DECAY_DB per second, >= -90. */
float	 media_level_peak_dbfs(const struct media_level *);

/*
 * Multiply N samples by GAIN_DB dB (clamped to -40..+20), saturating at
 * 32767 and -32768. 0 dB returns without touching the samples.
 */
void	 media_gain_apply(int16_t *, size_t n, int gain_db);

#endif
