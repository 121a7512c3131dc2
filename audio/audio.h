/*
 * audio.h: the sound device, whatever drives it.
 *
 * One interface over three drivers, chosen by name: "portaudio" (a real
 * sound card), "file" (WAV files standing in for microphone and speaker,
 * paced in real time like a card) and "null" (a card that records silence
 * and plays into nothing, also paced in real time).
 *
 * PCM is always mono signed 16-bit at audio_rate(). Between the device and
 * its user sit two lock-free rings: the device thread pushes what the
 * microphone captured into the capture ring and pulls what the speaker
 * plays from the playback ring. Every function below except audio_open,
 * audio_close, audio_list_devices and audio_set_stderr_sink is
 * non-blocking and safe for one media thread to call while the device
 * runs: the capture calls and the playback calls each have exactly one
 * consumer/producer, so use each side from one thread at a time.
 *
 * A device opened with echo_ref also pushes, beside each captured period,
 * what its speaker played in that period (the reference an echo canceller
 * needs), and the consumer can be woken through an eventfd every so many
 * samples instead of polling on a timer of its own.
 *
 * The device starts running in audio_open. Capture that nobody reads
 * overflows the ring and is dropped; playback that nobody writes is heard
 * as silence. Both are counted (audio_stats), once per episode.
 */
#ifndef TSP_AUDIO_H
#define TSP_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AUDIO_DEFAULT_RATE	48000
#define AUDIO_DEFAULT_PERIOD_MS	10
#define AUDIO_DEFAULT_RING_MS	200

struct audio;

struct audio_config {
	/* "portaudio", "file" or "null"; NULL means "null". */
	const char	*driver;
	/*
	 * Microphone: for portaudio a device name (exact, or a substring
	 * matching one device only), its index as shown by
	 * audio_list_devices, or "default"; for file the path of a WAV of
	 * integer or float PCM (any rate, up to 64 channels; mixed to mono,
	 * resampled and looped), or of any other file libsndfile reads
	 * (loaded for it); ignored by null except that non-NULL means
	 * "capture silence". NULL: no capture at all.
	 */
	const char	*input;
	/*
	 * Speaker: a device as above, or for file the path of a WAV to
	 * create (mono 16-bit PCM at the device rate) receiving every sample
	 * the speaker plays, silence included. NULL: no playback.
	 */
	const char	*output;
	unsigned int	 rate;		/* Hz; 0: AUDIO_DEFAULT_RATE */
	unsigned int	 period_ms;	/* device period; 0: 10 ms */
	unsigned int	 capture_ring_ms; /* ring sizes (at least; rounded
					    up to a power of two); 0: 200 ms */
	unsigned int	 playback_ring_ms;

	/*
	 * Echo reference: the device thread pushes, period by period and
	 * in lockstep with capture, what the speaker played in the same
	 * period into a reference ring, so that sample k of capture and
	 * sample k of the reference sit at a fixed offset (the device's
	 * own in->out latency). Needs capture and playback on one duplex
	 * device: file and null always; portaudio only when input and
	 * output are one device, which it then opens as one duplex stream.
	 * Otherwise audio_has_echo_ref() is false.
	 */
	bool		 echo_ref;
	/*
	 * Wake-up for the consumer: when notify_samples is not 0 and
	 * notify_fd >= 0, the device thread adds 1 to this eventfd each
	 * time notify_samples more samples have been captured (or, with no
	 * capture, played); several in one period are added by one write.
	 * notify_samples counts at the rate asked (rate above): a device
	 * that runs at another rate scales it, so that the consumer is
	 * woken as often whatever rate the device took.
	 * notify_samples 0 is "off", whatever notify_fd holds. The
	 * descriptor must be an eventfd (a write to one never blocks
	 * short of 2^64 unread wake-ups, nor allocates); the caller owns
	 * it and keeps it open until audio_close.
	 */
	int		 notify_fd;
	unsigned int	 notify_samples;
	/*
	 * The file driver's room ([audio] file_echo = DELAY_MS GAIN_DB):
	 * what the speaker plays is mixed, echo_delay_ms later and scaled
	 * by echo_gain_db, into what the microphone captures (saturating).
	 * Off unless file_echo; ignored by the other drivers.
	 */
	bool		 file_echo;
	unsigned int	 echo_delay_ms;	/* up to AUDIO_MAX_ECHO_DELAY_MS */
	double		 echo_gain_db;	/* -100..+20 */
};

