/*
 * tone.c: the Goertzel tone analysis and the tonecheck command line.
 * libsndfile reads the audio; the rest is a few lines of arithmetic that
 * the unit tests check against silence, noise, wrong frequencies and
 * tones that went through each codec.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "tone.h"
#include "util.h"

#define TONE_MAX_RANGES	20	/* time ranges printed */

void
tone_opts_default(struct tone_opts *o, double freq)
{
	o->freq = freq;
	o->window = 0.05;
	o->min_ratio = 0.5;
	o->min_rms = pow(10.0, -50.0 / 20.0);
	o->from = 0.0;
	o->to = -1.0;
}

/*
 * With a Hann window w, a tone A*cos(2*pi*f*t) gives |X(f)| = A*N/4 and
 * sum(x^2) = A^2*N/2, so 8*|X|^2 / (N*sum(x^2)) is 1 for a pure tone.
 */
double
tone_ratio(const double *x, size_t n, double rate, double freq, double *rms)
{
	double	 coeff, s0, s1 = 0.0, s2 = 0.0, energy = 0.0, power, w;
	size_t	 i;

	if (rms != NULL)
		*rms = 0.0;
	if (n < 2 || rate <= 0.0)
		return 0.0;
	coeff = 2.0 * cos(2.0 * M_PI * freq / rate);
	for (i = 0; i < n; i++) {
		w = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)(n - 1));
		s0 = x[i] * w + coeff * s1 - s2;
		s2 = s1;
		s1 = s0;
		energy += x[i] * x[i];
	}
	if (rms != NULL)
		*rms = sqrt(energy / (double)n);
	if (energy <= 0.0)
		return 0.0;
	power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
	if (power < 0.0)
		power = 0.0;
	return 8.0 * power / ((double)n * energy);
}

/* Running totals across windows. */
struct tone_acc {
	const struct tone_opts	*opts;
	struct tone_stats	*st;
	double			 sumsq;
	tone_window_h		 cb;
	void			*arg;
};

static void
tone_acc_init(struct tone_acc *a, const struct tone_opts *o,
    struct tone_stats *st, tone_window_h cb, void *arg)
{
	memset(st, 0, sizeof *st);
	a->opts = o;
	a->st = st;
	a->sumsq = 0.0;
	a->cb = cb;
	a->arg = arg;
}

static void
tone_acc_window(struct tone_acc *a, const double *x, size_t n, double rate,
    double t0)
{
	struct tone_window	w;

	w.t0 = t0;
	w.t1 = t0 + (double)n / rate;
	w.ratio = tone_ratio(x, n, rate, a->opts->freq, &w.rms);
	w.hit = w.ratio >= a->opts->min_ratio && w.rms >= a->opts->min_rms;
	a->st->windows++;
	if (w.hit)
		a->st->hits++;
	if (w.ratio > a->st->max_ratio)
		a->st->max_ratio = w.ratio;
	a->sumsq += w.rms * w.rms;
	if (a->cb != NULL)
		a->cb(&w, a->arg);
}

static void
tone_acc_done(struct tone_acc *a)
{
	struct tone_stats	*st = a->st;

	if (st->windows > 0) {
		st->fraction = (double)st->hits / (double)st->windows;
		st->rms = sqrt(a->sumsq / (double)st->windows);
	}
}

/* First and end sample of the analysed range, and the window length. */
static void
tone_range(const struct tone_opts *o, double rate, size_t total,
    size_t *first, size_t *end, size_t *win)
{
	double	f, e;

	f = o->from > 0.0 ? o->from * rate : 0.0;
	e = o->to >= 0.0 ? o->to * rate : (double)total;
	*first = f >= (double)total ? total : (size_t)llround(f);
	*end = e >= (double)total ? total : (size_t)llround(e);
	if (*end < *first)
		*end = *first;
	*win = (size_t)llround(o->window * rate);
	if (*win < 2)
		*win = 2;
}

