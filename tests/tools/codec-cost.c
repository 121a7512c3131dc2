/*
 * codec-cost.c: benchmark tool: what one call's Opus costs. Encodes and
 * decodes SECONDS of mono 48 kHz speech-like audio in 20 ms frames, as a
 * call does in each direction, and says which modes and bandwidths the
 * encoder chose, the bitrate, how much of the input's energy above 7 kHz
 * came through, and the CPU time. Run it under callgrind to count
 * instructions (codec_cost_run is the encode + decode loop):
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out \
 *	./tests/tools/codec-cost -a audio
 *   callgrind_annotate --inclusive=yes cg.out | grep codec_cost_run
 *
 * Options (libopus settings; the defaults are baresip's choices):
 *   -a voip|audio	application (audio)
 *   -s auto|voice|music signal (auto)
 *   -b nb|mb|wb|swb|fb	largest bandwidth (fb)
 *   -c N		complexity (5)
 *   -r N		bitrate, bit/s (32000)
 *   -l N		expected loss, % (0)
 *   -f 0|1		in-band FEC (1)
 *   -t N		seconds of the built-in signal (60)
 *   -m		tsphone's codec as a call has it: an encoder-only and
 *			a decoder-only media_codec; -c, -r and -f go in its
 *			params, -l through media_codec_set_loss, and the
 *			rest is media-codec.c's choice
 *   -w FILE		write the input to FILE (WAV), to listen to it
 *   FILE		code a mono 48 kHz sound file instead of the built-in
 *			signal (sox makes one of anything)
 *
 * The built-in signal is a crude speech model, good enough for the
 * encoder's decisions: phrases of syllables with pauses between them; a
 * glottal pulse train whose pitch falls over each phrase, shaped by
 * formants moving between vowels; a hiss of noise opening half the
 * syllables.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <opus/opus.h>
#include <sndfile.h>

#include "media-codec.h"

#define RATE	48000
#define FRAME	960

struct cost_opts {
	int		 application;
	int		 signal;
	int		 bandwidth;
	int		 complexity;
	int		 bitrate;
	int		 loss;
	int		 fec;
	bool		 tsphone;
};

struct cost_result {
	unsigned long	 frames;
	unsigned long	 bytes;
	unsigned long	 mode[3];	/* SILK, hybrid, CELT */
	unsigned long	 bw[5];		/* NB .. FB */
	double		 hf_in;		/* energy above 7 kHz */
	double		 hf_out;
	double		 cpu;		/* s */
};

static uint32_t	 rng_state = 0x7f4a7c15;

static double
noise(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (double)rng_state / 2147483648.0 - 1.0;
}

/* A two-pole resonator at F Hz with bandwidth BW Hz, unity gain at F. */
struct reso {
	double	 y1, y2;
};

static double
reso_run(struct reso *r, double x, double f, double bw)
{
	double	 c = exp(-M_PI * bw / RATE), a1, a2, g, y;

	a1 = 2.0 * c * cos(2.0 * M_PI * f / RATE);
	a2 = -c * c;
	g = 1.0 - c;
	y = g * x + a1 * r->y1 + a2 * r->y2;
	r->y2 = r->y1;
	r->y1 = y;
	return y;
}

/* Formants (Hz) of a few vowels. */
static const double vowels[][3] = {
	{ 730, 1090, 2440 },	/* a */
	{ 270, 2290, 3010 },	/* i */
	{ 300, 870, 2240 },	/* u */
	{ 530, 1840, 2480 },	/* e */
	{ 570, 840, 2410 },	/* o */
};

/* Four one-pole high-passes in a row at 7 kHz: the band a codec may cut. */
struct hpf {
	double	 y[4], x[4];
};

static double
hpf_run(struct hpf *h, double s)
{
	double	 c = exp(-2 * M_PI * 7000.0 / RATE);
	int	 i;

	for (i = 0; i < 4; i++) {
		h->y[i] = c * (h->y[i] + s - h->x[i]);
		h->x[i] = s;
		s = h->y[i];
	}
	return s;
}

