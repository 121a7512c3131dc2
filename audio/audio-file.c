/*
 * audio-file.c: WAV files standing in for the sound card, for tests and
 * for sending a recording into a call.
 *
 * The input WAV is read whole at open, mixed to mono and resampled to the
 * device rate there (with speexdsp), so the clock thread only copies it,
 * looping, into the capture ring. Everything the speaker plays, silence
 * included, goes to the output WAV. File I/O has no place on the clock
 * thread: it copies each played period into a second ring and a writer
 * thread ("tsp-wav") drains that ring into the file (audio-wav.c). The
 * writer sleeps on an eventfd the clock signals once per
 * AUDIO_FILE_WRITER_MS of audio, so it wakes five times a second rather
 * than fifty, and writes in chunks big enough to be worth a system call.
 * At close the clock stops first, then the writer empties the ring, then
 * the file is closed; the header's sizes are rewritten after every write,
 * so the file stays readable (all but the last chunk) even if the process
 * is killed.
 *
 * Capture and playback run in one tick, so this is a duplex device with
 * an echo reference at offset 0. For testing echo cancellation it can
 * also play the room (file_echo): a delay line, allocated at open, feeds
 * what the speaker played in period k into the capture of period
 * k + delay, scaled by the echo gain, on top of the input file.
 *
 * WAVs of integer or float PCM, the input of every test and benchmark and
 * the output always, are read and written by audio-wav.c. Any other input
 * (FLAC, Ogg, A-law WAV...) goes to libsndfile, loaded with dlopen only
 * then, not linked: it links FLAC, Vorbis, Ogg, Opus, mpg123 and LAME,
 * about 1 MiB of resident memory in every call that loads it.
 */
#include "config.h"

#include <sys/eventfd.h>

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>
#include <speex/speex_resampler.h>

#include "audio.h"
#include "audio-int.h"
#include "audio-wav.h"
#include "util.h"

/* The longest input we load, at the device rate: it lives in memory. */
#define AUDIO_FILE_MAX_SECONDS	3600
/* How much played audio may wait for the writer thread: five of its
 * wake-ups, so a disk may stall for 800 ms before anything is lost, and
 * still small in resident memory (128 KiB at 48 kHz). */
#define AUDIO_FILE_RECORD_MS	1000
/* How much played audio makes the clock wake the writer thread. */
#define AUDIO_FILE_WRITER_MS	200
/* Input frames converted per step at open. */
#define AUDIO_FILE_CHUNK	4096

struct audio_file {
	struct audio		*audio;
	struct audio_clock	 clock;

	int16_t			*loop;		/* the input, device rate */
	size_t			 loop_len;
	size_t			 loop_pos;	/* clock thread only */
	int16_t			*cap_scratch;	/* one period each */
	int16_t			*play_scratch;

	bool			 echo;		/* file_echo */
	float			 echo_gain;	/* linear */
	int16_t			*echo_line;	/* echo_len samples, a ring */
	size_t			 echo_len;
	size_t			 echo_pos;	/* clock thread only */

	bool			 has_out;
	struct audio_wav_out	 out;		/* writer thread, then close */
	struct audio_ring	*record;	/* clock -> writer */
	_Atomic uint64_t	 record_lost;	/* written by the clock */
	size_t			 record_chunk;	/* samples per wake-up */
	size_t			 record_pending; /* clock thread only */
	int			 writer_fd;	/* eventfd: clock -> writer */
	pthread_t		 writer;
	bool			 writer_running;
	atomic_bool		 writer_stop;
};

/* The input being loaded: ours, or libsndfile's when sf is set. */
struct audio_file_input {
	struct audio_wav	 wav;
	SNDFILE			*sf;
	unsigned int		 rate;
	unsigned int		 channels;
};

/* --- loading libsndfile ------------------------------------------------- */

#define AUDIO_FILE_SONAME	"libsndfile.so.1"
#define AUDIO_FILE_PACKAGE	"libsndfile1"

/*
 * Every libsndfile function this file calls, reached through this table
 * once audio_file_load_lib has filled it; <sndfile.h> still gives the
 * types and constants. __typeof__ (GNU C, which we build as) takes each
 * pointer's type from the header's own prototype, so the table cannot
 * disagree with the library's ABI.
 */
#define AUDIO_FILE_FN(f)	__typeof__(f) *f
static struct {
	AUDIO_FILE_FN(sf_open);
	AUDIO_FILE_FN(sf_close);
	AUDIO_FILE_FN(sf_error);
	AUDIO_FILE_FN(sf_strerror);
	AUDIO_FILE_FN(sf_readf_float);
} snd;

