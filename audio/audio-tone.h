/*
 * audio-tone.h: tone generators (sine, ringback, ringtone, beep, DTMF)
 * into int16 buffers at any rate.
 *
 * A tone is a plain value: a short list of steps (one or two frequencies
 * for some milliseconds, or silence) played once or in a loop, and where
 * it has got to. Successive calls continue the waveform exactly where the
 * last one stopped, so a tone may be produced in chunks of any size. No
 * device, clock or allocation is involved; the struct may be copied.
 *
 * Cadences (documented for users in tsphone(1)):
 *	ringback  440 + 480 Hz, 2 s on, 4 s off (North American); what the
 *		  caller hears while the other side rings, when the network
 *		  sends no early media.
 *	ringtone  an incoming call: a soft trill alternating E5 and G5
 *		  (659 and 784 Hz, 100 ms each) for 0.8 s, 0.4 s pause, the
 *		  trill again, 2 s pause; 4 s in all.
 *	beep	  one short tone (default 1000 Hz, 150 ms), then silence.
 *	dtmf	  the key's two frequencies (ITU-T Q.23) for the given time.
 */
#ifndef TSP_AUDIO_TONE_H
#define TSP_AUDIO_TONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_TONE_MAX_STEPS	24

struct audio_tone_step {
	float		freq[2];	/* Hz; 0: unused (both 0: silence) */
	uint32_t	ms;		/* 0: forever */
};

struct audio_tone {
	struct audio_tone_step	 steps[AUDIO_TONE_MAX_STEPS];
	size_t			 nsteps;
	bool			 loop;		/* else done after the last */
	bool			 smooth;	/* ramp the edges: no clicks */
	unsigned int		 rate;
	double			 amplitude;	/* of full scale, 0..1 */

	size_t			 step;		/* where it has got to */
	uint64_t		 pos;		/* samples into the step */
	double			 phase[2];	/* cycles, in [0, 1) */
	bool			 done;
};

/* A continuous sine of freq Hz; amplitude is a fraction of full scale. */
void	audio_tone_init_sine(struct audio_tone *, unsigned int rate,
	    double freq, double amplitude);
void	audio_tone_init_ringback(struct audio_tone *, unsigned int rate);
void	audio_tone_init_ringtone(struct audio_tone *, unsigned int rate);
/* One beep; freq 0 means 1000 Hz, ms 0 means 150 ms. */
void	audio_tone_init_beep(struct audio_tone *, unsigned int rate,
	    double freq, unsigned int ms);
/* A DTMF key (0-9, *, #, A-D); returns -1 for any other character. */
int	audio_tone_init_dtmf(struct audio_tone *, unsigned int rate,
	    char digit, unsigned int ms);

/* Back to the start of the cadence. */
void	audio_tone_reset(struct audio_tone *);
/* True once a tone that does not loop has played to its end. */
bool	audio_tone_done(const struct audio_tone *);
/* Write the next n samples (silence once done). */
void	audio_tone_fill(struct audio_tone *, int16_t *, size_t n);
/* Add the next n samples to what is there, saturating. */
void	audio_tone_mix(struct audio_tone *, int16_t *, size_t n);

#endif
