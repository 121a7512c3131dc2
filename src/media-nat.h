/*
 * media-nat.h: what a media stream does about NATs between us and the
 * peer: symmetric RTP/RTCP latching (send to where the peer's packets
 * really come from, once they prove to be the peer's) and RTP keep-alives
 * while nothing else is sent (RFC 6263). Pure state machines: no socket,
 * no clock (NOW_US is the media thread's monotonic time), no allocation,
 * so the media thread may call them per packet.
 */
#ifndef TSP_MEDIA_NAT_H
#define TSP_MEDIA_NAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Packets in a row (same address, same SSRC, each sequence number one
 * more than the last) a new address must send, before the peer's SSRC is
 * known, to be taken for the peer.
 */
#define MEDIA_LATCH_RUN		5
/* How long the current address must be quiet before another may take
 * over (RTP; RTCP passes its own, a report interval). */
#define MEDIA_LATCH_QUIET_US	(400 * 1000ULL)
/* Another SSRC from the current address is taken for the peer's new
 * source only after the known one has been quiet this long. */
#define MEDIA_LATCH_SSRC_HOLD_US (500 * 1000ULL)

/* What a packet that arrived is. */
enum media_latch_verdict {
	MEDIA_LATCH_ACCEPT,	/* the peer's: use it */
	MEDIA_LATCH_MOVED,	/* the peer's, from a new address: latched */
	MEDIA_LATCH_DROP,	/* not proven to be the peer's */
};

/* One flow (RTP or RTCP) of a stream. */
struct media_latch {
	struct sockaddr_storage	 sdp;	/* the address the SDP gave */
	struct sockaddr_storage	 cur;	/* where we send, whom we hear */
	socklen_t		 len;
	uint64_t		 quiet_us;	/* see MEDIA_LATCH_QUIET_US */
	bool			 heard;	/* a packet came from cur */
	uint64_t		 heard_us;	/* the last one */

	bool			 ssrc_known;	/* the peer's SSRC */
	uint32_t		 ssrc;
	uint64_t		 ssrc_us;	/* its last packet */

	/* A new address working its way to MEDIA_LATCH_RUN. */
	struct sockaddr_storage	 cand;
	uint32_t		 cand_ssrc;
	uint16_t		 cand_seq;
	unsigned int		 cand_run;

	unsigned long		 moves;		/* latches */
	unsigned long		 dropped;	/* packets not proven */
};

/*
 * Start L on SDP (LEN bytes) at NOW_US. Called for every new SDP: the
 * same address keeps all L knows (a hold or resume re-INVITE leaves a
 * latch in place), a new one starts afresh. QUIET_US as above.
 */
void	 media_latch_set(struct media_latch *l, const struct sockaddr *sdp,
	    socklen_t len, uint64_t quiet_us);

/*
 * Decide about an RTP packet from FROM with SSRC and SEQ that arrived at
 * NOW_US. AUTH: SRTP authenticated it with the peer's key, which is
 * proof enough. Otherwise a packet from elsewhere than the current
 * address must carry the peer's known SSRC, or, before any is known,
 * come in a run of MEDIA_LATCH_RUN; and it moves the latch only if the
 * current address has been quiet for quiet_us or has never been heard.
 */
enum media_latch_verdict media_latch_rtp(struct media_latch *l,
	    const struct sockaddr *from, uint32_t ssrc, uint16_t seq,
	    bool auth, uint64_t now_us);

/*
 * The same for an RTCP packet; SSRC is the sender of its first report
 * (HAS_SSRC false if there was none) and RTP the stream's RTP latch,
 * which knows the peer's SSRC. Without AUTH, RTCP moves only with that
 * SSRC: a report names no sequence number to make a run of.
 */
enum media_latch_verdict media_latch_rtcp(struct media_latch *l,
	    const struct media_latch *rtp, const struct sockaddr *from,
	    bool has_ssrc, uint32_t ssrc, bool auth, uint64_t now_us);

/* Same address and port (IPv4 or IPv6). */
bool	 media_nat_same_addr(const struct sockaddr *a, const struct sockaddr *b);
/* "ADDR:PORT" ("[ADDR]:PORT" for IPv6) into BUF of LEN bytes. */
void	 media_nat_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/*
 * RTP keep-alives (RFC 6263): one is due when nothing has been sent on
 * the RTP flow for INTERVAL_US (0: never).
 */
struct media_keepalive {
	uint64_t		 interval_us;
	uint64_t		 last_us;	/* anything sent */
	unsigned long		 sent;		/* keep-alives */
};

void	 media_keepalive_init(struct media_keepalive *k, uint64_t interval_us,
	    uint64_t now_us);
/* An RTP packet (media or keep-alive) went out at NOW_US. */
void	 media_keepalive_sent(struct media_keepalive *k, uint64_t now_us);
bool	 media_keepalive_due(const struct media_keepalive *k, uint64_t now_us);
/* When the next one is due (UINT64_MAX: never). */
uint64_t media_keepalive_next(const struct media_keepalive *k);

/*
 * The payload type of keep-alives: a dynamic one (96..127) in none of
 * the N payload types in USED, the highest such; -1 if all are taken.
 */
int	 media_keepalive_pt(const int *used, int n);

#endif
