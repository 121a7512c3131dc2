/*
 * test-codec.c: G.711 against the ITU-T G.191 reference coder, the codec
 * table, PCMU/PCMA/Opus round trips judged by ear (the Goertzel tone
 * check of tests/tools/tone.c) and by SNR, concealment and Opus FEC,
 * hostile Opus payloads, the resampler's counts and tone, and the
 * tonecheck tool's verdicts on real WAV files.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <opus/opus.h>
#include <sndfile.h>

#include "media-codec.h"
#include "media-g711.h"
#include "media-resample.h"
#include "tap.h"
#include "tone.h"
#include "util.h"

/* --- G.191 reference, transcribed from the ITU-T STL g711.c ---------- */

static short
ref_alaw_compress(short lin)
{
	short	ix, iexp;

	ix = lin < 0 ? (short)((~lin) >> 4) : (short)(lin >> 4);
	if (ix > 15) {
		iexp = 1;
		while (ix > 16 + 15) {
			ix >>= 1;
			iexp++;
		}
		ix -= 16;
		ix += iexp << 4;
	}
	if (lin >= 0)
		ix |= 0x0080;
	return ix ^ 0x0055;
}

static short
ref_alaw_expand(short log)
{
	short	ix, mant, iexp;

	ix = log ^ 0x0055;
	ix &= 0x007F;
	iexp = ix >> 4;
	mant = ix & 0x000F;
	if (iexp > 0)
		mant = mant + 16;
	mant = (mant << 4) + 0x0008;
	if (iexp > 1)
		mant = mant << (iexp - 1);
	return log > 127 ? mant : -mant;
}

static short
ref_ulaw_compress(short lin)
{
	short	i, absno, segno, low_nibble, high_nibble, out;

	absno = lin < 0 ? (short)(((~lin) >> 2) + 33) :
	    (short)((lin >> 2) + 33);
	if (absno > 0x1FFF)
		absno = 0x1FFF;
	i = absno >> 6;
	segno = 1;
	while (i != 0) {
		segno++;
		i >>= 1;
	}
	high_nibble = 0x0008 - segno;
	low_nibble = (absno >> segno) & 0x000F;
	low_nibble = 0x000F - low_nibble;
	out = (high_nibble << 4) | low_nibble;
	if (lin >= 0)
		out = out | 0x0080;
	return out;
}

static short
ref_ulaw_expand(short log)
{
	short	sign, exponent, mantissa, step, segment;

	sign = log < 0x0080 ? -1 : 1;
	mantissa = ~log;
	exponent = (mantissa >> 4) & 0x0007;
	segment = exponent + 1;
	mantissa = mantissa & 0x000F;
	step = 4 << segment;
	return sign * ((0x0080 << exponent) + step * mantissa + step / 2 -
	    4 * 33);
}

/* --- helpers --------------------------------------------------------- */

static uint32_t rng_state = 0x12345678;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void
sine(int16_t *x, size_t n, double rate, double freq, double amp,
    size_t offset)
{
	size_t	i;

	for (i = 0; i < n; i++)
		x[i] = (int16_t)lrint(amp * 32767.0 *
		    sin(2.0 * M_PI * freq * (double)(offset + i) / rate));
}

