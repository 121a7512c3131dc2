/*
 * test-dtmf.c: RFC 4733 telephone-events. The sender's exact packet
 * sequence for "1234*#" (timestamps across a wrap, durations, marker,
 * three end packets, gaps), long events cut into segments, and a
 * receiver that reports each digit exactly once through loss,
 * reordering, duplicates, packed events and random junk.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media-dtmf.h"
#include "tap.h"
#include "util.h"

struct pkt {
	uint32_t	ts;
	bool		marker;
	uint8_t		payload[4];
	int		tick;
};

#define MAXPKT	512

static uint32_t rng_state = 0x9e3779b9;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * Poll TX for TICKS intervals from timestamp T0; packets go to P (their
 * count is returned), ticks that would carry voice are flagged in VOICE.
 */
static int
run_tx(struct media_dtmf_tx *tx, uint32_t t0, uint32_t interval, int ticks,
    struct pkt *p, bool *voice, bool *active)
{
	struct media_dtmf_packet	mp;
	int				k, n = 0;

	for (k = 0; k < ticks; k++) {
		if (media_dtmf_tx_poll(tx, t0 + (uint32_t)k * interval,
		    &mp) == 1) {
			if (n < MAXPKT) {
				p[n].ts = mp.ts;
				p[n].marker = mp.marker;
				memcpy(p[n].payload, mp.payload, 4);
				p[n].tick = k;
				n++;
			}
			if (voice != NULL)
				voice[k] = false;
		} else if (voice != NULL)
			voice[k] = true;
		if (active != NULL)
			active[k] = media_dtmf_tx_active(tx);
	}
	return n;
}

/* Feed packets to RX; the digits reported at start go to DIGITS. */
static int
feed(struct media_dtmf_rx *rx, const struct pkt *p, int n, char *digits,
    size_t len, int *ends)
{
	struct media_dtmf_report	r[4];
	size_t				dn = strlen(digits);
	int				i, j, got;

	for (i = 0; i < n; i++) {
		got = media_dtmf_rx_input(rx, p[i].ts, p[i].payload, 4, r, 4);
		for (j = 0; j < got; j++) {
			if (r[j].start && dn + 1 < len) {
				digits[dn++] = r[j].digit;
				digits[dn] = '\0';
			}
			if (r[j].end && ends != NULL)
				(*ends)++;
		}
	}
	return 0;
}

static void
test_mapping(void)
{
	const char			*all = "0123456789*#ABCD";
	struct media_dtmf_event		 ev, back;
	uint8_t				 b[8];
	int				 i, bad = 0;

	for (i = 0; i < 16; i++) {
		if (media_dtmf_event_of(all[i]) != i ||
		    media_dtmf_digit_of(i) != all[i])
			bad++;
	}
	is_int(bad, 0, "16 digits map to events 0-15 and back");
	is_int(media_dtmf_event_of('b'), 13, "lower case b is event 13");
	is_int(media_dtmf_event_of('x'), -1, "x is not a digit");
	is_int(media_dtmf_event_of('\0'), -1, "NUL is not a digit");
	is_int(media_dtmf_digit_of(16), '\0', "event 16 is no digit");
	is_int(media_dtmf_digit_of(-1), '\0', "event -1 is no digit");

	ev.event = 11;
	ev.end = true;
	ev.volume = 10;
	ev.duration = 0x1234;
	media_dtmf_pack(&ev, b);
	ok(b[0] == 11 && b[1] == 0x8a && b[2] == 0x12 && b[3] == 0x34,
	    "pack: event, E|volume, duration in network order");
	memcpy(b + 4, b, 4);
	is_int(media_dtmf_parse(b, 8, &back), 2, "two blocks in 8 bytes");
	ok(back.event == 11 && back.end && back.volume == 10 &&
	    back.duration == 0x1234, "parse undoes pack");
	b[1] = 0x40 | 7;	/* R bit set: ignored */
	media_dtmf_parse(b, 4, &back);
	ok(!back.end && back.volume == 7, "R bit ignored");
	is_int(media_dtmf_parse(b, 0, &back), -EINVAL, "empty payload refused");
	is_int(media_dtmf_parse(b, 3, &back), -EINVAL, "3 bytes refused");
	is_int(media_dtmf_parse(b, 5, &back), -EINVAL, "5 bytes refused");
	is_int(media_dtmf_parse(NULL, 4, &back), -EINVAL, "NULL refused");
}

