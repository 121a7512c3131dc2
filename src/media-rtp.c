/*
 * media-rtp.c: RTP packet framing, our sender state, reception statistics
 * for the remote source, and RTCP SR/RR/SDES (RFC 3550). Small and
 * hand-written because no packaged library does just this without also
 * owning the sockets; what it does follow closely is the RFC's appendix
 * A code (sequence validation, loss, jitter), so it can be checked
 * against it line by line.
 *
 * Every input comes from the network: parsers check each length before
 * reading and never trust a count field.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <sys/random.h>

#include "media-rtp.h"
#include "util.h"

#define RTP_SEQ_MOD		(1U << 16)
#define NTP_UNIX_OFFSET		2208988800ULL	/* 1900-01-01 to 1970-01-01 */
#define US_PER_S		1000000ULL

/* RTCP length limits (RFC 3550 6.4.1, 6.5). */
#define RTCP_HDR_LEN		4
#define RTCP_SR_INFO_LEN	20
#define RTCP_RB_LEN		24
/*
 * How far below zero an RTT may come out and still count, as 0, in 1/65536
 * s (2 ms): peers that count DLSR in whole milliseconds (libre, hence
 * baresip) overstate it by up to one, which on a LAN or loopback is more
 * than the round trip itself; without this half their reports would give
 * no RTT at all. A clock step or a lying peer is far beyond it.
 */
#define RTCP_RTT_SLACK		131

static uint16_t
media_rtp_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
media_rtp_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

static void
media_rtp_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
media_rtp_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/*
 * SSRC, first sequence number and timestamp must be unpredictable (RFC
 * 3550 5.1, RFC 3711 security considerations). The kernel's generator
 * gives that without waking OpenSSL's, which costs a call 2.5 MiB of
 * resident memory on first use; SRTP keys still come from OpenSSL.
 */
static int
media_rtp_random(void *p, size_t n)
{
	ssize_t	 got;

	while ((got = getrandom(p, n, 0)) < 0 && errno == EINTR)
		;
	return got == (ssize_t)n ? 0 : -EIO;
}

int
media_rtp_parse(struct media_rtp_hdr *h, const uint8_t *buf, size_t len)
{
	size_t		 off, end, words;
	unsigned int	 i;
	uint8_t		 pad;

	memset(h, 0, sizeof *h);
	if (buf == NULL || len < MEDIA_RTP_HDR_LEN)
		return -EBADMSG;
	h->version = buf[0] >> 6;
	if (h->version != MEDIA_RTP_VERSION)
		return -EPROTO;
	h->padding = (buf[0] & 0x20) != 0;
	h->extension = (buf[0] & 0x10) != 0;
	h->cc = buf[0] & 0x0f;
	h->marker = (buf[1] & 0x80) != 0;
	h->pt = buf[1] & 0x7f;
	h->seq = media_rtp_get16(buf + 2);
	h->ts = media_rtp_get32(buf + 4);
	h->ssrc = media_rtp_get32(buf + 8);
	off = MEDIA_RTP_HDR_LEN;

	if (len - off < 4 * (size_t)h->cc)
		return -EBADMSG;
	for (i = 0; i < h->cc; i++, off += 4)
		h->csrc[i] = media_rtp_get32(buf + off);

	if (h->extension) {
		if (len - off < 4)
			return -EBADMSG;
		h->ext_profile = media_rtp_get16(buf + off);
		words = media_rtp_get16(buf + off + 2);
		off += 4;
		if (len - off < 4 * words)
			return -EBADMSG;
		h->ext = buf + off;
		h->ext_len = 4 * words;
		off += h->ext_len;
	}

	end = len;
	if (h->padding) {
		/*
		 * The count octet is itself padding, so it is at least 1;
		 * with nothing after the headers it is a header octet, and
		 * any value fails the second test.
		 */
		pad = buf[len - 1];
		if (pad == 0 || pad > len - off)
			return -EBADMSG;
		h->pad_len = pad;
		end -= pad;
	}
	h->payload = buf + off;
	h->payload_len = end - off;
	return 0;
}