static double
rms16(const int16_t *x, size_t n)
{
	double	e = 0.0;
	size_t	i;

	for (i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	return n ? sqrt(e / (double)n) : 0.0;
}

static double
snr_db(const int16_t *ref, const int16_t *got, size_t n)
{
	double	s = 0.0, e = 0.0, d;
	size_t	i;

	for (i = 0; i < n; i++) {
		s += (double)ref[i] * ref[i];
		d = (double)got[i] - ref[i];
		e += d * d;
	}
	if (e == 0.0)
		return 200.0;
	return 10.0 * log10(s / e);
}

static double
err_energy(const int16_t *ref, const int16_t *got, size_t n)
{
	double	e = 0.0, d;
	size_t	i;

	for (i = 0; i < n; i++) {
		d = (double)got[i] - ref[i];
		e += d * d;
	}
	return e;
}

/* Share of the energy of X (48 kHz) at FREQ. */
static double
ratio16(const int16_t *x, size_t n, double freq)
{
	double	d[5760];
	size_t	i;

	if (n > nitems(d))
		n = nitems(d);
	for (i = 0; i < n; i++)
		d[i] = x[i] / 32768.0;
	return tone_ratio(d, n, 48000, freq, NULL);
}

/* Fraction of 50 ms windows holding FREQ, skipping SKIP samples. */
static double
tone_fraction(const int16_t *x, size_t n, double rate, double freq,
    size_t skip)
{
	struct tone_opts	o;
	struct tone_stats	st;

	tone_opts_default(&o, freq);
	tone_analyse_s16(x + skip, n - skip, rate, &o, &st, NULL, NULL);
	return st.windows ? st.fraction : -1.0;
}

/* --- G.711 ----------------------------------------------------------- */

static void
test_g711_reference(void)
{
	int	x, bad_u = 0, bad_a = 0, c;

	for (x = -32768; x <= 32767; x++) {
		if (media_g711_ulaw_encode((int16_t)x) !=
		    (uint8_t)ref_ulaw_compress((short)x))
			bad_u++;
		if (media_g711_alaw_encode((int16_t)x) !=
		    (uint8_t)ref_alaw_compress((short)x))
			bad_a++;
	}
	is_int(bad_u, 0, "mu-law encode matches G.191 for all 65536 inputs");
	is_int(bad_a, 0, "A-law encode matches G.191 for all 65536 inputs");

	bad_u = bad_a = 0;
	for (c = 0; c < 256; c++) {
		if (media_g711_ulaw_decode((uint8_t)c) !=
		    ref_ulaw_expand((short)c))
			bad_u++;
		if (media_g711_alaw_decode((uint8_t)c) !=
		    ref_alaw_expand((short)c))
			bad_a++;
	}
	is_int(bad_u, 0, "mu-law decode matches G.191 for all 256 codes");
	is_int(bad_a, 0, "A-law decode matches G.191 for all 256 codes");

	is_int(media_g711_ulaw_encode(0), 0xff, "mu-law 0 -> 0xFF");
	is_int(media_g711_ulaw_encode(-1), 0x7f,
	    "mu-law -1 -> 0x7F (one's complement, as G.191)");
	is_int(media_g711_ulaw_encode(32767), 0x80, "mu-law max -> 0x80");
	is_int(media_g711_ulaw_encode(-32768), 0x00, "mu-law min -> 0x00");
	is_int(media_g711_alaw_encode(0), 0xd5, "A-law 0 -> 0xD5");
	is_int(media_g711_alaw_encode(-1), 0x55, "A-law -1 -> 0x55");
	is_int(media_g711_alaw_encode(32767), 0xaa, "A-law max -> 0xAA");
	is_int(media_g711_alaw_encode(-32768), 0x2a, "A-law min -> 0x2A");
	is_int(media_g711_ulaw_decode(0x80), 32124, "mu-law 0x80 -> 32124");
	is_int(media_g711_ulaw_decode(0x00), -32124, "mu-law 0x00 -> -32124");
	is_int(media_g711_ulaw_decode(0xff), 0, "mu-law 0xFF -> 0");
	is_int(media_g711_alaw_decode(0xaa), 32256, "A-law 0xAA -> 32256");
	is_int(media_g711_alaw_decode(0xd5), 8, "A-law 0xD5 -> 8");
	is_int(media_g711_alaw_decode(0x55), -8, "A-law 0x55 -> -8");
}

/* Quantisation step of the segment holding decoded magnitude M. */
static int
ulaw_step(int m)
{
	int	e = 0;

	while (e < 7 && m >= ((132 << (e + 1)) - 132))
		e++;
	return 8 << e;
}

static int
alaw_step(int m)
{
	int	e = 1;

	while (e < 7 && m >= (256 << (e - 1)))
		e++;
	return e == 1 ? 32 : 32 << (e - 1);
}

static void
test_g711_properties(void)
{
	int	x, c, d, err, worst_u = 0, worst_a = 0, mono_u = 1, mono_a = 1;
	int	sym_u = 1, sym_a = 1, i;

	/* |decode(encode(x)) - x| within half a step, away from clipping. */
	for (x = -32768; x <= 32767; x++) {
		d = media_g711_ulaw_decode(media_g711_ulaw_encode((int16_t)x));
		err = abs(d - x);
		if (abs(x) <= 32124 && err * 2 > ulaw_step(abs(d)) + 8)
			worst_u++;
		if (abs(x) > 32124 && abs(d) != 32124)
			worst_u++;
		d = media_g711_alaw_decode(media_g711_alaw_encode((int16_t)x));
		err = abs(d - x);
		if (abs(x) <= 32256 && err * 2 > alaw_step(abs(d)) + 32)
			worst_a++;
		if (abs(x) > 32256 + 512 && abs(d) != 32256)
			worst_a++;
	}
	is_int(worst_u, 0, "mu-law round trip error within half a step");
	is_int(worst_a, 0, "A-law round trip error within half a step");

	for (c = 0x80; c < 0xff; c++)	/* positive: 0x80 loudest */
		if (media_g711_ulaw_decode((uint8_t)c) <=
		    media_g711_ulaw_decode((uint8_t)(c + 1)))
			mono_u = 0;
	for (c = 0; c < 256; c++)
		if (media_g711_ulaw_decode((uint8_t)c) !=
		    -media_g711_ulaw_decode((uint8_t)(c ^ 0x80)))
			sym_u = 0;
	for (i = 0; i < 127; i++)	/* A-law: magnitude index i */
		if (media_g711_alaw_decode((uint8_t)((i | 0x80) ^ 0x55)) >=
		    media_g711_alaw_decode((uint8_t)(((i + 1) | 0x80) ^ 0x55)))
			mono_a = 0;
	for (c = 0; c < 256; c++)
		if (media_g711_alaw_decode((uint8_t)c) !=
		    -media_g711_alaw_decode((uint8_t)(c ^ 0x80)))
			sym_a = 0;
	ok(mono_u, "mu-law decode strictly monotonic in magnitude");
	ok(sym_u, "mu-law decode symmetric in sign");
	ok(mono_a, "A-law decode strictly monotonic in magnitude");
	ok(sym_a, "A-law decode symmetric in sign");
}

/* --- codec table ----------------------------------------------------- */

static void
test_table(void)
{
	const struct media_codec_info	*ci;
	struct media_codec_params	 p;
	struct media_codec		*c;
	char				 buf[64], *cause = NULL;
	size_t				 n;

	ci = media_codec_find("pcmu");
	ok(ci != NULL && strcmp(ci->name, "PCMU") == 0 && ci->pt == 0 &&
	    !ci->dynamic && ci->clock_rate == 8000,
	    "config name pcmu finds SDP PCMU, PT 0, 8000 Hz");
	ci = media_codec_find("Pcma");
	ok(ci != NULL && ci->pt == 8, "Pcma finds PCMA, PT 8");
	ci = media_codec_find("OPUS");
	ok(ci != NULL && strcmp(ci->name, "opus") == 0 && ci->pt == 111 &&
	    ci->dynamic && ci->clock_rate == 48000 && ci->channels == 2,
	    "OPUS finds opus, dynamic 111, 48000/2");
	ok(ci != NULL && ci->fmtp != NULL &&
	    strstr(ci->fmtp, "useinbandfec=1") != NULL &&
	    strstr(ci->fmtp, "minptime=10") != NULL,
	    "opus fmtp offers in-band FEC and minptime");
	media_codec_rtpmap(ci, buf, sizeof buf);
	is_str(buf, "opus/48000/2", "opus rtpmap");
	is_int(media_codec_frame_samples(ci), 960, "opus 20 ms = 960 samples");
	media_codec_rtpmap(media_codec_find("pcmu"), buf, sizeof buf);
	is_str(buf, "PCMU/8000", "PCMU rtpmap");
	is_int(media_codec_frame_samples(media_codec_find("pcma")), 160,
	    "PCMA 20 ms = 160 samples");
	ci = media_codec_find("telephone-event");
	ok(ci != NULL && ci->pt == 101 && ci->clock_rate == 8000 && !ci->voice,
	    "telephone-event: PT 101 at 8000, not voice");
	ci = media_codec_find_rate("TELEPHONE-EVENT", 48000);
	ok(ci != NULL && ci->clock_rate == 48000 && ci->pt != 101 &&
	    ci->pt != 111, "telephone-event at 48000 for Opus calls");
	media_codec_rtpmap(ci, buf, sizeof buf);
	is_str(buf, "telephone-event/48000", "telephone-event/48000 rtpmap");
	ok(media_codec_find("G729") == NULL && media_codec_find(NULL) == NULL,
	    "unknown names are not found");
	ok(media_codec_find_static(8) == media_codec_find("PCMA") &&
	    media_codec_find_static(0) == media_codec_find("PCMU"),
	    "static PT 0 and 8");
	ok(media_codec_find_static(111) == NULL &&
	    media_codec_find_static(18) == NULL,
	    "dynamic and unknown PTs are not static");
	media_codec_list(&n);
	ok(n >= 5, "table lists %zu entries", n);

	c = media_codec_new("g722", NULL, &cause);
	ok(c == NULL && cause != NULL && strstr(cause, "g722") != NULL,
	    "unknown codec refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	c = media_codec_new("telephone-event", NULL, &cause);
	ok(c == NULL && cause != NULL, "telephone-event is not a voice codec");
	free(cause);
	cause = NULL;
	media_codec_params_default(&p);
	p.complexity = 11;
	c = media_codec_new("opus", &p, &cause);
	ok(c != NULL && cause == NULL, "opus complexity 11 falls back to the "
	    "default (test_opus_params)");
	media_codec_free(c);
	c = media_codec_new("PCMU", NULL, &cause);
	ok(c != NULL && cause == NULL, "PCMU instance");
	if (c != NULL) {
		is_int(media_codec_set_bitrate(c, 16000), -ENOTSUP,
		    "PCMU has no bitrate");
		ok(!media_codec_has_fec(c), "PCMU has no FEC");
		media_codec_free(c);
	}
}

/* --- G.711 codec ----------------------------------------------------- */

#define G711_FRAMES	100

static void
test_g711_codec(const char *name)
{
	struct media_codec	*c;
	int16_t			*in, *out;
	uint8_t			 pay[200];
	size_t			 i, n = 160 * G711_FRAMES;
	int			 len, got, bad = 0;

	c = media_codec_new(name, NULL, NULL);
	ok(c != NULL, "%s instance", name);
	if (c == NULL)
		return;
	in = xcalloc(n, sizeof *in);
	out = xcalloc(n, sizeof *out);
	sine(in, n, 8000, 1000, 0.5, 0);
	for (i = 0; i < G711_FRAMES; i++) {
		len = media_codec_encode(c, in + i * 160, 160, pay, sizeof pay);
		got = media_codec_packet_samples(c, pay, (size_t)len);
		if (len != 160 || got != 160)
			bad++;
		got = media_codec_decode(c, pay, (size_t)len, out + i * 160,
		    160);
		if (got != 160)
			bad++;
	}
	is_int(bad, 0, "%s: 160 bytes and 160 samples per 20 ms frame", name);
	ok(snr_db(in, out, n) > 30.0, "%s: SNR %.1f dB > 30 on a 1 kHz sine",
	    name, snr_db(in, out, n));
	ok(tone_fraction(out, n, 8000, 1000, 0) == 1.0,
	    "%s: 1 kHz heard in every window", name);
	ok(tone_fraction(out, n, 8000, 1500, 0) == 0.0,
	    "%s: no 1500 Hz heard", name);
	is_int(media_codec_encode(c, in, 160, pay, 100), -ENOSPC,
	    "%s: short output buffer refused", name);
	is_int(media_codec_decode(c, pay, 160, out, 80), -ENOSPC,
	    "%s: short PCM buffer refused", name);
	is_int(media_codec_decode(c, pay, 0, out, 160), -EINVAL,
	    "%s: empty payload refused", name);
	free(in);
	free(out);
	media_codec_free(c);
}

/*
 * G.711 concealment: a 220 Hz tone (a period that is not a whole number
 * of samples) is lost for 80 ms. The first 10 ms must follow the real
 * continuation far better than silence would, join without a click, fade
 * and be silent by 60 ms; the return to real audio must not click.
 */
static void
test_g711_plc(void)
{
	struct media_codec	*c;
	int16_t			 in[160 * 12], out[160 * 12];
	uint8_t			 pay[160];
	double			 e_plc, e_sil, r1, r2;
	int			 i;

	c = media_codec_new("pcmu", NULL, NULL);
	if (c == NULL) {
		ok(0, "pcmu instance");
		return;
	}
	sine(in, nitems(in), 8000, 220, 0.5, 0);
	for (i = 0; i < 6; i++) {
		media_codec_encode(c, in + i * 160, 160, pay, sizeof pay);
		media_codec_decode(c, pay, 160, out + i * 160, 160);
	}
	for (i = 6; i < 10; i++)
		is_int(media_codec_conceal(c, out + i * 160, 160), 160,
		    "conceal frame %d returns 160", i);
	for (i = 10; i < 12; i++) {
		media_codec_encode(c, in + i * 160, 160, pay, sizeof pay);
		media_codec_decode(c, pay, 160, out + i * 160, 160);
	}
	e_plc = err_energy(in + 960, out + 960, 80);
	e_sil = err_energy(in + 960, in + 960, 0) + rms16(in + 960, 80) *
	    rms16(in + 960, 80) * 80;
	ok(e_plc < e_sil / 10.0,
	    "first 10 ms of concealment within 10 dB of the lost signal "
	    "(%.1f dB)", 10.0 * log10(e_sil / (e_plc > 0 ? e_plc : 1)));
	r1 = rms16(out + 960, 160);
	r2 = rms16(out + 1120, 160);
	ok(r1 > 0.3 * 32767 * 0.5 && r2 < r1,
	    "concealment carries the tone, then fades (%.0f, %.0f)", r1, r2);
	is_int((int)rms16(out + 1440, 160), 0, "silent after 60 ms of loss");
	ok(snr_db(in + 1760, out + 1760, 160) > 30.0,
	    "real audio back after the cross-fade");
	is_int(media_codec_decode_fec(c, pay, 160, out, 160), 160,
	    "PCMU decode_fec conceals");
	media_codec_free(c);
}

/* Largest second difference: clicks show, smooth waves stay small. */
static int
max_curvature(const int16_t *x, size_t from, size_t to)
{
	size_t	k;
	int	d, m = 0;

	for (k = from; k < to; k++) {
		d = abs(x[k + 1] - 2 * x[k] + x[k - 1]);
		if (d > m)
			m = d;
	}
	return m;
}

/*
 * The concealer on linear PCM (no G.711 noise to hide a click): two
 * unrelated tones, so the signal has no exact period and the loop must
 * be made smooth, joined to the last real sample, and left gently.
 */
static void
test_g711_plc_joins(int lost)
{
	struct media_g711_plc	*plc;
	int16_t			 in[160 * 20], out[160 * 20];
	int			 i, natural, conceal, recover;

	plc = media_g711_plc_new();
	for (i = 0; i < 160 * 20; i++)
		in[i] = (int16_t)lrint(9830 * sin(2 * M_PI * 220 * i / 8000.0) +
		    6553 * sin(2 * M_PI * 347 * i / 8000.0));
	for (i = 0; i < 20; i++) {
		if (i >= 8 && i < 8 + lost) {
			media_g711_plc_conceal(plc, out + i * 160, 160);
			continue;
		}
		memcpy(out + i * 160, in + i * 160, 160 * sizeof *in);
		media_g711_plc_good(plc, out + i * 160, 160);
	}
	natural = max_curvature(out, 1, 1270);
	conceal = max_curvature(out, 1279, 1280 + 160 * lost - 1);
	recover = max_curvature(out, 1280 + 160 * lost - 1,
	    1280 + 160 * lost + 100);
	ok(conceal <= natural * 3 / 2, "%d ms loss: no click entering or "
	    "looping (%d vs natural %d)", lost * 20, conceal, natural);
	ok(recover <= natural * 3 / 2, "%d ms loss: no click leaving "
	    "(%d vs natural %d)", lost * 20, recover, natural);
	media_g711_plc_free(plc);
}

/* --- Opus ------------------------------------------------------------ */

#define OPUS_FRAMES	50

static void
test_opus_roundtrip(void)
{
	struct media_codec	*c;
	int16_t			*in, *out;
	uint8_t			 pay[1500];
	size_t			 n = 960 * OPUS_FRAMES, i;
	int			 len, got, bad = 0, maxlen = 0;
	double			 rin, rout;

	c = media_codec_new("opus", NULL, NULL);
	ok(c != NULL && media_codec_has_fec(c), "opus instance with FEC");
	if (c == NULL)
		return;
	in = xcalloc(n, sizeof *in);
	out = xcalloc(n, sizeof *out);
	sine(in, n, 48000, 1000, 0.3, 0);
	for (i = 0; i < OPUS_FRAMES; i++) {
		len = media_codec_encode(c, in + i * 960, 960, pay, sizeof pay);
		if (len > maxlen)
			maxlen = len;
		if (len <= 0 || media_codec_packet_samples(c, pay,
		    (size_t)len) != 960)
			bad++;
		got = media_codec_decode(c, pay, (size_t)len, out + i * 960,
		    960);
		if (got != 960)
			bad++;
	}
	is_int(bad, 0, "opus: 960 samples per 20 ms packet");
	ok(maxlen > 0 && maxlen <= 32000 / 50 / 8 * 2,
	    "opus packets fit ~32 kbit/s (max %d bytes)", maxlen);
	ok(tone_fraction(out, n, 48000, 1000, 4800) >= 0.95,
	    "opus: 1 kHz heard after the round trip (%.2f)",
	    tone_fraction(out, n, 48000, 1000, 4800));
	is_int((int)(tone_fraction(out, n, 48000, 1500, 4800) * 100), 0,
	    "opus: no 1500 Hz heard");
	rin = rms16(in + 4800, n - 4800);
	rout = rms16(out + 4800, n - 4800);
	ok(fabs(20 * log10(rout / rin)) < 3.0,
	    "opus keeps the level (%.1f dB)", 20 * log10(rout / rin));

	len = media_codec_encode(c, in, 480, pay, sizeof pay);
	ok(len > 0 && media_codec_packet_samples(c, pay, (size_t)len) == 480,
	    "10 ms packet carries 480 samples");
	len = media_codec_encode(c, in, 2880, pay, sizeof pay);
	ok(len > 0 && media_codec_packet_samples(c, pay, (size_t)len) == 2880,
	    "60 ms packet carries 2880 samples");
	is_int(media_codec_decode(c, pay, (size_t)len, out, 960), -ENOSPC,
	    "60 ms packet into a 20 ms buffer refused");
	is_int(media_codec_decode(c, pay, (size_t)len, out, 2880), 2880,
	    "60 ms packet decodes to 2880");
	is_int(media_codec_encode(c, in, 100, pay, sizeof pay), -EINVAL,
	    "100 samples is not an Opus frame");
	is_int(media_codec_encode(c, in, 960, pay, 0), -ENOSPC,
	    "no room for the payload");

	/* PLC after the tone: right count and still sounding. */
	is_int(media_codec_conceal(c, out, 960), 960, "opus PLC gives 960");
	ok(rms16(out, 960) > 100.0, "opus PLC is not silence (rms %.0f)",
	    rms16(out, 960));
	is_int(media_codec_conceal(c, out, 100), -EINVAL,
	    "PLC of 100 samples (not 2.5 ms multiple) refused");
	is_int(media_codec_conceal(c, out, 480), 480, "opus PLC of 10 ms");
	free(in);
	free(out);
	media_codec_free(c);
}

/* A stereo packet from another phone decodes to mono. */
static void
test_opus_stereo(void)
{
	struct media_codec	*c;
	OpusEncoder		*enc;
	int16_t			 st[960 * 2], out[960 * 2];
	uint8_t			 pay[1500];
	int			 err, len, i, got = 0, k;

	c = media_codec_new("opus", NULL, NULL);
	enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
	if (c == NULL || enc == NULL) {
		ok(0, "opus stereo set-up");
		media_codec_free(c);
		if (enc != NULL)
			opus_encoder_destroy(enc);
		return;
	}
	for (k = 0; k < 10; k++) {
		for (i = 0; i < 960; i++)
			st[2 * i] = st[2 * i + 1] = (int16_t)(10000 *
			    sin(2 * M_PI * 1000 * (k * 960 + i) / 48000.0));
		len = opus_encode(enc, st, 960, pay, sizeof pay);
		got = media_codec_decode(c, pay, (size_t)len, out, 960);
	}
	is_int(got, 960, "stereo packet decodes to 960 mono samples");
	ok(rms16(out, 960) > 3000, "and carries the signal (rms %.0f)",
	    rms16(out, 960));
	opus_encoder_destroy(enc);
	media_codec_free(c);
}

/*
 * Lose one packet where the signal changes (a 300 Hz tone turns into
 * 1200 Hz). PLC can only extend the past; FEC carries the new sound.
 * Both are compared with what a decoder that got every packet produced,
 * which has the same codec delay, so no alignment is needed. The sender
 * is an encoder-only instance told to expect LOSS % from frame FROM on;
 * the three receivers are decoder-only.
 */
#define FEC_FRAMES	30
#define FEC_LOST	20

struct fec_trial {
	int		 r_plc, r_fec;
	int		 celt;		/* CELT-only packets: no room for FEC */
	double		 e_plc, e_fec;	/* error energy of the lost frame */
	double		 rms_fec;
	double		 fec_1200, fec_300, plc_300;	/* its last 10 ms */
	bool		 same;		/* decode_fec gave PLC's samples */
};

static bool
fec_trial(int loss, int from, struct fec_trial *t)
{
	struct media_codec	*enc, *ref, *plc, *fec;
	uint8_t			 pay[FEC_FRAMES][400];
	int			 len[FEC_FRAMES];
	int16_t			 in[960], o_ref[960 * FEC_FRAMES];
	int16_t			 o_plc[960 * FEC_FRAMES], o_fec[960 * FEC_FRAMES];
	int16_t			*lost_plc, *lost_fec;
	int			 i;
	bool			 done = false;

	memset(t, 0, sizeof *t);
	enc = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, NULL, NULL);
	ref = media_codec_new_role("opus", MEDIA_CODEC_DECODER, NULL, NULL);
	plc = media_codec_new_role("opus", MEDIA_CODEC_DECODER, NULL, NULL);
	fec = media_codec_new_role("opus", MEDIA_CODEC_DECODER, NULL, NULL);
	if (enc == NULL || ref == NULL || plc == NULL || fec == NULL)
		goto out;
	for (i = 0; i < FEC_FRAMES; i++) {
		if (i == from && media_codec_set_loss(enc, loss) != 0)
			goto out;
		if (i < FEC_LOST)
			sine(in, 960, 48000, 300, 0.4, (size_t)i * 960);
		else
			sine(in, 960, 48000, 1200, 0.4, (size_t)i * 960);
		len[i] = media_codec_encode(enc, in, 960, pay[i], sizeof pay[i]);
		if (len[i] <= 0)
			goto out;
		if (i >= from && pay[i][0] >> 3 >= 16)
			t->celt++;
		media_codec_decode(ref, pay[i], (size_t)len[i], o_ref + i * 960,
		    960);
	}
	for (i = 0; i < FEC_FRAMES; i++) {
		if (i == FEC_LOST) {
			t->r_plc = media_codec_conceal(plc, o_plc + i * 960,
			    960);
			t->r_fec = media_codec_decode_fec(fec, pay[i + 1],
			    (size_t)len[i + 1], o_fec + i * 960, 960);
			continue;
		}
		media_codec_decode(plc, pay[i], (size_t)len[i], o_plc + i * 960,
		    960);
		media_codec_decode(fec, pay[i], (size_t)len[i], o_fec + i * 960,
		    960);
	}
	lost_plc = o_plc + FEC_LOST * 960;
	lost_fec = o_fec + FEC_LOST * 960;
	t->same = memcmp(lost_plc, lost_fec, 960 * sizeof *lost_fec) == 0;
	t->rms_fec = rms16(lost_fec, 960);
	t->e_plc = err_energy(o_ref + FEC_LOST * 960, lost_plc, 960);
	t->e_fec = err_energy(o_ref + FEC_LOST * 960, lost_fec, 960);
	/* The codec's delay puts the change early in the frame: use its end. */
	t->fec_1200 = ratio16(lost_fec + 480, 480, 1200);
	t->fec_300 = ratio16(lost_fec + 480, 480, 300);
	t->plc_300 = ratio16(lost_plc + 480, 480, 300);
	done = true;
out:
	media_codec_free(enc);
	media_codec_free(ref);
	media_codec_free(plc);
	media_codec_free(fec);
	return done;
}

static void
test_opus_fec(void)
{
	struct media_codec	*enc, *fec;
	struct fec_trial	 t;
	uint8_t			 pay[400];
	int16_t			 in[960], out[960];
	int			 len, i, bad = 0;
	static const int	 losses[] = { 1, 2, 3, 5, 8, 20, 50 };

	/* At the default 0% nothing is spent on FEC: plain CELT frames. */
	if (!fec_trial(0, 0, &t)) {
		ok(0, "opus FEC set-up at 0%%");
		return;
	}
	is_int(t.celt, FEC_FRAMES, "no loss expected: every packet CELT-only, "
	    "which has no FEC");
	is_int(t.r_fec, 960, "decode_fec still fills the lost 20 ms");
	ok(t.same, "with PLC's very samples: the packets carry no FEC");
	ok(t.fec_1200 < 0.1, "so the new 1200 Hz tone is missed (%.2f)",
	    t.fec_1200);

	/* As soon as loss is expected, the packets carry FEC. */
	if (!fec_trial(10, 0, &t)) {
		ok(0, "opus FEC set-up at 10%%");
		return;
	}
	is_int(t.celt, 0, "10%% loss expected: every packet SILK or hybrid");
	is_int(t.r_plc, 960, "PLC fills the lost 20 ms");
	is_int(t.r_fec, 960, "FEC fills the lost 20 ms");
	ok(!t.same, "FEC is not PLC");
	ok(t.rms_fec > 1000.0, "FEC frame is not silence (rms %.0f)",
	    t.rms_fec);
	ok(t.e_fec < t.e_plc / 2.0,
	    "FEC is closer to the real frame than PLC (%.1f dB better)",
	    10.0 * log10(t.e_plc / (t.e_fec > 0 ? t.e_fec : 1)));
	ok(t.fec_1200 > 0.5 && t.fec_300 < 0.1,
	    "FEC frame ends with the new 1200 Hz tone (%.2f), not 300 Hz (%.2f)",
	    t.fec_1200, t.fec_300);
	ok(t.plc_300 > 0.5, "PLC frame only extends the old 300 Hz tone (%.2f)",
	    t.plc_300);

	/*
	 * Any loss will do, so FEC protects the first losses RTCP reports,
	 * and it starts within the packet after set_loss (the loss comes
	 * mid-call, 10 frames before the lost one).
	 */
	for (i = 0; i < (int)nitems(losses); i++) {
		/* Less loss, leaner FEC: still well above PLC's 0 and 0 dB. */
		if (!fec_trial(losses[i], 10, &t) || t.celt != 0 || t.same ||
		    t.fec_1200 < 0.3 || t.e_fec >= t.e_plc / 2.0) {
			printf("# %d%%: %d CELT-only, 1200 Hz %.2f, %.1f dB\n",
			    losses[i], t.celt, t.fec_1200, 10.0 *
			    log10(t.e_plc / (t.e_fec > 0 ? t.e_fec : 1)));
			bad++;
		}
	}
	is_int(bad, 0, "1, 2, 3, 5, 8, 20 or 50%% loss set mid-call: FEC "
	    "carried from the next packet on");

	/* Without FEC in the stream, decode_fec still fills the gap. */
	enc = media_codec_new("opus", NULL, NULL);
	fec = media_codec_new("opus", NULL, NULL);
	if (enc == NULL || fec == NULL) {
		ok(0, "opus instances");
		goto out;
	}
	media_codec_set_fec(enc, false);
	media_codec_set_loss(enc, 20);
	sine(in, 960, 48000, 300, 0.4, 0);
	len = media_codec_encode(enc, in, 960, pay, sizeof pay);
	ok(len > 0 && pay[0] >> 3 >= 16, "FEC off: loss alone keeps CELT");
	is_int(media_codec_decode_fec(fec, pay, (size_t)len, out, 960),
	    960, "decode_fec without FEC data conceals");
	is_int(media_codec_decode_fec(fec, NULL, 0, out, 960), 960,
	    "decode_fec without a next packet conceals");
	is_int(media_codec_decode_fec(fec, (const uint8_t *)"\xff", 1, out,
	    960), 960, "decode_fec with a malformed next packet conceals");
	is_int(media_codec_decode_fec(fec, pay, (size_t)len, out, 100),
	    -EINVAL, "decode_fec of 100 samples refused");
out:
	media_codec_free(enc);
	media_codec_free(fec);
}

/* An instance for one direction has only that half. */
static void
test_roles(void)
{
	struct media_codec	*e, *d, *b;
	struct media_codec_params p;
	int16_t			 in[960], out[960];
	uint8_t			 pay[400];
	char			*cause = NULL;
	int			 len, i, bad = 0;

	printf("# libopus %s, mono: encoder %d bytes, decoder %d bytes\n",
	    opus_get_version_string(), opus_encoder_get_size(1),
	    opus_decoder_get_size(1));
	e = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, NULL, &cause);
	d = media_codec_new_role("opus", MEDIA_CODEC_DECODER, NULL, &cause);
	b = media_codec_new("opus", NULL, &cause);
	if (e == NULL || d == NULL || b == NULL) {
		ok(0, "opus instances for each role: %s", cause ? cause : "");
		free(cause);
		goto out;
	}
	ok(cause == NULL, "no cause when it works");
	ok(media_codec_role(e) == MEDIA_CODEC_ENCODER &&
	    media_codec_role(d) == MEDIA_CODEC_DECODER &&
	    media_codec_role(b) == MEDIA_CODEC_BOTH,
	    "each instance knows its role; media_codec_new is both");

	for (i = 0; i < 10; i++) {
		sine(in, 960, 48000, 1000, 0.3, (size_t)i * 960);
		len = media_codec_encode(e, in, 960, pay, sizeof pay);
		if (len <= 0 || media_codec_decode(d, pay, (size_t)len, out,
		    960) != 960)
			bad++;
	}
	is_int(bad, 0, "an encoder-only instance feeds a decoder-only one");
	ok(ratio16(out, 960, 1000) > 0.9, "with the tone intact (%.2f)",
	    ratio16(out, 960, 1000));

	is_int(media_codec_encode(d, in, 960, pay, sizeof pay), -EINVAL,
	    "decoder-only: encode refused");
	is_int(media_codec_set_loss(d, 5), -EINVAL,
	    "decoder-only: no encoder settings");
	is_int(media_codec_get_loss(d), -EINVAL, "decoder-only: no loss to "
	    "read");
	is_int(media_codec_apply_fmtp(d, "useinbandfec=0;cbr=1;"
	    "maxplaybackrate=8000"), 0, "decoder-only: fmtp ignored");
	ok(media_codec_has_fec(d), "decoder-only: can use FEC");
	is_int(media_codec_conceal(d, out, 960), 960,
	    "decoder-only: conceals");
	is_int(media_codec_decode_fec(d, pay, (size_t)len, out, 960), 960,
	    "decoder-only: decodes FEC");

	is_int(media_codec_decode(e, pay, (size_t)len, out, 960), -EINVAL,
	    "encoder-only: decode refused");
	is_int(media_codec_conceal(e, out, 960), -EINVAL,
	    "encoder-only: conceal refused");
	is_int(media_codec_decode_fec(e, pay, (size_t)len, out, 960), -EINVAL,
	    "encoder-only: decode_fec refused");
	is_int(media_codec_decode_fec(e, NULL, 0, out, 960), -EINVAL,
	    "encoder-only: decode_fec without a packet refused too");
	ok(!media_codec_has_fec(e), "encoder-only: cannot use FEC");
	is_int(media_codec_packet_samples(e, pay, (size_t)len), 960,
	    "encoder-only: still reads a packet's length");
	is_int(media_codec_apply_fmtp(e, "maxaveragebitrate=12000"), 0,
	    "encoder-only: takes the peer's fmtp");
	is_int(media_codec_get_params(e, &p), 0, "encoder-only: settings "
	    "read back");
	is_int(p.bitrate, 12000, "the fmtp's bitrate reached libopus");
	media_codec_reset(e);
	media_codec_reset(d);
	ok(media_codec_encode(e, in, 960, pay, sizeof pay) > 0,
	    "reset with one half: still encodes");

	media_codec_free(e);
	media_codec_free(d);
	e = media_codec_new_role("opus", 0, NULL, &cause);
	ok(e == NULL && cause != NULL, "role 0 refused: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	e = media_codec_new_role("opus", 4, NULL, &cause);
	ok(e == NULL && cause != NULL, "role 4 refused");
	free(cause);
	cause = NULL;

	/* G.711 halves: no state to speak of, but the same rules. */
	e = media_codec_new_role("PCMU", MEDIA_CODEC_ENCODER, NULL, NULL);
	d = media_codec_new_role("pcma", MEDIA_CODEC_DECODER, NULL, NULL);
	if (e == NULL || d == NULL) {
		ok(0, "G.711 instances for each role");
		goto out;
	}
	is_int(media_codec_encode(e, in, 160, pay, sizeof pay), 160,
	    "PCMU encoder-only encodes");
	is_int(media_codec_decode(e, pay, 160, out, 960), -EINVAL,
	    "PCMU encoder-only: decode refused");
	is_int(media_codec_conceal(e, out, 160), -EINVAL,
	    "PCMU encoder-only: conceal refused");
	is_int(media_codec_encode(d, in, 160, pay, sizeof pay), -EINVAL,
	    "PCMA decoder-only: encode refused");
	is_int(media_codec_decode(d, pay, 160, out, 960), 160,
	    "PCMA decoder-only decodes");
	is_int(media_codec_conceal(d, out, 160), 160,
	    "PCMA decoder-only conceals");
	is_int(media_codec_get_loss(d), -ENOTSUP, "G.711 has no loss setting");
out:
	media_codec_free(e);
	media_codec_free(d);
	media_codec_free(b);
}

/* Mean payload of 50 frames of a 440 Hz tone, in bit/s. */
static int
tone_bitrate(struct media_codec *c)
{
	int16_t		 in[960];
	uint8_t		 pay[1500];
	int		 i, len, total = 0;

	for (i = 0; i < 50; i++) {
		sine(in, 960, 48000, 440, 0.3, (size_t)i * 960);
		len = media_codec_encode(c, in, 960, pay, sizeof pay);
		if (len < 0)
			return -1;
		total += len;
	}
	return total * 8;
}

/* What a new encoder starts with, and what it takes from its params. */
static void
test_opus_params(void)
{
	struct media_codec_params	 p, got;
	struct media_codec		*c;
	int16_t				 in[960];
	uint8_t				 pay[1500];
	char				*cause = NULL;
	int				 bps, i, unsent;

	c = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, NULL, NULL);
	if (c == NULL) {
		ok(0, "opus encoder");
		return;
	}
	is_int(media_codec_get_loss(c), 0, "a new encoder expects no loss");
	is_int(media_codec_get_params(c, &got), 0, "its settings read back");
	ok(got.complexity == MEDIA_CODEC_COMPLEXITY &&
	    got.bitrate == MEDIA_CODEC_BITRATE && got.fec && !got.dtx,
	    "complexity %d, %d bit/s, FEC on, no DTX", got.complexity,
	    got.bitrate);
	is_int(media_codec_set_loss(c, 7), 0, "loss 7%% taken");
	is_int(media_codec_get_loss(c), 7, "and handed to libopus");
	is_int(media_codec_set_loss(c, 0), 0, "loss back to 0%%");
	is_int(media_codec_get_loss(c), 0, "and handed to libopus");
	is_int(media_codec_set_loss(c, 101), -EINVAL, "loss 101%% refused");
	is_int(media_codec_get_loss(c), 0, "leaving the old value");

	/* DTX lives in SILK: asking for it must get there from CELT. */
	memset(in, 0, sizeof in);
	for (i = 0, unsent = 0; i < 50; i++) {
		if (media_codec_encode(c, in, 960, pay, sizeof pay) == 0)
			unsent++;
	}
	is_int(unsent, 0, "without DTX every frame of silence is sent");
	is_int(media_codec_set_dtx(c, true), 0, "DTX asked for");
	for (i = 0, unsent = 0; i < 50; i++) {
		if (media_codec_encode(c, in, 960, pay, sizeof pay) == 0)
			unsent++;
	}
	ok(unsent >= 30, "then most frames of silence are not sent (%d of "
	    "50)", unsent);
	media_codec_free(c);

	media_codec_params_default(&p);
	p.complexity = 2;
	p.bitrate = 12000;
	c = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, &p, NULL);
	if (c == NULL || media_codec_get_params(c, &got) != 0) {
		ok(0, "opus encoder with params");
		media_codec_free(c);
		return;
	}
	ok(got.complexity == 2 && got.bitrate == 12000 && got.loss_perc == 0,
	    "complexity 2 and 12000 bit/s honoured (%d, %d)", got.complexity,
	    got.bitrate);
	bps = tone_bitrate(c);
	ok(bps > 6000 && bps <= 12000 * 13 / 10, "and coded at that rate "
	    "(%d bit/s)", bps);
	media_codec_free(c);

	/* Out of range (a typo in the config): the defaults, not a failure. */
	p.complexity = 11;
	p.bitrate = 1000;
	p.loss_perc = -3;
	c = media_codec_new_role("opus", MEDIA_CODEC_BOTH, &p, &cause);
	ok(c != NULL && cause == NULL, "bad settings do not stop the codec");
	if (c != NULL && media_codec_get_params(c, &got) == 0)
		ok(got.complexity == MEDIA_CODEC_COMPLEXITY &&
		    got.bitrate == MEDIA_CODEC_BITRATE && got.loss_perc == 0,
		    "complexity 11, 1000 bit/s and -3%% became the defaults "
		    "(%d, %d, %d)", got.complexity, got.bitrate,
		    got.loss_perc);
	else
		ok(0, "settings read back");
	media_codec_free(c);
	free(cause);
	p.complexity = -1;
	p.bitrate = 600000;
	p.loss_perc = 101;
	c = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, &p, NULL);
	ok(c != NULL && media_codec_get_params(c, &got) == 0 &&
	    got.complexity == MEDIA_CODEC_COMPLEXITY &&
	    got.bitrate == MEDIA_CODEC_BITRATE && got.loss_perc == 0,
	    "so did complexity -1, 600000 bit/s and 101%%");
	media_codec_free(c);
	p.complexity = 10;
	p.bitrate = 510000;
	p.loss_perc = 100;
	c = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, &p, NULL);
	/* libopus itself caps mono at 300 kbit/s. */
	ok(c != NULL && media_codec_get_params(c, &got) == 0 &&
	    got.complexity == 10 && got.bitrate == 300000 &&
	    got.loss_perc == 100, "the range's ends are taken (%d, %d, %d)",
	    got.complexity, got.bitrate, got.loss_perc);
	media_codec_free(c);
	p.complexity = 0;
	p.bitrate = 6000;
	p.loss_perc = 0;
	c = media_codec_new_role("opus", MEDIA_CODEC_ENCODER, &p, NULL);
	ok(c != NULL && media_codec_get_params(c, &got) == 0 &&
	    got.complexity == 0 && got.bitrate == 6000, "both ends");
	media_codec_free(c);
}

