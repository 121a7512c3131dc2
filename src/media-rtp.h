/*
 * media-rtp.h: RTP framing, sender and receiver state, and RTCP sender and
 * receiver reports (RFC 3550) for one two-party audio session.
 *
 * Nothing here touches a socket or reads a clock: the media thread passes
 * the time in as NOW_US, wallclock microseconds since the Unix epoch
 * (CLOCK_REALTIME). Wallclock, not monotonic, because the same value
 * becomes the NTP timestamp of our sender reports, and the round-trip time
 * is computed against the copy of that timestamp the peer echoes back. A
 * wallclock step only disturbs one jitter sample and one RTT sample.
 *
 * Everything is called from the media thread only; there is no locking.
 */
#ifndef TSP_MEDIA_RTP_H
#define TSP_MEDIA_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_RTP_VERSION	2
#define MEDIA_RTP_HDR_LEN	12	/* fixed header, no CSRC */
#define MEDIA_RTP_MAX_CSRC	15

/* RFC 3550 appendix A.1 constants. */
#define MEDIA_RTP_MIN_SEQUENTIAL 2
#define MEDIA_RTP_MAX_DROPOUT	3000
#define MEDIA_RTP_MAX_MISORDER	100

/* One parsed RTP packet. Pointers point into the caller's buffer. */
struct media_rtp_hdr {
	unsigned int	 version;
	bool		 padding;
	bool		 extension;
	bool		 marker;
	uint8_t		 pt;		/* 0..127 */
	uint16_t	 seq;
	uint32_t	 ts;
	uint32_t	 ssrc;
	unsigned int	 cc;		/* CSRC count, 0..15 */
	uint32_t	 csrc[MEDIA_RTP_MAX_CSRC];

	uint16_t	 ext_profile;	/* only if extension */
	const uint8_t	*ext;		/* extension data, after its header */
	size_t		 ext_len;	/* in octets */

	const uint8_t	*payload;	/* may be non-NULL with payload_len 0 */
	size_t		 payload_len;	/* without padding */
	uint8_t		 pad_len;	/* padding octets removed */
};

/*
 * Parse LEN bytes at BUF into H. Returns 0, -EPROTO if the version is not
 * 2, or -EBADMSG if the packet is too short for its fixed header, CSRC
 * list or extension, or has a padding count of zero or larger than what
 * follows the headers. Never reads outside BUF[0..LEN).
 */
int	 media_rtp_parse(struct media_rtp_hdr *h, const uint8_t *buf,
	    size_t len);

/*
 * Write a 12-byte header (version 2, no padding, extension or CSRC; marker,
 * pt, seq, ts and ssrc from H) followed by LEN bytes of PAYLOAD into BUF of
 * CAP bytes. Returns the packet length, -EINVAL if H->pt > 127, or -ENOSPC
 * if it does not fit (BUF is then untouched).
 */
int	 media_rtp_pack(uint8_t *buf, size_t cap, const struct media_rtp_hdr *h,
	    const void *payload, size_t len);

/* Our outgoing stream. */
struct media_rtp_sender {
	uint32_t	 ssrc;
	uint16_t	 seq;		/* of the next packet */
	uint32_t	 ts_base;	/* random RTP timestamp of clock 0 */
	uint32_t	 clock_rate;

	uint32_t	 packets;	/* sent since the start, for SR */
	uint32_t	 octets;	/* payload octets sent, for SR */
	bool		 sent_since_report; /* SR rather than RR next */

	/* Latest media time sent and when, to put an RTP ts in the SR. */
	bool		 started;
	uint32_t	 last_clock;
	uint64_t	 last_us;
};

/*
 * Start a stream at CLOCK_RATE Hz with a random SSRC, initial sequence
 * number and timestamp base (getrandom). Returns 0 or -EIO if the
 * random generator fails (S is then zeroed).
 */
int	 media_rtp_sender_init(struct media_rtp_sender *s, uint32_t clock_rate);

/*
 * Pack one packet of S: payload type PT, MARKER (set it on the first
 * packet of each talkspurt, and on the very first packet), and CLOCK, the
 * media time in RTP clock units since the stream began (it may wrap; the
 * sender adds its random base). Packets that repeat an older CLOCK (RFC
 * 4733 events) are fine. On success the sequence number advances, the
 * packet and octet counts grow, and the length is returned; otherwise
 * media_rtp_pack's error, and S is unchanged.
 */