int
media_rtp_pack(uint8_t *buf, size_t cap, const struct media_rtp_hdr *h,
    const void *payload, size_t len)
{
	if (h->pt > 127)
		return -EINVAL;
	if (cap < MEDIA_RTP_HDR_LEN || len > cap - MEDIA_RTP_HDR_LEN ||
	    len > INT_MAX - MEDIA_RTP_HDR_LEN)
		return -ENOSPC;
	buf[0] = MEDIA_RTP_VERSION << 6;
	buf[1] = (h->marker ? 0x80 : 0) | h->pt;
	media_rtp_put16(buf + 2, h->seq);
	media_rtp_put32(buf + 4, h->ts);
	media_rtp_put32(buf + 8, h->ssrc);
	if (len != 0)
		memcpy(buf + MEDIA_RTP_HDR_LEN, payload, len);
	return (int)(MEDIA_RTP_HDR_LEN + len);
}

int
media_rtp_sender_init(struct media_rtp_sender *s, uint32_t clock_rate)
{
	uint8_t	r[10];

	memset(s, 0, sizeof *s);
	/* RFC 3550 5.1: random start values defeat known-plaintext attacks. */
	if (media_rtp_random(r, sizeof r) != 0)
		return -EIO;
	s->ssrc = media_rtp_get32(r);
	s->seq = media_rtp_get16(r + 4);
	s->ts_base = media_rtp_get32(r + 6);
	s->clock_rate = clock_rate;
	return 0;
}

int
media_rtp_sender_pack(struct media_rtp_sender *s, uint8_t *buf, size_t cap,
    uint8_t pt, bool marker, uint32_t clock, const void *payload, size_t len,
    uint64_t now_us)
{
	struct media_rtp_hdr	h;
	int			n;

	memset(&h, 0, sizeof h);
	h.marker = marker;
	h.pt = pt;
	h.seq = s->seq;
	h.ts = s->ts_base + clock;
	h.ssrc = s->ssrc;
	if ((n = media_rtp_pack(buf, cap, &h, payload, len)) < 0)
		return n;

	s->seq++;
	s->packets++;
	s->octets += (uint32_t)len;
	s->sent_since_report = true;
	/*
	 * Follow the newest media time only: RFC 4733 packets repeat the
	 * event's start time and would drag the SR timestamp backwards.
	 */
	if (!s->started || (int32_t)(clock - s->last_clock) >= 0) {
		s->started = true;
		s->last_clock = clock;
		s->last_us = now_us;
	}
	return n;
}

/* The RTP timestamp matching NOW_US, extrapolated from the last packet. */
static uint32_t
media_rtp_sender_ts_at(const struct media_rtp_sender *s, uint64_t now_us)
{
	uint64_t	elapsed;

	if (!s->started)
		return s->ts_base;
	elapsed = now_us > s->last_us ? now_us - s->last_us : 0;
	return s->ts_base + s->last_clock +
	    (uint32_t)(elapsed * s->clock_rate / US_PER_S);
}

void
media_rtp_source_init(struct media_rtp_source *r, uint32_t clock_rate)
{
	memset(r, 0, sizeof *r);
	r->clock_rate = clock_rate;
}

/* A.1 init_seq, plus our duplicate window. */
static void
media_rtp_source_init_seq(struct media_rtp_source *r, uint16_t seq)
{
	r->base_seq = seq;
	r->max_seq = seq;
	r->bad_seq = RTP_SEQ_MOD + 1;	/* so seq == bad_seq is false */
	r->cycles = 0;
	r->received = 0;
	r->received_prior = 0;
	r->expected_prior = 0;
	r->seen[0] = 1;
	r->seen[1] = 0;
	r->duplicates = 0;
	r->fraction = 0;
	/* Timestamps may have jumped with the sequence: restart transit. */
	r->have_transit = false;
}

