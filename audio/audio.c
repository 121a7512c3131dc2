/*
 * audio.c: the driver table, audio_open/audio_close, the calls the media
 * thread makes on the rings, and what every driver shares: the device-side
 * bookkeeping of overruns and underruns, the echo reference kept in
 * lockstep with capture, the consumer's eventfd wake-ups, and the
 * real-time clock thread.
 *
 * Overruns and underruns are counted once per episode, not once per
 * period: a phone with no call in progress would otherwise count a hundred
 * "underruns" a second from an empty playback ring, drowning the one
 * glitch in a call that matters. The sample counters (dropped, silence)
 * give the exact amounts.
 *
 * The echo reference is a second ring beside capture. Lockstep means both
 * rings always receive the same number of samples and give back the same
 * number: the device writes as many to both as the fuller of the two can
 * take (and drops the rest of both), the consumer reads as many from both
 * as the emptier holds. Their totals then stay equal, so capture sample k
 * and reference sample k are always the k-th of each, whatever overflowed
 * or was dropped in between. The device fills the reference first, so
 * when the consumer sees capture samples their reference is already there.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "audio-int.h"
#include "util.h"

static const struct audio_driver *audio_drivers[] = {
	&audio_portaudio_driver,
	&audio_file_driver,
	&audio_null_driver,
};

static int	audio_sink_fd = -1;

static const struct audio_driver *
audio_find_driver(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(audio_drivers); i++) {
		if (strcmp(audio_drivers[i]->name, name) == 0)
			return audio_drivers[i];
	}
	return NULL;
}

/* A ring shorter than two periods could not hold a device period while
 * the other side works on the next one. */
static struct audio_ring *
audio_new_ring(struct audio *a, unsigned int ms)
{
	size_t	n = audio_period_samples(a->rate, ms);

	return audio_ring_new(n > 2 * a->period ? n : 2 * a->period);
}

