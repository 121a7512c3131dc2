/*
 * audio-portaudio.c: the sound card, through PortAudio.
 *
 * Capture and playback are normally two separate streams, each with its
 * own callback, so the two directions may be different devices, even on
 * different host APIs, and each ring keeps exactly one producer and one
 * consumer. A callback only converts channels and copies between its
 * stream and its ring (audio_device_capture/playback): no allocation, no
 * locks, no logging. The callbacks run on PortAudio's (or the host API's)
 * threads, which are not ours to name or to reconfigure.
 *
 * An echo reference needs what was played and what was captured on one
 * clock, period by period, which two streams (two callbacks, drifting
 * apart) cannot give. So when one is asked for and input and output are
 * the same device, a single duplex stream is opened instead: its one
 * callback plays a period, captures one, and pushes the period it played
 * beside the captured one as the reference. If the device refuses duplex
 * the two streams are opened as before, without a reference.
 *
 * PortAudio is initialised only when this driver is opened (or devices are
 * listed), never for the file and null drivers. ALSA and JACK write
 * diagnostics to stderr while devices are probed, opened and closed; that
 * would scribble over the curses screen, so every such call runs with fd 2
 * pointed at the sink of audio_set_stderr_sink (/dev/null by default), and
 * both libraries' error hooks are set to discard messages for anything
 * printed later from their own threads. JACK is also told not to start a
 * server on its own (JACK_NO_START_SERVER, unless the user set it): a
 * jackd spawned behind the user's back would grab the sound card.
 *
 * All of these touch process-wide state (fd 2, the environment), so this
 * driver is opened, closed and asked for devices from the main thread only.
 *
 * PortAudio itself is loaded with dlopen the first time it is needed, not
 * linked: with ALSA, JACK and what JACK drags in (libstdc++, Berkeley DB)
 * it would cost every phone a few MiB of memory, most of it for a driver
 * a phone on the file or null driver never opens.
 */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <portaudio.h>

#include "audio.h"
#include "audio-int.h"
#include "util.h"

struct audio_portaudio {
	struct audio	*audio;
	bool		 initialised;	/* we hold a Pa_Initialize */
	PaStream	*in, *out;
	bool		 in_started, out_started;
	PaStream	*duplex;	/* instead of in and out */
	bool		 duplex_started;
	int		 in_channels, out_channels;
	int16_t		*in_scratch, *out_scratch;
	size_t		 scratch_frames;
};

/* --- loading PortAudio -------------------------------------------------- */

#define AUDIO_PORTAUDIO_SONAME	"libportaudio.so.2"
#define AUDIO_PORTAUDIO_PACKAGE	"libportaudio2"

/*
 * Every PortAudio function this file calls, reached through this table
 * once audio_portaudio_load has filled it; <portaudio.h> still gives the
 * types and constants. __typeof__ (GNU C, which we build as) takes each
 * pointer's type from the header's own prototype, so the table cannot
 * disagree with the library's ABI.
 */
#define AUDIO_PORTAUDIO_FN(f)	__typeof__(f) *f
static struct {
	AUDIO_PORTAUDIO_FN(Pa_Initialize);
	AUDIO_PORTAUDIO_FN(Pa_Terminate);
	AUDIO_PORTAUDIO_FN(Pa_GetErrorText);
	AUDIO_PORTAUDIO_FN(Pa_GetDeviceCount);
	AUDIO_PORTAUDIO_FN(Pa_GetDefaultInputDevice);
	AUDIO_PORTAUDIO_FN(Pa_GetDefaultOutputDevice);
	AUDIO_PORTAUDIO_FN(Pa_GetDeviceInfo);
	AUDIO_PORTAUDIO_FN(Pa_GetHostApiInfo);
	AUDIO_PORTAUDIO_FN(Pa_IsFormatSupported);
	AUDIO_PORTAUDIO_FN(Pa_OpenStream);
	AUDIO_PORTAUDIO_FN(Pa_StartStream);
	AUDIO_PORTAUDIO_FN(Pa_StopStream);
	AUDIO_PORTAUDIO_FN(Pa_CloseStream);
} pa;