/* A new source: everything about the old one is void. */
static void
media_rtp_source_start(struct media_rtp_source *r, uint32_t ssrc,
    uint16_t seq)
{
	media_rtp_source_init(r, r->clock_rate);
	r->active = true;
	r->ssrc = ssrc;
	media_rtp_source_init_seq(r, seq);
	r->max_seq = seq - 1;
	r->probation = MEDIA_RTP_MIN_SEQUENTIAL;
}

/* Slide the duplicate window forward by N sequence numbers. */
static void
media_rtp_source_shift(struct media_rtp_source *r, unsigned int n)
{
	if (n >= 128) {
		r->seen[0] = r->seen[1] = 0;
	} else if (n >= 64) {
		r->seen[1] = r->seen[0] << (n - 64);
		r->seen[0] = 0;
	} else if (n > 0) {
		r->seen[1] = (r->seen[1] << n) | (r->seen[0] >> (64 - n));
		r->seen[0] <<= n;
	}
}

/* Mark BACK (0..127) behind the highest as seen; true if it already was. */
static bool
media_rtp_source_mark(struct media_rtp_source *r, unsigned int back)
{
	uint64_t	*w = &r->seen[back / 64];
	uint64_t	 bit = 1ULL << (back % 64);
	bool		 was = (*w & bit) != 0;

	*w |= bit;
	return was;
}

/* NOW_US on the RTP clock (mod 2^32), without overflowing 64 bits. */
static uint32_t
media_rtp_source_arrival(const struct media_rtp_source *r, uint64_t now_us)
{
	uint64_t	sec = now_us / US_PER_S, frac = now_us % US_PER_S;

	return (uint32_t)(sec * r->clock_rate +
	    frac * r->clock_rate / US_PER_S);
}

/* A.8, in integer form: jitter is kept scaled by 16. */
static void
media_rtp_source_jitter(struct media_rtp_source *r,
    const struct media_rtp_hdr *h, uint64_t now_us)
{
	uint32_t	transit, d;

	transit = media_rtp_source_arrival(r, now_us) - h->ts;
	if (r->have_transit) {
		d = transit - r->transit;
		if ((int32_t)d < 0)
			d = -d;
		/* Bound one wild sample so the scaled sum cannot wrap. */
		if (d > (1U << 27))
			d = 1U << 27;
		r->jitter += d - ((r->jitter + 8) >> 4);
	}
	r->transit = transit;
	r->have_transit = true;
}

enum media_rtp_seq
media_rtp_source_update(struct media_rtp_source *r,
    const struct media_rtp_hdr *h, uint64_t now_us)
{
	uint16_t	seq = h->seq, udelta;
	bool		dup = false;

	if (!r->active || h->ssrc != r->ssrc)
		media_rtp_source_start(r, h->ssrc, seq);
	udelta = seq - r->max_seq;

	if (r->probation) {
		/* Compare in 16 bits: 65535 + 1 must be 0. */
		if (seq == (uint16_t)(r->max_seq + 1)) {
			r->probation--;
			r->max_seq = seq;
			if (r->probation == 0) {
				media_rtp_source_init_seq(r, seq);
				r->received++;
				media_rtp_source_jitter(r, h, now_us);
				return MEDIA_RTP_SEQ_VALID;
			}
		} else {
			r->probation = MEDIA_RTP_MIN_SEQUENTIAL - 1;
			r->max_seq = seq;
		}
		return MEDIA_RTP_SEQ_PROBATION;
	} else if (udelta < MEDIA_RTP_MAX_DROPOUT) {
		/* In order, with permissible gap. */
		if (seq < r->max_seq)
			r->cycles += RTP_SEQ_MOD;
		if (udelta == 0)
			dup = media_rtp_source_mark(r, 0);
		else {
			media_rtp_source_shift(r, udelta);
			media_rtp_source_mark(r, 0);
		}
		r->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - MEDIA_RTP_MAX_MISORDER) {
		/* A very large jump: believe it when the next one follows. */
		if (seq == r->bad_seq)
			media_rtp_source_init_seq(r, seq);
		else {
			r->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return MEDIA_RTP_SEQ_BAD;
		}
	} else {
		/* Duplicate or reordered, at most MAX_MISORDER behind. */
		dup = media_rtp_source_mark(r, (uint16_t)(r->max_seq - seq));
	}

	/* RFC 3550 A.3 counts duplicates as received, so loss can be < 0. */
	r->received++;
	if (dup) {
		r->duplicates++;
		return MEDIA_RTP_SEQ_DUPLICATE;
	}
	media_rtp_source_jitter(r, h, now_us);
	return MEDIA_RTP_SEQ_VALID;
}

