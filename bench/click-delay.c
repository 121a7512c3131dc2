/*
 * click-delay.c: benchmark helper for bench/audio-bench.sh's round-trip
 * latency. A phone whose microphone plays a click train calls an RTP echo;
 * its speaker's recording holds the echoed clicks. The microphone and the
 * recording share one clock (tsphone's file driver, or the bench card for
 * baresip), so frame t of the recording was played when frame t of the
 * input was captured, whenever the call started: each echo's distance
 * from its click, modulo the period, is the round trip.
 *
 *   click-delay gen OUT.wav SECONDS
 *	write the click train: mono 16-bit 48 kHz, a 5 ms 2 kHz burst
 *	(Hann-shaped, half scale) at the start of every 1 s period; a
 *	whole number of periods, so that looping keeps it regular
 *   click-delay measure IN.wav OUT.wav
 *	print "MEDIAN CLICKS MIN MAX": the median round trip in ms over the
 *	echoes found, their number, and the smallest and largest
 *
 * Bursts rather than clicks, found by a matched filter on the burst's
 * carrier in quadrature (the magnitude, blind to phase), because codecs
 * keep a tone's envelope better than an impulse's shape. The period, 1 s,
 * is longer than any round trip a phone could have.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLICK_RATE	48000
#define CLICK_PERIOD	48000		/* 1 s */
#define CLICK_LEN	240		/* 5 ms */
#define CLICK_HZ	2000.0
#ifndef M_PI
#define M_PI		3.14159265358979323846
#endif

struct click_wav {
	int16_t		*v;
	size_t		 n;
	unsigned int	 rate;
};

static uint32_t
click_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
click_put32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/*
 * Read a mono 16-bit PCM WAV. A data chunk whose size is 0 or runs past
 * the end (a writer killed before it finished the header) holds the rest
 * of the file.
 */