#define AUDIO_PORTAUDIO_SYM(f)	{ #f, (void **)&pa.f }
static const struct {
	const char	*name;
	void		**slot;
} audio_portaudio_syms[] = {
	AUDIO_PORTAUDIO_SYM(Pa_Initialize),
	AUDIO_PORTAUDIO_SYM(Pa_Terminate),
	AUDIO_PORTAUDIO_SYM(Pa_GetErrorText),
	AUDIO_PORTAUDIO_SYM(Pa_GetDeviceCount),
	AUDIO_PORTAUDIO_SYM(Pa_GetDefaultInputDevice),
	AUDIO_PORTAUDIO_SYM(Pa_GetDefaultOutputDevice),
	AUDIO_PORTAUDIO_SYM(Pa_GetDeviceInfo),
	AUDIO_PORTAUDIO_SYM(Pa_GetHostApiInfo),
	AUDIO_PORTAUDIO_SYM(Pa_IsFormatSupported),
	AUDIO_PORTAUDIO_SYM(Pa_OpenStream),
	AUDIO_PORTAUDIO_SYM(Pa_StartStream),
	AUDIO_PORTAUDIO_SYM(Pa_StopStream),
	AUDIO_PORTAUDIO_SYM(Pa_CloseStream),
};

static pthread_once_t	audio_portaudio_once = PTHREAD_ONCE_INIT;
/* Why loading failed, for every caller to see; empty once loaded. */
static char		audio_portaudio_error[512];

/* --- keeping ALSA and JACK off the terminal ---------------------------- */

typedef void (*audio_portaudio_alsa_h)(const char *, int, const char *, int,
    const char *, ...);
typedef void (*audio_portaudio_jack_h)(const char *);

static void
audio_portaudio_alsa_silent(const char *file, int line, const char *fn,
    int err, const char *fmt, ...)
{
}

static void
audio_portaudio_jack_silent(const char *msg)
{
}

/*
 * Both libraries come in with PortAudio (it links them), so their hooks
 * are looked up at run time: this file does not depend on their headers
 * and works the same when PortAudio was built without one of them. They
 * are looked up through PortAudio's handle, which searches what it links:
 * loaded RTLD_LOCAL, their symbols are not in the global scope.
 */
static void
audio_portaudio_hush(void *h)
{
	int	(*alsa_set)(audio_portaudio_alsa_h);
	void	(*jack_set)(audio_portaudio_jack_h);

	setenv("JACK_NO_START_SERVER", "1", 0);
	*(void **)&alsa_set = dlsym(h, "snd_lib_error_set_handler");
	if (alsa_set != NULL)
		alsa_set(audio_portaudio_alsa_silent);
	*(void **)&jack_set = dlsym(h, "jack_set_error_function");
	if (jack_set != NULL)
		jack_set(audio_portaudio_jack_silent);
	*(void **)&jack_set = dlsym(h, "jack_set_info_function");
	if (jack_set != NULL)
		jack_set(audio_portaudio_jack_silent);
}

/*
 * Run once, by pthread_once. audio_open and audio_list_devices are called
 * from the main thread only, but the once costs nothing and orders the
 * filling of the table before every use of it. The library is never
 * unloaded: ALSA and JACK leave threads and exit handlers behind that a
 * dlclose would pull the code from under. One that failed to load is not
 * retried.
 */
static void
audio_portaudio_load_once(void)
{
	char		*err = audio_portaudio_error;
	size_t		 size = sizeof audio_portaudio_error, i;
	void		*h;
	const char	*name, *e;

	h = dlopen(AUDIO_PORTAUDIO_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		e = dlerror();
		snprintf(err, size, "cannot load PortAudio (%s); is the %s "
		    "package installed?", e != NULL ? e :
		    AUDIO_PORTAUDIO_SONAME, AUDIO_PORTAUDIO_PACKAGE);
		return;
	}
	for (i = 0; i < nitems(audio_portaudio_syms); i++) {
		name = audio_portaudio_syms[i].name;
		if ((*audio_portaudio_syms[i].slot = dlsym(h, name)) == NULL) {
			snprintf(err, size, "cannot use PortAudio: %s has "
			    "no %s (is the %s package broken?)",
			    AUDIO_PORTAUDIO_SONAME, name,
			    AUDIO_PORTAUDIO_PACKAGE);
			return;
		}
	}
	audio_portaudio_hush(h);
}

