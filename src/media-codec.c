/*
 * media-codec.c: the codec table and the codec instances. libopus does
 * Opus; media-g711.c does G.711. This file owns what is ours: which
 * codecs we offer and how (RFC 3551 static types, RFC 7587 for Opus,
 * RFC 4733 for telephone-event), the Opus encoder settings for a phone
 * call, strict checks on payloads from the network before any library
 * sees them, and one interface for decode, concealment and FEC. An
 * instance may hold only the half one direction of a call needs.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opus/opus.h>

#include "media-codec.h"
#include "media-g711.h"
#include "util.h"

/*
 * Opus is offered at 48000/2 as RFC 7587 requires whatever we send; we
 * encode and decode mono at 48 kHz (a mono decoder folds stereo packets
 * down). The fmtp says we can decode FEC and that 10 ms packets are the
 * shortest worth sending us. stereo=0 and sprop-stereo=0 are the
 * defaults and are left out; maxaveragebitrate is not offered because it
 * would only cap what the peer sends us.
 *
 * telephone-event shares the RTP clock of the voice codec it rides with
 * (RFC 4733 2.1), so it is listed at 8 kHz for G.711 and at 48 kHz for
 * Opus; offer the one matching each voice codec.
 */
static const struct media_codec_info media_codec_table[] = {
	{ "opus", 111, true, 48000, 2, 48000, 20,
	  "minptime=10;useinbandfec=1", true },
	{ "PCMU", 0, false, 8000, 0, 8000, 20, NULL, true },
	{ "PCMA", 8, false, 8000, 0, 8000, 20, NULL, true },
	{ "telephone-event", 101, true, 8000, 0, 8000, 20, "0-15", false },
	{ "telephone-event", 110, true, 48000, 0, 48000, 20, "0-15", false },
};

enum media_codec_kind {
	MEDIA_CODEC_OPUS,
	MEDIA_CODEC_PCMU,
	MEDIA_CODEC_PCMA,
};

/* Opus limits at 48 kHz: frames are 2.5 ms multiples up to 120 ms. */
#define OPUS_RATE		48000
#define OPUS_GRAIN		(OPUS_RATE / 400)
#define OPUS_MAX_SAMPLES	MEDIA_CODEC_MAX_SAMPLES
#define OPUS_MAX_PAYLOAD	4000	/* libopus' recommended ceiling */

struct media_codec {
	const struct media_codec_info	*info;
	enum media_codec_kind		 kind;
	enum media_codec_role		 role;
	struct media_codec_params	 params;
	int				 max_bw;	/* the peer's fmtp */
	OpusEncoder			*enc;
	OpusDecoder			*dec;
	struct media_g711_plc		*plc;
};

const struct media_codec_info *
media_codec_list(size_t *count)
{
	*count = nitems(media_codec_table);
	return media_codec_table;
}

const struct media_codec_info *
media_codec_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < nitems(media_codec_table); i++) {
		if (strcasecmp(media_codec_table[i].name, name) == 0)
			return &media_codec_table[i];
	}
	return NULL;
}

const struct media_codec_info *
media_codec_find_rate(const char *name, unsigned int clock_rate)
{
	size_t	i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < nitems(media_codec_table); i++) {
		if (strcasecmp(media_codec_table[i].name, name) == 0 &&
		    media_codec_table[i].clock_rate == clock_rate)
			return &media_codec_table[i];
	}
	return NULL;
}

const struct media_codec_info *
media_codec_find_static(int pt)
{
	size_t	i;

	for (i = 0; i < nitems(media_codec_table); i++) {
		if (!media_codec_table[i].dynamic &&
		    media_codec_table[i].pt == pt)
			return &media_codec_table[i];
	}
	return NULL;
}

int
media_codec_rtpmap(const struct media_codec_info *ci, char *buf, size_t len)
{
	if (ci->channels > 0)
		return snprintf(buf, len, "%s/%u/%u", ci->name, ci->clock_rate,
		    ci->channels);
	return snprintf(buf, len, "%s/%u", ci->name, ci->clock_rate);
}

