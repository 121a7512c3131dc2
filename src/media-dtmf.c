/*
 * media-dtmf.c: RFC 4733 DTMF events, sending and receiving.
 *
 * Sending. Each poll is one voice packet interval. A digit starts at the
 * timestamp of the poll that picks it up; every poll then sends a packet
 * carrying that start timestamp and the duration so far (the interval
 * times the packets sent), the first with the marker bit. When the tone
 * length is reached the end packet (E bit, final duration) goes out on
 * three successive polls (2.5.1.4). Voice stays suppressed until then;
 * the next digit may start once the gap has passed after the tone's end.
 * The voice timestamps simply carry on from the poll timestamps.
 *
 * Events longer than the 16-bit duration field (1.36 s at 48 kHz) are cut
 * into segments (2.5.1.3): a segment's last packet says 0xFFFF without
 * the E bit, and the next segment starts at the old start + 0xFFFF with
 * no marker. Only the final segment's end packet is sent three times; a
 * lost segment boundary is harmless because receivers (ours included)
 * take a same-event packet within the previous segment's span as the
 * same event.
 *
 * Receiving. An event is identified by its start timestamp. Packets of
 * the current event update it; a newer timestamp is a new event (the
 * same digit twice gives two events); older timestamps within a few
 * seconds are late packets of past events and are dropped, further back
 * means the peer's timestamps jumped and it is a new event. Several
 * blocks in one packet (2.5.1.5) are back to back, so each one's start is
 * the previous one's start plus its duration.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "media-dtmf.h"
#include "util.h"

static const char media_dtmf_digits[] = "0123456789*#ABCD";

#define MEDIA_DTMF_MAX_DURATION	0xffffU
#define MEDIA_DTMF_END_SENDS	3
#define MEDIA_DTMF_STALE_S	5	/* late packets arrive within this */

int
media_dtmf_event_of(char c)
{
	const char	*p;

	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	if (c == '\0' || (p = strchr(media_dtmf_digits, c)) == NULL)
		return -1;
	return (int)(p - media_dtmf_digits);
}

char
media_dtmf_digit_of(int event)
{
	if (event < 0 || event > 15)
		return '\0';
	return media_dtmf_digits[event];
}

void
media_dtmf_pack(const struct media_dtmf_event *ev, uint8_t *p)
{
	p[0] = ev->event;
	p[1] = (uint8_t)((ev->end ? 0x80 : 0) | (ev->volume & 0x3f));
	p[2] = (uint8_t)(ev->duration >> 8);
	p[3] = (uint8_t)ev->duration;
}

int
media_dtmf_parse(const uint8_t *p, size_t len, struct media_dtmf_event *ev)
{
	if (p == NULL || len < 4 || len % 4 != 0)
		return -EINVAL;
	ev->event = p[0];
	ev->end = (p[1] & 0x80) != 0;
	ev->volume = p[1] & 0x3f;	/* the R bit is ignored */
	ev->duration = (uint16_t)((p[2] << 8) | p[3]);
	return len / 4 > INT_MAX ? INT_MAX : (int)(len / 4);
}

/* A is after B in RTP timestamp (serial number) order. */
static bool
media_dtmf_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* --- sender ---------------------------------------------------------- */

struct media_dtmf_tx {
	unsigned int	 rate;
	unsigned int	 interval;	/* units per poll */
	uint32_t	 tone;		/* units */
	uint32_t	 gap;		/* units */

	char		 queue[MEDIA_DTMF_QUEUE];
	size_t		 qhead;
	size_t		 qlen;

	bool		 active;
	uint8_t		 event;
	uint32_t	 start;		/* event start */
	uint32_t	 seg_start;	/* segment start */
	bool		 first;		/* next packet is the event's first */
	unsigned int	 end_sent;	/* end packets sent so far */
	uint32_t	 seg_dur;	/* duration of the final segment */

	bool		 have_next;	/* NEXT_START is meaningful */
	uint32_t	 next_start;	/* earliest start of the next digit */
};

static uint32_t
media_dtmf_units(unsigned int rate, unsigned int ms)
{
	return (uint32_t)((uint64_t)rate * ms / 1000);
}

