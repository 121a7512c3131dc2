/*
 * alsa-benchcard.c: a virtual sound card for bench/audio-bench.sh, as an
 * ALSA external PCM plugin (ioplug), so that a program driving ALSA
 * (baresip 1.0's alsa module) can be measured the way tsphone's file
 * driver is: its microphone plays a WAV, its speaker is recorded to a WAV,
 * paced by a timer like a card, on one clock shared by both directions.
 *
 * baresip 1.0 has a WAV source (aufile) but no WAV player, and ALSA's null
 * PCM takes samples as fast as they come, so its player thread would spin;
 * hence a card of our own. tests/baresip.sh uses it the same way, and
 * tests/portaudio-call.sh puts tsphone's own portaudio driver on it.
 *
 * Both streams count frames from one epoch (CLOCK_MONOTONIC at the first
 * start in the process): what is played at frame t of the epoch goes to
 * frame t of the output, and the capture hands out frame t of the input
 * (looped) at that time. A click's echo is then found at its own position
 * plus the round trip, as in the file driver's files. Capture hands out a
 * period as soon as its first frame is due, not once its last is: that is
 * the file driver's convention too (it gives the period it records on the
 * same tick), so neither side pays a capture period the other does not.
 * "capture_ahead no" makes it wait for the last frame, as a real card
 * does: a duplex reader (PortAudio) waits for playback room as well, and
 * with a buffer of two periods would find a period ahead a full buffer.
 *
 * Only what the tests need: mono, S16_LE, interleaved access (read/write,
 * or mmap over it), one rate (48 kHz unless "rate" says otherwise: a card
 * that refuses the others, as many do). Its WAVs are at that rate.
 *
 * A room, for echo cancellation (tests/portaudio-call.sh): with
 * "echo_delay_ms" and "echo_gain_db", what the process plays goes back,
 * that much later and louder (saturating), into what this card
 * captures, as the file driver's file_echo does. There is one room per
 * process, indexed by epoch frame: every playback of the plugin plays
 * into it, so the cards of a process should share one rate.
 *
 * With "xruns", each stream that ran appends to that file, when it
 * closes, how many overruns (capture) or underruns (playback) it had: a
 * test can tell a stall of the machine from a fault of its own.
 *
 *   pcm_type.benchcard { lib "/path/libasound_module_pcm_benchcard.so" }
 *   pcm.bench { type benchcard input "in.wav" output "out.wav" }
 *   pcm.room { type benchcard input "in.wav" output "out.wav" rate 44100
 *       capture_ahead no echo_delay_ms 60 echo_gain_db -6 xruns "x.txt" }
 *
 * Build: cc -shared -fPIC -o libasound_module_pcm_benchcard.so \
 *            alsa-benchcard.c -lasound -lm
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

#define BENCHCARD_RATE	48000		/* unless "rate" says otherwise */
#define BENCHCARD_HDR	44		/* our WAV header: RIFF, fmt, data */
#define BENCHCARD_ROOM	(1 << 18)	/* frames the room remembers */
#define BENCHCARD_MAX_DELAY_MS	2000

struct benchcard {
	snd_pcm_ioplug_t	 io;
	unsigned int		 rate;		/* the only one it takes */
	int			 ahead;		/* capture a period early */
	int			 timer;		/* timerfd, a tick a period */
	int64_t			 start_ns;	/* when the stream started */
	uint64_t		 base;		/* epoch frame of stream frame 0 */
	uint64_t		 appl;		/* frames moved since prepare */
	int16_t			*in;		/* capture: the input WAV */
	size_t			 in_len;
	int			 out;		/* playback: the output WAV */
	int16_t			*pending;	/* written before the start */
	size_t			 npending;
	uint64_t		 echo_delay;	/* frames; 0: no room */
	double			 echo_gain;	/* linear */
	char			*xruns_path;	/* where to count them */
	int			 started;
	unsigned long		 xruns;
};

/*
 * The room: what was played at each epoch frame, tagged with the frame
 * (plus one, 0 being empty) so that a slot left from an earlier lap, or
 * never played, reads as silence.
 */