unsigned int
media_codec_frame_samples(const struct media_codec_info *ci)
{
	return ci->pcm_rate / 1000 * ci->ptime;
}

void
media_codec_params_default(struct media_codec_params *p)
{
	p->complexity = MEDIA_CODEC_COMPLEXITY;
	p->bitrate = MEDIA_CODEC_BITRATE;
	/*
	 * libopus codes FEC only when it expects loss: FEC is on, and costs
	 * nothing until RTCP reports loss and the engine says so with
	 * media_codec_set_loss. Coding FEC against a loss nobody has seen
	 * cost CPU (SILK on every frame) and bits.
	 */
	p->loss_perc = MEDIA_CODEC_LOSS_PERC;
	p->fec = true;
	p->dtx = false;
}

/* Settings out of range (a config typo) become the defaults. */
static void
media_codec_params_fix(struct media_codec_params *p)
{
	struct media_codec_params	 d;

	media_codec_params_default(&d);
	if (p->complexity < 0 || p->complexity > 10)
		p->complexity = d.complexity;
	if (p->bitrate < 6000 || p->bitrate > 510000)
		p->bitrate = d.bitrate;
	if (p->loss_perc < 0 || p->loss_perc > 100)
		p->loss_perc = d.loss_perc;
}

static int
media_codec_check_params(const struct media_codec_params *p)
{
	if (p->complexity < 0 || p->complexity > 10 || p->bitrate < 6000 ||
	    p->bitrate > 510000 || p->loss_perc < 0 || p->loss_perc > 100)
		return -1;
	return 0;
}

/*
 * The signal hint follows the settings. Left to itself at complexity
 * below 7 (no signal analysis) an OPUS_APPLICATION_AUDIO encoder guesses
 * "probably music" and codes 32 kbit/s mono in CELT, fullband: less than
 * half the CPU of SILK+CELT hybrid, as tests/tools/codec-cost measures.
 * But in-band FEC and DTX exist only in SILK, and the encoder would
 * switch to it for FEC only above 5% loss; saying "voice" makes it switch
 * as soon as any loss is expected (or DTX asked for), so FEC protects the
 * first lost packets too.
 */
static int
media_codec_opus_signal(const struct media_codec_params *p)
{
	if ((p->fec && p->loss_perc > 0) || p->dtx)
		return OPUS_SIGNAL_VOICE;
	return OPUS_AUTO;
}

/*
 * Fullband (20 kHz), or what the peer's fmtp allows: speech has energy up
 * to 12-14 kHz (sibilants), and CELT codes the top band for about 7% more
 * CPU than super-wideband (codec-cost). But libopus 1.3 codes FEC at 1-5%
 * loss only if the rate covers the FEC threshold of the bandwidth, and at
 * 32 kbit/s, complexity 5, fullband's is never covered (super-wideband's
 * is): then at most super-wideband (12 kHz), since a recovered packet is
 * worth more than the top octave. Above 5% libopus narrows the band
 * itself as far as FEC needs.
 */
static int
media_codec_opus_bandwidth(const struct media_codec *c)
{
	int	 bw = c->max_bw;

	if (c->params.fec && c->params.loss_perc > 0 &&
	    c->params.loss_perc <= 5 && bw > OPUS_BANDWIDTH_SUPERWIDEBAND)
		bw = OPUS_BANDWIDTH_SUPERWIDEBAND;
	return bw;
}