static void
test_opus_malformed(void)
{
	struct media_codec	*c;
	int16_t			*pcm;
	uint8_t			 p[200];
	int			 i, r, len, bad = 0, decoded = 0, refused = 0;
	/* code 3 (CBR), 3 frames of 60 ms SILK: 180 ms > 120 ms. */
	static const uint8_t	 too_long[] = { (3 << 3) | 3, 3, 0, 0, 0 };

	c = media_codec_new("opus", NULL, NULL);
	if (c == NULL) {
		ok(0, "opus instance");
		return;
	}
	pcm = xcalloc(5760, sizeof *pcm);
	is_int(media_codec_decode(c, p, 0, pcm, 5760), -EINVAL,
	    "zero-length payload refused");
	is_int(media_codec_decode(c, NULL, 10, pcm, 5760), -EINVAL,
	    "NULL payload refused");
	is_int(media_codec_packet_samples(c, NULL, 0), -EINVAL,
	    "no samples in nothing");
	is_int(media_codec_decode(c, (const uint8_t *)"\x03", 1, pcm, 5760),
	    -EINVAL, "code 3 without a frame count refused");
	is_int(media_codec_decode(c, (const uint8_t *)"\x03\x00", 2, pcm,
	    5760), -EINVAL, "code 3 with zero frames refused");
	is_int(media_codec_decode(c, (const uint8_t *)"\x01\xaa", 2, pcm,
	    5760), -EINVAL, "code 1 with odd length refused");
	is_int(media_codec_packet_samples(c, too_long, sizeof too_long),
	    -EINVAL, "180 ms packet refused");
	is_int(media_codec_packet_samples(c, (const uint8_t *)"\x01\xaa", 2),
	    -EINVAL, "truncated packet has no sample count");
	for (i = 0; i < 20000; i++) {
		len = (int)(rng() % sizeof p);
		for (r = 0; r < len; r++)
			p[r] = (uint8_t)rng();
		r = media_codec_decode(c, p, (size_t)len, pcm, 5760);
		if (r > 5760 || (r < 0 && r != -EINVAL && r != -ENOSPC))
			bad++;
		if (r > 0)
			decoded++;
		else
			refused++;
		/* The jitter buffer's view agrees with the decoder's. */
		if (r != media_codec_packet_samples(c, p, (size_t)len) &&
		    !(r == -ENOSPC || (r == -EINVAL && len == 0)))
			bad++;
	}
	is_int(bad, 0, "20000 random payloads: only valid results or errors "
	    "(%d decoded, %d refused)", decoded, refused);
	ok(refused > 0, "random payloads include refused ones");
	free(pcm);
	media_codec_free(c);
}

