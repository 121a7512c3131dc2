/*
 * media-dtmf.h: RFC 4733 telephone-events for DTMF. A sender that turns
 * queued digits into the packets of each 20 ms tick, and a receiver that
 * reports each digit once however its packets arrive. Neither does any
 * I/O nor reads a clock: time is the RTP timestamp the caller passes.
 * Single-threaded: the media thread owns both.
 */
#ifndef TSP_MEDIA_DTMF_H
#define TSP_MEDIA_DTMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_DTMF_VOLUME	10	/* -10 dBm0 */
#define MEDIA_DTMF_TONE_MS	100
#define MEDIA_DTMF_GAP_MS	60
#define MEDIA_DTMF_QUEUE	64	/* digits waiting to be sent */

/* One 4-byte event block. */
struct media_dtmf_event {
	uint8_t		 event;		/* 0-9, 10 '*', 11 '#', 12-15 A-D */
	bool		 end;		/* E bit */
	uint8_t		 volume;	/* 0..63, -dBm0 */
	uint16_t	 duration;	/* in RTP clock units */
};

/* '0'-'9', '*', '#', 'A'-'D' (any case) to 0..15; -1 otherwise. */
int	 media_dtmf_event_of(char);
/* 0..15 to its digit; '\0' for other events. */
char	 media_dtmf_digit_of(int);
/* Write one block in network order into 4 bytes. */
void	 media_dtmf_pack(const struct media_dtmf_event *, uint8_t *);
/*
 * Parse the first block of a payload; returns the number of blocks
 * (len / 4) or -EINVAL when the length is not a non-zero multiple of 4.
 */
int	 media_dtmf_parse(const uint8_t *, size_t, struct media_dtmf_event *);

/* --- sender ---------------------------------------------------------- */

struct media_dtmf_packet {
	uint32_t	 ts;		/* RTP timestamp: event (segment) start */
	bool		 marker;	/* RTP M bit: first packet of an event */
	uint8_t		 payload[4];
	size_t		 len;		/* always 4 */
	char		 digit;
	bool		 first;		/* first packet: the digit is now sent */
	bool		 end;		/* E bit set (sent three times) */
};

struct media_dtmf_tx;

/*
 * CLOCK_RATE must be the RTP clock of the voice stream the events ride
 * with (8000 for G.711, 48000 for Opus); PTIME_MS the voice packet
 * interval, at which the caller polls. Values out of range (clock
 * 1000..192000, ptime 5..200) fall back to 8000 and 20.
 */
struct media_dtmf_tx *media_dtmf_tx_new(unsigned int clock_rate,
	    unsigned int ptime_ms);
void	 media_dtmf_tx_free(struct media_dtmf_tx *);
/* Tone length (default 100 ms, 10..60000) and the gap between digits
 * (default 60 ms, 0..5000). Values outside the ranges are clamped. */
void	 media_dtmf_tx_set_timing(struct media_dtmf_tx *, unsigned int tone_ms,
	    unsigned int gap_ms);
/*
 * Queue DIGITS ("1234*#") to send in order. All or nothing: -EINVAL for
 * a character that is not a DTMF digit, -ENOBUFS when they do not fit.
 */
int	 media_dtmf_tx_queue(struct media_dtmf_tx *, const char *digits);
/* Drop queued digits; an event already started still ends properly. */
void	 media_dtmf_tx_clear(struct media_dtmf_tx *);
/*
 * Once per voice packet interval, with TS the RTP timestamp the voice
 * packet of this interval would carry. Returns 1 and fills *PKT when a
 * telephone-event packet is to be sent instead of the voice packet (on
 * the same SSRC and sequence numbers), 0 when voice goes as usual.
 */
int	 media_dtmf_tx_poll(struct media_dtmf_tx *, uint32_t ts,
	    struct media_dtmf_packet *);
/*
 * An event is being sent: true from the poll that starts it until the
 * poll that sends its third end packet. While true every poll returns a
 * packet, so voice is suppressed for the whole event (the receiver
 * plays the tone in its place); it resumes on the next poll with that
 * poll's timestamp.
 */
bool	 media_dtmf_tx_active(const struct media_dtmf_tx *);
/* An event is being sent or digits are waiting. */
bool	 media_dtmf_tx_pending(const struct media_dtmf_tx *);

/* --- receiver -------------------------------------------------------- */

struct media_dtmf_report {
	char		 digit;
	uint8_t		 event;
	uint32_t	 ts;		/* the event's start */
	bool		 start;		/* first packet seen: report the digit */
	bool		 end;		/* first end packet seen */
	uint16_t	 duration;
};

struct media_dtmf_rx;

struct media_dtmf_rx *media_dtmf_rx_new(unsigned int clock_rate);
void	 media_dtmf_rx_free(struct media_dtmf_rx *);
/* Forget the stream (new SSRC). */
void	 media_dtmf_rx_reset(struct media_dtmf_rx *);
/*
 * One telephone-event packet with RTP timestamp TS. Fills up to NOUT
 * reports about DTMF events (0-15) it learns of and returns how many, or
 * -EINVAL for a malformed payload. A digit is reported with start once
 * per event (an event is its start timestamp), whether or not the
 * marker packet arrived; end is reported once; repeated, late and
 * reordered packets report nothing new.
 */
int	 media_dtmf_rx_input(struct media_dtmf_rx *, uint32_t ts,
	    const uint8_t *payload, size_t len, struct media_dtmf_report *out,
	    size_t nout);

#endif