static int
click_read(const char *path, struct click_wav *w)
{
	unsigned char	*b, *p;
	FILE		*f;
	long		 size;
	size_t		 off, sz, i;
	int		 fmt_ok = 0;

	memset(w, 0, sizeof *w);
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 12 ||
	    fseek(f, 0, SEEK_SET) != 0 || (b = malloc(size)) == NULL ||
	    fread(b, 1, size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WAVE", 4) != 0)
		goto bad;
	for (off = 12; off + 8 <= (size_t)size; off += 8 + sz + (sz & 1)) {
		p = b + off;
		sz = click_le32(p + 4);
		if (memcmp(p, "data", 4) == 0 &&
		    (sz == 0 || sz > (size_t)size - off - 8))
			sz = (size_t)size - off - 8;
		if (sz > (size_t)size - off - 8)
			break;
		if (memcmp(p, "fmt ", 4) == 0 && sz >= 16) {
			fmt_ok = (p[8] | p[9] << 8) == 1 &&
			    (p[10] | p[11] << 8) == 1 &&
			    (p[22] | p[23] << 8) == 16;
			w->rate = click_le32(p + 12);
		} else if (memcmp(p, "data", 4) == 0 && fmt_ok) {
			w->n = sz / 2;
			if ((w->v = malloc((w->n + 1) * sizeof *w->v)) == NULL)
				break;
			for (i = 0; i < w->n; i++)
				w->v[i] = (int16_t)(p[8 + 2 * i] |
				    p[9 + 2 * i] << 8);
			free(b);
			return 0;
		}
	}
bad:
	free(b);
	fprintf(stderr, "%s: not a mono 16-bit PCM WAV\n", path);
	return -1;
}

static int
click_gen(const char *path, double seconds)
{
	unsigned char	 h[44];
	size_t		 periods, n, i;
	int16_t		*v;
	FILE		*f;

	periods = seconds < 1 ? 1 : (size_t)(seconds + 0.5);
	n = periods * CLICK_PERIOD;
	if ((v = calloc(n, sizeof *v)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		size_t	k = i % CLICK_PERIOD;
		double	w;

		if (k >= CLICK_LEN)
			continue;
		w = 0.5 - 0.5 * cos(2 * M_PI * (k + 0.5) / CLICK_LEN);
		v[i] = (int16_t)lrint(16384 * w *
		    sin(2 * M_PI * CLICK_HZ * k / CLICK_RATE));
	}
	memcpy(h, "RIFF", 4);
	click_put32(h + 4, 36 + n * 2);
	memcpy(h + 8, "WAVEfmt ", 8);
	click_put32(h + 16, 16);
	h[20] = 1, h[21] = 0, h[22] = 1, h[23] = 0;
	click_put32(h + 24, CLICK_RATE);
	click_put32(h + 28, CLICK_RATE * 2);
	h[32] = 2, h[33] = 0, h[34] = 16, h[35] = 0;
	memcpy(h + 36, "data", 4);
	click_put32(h + 40, n * 2);
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		free(v);
		return -1;
	}
	/* little-endian hosts only, as the rest of the benchmark */
	if (fwrite(h, 1, sizeof h, f) != sizeof h ||
	    fwrite(v, sizeof *v, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "%s: write failed\n", path);
		free(v);
		return -1;
	}
	free(v);
	return 0;
}

/* The matched filter's magnitude at every start position. */
static float *
click_filter(const struct click_wav *w)
{
	float	 c[CLICK_LEN], s[CLICK_LEN], *m;
	size_t	 i, k;

	if ((m = calloc(w->n + 1, sizeof *m)) == NULL)
		return NULL;
	for (k = 0; k < CLICK_LEN; k++) {
		double	win = 0.5 - 0.5 * cos(2 * M_PI * (k + 0.5) / CLICK_LEN);

		c[k] = win * cos(2 * M_PI * CLICK_HZ * k / CLICK_RATE);
		s[k] = win * sin(2 * M_PI * CLICK_HZ * k / CLICK_RATE);
	}
	for (i = 0; i + CLICK_LEN <= w->n; i++) {
		float	a = 0, b = 0;

		for (k = 0; k < CLICK_LEN; k++) {
			a += w->v[i + k] * c[k];
			b += w->v[i + k] * s[k];
		}
		m[i] = sqrtf(a * a + b * b);
	}
	return m;
}

static int
click_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
click_fcmp(const void *a, const void *b)
{
	float	x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static float
click_median(const float *v, size_t n)
{
	float	*t, m;

	if (n == 0 || (t = malloc(n * sizeof *t)) == NULL)
		return 0;
	memcpy(t, v, n * sizeof *t);
	qsort(t, n, sizeof *t, click_fcmp);
	m = t[n / 2];
	free(t);
	return m;
}

static int
click_measure(const char *inpath, const char *outpath)
{
	struct click_wav	 in, out;
	float			*mi, *mo, peak = 0, floor_;
	double			*fold, *d, best;
	size_t			 i, k, c = 0, d0 = 0, nd = 0, periods, np;
	long			 e, lo, hi, j, m;

	if (click_read(inpath, &in) != 0 || click_read(outpath, &out) != 0)
		return 2;
	if (in.rate != CLICK_RATE || out.rate != CLICK_RATE) {
		fprintf(stderr, "click-delay: both files must be %d Hz\n",
		    CLICK_RATE);
		return 2;
	}
	if (in.n < CLICK_PERIOD || out.n < 2 * CLICK_PERIOD) {
		printf("n/a 0 n/a n/a\n");
		return 1;
	}
	mi = click_filter(&in);
	mo = click_filter(&out);
	fold = calloc(CLICK_PERIOD, sizeof *fold);
	periods = out.n / CLICK_PERIOD;
	d = calloc(periods + 1, sizeof *d);
	if (mi == NULL || mo == NULL || fold == NULL || d == NULL)
		return 2;

	/* where the click sits in the input's period */
	for (i = 0, best = -1; i + CLICK_LEN <= in.n; i++)
		if (mi[i] > best)
			best = mi[i], c = i % CLICK_PERIOD;

	/* a first guess of the delay from all echoes folded together */
	for (i = 0; i + CLICK_LEN <= out.n; i++) {
		fold[i % CLICK_PERIOD] += mo[i];
		if (mo[i] > peak)
			peak = mo[i];
	}
	for (i = 0, best = -1; i < CLICK_PERIOD; i++)
		if (fold[i] > best)
			best = fold[i], d0 = (i + CLICK_PERIOD - c) % CLICK_PERIOD;

	/*
	 * Then each echo on its own, in a period-wide window centred on the
	 * guess; one too faint (silence before the call, a lost packet) is
	 * left out: below a tenth of the loudest, or within eight times the
	 * noise (the median of the filter's output, mostly between clicks).
	 */
	floor_ = click_median(mo, out.n - CLICK_LEN + 1) * 8;
	if (floor_ < peak / 10)
		floor_ = peak / 10;
	np = (out.n + CLICK_PERIOD - 1) / CLICK_PERIOD + 1;
	for (k = 0; k < np; k++) {
		e = (long)(k * CLICK_PERIOD + c + d0);
		lo = e - CLICK_PERIOD / 2;
		hi = e + CLICK_PERIOD / 2;
		if (lo < 0 || hi + CLICK_LEN > (long)out.n)
			continue;
		for (j = lo, m = lo; j < hi; j++)
			if (mo[j] > mo[m])
				m = j;
		if (mo[m] < floor_ || peak <= 0)
			continue;
		d[nd++] = (double)((long)d0 + (m - e)) * 1000 / CLICK_RATE;
	}
	if (nd == 0) {
		printf("n/a 0 n/a n/a\n");
		return 1;
	}
	qsort(d, nd, sizeof *d, click_cmp);
	printf("%.1f %zu %.1f %.1f\n", nd % 2 ? d[nd / 2] :
	    (d[nd / 2 - 1] + d[nd / 2]) / 2, nd, d[0], d[nd - 1]);
	free(mi);
	free(mo);
	free(fold);
	free(d);
	free(in.v);
	free(out.v);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return click_gen(argv[2], atof(argv[3])) == 0 ? 0 : 1;
	if (argc == 4 && strcmp(argv[1], "measure") == 0)
		return click_measure(argv[2], argv[3]);
	fprintf(stderr, "usage: click-delay gen OUT.wav SECONDS\n"
	    "       click-delay measure IN.wav OUT.wav\n");
	return 2;
}