/* The peer's fmtp shapes our encoder. */
static void
test_opus_fmtp(void)
{
	struct media_codec	*c;
	int16_t			 in[960];
	uint8_t			 pay[1500];
	int			 i, len, before = 0, after = 0, junk = 0;

	c = media_codec_new("opus", NULL, NULL);
	if (c == NULL) {
		ok(0, "opus instance");
		return;
	}
	for (i = 0; i < 50; i++) {
		sine(in, 960, 48000, 440, 0.3, (size_t)i * 960);
		len = media_codec_encode(c, in, 960, pay, sizeof pay);
		before += len;
	}
	is_int(media_codec_apply_fmtp(c, "=;;x=;maxaveragebitrate=abc;"
	    "useinbandfec=7; ;stereo"), 0, "junk fmtp accepted quietly");
	for (i = 50; i < 100; i++) {
		sine(in, 960, 48000, 440, 0.3, (size_t)i * 960);
		len = media_codec_encode(c, in, 960, pay, sizeof pay);
		junk += len;
	}
	media_codec_apply_fmtp(c, "minptime=10; maxaveragebitrate=12000; "
	    "useinbandfec=1");
	for (i = 100; i < 150; i++) {
		sine(in, 960, 48000, 440, 0.3, (size_t)i * 960);
		len = media_codec_encode(c, in, 960, pay, sizeof pay);
		after += len;
	}
	ok(junk > before * 3 / 4, "junk fmtp changed nothing (%d vs %d bytes)",
	    junk, before);
	ok(after * 8 <= 12000 * 13 / 10 && after < before * 2 / 3,
	    "maxaveragebitrate=12000 obeyed (%d bit/s, was %d)", after * 8,
	    before * 8);
	is_int(media_codec_set_loss(c, -1), -EINVAL, "loss -1%% refused");
	is_int(media_codec_set_loss(c, 25), 0, "loss 25%% taken");
	is_int(media_codec_set_complexity(c, 11), -EINVAL,
	    "complexity 11 refused");
	is_int(media_codec_set_complexity(c, 3), 0, "complexity 3 taken");
	is_int(media_codec_set_bitrate(c, 1000), -EINVAL,
	    "1000 bit/s refused");
	media_codec_free(c);
}