/*
 * "1234*#" at 8 kHz and 20 ms: each digit is 5 packets of growing
 * duration (160..800), the fifth with E, repeated twice more; then one
 * voice packet (the 60 ms gap after the 100 ms tone ends 8 intervals
 * after the start), and the next digit.
 */
static void
test_send_sequence(void)
{
	static const char		 digits[] = "1234*#";
	struct media_dtmf_tx		*tx;
	struct media_dtmf_rx		*rx;
	struct pkt			 p[MAXPKT], q[MAXPKT];
	struct media_dtmf_event		 ev;
	bool				 voice[64], active[64];
	const uint32_t			 t0 = 0xfffff800;	/* wraps */
	char				 got[32] = "";
	int				 n, i, j, k, bad = 0, vbad = 0, nq, ends;
	uint32_t			 want_ts;
	uint16_t			 want_dur;

	tx = media_dtmf_tx_new(8000, 20);
	ok(!media_dtmf_tx_pending(tx), "nothing pending at first");
	is_int(media_dtmf_tx_queue(tx, digits), 0, "queue 1234*#");
	ok(media_dtmf_tx_pending(tx) && !media_dtmf_tx_active(tx),
	    "pending, not yet active");
	n = run_tx(tx, t0, 160, 64, p, voice, active);
	is_int(n, 6 * 7, "7 packets per digit");
	for (i = 0; i < 6 && i * 7 < n; i++) {
		for (j = 0; j < 7; j++) {
			k = i * 7 + j;
			want_ts = t0 + (uint32_t)i * 1280;
			want_dur = (uint16_t)(j < 4 ? (j + 1) * 160 : 800);
			media_dtmf_parse(p[k].payload, 4, &ev);
			if (p[k].ts != want_ts || p[k].marker != (j == 0) ||
			    ev.event != media_dtmf_event_of(digits[i]) ||
			    ev.end != (j >= 4) || ev.volume != 10 ||
			    ev.duration != want_dur ||
			    p[k].tick != i * 8 + j) {
				if (bad++ == 0)
					printf("# digit %d packet %d: ts %u "
					    "m %d ev %d e %d vol %d dur %d "
					    "tick %d\n", i, j, p[k].ts,
					    p[k].marker, ev.event, ev.end,
					    ev.volume, ev.duration, p[k].tick);
			}
		}
	}
	is_int(bad, 0, "timestamps, marker, E bit, volume, durations, ticks");
	for (k = 0; k < 64; k++) {
		/*
		 * Voice only in the gap tick of each digit, and after; the
		 * poll that sends the last end packet ends the event.
		 */
		bool want = k >= 47 || k % 8 == 7;
		if (voice[k] != want ||
		    active[k] != (!want && k % 8 != 6))
			vbad++;
	}
	is_int(vbad, 0, "voice suppressed exactly while events are sent");
	ok(!media_dtmf_tx_pending(tx), "nothing pending afterwards");

	rx = media_dtmf_rx_new(8000);
	ends = 0;
	feed(rx, p, n, got, sizeof got, &ends);
	is_str(got, "1234*#", "receiver reports the digits in order");
	is_int(ends, 6, "and each end once");

	/* Lose each marker packet, swap the next two, repeat end packets,
	 * and deliver the last end packet after the next digit began. */
	nq = 0;
	for (i = 0; i < 6; i++) {
		k = i * 7;
		q[nq++] = p[k + 2];
		q[nq++] = p[k + 1];
		for (j = 3; j < 6; j++) {
			q[nq++] = p[k + j];
			q[nq++] = p[k + j];
		}
		if (i > 0)
			q[nq++] = p[k - 1];	/* late end of the previous */
	}
	q[nq++] = p[n - 1];
	q[nq++] = p[0];		/* a very late first packet */
	media_dtmf_rx_reset(rx);
	got[0] = '\0';
	ends = 0;
	feed(rx, q, nq, got, sizeof got, &ends);
	is_str(got, "1234*#", "lost, reordered, repeated and late packets: "
	    "each digit once");
	is_int(ends, 6, "and each end once");

	/* Only end packets arrive: still reported. */
	nq = 0;
	for (i = 0; i < 6; i++)
		q[nq++] = p[i * 7 + 5];
	media_dtmf_rx_reset(rx);
	got[0] = '\0';
	feed(rx, q, nq, got, sizeof got, NULL);
	is_str(got, "1234*#", "end packets alone report the digits");

	media_dtmf_rx_free(rx);
	media_dtmf_tx_free(tx);
}

