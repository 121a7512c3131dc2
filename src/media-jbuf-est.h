/*
 * media-jbuf-est.h: the jitter buffer's delay statistics. A sliding window
 * of the last packets' transit times (arrival minus timestamp, in
 * microseconds up to a constant), its minimum, and how far above the
 * minimum its 99th percentile lies (the "spread"), kept up to date in a
 * bounded number of steps per packet instead of sorting the window.
 *
 * The minimum is exact. The percentile comes from a histogram of transits
 * in MEDIA_JBUF_EST_BUCKET_US buckets, so the spread is at most one bucket
 * below the exact (sorted-window) one and never above it. Spreads beyond
 * MEDIA_JBUF_EST_CAP_US are reported as the cap.
 *
 * Embedded in struct media_jbuf; nothing here allocates, locks or logs.
 * The struct is public so it can be embedded and so tests can read the
 * step counter; callers use the functions.
 */
#ifndef TSP_MEDIA_JBUF_EST_H
#define TSP_MEDIA_JBUF_EST_H

#include <stdint.h>

#define MEDIA_JBUF_EST_MAX		256	/* largest window, samples */
#define MEDIA_JBUF_EST_PERCENTILE	99
#define MEDIA_JBUF_EST_CAP_US		500000
#define MEDIA_JBUF_EST_BUCKET_US	250
#define MEDIA_JBUF_EST_BUCKETS		4096	/* 64 words of 64 bits */

struct media_jbuf_est {
	int64_t		 d[MEDIA_JBUF_EST_MAX];	/* ring of transits, by serial */
	uint64_t	 total;		/* samples added since the reset */
	unsigned int	 nring;		/* in the ring: the window and older */
	unsigned int	 n;		/* in the window: the newest n */

	/* Serials of the window's rising minima, oldest first (a deque). */
	uint64_t	 mq[MEDIA_JBUF_EST_MAX];
	unsigned int	 mhead;
	unsigned int	 mlen;

	/*
	 * Counts per bucket from base (a bucket key: transit / bucket size,
	 * rounded down); the last bucket also holds everything above it.
	 * A bit per non-empty bucket and a bit per non-empty word find the
	 * highest buckets without walking empty ones.
	 */
	int64_t		 base;
	uint16_t	 count[MEDIA_JBUF_EST_BUCKETS];
	uint64_t	 bits[MEDIA_JBUF_EST_BUCKETS / 64];
	uint64_t	 words;

	int64_t		 min;
	int64_t		 spread;

	/* Work done, for tests and benchmarks: elementary steps, rebuilds. */
	uint64_t	 steps;
	uint64_t	 rebuilds;
};

/* Empty the window (a new stream). The struct must start zeroed. */
void	 media_jbuf_est_reset(struct media_jbuf_est *);
/*
 * Add a transit and keep the newest WINDOW samples (1..MEDIA_JBUF_EST_MAX).
 * A smaller window than before drops the oldest at once; a larger one
 * takes back older samples a few per add, so no add costs a window's worth.
 */
void	 media_jbuf_est_add(struct media_jbuf_est *, int64_t transit_us,
	    unsigned int window);
unsigned int media_jbuf_est_count(const struct media_jbuf_est *);
/* The window's smallest transit, and its 99th percentile above that. */
int64_t	 media_jbuf_est_min(const struct media_jbuf_est *);
int64_t	 media_jbuf_est_spread(const struct media_jbuf_est *);

#endif
