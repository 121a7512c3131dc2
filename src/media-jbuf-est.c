/*
 * media-jbuf-est.c: the sliding window of transit times behind the jitter
 * buffer's target delay: its exact minimum and its 99th percentile.
 *
 * Why not sort: the window holds up to 256 packets (3 s of 10 ms ones) and
 * changes by one packet per put; sorting it each time cost tens of
 * thousands of instructions per packet on the media thread.
 *
 * The minimum is a monotonic deque: the serials of samples that are
 * smaller than every newer one, oldest first. Its head is the minimum; a
 * new sample pops the larger ones off the back (each sample is pushed and
 * popped once, so this is O(1) per add on average, however long the window).
 *
 * The percentile: with at most 256 samples the 99th (nearest rank) is the
 * largest, second or third largest. A histogram of 250 us buckets with a
 * two-level bitmap of the non-empty ones finds the highest bucket in two
 * count-leading-zeros, and the next lower one likewise, so the read visits
 * at most three buckets. Bucket keys are absolute (transit / 250 us), so
 * adding and expiring a sample is one counter each; the histogram covers
 * 4096 buckets (1.024 s) from a base kept below the minimum, and the top
 * bucket also holds every sample above it. That is enough because spreads
 * above 500 ms are capped: the base is moved (and the window's samples
 * counted again) only when a sample falls below it or the minimum rises so
 * far that the top bucket would sit less than 500 ms above it. Both need
 * the network delay to move by about a quarter of a second, so rebuilds
 * are rare; each costs a window's worth of steps.
 */
#include "config.h"

#include <string.h>

#include "media-jbuf-est.h"

#define JBE_MAX		MEDIA_JBUF_EST_MAX
#define JBE_B		MEDIA_JBUF_EST_BUCKET_US
#define JBE_NB		MEDIA_JBUF_EST_BUCKETS
#define JBE_CAPB	(MEDIA_JBUF_EST_CAP_US / JBE_B)
/*
 * The minimum may sit this many buckets above base: then the top bucket's
 * lower edge is more than the cap above the minimum.
 */
#define JBE_ROOM	(JBE_NB - 2 - JBE_CAPB)
/* A new base leaves half of that room on each side of the minimum. */
#define JBE_LOW		(JBE_ROOM / 2)
/* Older samples taken back into a window that grew, per add. */
#define JBE_REGROW	4

static int64_t
media_jbuf_est_key(int64_t d)
{
	int64_t	 k = d / JBE_B;

	if (d % JBE_B < 0)
		k--;
	return k;
}

static int64_t
media_jbuf_est_at(const struct media_jbuf_est *e, uint64_t serial)
{
	return e->d[serial % JBE_MAX];
}

/* The bucket of a key at or above base. */
static unsigned int
media_jbuf_est_bucket(const struct media_jbuf_est *e, int64_t key)
{
	int64_t	 off = key - e->base;

	return off >= JBE_NB - 1 ? JBE_NB - 1 : (unsigned int)off;
}

static void
media_jbuf_est_inc(struct media_jbuf_est *e, unsigned int i)
{
	if (e->count[i]++ == 0) {
		e->bits[i / 64] |= 1ULL << (i % 64);
		e->words |= 1ULL << (i / 64);
	}
}

static void
media_jbuf_est_dec(struct media_jbuf_est *e, unsigned int i)
{
	if (--e->count[i] == 0) {
		e->bits[i / 64] &= ~(1ULL << (i % 64));
		if (e->bits[i / 64] == 0)
			e->words &= ~(1ULL << (i / 64));
	}
}

static int
media_jbuf_est_highest(uint64_t x)
{
	return 63 - __builtin_clzll(x);
}

/* The highest non-empty bucket below I (all of them if I is JBE_NB), or -1. */
static int
media_jbuf_est_below(const struct media_jbuf_est *e, unsigned int i)
{
	unsigned int	 w = i / 64;
	uint64_t	 m;

	if (w < JBE_NB / 64) {
		m = e->bits[w] & ((1ULL << (i % 64)) - 1);
		if (m != 0)
			return (int)(w * 64) + media_jbuf_est_highest(m);
	}
	m = w >= 64 ? e->words : e->words & ((1ULL << w) - 1);
	if (m == 0)
		return -1;
	w = (unsigned int)media_jbuf_est_highest(m);
	return (int)(w * 64) + media_jbuf_est_highest(e->bits[w]);
}

/*
 * Empty the histogram. Every counted sample is in the window and at or
 * above base, so zeroing the window's buckets and the non-empty words
 * clears it in a window's worth of steps, not the whole table's.
 */
static void
media_jbuf_est_clear(struct media_jbuf_est *e)
{
	uint64_t	 s;
	int64_t		 key;
	int		 w;

	for (s = e->total - e->n; s < e->total; s++) {
		key = media_jbuf_est_key(media_jbuf_est_at(e, s));
		if (key >= e->base)
			e->count[media_jbuf_est_bucket(e, key)] = 0;
	}
	while (e->words != 0) {
		w = __builtin_ctzll(e->words);
		e->bits[w] = 0;
		e->words &= e->words - 1;
	}
	e->steps += e->n;
}