static void
test_repeat_digit(void)
{
	struct media_dtmf_tx	*tx;
	struct media_dtmf_rx	*rx;
	struct pkt		 p[MAXPKT], q[MAXPKT];
	char			 got[16] = "";
	int			 n, i, nq = 0;

	tx = media_dtmf_tx_new(8000, 20);
	media_dtmf_tx_queue(tx, "11");
	n = run_tx(tx, 1000, 160, 30, p, NULL, NULL);
	is_int(n, 14, "two events for 11");
	ok(n == 14 && p[7].ts != p[0].ts && p[7].marker,
	    "the second 1 has its own timestamp and marker");
	rx = media_dtmf_rx_new(8000);
	feed(rx, p, n, got, sizeof got, NULL);
	is_str(got, "11", "11 is reported twice");

	/* Even when every end packet of the first 1 is lost. */
	for (i = 0; i < n; i++)
		if (!(i >= 4 && i < 7))
			q[nq++] = p[i];
	media_dtmf_rx_reset(rx);
	got[0] = '\0';
	feed(rx, q, nq, got, sizeof got, NULL);
	is_str(got, "11", "11 twice without the first one's end packets");
	media_dtmf_rx_free(rx);
	media_dtmf_tx_free(tx);
}

/* 48 kHz (an Opus call) and other timing. */
static void
test_timing(void)
{
	struct media_dtmf_tx		*tx;
	struct pkt			 p[MAXPKT];
	struct media_dtmf_event		 ev;
	int				 n;

	tx = media_dtmf_tx_new(48000, 20);
	media_dtmf_tx_queue(tx, "#");
	n = run_tx(tx, 0, 960, 20, p, NULL, NULL);
	is_int(n, 7, "48 kHz: 7 packets for 100 ms");
	media_dtmf_parse(p[0].payload, 4, &ev);
	is_int(ev.duration, 960, "48 kHz: first duration 960");
	media_dtmf_parse(p[6].payload, 4, &ev);
	ok(ev.end && ev.duration == 4800, "48 kHz: final duration 4800");
	media_dtmf_tx_free(tx);

	tx = media_dtmf_tx_new(8000, 20);
	media_dtmf_tx_set_timing(tx, 250, 100);
	media_dtmf_tx_queue(tx, "5A");
	n = run_tx(tx, 0, 160, 60, p, NULL, NULL);
	is_int(n, 2 * (13 + 2), "250 ms tone: 13 packets and 2 repeats each");
	media_dtmf_parse(p[12].payload, 4, &ev);
	ok(ev.end && ev.duration == 2000, "last duration 2000 (250 ms)");
	media_dtmf_parse(p[11].payload, 4, &ev);
	ok(!ev.end && ev.duration == 1920, "the one before: 1920, no E");
	ok(p[15].ts == 2880, "next digit: first tick 100 ms after the tone "
	    "(%u)", p[15].ts);
	media_dtmf_parse(p[15].payload, 4, &ev);
	is_int(ev.event, 12, "A is event 12");
	media_dtmf_tx_free(tx);
}

