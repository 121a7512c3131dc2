/*
 * gen-corpus.c: writes the binary seeds of tests/fuzz/corpus/ (rtp, dtmf,
 * jbuf, codec, crypto) with tsphone's own packers, so the seeds are the
 * packets tsphone really sends, in the record formats the targets read
 * (see the comment at the top of each fuzz-*.c). The text seeds (sdp,
 * conf, cmd) are written by hand.
 *
 *   sh tests/fuzz/build.sh BUILDDIR OUT gen && OUT/gen-corpus tests/fuzz/corpus
 *
 * Deterministic: no clock, fixed SSRCs and keys, so rerunning it gives
 * the same files. Only needed when a record format changes.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media-codec.h"
#include "media-dtmf.h"
#include "media-g711.h"
#include "media-rtp.h"
#include "media-srtp.h"

#define T0		1700000000000000ULL
#define OUR_SSRC	0x5453504eU	/* fuzz-rtp's own SSRC */
#define PEER_SSRC	0x0badcafeU

static const char	*gen_dir;

/* A seed under construction. */
struct seed {
	uint8_t		 b[16384];
	size_t		 n;
};

static void
put8(struct seed *s, unsigned int v)
{
	if (s->n >= sizeof s->b) {
		fprintf(stderr, "gen-corpus: seed too big\n");
		exit(1);
	}
	s->b[s->n++] = (uint8_t)v;
}

static void
put16(struct seed *s, unsigned int v)
{
	put8(s, v >> 8);
	put8(s, v);
}

static void
put32(struct seed *s, uint32_t v)
{
	put16(s, v >> 16);
	put16(s, v);
}

static void
putb(struct seed *s, const void *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		put8(s, ((const uint8_t *)p)[i]);
}

static void
save(const char *target, const char *name, const struct seed *s)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s/%s", gen_dir, target, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		fprintf(stderr, "gen-corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	printf("%s (%zu bytes)\n", path, s->n);
}

/* 20 ms of a 440 Hz tone at RATE, starting at sample FROM. */
static void
tone(int16_t *pcm, size_t n, unsigned int rate, size_t from)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		pcm[i] = (int16_t)(8000 * sin(2 * M_PI * 440 * (double)(from + i) /
		    rate));
}

static void
must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "gen-corpus: %s failed\n", what);
		exit(1);
	}
}

/* A sender with fixed, not random, numbers. */
static void
sender(struct media_rtp_sender *tx, uint32_t ssrc, uint16_t seq,
    uint32_t rate)
{
	memset(tx, 0, sizeof *tx);
	tx->ssrc = ssrc;
	tx->seq = seq;
	tx->ts_base = 0x10000;
	tx->clock_rate = rate;
}

/* fuzz-rtp record: op, dt ms, len, packet. */
static void
rtp_rec(struct seed *s, int op, int dt, const uint8_t *p, size_t len)
{
	put8(s, op);
	put8(s, dt);
	put16(s, len);
	putb(s, p, len);
}

