/*
 * test-rtp.c: RTP framing (round trip, every malformed shape, fuzz), the
 * sender, reception statistics (RFC 3550 A.1 sequence validation, A.3
 * loss, A.8 jitter on synthetic arrival patterns), RTCP SR/RR/SDES round
 * trips, robustness of the compound parser, round-trip time from a
 * synthetic exchange, and the report interval.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media-rtp.h"
#include "tap.h"

/* An arbitrary wallclock (2023-11-14), a multiple of 125 us so that
 * arrival times convert to an 8 kHz clock without truncation. */
#define T0	1700000000000000ULL

/* Deterministic generator so a failing fuzz case can be replayed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t
rng_cb(void *arg)
{
	return *(uint32_t *)arg;
}

/* Feed one packet with SSRC, SEQ, TS arriving at NOW to R. */
static enum media_rtp_seq
feed(struct media_rtp_source *r, uint32_t ssrc, uint16_t seq, uint32_t ts,
    uint64_t now)
{
	struct media_rtp_hdr	h;

	memset(&h, 0, sizeof h);
	h.version = 2;
	h.ssrc = ssrc;
	h.seq = seq;
	h.ts = ts;
	return media_rtp_source_update(r, &h, now);
}

static void
test_rtp_roundtrip(void)
{
	struct media_rtp_hdr	h, p;
	uint8_t			buf[200], payload[160];
	size_t			i;
	int			n;

	for (i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	memset(&h, 0, sizeof h);
	h.marker = true;
	h.pt = 96;
	h.seq = 0xbeef;
	h.ts = 0xdeadbeef;
	h.ssrc = 0x12345678;
	n = media_rtp_pack(buf, sizeof buf, &h, payload, sizeof payload);
	is_int(n, 12 + 160, "pack returns header + payload length");
	is_int(buf[0], 0x80, "V=2, no P/X/CC on the wire");
	is_int(buf[1], 0x80 | 96, "marker and pt on the wire");
	ok(buf[2] == 0xbe && buf[3] == 0xef, "seq big-endian on the wire");
	ok(buf[4] == 0xde && buf[7] == 0xef && buf[8] == 0x12 &&
	    buf[11] == 0x78, "ts and ssrc big-endian on the wire");

	is_int(media_rtp_parse(&p, buf, (size_t)n), 0, "parse packed packet");
	is_int(p.version, 2, "version");
	ok(p.marker, "marker");
	ok(!p.padding && !p.extension, "no padding or extension");
	is_int(p.pt, 96, "pt");
	is_int(p.seq, 0xbeef, "seq");
	ok(p.ts == 0xdeadbeef, "ts");
	ok(p.ssrc == 0x12345678, "ssrc");
	is_int(p.cc, 0, "csrc count");
	ok(p.payload == buf + 12, "payload points into the buffer");
	is_int(p.payload_len, 160, "payload length");
	ok(memcmp(p.payload, payload, 160) == 0, "payload bytes");

	h.marker = false;
	h.pt = 0;
	h.seq = 0;
	h.ts = 0;
	h.ssrc = 0xffffffff;
	n = media_rtp_pack(buf, sizeof buf, &h, NULL, 0);
	is_int(n, 12, "zero-length payload packs");
	is_int(media_rtp_parse(&p, buf, (size_t)n), 0,
	    "zero-length payload parses");
	ok(!p.marker && p.pt == 0 && p.seq == 0 && p.ts == 0 &&
	    p.ssrc == 0xffffffff, "extreme header values survive");
	is_int(p.payload_len, 0, "zero-length payload length");

	is_int(media_rtp_pack(buf, 12 + 159, &h, payload, 160), -ENOSPC,
	    "pack: one byte short is ENOSPC");
	is_int(media_rtp_pack(buf, 12 + 160, &h, payload, 160), 172,
	    "pack: exact capacity fits");
	is_int(media_rtp_pack(buf, 11, &h, NULL, 0), -ENOSPC,
	    "pack: capacity below the header is ENOSPC");
	h.pt = 128;
	is_int(media_rtp_pack(buf, sizeof buf, &h, NULL, 0), -EINVAL,
	    "pack: pt 128 is EINVAL");
}

static void
test_rtp_malformed(void)
{
	struct media_rtp_hdr	p;
	uint8_t			b[256];
	size_t			len;
	int			bad;

	memset(b, 0, sizeof b);
	b[0] = 0x80;
	for (len = 0, bad = 0; len < 12; len++)
		if (media_rtp_parse(&p, b, len) != -EBADMSG)
			bad++;
	is_int(bad, 0, "lengths 0..11 are EBADMSG");
	is_int(media_rtp_parse(&p, NULL, 0), -EBADMSG, "NULL buffer");
	is_int(media_rtp_parse(&p, b, 12), 0, "12 bytes is a packet");

	b[0] = 0x00;
	is_int(media_rtp_parse(&p, b, 20), -EPROTO, "version 0");
	b[0] = 0x40;
	is_int(media_rtp_parse(&p, b, 20), -EPROTO, "version 1");
	b[0] = 0xc0;
	is_int(media_rtp_parse(&p, b, 20), -EPROTO, "version 3");

	/* CSRC list. */
	b[0] = 0x80 | 15;
	is_int(media_rtp_parse(&p, b, 12 + 59), -EBADMSG,
	    "CC=15 with 59 bytes after the header");
	is_int(media_rtp_parse(&p, b, 12 + 60), 0, "CC=15 exactly fits");
	is_int(p.payload_len, 0, "CC=15 exact: empty payload");
	b[0] = 0x80 | 2;
	memcpy(b + 12, "\x01\x02\x03\x04\xa1\xa2\xa3\xa4", 8);
	is_int(media_rtp_parse(&p, b, 12 + 8 + 3), 0, "CC=2 plus payload");
	ok(p.cc == 2 && p.csrc[0] == 0x01020304 && p.csrc[1] == 0xa1a2a3a4,
	    "CSRC values");
	ok(p.payload == b + 20 && p.payload_len == 3,
	    "payload after the CSRC list");
	b[0] = 0x80 | 3;
	is_int(media_rtp_parse(&p, b, 12 + 8 + 3), -EBADMSG,
	    "CC=3 in 11 bytes");

	/* Header extension. */
	memset(b, 0, sizeof b);
	b[0] = 0x90;
	is_int(media_rtp_parse(&p, b, 12), -EBADMSG,
	    "X bit with no extension header");
	is_int(media_rtp_parse(&p, b, 15), -EBADMSG,
	    "X bit with 3 bytes of extension header");
	b[12] = 0xbe;
	b[13] = 0xde;
	b[15] = 2;		/* two words */
	is_int(media_rtp_parse(&p, b, 12 + 4 + 7), -EBADMSG,
	    "extension length one byte past the end");
	is_int(media_rtp_parse(&p, b, 12 + 4 + 8), 0, "extension exactly fits");
	ok(p.extension && p.ext_profile == 0xbede && p.ext == b + 16 &&
	    p.ext_len == 8 && p.payload_len == 0, "extension fields");
	b[14] = 0xff;
	b[15] = 0xff;
	is_int(media_rtp_parse(&p, b, sizeof b), -EBADMSG,
	    "extension length 0xffff overflows");
	b[0] = 0x90 | 1;	/* CSRC, then extension */
	memset(b + 12, 0, 16);
	b[19] = 2;
	is_int(media_rtp_parse(&p, b, 12 + 4 + 4 + 4), -EBADMSG,
	    "extension after CSRC that does not fit");
	memset(b + 12, 0, 4);
	b[16] = 0x10;
	b[17] = 0x00;
	b[19] = 1;
	is_int(media_rtp_parse(&p, b, 12 + 4 + 4 + 4 + 5), 0,
	    "CSRC then extension then payload");
	ok(p.ext == b + 20 && p.ext_len == 4 && p.payload == b + 24 &&
	    p.payload_len == 5, "offsets with CSRC and extension");

	/* Padding. */
	memset(b, 0, sizeof b);
	b[0] = 0xa0;
	is_int(media_rtp_parse(&p, b, 12), -EBADMSG,
	    "P bit with nothing after the header");
	b[12 + 9] = 0;
	is_int(media_rtp_parse(&p, b, 12 + 10), -EBADMSG, "padding count 0");
	b[12 + 9] = 11;
	is_int(media_rtp_parse(&p, b, 12 + 10), -EBADMSG,
	    "padding larger than the payload");
	b[12 + 9] = 10;
	is_int(media_rtp_parse(&p, b, 12 + 10), 0,
	    "padding exactly consuming the payload");
	ok(p.padding && p.payload_len == 0 && p.pad_len == 10,
	    "all-padding packet has an empty payload");
	b[12 + 9] = 4;
	is_int(media_rtp_parse(&p, b, 12 + 10), 0, "6 payload + 4 padding");
	is_int(p.payload_len, 6, "padding removed from the payload length");
	b[12 + 9] = 1;
	is_int(media_rtp_parse(&p, b, 12 + 10), 0, "padding of 1");
	is_int(p.payload_len, 9, "padding of 1 removes the count octet");
	/* Padding may not reach back into an extension. */
	b[0] = 0xb0;
	b[12] = 0;
	b[13] = 0;
	b[14] = 0;
	b[15] = 1;
	b[12 + 9] = 3;
	is_int(media_rtp_parse(&p, b, 12 + 10), -EBADMSG,
	    "padding reaching into the extension");
	b[12 + 9] = 2;
	is_int(media_rtp_parse(&p, b, 12 + 10), 0,
	    "padding right after the extension");
	is_int(p.payload_len, 0, "payload empty after extension and padding");
}

static void
test_rtp_fuzz(void)
{
	struct media_rtp_hdr	 p;
	uint8_t			*b;
	size_t			 len, j, consumed;
	int			 i, r, good = 0, errs = 0, inconsistent = 0;

	for (i = 0; i < 100000; i++) {
		len = rng() % 201;
		/* Exact-size heap buffer so ASan sees any overread. */
		b = malloc(len ? len : 1);
		for (j = 0; j < len; j++)
			b[j] = (uint8_t)rng();
		/* Half the time force version 2 to reach the deeper checks. */
		if (len > 0 && (i & 1))
			b[0] = (b[0] & 0x3f) | 0x80;
		r = media_rtp_parse(&p, b, len);
		if (r == 0) {
			good++;
			consumed = 12 + 4 * p.cc +
			    (p.extension ? 4 + p.ext_len : 0);
			if (p.payload != b + consumed ||
			    consumed + p.payload_len + p.pad_len != len ||
			    p.cc > 15 || p.version != 2 ||
			    (p.padding && p.pad_len == 0) ||
			    (!p.padding && p.pad_len != 0))
				inconsistent++;
		} else if (r == -EBADMSG || r == -EPROTO)
			errs++;
		else
			inconsistent++;
		free(b);
	}
	ok(good > 1000 && errs > 1000,
	    "fuzz: 100000 random buffers, %d parsed, %d rejected", good, errs);
	is_int(inconsistent, 0, "fuzz: accepted packets account for every byte");
}

static void
test_sender(void)
{
	struct media_rtp_sender	s, s2;
	struct media_rtp_hdr	p;
	uint8_t			buf[64], pl[20];
	uint16_t		seq0;
	int			i, n, bad = 0;

	memset(pl, 0x55, sizeof pl);
	is_int(media_rtp_sender_init(&s, 8000), 0, "sender init");
	is_int(media_rtp_sender_init(&s2, 8000), 0, "second sender init");
	ok(s.ssrc != s2.ssrc || s.seq != s2.seq || s.ts_base != s2.ts_base,
	    "two senders start with different random values");
	ok(s.packets == 0 && s.octets == 0 && !s.sent_since_report,
	    "fresh sender has sent nothing");

	seq0 = s.seq;
	for (i = 0; i < 5; i++) {
		n = media_rtp_sender_pack(&s, buf, sizeof buf, 0, i == 0,
		    (uint32_t)i * 160, pl, sizeof pl, T0 + (uint64_t)i * 20000);
		if (n != 32 || media_rtp_parse(&p, buf, (size_t)n) != 0 ||
		    p.seq != (uint16_t)(seq0 + i) ||
		    p.ts != s.ts_base + (uint32_t)i * 160 ||
		    p.ssrc != s.ssrc || p.marker != (i == 0) || p.pt != 0)
			bad++;
	}
	is_int(bad, 0, "five packets: seq+1, ts+160, marker only first");
	is_int(s.packets, 5, "packet count");
	is_int(s.octets, 100, "payload octet count");
	ok(s.sent_since_report, "sent since report");

	is_int(media_rtp_sender_pack(&s, buf, 31, 0, false, 800, pl, sizeof pl,
	    T0), -ENOSPC, "sender pack ENOSPC");
	ok(s.packets == 5 && s.seq == (uint16_t)(seq0 + 5),
	    "failed pack leaves the sender unchanged");

	/* Sequence numbers wrap. */
	s.seq = 65535;
	media_rtp_sender_pack(&s, buf, sizeof buf, 101, true, 800, pl, 4, T0);
	media_rtp_parse(&p, buf, 16);
	ok(p.seq == 65535 && p.pt == 101 && p.marker, "seq 65535, pt 101");
	media_rtp_sender_pack(&s, buf, sizeof buf, 0, false, 960, pl, 4, T0);
	media_rtp_parse(&p, buf, 16);
	is_int(p.seq, 0, "sequence wraps to 0");
}

static void
test_seq_basic(void)
{
	struct media_rtp_source	r;
	struct media_rtp_stats	st;
	int			i, bad = 0;

	media_rtp_source_init(&r, 8000);
	media_rtp_source_stats(&r, &st);
	ok(st.received == 0 && st.expected == 0, "no source: zero stats");

	is_int(feed(&r, 7, 100, 0, T0), MEDIA_RTP_SEQ_PROBATION,
	    "first packet is on probation");
	media_rtp_source_stats(&r, &st);
	is_int(st.received, 0, "probation: nothing counted yet");
	is_int(feed(&r, 7, 105, 0, T0), MEDIA_RTP_SEQ_PROBATION,
	    "non-sequential second packet restarts probation");
	is_int(feed(&r, 7, 106, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "two sequential packets validate the source");
	for (i = 107; i < 200; i++)
		if (feed(&r, 7, (uint16_t)i, 0, T0) != MEDIA_RTP_SEQ_VALID)
			bad++;
	is_int(bad, 0, "in-order packets are valid");
	media_rtp_source_stats(&r, &st);
	is_int(st.ssrc, 7, "stats ssrc");
	is_int(st.received, 94, "received 106..199");
	is_int(st.expected, 94, "expected 106..199");
	is_int(st.lost, 0, "nothing lost");
	is_int(st.ext_max, 199, "extended max");

	/* Wraparound. */
	media_rtp_source_init(&r, 8000);
	for (i = 65500; i < 65500 + 100; i++)
		if (feed(&r, 9, (uint16_t)i, 0, T0) ==
		    MEDIA_RTP_SEQ_BAD)
			bad++;
	media_rtp_source_stats(&r, &st);
	is_int(bad, 0, "no packet across the wrap is bad");
	is_int(st.ext_max, 65536 + (65599 - 65536), "65535 -> 0 adds a cycle");
	is_int(r.cycles, 65536, "one cycle");
	is_int(st.expected, 99, "expected across the wrap");
	is_int(st.lost, 0, "no loss across the wrap");

	/* Validation across the wrap itself. */
	media_rtp_source_init(&r, 8000);
	feed(&r, 9, 65535, 0, T0);
	is_int(feed(&r, 9, 0, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "65535 then 0 validates the source");

	/* Reordering within MAX_MISORDER is valid and loses nothing. */
	media_rtp_source_init(&r, 8000);
	{
		static const uint16_t	order[] = { 1, 2, 3, 5, 4, 6, 9, 7,
		    8, 10 };
		enum media_rtp_seq	want;

		for (i = 0, bad = 0; i < (int)(sizeof order / sizeof order[0]);
		    i++) {
			want = i == 0 ? MEDIA_RTP_SEQ_PROBATION :
			    MEDIA_RTP_SEQ_VALID;
			if (feed(&r, 1, order[i], 0, T0) != want)
				bad++;
		}
	}
	media_rtp_source_stats(&r, &st);
	is_int(bad, 0, "reordered packets are valid");
	is_int(st.ext_max, 10, "reordering: max is 10");
	is_int(st.expected, 9, "reordering: expected 2..10");
	is_int(st.received, 9, "reordering: received 2..10");
	is_int(st.lost, 0, "reordering: nothing lost");
	is_int(st.duplicates, 0, "reordering: no duplicates");
	/* A.1: udelta above 65536 - MAX_MISORDER, i.e. up to 99 behind. */
	is_int(feed(&r, 1, (uint16_t)(10 - 99), 0, T0), MEDIA_RTP_SEQ_VALID,
	    "99 behind (across the wrap) is an acceptable reorder");
	is_int(feed(&r, 1, (uint16_t)(10 - 100), 0, T0), MEDIA_RTP_SEQ_BAD,
	    "100 behind is too late");
	media_rtp_source_stats(&r, &st);
	is_int(st.ext_max, 10, "late packets do not move the max");
}

static void
test_seq_dup_jump_ssrc(void)
{
	struct media_rtp_source	r;
	struct media_rtp_stats	st;
	int			i;

	/* Duplicates: counted as received (A.3), so loss goes negative. */
	media_rtp_source_init(&r, 8000);
	for (i = 1; i <= 10; i++)
		feed(&r, 3, (uint16_t)i, 0, T0);
	is_int(feed(&r, 3, 10, 0, T0), MEDIA_RTP_SEQ_DUPLICATE,
	    "repeat of the highest is a duplicate");
	is_int(feed(&r, 3, 7, 0, T0), MEDIA_RTP_SEQ_DUPLICATE,
	    "repeat of an older one is a duplicate");
	media_rtp_source_stats(&r, &st);
	is_int(st.duplicates, 2, "two duplicates");
	is_int(st.expected, 9, "duplicates: expected 2..10");
	is_int(st.received, 11, "duplicates count as received");
	is_int(st.lost, -2, "cumulative loss is negative");
	/* A gap, then the missing one arrives late: not a duplicate. */
	feed(&r, 3, 13, 0, T0);
	is_int(feed(&r, 3, 12, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "late first copy is valid");
	is_int(feed(&r, 3, 12, 0, T0), MEDIA_RTP_SEQ_DUPLICATE,
	    "its second copy is a duplicate");
	/* The duplicate window slides by more than 64 correctly. */
	feed(&r, 3, 13 + 70, 0, T0);
	is_int(feed(&r, 3, 13, 0, T0), MEDIA_RTP_SEQ_DUPLICATE,
	    "duplicate 70 behind after a 70 jump");
	is_int(feed(&r, 3, 14, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "missing packet 69 behind is new");
	/* Exactly 64: the word boundary of the window. 82 is missing. */
	feed(&r, 3, 84, 0, T0);
	feed(&r, 3, 84 + 64, 0, T0);
	is_int(feed(&r, 3, 84, 0, T0), MEDIA_RTP_SEQ_DUPLICATE,
	    "duplicate 64 behind after a 64 jump");
	is_int(feed(&r, 3, 82, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "missing packet 66 behind is new");
	is_int(feed(&r, 3, 84 + 63, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "missing packet 1 behind is new");
	/* More than the window: older ones can no longer be told apart. */
	feed(&r, 3, 84 + 64 + 200, 0, T0);
	is_int(feed(&r, 3, 84 + 64 + 199, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "window cleared by a jump of 200");
	/* Exactly 128: everything before falls out of the window. */
	for (i = 1; i <= 70; i++)
		feed(&r, 3, (uint16_t)(84 + 64 + 200 + i), 0, T0);
	feed(&r, 3, 84 + 64 + 200 + 70 + 128, 0, T0);
	is_int(feed(&r, 3, 84 + 64 + 200 + 70 + 128 - 65, 0, T0),
	    MEDIA_RTP_SEQ_VALID, "after a jump of 128, 65 behind is new");

	/* Large jump: one packet is bad, a second in sequence restarts. */
	media_rtp_source_init(&r, 8000);
	for (i = 100; i <= 110; i++)
		feed(&r, 4, (uint16_t)i, 0, T0);
	is_int(feed(&r, 4, 20000, 0, T0), MEDIA_RTP_SEQ_BAD,
	    "a jump of 19890 is bad");
	is_int(feed(&r, 4, 111, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "the old sequence continues after one stray");
	media_rtp_source_stats(&r, &st);
	ok(st.ext_max == 111 && st.received == 11,
	    "a single stray does not restart");
	is_int(feed(&r, 4, 5000, 0, T0), MEDIA_RTP_SEQ_BAD,
	    "jump to 5000 is bad");
	is_int(feed(&r, 4, 5001, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "5001 right after confirms the jump");
	media_rtp_source_stats(&r, &st);
	ok(st.ext_max == 5001 && st.received == 1 && st.expected == 1,
	    "restart: counting begins at 5001");
	is_int(feed(&r, 4, 5002, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "sequence continues after the restart");
	/* A forward gap below MAX_DROPOUT is loss, not a jump. */
	is_int(feed(&r, 4, 5002 + 2999, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "a gap of 2999 is accepted");
	media_rtp_source_stats(&r, &st);
	is_int(st.lost, 2998, "the gap is counted as lost");
	is_int(feed(&r, 4, 8001 + 3000, 0, T0), MEDIA_RTP_SEQ_BAD,
	    "a gap of 3000 is a jump");

	/* A new SSRC restarts the statistics. */
	media_rtp_source_init(&r, 8000);
	feed(&r, 5, 0, 0, T0);
	for (i = 0; i < 20; i++)
		feed(&r, 5, (uint16_t)(1 + i * 2), 0, T0); /* every other lost */
	media_rtp_source_stats(&r, &st);
	ok(st.lost > 0, "old source has losses");
	is_int(feed(&r, 6, 40000, 0, T0), MEDIA_RTP_SEQ_PROBATION,
	    "new SSRC goes on probation");
	media_rtp_source_stats(&r, &st);
	is_int(st.received, 0, "new SSRC on probation: stats cleared");
	is_int(feed(&r, 6, 40001, 0, T0), MEDIA_RTP_SEQ_VALID,
	    "new SSRC validated");
	media_rtp_source_stats(&r, &st);
	ok(st.ssrc == 6 && st.received == 1 && st.lost == 0 &&
	    st.ext_max == 40001, "new SSRC counted from scratch");
}

static void
test_loss(void)
{
	struct media_rtp_source	r;
	struct media_rtp_stats	st;
	static const int	drop[] = { 5, 17, 18, 40, 63, 77, 98 };
	int			i, j, skip;
	uint8_t			f;

	media_rtp_source_init(&r, 8000);
	/* Two packets validate, then 100 more of which 7 are dropped. */
	feed(&r, 1, 998, 0, T0);
	feed(&r, 1, 999, 0, T0);
	for (i = 0; i < 100; i++) {
		for (j = 0, skip = 0; j < 7; j++)
			if (drop[j] == i)
				skip = 1;
		if (!skip)
			feed(&r, 1, (uint16_t)(1000 + i), 0, T0);
	}
	media_rtp_source_stats(&r, &st);
	is_int(st.expected, 101, "loss: expected 999..1099");
	is_int(st.received, 94, "loss: received");
	is_int(st.lost, 7, "loss: 7 lost");
	f = media_rtp_source_interval(&r);
	is_int(f, (7 * 256) / 101, "fraction lost = 7/101 in 1/256");
	media_rtp_source_stats(&r, &st);
	is_int(st.fraction, f, "stats keep the last fraction");

	for (i = 100; i < 150; i++)
		feed(&r, 1, (uint16_t)(1000 + i), 0, T0);
	is_int(media_rtp_source_interval(&r), 0,
	    "next interval without loss: fraction 0");
	for (i = 150; i < 190; i++)
		if (i % 4 != 0)
			feed(&r, 1, (uint16_t)(1000 + i), 0, T0);
	/* 1189 is received (189 % 4 != 0), so the interval is 40 long. */
	is_int(media_rtp_source_interval(&r), 64,
	    "10 of 40 lost: fraction 64/256");
	is_int(media_rtp_source_interval(&r), 0, "empty interval: fraction 0");
	media_rtp_source_stats(&r, &st);
	is_int(st.lost, 17, "cumulative loss 7 + 10");

	/* An interval where nothing arrived saturates at 255/256. */
	r.received_prior = r.received;
	r.expected_prior -= 10;
	is_int(media_rtp_source_interval(&r), 255,
	    "all of an interval lost: fraction 255");

	/* Duplicates that outnumber losses give a fraction of 0. */
	feed(&r, 1, 1190, 0, T0);
	feed(&r, 1, 1190, 0, T0);
	feed(&r, 1, 1190, 0, T0);
	is_int(media_rtp_source_interval(&r), 0,
	    "negative interval loss reports 0");
}

static void
test_jitter(void)
{
	struct media_rtp_source	r;
	struct media_rtp_stats	st;
	uint64_t		now;
	double			sum;
	int			i, n;
	const int		x_us = 5000;	/* +-5 ms */

	/* Constant transit: 20 ms packets arriving exactly 20 ms apart. */
	media_rtp_source_init(&r, 8000);
	for (i = 0; i < 500; i++)
		feed(&r, 1, (uint16_t)i, 12345 + (uint32_t)i * 160,
		    T0 + (uint64_t)i * 20000);
	media_rtp_source_stats(&r, &st);
	is_int(st.jitter, 0, "constant transit: jitter 0");

	/*
	 * Alternating +-X: every transit difference is 2X = 80 units at
	 * 8 kHz, so J converges to 80. After 400 packets (15/16)^400 leaves
	 * no trace of the start; what remains is the integer estimator's
	 * rounding, whose fixed points are 16*J in [16*80-8, 16*80+7], so
	 * J >> 4 is 79 or 80: hence a tolerance of one timestamp unit.
	 */
	media_rtp_source_init(&r, 8000);
	for (i = 0; i < 400; i++) {
		now = T0 + (uint64_t)i * 20000;
		now = (i & 1) ? now + x_us : now - x_us;
		feed(&r, 1, (uint16_t)i, (uint32_t)i * 160, now);
	}
	media_rtp_source_stats(&r, &st);
	ok(st.jitter >= 79 && st.jitter <= 80,
	    "alternating +-5 ms: jitter %u units, want 80 +- 1", st.jitter);
	ok(fabs(st.jitter_ms - 10.0) <= 0.125,
	    "alternating +-5 ms: %.3f ms, want 10 +- 0.125", st.jitter_ms);

	/* Same at 48 kHz: 2X = 480 units, 10 ms. */
	media_rtp_source_init(&r, 48000);
	for (i = 0; i < 400; i++) {
		now = T0 + (uint64_t)i * 20000;
		now = (i & 1) ? now + x_us : now - x_us;
		feed(&r, 1, (uint16_t)i, 777 + (uint32_t)i * 960, now);
	}
	media_rtp_source_stats(&r, &st);
	ok(st.jitter >= 479 && st.jitter <= 480,
	    "48 kHz alternating: jitter %u units, want 480 +- 1", st.jitter);

	/*
	 * Transit uniform on [0, A]: E|D| = A/3 for the difference of two
	 * independent uniforms, and A.8's estimator is an exponential
	 * average of |D|, so its long-run mean is A/3. With A = 320 units
	 * (40 ms), the per-sample |D| has a standard deviation of about
	 * 0.24 A; averaging the estimate over 20000 packets brings the
	 * error of the mean well under 1 %, and truncation of J >> 4 costs
	 * at most one unit (0.9 %): 5 % is a loose, justified tolerance.
	 */
	media_rtp_source_init(&r, 8000);
	for (i = 0, sum = 0, n = 0; i < 20100; i++) {
		now = T0 + (uint64_t)i * 20000 + (rng() % 321) * 125;
		feed(&r, 1, (uint16_t)i, (uint32_t)i * 160, now);
		if (i >= 100) {
			media_rtp_source_stats(&r, &st);
			sum += st.jitter;
			n++;
		}
	}
	ok(fabs(sum / n - 320.0 / 3) <= 0.05 * 320.0 / 3,
	    "uniform transit: mean jitter %.2f, want %.2f +- 5%%", sum / n,
	    320.0 / 3);

	/* Timestamps wrapping through 2^32 do not disturb the estimate. */
	media_rtp_source_init(&r, 8000);
	for (i = 0; i < 200; i++)
		feed(&r, 1, (uint16_t)i, 0xffffff00U + (uint32_t)i * 160,
		    T0 + (uint64_t)i * 20000);
	media_rtp_source_stats(&r, &st);
	is_int(st.jitter, 0, "timestamp wrap: jitter stays 0");

	/*
	 * A confirmed sequence jump often comes with a timestamp jump (a
	 * new stream behind the same SSRC): transit restarts with it.
	 */
	media_rtp_source_init(&r, 8000);
	for (i = 0; i < 50; i++)
		feed(&r, 1, (uint16_t)i, (uint32_t)i * 160,
		    T0 + (uint64_t)i * 20000);
	for (i = 50; i < 60; i++)
		feed(&r, 1, (uint16_t)(30000 + i), 8000000 + (uint32_t)i * 160,
		    T0 + (uint64_t)i * 20000);
	media_rtp_source_stats(&r, &st);
	ok(st.ext_max == 30059 && st.jitter == 0,
	    "restart with a timestamp jump leaves jitter at 0 (%u)",
	    st.jitter);

	/* Duplicates do not feed the estimate. */
	media_rtp_source_init(&r, 8000);
	for (i = 0; i < 50; i++) {
		feed(&r, 1, (uint16_t)i, (uint32_t)i * 160,
		    T0 + (uint64_t)i * 20000);
		feed(&r, 1, (uint16_t)i, (uint32_t)i * 160,
		    T0 + (uint64_t)i * 20000 + 15000);
	}
	media_rtp_source_stats(&r, &st);
	ok(st.jitter == 0 && st.duplicates == 49,
	    "late duplicates leave jitter at 0 (%u, %u dups)", st.jitter,
	    st.duplicates);
}

static void
test_ntp(void)
{
	uint64_t	ntp;

	ntp = media_rtcp_ntp(0);
	ok(ntp == (2208988800ULL << 32), "Unix epoch in NTP");
	ntp = media_rtcp_ntp(1500000);
	ok(ntp == ((2208988801ULL << 32) | 0x80000000U), "1.5 s in NTP");
	ntp = media_rtcp_ntp(T0 + 250000);
	ok((ntp >> 32) == T0 / 1000000 + 2208988800ULL &&
	    (uint32_t)ntp == 0x40000000U, "2023 + 0.25 s in NTP");
	ok(media_rtcp_ntp_mid(0x1122334455667788ULL) == 0x33445566U,
	    "middle 32 bits");
}

/* Send N packets from TX into RX's source, 20 ms apart from START. */
static void
stream(struct media_rtp_session *tx, struct media_rtp_session *rx, int n,
    uint32_t *clock, uint64_t start, uint64_t offset)
{
	struct media_rtp_hdr	p;
	uint8_t			buf[200], pl[160];
	int			i, len;

	memset(pl, 0xd5, sizeof pl);
	for (i = 0; i < n; i++) {
		len = media_rtp_sender_pack(&tx->tx, buf, sizeof buf, 0,
		    *clock == 0, *clock, pl, sizeof pl,
		    start + (uint64_t)i * 20000);
		if (media_rtp_parse(&p, buf, (size_t)len) == 0)
			media_rtp_source_update(&rx->rx, &p,
			    start + offset + (uint64_t)i * 20000 + 30000);
		*clock += 160;
	}
}

static void
test_rtcp_roundtrip(void)
{
	struct media_rtp_session a, b;
	struct media_rtcp_info	 in;
	struct media_rtp_stats	 st;
	uint8_t			 buf[512];
	uint32_t		 clock = 0, want_ts;
	uint64_t		 now;
	int			 n, i;


	is_int(media_rtp_session_init(&a, 8000, 8000, "alice@example.org"), 0,
	    "session a");
	is_int(media_rtp_session_init(&b, 8000, 8000, NULL), 0, "session b");
	is_int(strlen(b.cname), 16, "random CNAME of 16 hex digits");

	/* Nothing sent or received: an RR without blocks, plus SDES. */
	n = media_rtcp_build(&a, buf, sizeof buf, T0);
	is_int(n, 8 + 4 + 4 + 20, "empty RR + SDES length");
	is_int(buf[1], MEDIA_RTCP_RR, "starts with an RR");
	is_int(media_rtcp_parse(&in, buf, (size_t)n), 0, "parse empty RR");
	ok(in.has_report && !in.has_sr && in.n_rb == 0 && in.ssrc == a.tx.ssrc,
	    "empty RR fields");
	ok(in.has_cname && strcmp(in.cname, "alice@example.org") == 0 &&
	    in.cname_ssrc == a.tx.ssrc, "CNAME round trip");
	is_int(in.n_packets, 2, "two packets in the compound");

	/* A streams 100 packets to B, 3 lost; B streams 50 to A. */
	{
		struct media_rtp_hdr	p;
		uint8_t			pk[200], pl[160];
		int			len;

		memset(pl, 1, sizeof pl);
		for (i = 0; i < 100; i++) {
			len = media_rtp_sender_pack(&a.tx, pk, sizeof pk, 0,
			    i == 0, clock, pl, sizeof pl,
			    T0 + (uint64_t)i * 20000);
			clock += 160;
			if (i == 10 || i == 50 || i == 51)
				continue;
			media_rtp_parse(&p, pk, (size_t)len);
			media_rtp_source_update(&b.rx, &p,
			    T0 + (uint64_t)i * 20000 + 30000 +
			    ((i & 1) ? 2000 : 0));
		}
	}
	{
		uint32_t	bclock = 0;

		stream(&b, &a, 50, &bclock, T0, 0);
	}

	/* A reports 100 ms after its last packet: an SR. */
	now = T0 + 99 * 20000 + 100000;
	n = media_rtcp_build(&a, buf, sizeof buf, now);
	is_int(n, 28 + 24 + 4 + 4 + 20, "SR with one block + SDES length");
	is_int(n % 4, 0, "length is a multiple of 4");
	is_int(buf[0], 0x81, "SR: V=2, RC=1");
	is_int(buf[1], MEDIA_RTCP_SR, "starts with an SR");
	ok(!a.tx.sent_since_report, "report clears sent_since_report");
	is_int(media_rtcp_parse(&in, buf, (size_t)n), 0, "parse SR");
	ok(in.has_sr && in.ssrc == a.tx.ssrc, "SR from a");
	ok(in.sr.ntp == media_rtcp_ntp(now), "SR NTP timestamp");
	want_ts = a.tx.ts_base + 99 * 160 + 100 * 8;
	ok(in.sr.rtp_ts == want_ts, "SR RTP ts extrapolated 100 ms (%u/%u)",
	    in.sr.rtp_ts, want_ts);
	is_int(in.sr.packets, 100, "SR packet count");
	is_int(in.sr.octets, 16000, "SR octet count");
	is_int(in.n_rb, 1, "one report block");
	ok(in.rb[0].ssrc == b.tx.ssrc, "block is about b");
	media_rtp_source_stats(&a.rx, &st);
	is_int(in.rb[0].fraction, 0, "block: fraction 0 (a lost nothing)");
	is_int(in.rb[0].lost, 0, "block: cumulative lost 0");
	ok(in.rb[0].ext_max == st.ext_max, "block: extended max");
	is_int(in.rb[0].jitter, st.jitter, "block: jitter");
	is_int(in.rb[0].lsr, 0, "block: no SR from b yet, LSR 0");
	is_int(in.rb[0].dlsr, 0, "block: DLSR 0");

	/* B's RR carries its loss and jitter about a. */
	n = media_rtcp_build(&b, buf, sizeof buf, now);
	is_int(buf[1], MEDIA_RTCP_SR, "b sent too: SR");
	is_int(media_rtcp_parse(&in, buf, (size_t)n), 0, "parse b's report");
	media_rtp_source_stats(&b.rx, &st);
	ok(in.n_rb == 1 && in.rb[0].ssrc == a.tx.ssrc, "b's block is about a");
	is_int(in.rb[0].lost, 3, "b lost 3 of a's packets");
	is_int(st.expected, 99, "b expected 99 (first was probation)");
	is_int(in.rb[0].fraction, 3 * 256 / 99, "b's fraction lost");
	ok(in.rb[0].ext_max == st.ext_max, "b's extended max");
	ok(in.rb[0].jitter == st.jitter && st.jitter > 0,
	    "b's jitter %u is the stats' and not zero", in.rb[0].jitter);
	ok(strlen(in.cname) == 16 && strcmp(in.cname, b.cname) == 0,
	    "b's random CNAME");

	/* No RTP since: the next report is an RR. */
	n = media_rtcp_build(&a, buf, sizeof buf, now + 5000000);
	is_int(buf[1], MEDIA_RTCP_RR, "no RTP sent since: RR");
	is_int(media_rtcp_parse(&in, buf, (size_t)n), 0, "parse RR");
	ok(!in.has_sr && in.n_rb == 1 && in.ssrc == a.tx.ssrc,
	    "RR with one block");

	/*
	 * RFC 4733 packets repeat an older media time; the SR timestamp
	 * must still follow the newest one.
	 */
	{
		uint8_t	pk[64];

		media_rtp_sender_pack(&a.tx, pk, sizeof pk, 101, true,
		    clock - 800, "\x01\x00\x00\xa0", 4, now + 10000000);
		n = media_rtcp_build(&a, buf, sizeof buf, now + 10000000);
		media_rtcp_parse(&in, buf, (size_t)n);
		want_ts = a.tx.ts_base + (clock - 160) + 8 * 10100000 / 1000;
		ok(in.has_sr && in.sr.rtp_ts == want_ts,
		    "SR ts ignores an older event timestamp (%u/%u)",
		    in.sr.rtp_ts, want_ts);
	}

	/* Two compounds back to back: the first SR and SSRC win. */
	{
		uint8_t		two[512];
		int		n1, n2;
		uint32_t	bclock = 50 * 160;

		stream(&a, &b, 1, &clock, now, 0);
		stream(&b, &a, 1, &bclock, now, 0);
		n1 = media_rtcp_build(&a, two, sizeof two, now + 1000);
		n2 = media_rtcp_build(&b, two + n1, sizeof two - (size_t)n1,
		    now + 2000);
		is_int(media_rtcp_parse(&in, two, (size_t)(n1 + n2)), 0,
		    "two compounds concatenated");
		ok(in.ssrc == a.tx.ssrc && in.has_sr &&
		    in.sr.ntp == media_rtcp_ntp(now + 1000) && in.n_rb == 2 &&
		    in.n_packets == 4, "first SR kept, both blocks collected");
	}

	/* Capacity: one byte short fails and changes nothing. */
	stream(&a, &b, 1, &clock, now, 0);
	n = media_rtcp_build(&a, buf, sizeof buf, now);
	ok(n > 0, "SR again");
	a.tx.sent_since_report = true;
	is_int(media_rtcp_build(&a, buf, (size_t)n - 1, now), -ENOSPC,
	    "build one byte short: ENOSPC");
	ok(a.tx.sent_since_report, "failed build leaves state");

	/*
	 * Negative and saturated cumulative loss on the wire: set the
	 * source so that expected = cycles + 1 and pick received.
	 */
	{
		static const int64_t	lost[] = { -2, -20000000, 20000000 };
		static const int64_t	want[] = { -2, -0x800000, 0x7fffff };
		int			k;

		for (k = 0; k < 3; k++) {
			a.rx.base_seq = a.rx.max_seq;
			a.rx.cycles = lost[k] > 0 ? 65536U * 306 : 0;
			a.rx.received = (uint32_t)((int64_t)a.rx.cycles + 1 -
			    lost[k]);
			n = media_rtcp_build(&a, buf, sizeof buf, now);
			media_rtcp_parse(&in, buf, (size_t)n);
			is_int(in.rb[0].lost, want[k],
			    "cumulative lost %lld is %lld on the wire",
			    (long long)lost[k], (long long)want[k]);
		}
	}
}

static void
test_rtcp_parse_robust(void)
{
	struct media_rtp_session a;
	struct media_rtcp_info	 in;
	uint8_t			 buf[600], m[1600], *h;
	uint32_t		 clock = 0;
	size_t			 len, cut, j;
	int			 n, i, r, errs, good, bad;

	media_rtp_session_init(&a, 8000, 8000, "x@y");
	{
		struct media_rtp_session b;

		media_rtp_session_init(&b, 8000, 8000, "b");
		stream(&b, &a, 10, &clock, T0, 0);
		clock = 0;
		stream(&a, &b, 10, &clock, T0, 0);
	}
	n = media_rtcp_build(&a, buf, sizeof buf, T0 + 300000);
	len = (size_t)n;
	is_int(len, 52 + 16, "compound of SR (52) + SDES (16)");

	/* Append APP, an unknown type (XR, 207) and a BYE. */
	memcpy(buf + len, "\x80\xcc\x00\x02" "\x00\x00\x00\x01" "abcd", 12);
	len += 12;
	memcpy(buf + len, "\x80\xcf\x00\x01" "\x01\x02\x03\x04", 8);
	len += 8;
	memcpy(buf + len, "\x81\xcb\x00\x03" "\xca\xfe\xba\xbe"
	    "\x04" "bye!" "\x00\x00\x00", 16);
	len += 16;
	is_int(media_rtcp_parse(&in, buf, len), 0,
	    "APP, XR and BYE are walked over");
	ok(in.has_sr && in.n_rb == 1 && in.has_cname &&
	    strcmp(in.cname, "x@y") == 0, "SR and SDES still read");
	ok(in.bye && in.bye_ssrc == 0xcafebabe, "BYE recorded");
	is_int(in.n_packets, 5, "five packets walked");

	/* Every cut that is not a packet boundary is an error. */
	for (cut = 0, bad = 0; cut < len; cut++) {
		r = media_rtcp_parse(&in, buf, cut);
		if (cut == 52 || cut == 68 || cut == 80 || cut == 88) {
			if (r != 0)
				bad++;
		} else if (r == 0)
			bad++;
	}
	is_int(bad, 0, "truncations fail except at packet boundaries");

	/* Hand-made faults. */
	memcpy(m, buf, len);
	m[0] = 0x41;
	is_int(media_rtcp_parse(&in, m, len), -EPROTO, "version 1");
	memcpy(m, buf, len);
	m[52] = 0xc1;
	is_int(media_rtcp_parse(&in, m, len), -EPROTO,
	    "version 3 in the second packet");
	memcpy(m, buf, len);
	m[0] = 0x82;	/* RC=2 but room for one block */
	is_int(media_rtcp_parse(&in, m, len), -EBADMSG, "RC beyond the length");
	memcpy(m, buf, len);
	m[3] = 0xff;
	is_int(media_rtcp_parse(&in, m, len), -EBADMSG,
	    "length beyond the buffer");
	memcpy(m, buf, len);
	m[53 - 1 + 2] = 0;	/* SDES length field: 0 words */
	m[55] = 0;
	is_int(media_rtcp_parse(&in, m, len), -EBADMSG,
	    "SDES too short for its chunk");
	memcpy(m, buf, len);
	m[52 + 9] = 200;	/* CNAME length overruns the packet */
	is_int(media_rtcp_parse(&in, m, len), -EBADMSG, "SDES item overrun");
	memcpy(m, buf, len);
	m[52] |= 0x20;		/* padding on a packet that is not last, */
	m[67] = 1;		/* with a count that would otherwise do */
	is_int(media_rtcp_parse(&in, m, len), -EBADMSG,
	    "padding before the last packet");
	memcpy(m, buf, len);
	m[len - 16] |= 0x20;	/* BYE padded: last octet 0 */
	is_int(media_rtcp_parse(&in, m, len), -EBADMSG, "padding count 0");
	m[len - 1] = 4;
	is_int(media_rtcp_parse(&in, m, len), 0, "padding of 4 on the last");
	ok(in.bye, "padded BYE still read");
	m[len - 1] = 13;
	is_int(media_rtcp_parse(&in, m, len), -EBADMSG,
	    "padding larger than the packet body");
	memcpy(m, buf, 68);
	memcpy(m + 68, "\x9f\xcb\x00\x01" "\x00\x00\x00\x01", 8);
	is_int(media_rtcp_parse(&in, m, 76), -EBADMSG,
	    "BYE with 31 sources in one word");
	is_int(media_rtcp_parse(&in, NULL, 0), -EBADMSG, "NULL buffer");
	is_int(media_rtcp_parse(&in, buf, 3), -EBADMSG, "3 bytes");

	/* Two chunks: the first has only a NAME, the second the CNAME. */
	memcpy(m, "\x82\xca\x00\x06" "\x00\x00\x00\x01" "\x02\x02" "ab"
	    "\x00\x00\x00\x00" "\x00\x00\x00\x02" "\x01\x02" "cd"
	    "\x00\x00\x00\x00", 28);
	is_int(media_rtcp_parse(&in, m, 28), 0, "SDES with two chunks");
	ok(in.has_cname && strcmp(in.cname, "cd") == 0 && in.cname_ssrc == 2,
	    "CNAME from the second chunk, not the NAME");
	m[0] = 0x83;
	is_int(media_rtcp_parse(&in, m, 28), -EBADMSG,
	    "SDES claiming a third chunk");

	/* A BYE without sources, ending an exact-size buffer. */
	h = malloc(len + 4);
	memcpy(h, buf, len);
	memcpy(h + len, "\x80\xcb\x00\x00", 4);
	is_int(media_rtcp_parse(&in, h, len + 4), 0, "BYE without sources");
	ok(in.bye && in.bye_ssrc == 0xcafebabe,
	    "first BYE's source kept, empty BYE read nothing");
	memcpy(h, "\x80\xcb\x00\x00", 4);
	is_int(media_rtcp_parse(&in, h, 4), 0, "lone empty BYE");
	ok(in.bye && in.bye_ssrc == 0 && !in.has_report, "empty BYE recorded");
	free(h);

	/* 62 report blocks: the first 31 are kept, nothing overflows. */
	memset(m, 0, sizeof m);
	memcpy(m, "\x81\xca\x00\x02" "\x00\x00\x00\x09" "\x01\x01z\x00", 12);
	for (i = 0; i < 2; i++) {
		h = m + 12 + i * (8 + 31 * 24);
		if (12 + (size_t)(i + 1) * (8 + 31 * 24) > sizeof m)
			break;
		h[0] = 0x80 | 31;
		h[1] = MEDIA_RTCP_RR;
		h[2] = 0;
		h[3] = 1 + 31 * 6;
		for (j = 0; j < 31; j++)
			h[8 + j * 24 + 3] = (uint8_t)(i * 31 + j);
	}
	is_int(i, 2, "62 blocks fit the test buffer");
	is_int(media_rtcp_parse(&in, m, 12 + 2 * (8 + 31 * 24)), 0,
	    "SDES then two RRs of 31 blocks");
	ok(in.n_rb == MEDIA_RTCP_MAX_RB && in.rb[30].ssrc == 30 &&
	    in.has_cname && strcmp(in.cname, "z") == 0,
	    "31 blocks kept, the CNAME intact");

	/*
	 * Padded SDES whose second chunk would start past the unpadded
	 * end, and one whose last item type octet is the last octet.
	 */
	h = malloc(16);
	memcpy(h, "\xa2\xca\x00\x03" "\x00\x00\x00\x01" "\x00\x00\x00\x00"
	    "\x00\x00\x00\x05", 16);
	is_int(media_rtcp_parse(&in, h, 16), -EBADMSG,
	    "second SDES chunk inside the padding");
	memcpy(h, "\x81\xca\x00\x02" "\x00\x00\x00\x01" "\x03\x01x\x01", 12);
	is_int(media_rtcp_parse(&in, h, 12), -EBADMSG,
	    "SDES item cut after its type");
	free(h);

	/* SDES whose last chunk runs to the end without a null item. */
	memcpy(m, "\x81\xca\x00\x02" "\x00\x00\x00\x09" "\x01\x02hi", 12);
	is_int(media_rtcp_parse(&in, m, 12), 0,
	    "SDES without a final null item");
	ok(in.has_cname && strcmp(in.cname, "hi") == 0 && !in.has_report,
	    "its CNAME, and no report");

	/* Fuzz: random buffers, then single and multiple byte flips. */
	for (i = 0, errs = 0, good = 0, bad = 0; i < 200000; i++) {
		if (i < 100000) {
			cut = rng() % 201;
			for (j = 0; j < cut; j++)
				m[j] = (uint8_t)rng();
			if (cut > 0 && (i & 1))
				m[0] = (m[0] & 0x3f) | 0x80;
		} else {
			cut = len - (rng() % 2 ? 0 : rng() % len);
			memcpy(m, buf, cut);
			for (j = 0; j < 1 + rng() % 4; j++)
				m[rng() % cut] ^= (uint8_t)(1 << (rng() % 8));
		}
		h = malloc(cut ? cut : 1);	/* exact size for ASan */
		memcpy(h, m, cut);
		r = media_rtcp_parse(&in, h, cut);
		if (r == 0) {
			good++;
			if (in.n_rb > MEDIA_RTCP_MAX_RB ||
			    strlen(in.cname) > MEDIA_RTCP_CNAME_MAX ||
			    in.n_packets == 0 || cut % 4 != 0)
				bad++;
		} else if (r == -EBADMSG || r == -EPROTO)
			errs++;
		else
			bad++;
		free(h);
	}
	ok(good > 100 && errs > 100000,
	    "fuzz: 200000 compounds, %d parsed, %d rejected", good, errs);
	is_int(bad, 0, "fuzz: accepted compounds are consistent");
}

/*
 * Alice and Bob each stream and report. One-way delay is 30 ms; Bob holds
 * Alice's SR 10 ms before his report, so Alice sees 30 + 30 = 60 ms. Bob's
 * clock is 1234.5678 s ahead, which must not matter. Resolution of
 * LSR/DLSR is 1/65536 s (15 us) and DLSR is rounded down once, hence the
 * 1 ms tolerance.
 */
static void
test_rtt(void)
{
	struct media_rtp_session alice, bob;
	struct media_rtcp_info	 in;
	uint8_t			 buf[512];
	uint32_t		 ca = 0, cb = 0;
	const uint64_t		 skew = 1234567800ULL;	/* Bob's clock */
	uint64_t		 t;
	int			 n;

	media_rtp_session_init(&alice, 48000, 48000, "alice");
	media_rtp_session_init(&bob, 48000, 48000, "bob");
	stream(&alice, &bob, 20, &ca, T0, skew);
	stream(&bob, &alice, 20, &cb, T0 + skew, -skew);

	/* Alice's SR at t, at Bob at t + 30 ms. */
	t = T0 + 500000;
	n = media_rtcp_build(&alice, buf, sizeof buf, t);
	media_rtcp_parse(&in, buf, (size_t)n);
	is_int(media_rtcp_process(&bob, &in, t + 30000 + skew), 0,
	    "Bob: an SR without a block about him gives no RTT");
	ok(bob.have_sr && bob.lsr == media_rtcp_ntp_mid(media_rtcp_ntp(t)),
	    "Bob keeps Alice's LSR");
	ok(!alice.have_rtt && !bob.have_rtt, "no RTT yet");

	/* Bob's report 10 ms later, at Alice 30 ms after that. */
	n = media_rtcp_build(&bob, buf, sizeof buf, t + 40000 + skew);
	is_int(media_rtcp_parse(&in, buf, (size_t)n), 0, "parse Bob's SR");
	ok(in.n_rb == 1 && in.rb[0].ssrc == alice.tx.ssrc,
	    "Bob reports about Alice");
	ok(in.rb[0].lsr == media_rtcp_ntp_mid(media_rtcp_ntp(t)),
	    "Bob echoes Alice's LSR");
	is_int(in.rb[0].dlsr, 10000 * 65536 / 1000000, "DLSR = 10 ms");
	is_int(media_rtcp_process(&alice, &in, t + 70000), 1,
	    "Alice computes an RTT");
	ok(alice.have_rtt && fabs(alice.rtt_ms - 60.0) <= 1.0,
	    "Alice's RTT %.3f ms, want 60 +- 1", alice.rtt_ms);
	ok(alice.have_remote_rb && alice.remote_rb.ssrc == alice.tx.ssrc,
	    "Alice keeps Bob's block about her");
	ok(alice.have_sr && alice.sr_ssrc == bob.tx.ssrc, "Alice keeps Bob's SR");

	/* Alice answers 250 ms later, 25 ms on the way: Bob sees 55 ms. */
	stream(&alice, &bob, 1, &ca, t + 300000, skew);
	n = media_rtcp_build(&alice, buf, sizeof buf, t + 70000 + 250000);
	media_rtcp_parse(&in, buf, (size_t)n);
	is_int(in.rb[0].dlsr, 250000ULL * 65536 / 1000000, "DLSR = 250 ms");
	is_int(media_rtcp_process(&bob, &in, t + 70000 + 250000 + 25000 + skew),
	    1, "Bob computes an RTT");
	ok(bob.have_rtt && fabs(bob.rtt_ms - 55.0) <= 1.0,
	    "Bob's RTT %.3f ms, want 30 + 25 = 55 +- 1", bob.rtt_ms);

	/*
	 * An SR from a source we do not receive RTP from is not echoed: the
	 * LSR in Alice's next report stays Bob's.
	 */
	{
		struct media_rtcp_info	stray;
		uint32_t		bob_lsr = alice.lsr;

		memset(&stray, 0, sizeof stray);
		stray.has_report = stray.has_sr = true;
		stray.ssrc = bob.tx.ssrc ^ 0x5a5a;
		stray.sr.ntp = media_rtcp_ntp(t + 777777);
		media_rtcp_process(&alice, &stray, t + 330000);
		n = media_rtcp_build(&alice, buf, sizeof buf, t + 340000);
		media_rtcp_parse(&stray, buf, (size_t)n);
		ok(stray.n_rb == 1 && stray.rb[0].lsr == bob_lsr &&
		    alice.sr_ssrc == bob.tx.ssrc,
		    "a stranger's SR does not replace Bob's LSR");
	}

	/* A wallclock step backwards gives DLSR 0, not a huge one. */
	n = media_rtcp_build(&alice, buf, sizeof buf, t);
	media_rtcp_parse(&in, buf, (size_t)n);
	ok(in.n_rb == 1 && in.rb[0].lsr != 0 && in.rb[0].dlsr == 0,
	    "report before the SR's arrival: DLSR 0");

	/* Bob's stream restarts with a new SSRC: his old LSR is void. */
	{
		struct media_rtp_hdr	hh;
		int			k;

		memset(&hh, 0, sizeof hh);
		hh.ssrc = bob.tx.ssrc ^ 0xffff;
		for (k = 0; k < 3; k++) {
			hh.seq = (uint16_t)(500 + k);
			media_rtp_source_update(&alice.rx, &hh, t + 400000);
		}
		n = media_rtcp_build(&alice, buf, sizeof buf, t + 410000);
		media_rtcp_parse(&in, buf, (size_t)n);
		ok(in.n_rb == 1 && in.rb[0].ssrc == hh.ssrc &&
		    in.rb[0].lsr == 0 && in.rb[0].dlsr == 0,
		    "block about the new SSRC carries no LSR");
	}

	/* A block whose DLSR exceeds the time since our SR is ignored. */
	in.has_sr = false;
	in.rb[0].ssrc = alice.tx.ssrc;
	in.rb[0].lsr = media_rtcp_ntp_mid(media_rtcp_ntp(t + 300000));
	in.rb[0].dlsr = 65536;	/* 1 s, but only 100 ms have passed */
	alice.rtt_ms = -1;
	is_int(media_rtcp_process(&alice, &in, t + 400000), 0,
	    "negative RTT is ignored");
	ok(alice.rtt_ms == -1, "RTT unchanged");
	/*
	 * A DLSR counted in whole milliseconds (libre) may exceed the time
	 * since our SR by one on loopback: an RTT of 0, not none; 3 ms
	 * over is no rounding.
	 */
	in.rb[0].dlsr = 101 * 65536 / 1000;	/* 101 ms of the 100 */
	is_int(media_rtcp_process(&alice, &in, t + 400000), 1,
	    "DLSR 1 ms over the time since our SR: an RTT");
	ok(alice.rtt_ms == 0, "... of 0 ms (%.3f)", alice.rtt_ms);
	alice.rtt_ms = -1;
	in.rb[0].dlsr = 103 * 65536 / 1000;
	is_int(media_rtcp_process(&alice, &in, t + 400000), 0,
	    "DLSR 3 ms over: ignored");
	ok(alice.rtt_ms == -1, "RTT unchanged");
	/* LSR 0: no RTT. */
	in.rb[0].lsr = 0;
	is_int(media_rtcp_process(&alice, &in, t + 400000), 0,
	    "LSR 0 gives no RTT");
	/* A block about someone else is not ours. */
	in.rb[0].ssrc = alice.tx.ssrc ^ 1;
	in.rb[0].lsr = 1;
	in.rb[0].dlsr = 0;
	alice.have_remote_rb = false;
	is_int(media_rtcp_process(&alice, &in, t + 400000), 0,
	    "block about another SSRC gives no RTT");
	ok(!alice.have_remote_rb, "and is not kept");
	in.bye = true;
	media_rtcp_process(&alice, &in, t);
	ok(alice.bye, "BYE is recorded in the session");
}

static void
test_interval(void)
{
	uint32_t	v;
	uint64_t	d, lo = UINT64_MAX, hi = 0;
	int		i, out = 0;

	v = 0;
	is_int(media_rtcp_interval(false, rng_cb, &v), 2500000,
	    "interval with u=0: 2.5 s");
	v = 0x80000000U;
	is_int(media_rtcp_interval(false, rng_cb, &v), 5000000,
	    "interval with u=0.5: 5 s");
	v = 0xffffffffU;
	d = media_rtcp_interval(false, rng_cb, &v);
	ok(d < 7500000 && d > 7499990, "interval with u=1-: just under 7.5 s");
	v = 0;
	is_int(media_rtcp_interval(true, rng_cb, &v), 1250000,
	    "first interval with u=0: 1.25 s");
	v = 0x80000000U;
	is_int(media_rtcp_interval(true, rng_cb, &v), 2500000,
	    "first interval with u=0.5: 2.5 s");
	for (i = 0; i < 1000; i++) {
		d = media_rtcp_interval(false, NULL, NULL);
		if (d < 2500000 || d >= 7500000)
			out++;
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	is_int(out, 0, "OpenSSL-driven intervals stay in [2.5, 7.5) s");
	ok(lo < 3000000 && hi > 7000000,
	    "and spread over the range (%llu..%llu)", (unsigned long long)lo,
	    (unsigned long long)hi);
}

int
main(void)
{
	test_rtp_roundtrip();
	test_rtp_malformed();
	test_rtp_fuzz();
	test_sender();
	test_seq_basic();
	test_seq_dup_jump_ssrc();
	test_loss();
	test_jitter();
	test_ntp();
	test_rtcp_roundtrip();
	test_rtcp_parse_robust();
	test_rtt();
	test_interval();
	return done_testing();
}