/* 2 s at 48 kHz is 96000 units: more than the 16-bit duration holds. */
static void
test_long_event(void)
{
	struct media_dtmf_tx		*tx;
	struct media_dtmf_rx		*rx;
	struct pkt			 p[MAXPKT], q[MAXPKT];
	struct media_dtmf_event		 ev, last;
	const uint32_t			 t0 = 0xffff0000;
	char				 got[8] = "";
	int				 n, i, markers = 0, ends = 0, maxes = 0;
	int				 seg2 = -1, nq = 0, rends = 0, mono = 1;

	tx = media_dtmf_tx_new(48000, 20);
	media_dtmf_tx_set_timing(tx, 2000, 60);
	media_dtmf_tx_queue(tx, "0");
	n = run_tx(tx, t0, 960, 200, p, NULL, NULL);
	memset(&last, 0, sizeof last);
	for (i = 0; i < n; i++) {
		media_dtmf_parse(p[i].payload, 4, &ev);
		if (p[i].marker)
			markers++;
		if (ev.end)
			ends++;
		if (ev.duration == 0xffff) {
			maxes++;
			if (ev.end || p[i].ts != t0)
				mono = 0;
		}
		if (seg2 < 0 && p[i].ts != t0)
			seg2 = i;
		if (i > 0 && p[i].ts == p[i - 1].ts && ev.duration <
		    last.duration)
			mono = 0;
		last = ev;
	}
	is_int(markers, 1, "one marker for the whole event");
	is_int(ends, 3, "three end packets, only at the very end");
	is_int(maxes, 1, "first segment closes at duration 0xFFFF");
	ok(mono, "durations grow within a segment; 0xFFFF has no E bit");
	ok(seg2 > 0 && p[seg2].ts == t0 + 0xffff && !p[seg2].marker,
	    "second segment starts at start + 0xFFFF, no marker");
	media_dtmf_parse(p[n - 1].payload, 4, &ev);
	ok(ev.end && ev.duration == 96000 - 0xffff && p[n - 1].ts == t0 +
	    0xffff, "final duration %u is the rest of the 2 s", ev.duration);

	rx = media_dtmf_rx_new(48000);
	feed(rx, p, n, got, sizeof got, &rends);
	is_str(got, "0", "long event reported once");
	is_int(rends, 1, "and ends once");
	for (i = 0; i < n; i++) {
		media_dtmf_parse(p[i].payload, 4, &ev);
		if (ev.duration != 0xffff)
			q[nq++] = p[i];
	}
	media_dtmf_rx_reset(rx);
	got[0] = '\0';
	feed(rx, q, nq, got, sizeof got, NULL);
	is_str(got, "0", "once even without the segment's last packet");
	media_dtmf_rx_free(rx);
	media_dtmf_tx_free(tx);
}

static void
test_queue(void)
{
	struct media_dtmf_tx		*tx;
	struct media_dtmf_packet	 mp;
	char				 many[MEDIA_DTMF_QUEUE + 1];
	int				 k, n = 0;

	tx = media_dtmf_tx_new(8000, 20);
	is_int(media_dtmf_tx_queue(tx, "12x3"), -EINVAL, "bad digit refused");
	ok(!media_dtmf_tx_pending(tx), "and nothing queued");
	memset(many, '9', MEDIA_DTMF_QUEUE);
	many[MEDIA_DTMF_QUEUE] = '\0';
	is_int(media_dtmf_tx_queue(tx, many), 0, "a full queue fits");
	is_int(media_dtmf_tx_queue(tx, "1"), -ENOBUFS, "one more does not");
	media_dtmf_tx_poll(tx, 0, &mp);
	ok(mp.first && mp.digit == '9', "first digit starts");
	media_dtmf_tx_clear(tx);
	ok(media_dtmf_tx_active(tx), "clear lets the started digit finish");
	for (k = 1; k < 40; k++)
		n += media_dtmf_tx_poll(tx, (uint32_t)k * 160, &mp);
	is_int(n, 6, "it ends with its 3 end packets, and nothing follows");
	ok(!media_dtmf_tx_pending(tx), "nothing pending after clear");
	is_int(media_dtmf_tx_queue(tx, "abcd*#"), 0, "lower case a-d queue");
	media_dtmf_tx_free(tx);
}

