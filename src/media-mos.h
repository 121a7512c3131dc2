/*
 * media-mos.h: a listening-quality estimate for a running call, from the
 * ITU-T G.107 E-model with its default values: delay, codec and packet
 * loss in, R factor and MOS out. Pure arithmetic; no state.
 */
#ifndef TSP_MEDIA_MOS_H
#define TSP_MEDIA_MOS_H

/* What the mouth-to-ear delay adds to the network and the jitter buffer. */
#define MEDIA_MOS_FRAME_MS	20.0	/* packetisation: one frame waits */
#define MEDIA_MOS_DEVICE_MS	10.0	/* capture and playback buffers */

struct media_mos_input {
	const char	*codec;		/* SDP name: "opus", "PCMU", "PCMA"... */
	double		 rtt_ms;	/* RTCP round trip; < 0: unknown */
	double		 jbuf_ms;	/* our jitter buffer delay */
	double		 loss_pct;	/* packet loss, 0..100 */
	double		 burst_ratio;	/* BurstR; <= 0 or unknown: 1 */
};

/* The E-model's parameters for one codec (G.113 Appendix I style). */
struct media_mos_codec {
	const char	*name;
	double		 ie;		/* equipment impairment, no loss */
	double		 bpl;		/* packet-loss robustness */
};

/* MOS (listening-conversational, G.107 Annex B), 1.0 .. 4.5. */
double	 media_mos(const struct media_mos_input *);
/* The R factor, 0 .. 93.2 with these defaults. */
double	 media_mos_r(const struct media_mos_input *);
/* The parts, for logs and tests. */
double	 media_mos_delay_ms(const struct media_mos_input *);	/* Ta */
double	 media_mos_id(double ta_ms);
double	 media_mos_ie_eff(const struct media_mos_input *);
double	 media_mos_of_r(double r);
/* The parameters used for CODEC (unknown names get PCMU's). */
const struct media_mos_codec *media_mos_codec(const char *codec);

#endif