static void
gen_rtp(void)
{
	struct media_rtp_session	 peer;
	struct media_rtp_hdr		 h;
	struct media_codec		*opus;
	struct seed			 s;
	int16_t				 pcm[960];
	uint8_t				 pay[400], pkt[1500];
	char				*cause = NULL;
	int				 i, n, len;
	uint16_t			 seqs[] = { 1, 2, 3, 5, 4, 4, 6, 65534 };

	/* Opus at 48 kHz: ten packets, then the peer's SR + SDES with a
	 * report block about our SSRC, then our own report. */
	opus = media_codec_new("opus", NULL, &cause);
	must(opus != NULL, "media_codec_new");
	memset(&s, 0, sizeof s);
	put8(&s, 1);
	memset(&peer, 0, sizeof peer);
	sender(&peer.tx, PEER_SSRC, 100, 48000);
	media_rtp_source_init(&peer.rx, 48000);
	strcpy(peer.cname, "peer@example.invalid");
	for (i = 0; i < 10; i++) {
		tone(pcm, 960, 48000, (size_t)i * 960);
		n = media_codec_encode(opus, pcm, 960, pay, sizeof pay);
		must(n > 0, "media_codec_encode");
		len = media_rtp_sender_pack(&peer.tx, pkt, sizeof pkt, 111, i == 0,
		    (uint32_t)i * 960, pay, (size_t)n, T0 + i * 20000ULL);
		must(len > 0, "media_rtp_sender_pack");
		rtp_rec(&s, 0, 20, pkt, (size_t)len);
	}
	/* The peer heard three packets of ours. */
	memset(&h, 0, sizeof h);
	h.version = 2;
	h.ssrc = OUR_SSRC;
	for (i = 0; i < 3; i++) {
		h.seq = (uint16_t)(1000 + i);
		h.ts = 160000 + (uint32_t)i * 960;
		media_rtp_source_update(&peer.rx, &h, T0 + i * 20000ULL);
	}
	len = media_rtcp_build(&peer, pkt, sizeof pkt, T0 + 200000);
	must(len > 0, "media_rtcp_build");
	rtp_rec(&s, 1, 5, pkt, (size_t)len);
	rtp_rec(&s, 1 | 2 | 4, 0, pkt, (size_t)len);
	save("rtp", "opus-stream-sr", &s);
	media_codec_free(opus);

	/* PCMU at 8 kHz: reordering, a duplicate, a jump, then an RR. */
	memset(&s, 0, sizeof s);
	put8(&s, 0);
	memset(pay, 0xff, 160);
	for (i = 0; i < (int)(sizeof seqs / sizeof seqs[0]); i++) {
		memset(&h, 0, sizeof h);
		h.pt = 0;
		h.marker = i == 0;
		h.seq = seqs[i];
		h.ts = 0x10000 + 160U * seqs[i];
		h.ssrc = PEER_SSRC;
		len = media_rtp_pack(pkt, sizeof pkt, &h, pay, 160);
		must(len > 0, "media_rtp_pack");
		rtp_rec(&s, i == 7 ? 4 : 0, i == 4 ? 45 : 20, pkt, (size_t)len);
	}
	memset(&peer, 0, sizeof peer);
	sender(&peer.tx, PEER_SSRC, 7, 8000);
	media_rtp_source_init(&peer.rx, 8000);
	strcpy(peer.cname, "sipp");
	for (i = 0; i < 3; i++) {
		h.seq = (uint16_t)(1000 + i);
		h.ssrc = OUR_SSRC;
		media_rtp_source_update(&peer.rx, &h, T0 + i * 20000ULL);
	}
	len = media_rtcp_build(&peer, pkt, sizeof pkt, T0 + 100000);
	must(len > 0, "media_rtcp_build");
	rtp_rec(&s, 1 | 2, 10, pkt, (size_t)len);
	save("rtp", "pcmu-reorder-rr", &s);

	/* Header shapes: CSRCs, an extension, padding; a telephone-event. */
	memset(&s, 0, sizeof s);
	put8(&s, 0);
	{
		static const uint8_t csrc[] = {
			0x82, 0x00, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00,
			0x0b, 0xad, 0xca, 0xfe, 0x11, 0x11, 0x11, 0x11,
			0x22, 0x22, 0x22, 0x22, 0xd5, 0xd5, 0xd5, 0xd5,
		};
		static const uint8_t ext[] = {	/* RFC 8285 one-byte header */
			0x90, 0x00, 0x00, 0x11, 0x00, 0x00, 0x10, 0xa0,
			0x0b, 0xad, 0xca, 0xfe, 0xbe, 0xde, 0x00, 0x01,
			0x10, 0xff, 0x00, 0x00, 0xd5, 0xd5, 0xd5, 0xd5,
		};
		static const uint8_t pad[] = {
			0xa0, 0x00, 0x00, 0x12, 0x00, 0x00, 0x11, 0x40,
			0x0b, 0xad, 0xca, 0xfe, 0xd5, 0xd5, 0x00, 0x00,
			0x00, 0x04,
		};
		static const uint8_t te[] = {
			0x80, 0xe5, 0x00, 0x13, 0x00, 0x00, 0x11, 0xe0,
			0x0b, 0xad, 0xca, 0xfe, 0x05, 0x0a, 0x00, 0xa0,
		};
		rtp_rec(&s, 0, 20, csrc, sizeof csrc);
		rtp_rec(&s, 0, 20, ext, sizeof ext);
		rtp_rec(&s, 0, 20, pad, sizeof pad);
		rtp_rec(&s, 4, 20, te, sizeof te);
	}
	save("rtp", "header-shapes", &s);

	/* RTCP shapes: reduced-size RR, BYE with reason, APP, SR + RB. */
	memset(&s, 0, sizeof s);
	put8(&s, 0);
	{
		static const uint8_t rr[] = {
			0x80, 0xc9, 0x00, 0x01, 0x0b, 0xad, 0xca, 0xfe,
		};
		static const uint8_t bye[] = {
			0x81, 0xcb, 0x00, 0x04, 0x0b, 0xad, 0xca, 0xfe,
			0x06, 'h', 'a', 'n', 'g', 'u', 'p', 0x00,
			0x00, 0x00, 0x00, 0x00,
		};
		static const uint8_t app[] = {
			0x80, 0xc9, 0x00, 0x01, 0x0b, 0xad, 0xca, 0xfe,
			0x80, 0xcc, 0x00, 0x03, 0x0b, 0xad, 0xca, 0xfe,
			'q', 'o', 's', 'r', 0x00, 0x00, 0x00, 0x01,
		};
		static const uint8_t sr[] = {
			0x81, 0xc8, 0x00, 0x0c, 0x0b, 0xad, 0xca, 0xfe,
			0xe8, 0xfe, 0x2c, 0x00, 0x80, 0x00, 0x00, 0x00,
			0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32,
			0x00, 0x00, 0x1f, 0x40,
			0x54, 0x53, 0x50, 0x4e, 0x05, 0x00, 0x00, 0x02,
			0x00, 0x00, 0x03, 0xf0, 0x00, 0x00, 0x00, 0x10,
			0xe8, 0xfe, 0x2b, 0xff, 0x00, 0x00, 0x80, 0x00,
			0x81, 0xca, 0x00, 0x03, 0x0b, 0xad, 0xca, 0xfe,
			0x01, 0x04, 'p', 'e', 'e', 'r', 0x00, 0x00,
		};
		rtp_rec(&s, 1, 0, rr, sizeof rr);
		rtp_rec(&s, 1 | 2, 100, sr, sizeof sr);
		rtp_rec(&s, 1, 100, app, sizeof app);
		rtp_rec(&s, 1 | 4, 100, bye, sizeof bye);
	}
	save("rtp", "rtcp-shapes", &s);
}

