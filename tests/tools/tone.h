/*
 * tone.h: is a tone at a given frequency present in some audio, and
 * where? The analysis behind the tonecheck test tool, shared with the
 * unit tests so they prove the very code the end-to-end tests rely on.
 *
 * The audio is cut into windows (50 ms by default). In each, a Goertzel
 * filter (Hann-windowed, evaluated exactly at the frequency) measures
 * the share of the window's energy that is at the frequency; the window
 * has the tone when that share is at least min_ratio (0.5) and the
 * window's RMS is at least min_rms (-50 dBFS), so silence and noise never
 * count. A pure tone scores ~1.0; white noise scores about the filter
 * bandwidth over the Nyquist band (well under 0.01); another tone 500 Hz
 * away scores ~0.
 */
#ifndef TSP_TONE_H
#define TSP_TONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tone_opts {
	double	 freq;		/* Hz */
	double	 window;	/* s */
	double	 min_ratio;	/* share of energy at freq, 0..1 */
	double	 min_rms;	/* linear, full scale 1.0 */
	double	 from;		/* s */
	double	 to;		/* s; negative: to the end */
};

struct tone_window {
	double	 t0, t1;	/* s */
	double	 ratio;
	double	 rms;		/* linear */
	bool	 hit;
};

struct tone_stats {
	size_t	 windows;	/* analysed (complete windows only) */
	size_t	 hits;
	double	 fraction;	/* hits / windows, 0 when none */
	double	 rms;		/* RMS over all analysed windows */
	double	 max_ratio;
};

typedef void (*tone_window_h)(const struct tone_window *, void *);

void	 tone_opts_default(struct tone_opts *, double freq);
/* Share of the energy of X at FREQ (0..~1); *RMS gets the RMS if wanted. */
double	 tone_ratio(const double *x, size_t n, double rate, double freq,
	    double *rms);
/* Analyse samples in memory (full scale 1.0). CB, if set, sees each window. */
void	 tone_analyse(const double *x, size_t n, double rate,
	    const struct tone_opts *, struct tone_stats *, tone_window_h, void *);
/* The same for 16-bit PCM. */
void	 tone_analyse_s16(const int16_t *x, size_t n, double rate,
	    const struct tone_opts *, struct tone_stats *, tone_window_h, void *);
/*
 * A sound file (anything libsndfile reads; channels are averaged).
 * Returns 0, or -1 with *cause set (caller frees) when unreadable.
 */
int	 tone_analyse_file(const char *path, const struct tone_opts *,
	    struct tone_stats *, tone_window_h, void *, char **cause);
/*
 * The tonecheck command: tonecheck FILE FREQ [options]. Writes the
 * summary to OUT and problems to ERR; returns the exit status (0 pass,
 * 1 fail, 2 usage error or unreadable file).
 */
int	 tone_main(int argc, char **argv, FILE *out, FILE *err);

#endif