/* N samples of the speech model, full scale 1.0. */
static void
speech_make(double *x, size_t n)
{
	struct reso	 f1 = { 0, 0 }, f2 = { 0, 0 }, f3 = { 0, 0 };
	struct reso	 f4 = { 0, 0 }, hiss = { 0, 0 };
	double		 phase = 0, f0 = 150, lp1 = 0, lp2 = 0, v, u, t;
	double		 form[3], target[3], dc_x = 0, dc_y = 0;
	size_t		 i = 0, end, k, phrase_end, fric, voiced;
	int		 vw = 0, j;

	memset(x, 0, n * sizeof *x);
	for (j = 0; j < 3; j++)
		form[j] = target[j] = vowels[0][j];
	while (i < n) {
		/* A phrase of 1.2-3 s, then a pause of 0.2-0.7 s. */
		phrase_end = i + (size_t)(RATE * (1.2 + 0.9 * (noise() + 1)));
		if (phrase_end > n)
			phrase_end = n;
		f0 = 170 + 30 * noise();
		while (i < phrase_end) {
			end = i + (size_t)(RATE * (0.2 + 0.05 * noise()));
			if (end > phrase_end)
				end = phrase_end;
			vw = (vw + 1 + (int)((noise() + 1) * 2)) % 5;
			for (j = 0; j < 3; j++)
				target[j] = vowels[vw][j];
			/* Half the syllables open with an "s". */
			fric = noise() > 0 ? (size_t)(RATE * 0.07) : 0;
			if (fric > end - i)
				fric = end - i;
			voiced = end - i - fric;
			for (k = 0; k < end - i; k++) {
				for (j = 0; j < 3; j++)
					form[j] += (target[j] - form[j]) * 0.002;
				f0 -= 25.0 / RATE;	/* pitch falls */
				phase += (f0 * (1 + 0.01 * noise())) / RATE;
				v = 0;
				if (phase >= 1) {
					phase -= 1;
					v = 1;
				}
				/* Glottal pulse: -12 dB/octave above f0. */
				lp1 += 0.1 * (v - lp1);
				lp2 += 0.1 * (lp1 - lp2);
				u = reso_run(&f1, lp2, form[0], 80) +
				    0.5 * reso_run(&f2, lp2, form[1], 100) +
				    0.3 * reso_run(&f3, lp2, form[2], 120) +
				    0.2 * reso_run(&f4, lp2, 3500, 250);
				if (k < fric) {
					/* Noise, mostly between 5 and 10 kHz. */
					t = (double)k / (double)fric;
					x[i + k] = 0.5 * sin(M_PI * t) *
					    reso_run(&hiss, noise(), 7500, 5000);
				} else {
					t = (double)(k - fric) / (double)voiced;
					x[i + k] = 6.0 * u * sin(M_PI * t);
				}
			}
			i = end;
		}
		end = i + (size_t)(RATE * (0.45 + 0.25 * noise()));
		i = end < n ? end : n;
	}
	/* No DC from the pulses; a faint noise floor under everything. */
	for (i = 0; i < n; i++) {
		dc_y = x[i] - dc_x + 0.995 * dc_y;
		dc_x = x[i];
		x[i] = dc_y + 0.0005 * noise();
	}
}

static int
file_read(const char *path, int16_t **pcm, size_t *n)
{
	SF_INFO		 info;
	SNDFILE		*sf;
	double		*buf;
	sf_count_t	 i, got;
	int		 c;

	memset(&info, 0, sizeof info);
	if ((sf = sf_open(path, SFM_READ, &info)) == NULL) {
		fprintf(stderr, "codec-cost: %s: %s\n", path, sf_strerror(NULL));
		return -1;
	}
	if (info.samplerate != RATE) {
		fprintf(stderr, "codec-cost: %s: %d Hz, want %d (sox FILE -r "
		    "48000 OUT)\n", path, info.samplerate, RATE);
		sf_close(sf);
		return -1;
	}
	buf = calloc((size_t)info.frames * (size_t)info.channels,
	    sizeof *buf);
	*pcm = calloc((size_t)info.frames + FRAME, sizeof **pcm);
	if (buf == NULL || *pcm == NULL)
		abort();
	got = sf_readf_double(sf, buf, info.frames);
	for (i = 0; i < got; i++) {
		double	 s = 0;

		for (c = 0; c < info.channels; c++)
			s += buf[i * info.channels + c];
		s /= info.channels;
		(*pcm)[i] = (int16_t)lrint(fmax(-1, fmin(1, s)) * 32767);
	}
	*n = (size_t)got;
	free(buf);
	sf_close(sf);
	return 0;
}