static int
audio_portaudio_load(char **cause)
{
	pthread_once(&audio_portaudio_once, audio_portaudio_load_once);
	if (audio_portaudio_error[0] != '\0') {
		*cause = xstrdup(audio_portaudio_error);
		return -1;
	}
	return 0;
}

/* Point fd 2 at the sink; returns the saved descriptor (or -1). */
static int
audio_portaudio_quiet(void)
{
	int	sink = audio_stderr_sink(), null = -1, saved;

	fflush(stderr);
	if ((saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	if (sink == -1) {
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null == -1) {
			close(saved);
			return -1;
		}
		sink = null;
	}
	if (dup2(sink, STDERR_FILENO) == -1) {
		close(saved);
		saved = -1;
	}
	if (null != -1)
		close(null);
	return saved;
}

static void
audio_portaudio_loud(int saved)
{
	if (saved == -1)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static int
audio_portaudio_init(char **cause)
{
	PaError	error;
	int	saved;

	/* Loading runs the constructors of ALSA, JACK and the rest: quiet
	 * them too. */
	saved = audio_portaudio_quiet();
	if (audio_portaudio_load(cause) != 0) {
		audio_portaudio_loud(saved);
		return -1;
	}
	error = pa.Pa_Initialize();
	audio_portaudio_loud(saved);
	if (error != paNoError) {
		xasprintf(cause, "cannot start PortAudio: %s",
		    pa.Pa_GetErrorText(error));
		return -1;
	}
	return 0;
}

static void
audio_portaudio_terminate(void)
{
	int	saved;

	saved = audio_portaudio_quiet();
	pa.Pa_Terminate();
	audio_portaudio_loud(saved);
}

/* --- finding a device --------------------------------------------------- */

static int
audio_portaudio_channels(const PaDeviceInfo *info, bool input)
{
	return input ? info->maxInputChannels : info->maxOutputChannels;
}

static bool
audio_portaudio_is_index(const char *s)
{
	if (*s == '\0' || strlen(s) > 6)
		return false;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

static int
audio_portaudio_find(const char *spec, bool input, PaDeviceIndex *out,
    char **cause)
{
	const char		*what = input ? "input" : "output";
	const PaDeviceInfo	*info;
	PaDeviceIndex		 i, n, found = paNoDevice;
	int			 matches = 0;
	char			*names = NULL, *tmp;

	n = pa.Pa_GetDeviceCount();
	if (n < 0) {
		xasprintf(cause, "cannot list audio devices: %s",
		    pa.Pa_GetErrorText(n));
		return -1;
	}
	if (strcmp(spec, "default") == 0) {
		found = input ? pa.Pa_GetDefaultInputDevice() :
		    pa.Pa_GetDefaultOutputDevice();
		if (found == paNoDevice) {
			xasprintf(cause, "no default audio %s device "
			    "(PortAudio found %d device%s)", what, (int)n,
			    n == 1 ? "" : "s");
			return -1;
		}
		*out = found;
		return 0;
	}
	if (audio_portaudio_is_index(spec)) {
		i = (PaDeviceIndex)atoi(spec);
		if (i >= n || (info = pa.Pa_GetDeviceInfo(i)) == NULL) {
			xasprintf(cause, "no audio device %d (there are %d)",
			    (int)i, (int)n);
			return -1;
		}
		if (audio_portaudio_channels(info, input) < 1) {
			xasprintf(cause, "audio device %d (%s) has no %s",
			    (int)i, info->name, what);
			return -1;
		}
		*out = i;
		return 0;
	}

	/* An exact name wins; otherwise a substring naming one device. */
	for (i = 0; i < n; i++) {
		info = pa.Pa_GetDeviceInfo(i);
		if (info != NULL && audio_portaudio_channels(info, input) > 0 &&
		    strcmp(info->name, spec) == 0) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; i < n; i++) {
		info = pa.Pa_GetDeviceInfo(i);
		if (info == NULL || audio_portaudio_channels(info, input) < 1 ||
		    strcasestr(info->name, spec) == NULL)
			continue;
		found = i;
		if (matches++ < 4) {
			xasprintf(&tmp, "%s%s\"%s\"", names != NULL ? names :
			    "", names != NULL ? ", " : "", info->name);
			free(names);
			names = tmp;
		}
	}
	if (matches == 1) {
		free(names);
		*out = found;
		return 0;
	}
	if (matches == 0) {
		xasprintf(cause, "no audio %s device matches \"%s\" (see "
		    "--list-devices)", what, spec);
	} else {
		xasprintf(cause, "audio %s device \"%s\" is ambiguous: it "
		    "matches %s%s", what, spec, names, matches > 4 ? ", ..." :
		    "");
	}
	free(names);
	return -1;
}

/* --- the callbacks (device threads: real-time rules apply) ------------ */

/* n interleaved input frames as mono: the input itself, or the scratch. */
static const int16_t *
audio_portaudio_mono(struct audio_portaudio *p, const int16_t *in, size_t n)
{
	size_t	i;
	int	c, ch = p->in_channels, sum;

	if (ch == 1)
		return in;
	for (i = 0; i < n; i++) {
		sum = 0;
		for (c = 0; c < ch; c++)
			sum += in[i * ch + c];
		p->in_scratch[i] = (int16_t)(sum / ch);
	}
	return p->in_scratch;
}

/* n mono samples to every channel of the output. */
static void
audio_portaudio_spread(struct audio_portaudio *p, int16_t *out,
    const int16_t *mono, size_t n)
{
	size_t	i;
	int	c, ch = p->out_channels;

	for (i = 0; i < n; i++) {
		for (c = 0; c < ch; c++)
			out[i * ch + c] = mono[i];
	}
}

static int
audio_portaudio_capture_cb(const void *input, void *output,
    unsigned long frames, const PaStreamCallbackTimeInfo *ti,
    PaStreamCallbackFlags flags, void *arg)
{
	struct audio_portaudio	*p = arg;
	struct audio		*a = p->audio;
	const int16_t		*in = input;
	size_t			 n;

	if (flags & paInputOverflow)
		audio_device_xrun(a, true, false);
	if (in == NULL)
		return paContinue;
	if (p->in_channels == 1) {
		audio_device_capture(a, in, frames);
		return paContinue;
	}
	while (frames > 0) {
		n = frames < p->scratch_frames ? frames : p->scratch_frames;
		audio_device_capture(a, audio_portaudio_mono(p, in, n), n);
		in += n * p->in_channels;
		frames -= n;
	}
	return paContinue;
}

/*
 * Both directions of one device in one callback: play a stretch, capture
 * the same stretch, and push what was played beside it as the reference.
 * PortAudio hands both buffers for the same frames, so the offset between
 * capture and reference is the device's own, and fixed.
 */
static int
audio_portaudio_duplex_cb(const void *input, void *output,
    unsigned long frames, const PaStreamCallbackTimeInfo *ti,
    PaStreamCallbackFlags flags, void *arg)
{
	struct audio_portaudio	*p = arg;
	struct audio		*a = p->audio;
	const int16_t		*in = input;
	int16_t			*out = output;
	size_t			 n;

	if (flags & (paInputOverflow | paInputUnderflow))
		audio_device_xrun(a, true, false);
	if (flags & (paOutputUnderflow | paOutputOverflow))
		audio_device_xrun(a, false, true);
	while (frames > 0) {
		n = frames < p->scratch_frames ? frames : p->scratch_frames;
		audio_device_playback(a, p->out_scratch, n);
		if (out != NULL) {
			audio_portaudio_spread(p, out, p->out_scratch, n);
			out += n * p->out_channels;
		}
		/* No input buffer (PortAudio says it may happen after
		 * an overflow): silence, so the reference keeps step. */
		audio_device_capture_ref(a, in != NULL ?
		    audio_portaudio_mono(p, in, n) : NULL, p->out_scratch, n);
		if (in != NULL)
			in += n * p->in_channels;
		frames -= n;
	}
	return paContinue;
}

static int
audio_portaudio_playback_cb(const void *input, void *output,
    unsigned long frames, const PaStreamCallbackTimeInfo *ti,
    PaStreamCallbackFlags flags, void *arg)
{
	struct audio_portaudio	*p = arg;
	struct audio		*a = p->audio;
	int16_t			*out = output;
	size_t			 n;

	if (flags & paOutputUnderflow)
		audio_device_xrun(a, false, true);
	if (out == NULL)
		return paContinue;
	if (p->out_channels == 1) {
		audio_device_playback(a, out, frames);
		return paContinue;
	}
	while (frames > 0) {
		n = frames < p->scratch_frames ? frames : p->scratch_frames;
		audio_device_playback(a, p->out_scratch, n);
		audio_portaudio_spread(p, out, p->out_scratch, n);
		out += n * p->out_channels;
		frames -= n;
	}
	return paContinue;
}

/* --- opening ------------------------------------------------------------ */

static void
audio_portaudio_params(PaStreamParameters *pp, PaDeviceIndex dev, int ch,
    bool input)
{
	const PaDeviceInfo	*info = pa.Pa_GetDeviceInfo(dev);

	memset(pp, 0, sizeof *pp);
	pp->device = dev;
	pp->channelCount = ch;
	pp->sampleFormat = paInt16;
	pp->suggestedLatency = input ? info->defaultLowInputLatency :
	    info->defaultLowOutputLatency;
}

/* The channel count (mono, else stereo) the device takes at this rate. */
static int
audio_portaudio_try(PaDeviceIndex dev, bool input, double rate)
{
	const PaDeviceInfo	*info = pa.Pa_GetDeviceInfo(dev);
	PaStreamParameters	 pp;
	int			 ch;

	for (ch = 1; ch <= 2; ch++) {
		if (audio_portaudio_channels(info, input) < ch)
			break;
		audio_portaudio_params(&pp, dev, ch, input);
		if (pa.Pa_IsFormatSupported(input ? &pp : NULL,
		    input ? NULL : &pp, rate) == paFormatIsSupported)
			return ch;
	}
	return 0;
}

/*
 * The asked rate if both directions take it; else the first of the usual
 * rates (and the devices' own) that they do. The caller resamples to
 * whatever audio_rate says.
 */
static int
audio_portaudio_pick(struct audio_portaudio *p, PaDeviceIndex in,
    PaDeviceIndex out, unsigned int *rate)
{
	double		rates[8];
	size_t		n = 0, i;
	int		in_ch, out_ch;

	rates[n++] = *rate;
	if (out != paNoDevice)
		rates[n++] = pa.Pa_GetDeviceInfo(out)->defaultSampleRate;
	if (in != paNoDevice)
		rates[n++] = pa.Pa_GetDeviceInfo(in)->defaultSampleRate;
	rates[n++] = 48000;
	rates[n++] = 44100;
	rates[n++] = 32000;
	rates[n++] = 16000;
	rates[n++] = 8000;
	for (i = 0; i < n; i++) {
		if (rates[i] < 8000 || rates[i] > 384000 ||
		    rates[i] != (double)(unsigned int)rates[i])
			continue;
		in_ch = out_ch = 0;
		if (in != paNoDevice &&
		    (in_ch = audio_portaudio_try(in, true, rates[i])) == 0)
			continue;
		if (out != paNoDevice &&
		    (out_ch = audio_portaudio_try(out, false, rates[i])) == 0)
			continue;
		p->in_channels = in_ch;
		p->out_channels = out_ch;
		*rate = (unsigned int)rates[i];
		return 0;
	}
	return -1;
}

static int
audio_portaudio_open_stream(struct audio_portaudio *p, PaDeviceIndex dev,
    bool input, unsigned long frames, char **cause)
{
	struct audio		*a = p->audio;
	PaStreamParameters	 pp;
	PaError			 error;

	audio_portaudio_params(&pp, dev, input ? p->in_channels :
	    p->out_channels, input);
	error = pa.Pa_OpenStream(input ? &p->in : &p->out, input ? &pp : NULL,
	    input ? NULL : &pp, a->rate, frames, paNoFlag,
	    input ? audio_portaudio_capture_cb : audio_portaudio_playback_cb,
	    p);
	if (error != paNoError) {
		xasprintf(cause, "cannot open audio %s device \"%s\": %s",
		    input ? "input" : "output", pa.Pa_GetDeviceInfo(dev)->name,
		    pa.Pa_GetErrorText(error));
		return -1;
	}
	return 0;
}

/*
 * One duplex stream on device dev, if it takes both directions together
 * at the rate picked; false (and nothing open) if not: the caller opens
 * two streams instead.
 */
static bool
audio_portaudio_open_duplex(struct audio_portaudio *p, PaDeviceIndex dev,
    unsigned long frames)
{
	struct audio		*a = p->audio;
	PaStreamParameters	 in, out;

	audio_portaudio_params(&in, dev, p->in_channels, true);
	audio_portaudio_params(&out, dev, p->out_channels, false);
	if (pa.Pa_IsFormatSupported(&in, &out, a->rate) != paFormatIsSupported)
		return false;
	if (pa.Pa_OpenStream(&p->duplex, &in, &out, a->rate, frames, paNoFlag,
	    audio_portaudio_duplex_cb, p) != paNoError) {
		p->duplex = NULL;
		return false;
	}
	return true;
}

static int audio_portaudio_close(struct audio *, char **);

static int
audio_portaudio_open(struct audio *a, const struct audio_config *cfg,
    char **cause)
{
	struct audio_portaudio	*p;
	PaDeviceIndex		 in = paNoDevice, out = paNoDevice;
	unsigned long		 frames;
	int			 saved, rv = -1;

	if (cfg->input == NULL && cfg->output == NULL)
		return 0;
	if (audio_portaudio_init(cause) != 0)
		return -1;
	p = xcalloc(1, sizeof *p);
	p->audio = a;
	p->initialised = true;
	a->priv = p;

	saved = audio_portaudio_quiet();
	if (cfg->input != NULL &&
	    audio_portaudio_find(cfg->input, true, &in, cause) != 0)
		goto out;
	if (cfg->output != NULL &&
	    audio_portaudio_find(cfg->output, false, &out, cause) != 0)
		goto out;
	if (audio_portaudio_pick(p, in, out, &a->rate) != 0) {
		xasprintf(cause, "audio device%s %s%s%s%s%s: no usable 16-bit "
		    "mono or stereo format", in != paNoDevice &&
		    out != paNoDevice ? "s" : "",
		    in != paNoDevice ? "\"" : "",
		    in != paNoDevice ? pa.Pa_GetDeviceInfo(in)->name : "",
		    in != paNoDevice ? "\"" : "",
		    in != paNoDevice && out != paNoDevice ? " and " : "",
		    out != paNoDevice ? pa.Pa_GetDeviceInfo(out)->name : "");
		goto out;
	}
	frames = audio_period_samples(a->rate, a->period_ms);
	p->scratch_frames = frames;
	p->in_scratch = xcalloc(frames, sizeof *p->in_scratch);
	p->out_scratch = xcalloc(frames, sizeof *p->out_scratch);
	if (cfg->echo_ref && in != paNoDevice && in == out &&
	    audio_portaudio_open_duplex(p, in, frames)) {
		a->duplex = true;
		rv = 0;
		goto out;
	}
	if (in != paNoDevice &&
	    audio_portaudio_open_stream(p, in, true, frames, cause) != 0)
		goto out;
	if (out != paNoDevice &&
	    audio_portaudio_open_stream(p, out, false, frames, cause) != 0)
		goto out;
	rv = 0;

out:
	audio_portaudio_loud(saved);
	if (rv != 0) {
		audio_portaudio_close(a, NULL);
		a->priv = NULL;
	}
	return rv;
}

static int
audio_portaudio_start(struct audio *a, char **cause)
{
	struct audio_portaudio	*p = a->priv;
	PaError			 error = paNoError;
	const char		*what = "";
	int			 saved;

	if (p == NULL)
		return 0;
	saved = audio_portaudio_quiet();
	if (p->duplex != NULL) {
		if ((error = pa.Pa_StartStream(p->duplex)) == paNoError)
			p->duplex_started = true;
		what = "duplex stream";
	}
	if (p->in != NULL) {
		if ((error = pa.Pa_StartStream(p->in)) == paNoError)
			p->in_started = true;
		what = "input";
	}
	if (error == paNoError && p->out != NULL) {
		if ((error = pa.Pa_StartStream(p->out)) == paNoError)
			p->out_started = true;
		what = "output";
	}
	audio_portaudio_loud(saved);
	if (error != paNoError) {
		xasprintf(cause, "cannot start audio %s: %s", what,
		    pa.Pa_GetErrorText(error));
		return -1;
	}
	return 0;
}

static int
audio_portaudio_close(struct audio *a, char **cause)
{
	struct audio_portaudio	*p = a->priv;
	int			 saved;

	if (p == NULL)
		return 0;
	saved = audio_portaudio_quiet();
	if (p->duplex_started)
		pa.Pa_StopStream(p->duplex);
	if (p->duplex != NULL)
		pa.Pa_CloseStream(p->duplex);
	if (p->in_started)
		pa.Pa_StopStream(p->in);
	if (p->out_started)
		pa.Pa_StopStream(p->out);
	if (p->in != NULL)
		pa.Pa_CloseStream(p->in);
	if (p->out != NULL)
		pa.Pa_CloseStream(p->out);
	audio_portaudio_loud(saved);
	if (p->initialised)
		audio_portaudio_terminate();
	free(p->in_scratch);
	free(p->out_scratch);
	free(p);
	a->priv = NULL;
	return 0;
}

/* --- listing ------------------------------------------------------------ */

/* Device names come from drivers: keep each on one line of the listing. */
static void
audio_portaudio_print_name(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(iscntrl((unsigned char)*s) ? '?' : *s, f);
}

int
audio_portaudio_list(FILE *f, char **cause)
{
	const PaDeviceInfo	*info;
	const PaHostApiInfo	*host;
	PaDeviceIndex		 i, n, def_in, def_out;

	if (audio_portaudio_init(cause) != 0)
		return -1;
	if ((n = pa.Pa_GetDeviceCount()) < 0) {
		xasprintf(cause, "cannot list audio devices: %s",
		    pa.Pa_GetErrorText(n));
		audio_portaudio_terminate();
		return -1;
	}
	def_in = pa.Pa_GetDefaultInputDevice();
	def_out = pa.Pa_GetDefaultOutputDevice();
	for (i = 0; i < n; i++) {
		if ((info = pa.Pa_GetDeviceInfo(i)) == NULL)
			continue;
		host = pa.Pa_GetHostApiInfo(info->hostApi);
		fprintf(f, "%d\t", (int)i);
		audio_portaudio_print_name(f, info->name);
		fprintf(f, "\tin=%d out=%d\t%s%s%s\n", info->maxInputChannels,
		    info->maxOutputChannels, host != NULL ? host->name : "?",
		    i == def_in ? " default-input" : "",
		    i == def_out ? " default-output" : "");
	}
	audio_portaudio_terminate();
	return (int)n;
}

const struct audio_driver audio_portaudio_driver = {
	.name = "portaudio",
	.open = audio_portaudio_open,
	.start = audio_portaudio_start,
	.close = audio_portaudio_close,
};