void
tone_analyse(const double *x, size_t n, double rate,
    const struct tone_opts *o, struct tone_stats *st, tone_window_h cb,
    void *arg)
{
	struct tone_acc	 a;
	size_t		 first, end, win, i;

	tone_acc_init(&a, o, st, cb, arg);
	tone_range(o, rate, n, &first, &end, &win);
	for (i = first; i + win <= end; i += win)
		tone_acc_window(&a, x + i, win, rate, (double)i / rate);
	tone_acc_done(&a);
}

void
tone_analyse_s16(const int16_t *x, size_t n, double rate,
    const struct tone_opts *o, struct tone_stats *st, tone_window_h cb,
    void *arg)
{
	double	*d;
	size_t	 i;

	d = xcalloc(n > 0 ? n : 1, sizeof *d);
	for (i = 0; i < n; i++)
		d[i] = x[i] / 32768.0;
	tone_analyse(d, n, rate, o, st, cb, arg);
	free(d);
}

int
tone_analyse_file(const char *path, const struct tone_opts *o,
    struct tone_stats *st, tone_window_h cb, void *arg, char **cause)
{
	struct tone_acc	 a;
	SNDFILE		*sf;
	SF_INFO		 info;
	double		*frames = NULL, *mono = NULL, rate;
	size_t		 first, end, win, pos, ch, j;
	sf_count_t	 got;
	int		 rc = -1;

	memset(&info, 0, sizeof info);
	sf = sf_open(path, SFM_READ, &info);
	if (sf == NULL) {
		xasprintf(cause, "%s: %s", path, sf_strerror(NULL));
		return -1;
	}
	if (info.samplerate <= 0 || info.channels <= 0 || info.frames < 0) {
		xasprintf(cause, "%s: not audio", path);
		goto out;
	}
	rate = info.samplerate;
	tone_acc_init(&a, o, st, cb, arg);
	tone_range(o, rate, (size_t)info.frames, &first, &end, &win);
	if (first > 0 && sf_seek(sf, (sf_count_t)first, SEEK_SET) < 0) {
		xasprintf(cause, "%s: cannot seek", path);
		goto out;
	}
	frames = xcalloc(win * (size_t)info.channels, sizeof *frames);
	mono = xcalloc(win, sizeof *mono);
	for (pos = first; pos + win <= end; pos += win) {
		got = sf_readf_double(sf, frames, (sf_count_t)win);
		if (got != (sf_count_t)win)
			break;
		for (j = 0; j < win; j++) {
			mono[j] = 0.0;
			for (ch = 0; ch < (size_t)info.channels; ch++)
				mono[j] += frames[j * info.channels + ch];
			mono[j] /= info.channels;
		}
		tone_acc_window(&a, mono, win, rate, (double)pos / rate);
	}
	tone_acc_done(&a);
	rc = 0;
out:
	free(frames);
	free(mono);
	sf_close(sf);
	return rc;
}

/* --- the command ----------------------------------------------------- */

struct tone_ranges {
	double	 start[TONE_MAX_RANGES];
	double	 stop[TONE_MAX_RANGES];
	size_t	 n;
	size_t	 more;		/* ranges beyond the ones kept */
	bool	 open;		/* the last window was a hit */
};

static void
tone_ranges_add(const struct tone_window *w, void *arg)
{
	struct tone_ranges	*r = arg;

	if (!w->hit) {
		r->open = false;
		return;
	}
	if (r->open) {
		if (r->n > 0 && r->more == 0)
			r->stop[r->n - 1] = w->t1;
		return;
	}
	r->open = true;
	if (r->n == TONE_MAX_RANGES) {
		r->more++;
		return;
	}
	r->start[r->n] = w->t0;
	r->stop[r->n] = w->t1;
	r->n++;
}

static int
tone_number(const char *s, double *v)
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
tone_usage(FILE *err)
{
	fprintf(err, "usage: tonecheck FILE FREQ [--min-fraction F] "
	    "[--absent] [--from S] [--to S]\n"
	    "                 [--window MS] [--min-ratio R] [--min-rms DBFS] "
	    "[-q]\n");
	return 2;
}