/* Push every encoder setting; the first libopus refusal wins. */
static int
media_codec_opus_setup(struct media_codec *c)
{
	const struct media_codec_params	*p = &c->params;
	int				 r;

	r = opus_encoder_ctl(c->enc, OPUS_SET_COMPLEXITY(p->complexity));
	if (r == OPUS_OK)
		r = opus_encoder_ctl(c->enc, OPUS_SET_BITRATE(p->bitrate));
	if (r == OPUS_OK)
		r = opus_encoder_ctl(c->enc, OPUS_SET_INBAND_FEC(p->fec));
	if (r == OPUS_OK)
		r = opus_encoder_ctl(c->enc,
		    OPUS_SET_PACKET_LOSS_PERC(p->loss_perc));
	if (r == OPUS_OK)
		r = opus_encoder_ctl(c->enc, OPUS_SET_DTX(p->dtx));
	if (r == OPUS_OK)
		r = opus_encoder_ctl(c->enc,
		    OPUS_SET_SIGNAL(media_codec_opus_signal(p)));
	if (r == OPUS_OK)
		r = opus_encoder_ctl(c->enc,
		    OPUS_SET_MAX_BANDWIDTH(media_codec_opus_bandwidth(c)));
	return r == OPUS_OK ? 0 : -EINVAL;
}