int
audio_open(const struct audio_config *cfg, struct audio **out, char **cause)
{
	const struct audio_driver	*drv;
	struct audio			*a;
	const char			*name;
	unsigned int			 cap_ms, play_ms, asked;

	name = cfg->driver != NULL ? cfg->driver : "null";
	if ((drv = audio_find_driver(name)) == NULL) {
		xasprintf(cause, "unknown audio driver \"%s\" (expected "
		    "portaudio, file or null)", name);
		return -1;
	}
	if (cfg->rate != 0 && (cfg->rate < 8000 || cfg->rate > 384000)) {
		xasprintf(cause, "audio rate %u Hz is out of range", cfg->rate);
		return -1;
	}
	if (cfg->period_ms > 1000) {
		xasprintf(cause, "audio period %u ms is out of range",
		    cfg->period_ms);
		return -1;
	}
	if (cfg->capture_ring_ms > 60000 || cfg->playback_ring_ms > 60000) {
		xasprintf(cause, "audio ring size is out of range");
		return -1;
	}
	if (cfg->file_echo && cfg->echo_delay_ms > AUDIO_MAX_ECHO_DELAY_MS) {
		xasprintf(cause, "audio echo delay %u ms is out of range (at "
		    "most %u)", cfg->echo_delay_ms, AUDIO_MAX_ECHO_DELAY_MS);
		return -1;
	}
	if (cfg->file_echo && !(cfg->echo_gain_db >= -100 &&
	    cfg->echo_gain_db <= 20)) {
		xasprintf(cause, "audio echo gain %g dB is out of range (-100 "
		    "to 20)", cfg->echo_gain_db);
		return -1;
	}

	a = xcalloc(1, sizeof *a);
	a->driver = drv;
	a->rate = cfg->rate != 0 ? cfg->rate : AUDIO_DEFAULT_RATE;
	a->period_ms = cfg->period_ms != 0 ? cfg->period_ms :
	    AUDIO_DEFAULT_PERIOD_MS;
	atomic_init(&a->captured, 0);
	atomic_init(&a->dropped, 0);
	atomic_init(&a->overruns, 0);
	atomic_init(&a->played, 0);
	atomic_init(&a->silence, 0);
	atomic_init(&a->underruns, 0);
	/* An empty ring before anything was queued is idle, not an
	 * underrun; the first time it runs dry after playing is one. */
	a->starving = true;
	/* notify_fd 0 is a real descriptor: only notify_samples says on. */
	a->notify_fd = cfg->notify_samples != 0 && cfg->notify_fd >= 0 ?
	    cfg->notify_fd : -1;
	a->notify_samples = cfg->notify_samples;

	asked = a->rate;
	if (drv->open(a, cfg, cause) != 0) {
		free(a);
		return -1;
	}
	a->period = audio_period_samples(a->rate, a->period_ms);
	/* notify_samples is a span of time at the rate asked: a device
	 * that runs at another wakes the consumer as often (a 20 ms frame
	 * asked at 48 kHz is 882 samples of a 44.1 kHz card, not 960). */
	if (a->rate != asked && a->notify_samples != 0) {
		a->notify_samples = (size_t)(((uint64_t)a->notify_samples *
		    a->rate + asked / 2) / asked);
		if (a->notify_samples == 0)
			a->notify_samples = 1;
	}

	cap_ms = cfg->capture_ring_ms != 0 ? cfg->capture_ring_ms :
	    AUDIO_DEFAULT_RING_MS;
	play_ms = cfg->playback_ring_ms != 0 ? cfg->playback_ring_ms :
	    AUDIO_DEFAULT_RING_MS;
	if (cfg->input != NULL)
		a->capture = audio_new_ring(a, cap_ms);
	if (cfg->output != NULL)
		a->playback = audio_new_ring(a, play_ms);
	/* The same size as capture, so neither overflows before the other. */
	if (cfg->echo_ref && a->duplex && a->capture != NULL &&
	    a->playback != NULL)
		a->reference = audio_new_ring(a, cap_ms);

	if (drv->start(a, cause) != 0) {
		audio_close(a, NULL);
		return -1;
	}
	*out = a;
	return 0;
}

int
audio_close(struct audio *a, char **cause)
{
	int	rv;

	if (a == NULL)
		return 0;
	rv = a->driver->close(a, cause);
	audio_ring_free(a->capture);
	audio_ring_free(a->playback);
	audio_ring_free(a->reference);
	free(a);
	return rv;
}

const char *
audio_driver_name(const struct audio *a)
{
	return a->driver->name;
}

unsigned int
audio_rate(const struct audio *a)
{
	return a->rate;
}

size_t
audio_period(const struct audio *a)
{
	return a->period;
}

bool
audio_has_capture(const struct audio *a)
{
	return a->capture != NULL;
}

bool
audio_has_playback(const struct audio *a)
{
	return a->playback != NULL;
}

bool
audio_has_echo_ref(const struct audio *a)
{
	return a->reference != NULL;
}

size_t
audio_capture_avail(struct audio *a)
{
	size_t	n, r;

	if (a->capture == NULL)
		return 0;
	n = audio_ring_readable(a->capture);
	if (a->reference != NULL && (r = audio_ring_readable(a->reference)) < n)
		n = r;
	return n;
}

/* Take n (at most what both rings hold) from capture and reference. */
static size_t
audio_capture_take(struct audio *a, int16_t *mic, int16_t *ref, size_t n)
{
	size_t	avail;

	if (a->reference == NULL) {
		n = audio_ring_read(a->capture, mic, n);
		if (ref != NULL)
			memset(ref, 0, n * sizeof *ref);
		return n;
	}
	if (n > (avail = audio_capture_avail(a)))
		n = avail;
	audio_ring_read(a->capture, mic, n);
	audio_ring_read(a->reference, ref, n);
	return n;
}

size_t
audio_capture_read(struct audio *a, int16_t *buf, size_t n)
{
	if (a->capture == NULL || buf == NULL)
		return 0;
	return audio_capture_take(a, buf, NULL, n);
}