/* --- resampler ------------------------------------------------------- */

static void
test_resample(void)
{
	struct media_resample	*up, *down, *r;
	int16_t			 in[960], mid[2000], out[2000], *all;
	char			*cause = NULL;
	size_t			 i, got, used, total_up = 0, total_down = 0;
	int			 bad_up = 0, bad_down = 0, nonzero = 0;
	double			 lvl;

	r = media_resample_new(0, 8000, 3, &cause);
	ok(r == NULL && cause != NULL, "rate 0 refused");
	free(cause);
	cause = NULL;
	r = media_resample_new(8000, 48000, 11, &cause);
	ok(r == NULL && cause != NULL, "quality 11 refused");
	free(cause);

	up = media_resample_new(8000, 48000, MEDIA_RESAMPLE_QUALITY, NULL);
	down = media_resample_new(48000, 8000, MEDIA_RESAMPLE_QUALITY, NULL);
	if (up == NULL || down == NULL) {
		ok(0, "resamplers");
		return;
	}
	ok(media_resample_latency(up) > 0 && !media_resample_passthrough(up),
	    "8k->48k has latency %u", media_resample_latency(up));
	all = xcalloc(160 * 500, sizeof *all);
	for (i = 0; i < 500; i++) {
		sine(in, 160, 8000, 1000, 0.5, i * 160);
		got = media_resample_process(up, in, 160, mid, sizeof mid /
		    sizeof mid[0], &used);
		total_up += got;
		if (got != 960 || used != 160)
			bad_up++;
		got = media_resample_process(down, mid, 960, out, sizeof out /
		    sizeof out[0], &used);
		total_down += got;
		if (got != 160 || used != 960)
			bad_down++;
		memcpy(all + i * 160, out, 160 * sizeof *out);
	}
	is_int(bad_up, 0, "8k->48k: 960 out for every 160 in");
	is_int(bad_down, 0, "48k->8k: 160 out for every 960 in");
	ok(total_up == 480000 && total_down == 80000,
	    "no drift over 10 s (%zu, %zu)", total_up, total_down);
	ok(tone_fraction(all, 80000, 8000, 1000, 800) == 1.0,
	    "1 kHz survives 8k->48k->8k");
	sine(in, 160, 8000, 1000, 0.5, 0);
	lvl = 20 * log10(rms16(all + 800, 79200) / rms16(in, 160));
	ok(fabs(lvl) < 1.0, "level kept within 1 dB (%.2f dB)", lvl);

	/* Reset forgets the tone: silence in gives silence out. */
	memset(in, 0, sizeof in);
	media_resample_reset(up);
	got = media_resample_process(up, in, 160, mid, 2000, NULL);
	for (i = 0; i < got; i++)
		if (mid[i] != 0)
			nonzero++;
	is_int(nonzero, 0, "after reset, silence stays silent");
	sine(in, 160, 8000, 1000, 0.5, 0);
	media_resample_process(up, in, 160, mid, 2000, NULL);
	memset(in, 0, sizeof in);
	got = media_resample_process(up, in, 160, mid, 2000, NULL);
	nonzero = 0;
	for (i = 0; i < got; i++)
		if (mid[i] != 0)
			nonzero++;
	ok(nonzero > 0, "without reset, the filter still rings");

	/* Too little room: output bounded, input not all used. */
	got = media_resample_process(up, in, 160, mid, 100, &used);
	ok(got <= 100 && used < 160, "short output room: %zu out, %zu used",
	    got, used);
	ok(media_resample_out_max(up, 160) >= 960 &&
	    media_resample_out_max(down, 960) >= 160, "out_max is enough");
	media_resample_free(up);
	media_resample_free(down);
	free(all);

	/* 44.1 kHz -> 48 kHz: ragged per frame, exact over time. */
	r = media_resample_new(44100, 48000, MEDIA_RESAMPLE_QUALITY, NULL);
	total_up = 0;
	bad_up = 0;
	for (i = 0; i < 1000; i++) {
		sine(mid, 882, 44100, 440, 0.5, i * 882);
		got = media_resample_process(r, mid, 882, out,
		    media_resample_out_max(r, 882), &used);
		if (used != 882 || got < 958 || got > 962)
			bad_up++;
		total_up += got;
	}
	is_int(bad_up, 0, "44.1k->48k: all input used, ~960 out per frame");
	ok(total_up + 1 >= 960000 && total_up <= 960000 + 1,
	    "44.1k->48k: %zu samples for 20 s (960000 +- 1)", total_up);
	media_resample_free(r);

	r = media_resample_new(48000, 48000, 3, NULL);
	ok(r != NULL && media_resample_passthrough(r) &&
	    media_resample_latency(r) == 0, "equal rates pass through");
	sine(in, 960, 48000, 1000, 0.5, 0);
	got = media_resample_process(r, in, 960, out, 2000, &used);
	ok(got == 960 && used == 960 && memcmp(in, out, sizeof in) == 0,
	    "pass-through copies exactly");
	got = media_resample_process(r, in, 960, out, 500, &used);
	ok(got == 500 && used == 500, "pass-through respects output room");
	media_resample_free(r);
}