struct benchcard_slot {
	uint64_t	frame;
	int16_t		v;
};

static pthread_mutex_t	 benchcard_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t		 benchcard_epoch = -1;
static int		 benchcard_truncated;	/* output emptied once */
static struct benchcard_slot *benchcard_room;	/* under benchcard_lock */

/*
 * ALSA may unload the plugin (PortAudio's Pa_Terminate frees ALSA's
 * configuration, and with it the plugins it loaded): free the room then,
 * or it would leak.
 */
static void __attribute__((destructor))
benchcard_fini(void)
{
	free(benchcard_room);
	benchcard_room = NULL;
}

/* Called with benchcard_lock held. */
static int
benchcard_room_init(void)
{
	if (benchcard_room == NULL)
		benchcard_room = calloc(BENCHCARD_ROOM, sizeof *benchcard_room);
	return benchcard_room == NULL ? -ENOMEM : 0;
}

/* n frames played from epoch frame pos on. */
static void
benchcard_room_play(uint64_t pos, const int16_t *buf, size_t n)
{
	struct benchcard_slot	*s;
	size_t			 i;

	pthread_mutex_lock(&benchcard_lock);
	for (i = 0; benchcard_room != NULL && i < n; i++) {
		s = &benchcard_room[(pos + i) % BENCHCARD_ROOM];
		s->frame = pos + i + 1;
		s->v = buf[i];
	}
	pthread_mutex_unlock(&benchcard_lock);
}