size_t
audio_capture_read_ref(struct audio *a, int16_t *mic, int16_t *ref, size_t n)
{
	if (a->capture == NULL || mic == NULL)
		return 0;
	return audio_capture_take(a, mic, ref, n);
}

size_t
audio_capture_drop(struct audio *a)
{
	if (a->capture == NULL)
		return 0;
	return audio_capture_take(a, NULL, NULL, SIZE_MAX);
}

size_t
audio_playback_queued(struct audio *a)
{
	if (a->playback == NULL)
		return 0;
	return audio_ring_capacity(a->playback) -
	    audio_ring_writable(a->playback);
}

size_t
audio_playback_space(struct audio *a)
{
	return a->playback != NULL ? audio_ring_writable(a->playback) : 0;
}

size_t
audio_playback_write(struct audio *a, const int16_t *buf, size_t n)
{
	if (a->playback == NULL || buf == NULL)
		return 0;
	return audio_ring_write(a->playback, buf, n);
}

void
audio_stats(struct audio *a, struct audio_stats *st)
{
	st->captured = atomic_load_explicit(&a->captured,
	    memory_order_relaxed);
	st->dropped = atomic_load_explicit(&a->dropped, memory_order_relaxed);
	st->overruns = atomic_load_explicit(&a->overruns,
	    memory_order_relaxed);
	st->played = atomic_load_explicit(&a->played, memory_order_relaxed);
	st->silence = atomic_load_explicit(&a->silence, memory_order_relaxed);
	st->underruns = atomic_load_explicit(&a->underruns,
	    memory_order_relaxed);
}

/*
 * The counters have a single writer, the device thread, so a relaxed load
 * and store is enough (and cheaper than a locked read-modify-write).
 */
static void
audio_count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c,
	    memory_order_relaxed) + n, memory_order_relaxed);
}

/*
 * Wake the consumer every notify_samples samples. The counter is the
 * device's own (samples the device produced, whether or not the ring took
 * them: a consumer that lets the ring overflow needs waking all the more).
 * eventfd adds what is written, so several wake-ups due in one period cost
 * one write. It fails only with EAGAIN, at 2^64 - 2 unread wake-ups, when
 * one more would change nothing anyway.
 */
static void
audio_device_notify(struct audio *a, size_t n)
{
	uint64_t	k;

	if (a->notify_fd < 0)
		return;
	a->notify_acc += n;
	if (a->notify_acc < a->notify_samples)
		return;
	k = a->notify_acc / a->notify_samples;
	a->notify_acc %= a->notify_samples;
	if (write(a->notify_fd, &k, sizeof k) < 0) {
		/* nothing to do: see above */
	}
}

void
audio_device_capture(struct audio *a, const int16_t *pcm, size_t n)
{
	audio_device_capture_ref(a, pcm, NULL, n);
}

void
audio_device_capture_ref(struct audio *a, const int16_t *pcm,
    const int16_t *ref, size_t n)
{
	size_t	done, room;

	if (a->capture == NULL)
		return;
	if (a->reference != NULL) {
		done = audio_ring_writable(a->capture);
		if ((room = audio_ring_writable(a->reference)) < done)
			done = room;
		if (done > n)
			done = n;
		audio_ring_write(a->reference, ref, done);
		audio_ring_write(a->capture, pcm, done);
	} else
		done = audio_ring_write(a->capture, pcm, n);
	audio_count(&a->captured, done);
	if (done < n) {
		audio_count(&a->dropped, n - done);
		if (!a->overflowing)
			audio_count(&a->overruns, 1);
		a->overflowing = true;
	} else
		a->overflowing = false;
	audio_device_notify(a, n);
}