int	 media_rtp_sender_pack(struct media_rtp_sender *s, uint8_t *buf,
	    size_t cap, uint8_t pt, bool marker, uint32_t clock,
	    const void *payload, size_t len, uint64_t now_us);

/* What media_rtp_source_update made of a packet. */
enum media_rtp_seq {
	MEDIA_RTP_SEQ_VALID,		/* in order, or an acceptable reorder */
	MEDIA_RTP_SEQ_DUPLICATE,	/* seen already: counted, don't play */
	MEDIA_RTP_SEQ_PROBATION,	/* source not yet validated: drop */
	MEDIA_RTP_SEQ_BAD,		/* big jump or very late: drop */
};

/* Reception statistics for the remote source (RFC 3550 A.1, A.3, A.8). */
struct media_rtp_source {
	uint32_t	 clock_rate;
	bool		 active;	/* a packet has been seen */
	uint32_t	 ssrc;

	uint16_t	 max_seq;	/* highest sequence number seen */
	uint32_t	 cycles;	/* shifted count of seq wraps */
	uint32_t	 base_seq;
	uint32_t	 bad_seq;	/* last 'bad' seq + 1 */
	uint32_t	 probation;	/* sequential packets still needed */
	uint32_t	 received;	/* packets, including duplicates */
	uint32_t	 expected_prior; /* at the last report */
	uint32_t	 received_prior;
	uint64_t	 seen[2];	/* bit i: ext max - i arrived */
	uint32_t	 duplicates;
	uint8_t		 fraction;	/* of the last report interval */

	bool		 have_transit;
	uint32_t	 transit;	/* relative transit time, last packet */
	uint32_t	 jitter;	/* estimate, scaled by 16 (A.8) */
};

struct media_rtp_stats {
	uint32_t	 ssrc;
	uint32_t	 received;	/* packets, duplicates included */
	uint32_t	 expected;
	int64_t		 lost;		/* expected - received; < 0 possible */
	uint8_t		 fraction;	/* of the last report interval, /256 */
	uint32_t	 ext_max;	/* extended highest sequence number */
	uint32_t	 jitter;	/* in timestamp units */
	double		 jitter_ms;
	uint32_t	 duplicates;
};

/* Forget any source; CLOCK_RATE is the RTP clock of the remote stream. */
void	 media_rtp_source_init(struct media_rtp_source *r,
	    uint32_t clock_rate);

/*
 * Account for a parsed packet H that arrived at NOW_US. A new SSRC
 * restarts the statistics at once (the new source goes on probation).
 * Jitter is updated for valid, non-duplicate packets. A.1 discards
 * PROBATION packets; a jitter buffer may still play them, since only the
 * statistics depend on the source being validated.
 */
enum media_rtp_seq media_rtp_source_update(struct media_rtp_source *r,
	    const struct media_rtp_hdr *h, uint64_t now_us);

/*
 * End a report interval (A.3): return the fraction lost since the previous
 * call (0..255, loss/256) and store it in R. media_rtcp_build calls this.
 */
uint8_t	 media_rtp_source_interval(struct media_rtp_source *r);

/* Current statistics; zeros if no source has been validated. */
void	 media_rtp_source_stats(const struct media_rtp_source *r,
	    struct media_rtp_stats *st);

/* --- RTCP --- */

#define MEDIA_RTCP_SR		200
#define MEDIA_RTCP_RR		201
#define MEDIA_RTCP_SDES		202
#define MEDIA_RTCP_BYE		203
#define MEDIA_RTCP_APP		204
#define MEDIA_RTCP_MAX_RB	31	/* report blocks kept from one compound */
#define MEDIA_RTCP_CNAME_MAX	255

struct media_rtcp_sr {
	uint64_t	 ntp;		/* 32.32 fixed point, seconds since 1900 */
	uint32_t	 rtp_ts;
	uint32_t	 packets;
	uint32_t	 octets;
};

struct media_rtcp_rb {
	uint32_t	 ssrc;		/* the source this block is about */
	uint8_t		 fraction;
	int32_t		 lost;		/* cumulative, 24-bit signed */
	uint32_t	 ext_max;
	uint32_t	 jitter;
	uint32_t	 lsr;
	uint32_t	 dlsr;		/* 1/65536 s */
};