/* The room's echo added to n captured frames from epoch frame pos on. */
static void
benchcard_room_hear(const struct benchcard *bc, uint64_t pos, int16_t *buf,
    size_t n)
{
	const struct benchcard_slot	*s;
	uint64_t			 f;
	size_t				 i;
	double				 v;

	pthread_mutex_lock(&benchcard_lock);
	for (i = 0; i < n; i++) {
		if (pos + i < bc->echo_delay)
			continue;
		f = pos + i - bc->echo_delay;
		s = &benchcard_room[f % BENCHCARD_ROOM];
		if (s->frame != f + 1)
			continue;
		v = buf[i] + s->v * bc->echo_gain;
		buf[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
	}
	pthread_mutex_unlock(&benchcard_lock);
}

static int64_t
benchcard_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Frames the stream's clock has passed since it started, in whole periods
 * as a card's interrupts give them: a pointer moving by the frame would
 * hand out a few frames at a time between ticks, and the reader would
 * spin on them.
 */
static uint64_t
benchcard_elapsed(const snd_pcm_ioplug_t *io, const struct benchcard *bc)
{
	int64_t		d = benchcard_now() - bc->start_ns;
	uint64_t	f;

	f = d <= 0 ? 0 : (uint64_t)(d / 1000 * bc->rate / 1000000);
	return f / io->period_size * io->period_size;
}

static uint32_t
benchcard_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
benchcard_put32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Load a mono 16-bit PCM WAV at the card's rate, whole. */
static int
benchcard_load(struct benchcard *bc, const char *path)
{
	unsigned char	*b = NULL, *p;
	FILE		*f;
	long		 size;
	size_t		 off, sz;
	int		 fmt_ok = 0;

	if ((f = fopen(path, "rb")) == NULL) {
		SNDERR("benchcard: %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 12 ||
	    fseek(f, 0, SEEK_SET) != 0 || (b = malloc(size)) == NULL ||
	    fread(b, 1, size, f) != (size_t)size) {
		fclose(f);
		free(b);
		SNDERR("benchcard: %s: cannot read", path);
		return -EIO;
	}
	fclose(f);
	if (memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WAVE", 4) != 0)
		goto bad;
	for (off = 12; off + 8 <= (size_t)size; off += 8 + sz + (sz & 1)) {
		p = b + off;
		sz = benchcard_le32(p + 4);
		if (sz > (size_t)size - off - 8)
			sz = (size_t)size - off - 8;
		if (memcmp(p, "fmt ", 4) == 0 && sz >= 16) {
			fmt_ok = (p[8] | p[9] << 8) == 1 &&
			    (p[10] | p[11] << 8) == 1 &&
			    benchcard_le32(p + 12) == bc->rate &&
			    (p[22] | p[23] << 8) == 16;
		} else if (memcmp(p, "data", 4) == 0 && fmt_ok && sz >= 2) {
			bc->in_len = sz / 2;
			bc->in = malloc(bc->in_len * sizeof *bc->in);
			if (bc->in == NULL)
				break;
			for (size_t i = 0; i < bc->in_len; i++)
				bc->in[i] = (int16_t)(p[8 + 2 * i] |
				    p[9 + 2 * i] << 8);
			free(b);
			return 0;
		}
	}
bad:
	free(b);
	SNDERR("benchcard: %s: not a mono 16-bit %u Hz PCM WAV", path,
	    bc->rate);
	return -EINVAL;
}

/* The header of a mono 16-bit WAV holding `frames` frames. */
static void
benchcard_header(unsigned char *h, uint64_t frames, unsigned int rate)
{
	uint64_t	data = frames * 2;

	if (data > 0xffffffffu - 36)
		data = 0xffffffffu - 36;
	memcpy(h, "RIFF", 4);
	benchcard_put32(h + 4, 36 + data);
	memcpy(h + 8, "WAVEfmt ", 8);
	benchcard_put32(h + 16, 16);
	h[20] = 1, h[21] = 0;			/* PCM */
	h[22] = 1, h[23] = 0;			/* mono */
	benchcard_put32(h + 24, rate);
	benchcard_put32(h + 28, rate * 2);
	h[32] = 2, h[33] = 0, h[34] = 16, h[35] = 0;
	memcpy(h + 36, "data", 4);
	benchcard_put32(h + 40, data);
}

static int
benchcard_start(snd_pcm_ioplug_t *io)
{
	struct benchcard	*bc = io->private_data;
	struct itimerspec	 it;
	int64_t			 period_ns, first_ns;

	bc->start_ns = benchcard_now();
	bc->started = 1;
	pthread_mutex_lock(&benchcard_lock);
	if (benchcard_epoch < 0)
		benchcard_epoch = bc->start_ns;
	bc->base = (uint64_t)((bc->start_ns - benchcard_epoch) / 1000 *
	    bc->rate / 1000000);
	pthread_mutex_unlock(&benchcard_lock);
	/* what was written before the start plays from the start */
	if (bc->npending > 0) {
		if (pwrite(bc->out, bc->pending, bc->npending * 2,
		    BENCHCARD_HDR + bc->base * 2) != (ssize_t)bc->npending * 2)
			return -EIO;
		benchcard_room_play(bc->base, bc->pending, bc->npending);
		bc->npending = 0;
	}

	period_ns = (int64_t)io->period_size * 1000000000 / bc->rate;
	/* A capture ahead has its first period at once: say so at once,
	 * or a reader that waits for poll finds two periods at the first
	 * tick, a full buffer if it has two. */
	first_ns = bc->start_ns;
	if (io->stream == SND_PCM_STREAM_PLAYBACK || !bc->ahead)
		first_ns += period_ns;
	memset(&it, 0, sizeof it);
	it.it_interval.tv_sec = period_ns / 1000000000;
	it.it_interval.tv_nsec = period_ns % 1000000000;
	it.it_value.tv_sec = first_ns / 1000000000;
	it.it_value.tv_nsec = first_ns % 1000000000;
	if (timerfd_settime(bc->timer, TFD_TIMER_ABSTIME, &it, NULL) != 0)
		return -errno;
	return 0;
}

static int
benchcard_stop(snd_pcm_ioplug_t *io)
{
	struct benchcard	*bc = io->private_data;
	struct itimerspec	 it;

	memset(&it, 0, sizeof it);
	timerfd_settime(bc->timer, 0, &it, NULL);
	return 0;
}

static int
benchcard_prepare(snd_pcm_ioplug_t *io)
{
	struct benchcard	*bc = io->private_data;

	bc->appl = 0;
	bc->npending = 0;
	if (io->stream == SND_PCM_STREAM_PLAYBACK) {
		free(bc->pending);
		bc->pending = calloc(io->buffer_size, sizeof *bc->pending);
		if (bc->pending == NULL)
			return -ENOMEM;
	}
	return benchcard_stop(io);
}

/*
 * The hardware position, within the buffer; -EPIPE on an xrun as ALSA
 * counts them: playback reached the end of what was written (unless
 * draining, which ends there), or capture a whole buffer ahead of what
 * was read.
 */
static snd_pcm_sframes_t
benchcard_pointer(snd_pcm_ioplug_t *io)
{
	struct benchcard	*bc = io->private_data;
	uint64_t		 hw;

	if (io->state != SND_PCM_STATE_RUNNING &&
	    io->state != SND_PCM_STATE_DRAINING)
		return 0;
	hw = benchcard_elapsed(io, bc);
	if (io->stream == SND_PCM_STREAM_PLAYBACK) {
		if (hw >= bc->appl) {
			if (io->state != SND_PCM_STATE_DRAINING) {
				bc->xruns++;
				return -EPIPE;
			}
			hw = bc->appl;
		}
	} else {
		if (bc->ahead)
			hw += io->period_size;
		if (hw >= bc->appl + io->buffer_size) {
			bc->xruns++;
			return -EPIPE;
		}
	}
	return (snd_pcm_sframes_t)(hw % io->buffer_size);
}

static snd_pcm_sframes_t
benchcard_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
    snd_pcm_uframes_t offset, snd_pcm_uframes_t size)
{
	struct benchcard	*bc = io->private_data;
	int16_t			*buf;
	uint64_t		 pos = bc->base + bc->appl;
	size_t			 i;
	ssize_t			 n;

	/* interleaved mono: step is 16 bits, first is a multiple of 8 */
	buf = (int16_t *)((char *)areas->addr + areas->first / 8) + offset;
	if (io->stream == SND_PCM_STREAM_PLAYBACK &&
	    io->state != SND_PCM_STATE_RUNNING &&
	    io->state != SND_PCM_STATE_DRAINING) {
		if (bc->npending + size > io->buffer_size)
			return -EIO;
		memcpy(bc->pending + bc->npending, buf, size * 2);
		bc->npending += size;
	} else if (io->stream == SND_PCM_STREAM_PLAYBACK) {
		n = pwrite(bc->out, buf, size * 2, BENCHCARD_HDR + pos * 2);
		if (n != (ssize_t)size * 2)
			return -EIO;
		benchcard_room_play(pos, buf, size);
	} else {
		for (i = 0; i < size; i++)
			buf[i] = bc->in[(pos + i) % bc->in_len];
		if (bc->echo_delay > 0)
			benchcard_room_hear(bc, pos, buf, size);
	}
	bc->appl += size;
	return (snd_pcm_sframes_t)size;
}

static int
benchcard_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd,
    unsigned int nfds, unsigned short *revents)
{
	struct benchcard	*bc = io->private_data;
	uint64_t		 ticks;

	(void)nfds;
	if (pfd[0].revents & POLLIN) {
		while (read(bc->timer, &ticks, sizeof ticks) > 0)
			;
		*revents = io->stream == SND_PCM_STREAM_PLAYBACK ?
		    POLLOUT : POLLIN;
	} else
		*revents = pfd[0].revents & (POLLERR | POLLNVAL);
	return 0;
}

static int
benchcard_close(snd_pcm_ioplug_t *io)
{
	struct benchcard	*bc = io->private_data;
	unsigned char		 h[BENCHCARD_HDR];
	struct stat		 st;
	FILE			*f;

	if (bc->started && bc->xruns_path != NULL &&
	    (f = fopen(bc->xruns_path, "a")) != NULL) {
		fprintf(f, "%s %s xruns %lu\n", snd_pcm_name(io->pcm),
		    snd_pcm_stream_name(io->stream), bc->xruns);
		fclose(f);
	}
	free(bc->xruns_path);
	if (bc->out >= 0) {
		if (fstat(bc->out, &st) == 0 && st.st_size > BENCHCARD_HDR) {
			benchcard_header(h, (st.st_size - BENCHCARD_HDR) / 2,
			    bc->rate);
			if (pwrite(bc->out, h, sizeof h, 0) != sizeof h)
				SNDERR("benchcard: cannot finish the WAV");
		}
		close(bc->out);
	}
	close(bc->timer);
	free(bc->in);
	free(bc->pending);
	free(bc);
	return 0;
}

static const snd_pcm_ioplug_callback_t benchcard_callback = {
	.start = benchcard_start,
	.stop = benchcard_stop,
	.pointer = benchcard_pointer,
	.transfer = benchcard_transfer,
	.close = benchcard_close,
	.prepare = benchcard_prepare,
	.poll_revents = benchcard_poll_revents,
};

static int
benchcard_constrain(snd_pcm_ioplug_t *io, unsigned int rate)
{
	/* mmap as a card's driver offers it (ioplug emulates it over
	 * transfer): PortAudio 19.6 does not restart a capture stream
	 * it read without mmap after an overrun */
	static const unsigned int	 access[] = {
		SND_PCM_ACCESS_RW_INTERLEAVED, SND_PCM_ACCESS_MMAP_INTERLEAVED
	};
	static const unsigned int	 format[] = { SND_PCM_FORMAT_S16_LE };
	int				 err;

	if ((err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS,
	    2, access)) < 0 ||
	    (err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT,
	    1, format)) < 0 ||
	    (err = snd_pcm_ioplug_set_param_minmax(io,
	    SND_PCM_IOPLUG_HW_CHANNELS, 1, 1)) < 0 ||
	    (err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE,
	    rate, rate)) < 0 ||
	    (err = snd_pcm_ioplug_set_param_minmax(io,
	    SND_PCM_IOPLUG_HW_PERIOD_BYTES, 2 * 48, 2 * rate)) < 0 ||
	    (err = snd_pcm_ioplug_set_param_minmax(io,
	    SND_PCM_IOPLUG_HW_PERIODS, 2, 64)) < 0 ||
	    (err = snd_pcm_ioplug_set_param_minmax(io,
	    SND_PCM_IOPLUG_HW_BUFFER_BYTES, 2 * 96, 4 * rate)) < 0)
		return err;
	return 0;
}