static bool
media_rtp_source_valid(const struct media_rtp_source *r)
{
	return r->active && r->probation == 0;
}

static uint32_t
media_rtp_source_expected(const struct media_rtp_source *r)
{
	return r->cycles + r->max_seq - r->base_seq + 1;
}

uint8_t
media_rtp_source_interval(struct media_rtp_source *r)
{
	uint32_t	expected, expected_interval, received_interval;
	int64_t		lost_interval;
	uint64_t	fraction;

	if (!media_rtp_source_valid(r))
		return 0;
	expected = media_rtp_source_expected(r);
	expected_interval = expected - r->expected_prior;
	r->expected_prior = expected;
	received_interval = r->received - r->received_prior;
	r->received_prior = r->received;
	lost_interval = (int64_t)expected_interval - received_interval;
	if (expected_interval == 0 || lost_interval <= 0)
		fraction = 0;
	else
		fraction = ((uint64_t)lost_interval << 8) / expected_interval;
	r->fraction = fraction > 255 ? 255 : (uint8_t)fraction;
	return r->fraction;
}

void
media_rtp_source_stats(const struct media_rtp_source *r,
    struct media_rtp_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!media_rtp_source_valid(r))
		return;
	st->ssrc = r->ssrc;
	st->received = r->received;
	st->expected = media_rtp_source_expected(r);
	st->lost = (int64_t)st->expected - r->received;
	st->fraction = r->fraction;
	st->ext_max = r->cycles + r->max_seq;
	st->jitter = r->jitter >> 4;
	if (r->clock_rate != 0)
		st->jitter_ms = st->jitter * 1000.0 / r->clock_rate;
	st->duplicates = r->duplicates;
}

int
media_rtp_session_init(struct media_rtp_session *s, uint32_t tx_rate,
    uint32_t rx_rate, const char *cname)
{
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 r[8];
	size_t			 i;

	memset(s, 0, sizeof *s);
	if (media_rtp_sender_init(&s->tx, tx_rate) != 0)
		return -EIO;
	media_rtp_source_init(&s->rx, rx_rate);
	if (cname != NULL) {
		/* Truncated to what the one-octet SDES item length allows. */
		util_strlcpy(s->cname, cname, sizeof s->cname);
		return 0;
	}
	if (media_rtp_random(r, sizeof r) != 0) {
		memset(s, 0, sizeof *s);
		return -EIO;
	}
	for (i = 0; i < sizeof r; i++) {
		s->cname[2 * i] = hex[r[i] >> 4];
		s->cname[2 * i + 1] = hex[r[i] & 0xf];
	}
	s->cname[2 * sizeof r] = '\0';
	return 0;
}

uint64_t
media_rtcp_ntp(uint64_t unix_us)
{
	uint64_t	sec = unix_us / US_PER_S + NTP_UNIX_OFFSET;
	uint64_t	frac = ((unix_us % US_PER_S) << 32) / US_PER_S;

	return (sec << 32) | frac;
}