/* --- the tone checker ------------------------------------------------ */

static char tmpdir[] = "/tmp/test-codec.XXXXXX";

static char *
write_wav(const char *name, const int16_t *x, size_t frames, int rate,
    int channels)
{
	SF_INFO	 info;
	SNDFILE	*sf;
	char	*path;

	xasprintf(&path, "%s/%s", tmpdir, name);
	memset(&info, 0, sizeof info);
	info.samplerate = rate;
	info.channels = channels;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	sf = sf_open(path, SFM_WRITE, &info);
	if (sf == NULL) {
		free(path);
		return NULL;
	}
	sf_writef_short(sf, x, (sf_count_t)frames);
	sf_close(sf);
	return path;
}

/* Run tonecheck with ARGS (NULL-terminated); *OUT gets its summary. */
static int
run_tonecheck(char **summary, const char *file, ...)
{
	va_list	 ap;
	char	*argv[16], *buf = NULL;
	size_t	 len = 0;
	FILE	*out, *err;
	int	 argc = 0, rc;

	argv[argc++] = (char *)"tonecheck";
	argv[argc++] = (char *)file;
	va_start(ap, file);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	out = open_memstream(&buf, &len);
	err = fopen("/dev/null", "w");
	rc = tone_main(argc, argv, out, err != NULL ? err : out);
	fclose(out);
	if (err != NULL)
		fclose(err);
	if (summary != NULL)
		*summary = buf;
	else
		free(buf);
	return rc;
}