/* fuzz-dtmf records. */
static void
gen_dtmf(void)
{
	struct media_dtmf_tx		*tx;
	struct media_dtmf_packet	 pkt;
	struct seed			 s;
	uint32_t			 ts = 5000;
	int				 i;
	static const char		 digits[] = "123*#ABCD0";

	/* What our sender puts on the wire for "5", as received. */
	tx = media_dtmf_tx_new(8000, 20);
	must(tx != NULL && media_dtmf_tx_queue(tx, "59") == 0, "dtmf tx");
	memset(&s, 0, sizeof s);
	put8(&s, 0);
	for (i = 0; i < 40; i++, ts += 160) {
		if (media_dtmf_tx_poll(tx, ts, &pkt) != 1)
			continue;
		put8(&s, 0);
		put32(&s, pkt.ts);
		put8(&s, pkt.len);
		putb(&s, pkt.payload, pkt.len);
	}
	media_dtmf_tx_free(tx);
	/* A new stream, then two blocks in one packet (2.5.1.5). */
	put8(&s, 1);
	put8(&s, 0);
	put32(&s, 90000);
	put8(&s, 8);
	putb(&s, "\x01\x0a\x03\x20\x02\x8a\x03\x20", 8);
	save("dtmf", "rx-5-9-packed", &s);

	/* The sender at 48 kHz: timing, a queue, ticks, a clear. */
	memset(&s, 0, sizeof s);
	put8(&s, 1);
	put8(&s, 2);
	put16(&s, 100);
	put16(&s, 60);
	put8(&s, strlen(digits));
	putb(&s, digits, strlen(digits));
	put8(&s, 3);
	put8(&s, 200);
	put8(&s, 2 | 4);
	put16(&s, 40);
	put16(&s, 0);
	put8(&s, 3);
	putb(&s, "9#x", 3);
	put8(&s, 3);
	put8(&s, 30);
	save("dtmf", "tx-queue-48k", &s);
}

