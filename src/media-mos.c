/*
 * media-mos.c: the E-model of ITU-T G.107 reduced to what a phone knows
 * about its own call.
 *
 *   R = (Ro - Is) - Id - Ie_eff + A
 *
 * Ro - Is = 93.2 is G.107's result for its default values (no noise,
 * default loudness ratings and sidetone), A = 0 (a wired user expects
 * nothing less). The echo terms are left at their defaults as well: our
 * own echo canceller is assumed to meet the default echo loss.
 *
 * Id, the delay impairment, is G.107's for the default echo parameters
 * in the linear form of Cole and Rosenbluth ("Voice over IP performance
 * monitoring", ACM SIGCOMM CCR 31(2), 2001), accurate to about one R
 * point below 400 ms:
 *
 *   Id = 0.024 Ta + 0.11 (Ta - 177.3) H(Ta - 177.3)
 *
 * Ta, the one-way mouth-to-ear delay, is half the RTCP round trip (the
 * network one way; 0 when the round trip is unknown) plus our jitter
 * buffer, one frame of packetisation and the device buffers
 * (MEDIA_MOS_FRAME_MS, MEDIA_MOS_DEVICE_MS). The far end's buffers are
 * not known and are taken as ours already counted: the estimate is of
 * what we add, not a measurement of the whole path.
 *
 * Ie_eff, the impairment of the codec under loss (G.107 7.3):
 *
 *   Ie_eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl)
 *
 * with Ie and Bpl from ITU-T G.113 Appendix I where it has them:
 * G.711 with packet loss concealment (we conceal, media-g711.c) is
 * Ie 0, Bpl 25.1. ITU-T gives no values for Opus. On the narrowband
 * scale of this model a 32 kbit/s wideband Opus cannot be worse than
 * G.711, so Ie is 0. Bpl 20 is the middle of what Alahmadi, Pocta and
 * Melvin measured for Opus under random loss ("An adaptive bitrate
 * switching algorithm for speech applications in context of WebRTC",
 * ACM TOMM 17(4), 2021: 15-25 at 6-15 kbit/s, narrowband and wideband,
 * without in-band FEC). FEC is not credited on purpose: the loss we are
 * given is what reached the concealment, after FEC had its chance.
 * Unknown codecs are treated as PCMU.
 *
 * MOS from R as G.107 Annex B, clamped to 1..4.5.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <strings.h>

#include "media-mos.h"

#define MEDIA_MOS_RO_IS		93.2
#define MEDIA_MOS_A		0.0

static const struct media_mos_codec media_mos_codecs[] = {
	{ "PCMU", 0.0, 25.1 },	/* the default: first */
	{ "PCMA", 0.0, 25.1 },
	{ "opus", 0.0, 20.0 },
};

const struct media_mos_codec *
media_mos_codec(const char *codec)
{
	size_t	 i;

	if (codec != NULL) {
		for (i = 0; i < sizeof media_mos_codecs /
		    sizeof media_mos_codecs[0]; i++) {
			if (strcasecmp(codec, media_mos_codecs[i].name) == 0)
				return &media_mos_codecs[i];
		}
	}
	return &media_mos_codecs[0];
}

double
media_mos_delay_ms(const struct media_mos_input *in)
{
	double	 ta = MEDIA_MOS_FRAME_MS + MEDIA_MOS_DEVICE_MS;

	/* Written so that NaN counts as unknown. */
	if (in->rtt_ms >= 0.0 && isfinite(in->rtt_ms))
		ta += in->rtt_ms / 2.0;
	if (in->jbuf_ms > 0.0 && isfinite(in->jbuf_ms))
		ta += in->jbuf_ms;
	return ta;
}

double
media_mos_id(double ta)
{
	double	 id;

	if (!(ta > 0.0))
		return 0.0;
	id = 0.024 * ta;
	if (ta > 177.3)
		id += 0.11 * (ta - 177.3);
	return id;
}

double
media_mos_ie_eff(const struct media_mos_input *in)
{
	const struct media_mos_codec	*c = media_mos_codec(in->codec);
	double				 ppl = in->loss_pct, burst;

	if (!(ppl > 0.0))
		return c->ie;
	if (ppl > 100.0)
		ppl = 100.0;
	burst = in->burst_ratio > 0.0 && isfinite(in->burst_ratio) ?
	    in->burst_ratio : 1.0;
	return c->ie + (95.0 - c->ie) * ppl / (ppl / burst + c->bpl);
}

double
media_mos_r(const struct media_mos_input *in)
{
	double	 r;

	r = MEDIA_MOS_RO_IS - media_mos_id(media_mos_delay_ms(in)) -
	    media_mos_ie_eff(in) + MEDIA_MOS_A;
	return r > 0.0 ? r : 0.0;
}

double
media_mos_of_r(double r)
{
	double	 mos;

	if (!(r > 0.0))
		return 1.0;
	if (r >= 100.0)
		return 4.5;
	mos = 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
	if (mos < 1.0)
		return 1.0;
	return mos > 4.5 ? 4.5 : mos;
}

double
media_mos(const struct media_mos_input *in)
{
	return media_mos_of_r(media_mos_r(in));
}
