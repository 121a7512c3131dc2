/*
 * media-aec.h: acoustic echo cancellation and microphone clean-up, over
 * speexdsp's MDF echo canceller and its preprocessor (residual echo
 * suppression, noise suppression, automatic gain). One state per call
 * and microphone; single-threaded (the thread that captures owns it).
 */
#ifndef TSP_MEDIA_AEC_H
#define TSP_MEDIA_AEC_H

#include <stdbool.h>
#include <stdint.h>

#define MEDIA_AEC_MIN_RATE	8000
#define MEDIA_AEC_MAX_RATE	48000
#define MEDIA_AEC_MAX_TAIL_MS	1000	/* longer is a wrong setting */

/*
 * Residual echo suppression, in dB of attenuation of what the linear
 * filter leaves, while only the far end talks and while the near end
 * talks too (speexdsp's "active" level). Why these values:
 * media-aec.c.
 */
#define MEDIA_AEC_ECHO_SUPPRESS		40
#define MEDIA_AEC_ECHO_SUPPRESS_ACTIVE	25

/*
 * Choosing frame and tail (test-aec, speech-like far end, echo 60 ms
 * late, 48 kHz, echo energy from 2 s on over output energy):
 * - 20 ms frames learn faster than 10 ms ones: 32 against 24 dB.
 * - speexdsp learns slowly in proportion to the tail: 100 ms 35 dB,
 *   150 ms 34, 200 ms 32, 300 ms 29 (with half-silent syllables: 36,
 *   31, 28, 16). So the tail should cover the device's echo path and
 *   the uncertainty of the alignment, and no more.
 */
struct media_aec_config {
	unsigned int	 rate;		/* Hz, 8000..48000 */
	unsigned int	 frame;		/* samples per process: 2.5..40 ms */
	unsigned int	 tail_ms;	/* echo tail; 0: only the preprocessor */
	bool		 noise_suppression;
	bool		 agc;		/* speexdsp defaults: +30 dB max, 12 dB/s */
};

struct media_aec;

/* 0, or -EINVAL with *cause (caller frees; CAUSE may be NULL). */
int	 media_aec_alloc(struct media_aec **out,
	    const struct media_aec_config *, char **cause);
void	 media_aec_free(struct media_aec *);
/*
 * One frame of config.frame samples. MIC is what was captured; REF what
 * the speaker played at the same instant (the device keeps it aligned at
 * a fixed offset, which must be less than the tail), or NULL when there
 * is none: then only the preprocessor runs. OUT may be MIC. Never
 * allocates, locks or logs (but speexdsp writes one line to stderr if
 * its filter diverges and it resets itself, which is rare; tsphone's
 * stderr goes to the log while the screen is up).
 */
void	 media_aec_process(struct media_aec *, const int16_t *mic,
	    const int16_t *ref, int16_t *out);
/*
 * Forget the echo path (the device changed, or the reference was lost
 * for a while). The noise and loudness estimates, which belong to the
 * room and the microphone, are kept.
 */
void	 media_aec_reset(struct media_aec *);
/*
 * Echo return loss enhancement, in dB: microphone over output energy in
 * the frames of the last complete second in which the far end played
 * (reference above -50 dBFS). Near-end speech and noise count as output,
 * so it reads low during double talk. NAN when that second had no
 * far-end frames or the echo canceller is off. For logs and statistics;
 * call from the thread that calls media_aec_process().
 */
double	 media_aec_erle(const struct media_aec *);
/* The configuration it runs with. */
const struct media_aec_config *media_aec_config(const struct media_aec *);

#endif