/* fuzz-jbuf put record. */
static void
jb_put(struct seed *s, uint16_t seq, uint32_t ts, int flags, int len,
    int dur, int dt)
{
	put8(s, 0);
	put16(s, seq);
	put32(s, ts);
	put8(s, flags);
	put16(s, len);
	put16(s, dur);
	put8(s, dt);
}

static void
jb_get(struct seed *s, int dt)
{
	put8(s, 1);
	put8(s, dt);
}

static void
gen_jbuf(void)
{
	struct seed	 s;
	int		 i;
	static const int jitter[] = { 0, 5, 30, 2, 0, 60, 1, 0, 12, 0 };

	/* A steady 8 kHz stream, pulled every 10 ms. */
	memset(&s, 0, sizeof s);
	put8(&s, 0);
	for (i = 0; i < 30; i++) {
		jb_put(&s, (uint16_t)(100 + i), 0x1000 + 160U * i, i == 0, 160,
		    160, i == 0 ? 0 : 0);
		jb_get(&s, 10);
		jb_get(&s, 10);
	}
	save("jbuf", "steady-8k", &s);

	/* 48 kHz Opus-sized packets with jitter, a loss, a reorder, a
	 * duplicate, then a new SSRC and a talkspurt; silence hints. */
	memset(&s, 0, sizeof s);
	put8(&s, 3);
	for (i = 0; i < 20; i++) {
		if (i == 7)
			continue;		/* lost */
		if (i == 10) {
			jb_put(&s, (uint16_t)(65530 + 11), 960U * 11, 0, 80,
			    960, 2);	/* early */
		}
		jb_put(&s, (uint16_t)(65530 + i), 960U * i, 0, 80, 960,
		    jitter[i % 10]);
		if (i == 12)
			jb_put(&s, (uint16_t)(65530 + i), 960U * i, 0, 80, 960,
			    0);	/* duplicate */
		jb_get(&s, 10);
		put8(&s, 2 | ((i & 1) << 2));
		jb_get(&s, 10);
	}
	for (i = 0; i < 10; i++) {
		jb_put(&s, (uint16_t)(7 + i), 123456789U + 960U * i,
		    (i == 0) | (1 << 1), 120, 960, 20);
		jb_get(&s, 10);
		jb_get(&s, 10);
	}
	put8(&s, 3);		/* flush */
	jb_get(&s, 10);
	save("jbuf", "jitter-ssrc-48k", &s);
}

/* fuzz-codec records. */
static void
gen_codec(void)
{
	struct media_codec_params	 p;
	struct media_codec		*c;
	struct seed			 s;
	int16_t				 pcm[960];
	uint8_t				 pay[400], prev[400];
	char				*cause = NULL;
	int				 i, n, prevn = 0;
	static const char		 fmtp[] = "minptime=10; useinbandfec=1;"
	    "usedtx=1;maxaveragebitrate=20000;maxplaybackrate=16000;cbr=1";

	media_codec_params_default(&p);
	p.fec = true;
	c = media_codec_new("opus", &p, &cause);
	must(c != NULL, "media_codec_new");
	memset(&s, 0, sizeof s);
	put8(&s, 0);
	put8(&s, 3);
	put8(&s, strlen(fmtp));
	putb(&s, fmtp, strlen(fmtp));
	for (i = 0; i < 6; i++) {
		tone(pcm, 960, 48000, (size_t)i * 960);
		n = media_codec_encode(c, pcm, 960, pay, sizeof pay);
		must(n > 0, "media_codec_encode");
		if (i == 3) {
			/* lost: rebuilt from the next packet's FEC */
			memcpy(prev, pay, (size_t)n);
			prevn = n;
			continue;
		}
		if (i == 4) {
			put8(&s, 1);
			put16(&s, 960);
			put16(&s, n);
			putb(&s, pay, (size_t)n);
		}
		put8(&s, 0);
		put16(&s, n);
		putb(&s, pay, (size_t)n);
	}
	put8(&s, 2);
	put16(&s, 960);
	put8(&s, 8);		/* decode into a too small buffer */
	put16(&s, prevn);
	putb(&s, prev, (size_t)prevn);
	put8(&s, 4);
	save("codec", "opus-fec-fmtp", &s);
	media_codec_free(c);

	for (i = 1; i <= 2; i++) {
		memset(&s, 0, sizeof s);
		put8(&s, i);
		tone(pcm, 160, 8000, 0);
		put8(&s, 0);
		put16(&s, 160);
		for (n = 0; n < 160; n++)
			put8(&s, i == 1 ? media_g711_ulaw_encode(pcm[n]) :
			    media_g711_alaw_encode(pcm[n]));
		put8(&s, 2);
		put16(&s, 160);
		put8(&s, 2);
		put16(&s, 160);
		put8(&s, 1);
		put16(&s, 160);
		put16(&s, 0);
		put8(&s, 4);
		save("codec", i == 1 ? "pcmu-plc" : "pcma-plc", &s);
	}
}