void
audio_device_playback(struct audio *a, int16_t *pcm, size_t n)
{
	size_t	done = 0;

	if (a->playback != NULL)
		done = audio_ring_read(a->playback, pcm, n);
	audio_count(&a->played, done);
	if (done < n) {
		memset(pcm + done, 0, (n - done) * sizeof *pcm);
		audio_count(&a->silence, n - done);
		/* Some samples this period mean the ring came back to life
		 * and ran dry again: a new episode. */
		if (!a->starving || done > 0)
			audio_count(&a->underruns, 1);
		a->starving = true;
	} else
		a->starving = false;
	if (a->capture == NULL)
		audio_device_notify(a, n);
}

void
audio_device_xrun(struct audio *a, bool input, bool output)
{
	if (input)
		audio_count(&a->overruns, 1);
	if (output)
		audio_count(&a->underruns, 1);
}

int
audio_list_devices(FILE *f, char **cause)
{
	return audio_portaudio_list(f, cause);
}

void
audio_set_stderr_sink(int fd)
{
	audio_sink_fd = fd >= 0 ? fd : -1;
}

int
audio_stderr_sink(void)
{
	return audio_sink_fd;
}

/* --- the clock thread of the file and null drivers --------------------- */

/*
 * The deadline of tick k is start + k periods, computed from the sample
 * count rather than by adding a rounded period each time, so a period that
 * is not a whole number of nanoseconds (220 samples at 22050 Hz) still
 * never drifts.
 */
static void
audio_clock_deadline(const struct audio_clock *c, const struct timespec *start,
    uint64_t k, struct timespec *ts)
{
	uint64_t	samples = k * c->samples;
	uint64_t	ns;

	ns = (uint64_t)start->tv_nsec +
	    (samples % c->rate) * 1000000000u / c->rate;
	ts->tv_sec = start->tv_sec + (time_t)(samples / c->rate) +
	    (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

static int64_t
audio_clock_diff_ns(const struct timespec *a, const struct timespec *b)
{
	return ((int64_t)a->tv_sec - (int64_t)b->tv_sec) * 1000000000 +
	    (a->tv_nsec - b->tv_nsec);
}

static void *
audio_clock_main(void *arg)
{
	struct audio_clock	*c = arg;
	struct timespec		 start, deadline, now;
	uint64_t		 k = 0;
	int64_t			 late;
	int			 error;

	pthread_setname_np(pthread_self(), "tsp-audio");
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
		audio_clock_deadline(c, &start, ++k, &deadline);
		do {
			error = clock_nanosleep(CLOCK_MONOTONIC,
			    TIMER_ABSTIME, &deadline, NULL);
		} while (error == EINTR);
		if (atomic_load_explicit(&c->stop, memory_order_acquire))
			break;
		c->tick(c->arg);

		/*
		 * Deadlines are absolute, so a late wake-up is caught up by
		 * the next one and the rate never drifts. Only after a long
		 * stall (the process stopped, the machine suspended) does
		 * the clock start afresh, as a card would: catching up would
		 * flood the rings in a burst.
		 */
		clock_gettime(CLOCK_MONOTONIC, &now);
		late = audio_clock_diff_ns(&now, &deadline);
		if (late > 0 && (uint64_t)late >
		    10 * (uint64_t)c->samples * 1000000000u / c->rate) {
			start = now;
			k = 0;
		}
	}
	return NULL;
}

int
audio_clock_start(struct audio_clock *c, size_t samples, unsigned int rate,
    void (*tick)(void *), void *arg, char **cause)
{
	sigset_t	all, old;
	int		error;

	c->samples = samples;
	c->rate = rate;
	c->tick = tick;
	c->arg = arg;
	atomic_init(&c->stop, false);
	/* Signals belong to the main thread, never to the clock. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&c->thread, NULL, audio_clock_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0) {
		xasprintf(cause, "cannot start the audio clock thread: %s",
		    strerror(error));
		return -1;
	}
	c->running = true;
	return 0;
}

void
audio_clock_stop(struct audio_clock *c)
{
	if (!c->running)
		return;
	atomic_store_explicit(&c->stop, true, memory_order_release);
	pthread_join(c->thread, NULL);
	c->running = false;
}