/* PCM through a codec and back, at the codec's rate. */
static void
through(const char *name, const int16_t *in, int16_t *out, size_t n,
    size_t frame)
{
	struct media_codec	*c;
	uint8_t			 pay[1500];
	size_t			 i;
	int			 len;

	c = media_codec_new(name, NULL, NULL);
	memset(out, 0, n * sizeof *out);
	if (c == NULL)
		return;
	for (i = 0; i + frame <= n; i += frame) {
		len = media_codec_encode(c, in + i, frame, pay, sizeof pay);
		if (len > 0)
			media_codec_decode(c, pay, (size_t)len, out + i, frame);
	}
	media_codec_free(c);
}

static void
test_tonecheck(void)
{
	int16_t		*a, *b, *st;
	char		*tone8, *pcmu, *pcma, *opus, *silent, *noise, *half;
	char		*stereo, *sum = NULL, *cause = NULL;
	size_t		 i, n8 = 8000 * 2, n48 = 48000 * 2;
	struct tone_opts o;
	struct tone_stats s;
	double		 x[400];

	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "temporary directory: %s", strerror(errno));
		return;
	}
	a = xcalloc(n48 * 2, sizeof *a);
	b = xcalloc(n48, sizeof *b);
	st = xcalloc(n48 * 2, sizeof *st);

	sine(a, n8, 8000, 1000, 0.5, 0);
	tone8 = write_wav("tone8.wav", a, n8, 8000, 1);
	through("PCMU", a, b, n8, 160);
	pcmu = write_wav("pcmu.wav", b, n8, 8000, 1);
	through("PCMA", a, b, n8, 160);
	pcma = write_wav("pcma.wav", b, n8, 8000, 1);
	sine(a, n48, 48000, 1000, 0.3, 0);
	through("opus", a, b, n48, 960);
	opus = write_wav("opus.wav", b, n48, 48000, 1);
	for (i = 0; i < n48; i++)
		st[2 * i] = st[2 * i + 1] = a[i];
	stereo = write_wav("stereo.wav", st, n48, 48000, 2);
	memset(a, 0, n8 * sizeof *a);
	silent = write_wav("silent.wav", a, n8, 8000, 1);
	for (i = 0; i < n8; i++)
		a[i] = (int16_t)((int32_t)(rng() % 20000) - 10000);
	noise = write_wav("noise.wav", a, n8, 8000, 1);
	sine(a, n8 / 2, 8000, 1000, 0.5, 0);
	memset(a + n8 / 2, 0, n8 / 2 * sizeof *a);
	half = write_wav("half.wav", a, n8, 8000, 1);
	if (tone8 == NULL || pcmu == NULL || pcma == NULL || opus == NULL ||
	    silent == NULL || noise == NULL || half == NULL || stereo == NULL) {
		ok(0, "writing WAV files in %s", tmpdir);
		goto out;
	}

	/* The analysis itself. */
	for (i = 0; i < nitems(x); i++)
		x[i] = 0.5 * sin(2 * M_PI * 1000 * (double)i / 8000);
	ok(tone_ratio(x, nitems(x), 8000, 1000, NULL) > 0.95,
	    "pure tone ratio ~1 (%.3f)", tone_ratio(x, nitems(x), 8000, 1000,
	    NULL));
	ok(tone_ratio(x, nitems(x), 8000, 1500, NULL) < 0.01,
	    "another frequency ratio ~0 (%.4f)", tone_ratio(x, nitems(x), 8000,
	    1500, NULL));
	tone_opts_default(&o, 1000);
	ok(tone_analyse_file(tone8, &o, &s, NULL, NULL, &cause) == 0 &&
	    s.windows == 40 && s.hits == 40,
	    "2 s file: 40 windows of 50 ms, all with the tone");
	ok(tone_analyse_file("/nonexistent.wav", &o, &s, NULL, NULL,
	    &cause) == -1 && cause != NULL, "unreadable file reported");
	free(cause);

	is_int(run_tonecheck(&sum, tone8, "1000", NULL), 0,
	    "tonecheck passes a clean 1 kHz tone");
	ok(sum != NULL && strstr(sum, "1.000 of windows (40/40") != NULL &&
	    strstr(sum, "pass") != NULL, "summary: %.*s",
	    sum ? (int)strcspn(sum, "\n") : 0, sum ? sum : "");
	free(sum);
	is_int(run_tonecheck(NULL, pcmu, "1000", "--min-fraction", "0.95",
	    NULL), 0, "tonecheck passes 1 kHz through PCMU");
	is_int(run_tonecheck(NULL, pcma, "1000", "--min-fraction", "0.95",
	    NULL), 0, "tonecheck passes 1 kHz through PCMA");
	is_int(run_tonecheck(NULL, opus, "1000", "--min-fraction", "0.9",
	    NULL), 0, "tonecheck passes 1 kHz through Opus");
	is_int(run_tonecheck(NULL, stereo, "1000", "--min-fraction", "0.95",
	    NULL), 0, "tonecheck reads stereo files");
	is_int(run_tonecheck(&sum, silent, "1000", NULL), 1,
	    "tonecheck fails a silent file");
	ok(sum != NULL && strstr(sum, "FAIL") != NULL, "summary says FAIL");
	free(sum);
	is_int(run_tonecheck(NULL, silent, "1000", "--min-fraction", "0.01",
	    NULL), 1, "silence has no tone at all");
	is_int(run_tonecheck(NULL, noise, "1000", "--min-fraction", "0.01",
	    NULL), 1, "tonecheck fails white noise");
	is_int(run_tonecheck(NULL, pcmu, "1500", "--min-fraction", "0.01",
	    NULL), 1, "tonecheck fails 1000 Hz when asked for 1500 Hz");
	is_int(run_tonecheck(NULL, opus, "1500", "--min-fraction", "0.01",
	    NULL), 1, "tonecheck fails Opus 1000 Hz when asked for 1500 Hz");
	is_int(run_tonecheck(NULL, silent, "1000", "--absent", NULL), 0,
	    "--absent passes silence");
	is_int(run_tonecheck(NULL, noise, "1000", "--absent", NULL), 0,
	    "--absent passes noise");
	is_int(run_tonecheck(NULL, pcmu, "1000", "--absent", NULL), 1,
	    "--absent fails a tone");
	is_int(run_tonecheck(NULL, half, "1000", "--min-fraction", "0.9",
	    NULL), 1, "half tone, half silence: not 90%%");
	is_int(run_tonecheck(NULL, half, "1000", "--min-fraction", "0.45",
	    NULL), 0, "half tone, half silence: 45%% is");
	is_int(run_tonecheck(&sum, half, "1000", "--to", "1", "--min-fraction",
	    "1", NULL), 0, "tone throughout the first second");
	ok(sum != NULL && strstr(sum, "at 0.00-1.00 s") != NULL,
	    "summary gives the time range: %.*s",
	    sum ? (int)strcspn(sum, "\n") : 0, sum ? sum : "");
	free(sum);
	is_int(run_tonecheck(NULL, half, "1000", "--from", "1", "--absent",
	    NULL), 0, "no tone in the second second");
	is_int(run_tonecheck(NULL, half, "1000", "--from", "0.5", "--absent",
	    NULL), 1, "tone between 0.5 and 1 s is seen");
	is_int(run_tonecheck(NULL, half, "1000", "--from", "5", NULL), 1,
	    "nothing analysed past the end is a failure");
	is_int(run_tonecheck(NULL, half, "1000", "--from", "5", "--absent",
	    NULL), 1, "nothing analysed does not prove absence");
	is_int(run_tonecheck(NULL, half, NULL), 2, "missing frequency: usage");
	is_int(run_tonecheck(NULL, half, "1000", "--bogus", "1", NULL), 2,
	    "unknown option: usage");
	is_int(run_tonecheck(NULL, half, "1000", "--min-fraction", "x", NULL),
	    2, "bad number: usage");
	is_int(run_tonecheck(NULL, "/nonexistent.wav", "1000", NULL), 2,
	    "unreadable file: 2");

out:
	free(a);
	free(b);
	free(st);
#define RM(p) do { if ((p) != NULL) { unlink(p); free(p); } } while (0)
	RM(tone8);
	RM(pcmu);
	RM(pcma);
	RM(opus);
	RM(silent);
	RM(noise);
	RM(half);
	RM(stereo);
#undef RM
	rmdir(tmpdir);
}

int
main(void)
{
	test_g711_reference();
	test_g711_properties();
	test_table();
	test_g711_codec("PCMU");
	test_g711_codec("pcma");
	test_g711_plc();
	test_g711_plc_joins(1);
	test_g711_plc_joins(4);
	test_opus_roundtrip();
	test_opus_stereo();
	test_opus_fec();
	test_roles();
	test_opus_params();
	test_opus_malformed();
	test_opus_fmtp();
	test_resample();
	test_tonecheck();
	return done_testing();
}
