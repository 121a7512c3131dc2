/*
 * wavstat.c: test tool: how loud a sound file is over a span, how loud
 * one frequency in it is, and where its strongest tone lies. tonecheck
 * answers "is this tone here?"; the echo and rate tests need numbers to
 * compare between runs (how far down the echo is with the canceller on,
 * whether a tone came out at the frequency it went in).
 *
 *   wavstat FILE [--from S] [--to S] [--channel N] [--window MS]
 *                [--freq HZ] [--peak LO-HI]
 *
 * Prints one line of NAME=VALUE words, for a shell to pick apart:
 *
 *   rate=16000 channels=1 seconds=9.480 from=2.000 to=5.500 rms_db=-23.41
 *       [freq=600 tone_db=-31.20] [peak_hz=1000.0 peak_db=-9.10]
 *
 * rate, channels and seconds describe the whole file (its header);
 * the rest the span from S to S (default the whole file), of channel N
 * (1 is the first; default: the channels averaged). Levels are in dBFS
 * with a full-scale square wave at 0 (so a full-scale sine is -3.01),
 * floored at -120 so that digital silence still compares with numbers.
 *
 * tone_db is the power at FREQ alone: a Goertzel filter over successive
 * windows of MS (default 100) ms, each Hann-weighted, so a tone at FREQ
 * reads its own level whatever else plays and energy more than ~2/MS kHz
 * away hardly counts; the windows' powers are averaged. peak_hz is the
 * frequency between LO and HI (Hz) with the most such power, found on a
 * 5 Hz grid and refined to 0.1 Hz around the best point; a tone that
 * went through a wrong resampling ratio (48/44.1, 2) shows up there.
 *
 * Exit 0; 2 on a usage error, an unreadable file, or a span holding
 * less than one window.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "util.h"

#define WAVSTAT_FLOOR_DB	-120.0
#define WAVSTAT_COARSE_HZ	5.0
#define WAVSTAT_FINE_HZ		0.1

struct wavstat {
	double	*x;		/* the span, one channel, full scale 1.0 */
	size_t	 n;
	double	 rate;
	double	*hann;		/* one window */
	size_t	 win;
};

static double
wavstat_db(double power)
{
	double	db;

	if (power <= 0.0)
		return WAVSTAT_FLOOR_DB;
	db = 10.0 * log10(power);
	return db < WAVSTAT_FLOOR_DB ? WAVSTAT_FLOOR_DB : db;
}

/*
 * Mean power of the component at FREQ over the complete windows. With a
 * Hann window a tone A*cos(wt) gives |X| = A*N/4, so its power A^2/2 is
 * 8*|X|^2/N^2.
 */
static double
wavstat_tone_power(const struct wavstat *w, double freq)
{
	double	 coeff, s0, s1, s2, p, sum = 0.0;
	size_t	 pos, i, windows = 0;

	coeff = 2.0 * cos(2.0 * M_PI * freq / w->rate);
	for (pos = 0; pos + w->win <= w->n; pos += w->win) {
		s1 = s2 = 0.0;
		for (i = 0; i < w->win; i++) {
			s0 = w->x[pos + i] * w->hann[i] + coeff * s1 - s2;
			s2 = s1;
			s1 = s0;
		}
		p = s1 * s1 + s2 * s2 - coeff * s1 * s2;
		sum += p > 0.0 ? 8.0 * p / ((double)w->win * (double)w->win) :
		    0.0;
		windows++;
	}
	return windows > 0 ? sum / (double)windows : 0.0;
}

/* The strongest frequency in LO..HI: a coarse grid, then a fine one. */
static double
wavstat_peak(const struct wavstat *w, double lo, double hi, double *power)
{
	double	 f, p, best = lo, best_p = -1.0, a, b;

	for (f = lo; f <= hi; f += WAVSTAT_COARSE_HZ) {
		p = wavstat_tone_power(w, f);
		if (p > best_p) {
			best_p = p;
			best = f;
		}
	}
	a = best - WAVSTAT_COARSE_HZ < lo ? lo : best - WAVSTAT_COARSE_HZ;
	b = best + WAVSTAT_COARSE_HZ > hi ? hi : best + WAVSTAT_COARSE_HZ;
	for (f = a; f <= b; f += WAVSTAT_FINE_HZ) {
		p = wavstat_tone_power(w, f);
		if (p > best_p) {
			best_p = p;
			best = f;
		}
	}
	*power = best_p;
	return best;
}

static int
wavstat_number(const char *s, double *v)
{
	char	*end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(*v))
		return -1;
	return 0;
}

static int
wavstat_range(const char *s, double *lo, double *hi)
{
	char	*copy, *dash;
	int	 rc = -1;

	copy = xstrdup(s);
	if ((dash = strchr(copy, '-')) != NULL) {
		*dash = '\0';
		if (wavstat_number(copy, lo) == 0 &&
		    wavstat_number(dash + 1, hi) == 0 && *lo > 0.0 && *hi > *lo)
			rc = 0;
	}
	free(copy);
	return rc;
}

static int
wavstat_usage(void)
{
	fprintf(stderr, "usage: wavstat FILE [--from S] [--to S] "
	    "[--channel N] [--window MS]\n"
	    "               [--freq HZ] [--peak LO-HI]\n");
	return 2;
}