/* Count the window again from a new base. */
static void
media_jbuf_est_rebase(struct media_jbuf_est *e, int64_t base)
{
	uint64_t	 s;

	media_jbuf_est_clear(e);
	e->base = base;
	for (s = e->total - e->n; s < e->total; s++) {
		media_jbuf_est_inc(e, media_jbuf_est_bucket(e,
		    media_jbuf_est_key(media_jbuf_est_at(e, s))));
	}
	e->steps += e->n;
	e->rebuilds++;
}

/* Count a sample that has just joined the window. */
static void
media_jbuf_est_count_in(struct media_jbuf_est *e, int64_t d)
{
	int64_t	 key = media_jbuf_est_key(d);

	if (e->n == 1)		/* the histogram is empty */
		e->base = key - JBE_LOW;
	if (key < e->base)
		media_jbuf_est_rebase(e, key - JBE_LOW);
	else
		media_jbuf_est_inc(e, media_jbuf_est_bucket(e, key));
}

/* The oldest sample leaves the window. */
static void
media_jbuf_est_expire(struct media_jbuf_est *e)
{
	uint64_t	 s = e->total - e->n;

	media_jbuf_est_dec(e, media_jbuf_est_bucket(e,
	    media_jbuf_est_key(media_jbuf_est_at(e, s))));
	if (e->mlen > 0 && e->mq[e->mhead] == s) {
		e->mhead = (e->mhead + 1) % JBE_MAX;
		e->mlen--;
	}
	e->n--;
	e->steps++;
}

/* A sample older than the window joins it (the window grew). */
static void
media_jbuf_est_regrow(struct media_jbuf_est *e)
{
	uint64_t	 s = e->total - e->n - 1;
	int64_t		 d = media_jbuf_est_at(e, s);

	/* Older and not smaller than the minimum: never the minimum. */
	if (e->mlen == 0 || d < media_jbuf_est_at(e, e->mq[e->mhead])) {
		e->mhead = (e->mhead + JBE_MAX - 1) % JBE_MAX;
		e->mq[e->mhead] = s;
		e->mlen++;
	}
	e->n++;
	media_jbuf_est_count_in(e, d);
	e->steps++;
}

/* Nearest-rank percentile: the bucket of the k+1-th largest sample. */
static unsigned int
media_jbuf_est_rank_bucket(struct media_jbuf_est *e)
{
	unsigned int	 rank, k;
	int		 i;

	rank = (e->n * MEDIA_JBUF_EST_PERCENTILE + 99) / 100;
	if (rank < 1)
		rank = 1;
	k = e->n - rank;
	i = media_jbuf_est_below(e, JBE_NB);
	for (;;) {
		e->steps++;
		if (e->count[i] > k)
			break;
		k -= e->count[i];
		i = media_jbuf_est_below(e, (unsigned int)i);
	}
	return (unsigned int)i;
}

void
media_jbuf_est_reset(struct media_jbuf_est *e)
{
	media_jbuf_est_clear(e);
	e->total = 0;
	e->nring = e->n = 0;
	e->mhead = e->mlen = 0;
	e->base = e->min = e->spread = 0;
}

void
media_jbuf_est_add(struct media_jbuf_est *e, int64_t d, unsigned int window)
{
	unsigned int	 back, grown, q;
	int64_t		 minkey, spread;

	if (window < 1)
		window = 1;
	if (window > JBE_MAX)
		window = JBE_MAX;
	/* The ring slot of the new sample must not be in the window. */
	if (e->n == JBE_MAX)
		media_jbuf_est_expire(e);

	e->d[e->total % JBE_MAX] = d;
	while (e->mlen > 0) {
		back = (e->mhead + e->mlen - 1) % JBE_MAX;
		if (media_jbuf_est_at(e, e->mq[back]) < d)
			break;
		e->mlen--;
		e->steps++;
	}
	e->mq[(e->mhead + e->mlen) % JBE_MAX] = e->total;
	e->mlen++;
	e->total++;
	if (e->nring < JBE_MAX)
		e->nring++;
	e->n++;
	media_jbuf_est_count_in(e, d);
	e->steps++;

	while (e->n > window)
		media_jbuf_est_expire(e);
	for (grown = 0; grown < JBE_REGROW && e->n < window &&
	    e->n < e->nring; grown++)
		media_jbuf_est_regrow(e);

	e->min = media_jbuf_est_at(e, e->mq[e->mhead]);
	minkey = media_jbuf_est_key(e->min);
	if (minkey - e->base > JBE_ROOM)
		media_jbuf_est_rebase(e, minkey - JBE_LOW);

	/* The bucket's lower edge: never above the exact percentile. */
	q = media_jbuf_est_rank_bucket(e);
	if (q == JBE_NB - 1)
		spread = MEDIA_JBUF_EST_CAP_US;
	else
		spread = (e->base + (int64_t)q) * JBE_B - e->min;
	if (spread < 0)
		spread = 0;
	if (spread > MEDIA_JBUF_EST_CAP_US)
		spread = MEDIA_JBUF_EST_CAP_US;
	e->spread = spread;
}

unsigned int
media_jbuf_est_count(const struct media_jbuf_est *e)
{
	return e->n;
}

int64_t
media_jbuf_est_min(const struct media_jbuf_est *e)
{
	return e->min;
}

int64_t
media_jbuf_est_spread(const struct media_jbuf_est *e)
{
	return e->spread;
}