SND_PCM_PLUGIN_DEFINE_FUNC(benchcard)
{
	snd_config_iterator_t	 i, next;
	const char		*input = NULL, *output = NULL, *xruns = NULL;
	const char		*id;
	struct benchcard	*bc;
	unsigned char		 h[BENCHCARD_HDR];
	long			 rate = BENCHCARD_RATE, delay_ms = 0;
	double			 gain_db = 0;
	int			 err, flags, echo = 0, ahead = 1;

	(void)root;
	snd_config_for_each(i, next, conf) {
		snd_config_t	*n = snd_config_iterator_entry(i);

		if (snd_config_get_id(n, &id) < 0)
			continue;
		if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 ||
		    strcmp(id, "hint") == 0)
			continue;
		if (strcmp(id, "input") == 0) {
			if (snd_config_get_string(n, &input) < 0)
				return -EINVAL;
			continue;
		}
		if (strcmp(id, "output") == 0) {
			if (snd_config_get_string(n, &output) < 0)
				return -EINVAL;
			continue;
		}
		if (strcmp(id, "xruns") == 0) {
			if (snd_config_get_string(n, &xruns) < 0)
				return -EINVAL;
			continue;
		}
		if (strcmp(id, "rate") == 0) {
			if (snd_config_get_integer(n, &rate) < 0 ||
			    rate < 8000 || rate > 192000) {
				SNDERR("benchcard: rate: 8000 to 192000");
				return -EINVAL;
			}
			continue;
		}
		if (strcmp(id, "capture_ahead") == 0) {
			if ((ahead = snd_config_get_bool(n)) < 0) {
				SNDERR("benchcard: capture_ahead: yes or no");
				return -EINVAL;
			}
			continue;
		}
		if (strcmp(id, "echo_delay_ms") == 0) {
			if (snd_config_get_integer(n, &delay_ms) < 0 ||
			    delay_ms < 1 || delay_ms > BENCHCARD_MAX_DELAY_MS) {
				SNDERR("benchcard: echo_delay_ms: 1 to %d",
				    BENCHCARD_MAX_DELAY_MS);
				return -EINVAL;
			}
			echo = 1;
			continue;
		}
		if (strcmp(id, "echo_gain_db") == 0) {
			if (snd_config_get_ireal(n, &gain_db) < 0 ||
			    gain_db < -100 || gain_db > 20) {
				SNDERR("benchcard: echo_gain_db: -100 to 20");
				return -EINVAL;
			}
			continue;
		}
		SNDERR("benchcard: unknown field %s", id);
		return -EINVAL;
	}
	if ((stream == SND_PCM_STREAM_CAPTURE && input == NULL) ||
	    (stream == SND_PCM_STREAM_PLAYBACK && output == NULL)) {
		SNDERR("benchcard: %s must be set",
		    stream == SND_PCM_STREAM_CAPTURE ? "input" : "output");
		return -EINVAL;
	}

	if (echo && (uint64_t)delay_ms * rate / 1000 >= BENCHCARD_ROOM / 2) {
		SNDERR("benchcard: echo_delay_ms: too long at %ld Hz", rate);
		return -EINVAL;
	}

	if ((bc = calloc(1, sizeof *bc)) == NULL)
		return -ENOMEM;
	bc->out = -1;
	bc->rate = (unsigned int)rate;
	bc->ahead = ahead;
	/* An echo is heard only once it has been played: one shorter than
	 * what the player writes ahead (a period or so) starts with
	 * silence. */
	if (echo && stream == SND_PCM_STREAM_CAPTURE) {
		bc->echo_delay = (uint64_t)delay_ms * bc->rate / 1000;
		bc->echo_gain = pow(10, gain_db / 20);
	}
	bc->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (bc->timer < 0) {
		err = -errno;
		free(bc);
		return err;
	}
	if (xruns != NULL && (bc->xruns_path = strdup(xruns)) == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	if (bc->echo_delay > 0 || stream == SND_PCM_STREAM_PLAYBACK) {
		pthread_mutex_lock(&benchcard_lock);
		err = benchcard_room_init();
		pthread_mutex_unlock(&benchcard_lock);
		if (err < 0)
			goto fail;
	}
	if (stream == SND_PCM_STREAM_CAPTURE) {
		if ((err = benchcard_load(bc, input)) < 0)
			goto fail;
	} else {
		/* a process may open its speaker more than once: keep the
		 * first one's recording, on the same clock */
		flags = O_WRONLY | O_CREAT | O_CLOEXEC;
		pthread_mutex_lock(&benchcard_lock);
		if (!benchcard_truncated)
			flags |= O_TRUNC;
		benchcard_truncated = 1;
		pthread_mutex_unlock(&benchcard_lock);
		if ((bc->out = open(output, flags, 0644)) < 0) {
			err = -errno;
			SNDERR("benchcard: %s: %s", output, strerror(errno));
			goto fail;
		}
		benchcard_header(h, 0, bc->rate);
		if (pwrite(bc->out, h, sizeof h, 0) != sizeof h) {
			err = -EIO;
			goto fail;
		}
	}

	bc->io.version = SND_PCM_IOPLUG_VERSION;
	bc->io.name = "tsphone bench card";
	bc->io.callback = &benchcard_callback;
	bc->io.private_data = bc;
	bc->io.poll_fd = bc->timer;
	bc->io.poll_events = POLLIN;
	bc->io.flags = SND_PCM_IOPLUG_FLAG_MONOTONIC;
	if ((err = snd_pcm_ioplug_create(&bc->io, name, stream, mode)) < 0)
		goto fail;
	if ((err = benchcard_constrain(&bc->io, bc->rate)) < 0) {
		snd_pcm_ioplug_delete(&bc->io);	/* calls benchcard_close */
		return err;
	}
	*pcmp = bc->io.pcm;
	return 0;

fail:
	if (bc->out >= 0)
		close(bc->out);
	close(bc->timer);
	free(bc->in);
	free(bc->xruns_path);
	free(bc);
	return err;
}

SND_PCM_PLUGIN_SYMBOL(benchcard);