/* Read channel CH (0: all averaged) of frames FIRST..END of SF into W. */
static int
wavstat_read(SNDFILE *sf, const SF_INFO *info, int ch, sf_count_t first,
    sf_count_t end, struct wavstat *w)
{
	double		*frames;
	sf_count_t	 got, i;
	int		 c;

	w->n = (size_t)(end - first);
	w->x = xcalloc(w->n > 0 ? w->n : 1, sizeof *w->x);
	if (w->n == 0)
		return 0;
	if (first > 0 && sf_seek(sf, first, SEEK_SET) < 0)
		return -1;
	frames = xcalloc(w->n * (size_t)info->channels, sizeof *frames);
	got = sf_readf_double(sf, frames, end - first);
	if (got < 0)
		got = 0;
	w->n = (size_t)got;
	for (i = 0; i < got; i++) {
		if (ch > 0)
			w->x[i] = frames[i * info->channels + ch - 1];
		else {
			for (c = 0; c < info->channels; c++)
				w->x[i] += frames[i * info->channels + c];
			w->x[i] /= info->channels;
		}
	}
	free(frames);
	return 0;
}

int
main(int argc, char **argv)
{
	struct wavstat	 w;
	SF_INFO		 info;
	SNDFILE		*sf;
	const char	*file = NULL, *opt;
	double		 from = 0.0, to = -1.0, window = 100.0, freq = 0.0;
	double		 lo = 0.0, hi = 0.0, v, e, f, p, total;
	sf_count_t	 first, end;
	size_t		 i;
	int		 a, ch = 0, rc = 2;

	for (a = 1; a < argc; a++) {
		opt = argv[a];
		if (strncmp(opt, "--", 2) != 0) {
			if (file != NULL)
				return wavstat_usage();
			file = opt;
			continue;
		}
		if (a + 1 >= argc)
			return wavstat_usage();
		a++;
		if (strcmp(opt, "--peak") == 0) {
			if (wavstat_range(argv[a], &lo, &hi) != 0)
				return wavstat_usage();
			continue;
		}
		if (wavstat_number(argv[a], &v) != 0)
			return wavstat_usage();
		if (strcmp(opt, "--from") == 0 && v >= 0.0)
			from = v;
		else if (strcmp(opt, "--to") == 0 && v >= 0.0)
			to = v;
		else if (strcmp(opt, "--channel") == 0 && v >= 1.0 &&
		    v <= 64.0 && v == floor(v))
			ch = (int)v;
		else if (strcmp(opt, "--window") == 0 && v >= 5.0 &&
		    v <= 10000.0)
			window = v;
		else if (strcmp(opt, "--freq") == 0 && v > 0.0)
			freq = v;
		else
			return wavstat_usage();
	}
	if (file == NULL || (to >= 0.0 && to <= from))
		return wavstat_usage();

	memset(&info, 0, sizeof info);
	if ((sf = sf_open(file, SFM_READ, &info)) == NULL) {
		fprintf(stderr, "wavstat: %s: %s\n", file, sf_strerror(NULL));
		return 2;
	}
	memset(&w, 0, sizeof w);
	if (info.samplerate <= 0 || info.channels <= 0 || info.frames < 0) {
		fprintf(stderr, "wavstat: %s: not audio\n", file);
		goto out;
	}
	if (ch > info.channels) {
		fprintf(stderr, "wavstat: %s has %d channels\n", file,
		    info.channels);
		goto out;
	}
	w.rate = info.samplerate;
	if ((freq > 0.0 && freq >= w.rate / 2.0) ||
	    (hi > 0.0 && hi >= w.rate / 2.0)) {
		fprintf(stderr, "wavstat: frequencies must be below %g Hz\n",
		    w.rate / 2.0);
		goto out;
	}
	first = (sf_count_t)llround(from * w.rate);
	end = to >= 0.0 ? (sf_count_t)llround(to * w.rate) : info.frames;
	if (end > info.frames)
		end = info.frames;
	if (first > end)
		first = end;
	if (wavstat_read(sf, &info, ch, first, end, &w) != 0) {
		fprintf(stderr, "wavstat: %s: cannot seek\n", file);
		goto out;
	}
	w.win = (size_t)llround(window * w.rate / 1000.0);
	if (w.n < w.win || w.win < 2) {
		fprintf(stderr, "wavstat: %s: %.3f-%.3f s holds less than one "
		    "%g ms window\n", file, (double)first / w.rate,
		    (double)end / w.rate, window);
		goto out;
	}
	w.hann = xcalloc(w.win, sizeof *w.hann);
	for (i = 0; i < w.win; i++)
		w.hann[i] = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i /
		    (double)(w.win - 1));

	e = 0.0;
	for (i = 0; i < w.n; i++)
		e += w.x[i] * w.x[i];
	total = (double)info.frames / w.rate;
	printf("rate=%d channels=%d seconds=%.3f from=%.3f to=%.3f "
	    "rms_db=%.2f", info.samplerate, info.channels, total,
	    (double)first / w.rate, (double)(first + (sf_count_t)w.n) / w.rate,
	    wavstat_db(e / (double)w.n));
	if (freq > 0.0)
		printf(" freq=%g tone_db=%.2f", freq,
		    wavstat_db(wavstat_tone_power(&w, freq)));
	if (hi > 0.0) {
		f = wavstat_peak(&w, lo, hi, &p);
		printf(" peak_hz=%.1f peak_db=%.2f", f, wavstat_db(p));
	}
	printf("\n");
	rc = 0;
out:
	free(w.x);
	free(w.hann);
	sf_close(sf);
	return rc;
}
