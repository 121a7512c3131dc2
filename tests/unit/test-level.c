/*
 * test-level.c: the level meter and the volume gain (media-level.c):
 * known signals read their textbook levels, the window forgets what is
 * older than ~300 ms, the peak falls at its rate, feeding in odd pieces
 * changes nothing, and every gain step is the right factor with
 * saturation at both ends.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media-level.h"
#include "tap.h"
#include "util.h"

#define RATE	48000

static void
sine(int16_t *x, size_t n, double amp, double freq, double rate)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		x[i] = (int16_t)lrint(amp * sin(2.0 * M_PI * freq *
		    (double)i / rate));
}

static int
near(double got, double want, double tol)
{
	return fabs(got - want) <= tol;
}

static void
test_meter(void)
{
	struct media_level	 l, m;
	int16_t			*x;
	size_t			 n = RATE, i, step;
	float			 db;

	x = xcalloc(n, sizeof *x);

	media_level_init(&l, RATE);
	is_int(lrintf(media_level_dbfs(&l)), -90, "nothing fed: -90 dBFS");
	is_int(lrintf(media_level_peak_dbfs(&l)), -90, "nothing fed: peak -90");

	media_level_feed(&l, x, n);
	ok(media_level_dbfs(&l) == MEDIA_LEVEL_FLOOR_DBFS,
	    "silence: %.1f dBFS", media_level_dbfs(&l));
	ok(media_level_peak_dbfs(&l) == MEDIA_LEVEL_FLOOR_DBFS,
	    "silence: peak %.1f dBFS", media_level_peak_dbfs(&l));

	sine(x, n, 32767.0, 1000.0, RATE);
	media_level_feed(&l, x, n);
	db = media_level_dbfs(&l);
	ok(near(db, -3.01, 0.05), "full-scale sine: %.2f dBFS RMS", db);
	db = media_level_peak_dbfs(&l);
	ok(near(db, 0.0, 0.25), "full-scale sine: peak %.2f dBFS", db);

	/* Odd piece sizes give the same answer as one call. */
	sine(x, n, 1000.0, 440.0, RATE);
	media_level_init(&l, RATE);
	media_level_init(&m, RATE);
	media_level_feed(&l, x, n);
	for (i = 0, step = 1; i < n; i += step, step = step * 3 % 997 + 1)
		media_level_feed(&m, x + i, step < n - i ? step : n - i);
	ok(media_level_dbfs(&l) == media_level_dbfs(&m) &&
	    media_level_peak_dbfs(&l) == media_level_peak_dbfs(&m),
	    "pieces of any size read like one (%.3f, %.3f)",
	    media_level_dbfs(&l), media_level_dbfs(&m));
	db = media_level_dbfs(&l);
	ok(near(db, 20.0 * log10(1000.0 / 32768.0) - 3.01, 0.05),
	    "sine at 1000: %.2f dBFS", db);

	/* The window: 300 ms of silence after a loud second wipes it. */
	memset(x, 0, n * sizeof *x);
	media_level_feed(&l, x, (size_t)RATE * 150 / 1000);
	db = media_level_dbfs(&l);
	ok(near(db, 20.0 * log10(1000.0 / 32768.0) - 3.01 - 3.01, 0.2),
	    "half the window silent: 3 dB down (%.2f)", db);
	media_level_feed(&l, x, (size_t)RATE * 310 / 1000);
	ok(media_level_dbfs(&l) == MEDIA_LEVEL_FLOOR_DBFS,
	    "310 ms of silence: the window has forgotten (%.1f)",
	    media_level_dbfs(&l));

	/* The peak falls 20 dB per second: 10 dB after half a second. */
	sine(x, 480, 32767.0, 1000.0, RATE);
	media_level_init(&l, RATE);
	media_level_feed(&l, x, 480);
	memset(x, 0, n * sizeof *x);
	media_level_feed(&l, x, RATE / 2);
	db = media_level_peak_dbfs(&l);
	ok(near(db, -10.0, 0.3), "peak 0.5 s later: %.2f dBFS", db);
	for (i = 0; i < 5; i++)
		media_level_feed(&l, x, RATE);
	ok(media_level_peak_dbfs(&l) == MEDIA_LEVEL_FLOOR_DBFS,
	    "peak 5.5 s later: at the floor (%.1f)",
	    media_level_peak_dbfs(&l));

	/* The most negative sample, and rate 0 / other rates. */
	x[0] = -32768;
	media_level_init(&l, 0);
	media_level_feed(&l, x, 1);
	ok(near(media_level_peak_dbfs(&l), 0.0, 0.01) &&
	    near(media_level_dbfs(&l), 0.0, 0.01),
	    "one sample of -32768: 0 dBFS (%.2f, %.2f)",
	    media_level_peak_dbfs(&l), media_level_dbfs(&l));
	media_level_init(&l, 44100);
	sine(x, 44100, 16384.0, 997.0, 44100.0);
	media_level_feed(&l, x, 44100);
	db = media_level_dbfs(&l);
	ok(near(db, -6.02 - 3.01, 0.05), "44100 Hz, half scale: %.2f dBFS",
	    db);
	free(x);
}

static void
test_gain(void)
{
	int16_t		 x[6], y[6];
	int		 db, bad = 0;
	double		 want;
	int16_t		 one;

	x[0] = 1000; x[1] = -1000; x[2] = 20000; x[3] = -20000;
	x[4] = 32767; x[5] = -32768;

	memcpy(y, x, sizeof y);
	media_gain_apply(y, 6, 0);
	ok(memcmp(x, y, sizeof x) == 0, "0 dB leaves the samples alone");

	memcpy(y, x, sizeof y);
	media_gain_apply(y, 6, 6);
	ok(y[0] == 1995 && y[1] == -1995, "+6 dB: 1000 -> %d, -1000 -> %d",
	    y[0], y[1]);
	ok(y[2] == 32767 && y[3] == -32768 && y[4] == 32767 &&
	    y[5] == -32768, "+6 dB saturates: %d %d %d %d", y[2], y[3], y[4],
	    y[5]);

	memcpy(y, x, sizeof y);
	media_gain_apply(y, 6, -6);
	ok(y[0] == 501 && y[1] == -501 && y[2] == 10024 && y[3] == -10024 &&
	    y[5] == -16423, "-6 dB halves: %d %d %d %d %d", y[0], y[1], y[2],
	    y[3], y[5]);

	/* Every step is 10^(dB/20) to within rounding. */
	for (db = MEDIA_GAIN_MIN_DB; db <= MEDIA_GAIN_MAX_DB; db++) {
		one = 3000;
		media_gain_apply(&one, 1, db);
		want = 3000.0 * pow(10.0, db / 20.0);
		if (want > 32767.0)
			want = 32767.0;
		if (fabs(one - want) > 1.0) {
			printf("# %+d dB: 3000 -> %d, want %.1f\n", db, one,
			    want);
			bad++;
		}
	}
	is_int(bad, 0, "every step from -40 to +20 dB is the right factor");

	/* Out of range is clamped, not wrapped. */
	one = 10000;
	media_gain_apply(&one, 1, -100);
	is_int(one, 100, "-100 dB is taken as -40");
	one = 1000;
	media_gain_apply(&one, 1, 100);
	is_int(one, 10000, "+100 dB is taken as +20");
}

int
main(void)
{
	test_meter();
	test_gain();
	return done_testing();
}