/* What one incoming compound packet said. */
struct media_rtcp_info {
	bool		 has_report;	/* an SR or RR was present */
	uint32_t	 ssrc;		/* sender of the first SR/RR */
	bool		 has_sr;
	struct media_rtcp_sr sr;	/* from the first SR */
	unsigned int	 n_rb;
	struct media_rtcp_rb rb[MEDIA_RTCP_MAX_RB];
	bool		 has_cname;
	uint32_t	 cname_ssrc;
	char		 cname[MEDIA_RTCP_CNAME_MAX + 1]; /* raw bytes */
	bool		 bye;
	uint32_t	 bye_ssrc;	/* first SSRC in the BYE, if any */
	unsigned int	 n_packets;	/* packets in the compound */
};

/* A two-party session: our stream, the remote one, and RTCP state. */
struct media_rtp_session {
	struct media_rtp_sender tx;
	struct media_rtp_source rx;
	char		 cname[MEDIA_RTCP_CNAME_MAX + 1];

	/* The peer's last SR, echoed as LSR/DLSR in our reports. */
	bool		 have_sr;
	uint32_t	 sr_ssrc;
	struct media_rtcp_sr sr;
	uint32_t	 lsr;		/* middle 32 bits of its NTP ts */
	uint64_t	 sr_arrival_us;

	/* The peer's last report block about our stream. */
	bool		 have_remote_rb;
	struct media_rtcp_rb remote_rb;
	bool		 have_rtt;
	double		 rtt_ms;

	bool		 bye;		/* the peer said BYE */
};

/*
 * Set up S: media_rtp_sender_init(TX_RATE), media_rtp_source_init(RX_RATE)
 * and CNAME (truncated to 255 bytes); a NULL CNAME gets a random one (RFC
 * 7022), which gives away nothing about the user. Returns 0 or -EIO.
 */
int	 media_rtp_session_init(struct media_rtp_session *s, uint32_t tx_rate,
	    uint32_t rx_rate, const char *cname);

/* Unix time in microseconds to 64-bit NTP (32.32, seconds since 1900). */
uint64_t media_rtcp_ntp(uint64_t unix_us);
/* The middle 32 bits of an NTP timestamp (16.16), as LSR uses. */
uint32_t media_rtcp_ntp_mid(uint64_t ntp);

/*
 * Build our compound RTCP packet at NOW_US into BUF of CAP bytes: an SR if
 * we sent RTP since the last report, else an RR, with one report block
 * about the remote source if it has been validated, then SDES CNAME.
 * Ends the A.3 interval and clears tx.sent_since_report. Returns the
 * length (a multiple of 4) or -ENOSPC, leaving S untouched.
 */
int	 media_rtcp_build(struct media_rtp_session *s, uint8_t *buf,
	    size_t cap, uint64_t now_us);

/*
 * Parse a compound RTCP packet into INFO, walking every packet by its
 * length field. Returns 0; -EPROTO if a packet is not version 2; -EBADMSG
 * if the lengths do not add up to LEN exactly, a packet is too short for
 * its count, an SDES item overruns, or padding is invalid or not on the
 * last packet. Unknown types (APP, XR, ...) are skipped. The first packet
 * need not be an SR or RR (reduced-size RTCP, RFC 5506, is read too);
 * INFO->has_report says whether one was there. Never reads outside
 * BUF[0..LEN).
 */
int	 media_rtcp_parse(struct media_rtcp_info *info, const uint8_t *buf,
	    size_t len);

/*
 * Absorb INFO, received at NOW_US, into S: an SR is kept for our next
 * LSR/DLSR; a report block about tx.ssrc is kept, and if its LSR is not
 * zero the round-trip time becomes arrival - LSR - DLSR. Returns 1 if a
 * new RTT was computed, 0 otherwise.
 */
int	 media_rtcp_process(struct media_rtp_session *s,
	    const struct media_rtcp_info *info, uint64_t now_us);

/*
 * The wait before our next RTCP report, in microseconds: RFC 3550 6.2 for
 * two participants at audio rates, where the 5 s minimum always beats the
 * bandwidth term, so 5 s (2.5 s before the first report) times a uniform
 * factor in [0.5, 1.5). RND returns uniform 32-bit values; NULL uses
 * getrandom (falling back to the midpoint should it fail).
 */
uint64_t media_rtcp_interval(bool first, uint32_t (*rnd)(void *),
	    void *arg);

#endif
