/*
 * media-jbuf.h: the adaptive jitter buffer for one received RTP audio
 * stream (one SSRC, one codec, one clock rate at a time).
 *
 * The media thread puts every received packet with its arrival time and
 * the number of samples it holds, and calls get whenever the playback ring
 * wants more audio: those pulls are the playout clock. Playout follows RTP
 * timestamps. Time is always an argument (microseconds, any monotonic
 * origin); nothing here reads a clock, allocates after media_jbuf_alloc,
 * locks or logs.
 *
 * The caller's loop, per get:
 *   FRAME	decode payload (duration samples);
 *   MISSING	conceal duration samples: if media_jbuf_peek_next gives the
 *		packet after the gap, Opus can decode its in-band FEC
 *		instead of plain PLC; the packet stays for the next get;
 *   EMPTY	write duration samples (10 ms) of silence or comfort noise;
 *		get again when the ring wants more.
 * A MISSING either stands for a lost packet (the playout point moves on) or
 * stretches the audio while the buffer grows (the point stays); the caller
 * treats both alike. Runs of MISSING are bounded (about 100 ms); after
 * that, or across a talkspurt gap, the answer is EMPTY.
 */
#ifndef TSP_MEDIA_JBUF_H
#define TSP_MEDIA_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packets held at once (about 1.3 s of 20 ms packets), and the largest
 * payload accepted; bigger packets are refused and counted as discarded. */
#define MEDIA_JBUF_SLOTS	64
#define MEDIA_JBUF_MAX_PAYLOAD	1500

struct media_jbuf;

/* What media_jbuf_get hands back. */
enum media_jbuf_kind {
	MEDIA_JBUF_EMPTY,	/* play duration samples of silence */
	MEDIA_JBUF_FRAME,	/* decode payload: duration samples */
	MEDIA_JBUF_MISSING	/* conceal duration samples */
};

/*
 * What became of a packet given to media_jbuf_put. RESET: queued as the
 * first packet of a new stream (new SSRC or timestamp jump). LATE: its
 * playout time has passed. OVERFLOW: the buffer was full and this was the
 * oldest packet. DISCARDED: invalid, or a suspect jump on probation.
 */
enum media_jbuf_put {
	MEDIA_JBUF_PUT_QUEUED,
	MEDIA_JBUF_PUT_RESET,
	MEDIA_JBUF_PUT_DUPLICATE,
	MEDIA_JBUF_PUT_LATE,
	MEDIA_JBUF_PUT_OVERFLOW,
	MEDIA_JBUF_PUT_DISCARDED
};

struct media_jbuf_frame {
	const uint8_t	*payload;	/* FRAME, peek: valid until the next
					   put, get or flush; NULL if len 0 */
	size_t		 len;
	uint32_t	 ts;		/* RTP timestamp of the frame, or of
					   the concealed span */
	uint32_t	 duration;	/* samples at the clock rate */
	uint16_t	 seq;		/* FRAME, peek */
	bool		 marker;	/* FRAME, peek */
};

struct media_jbuf_stats {
	uint64_t	 put;		/* packets given to put */
	uint64_t	 played;	/* FRAME results */
	uint64_t	 missing;	/* MISSING results (concealed frames) */
	uint64_t	 late;		/* arrived after their playout time */
	uint64_t	 duplicates;
	uint64_t	 overflow;	/* dropped: the buffer was full */
	uint64_t	 shrunk;	/* dropped to bring the delay down */
	uint64_t	 discarded;	/* invalid or foreign packets */
	uint64_t	 flushed;	/* thrown away by resets and flushes */
	uint64_t	 resets;	/* new SSRC or timestamp jump */
	unsigned int	 buffered;	/* packets held now */
	unsigned int	 delay_ms;	/* current buffering delay */
	unsigned int	 target_ms;	/* delay the buffer steers to */
	uint32_t	 jitter;	/* RFC 3550 interarrival jitter,
					   timestamp units (for RTCP) */
};

/* Every put ends as exactly one of these, or is still buffered. */
#define MEDIA_JBUF_ACCOUNTED(s)						\
	((s)->played + (s)->late + (s)->duplicates + (s)->overflow +	\
	 (s)->shrunk + (s)->discarded + (s)->flushed + (s)->buffered)

/* Clock rate 8000-192000 Hz; 0 or -EINVAL. The pool is allocated here. */
int	 media_jbuf_alloc(struct media_jbuf **, unsigned int clock_rate);
void	 media_jbuf_free(struct media_jbuf *);

/*
 * Copy a received packet in. duration is its length in samples (1 to 120
 * ms worth); packets without one, or too big, are discarded.
 */
enum media_jbuf_put media_jbuf_put(struct media_jbuf *, uint16_t seq,
	     uint32_t ts, uint32_t ssrc, bool marker, const void *payload,
	     size_t len, uint32_t duration, uint64_t now_us);
/* The next thing to play; see above. */
enum media_jbuf_kind media_jbuf_get(struct media_jbuf *, uint64_t now_us,
	     struct media_jbuf_frame *);
/* Right after a MISSING for a lost packet: the packet that follows it. */
bool	 media_jbuf_peek_next(struct media_jbuf *, struct media_jbuf_frame *);
/* The frame just returned decoded to silence: a good one to drop next. */
void	 media_jbuf_hint_silence(struct media_jbuf *, bool);
/*
 * Drop everything and forget the stream (hold, a new payload type at the
 * same rate); keeps the counters. A new clock rate needs a new buffer.
 */
void	 media_jbuf_flush(struct media_jbuf *);

void	 media_jbuf_stats(const struct media_jbuf *, struct media_jbuf_stats *);
unsigned int media_jbuf_delay_ms(const struct media_jbuf *);
unsigned int media_jbuf_target_ms(const struct media_jbuf *);

#endif