/* Energy above about 7 kHz. */
static double
hf_energy(const int16_t *x, size_t n)
{
	struct hpf	 h;
	double		 e = 0, y;
	size_t		 i;

	memset(&h, 0, sizeof h);
	for (i = 0; i < n; i++) {
		y = hpf_run(&h, x[i] / 32768.0);
		e += y * y;
	}
	return e;
}

static double
cpu_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
opus_check(int r, const char *what)
{
	if (r != OPUS_OK) {
		fprintf(stderr, "codec-cost: %s: %s\n", what, opus_strerror(r));
		exit(1);
	}
}

/* The measured loop: every frame encoded, then decoded. */
void	 codec_cost_run(const struct cost_opts *, const int16_t *, size_t,
	    int16_t *, struct cost_result *);

void
codec_cost_run(const struct cost_opts *o, const int16_t *in, size_t n,
    int16_t *out, struct cost_result *res)
{
	struct media_codec	*ce = NULL, *cd = NULL;
	struct media_codec_params p;
	OpusEncoder		*enc = NULL;
	OpusDecoder		*dec = NULL;
	uint8_t			 pkt[1500];
	size_t			 i;
	int			 len, err, toc;
	double			 t0 = cpu_now();

	if (o->tsphone) {
		media_codec_params_default(&p);
		p.complexity = o->complexity;
		p.bitrate = o->bitrate;
		p.fec = o->fec != 0;
		ce = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, &p, NULL);
		cd = media_codec_new_role("opus", MEDIA_CODEC_DECODER, NULL,
		    NULL);
		if (ce == NULL || cd == NULL ||
		    media_codec_set_loss(ce, o->loss) != 0)
			exit(1);
	} else {
		enc = opus_encoder_create(RATE, 1, o->application, &err);
		opus_check(err, "encoder");
		opus_check(opus_encoder_ctl(enc, OPUS_SET_SIGNAL(o->signal)),
		    "signal");
		opus_check(opus_encoder_ctl(enc,
		    OPUS_SET_MAX_BANDWIDTH(o->bandwidth)), "bandwidth");
		opus_check(opus_encoder_ctl(enc,
		    OPUS_SET_COMPLEXITY(o->complexity)), "complexity");
		opus_check(opus_encoder_ctl(enc, OPUS_SET_BITRATE(o->bitrate)),
		    "bitrate");
		opus_check(opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(o->fec)),
		    "fec");
		opus_check(opus_encoder_ctl(enc,
		    OPUS_SET_PACKET_LOSS_PERC(o->loss)), "loss");
		dec = opus_decoder_create(RATE, 1, &err);
		opus_check(err, "decoder");
	}
	for (i = 0; i + FRAME <= n; i += FRAME) {
		if (ce != NULL) {
			len = media_codec_encode(ce, in + i, FRAME, pkt,
			    sizeof pkt);
			if (len <= 0 || media_codec_decode(cd, pkt, (size_t)len,
			    out + i, FRAME) != FRAME)
				exit(1);
		} else {
			len = opus_encode(enc, in + i, FRAME, pkt, sizeof pkt);
			if (len <= 0 || opus_decode(dec, pkt, len, out + i,
			    FRAME, 0) != FRAME)
				exit(1);
		}
		res->frames++;
		res->bytes += (unsigned long)len;
		toc = pkt[0] >> 3;
		res->mode[toc < 12 ? 0 : toc < 16 ? 1 : 2]++;
		res->bw[opus_packet_get_bandwidth(pkt) -
		    OPUS_BANDWIDTH_NARROWBAND]++;
	}
	res->cpu = cpu_now() - t0;
	media_codec_free(ce);
	media_codec_free(cd);
	if (enc != NULL)
		opus_encoder_destroy(enc);
	if (dec != NULL)
		opus_decoder_destroy(dec);
}

static int
pick(const char *arg, const char *const *names, const int *values, int *out)
{
	int	 i;

	for (i = 0; names[i] != NULL; i++) {
		if (strcasecmp(arg, names[i]) == 0) {
			*out = values[i];
			return 0;
		}
	}
	fprintf(stderr, "codec-cost: unknown value %s\n", arg);
	exit(2);
}