struct media_dtmf_tx *
media_dtmf_tx_new(unsigned int clock_rate, unsigned int ptime_ms)
{
	struct media_dtmf_tx	*tx;

	if (clock_rate < 1000 || clock_rate > 192000)
		clock_rate = 8000;
	if (ptime_ms < 5 || ptime_ms > 200)
		ptime_ms = 20;
	tx = xcalloc(1, sizeof *tx);
	tx->rate = clock_rate;
	tx->interval = media_dtmf_units(clock_rate, ptime_ms);
	media_dtmf_tx_set_timing(tx, MEDIA_DTMF_TONE_MS, MEDIA_DTMF_GAP_MS);
	return tx;
}

void
media_dtmf_tx_free(struct media_dtmf_tx *tx)
{
	free(tx);
}

void
media_dtmf_tx_set_timing(struct media_dtmf_tx *tx, unsigned int tone_ms,
    unsigned int gap_ms)
{
	if (tone_ms < 10)
		tone_ms = 10;
	if (tone_ms > 60000)
		tone_ms = 60000;
	if (gap_ms > 5000)
		gap_ms = 5000;
	tx->tone = media_dtmf_units(tx->rate, tone_ms);
	tx->gap = media_dtmf_units(tx->rate, gap_ms);
}

int
media_dtmf_tx_queue(struct media_dtmf_tx *tx, const char *digits)
{
	size_t	n, i;

	n = strlen(digits);
	for (i = 0; i < n; i++) {
		if (media_dtmf_event_of(digits[i]) < 0)
			return -EINVAL;
	}
	if (n > MEDIA_DTMF_QUEUE - tx->qlen)
		return -ENOBUFS;
	for (i = 0; i < n; i++) {
		tx->queue[(tx->qhead + tx->qlen) % MEDIA_DTMF_QUEUE] =
		    (char)media_dtmf_event_of(digits[i]);
		tx->qlen++;
	}
	return 0;
}

void
media_dtmf_tx_clear(struct media_dtmf_tx *tx)
{
	tx->qhead = tx->qlen = 0;
}

bool
media_dtmf_tx_active(const struct media_dtmf_tx *tx)
{
	return tx->active;
}

bool
media_dtmf_tx_pending(const struct media_dtmf_tx *tx)
{
	return tx->active || tx->qlen > 0;
}

static void
media_dtmf_tx_packet(struct media_dtmf_tx *tx, struct media_dtmf_packet *pkt,
    uint32_t duration, bool end)
{
	struct media_dtmf_event	ev;

	memset(pkt, 0, sizeof *pkt);
	pkt->ts = tx->seg_start;
	pkt->marker = tx->first;
	pkt->first = tx->first;
	pkt->digit = media_dtmf_digit_of(tx->event);
	pkt->end = end;
	ev.event = tx->event;
	ev.end = end;
	ev.volume = MEDIA_DTMF_VOLUME;
	ev.duration = (uint16_t)duration;
	media_dtmf_pack(&ev, pkt->payload);
	pkt->len = 4;
	tx->first = false;
}

int
media_dtmf_tx_poll(struct media_dtmf_tx *tx, uint32_t ts,
    struct media_dtmf_packet *pkt)
{
	uint32_t	 upto, d;

	if (!tx->active) {
		if (tx->qlen == 0)
			return 0;
		if (tx->have_next && media_dtmf_after(tx->next_start, ts))
			return 0;
		tx->event = (uint8_t)tx->queue[tx->qhead];
		tx->qhead = (tx->qhead + 1) % MEDIA_DTMF_QUEUE;
		tx->qlen--;
		tx->active = true;
		tx->first = true;
		tx->start = tx->seg_start = ts;
		tx->end_sent = 0;
	}

	if (tx->end_sent > 0) {
		/* Repeats of the end packet: same duration, same timestamp. */
		media_dtmf_tx_packet(tx, pkt, tx->seg_dur, true);
		goto ended;
	}

