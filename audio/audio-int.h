/*
 * audio-int.h: what the drivers share with audio.c and nobody else sees:
 * the audio handle itself, the driver table entry, the device-side ring
 * helpers that do the overrun/underrun bookkeeping, and the real-time
 * clock thread the file and null drivers run on.
 */
#ifndef TSP_AUDIO_INT_H
#define TSP_AUDIO_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio.h"
#include "audio-ring.h"

struct audio;

struct audio_driver {
	const char	*name;
	/*
	 * Check the config and open the device without starting it. May
	 * change a->rate to what the device can do, and sets a->duplex when
	 * capture and playback run on one clock in one thread (so that an
	 * echo reference can be kept in lockstep). On failure set *cause
	 * and leave nothing allocated (close is not called).
	 */
	int		(*open)(struct audio *, const struct audio_config *,
			    char **);
	/* Start the device thread; the rings exist by now. */
	int		(*start)(struct audio *, char **);
	/*
	 * Stop the device (if started) and free the driver state; a failure
	 * to finish its job (the file driver's WAV) sets *cause unless it is
	 * NULL and returns -1.
	 */
	int		(*close)(struct audio *, char **);
};

struct audio {
	const struct audio_driver *driver;
	unsigned int		 rate;
	unsigned int		 period_ms;
	size_t			 period;	/* samples */
	struct audio_ring	*capture;	/* NULL: no capture */
	struct audio_ring	*playback;	/* NULL: no playback */
	/* What was played, in lockstep with capture; NULL: none. */
	struct audio_ring	*reference;
	bool			 duplex;	/* set by the driver's open */
	void			*priv;		/* the driver's */

	int			 notify_fd;	/* -1: no wake-ups */
	size_t			 notify_samples;
	size_t			 notify_acc;	/* device thread only */

	/* Written by the device thread only, read by anyone. */
	_Atomic uint64_t	 captured, dropped, overruns;
	_Atomic uint64_t	 played, silence, underruns;

	/* Device thread only: inside an overrun / underrun episode. */
	bool			 overflowing;
	bool			 starving;
};

extern const struct audio_driver audio_null_driver;
extern const struct audio_driver audio_file_driver;
extern const struct audio_driver audio_portaudio_driver;

static inline size_t
audio_period_samples(unsigned int rate, unsigned int period_ms)
{
	size_t	n = (size_t)rate * period_ms / 1000;

	return n > 0 ? n : 1;
}

/*
 * Device-thread side (real-time safe: no allocation or locks; the only
 * system call is the eventfd write of the consumer's wake-up, which
 * neither blocks nor allocates). audio_device_capture pushes n samples
 * (NULL: silence), dropping what does not fit; audio_device_capture_ref
 * does the same and pushes, beside them, the n samples the speaker played
 * in the same period (NULL: silence) into the reference ring, always as
 * many as went into capture. audio_device_playback fills n samples,
 * silence for what the ring lacks. audio_device_xrun counts a glitch the
 * device itself reported (PortAudio status flags).
 */
void	audio_device_capture(struct audio *, const int16_t *, size_t);
void	audio_device_capture_ref(struct audio *, const int16_t *,
	    const int16_t *, size_t);
void	audio_device_playback(struct audio *, int16_t *, size_t);
void	audio_device_xrun(struct audio *, bool input, bool output);

/* audio_list_devices, done by the portaudio driver. */
int	audio_portaudio_list(FILE *, char **);

/* The descriptor set by audio_set_stderr_sink, or -1 for /dev/null. */
int	audio_stderr_sink(void);

/*
 * A thread ("tsp-audio") calling tick(arg) every `samples` samples at
 * `rate` Hz on absolute CLOCK_MONOTONIC deadlines, so it keeps a sound
 * card's pace without drifting. The tick is the device: it must be
 * real-time safe.
 */
struct audio_clock {
	pthread_t	 thread;
	bool		 running;
	atomic_bool	 stop;
	size_t		 samples;	/* per period */
	unsigned int	 rate;
	void		(*tick)(void *);
	void		*arg;
};

int	audio_clock_start(struct audio_clock *, size_t, unsigned int,
	    void (*)(void *), void *, char **);
void	audio_clock_stop(struct audio_clock *);

#endif