struct media_codec *
media_codec_new_role(const char *name, enum media_codec_role role,
    const struct media_codec_params *params, char **cause)
{
	const struct media_codec_info	*ci;
	struct media_codec		*c;
	int				 err;

	ci = media_codec_find(name);
	if (ci == NULL || !ci->voice) {
		if (cause != NULL)
			xasprintf(cause, "%s: %s", name != NULL ? name : "(null)",
			    ci == NULL ? "unknown codec" : "not a voice codec");
		return NULL;
	}
	if (role != MEDIA_CODEC_ENCODER && role != MEDIA_CODEC_DECODER &&
	    role != MEDIA_CODEC_BOTH) {
		if (cause != NULL)
			xasprintf(cause, "%s: no such codec role %d", ci->name,
			    (int)role);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->info = ci;
	c->role = role;
	c->max_bw = OPUS_BANDWIDTH_FULLBAND;
	if (params != NULL)
		c->params = *params;
	else
		media_codec_params_default(&c->params);
	media_codec_params_fix(&c->params);

	if (strcasecmp(ci->name, "PCMU") == 0 ||
	    strcasecmp(ci->name, "PCMA") == 0) {
		c->kind = strcasecmp(ci->name, "PCMU") == 0 ?
		    MEDIA_CODEC_PCMU : MEDIA_CODEC_PCMA;
		if (role & MEDIA_CODEC_DECODER)
			c->plc = media_g711_plc_new();
		return c;
	}

	/*
	 * Only the halves asked for: a call sends with one instance and
	 * receives with another, and each half is most of an instance
	 * (libopus 1.3.1, mono: opus_encoder_get_size 43572 bytes,
	 * opus_decoder_get_size 18228).
	 */
	c->kind = MEDIA_CODEC_OPUS;
	if (role & MEDIA_CODEC_ENCODER) {
		/*
		 * AUDIO, not VOIP: VOIP leans so hard towards SILK that at
		 * 32 kbit/s every frame is SILK+CELT hybrid, 2.4 times the
		 * CPU of CELT (see media_codec_opus_signal for when SILK
		 * is still chosen). VOIP's other difference, a high-pass
		 * filter that follows the pitch where AUDIO only removes
		 * DC, is no loss for a phone's microphone. The choice is
		 * for good: libopus cannot change it once encoding began.
		 */
		c->enc = opus_encoder_create(OPUS_RATE, 1,
		    OPUS_APPLICATION_AUDIO, &err);
		if (c->enc == NULL) {
			if (cause != NULL)
				xasprintf(cause, "opus encoder: %s",
				    opus_strerror(err));
			goto fail;
		}
		if (media_codec_opus_setup(c) != 0) {
			if (cause != NULL)
				xasprintf(cause, "opus encoder: settings "
				    "refused");
			goto fail;
		}
	}
	if (role & MEDIA_CODEC_DECODER) {
		c->dec = opus_decoder_create(OPUS_RATE, 1, &err);
		if (c->dec == NULL) {
			if (cause != NULL)
				xasprintf(cause, "opus decoder: %s",
				    opus_strerror(err));
			goto fail;
		}
	}
	return c;

fail:
	media_codec_free(c);
	return NULL;
}

struct media_codec *
media_codec_new(const char *name, const struct media_codec_params *params,
    char **cause)
{
	return media_codec_new_role(name, MEDIA_CODEC_BOTH, params, cause);
}

void
media_codec_free(struct media_codec *c)
{
	if (c == NULL)
		return;
	if (c->enc != NULL)
		opus_encoder_destroy(c->enc);
	if (c->dec != NULL)
		opus_decoder_destroy(c->dec);
	media_g711_plc_free(c->plc);
	free(c);
}

const struct media_codec_info *
media_codec_info(const struct media_codec *c)
{
	return c->info;
}

enum media_codec_role
media_codec_role(const struct media_codec *c)
{
	return c->role;
}

static int
media_codec_opus_error(int r)
{
	return r == OPUS_BUFFER_TOO_SMALL ? -ENOSPC : -EINVAL;
}

int
media_codec_encode(struct media_codec *c, const int16_t *pcm, size_t n,
    uint8_t *out, size_t out_cap)
{
	opus_int32	 r;

	if (n == 0 || !(c->role & MEDIA_CODEC_ENCODER))
		return -EINVAL;
	switch (c->kind) {
	case MEDIA_CODEC_PCMU:
	case MEDIA_CODEC_PCMA:
		if (n > INT_MAX)
			return -EINVAL;
		if (out_cap < n)
			return -ENOSPC;
		if (c->kind == MEDIA_CODEC_PCMU)
			media_g711_ulaw_encode_buf(pcm, n, out);
		else
			media_g711_alaw_encode_buf(pcm, n, out);
		return (int)n;
	case MEDIA_CODEC_OPUS:
		if (n > OPUS_MAX_SAMPLES || n % OPUS_GRAIN != 0)
			return -EINVAL;
		if (out_cap == 0)
			return -ENOSPC;
		if (out_cap > OPUS_MAX_PAYLOAD)
			out_cap = OPUS_MAX_PAYLOAD;
		r = opus_encode(c->enc, pcm, (int)n, out, (opus_int32)out_cap);
		if (r < 0)
			return media_codec_opus_error(r);
		/* 1-2 bytes: DTX says this frame need not be sent. */
		if (c->params.dtx && r <= 2)
			return 0;
		return (int)r;
	}
	return -EINVAL;
}

/* Samples in a well-formed Opus packet, or -EINVAL. */
static int
media_codec_opus_samples(const uint8_t *p, size_t len)
{
	const unsigned char	*frames[48];
	opus_int16		 sizes[48];
	unsigned char		 toc;
	int			 n;

	if (p == NULL || len == 0 || len > 1275 * 48 + 7)
		return -EINVAL;
	/* Walks every frame length, so truncated packets fail here. */
	if (opus_packet_parse(p, (opus_int32)len, &toc, frames, sizes,
	    NULL) <= 0)
		return -EINVAL;
	n = opus_packet_get_nb_samples(p, (opus_int32)len, OPUS_RATE);
	if (n <= 0 || n > OPUS_MAX_SAMPLES)
		return -EINVAL;
	return n;
}

int
media_codec_packet_samples(const struct media_codec *c, const uint8_t *p,
    size_t len)
{
	if (c->kind == MEDIA_CODEC_OPUS)
		return media_codec_opus_samples(p, len);
	if (p == NULL || len == 0 || len > INT_MAX)
		return -EINVAL;
	return (int)len;
}

int
media_codec_decode(struct media_codec *c, const uint8_t *p, size_t len,
    int16_t *pcm, size_t pcm_cap)
{
	int	n, r;

	if (!(c->role & MEDIA_CODEC_DECODER))
		return -EINVAL;
	n = media_codec_packet_samples(c, p, len);
	if (n < 0)
		return n;
	if ((size_t)n > pcm_cap)
		return -ENOSPC;
	switch (c->kind) {
	case MEDIA_CODEC_PCMU:
	case MEDIA_CODEC_PCMA:
		if (c->kind == MEDIA_CODEC_PCMU)
			media_g711_ulaw_decode_buf(p, len, pcm);
		else
			media_g711_alaw_decode_buf(p, len, pcm);
		media_g711_plc_good(c->plc, pcm, len);
		return n;
	case MEDIA_CODEC_OPUS:
		r = opus_decode(c->dec, p, (opus_int32)len, pcm, n, 0);
		if (r < 0)
			return media_codec_opus_error(r);
		return r;
	}
	return -EINVAL;
}

int
media_codec_conceal(struct media_codec *c, int16_t *pcm, size_t n)
{
	int	r;

	if (n == 0 || n > INT_MAX || !(c->role & MEDIA_CODEC_DECODER))
		return -EINVAL;
	switch (c->kind) {
	case MEDIA_CODEC_PCMU:
	case MEDIA_CODEC_PCMA:
		media_g711_plc_conceal(c->plc, pcm, n);
		return (int)n;
	case MEDIA_CODEC_OPUS:
		if (n > OPUS_MAX_SAMPLES || n % OPUS_GRAIN != 0)
			return -EINVAL;
		r = opus_decode(c->dec, NULL, 0, pcm, (int)n, 0);
		if (r < 0)
			return media_codec_opus_error(r);
		return r;
	}
	return -EINVAL;
}

int
media_codec_decode_fec(struct media_codec *c, const uint8_t *next,
    size_t len, int16_t *pcm, size_t n)
{
	int	r;

	if (!(c->role & MEDIA_CODEC_DECODER))
		return -EINVAL;
	if (c->kind != MEDIA_CODEC_OPUS || next == NULL || len == 0)
		return media_codec_conceal(c, pcm, n);
	if (n == 0 || n > OPUS_MAX_SAMPLES || n % OPUS_GRAIN != 0)
		return -EINVAL;
	if (media_codec_opus_samples(next, len) < 0)
		return media_codec_conceal(c, pcm, n);
	/* libopus falls back to PLC itself when NEXT carries no FEC. */
	r = opus_decode(c->dec, next, (opus_int32)len, pcm, (int)n, 1);
	if (r < 0)
		return media_codec_opus_error(r);
	return r;
}

bool
media_codec_has_fec(const struct media_codec *c)
{
	return c->kind == MEDIA_CODEC_OPUS && c->dec != NULL;
}

void
media_codec_reset(struct media_codec *c)
{
	if (c->enc != NULL)
		opus_encoder_ctl(c->enc, OPUS_RESET_STATE);
	if (c->dec != NULL)
		opus_decoder_ctl(c->dec, OPUS_RESET_STATE);
	if (c->plc != NULL)
		media_g711_plc_reset(c->plc);
}

/* Apply one changed setting, restoring the old one if refused. */
static int
media_codec_update(struct media_codec *c, const struct media_codec_params *p)
{
	struct media_codec_params	old = c->params;

	if (c->kind != MEDIA_CODEC_OPUS)
		return -ENOTSUP;
	if (c->enc == NULL || media_codec_check_params(p) != 0)
		return -EINVAL;
	c->params = *p;
	if (media_codec_opus_setup(c) != 0) {
		c->params = old;
		media_codec_opus_setup(c);
		return -EINVAL;
	}
	return 0;
}

int
media_codec_set_loss(struct media_codec *c, int percent)
{
	struct media_codec_params	p = c->params;

	p.loss_perc = percent;
	return media_codec_update(c, &p);
}

int
media_codec_set_bitrate(struct media_codec *c, int bps)
{
	struct media_codec_params	p = c->params;

	p.bitrate = bps;
	return media_codec_update(c, &p);
}

int
media_codec_set_complexity(struct media_codec *c, int complexity)
{
	struct media_codec_params	p = c->params;

	p.complexity = complexity;
	return media_codec_update(c, &p);
}

int
media_codec_set_fec(struct media_codec *c, bool on)
{
	struct media_codec_params	p = c->params;

	p.fec = on;
	return media_codec_update(c, &p);
}

int
media_codec_set_dtx(struct media_codec *c, bool on)
{
	struct media_codec_params	p = c->params;

	p.dtx = on;
	return media_codec_update(c, &p);
}

int
media_codec_get_params(const struct media_codec *c,
    struct media_codec_params *p)
{
	opus_int32	 v[5];

	if (c->kind != MEDIA_CODEC_OPUS)
		return -ENOTSUP;
	if (c->enc == NULL)
		return -EINVAL;
	if (opus_encoder_ctl(c->enc, OPUS_GET_COMPLEXITY(&v[0])) != OPUS_OK ||
	    opus_encoder_ctl(c->enc, OPUS_GET_BITRATE(&v[1])) != OPUS_OK ||
	    opus_encoder_ctl(c->enc, OPUS_GET_PACKET_LOSS_PERC(&v[2])) !=
	    OPUS_OK ||
	    opus_encoder_ctl(c->enc, OPUS_GET_INBAND_FEC(&v[3])) != OPUS_OK ||
	    opus_encoder_ctl(c->enc, OPUS_GET_DTX(&v[4])) != OPUS_OK)
		return -EINVAL;
	p->complexity = v[0];
	p->bitrate = v[1];
	p->loss_perc = v[2];
	p->fec = v[3] != 0;
	p->dtx = v[4] != 0;
	return 0;
}

int
media_codec_get_loss(const struct media_codec *c)
{
	struct media_codec_params	 p;
	int				 r;

	if ((r = media_codec_get_params(c, &p)) != 0)
		return r;
	return p.loss_perc;
}

/* A decimal value 0..INT_MAX from an fmtp, or -1. */
static long
media_codec_fmtp_value(const char *s, size_t len)
{
	long	v = 0;
	size_t	i;

	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void
media_codec_opus_fmtp(struct media_codec *c, const char *key, size_t klen,
    long v)
{
	int	bw;

#define KEY(k) (klen == strlen(k) && strncasecmp(key, k, klen) == 0)
	/*
	 * useinbandfec and usedtx say what the peer's decoder wants. A peer
	 * that leaves useinbandfec out may still decode FEC (libopus always
	 * can), so only an explicit 0 turns ours off.
	 */
	if (KEY("useinbandfec") && (v == 0 || v == 1))
		media_codec_set_fec(c, v == 1);
	else if (KEY("usedtx") && (v == 0 || v == 1))
		media_codec_set_dtx(c, v == 1);
	else if (KEY("maxaveragebitrate") && v >= 6000) {
		if (v < c->params.bitrate)
			media_codec_set_bitrate(c, (int)v);
	} else if (KEY("cbr") && (v == 0 || v == 1))
		opus_encoder_ctl(c->enc, OPUS_SET_VBR(v == 1 ? 0 : 1));
	else if (KEY("maxplaybackrate") && v >= 8000) {
		if (v <= 8000)
			bw = OPUS_BANDWIDTH_NARROWBAND;
		else if (v <= 12000)
			bw = OPUS_BANDWIDTH_MEDIUMBAND;
		else if (v <= 16000)
			bw = OPUS_BANDWIDTH_WIDEBAND;
		else if (v <= 24000)
			bw = OPUS_BANDWIDTH_SUPERWIDEBAND;
		else
			bw = OPUS_BANDWIDTH_FULLBAND;
		c->max_bw = bw;
		media_codec_opus_setup(c);
	}
#undef KEY
}

int
media_codec_apply_fmtp(struct media_codec *c, const char *fmtp)
{
	const char	*p, *end, *eq, *k, *v;
	size_t		 klen, vlen;

	if (c->kind != MEDIA_CODEC_OPUS || c->enc == NULL || fmtp == NULL)
		return 0;
	for (p = fmtp; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			continue;
		for (k = p; k < eq && isspace((unsigned char)*k); k++)
			;
		klen = (size_t)(eq - k);
		while (klen > 0 && isspace((unsigned char)k[klen - 1]))
			klen--;
		for (v = eq + 1; v < end && isspace((unsigned char)*v); v++)
			;
		vlen = (size_t)(end - v);
		while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
			vlen--;
		media_codec_opus_fmtp(c, k, klen,
		    media_codec_fmtp_value(v, vlen));
	}
	return 0;
}