	/* The time covered once this packet's interval is over. */
	upto = ts + tx->interval;
	if (!media_dtmf_after(upto, tx->start + tx->tone))
		d = upto - tx->seg_start;
	else
		d = tx->start + tx->tone - tx->seg_start;
	if (d > MEDIA_DTMF_MAX_DURATION) {
		/* Close this segment; the next poll opens the next one. */
		media_dtmf_tx_packet(tx, pkt, MEDIA_DTMF_MAX_DURATION, false);
		tx->seg_start += MEDIA_DTMF_MAX_DURATION;
		return 1;
	}
	if (media_dtmf_after(tx->start + tx->tone, upto)) {
		media_dtmf_tx_packet(tx, pkt, d, false);
		return 1;
	}
	tx->seg_dur = d;
	media_dtmf_tx_packet(tx, pkt, d, true);

ended:
	if (++tx->end_sent == MEDIA_DTMF_END_SENDS) {
		tx->active = false;
		tx->have_next = true;
		tx->next_start = tx->start + tx->tone + tx->gap;
	}
	return 1;
}

/* --- receiver -------------------------------------------------------- */

struct media_dtmf_rx {
	uint32_t	 stale;		/* units: how late a packet can be */
	bool		 valid;		/* an event has been seen */
	uint32_t	 ts;		/* current event's (segment's) start */
	uint8_t		 event;
	uint16_t	 duration;	/* longest seen for it */
	bool		 ended;
};

struct media_dtmf_rx *
media_dtmf_rx_new(unsigned int clock_rate)
{
	struct media_dtmf_rx	*rx;

	if (clock_rate < 1000 || clock_rate > 192000)
		clock_rate = 8000;
	rx = xcalloc(1, sizeof *rx);
	rx->stale = (uint32_t)clock_rate * MEDIA_DTMF_STALE_S;
	return rx;
}

void
media_dtmf_rx_free(struct media_dtmf_rx *rx)
{
	free(rx);
}

void
media_dtmf_rx_reset(struct media_dtmf_rx *rx)
{
	rx->valid = false;
}

/* One block starting at TS. Returns 1 when *R was filled. */
static int
media_dtmf_rx_block(struct media_dtmf_rx *rx, uint32_t ts,
    const struct media_dtmf_event *ev, struct media_dtmf_report *r)
{
	bool	 start = false, end = false;
	uint32_t since;

	since = ts - rx->ts;
	if (rx->valid && ts == rx->ts) {
		/* More of the current event (or a repeat of it). */
		if (ev->event != rx->event)
			return 0;
		if (ev->duration > rx->duration)
			rx->duration = ev->duration;
		if (ev->end && !rx->ended)
			end = rx->ended = true;
	} else if (rx->valid && media_dtmf_after(rx->ts, ts) &&
	    rx->ts - ts < rx->stale) {
		return 0;	/* a late packet of an event already seen */
	} else if (rx->valid && !rx->ended && ev->event == rx->event &&
	    media_dtmf_after(ts, rx->ts) &&
	    (since == MEDIA_DTMF_MAX_DURATION || since <= rx->duration)) {
		/* The next segment of a long event. */
		rx->ts = ts;
		rx->duration = ev->duration;
		if (ev->end)
			end = rx->ended = true;
	} else {
		rx->valid = true;
		rx->ts = ts;
		rx->event = ev->event;
		rx->duration = ev->duration;
		rx->ended = ev->end;
		start = true;
		end = ev->end;
	}
	if ((!start && !end) || ev->event > 15)
		return 0;
	memset(r, 0, sizeof *r);
	r->digit = media_dtmf_digit_of(ev->event);
	r->event = ev->event;
	r->ts = ts;
	r->start = start;
	r->end = end;
	r->duration = rx->duration;
	return 1;
}

int
media_dtmf_rx_input(struct media_dtmf_rx *rx, uint32_t ts,
    const uint8_t *payload, size_t len, struct media_dtmf_report *out,
    size_t nout)
{
	struct media_dtmf_event	 ev;
	struct media_dtmf_report r;
	size_t			 i, n, nr = 0;

	if (media_dtmf_parse(payload, len, &ev) < 0)
		return -EINVAL;
	n = len / 4;
	for (i = 0; i < n; i++) {
		media_dtmf_parse(payload + 4 * i, 4, &ev);
		if (media_dtmf_rx_block(rx, ts, &ev, &r) && nr < nout)
			out[nr++] = r;
		/* Packed blocks are back to back (2.5.1.5). */
		ts += ev.duration;
	}
	return (int)nr;
}