#define AUDIO_MAX_ECHO_DELAY_MS	2000

/*
 * Counters since open. Samples: captured (pushed into the capture ring),
 * dropped (captured but lost to a full ring), played (taken from the
 * playback ring), silence (played as silence because the ring ran short).
 * Episodes: overruns (runs of dropping, plus overflows the device itself
 * reported) and underruns (runs of starving, plus device underflows).
 */
struct audio_stats {
	uint64_t	captured;
	uint64_t	dropped;
	uint64_t	overruns;
	uint64_t	played;
	uint64_t	silence;
	uint64_t	underruns;
};

/*
 * Open and start a device. On failure returns -1 with *cause set to a
 * message for the user (free it); *out is only set on success.
 * PortAudio is initialised only by the portaudio driver, and only from
 * here: call it from the main thread (see audio_set_stderr_sink).
 */
int		 audio_open(const struct audio_config *, struct audio **out,
		     char **cause);
/*
 * Stop the device and free everything (NULL is fine). For file, this
 * writes what is left and finishes the output WAV; if that failed, or
 * samples were lost, returns -1 and sets *cause unless cause is NULL.
 */
int		 audio_close(struct audio *, char **cause);

const char	*audio_driver_name(const struct audio *);
/* The rate the device really runs at (portaudio may refuse the asked one). */
unsigned int	 audio_rate(const struct audio *);
/* Samples per device period. */
size_t		 audio_period(const struct audio *);
bool		 audio_has_capture(const struct audio *);
bool		 audio_has_playback(const struct audio *);
/* Is there a reference ring beside capture (see echo_ref above)? */
bool		 audio_has_echo_ref(const struct audio *);

/*
 * Capture side: samples waiting, take up to n of them, drop them all.
 * With an echo reference, each of these takes (or drops) the matching
 * reference samples too, so capture and reference never slip apart.
 */
size_t		 audio_capture_avail(struct audio *);
size_t		 audio_capture_read(struct audio *, int16_t *, size_t n);
size_t		 audio_capture_drop(struct audio *);
/*
 * Take up to n samples from capture into mic and the matching n from the
 * reference into ref (NULL drops them), in lockstep; returns how many
 * (the least of n and what both hold). Without an echo reference ref is
 * filled with silence.
 */
size_t		 audio_capture_read_ref(struct audio *, int16_t *mic,
		     int16_t *ref, size_t n);

/* Playback side: samples still to be played, room left, queue up to n. */
size_t		 audio_playback_queued(struct audio *);
size_t		 audio_playback_space(struct audio *);
size_t		 audio_playback_write(struct audio *, const int16_t *,
		     size_t n);

/* The counters so far (read atomically, each on its own). */
void		 audio_stats(struct audio *, struct audio_stats *);

/*
 * Print the PortAudio devices, one a line:
 *	INDEX<TAB>NAME<TAB>in=N out=N<TAB>HOSTAPI[ default-input]
 *	    [ default-output]
 * (the markers on the same line).
 * Returns the number of devices (0 is not an error: the caller says so),
 * or -1 with *cause set.
 */
int		 audio_list_devices(FILE *, char **cause);

/*
 * ALSA and JACK print diagnostics on stderr while PortAudio starts, probes
 * and stops devices. Around those calls this module points file
 * descriptor 2 at a sink and then puts it back: /dev/null by default, or
 * the descriptor given here (-1 restores the default; the caller keeps
 * ownership and must keep it open while audio is in use). Redirecting fd 2
 * is process-wide (whatever another thread writes to stderr meanwhile
 * goes to the sink too), so call audio_open, audio_close and
 * audio_list_devices from the main thread, between curses updates, and
 * never from two threads at once. The file and null drivers never touch
 * fd 2. (What ALSA and JACK print later, from their own threads, is
 * discarded through their error hooks, which the driver sets.)
 */
void		 audio_set_stderr_sink(int fd);

#endif