static double
tone_dbfs(double rms)
{
	return rms > 0.0 ? 20.0 * log10(rms) : -INFINITY;
}

int
tone_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct tone_opts	 o;
	struct tone_stats	 st;
	struct tone_ranges	 r;
	const char		*file = NULL, *freq_s = NULL, *opt;
	char			*cause = NULL;
	double			 v, freq, min_fraction = 0.5, db;
	bool			 absent = false, quiet = false, pass;
	int			 i;
	size_t			 k;

	tone_opts_default(&o, 0.0);
	for (i = 1; i < argc; i++) {
		opt = argv[i];
		if (strcmp(opt, "--absent") == 0)
			absent = true;
		else if (strcmp(opt, "-q") == 0 || strcmp(opt, "--quiet") == 0)
			quiet = true;
		else if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
			tone_usage(out);
			return 0;
		} else if (strncmp(opt, "--", 2) == 0) {
			if (i + 1 >= argc ||
			    tone_number(argv[i + 1], &v) != 0) {
				fprintf(err, "tonecheck: %s needs a number\n",
				    opt);
				return tone_usage(err);
			}
			i++;
			if (strcmp(opt, "--min-fraction") == 0 &&
			    v >= 0.0 && v <= 1.0)
				min_fraction = v;
			else if (strcmp(opt, "--from") == 0 && v >= 0.0)
				o.from = v;
			else if (strcmp(opt, "--to") == 0 && v >= 0.0)
				o.to = v;
			else if (strcmp(opt, "--window") == 0 && v >= 1.0 &&
			    v <= 10000.0)
				o.window = v / 1000.0;
			else if (strcmp(opt, "--min-ratio") == 0 && v > 0.0 &&
			    v <= 1.0)
				o.min_ratio = v;
			else if (strcmp(opt, "--min-rms") == 0 && v <= 0.0)
				o.min_rms = pow(10.0, v / 20.0);
			else {
				fprintf(err, "tonecheck: bad option or value: "
				    "%s %s\n", opt, argv[i]);
				return tone_usage(err);
			}
		} else if (file == NULL)
			file = opt;
		else if (freq_s == NULL)
			freq_s = opt;
		else
			return tone_usage(err);
	}
	if (file == NULL || freq_s == NULL)
		return tone_usage(err);
	if (tone_number(freq_s, &freq) != 0 || freq <= 0.0) {
		fprintf(err, "tonecheck: bad frequency: %s\n", freq_s);
		return 2;
	}
	if (o.to >= 0.0 && o.to <= o.from) {
		fprintf(err, "tonecheck: --to must be after --from\n");
		return 2;
	}
	o.freq = freq;

	memset(&r, 0, sizeof r);
	if (tone_analyse_file(file, &o, &st, tone_ranges_add, &r,
	    &cause) != 0) {
		fprintf(err, "tonecheck: %s\n", cause);
		free(cause);
		return 2;
	}
	if (absent)
		pass = st.windows > 0 && st.hits == 0;
	else
		pass = st.windows > 0 && st.fraction >= min_fraction;

	if (!quiet) {
		db = tone_dbfs(st.rms);
		fprintf(out, "tonecheck: %s: %g Hz in %.3f of windows (%zu/%zu "
		    "of %g ms), rms %.1f dBFS, max ratio %.3f", file, freq,
		    st.fraction, st.hits, st.windows, o.window * 1000.0, db,
		    st.max_ratio);
		if (r.n > 0) {
			fprintf(out, ", at");
			for (k = 0; k < r.n; k++)
				fprintf(out, "%s %.2f-%.2f s", k ? "," : "",
				    r.start[k], r.stop[k]);
			if (r.more > 0)
				fprintf(out, " and %zu more", r.more);
		}
		if (st.windows == 0)
			fprintf(out, "; nothing analysed");
		if (absent)
			fprintf(out, "; want absent: %s\n",
			    pass ? "pass" : "FAIL");
		else
			fprintf(out, "; want >= %.3f: %s\n", min_fraction,
			    pass ? "pass" : "FAIL");
	}
	return pass ? 0 : 1;
}