static void
test_receiver(void)
{
	struct media_dtmf_rx		*rx;
	struct media_dtmf_report	 r[8];
	struct media_dtmf_event		 ev;
	uint8_t				 b[64];
	int				 n, i, len, bad = 0, reports = 0;

	rx = media_dtmf_rx_new(8000);

	/* Two complete events packed into one packet, then one more. */
	ev.volume = 10;
	ev.end = true;
	ev.duration = 800;
	ev.event = 1;
	media_dtmf_pack(&ev, b);
	ev.event = 2;
	media_dtmf_pack(&ev, b + 4);
	n = media_dtmf_rx_input(rx, 5000, b, 8, r, 8);
	ok(n == 2 && r[0].digit == '1' && r[0].start && r[0].end &&
	    r[0].ts == 5000 && r[1].digit == '2' && r[1].ts == 5800,
	    "packed events: both reported, the second at 5000 + 800");
	ev.event = 3;
	ev.end = false;
	ev.duration = 160;
	memcpy(b, b + 4, 4);
	media_dtmf_pack(&ev, b + 4);
	n = media_dtmf_rx_input(rx, 5800, b, 8, r, 8);
	ok(n == 1 && r[0].digit == '3' && r[0].start && !r[0].end &&
	    r[0].ts == 6600, "redundant 2 ignored, new 3 reported");
	n = media_dtmf_rx_input(rx, 5800, b, 8, r, 8);
	is_int(n, 0, "the same packet again reports nothing");
	ev.end = true;
	ev.duration = 800;
	media_dtmf_pack(&ev, b);
	n = media_dtmf_rx_input(rx, 6600, b, 4, r, 8);
	ok(n == 1 && !r[0].start && r[0].end && r[0].duration == 800,
	    "end of 3 reported with its duration");
	is_int(media_dtmf_rx_input(rx, 6600, b, 4, r, 8), 0,
	    "repeated end reports nothing");

	/* Events past 15 are parsed but are no digits. */
	ev.event = 16;
	ev.end = false;
	media_dtmf_pack(&ev, b);
	is_int(media_dtmf_rx_input(rx, 9000, b, 4, r, 8), 0,
	    "event 16 (flash) is not a digit");
	ev.event = 7;
	media_dtmf_pack(&ev, b);
	n = media_dtmf_rx_input(rx, 9800, b, 4, r, 8);
	ok(n == 1 && r[0].digit == '7', "the next digit still is");

	/* Late packets of an old event are dropped; a big jump is new. */
	ev.event = 8;
	media_dtmf_pack(&ev, b);
	is_int(media_dtmf_rx_input(rx, 9000 - 1600, b, 4, r, 8), 0,
	    "a packet from 200 ms ago is stale");
	n = media_dtmf_rx_input(rx, 9800 - 8000 * 60, b, 4, r, 8);
	ok(n == 1 && r[0].digit == '8', "a timestamp a minute back is a jump");
	media_dtmf_rx_reset(rx);
	n = media_dtmf_rx_input(rx, 9800 - 8000 * 60, b, 4, r, 8);
	ok(n == 1 && r[0].digit == '8', "after reset the same event is new");
	is_int(media_dtmf_rx_input(rx, 1, b, 3, r, 8), -EINVAL,
	    "short payload refused");
	is_int(media_dtmf_rx_input(rx, 1, NULL, 0, r, 8), -EINVAL,
	    "empty payload refused");
	n = media_dtmf_rx_input(rx, 77777, b, 4, r, 0);
	is_int(n, 0, "no room for reports: none written");

	for (i = 0; i < 200000; i++) {
		len = (int)(rng() % 25);
		for (n = 0; n < len; n++)
			b[n] = (uint8_t)(rng() % 4 == 0 ? rng() % 20 : rng());
		n = media_dtmf_rx_input(rx, rng() % 4 == 0 ? rng() :
		    rng() % 4000, b, (size_t)len, r, 2);
		if (len == 0 || len % 4 != 0) {
			if (n != -EINVAL)
				bad++;
		} else if (n < 0 || n > 2)
			bad++;
		else {
			reports += n;
			for (n--; n >= 0; n--)
				if (r[n].event > 15 || r[n].digit == '\0')
					bad++;
		}
	}
	is_int(bad, 0, "200000 random payloads: sane results (%d reports)",
	    reports);
	media_dtmf_rx_free(rx);
}

int
main(void)
{
	test_mapping();
	test_send_sequence();
	test_repeat_digit();
	test_timing();
	test_long_event();
	test_queue();
	test_receiver();
	return done_testing();
}