static void
crypto_key(struct media_srtp_crypto *c, enum media_srtp_suite suite,
    size_t len, int tag)
{
	size_t	 i;

	memset(c, 0, sizeof *c);
	c->tag = tag;
	c->suite = suite;
	c->key_len = len;
	for (i = 0; i < len; i++)
		c->key[i] = (uint8_t)(i * 37 + 5);
}

static void
gen_crypto(void)
{
	struct media_srtp_crypto	 c;
	struct media_rtp_session	 ses;
	struct media_rtp_sender		 tx;
	struct seed			 s;
	char				 line[MEDIA_SRTP_LINE_MAX];
	uint8_t				 pkt[300], pay[160];
	int				 i, n, len, suite;
	static const struct {
		const char		*name;
		enum media_srtp_suite	 suite;
		size_t			 len;
		const char		*tail;
	} lines[] = {
		{ "aes80", MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 30, "" },
		{ "aes32-lifetime", MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, 30,
		  "|2^31" },
		{ "gcm128", MEDIA_SRTP_AEAD_AES_128_GCM, 28, "" },
		{ "gcm256-mki", MEDIA_SRTP_AEAD_AES_256_GCM, 44, "|2^48|1:4" },
		{ "aes80-kdr", MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 30,
		  " KDR=1 UNENCRYPTED_SRTCP" },
	};

	for (i = 0; i < (int)(sizeof lines / sizeof lines[0]); i++) {
		crypto_key(&c, lines[i].suite, lines[i].len, i + 1);
		n = media_srtp_crypto_format(&c, line, sizeof line);
		must(n > 0, "media_srtp_crypto_format");
		memset(&s, 0, sizeof s);
		put8(&s, 0);
		putb(&s, line, (size_t)n);
		putb(&s, lines[i].tail, strlen(lines[i].tail));
		save("crypto", lines[i].name, &s);
	}

	/* Packets for each suite: RTP, one flipped, one forged, an SR. */
	for (suite = 0; suite < 4; suite++) {
		memset(&s, 0, sizeof s);
		put8(&s, 1 | suite << 1);
		sender(&tx, PEER_SSRC, 200, 8000);
		memset(pay, 0xd5, sizeof pay);
		for (i = 0; i < 4; i++) {
			len = media_rtp_sender_pack(&tx, pkt, sizeof pkt, 8, i == 0,
			    160U * i, pay, sizeof pay, T0 + i * 20000ULL);
			must(len > 0, "media_rtp_sender_pack");
			put8(&s, i == 2 ? 2 : i == 3 ? 4 : 0);
			put16(&s, 30 + i);
			put16(&s, len);
			putb(&s, pkt, (size_t)len);
		}
		memset(&ses, 0, sizeof ses);
		ses.tx = tx;
		media_rtp_source_init(&ses.rx, 8000);
		strcpy(ses.cname, "peer");
		len = media_rtcp_build(&ses, pkt, sizeof pkt, T0 + 100000);
		must(len > 0, "media_rtcp_build");
		put8(&s, 1);
		put16(&s, 0);
		put16(&s, len);
		putb(&s, pkt, (size_t)len);
		put8(&s, 1 | 2);
		put16(&s, 9);
		put16(&s, len);
		putb(&s, pkt, (size_t)len);
		save("crypto", suite == 0 ? "srtp-aes80" : suite == 1 ?
		    "srtp-aes32" : suite == 2 ? "srtp-gcm128" : "srtp-gcm256",
		    &s);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-corpus CORPUS-DIR\n");
		return 2;
	}
	gen_dir = argv[1];
	gen_rtp();
	gen_dtmf();
	gen_jbuf();
	gen_codec();
	gen_crypto();
	return 0;
}