uint32_t
media_rtcp_ntp_mid(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/* RFC 3550 6.4.1: cumulative loss is 24-bit signed and saturates. */
static uint32_t
media_rtcp_lost24(int64_t lost)
{
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	return (uint32_t)lost & 0xffffff;
}

static void
media_rtcp_put_header(uint8_t *p, unsigned int count, uint8_t pt,
    size_t len)
{
	p[0] = (MEDIA_RTP_VERSION << 6) | (count & 0x1f);
	p[1] = pt;
	media_rtp_put16(p + 2, (uint16_t)(len / 4 - 1));
}

int
media_rtcp_build(struct media_rtp_session *s, uint8_t *buf, size_t cap,
    uint64_t now_us)
{
	struct media_rtp_sender	*tx = &s->tx;
	struct media_rtp_source	*rx = &s->rx;
	bool			 sr = tx->sent_since_report;
	bool			 rb = media_rtp_source_valid(rx);
	size_t			 report_len, sdes_len, cname_len, off, i;
	uint64_t		 ntp;
	uint32_t		 lsr = 0, dlsr = 0;
	uint8_t			*p;

	cname_len = strlen(s->cname);
	report_len = RTCP_HDR_LEN + 4 + (sr ? RTCP_SR_INFO_LEN : 0) +
	    (rb ? RTCP_RB_LEN : 0);
	/* Chunk: SSRC, CNAME item, at least one null octet, to 32 bits. */
	sdes_len = RTCP_HDR_LEN + 4 + ((2 + cname_len + 1 + 3) & ~(size_t)3);
	if (cap < report_len + sdes_len)
		return -ENOSPC;

	p = buf;
	media_rtcp_put_header(p, rb ? 1 : 0,
	    sr ? MEDIA_RTCP_SR : MEDIA_RTCP_RR, report_len);
	media_rtp_put32(p + 4, tx->ssrc);
	off = 8;
	if (sr) {
		ntp = media_rtcp_ntp(now_us);
		media_rtp_put32(p + off, (uint32_t)(ntp >> 32));
		media_rtp_put32(p + off + 4, (uint32_t)ntp);
		media_rtp_put32(p + off + 8,
		    media_rtp_sender_ts_at(tx, now_us));
		media_rtp_put32(p + off + 12, tx->packets);
		media_rtp_put32(p + off + 16, tx->octets);
		off += RTCP_SR_INFO_LEN;
	}
	if (rb) {
		if (s->have_sr && s->sr_ssrc == rx->ssrc) {
			lsr = s->lsr;
			if (now_us > s->sr_arrival_us)
				dlsr = (uint32_t)(((now_us - s->sr_arrival_us)
				    << 16) / US_PER_S);
		}
		media_rtp_put32(p + off, rx->ssrc);
		/* Fraction lost (8 bits) then cumulative lost (24 bits). */
		media_rtp_put32(p + off + 4, media_rtcp_lost24(
		    (int64_t)media_rtp_source_expected(rx) - rx->received));
		p[off + 4] = media_rtp_source_interval(rx);
		media_rtp_put32(p + off + 8, rx->cycles + rx->max_seq);
		media_rtp_put32(p + off + 12, rx->jitter >> 4);
		media_rtp_put32(p + off + 16, lsr);
		media_rtp_put32(p + off + 20, dlsr);
		off += RTCP_RB_LEN;
	}

	p = buf + report_len;
	media_rtcp_put_header(p, 1, MEDIA_RTCP_SDES, sdes_len);
	media_rtp_put32(p + 4, tx->ssrc);
	p[8] = 1;			/* CNAME */
	p[9] = (uint8_t)cname_len;
	memcpy(p + 10, s->cname, cname_len);
	for (i = 10 + cname_len; i < sdes_len; i++)
		p[i] = 0;

	tx->sent_since_report = false;
	return (int)(report_len + sdes_len);
}

static void
media_rtcp_parse_rb(struct media_rtcp_rb *rb, const uint8_t *p)
{
	uint32_t	lost = ((uint32_t)p[5] << 16) | (p[6] << 8) | p[7];

	rb->ssrc = media_rtp_get32(p);
	rb->fraction = p[4];
	rb->lost = (lost & 0x800000) ? (int32_t)lost - 0x1000000 :
	    (int32_t)lost;
	rb->ext_max = media_rtp_get32(p + 8);
	rb->jitter = media_rtp_get32(p + 12);
	rb->lsr = media_rtp_get32(p + 16);
	rb->dlsr = media_rtp_get32(p + 20);
}

/* SR or RR of LEN octets (padding removed) with COUNT report blocks. */
static int
media_rtcp_parse_report(struct media_rtcp_info *info, const uint8_t *p,
    size_t len, unsigned int count, bool sr)
{
	size_t		off = RTCP_HDR_LEN + 4;
	unsigned int	i;

	/* Anything after the blocks is a profile extension: ignored. */
	if (len < off + (sr ? RTCP_SR_INFO_LEN : 0) +
	    (size_t)count * RTCP_RB_LEN)
		return -EBADMSG;
	if (!info->has_report) {
		info->has_report = true;
		info->ssrc = media_rtp_get32(p + 4);
	}
	if (sr) {
		if (!info->has_sr) {
			info->has_sr = true;
			info->sr.ntp = ((uint64_t)media_rtp_get32(p + off) <<
			    32) | media_rtp_get32(p + off + 4);
			info->sr.rtp_ts = media_rtp_get32(p + off + 8);
			info->sr.packets = media_rtp_get32(p + off + 12);
			info->sr.octets = media_rtp_get32(p + off + 16);
		}
		off += RTCP_SR_INFO_LEN;
	}
	for (i = 0; i < count; i++, off += RTCP_RB_LEN) {
		if (info->n_rb < MEDIA_RTCP_MAX_RB)
			media_rtcp_parse_rb(&info->rb[info->n_rb++], p + off);
	}
	return 0;
}

/* SDES of LEN octets with COUNT chunks; keeps the first CNAME. */
static int
media_rtcp_parse_sdes(struct media_rtcp_info *info, const uint8_t *p,
    size_t len, unsigned int count)
{
	size_t		off = RTCP_HDR_LEN, ilen;
	unsigned int	i;
	uint32_t	ssrc;
	uint8_t		type;

	for (i = 0; i < count; i++) {
		if (off > len || len - off < 4)
			return -EBADMSG;
		ssrc = media_rtp_get32(p + off);
		off += 4;
		for (;;) {
			/* Some stacks omit the null item at the very end. */
			if (off >= len)
				break;
			type = p[off];
			if (type == 0) {
				/* Null item, then pad to the next word. */
				off = (off + 1 + 3) & ~(size_t)3;
				break;
			}
			if (len - off < 2)
				return -EBADMSG;
			ilen = p[off + 1];
			if (len - off - 2 < ilen)
				return -EBADMSG;
			if (type == 1 && !info->has_cname) {
				info->has_cname = true;
				info->cname_ssrc = ssrc;
				memcpy(info->cname, p + off + 2, ilen);
				info->cname[ilen] = '\0';
			}
			off += 2 + ilen;
		}
	}
	return 0;
}

static int
media_rtcp_parse_bye(struct media_rtcp_info *info, const uint8_t *p,
    size_t len, unsigned int count)
{
	/* The optional reason that may follow is of no use to us. */
	if (len - RTCP_HDR_LEN < 4 * (size_t)count)
		return -EBADMSG;
	info->bye = true;
	if (count > 0 && info->bye_ssrc == 0)
		info->bye_ssrc = media_rtp_get32(p + RTCP_HDR_LEN);
	return 0;
}

int
media_rtcp_parse(struct media_rtcp_info *info, const uint8_t *buf,
    size_t len)
{
	const uint8_t	*p;
	size_t		 off = 0, plen, clen;
	unsigned int	 count;
	uint8_t		 pad;
	int		 error;

	memset(info, 0, sizeof *info);
	if (buf == NULL || len < RTCP_HDR_LEN)
		return -EBADMSG;
	while (off < len) {
		p = buf + off;
		if (len - off < RTCP_HDR_LEN)
			return -EBADMSG;
		if ((p[0] >> 6) != MEDIA_RTP_VERSION)
			return -EPROTO;
		plen = ((size_t)media_rtp_get16(p + 2) + 1) * 4;
		if (plen > len - off)
			return -EBADMSG;
		clen = plen;
		if (p[0] & 0x20) {
			/* RFC 3550 6.4.1: only the last packet is padded. */
			if (off + plen != len)
				return -EBADMSG;
			pad = p[plen - 1];
			if (pad == 0 || pad > plen - RTCP_HDR_LEN)
				return -EBADMSG;
			clen -= pad;
		}
		count = p[0] & 0x1f;

		error = 0;
		switch (p[1]) {
		case MEDIA_RTCP_SR:
		case MEDIA_RTCP_RR:
			error = media_rtcp_parse_report(info, p, clen, count,
			    p[1] == MEDIA_RTCP_SR);
			break;
		case MEDIA_RTCP_SDES:
			error = media_rtcp_parse_sdes(info, p, clen, count);
			break;
		case MEDIA_RTCP_BYE:
			error = media_rtcp_parse_bye(info, p, clen, count);
			break;
		default:
			/* APP, XR, feedback: not ours to read. */
			break;
		}
		if (error != 0)
			return error;
		info->n_packets++;
		off += plen;
	}
	return 0;
}

int
media_rtcp_process(struct media_rtp_session *s,
    const struct media_rtcp_info *info, uint64_t now_us)
{
	const struct media_rtcp_rb	*rb;
	uint32_t			 rtt;
	unsigned int			 i;
	int				 updated = 0;

	/*
	 * Echo only the SR of the source we receive RTP from (or of the
	 * first one, before any RTP): a stray would void the peer's RTT.
	 */
	if (info->has_sr && (!s->rx.active || info->ssrc == s->rx.ssrc)) {
		s->have_sr = true;
		s->sr_ssrc = info->ssrc;
		s->sr = info->sr;
		s->lsr = media_rtcp_ntp_mid(info->sr.ntp);
		s->sr_arrival_us = now_us;
	}
	for (i = 0; i < info->n_rb; i++) {
		rb = &info->rb[i];
		if (rb->ssrc != s->tx.ssrc)
			continue;
		s->have_remote_rb = true;
		s->remote_rb = *rb;
		/* LSR 0 means the peer has no SR of ours yet (6.4.1). */
		if (rb->lsr == 0)
			continue;
		rtt = media_rtcp_ntp_mid(media_rtcp_ntp(now_us)) - rb->lsr -
		    rb->dlsr;
		/* Negative means a clock step or a lying peer: skip it,
		 * unless it is a coarse DLSR's rounding. */
		if ((int32_t)rtt < -RTCP_RTT_SLACK)
			continue;
		if ((int32_t)rtt < 0)
			rtt = 0;
		s->rtt_ms = rtt * 1000.0 / 65536.0;
		s->have_rtt = true;
		updated = 1;
	}
	if (info->bye)
		s->bye = true;
	return updated;
}

uint64_t
media_rtcp_interval(bool first, uint32_t (*rnd)(void *), void *arg)
{
	/* RFC 3550 6.2: Tmin is 5 s, halved before the first report. */
	uint64_t	td = first ? 2500000 : 5000000;
	uint32_t	r;

	if (rnd != NULL)
		r = rnd(arg);
	else if (media_rtp_random(&r, sizeof r) != 0)
		r = 0x80000000U;
	return td / 2 + ((td * r) >> 32);
}