static void
usage(void)
{
	fprintf(stderr, "usage: codec-cost [-m] [-a voip|audio] [-s auto|voice|"
	    "music] [-b nb|mb|wb|swb|fb] [-c complexity] [-r bitrate] "
	    "[-l loss%%] [-f 0|1] [-t seconds] [-w in.wav] [FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const char *const app_n[] = { "voip", "audio", NULL };
	static const int	 app_v[] = { OPUS_APPLICATION_VOIP,
				    OPUS_APPLICATION_AUDIO };
	static const char *const sig_n[] = { "auto", "voice", "music", NULL };
	static const int	 sig_v[] = { OPUS_AUTO, OPUS_SIGNAL_VOICE,
				    OPUS_SIGNAL_MUSIC };
	static const char *const bw_n[] = { "nb", "mb", "wb", "swb", "fb",
				    NULL };
	static const int	 bw_v[] = { OPUS_BANDWIDTH_NARROWBAND,
				    OPUS_BANDWIDTH_MEDIUMBAND,
				    OPUS_BANDWIDTH_WIDEBAND,
				    OPUS_BANDWIDTH_SUPERWIDEBAND,
				    OPUS_BANDWIDTH_FULLBAND };
	struct cost_opts	 o = { OPUS_APPLICATION_AUDIO, OPUS_AUTO,
				    OPUS_BANDWIDTH_FULLBAND, 5, 32000, 0, 1,
				    false };
	struct cost_result	 res;
	const char		*wav = NULL;
	double			*x, secs = 60;
	int16_t			*in, *out;
	size_t			 n, i;
	int			 ch;

	while ((ch = getopt(argc, argv, "a:b:c:f:l:mr:s:t:w:")) != -1) {
		switch (ch) {
		case 'a':
			pick(optarg, app_n, app_v, &o.application);
			break;
		case 'b':
			pick(optarg, bw_n, bw_v, &o.bandwidth);
			break;
		case 'c':
			o.complexity = atoi(optarg);
			break;
		case 'f':
			o.fec = atoi(optarg);
			break;
		case 'l':
			o.loss = atoi(optarg);
			break;
		case 'm':
			o.tsphone = true;
			break;
		case 'r':
			o.bitrate = atoi(optarg);
			break;
		case 's':
			pick(optarg, sig_n, sig_v, &o.signal);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'w':
			wav = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || secs <= 0 || secs > 3600)
		usage();

	if (argc == 1) {
		if (file_read(argv[0], &in, &n) != 0)
			return 2;
	} else {
		n = (size_t)(secs * RATE);
		x = calloc(n, sizeof *x);
		in = calloc(n, sizeof *in);
		if (x == NULL || in == NULL)
			abort();
		speech_make(x, n);
		for (i = 0; i < n; i++)
			in[i] = (int16_t)lrint(fmax(-1, fmin(1, x[i])) * 32767);
		free(x);
	}
	if (wav != NULL) {
		SF_INFO		 info = { 0, RATE, 1,
				    SF_FORMAT_WAV | SF_FORMAT_PCM_16, 0, 0 };
		SNDFILE		*sf = sf_open(wav, SFM_WRITE, &info);

		if (sf == NULL || sf_write_short(sf, in, (sf_count_t)n) !=
		    (sf_count_t)n) {
			fprintf(stderr, "codec-cost: %s: %s\n", wav,
			    sf_strerror(sf));
			return 1;
		}
		sf_close(sf);
	}
	out = calloc(n, sizeof *out);
	if (out == NULL)
		abort();

	memset(&res, 0, sizeof res);
	codec_cost_run(&o, in, n, out, &res);
	res.hf_in = hf_energy(in, n);
	res.hf_out = hf_energy(out, n);

	printf("%.1f s: %.1f kbit/s; SILK %lu hybrid %lu CELT %lu; NB %lu "
	    "MB %lu WB %lu SWB %lu FB %lu; above 7 kHz %+.1f dB; cpu %.3f s "
	    "(%.3f s per minute)\n", (double)res.frames * FRAME / RATE,
	    res.frames ? res.bytes * 8.0 * 50 / res.frames / 1000 : 0,
	    res.mode[0], res.mode[1], res.mode[2], res.bw[0], res.bw[1],
	    res.bw[2], res.bw[3], res.bw[4],
	    10 * log10((res.hf_out + 1e-12) / (res.hf_in + 1e-12)), res.cpu,
	    res.frames ? res.cpu * 60 / ((double)res.frames * FRAME / RATE) :
	    0);
	free(in);
	free(out);
	return 0;
}