#define AUDIO_FILE_SYM(f)	{ #f, (void **)&snd.f }
static const struct {
	const char	*name;
	void		**slot;
} audio_file_syms[] = {
	AUDIO_FILE_SYM(sf_open),
	AUDIO_FILE_SYM(sf_close),
	AUDIO_FILE_SYM(sf_error),
	AUDIO_FILE_SYM(sf_strerror),
	AUDIO_FILE_SYM(sf_readf_float),
};

static pthread_once_t	audio_file_once = PTHREAD_ONCE_INIT;
/* Why loading failed, for every caller to see; empty once loaded. */
static char		audio_file_error[512];

/*
 * Run once, by pthread_once. audio_open is called from the main thread
 * only, but the once costs nothing and orders the filling of the table
 * before every use of it. The library is never unloaded: the table stays
 * valid for the life of the process (a phone that made one call will
 * make another), and one that failed to load is not retried.
 */
static void
audio_file_load_once(void)
{
	char		*err = audio_file_error;
	size_t		 size = sizeof audio_file_error, i;
	void		*h;
	const char	*name, *e;

	if ((h = dlopen(AUDIO_FILE_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(err, size, "cannot load libsndfile (%s); is the %s "
		    "package installed?", e != NULL ? e : AUDIO_FILE_SONAME,
		    AUDIO_FILE_PACKAGE);
		return;
	}
	for (i = 0; i < nitems(audio_file_syms); i++) {
		name = audio_file_syms[i].name;
		if ((*audio_file_syms[i].slot = dlsym(h, name)) == NULL) {
			snprintf(err, size, "cannot use libsndfile: %s has no "
			    "%s (is the %s package broken?)", AUDIO_FILE_SONAME,
			    name, AUDIO_FILE_PACKAGE);
			return;
		}
	}
}

static int
audio_file_load_lib(char **cause)
{
	pthread_once(&audio_file_once, audio_file_load_once);
	if (audio_file_error[0] != '\0') {
		*cause = xstrdup(audio_file_error);
		return -1;
	}
	return 0;
}

/* --- the driver --------------------------------------------------------- */

/* Hand a played period to the writer; wake it once a chunk is waiting. */
static void
audio_file_record(struct audio_file *f, const int16_t *pcm, size_t n)
{
	static const uint64_t	one = 1;
	size_t			done, lost;

	done = audio_ring_write(f->record, pcm, n);
	if ((lost = n - done) != 0) {
		atomic_store_explicit(&f->record_lost,
		    atomic_load_explicit(&f->record_lost,
		    memory_order_relaxed) + lost, memory_order_relaxed);
	}
	f->record_pending += n;
	if (f->record_pending >= f->record_chunk) {
		f->record_pending = 0;
		if (write(f->writer_fd, &one, sizeof one) < 0) {
			/* Only at 2^64 - 2 unread wake-ups: it is awake. */
		}
	}
}

/* The room: add what was played echo_len samples ago to the microphone. */
static void
audio_file_echo(struct audio_file *f, int16_t *mic, const int16_t *played,
    size_t n)
{
	size_t	i;
	int16_t	in, out;
	float	v;

	for (i = 0; i < n; i++) {
		in = played != NULL ? played[i] : 0;
		if (f->echo_len == 0)
			out = in;
		else {
			out = f->echo_line[f->echo_pos];
			f->echo_line[f->echo_pos] = in;
			if (++f->echo_pos == f->echo_len)
				f->echo_pos = 0;
		}
		v = mic[i] + out * f->echo_gain;
		if (v > 32767.0f)
			v = 32767.0f;
		else if (v < -32768.0f)
			v = -32768.0f;
		mic[i] = (int16_t)lrintf(v);
	}
}

/*
 * One device period. Playback comes first so that its period can go, as
 * the reference, beside the capture of the same period (and into the
 * room's delay line).
 */
static void
audio_file_tick(void *arg)
{
	struct audio_file	*f = arg;
	struct audio		*a = f->audio;
	const int16_t		*played = NULL;
	size_t			 n, done;

	if (a->playback != NULL) {
		audio_device_playback(a, f->play_scratch, a->period);
		played = f->play_scratch;
		if (f->record != NULL)
			audio_file_record(f, played, a->period);
	}
	if (a->capture != NULL) {
		for (done = 0; done < a->period; done += n) {
			n = f->loop_len - f->loop_pos;
			if (n > a->period - done)
				n = a->period - done;
			memcpy(f->cap_scratch + done, f->loop + f->loop_pos,
			    n * sizeof *f->loop);
			f->loop_pos += n;
			if (f->loop_pos == f->loop_len)
				f->loop_pos = 0;
		}
		if (f->echo)
			audio_file_echo(f, f->cap_scratch, played, a->period);
		audio_device_capture_ref(a, f->cap_scratch, played, a->period);
	}
}

/* Append what the resampler (or a plain copy) made of one chunk. */
static void
audio_file_append(int16_t **buf, size_t *len, size_t *size,
    const float *in, size_t n)
{
	size_t	i;
	float	v;

	if (*len + n > *size) {
		while (*len + n > *size)
			*size = *size != 0 ? *size * 2 : 65536;
		*buf = xrealloc(*buf, *size * sizeof **buf);
	}
	for (i = 0; i < n; i++) {
		v = in[i] * 32767.0f;
		if (v > 32767.0f)
			v = 32767.0f;
		else if (v < -32768.0f)
			v = -32768.0f;
		(*buf)[(*len)++] = (int16_t)lrintf(v);
	}
}

/*
 * Resample n mono frames (NULL: n frames of silence, to flush the filter)
 * and append up to `limit` samples in total.
 */
static void
audio_file_resample(SpeexResamplerState *rs, const float *in, size_t n,
    float *tmp, size_t tmp_len, int16_t **buf, size_t *len, size_t *size,
    size_t limit)
{
	static const float	zeros[256];
	spx_uint32_t		in_len, out_len;
	size_t			step;

	while (n > 0 && *len < limit) {
		step = in != NULL ? n : (n < nitems(zeros) ? n : nitems(zeros));
		in_len = (spx_uint32_t)step;
		out_len = (spx_uint32_t)tmp_len;
		speex_resampler_process_float(rs, 0, in != NULL ? in : zeros,
		    &in_len, tmp, &out_len);
		if (out_len > limit - *len)
			out_len = (spx_uint32_t)(limit - *len);
		audio_file_append(buf, len, size, tmp, out_len);
		n -= in_len;
		if (in != NULL)
			in += in_len;
		if (in_len == 0 && out_len == 0)
			break;
	}
}

/*
 * Open the input: ours if it is a WAV audio-wav.c reads, else through
 * libsndfile, which is loaded for it.
 */
static int
audio_file_input_open(struct audio_file_input *in, const char *path,
    char **cause)
{
	SF_INFO	 info;
	char	*why = NULL;
	int	 rv;

	memset(in, 0, sizeof *in);
	if ((rv = audio_wav_open(&in->wav, path, &why)) == 0) {
		in->rate = in->wav.rate;
		in->channels = in->wav.channels;
		return 0;
	}
	if (rv != AUDIO_WAV_FOREIGN) {
		xasprintf(cause, "audio input %s", why);
		free(why);
		return -1;
	}
	if (audio_file_load_lib(cause) != 0)
		return -1;
	memset(&info, 0, sizeof info);
	if ((in->sf = snd.sf_open(path, SFM_READ, &info)) == NULL) {
		xasprintf(cause, "audio input %s: %s", path,
		    snd.sf_strerror(NULL));
		return -1;
	}
	if (info.channels < 1 || info.channels > AUDIO_WAV_MAX_CHANNELS ||
	    info.samplerate < 1) {
		xasprintf(cause, "audio input %s: unusable format (%d channels "
		    "at %d Hz)", path, info.channels, info.samplerate);
		snd.sf_close(in->sf);
		return -1;
	}
	in->rate = (unsigned int)info.samplerate;
	in->channels = (unsigned int)info.channels;
	return 0;
}

/* Up to n interleaved frames; 0 at the end, -1 with *cause. */
static ssize_t
audio_file_input_read(struct audio_file_input *in, const char *path,
    float *frames, size_t n, char **cause)
{
	sf_count_t	got;

	if (in->sf == NULL)
		return audio_wav_read(&in->wav, frames, n, cause);
	got = snd.sf_readf_float(in->sf, frames, (sf_count_t)n);
	if (got <= 0 && snd.sf_error(in->sf) != SF_ERR_NO_ERROR) {
		xasprintf(cause, "%s: %s", path, snd.sf_strerror(in->sf));
		return -1;
	}
	return got > 0 ? (ssize_t)got : 0;
}

static void
audio_file_input_close(struct audio_file_input *in)
{
	if (in->sf != NULL)
		snd.sf_close(in->sf);
	else
		audio_wav_close(&in->wav);
}

static int
audio_file_load(struct audio_file *f, const char *path, unsigned int rate,
    char **cause)
{
	struct audio_file_input	 in;
	SpeexResamplerState	*rs = NULL;
	float			*frames = NULL, *mono = NULL, *tmp = NULL;
	size_t			 len = 0, size = 0, limit, want, tmp_len, i;
	uint64_t		 total = 0;
	ssize_t			 got;
	unsigned int		 c;
	int			 error, rv = -1;
	char			*why;
	double			 sum;
	float			 v;

	if (audio_file_input_open(&in, path, cause) != 0)
		return -1;
	if (in.rate > 768000) {
		xasprintf(cause, "audio input %s: unusable format (%u channels "
		    "at %u Hz)", path, in.channels, in.rate);
		goto out;
	}
	limit = (size_t)AUDIO_FILE_MAX_SECONDS * rate;
	if (in.rate != rate) {
		rs = speex_resampler_init(1, in.rate, rate,
		    SPEEX_RESAMPLER_QUALITY_DESKTOP, &error);
		if (rs == NULL) {
			xasprintf(cause, "audio input %s: cannot resample from "
			    "%u Hz: %s", path, in.rate,
			    speex_resampler_strerror(error));
			goto out;
		}
		/* Align the output with the input instead of starting with
		 * the filter's delay. */
		speex_resampler_skip_zeros(rs);
	}
	frames = xcalloc((size_t)AUDIO_FILE_CHUNK * in.channels,
	    sizeof *frames);
	mono = xcalloc(AUDIO_FILE_CHUNK, sizeof *mono);
	/* Room for one chunk's output; at extreme ratios the resampler
	 * simply takes less input per call. */
	tmp_len = (size_t)AUDIO_FILE_CHUNK * rate / in.rate + 64;
	if (tmp_len > 16 * AUDIO_FILE_CHUNK)
		tmp_len = 16 * AUDIO_FILE_CHUNK;
	tmp = xcalloc(tmp_len, sizeof *tmp);

	while (len < limit) {
		got = audio_file_input_read(&in, path, frames, AUDIO_FILE_CHUNK,
		    &why);
		if (got == -1) {
			xasprintf(cause, "audio input %s", why);
			free(why);
			goto out;
		}
		if (got == 0)
			break;
		for (i = 0; i < (size_t)got; i++) {
			sum = 0;
			for (c = 0; c < in.channels; c++)
				sum += frames[i * in.channels + c];
			/* Full scale at most, and never NaN: a float file
			 * may hold anything, and one wild sample in the
			 * resampler's filter would spoil what follows. */
			v = (float)(sum / in.channels);
			if (isnan(v))
				v = 0.0f;
			else if (v > 1.0f)
				v = 1.0f;
			else if (v < -1.0f)
				v = -1.0f;
			mono[i] = v;
		}
		total += (uint64_t)got;
		if (rs != NULL) {
			audio_file_resample(rs, mono, (size_t)got, tmp, tmp_len,
			    &f->loop, &len, &size, limit);
		} else {
			audio_file_append(&f->loop, &len, &size, mono,
			    (size_t)got < limit - len ? (size_t)got :
			    limit - len);
		}
	}
	if (rs != NULL) {
		/* Push the tail through the filter: as many output samples
		 * as the input's duration, no more. */
		want = (size_t)((total * rate + in.rate / 2) / in.rate);
		if (want > limit)
			want = limit;
		if (len < want) {
			audio_file_resample(rs, NULL,
			    speex_resampler_get_input_latency(rs) + 64 +
			    (want - len) * in.rate / rate, tmp, tmp_len,
			    &f->loop, &len, &size, want);
		}
	}
	if (len == 0) {
		xasprintf(cause, "audio input %s: no audio in the file", path);
		goto out;
	}
	f->loop_len = len;
	rv = 0;

out:
	if (rv != 0) {
		free(f->loop);
		f->loop = NULL;
	}
	if (rs != NULL)
		speex_resampler_destroy(rs);
	free(frames);
	free(mono);
	free(tmp);
	audio_file_input_close(&in);
	return rv;
}

static int
audio_file_create(struct audio_file *f, const char *path, unsigned int rate,
    char **cause)
{
	char	*why;

	if (audio_wav_create(&f->out, path, rate, &why) != 0) {
		xasprintf(cause, "audio output %s", why);
		free(why);
		return -1;
	}
	f->has_out = true;
	return 0;
}

/* Drain the record ring into the output WAV; false when it was empty. */
static bool
audio_file_drain(struct audio_file *f)
{
	int16_t		buf[4096];
	size_t		n;
	bool		any = false;

	while ((n = audio_ring_read(f->record, buf, nitems(buf))) > 0) {
		any = true;
		audio_wav_write(&f->out, buf, n);
	}
	return any;
}

static void *
audio_file_writer(void *arg)
{
	struct audio_file	*f = arg;
	struct timespec		 ts = { 0, AUDIO_FILE_WRITER_MS * 1000000L };
	uint64_t		 v;

	pthread_setname_np(pthread_self(), "tsp-wav");
	while (!atomic_load_explicit(&f->writer_stop, memory_order_acquire)) {
		/* A blocking read: woken by the clock, or by close. It
		 * cannot fail on an eventfd, but if it did, poll slowly
		 * rather than spin. */
		if (read(f->writer_fd, &v, sizeof v) < 0 && errno != EINTR)
			nanosleep(&ts, NULL);
		audio_file_drain(f);
	}
	/* The clock has stopped: what is left is the end of the file. */
	audio_file_drain(f);
	return NULL;
}

static int
audio_file_open(struct audio *a, const struct audio_config *cfg,
    char **cause)
{
	struct audio_file	*f;

	f = xcalloc(1, sizeof *f);
	f->audio = a;
	f->writer_fd = -1;
	atomic_init(&f->record_lost, 0);
	atomic_init(&f->writer_stop, false);
	if (cfg->input != NULL &&
	    audio_file_load(f, cfg->input, a->rate, cause) != 0) {
		free(f);
		return -1;
	}
	if (cfg->output != NULL &&
	    audio_file_create(f, cfg->output, a->rate, cause) != 0) {
		free(f->loop);
		free(f);
		return -1;
	}
	if (cfg->file_echo && cfg->input != NULL) {
		f->echo = true;
		f->echo_gain = powf(10.0f, (float)cfg->echo_gain_db / 20.0f);
		f->echo_len = (size_t)a->rate * cfg->echo_delay_ms / 1000;
		if (f->echo_len != 0)
			f->echo_line = xcalloc(f->echo_len,
			    sizeof *f->echo_line);
	}
	a->priv = f;
	a->duplex = true;
	return 0;
}

static int
audio_file_start(struct audio *a, char **cause)
{
	struct audio_file	*f = a->priv;
	sigset_t		 all, old;
	int			 error;

	f->cap_scratch = xcalloc(a->period, sizeof *f->cap_scratch);
	f->play_scratch = xcalloc(a->period, sizeof *f->play_scratch);
	if (f->has_out) {
		f->record = audio_ring_new(audio_period_samples(a->rate,
		    AUDIO_FILE_RECORD_MS) + a->period);
		f->record_chunk = audio_period_samples(a->rate,
		    AUDIO_FILE_WRITER_MS);
		if ((f->writer_fd = eventfd(0, EFD_CLOEXEC)) == -1) {
			xasprintf(cause, "cannot start the audio writer: "
			    "eventfd: %s", strerror(errno));
			return -1;
		}
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		error = pthread_create(&f->writer, NULL, audio_file_writer, f);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (error != 0) {
			xasprintf(cause, "cannot start the audio writer "
			    "thread: %s", strerror(error));
			return -1;
		}
		f->writer_running = true;
	}
	return audio_clock_start(&f->clock, a->period, a->rate,
	    audio_file_tick, f, cause);
}

static int
audio_file_close(struct audio *a, char **cause)
{
	struct audio_file	*f = a->priv;
	uint64_t		 lost, one = 1;
	char			*msg = NULL, *why = NULL;
	int			 rv = 0;

	if (f == NULL)
		return 0;
	audio_clock_stop(&f->clock);
	if (f->writer_running) {
		atomic_store_explicit(&f->writer_stop, true,
		    memory_order_release);
		if (write(f->writer_fd, &one, sizeof one) < 0) {
			/* an eventfd write cannot fail here */
		}
		pthread_join(f->writer, NULL);
	}
	if (f->writer_fd != -1)
		close(f->writer_fd);
	if (f->has_out) {
		/* A failed write says more than the samples it cost. */
		lost = atomic_load_explicit(&f->record_lost,
		    memory_order_relaxed);
		if (lost != 0)
			xasprintf(&msg, "audio output %s: %llu samples lost "
			    "(the disk was too slow)", f->out.path,
			    (unsigned long long)lost);
		if (audio_wav_finish(&f->out, &why) != 0) {
			free(msg);
			xasprintf(&msg, "audio output %s", why);
			free(why);
		}
		if (msg != NULL) {
			rv = -1;
			if (cause != NULL)
				*cause = msg;
			else
				free(msg);
		}
	}
	audio_ring_free(f->record);
	free(f->loop);
	free(f->cap_scratch);
	free(f->play_scratch);
	free(f->echo_line);
	free(f);
	a->priv = NULL;
	return rv;
}

const struct audio_driver audio_file_driver = {
	.name = "file",
	.open = audio_file_open,
	.start = audio_file_start,
	.close = audio_file_close,
};
