/*
 * media-codec.h: the audio codecs tsphone speaks (their SDP names, payload
 * types, clocks and the fmtp we offer) and one codec instance per call:
 * encode 20 ms of mono PCM at the codec rate into an RTP payload, decode
 * a payload, conceal a lost packet, or recover it from Opus in-band FEC.
 */
#ifndef TSP_MEDIA_CODEC_H
#define TSP_MEDIA_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct media_codec_info {
	const char	*name;		/* encoding name as in SDP */
	int		 pt;		/* static, or our default dynamic PT */
	bool		 dynamic;	/* PT is negotiated (rtpmap needed) */
	unsigned int	 clock_rate;	/* RTP clock, Hz */
	unsigned int	 channels;	/* in rtpmap; 0 = leave out */
	unsigned int	 pcm_rate;	/* rate of the PCM we code, Hz */
	unsigned int	 ptime;		/* ms of audio per packet we send */
	const char	*fmtp;		/* what we offer, or NULL */
	bool		 voice;		/* false: telephone-event */
};

/* The table, in our default preference order. */
const struct media_codec_info *media_codec_list(size_t *count);
/* By SDP or config name, any case ("pcmu" finds "PCMU"); the first hit. */
const struct media_codec_info *media_codec_find(const char *name);
/* By name and clock rate, any case (telephone-event exists at 8k and 48k). */
const struct media_codec_info *media_codec_find_rate(const char *name,
	    unsigned int clock_rate);
/* By static payload type (0, 8); NULL for dynamic or unknown types. */
const struct media_codec_info *media_codec_find_static(int pt);
/* "opus/48000/2", "PCMU/8000": the rtpmap value; returns snprintf's. */
int	 media_codec_rtpmap(const struct media_codec_info *, char *, size_t);
/* PCM samples in one packet of ptime ms. */
unsigned int media_codec_frame_samples(const struct media_codec_info *);

/* Encoder settings; only Opus has any. */
struct media_codec_params {
	int	 complexity;	/* 0..10 */
	int	 bitrate;	/* bit/s, 6000..510000 */
	int	 loss_perc;	/* expected loss, 0..100 */
	bool	 fec;		/* in-band FEC */
	bool	 dtx;		/* discontinuous transmission */
};

/* Most PCM samples one payload can decode to: 120 ms of Opus at 48 kHz.
 * (A G.711 payload decodes to as many samples as it has bytes.) */
#define MEDIA_CODEC_MAX_SAMPLES	5760

#define MEDIA_CODEC_COMPLEXITY	5
#define MEDIA_CODEC_BITRATE	32000
#define MEDIA_CODEC_LOSS_PERC	0	/* until RTCP reports loss */

void	 media_codec_params_default(struct media_codec_params *);

struct media_codec;

/* Which halves an instance has: a call sends with one, receives with one. */
enum media_codec_role {
	MEDIA_CODEC_ENCODER = 1,
	MEDIA_CODEC_DECODER = 2,
	MEDIA_CODEC_BOTH = 3
};

/*
 * An encoder, a decoder or both. PARAMS may be NULL for the defaults; a
 * setting out of its range (complexity 0..10, bitrate 6000..510000, loss
 * 0..100) is replaced by its default. NULL and *cause on failure (unknown
 * or non-voice codec, bad role, libopus refusing).
 */
struct media_codec *media_codec_new_role(const char *name,
	    enum media_codec_role, const struct media_codec_params *params,
	    char **cause);
/* Both halves: media_codec_new_role(name, MEDIA_CODEC_BOTH, ...). */
struct media_codec *media_codec_new(const char *name,
	    const struct media_codec_params *params, char **cause);
void	 media_codec_free(struct media_codec *);
const struct media_codec_info *media_codec_info(const struct media_codec *);
enum media_codec_role media_codec_role(const struct media_codec *);

/*
 * N samples of PCM at the codec's pcm_rate into OUT; returns the payload
 * length, 0 when DTX decides nothing needs sending, or -errno (-EINVAL:
 * N is not a frame size the codec takes, or no encoder; -ENOSPC: OUT too
 * small).
 */
int	 media_codec_encode(struct media_codec *, const int16_t *pcm, size_t n,
	    uint8_t *out, size_t out_cap);
/*
 * One payload into PCM; returns the samples written or -errno (-EINVAL:
 * malformed or empty payload, or no decoder; -ENOSPC: more samples than
 * PCM_CAP). conceal and decode_fec also want a decoder.
 */
int	 media_codec_decode(struct media_codec *, const uint8_t *payload,
	    size_t len, int16_t *pcm, size_t pcm_cap);
/*
 * Samples (at the RTP clock) the payload carries, without decoding it;
 * -EINVAL when malformed. For the jitter buffer.
 */
int	 media_codec_packet_samples(const struct media_codec *,
	    const uint8_t *payload, size_t len);
/*
 * N samples to stand in for a lost packet; returns N or -EINVAL (Opus
 * needs a multiple of 2.5 ms, at most 120 ms).
 */
int	 media_codec_conceal(struct media_codec *, int16_t *pcm, size_t n);
/*
 * A lost packet's N samples rebuilt from the payload of the packet that
 * followed it (Opus in-band FEC). Codecs without FEC, and Opus packets
 * that carry none, conceal instead. Returns N or -errno. Then decode the
 * following packet as usual.
 */
int	 media_codec_decode_fec(struct media_codec *, const uint8_t *next,
	    size_t len, int16_t *pcm, size_t n);
/* A decoder that can use in-band FEC (Opus). */
bool	 media_codec_has_fec(const struct media_codec *);
/* Forget decoder and encoder state (a new stream). */
void	 media_codec_reset(struct media_codec *);

/*
 * Encoder settings while running; -ENOTSUP for codecs without them,
 * -EINVAL out of range or without an encoder. Opus codes FEC only while
 * the expected loss is above 0: set_loss is what turns it on.
 */
int	 media_codec_set_loss(struct media_codec *, int percent);
int	 media_codec_set_bitrate(struct media_codec *, int bps);
int	 media_codec_set_complexity(struct media_codec *, int);
int	 media_codec_set_fec(struct media_codec *, bool);
int	 media_codec_set_dtx(struct media_codec *, bool);
/* The expected loss the encoder works with now, as libopus has it. */
int	 media_codec_get_loss(const struct media_codec *);
/* All the encoder settings, read back from libopus; errors as above. */
int	 media_codec_get_params(const struct media_codec *,
	    struct media_codec_params *);
/*
 * Adapt the encoder to the peer's fmtp for this codec (Opus:
 * useinbandfec, usedtx, maxaveragebitrate, maxplaybackrate, cbr).
 * Unknown or malformed parameters are ignored; returns 0.
 */
int	 media_codec_apply_fmtp(struct media_codec *, const char *fmtp);

#endif
