/*
 * media-stun.c: the STUN Binding transaction (RFC 5389) a media socket
 * runs to learn the address and port a NAT maps it to: our request,
 * the strict reading of the server's response, and the retransmission
 * schedule. Hand-written because it is small and ours: a request is a
 * 20-byte header and a FINGERPRINT, and what we read of a response is
 * one address; no packaged library does just that without also owning
 * the sockets, which here are the RTP and RTCP sockets of a call.
 *
 * What arrives on those sockets is anyone's: lengths are checked before
 * every read, a response must carry our transaction ID and the magic
 * cookie, and a FINGERPRINT, when present, must match and be last.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "media-stun.h"

/* Message types: the Binding method in each class (RFC 5389 6). */
#define STUN_BINDING_REQUEST	0x0001
#define STUN_BINDING_SUCCESS	0x0101
#define STUN_BINDING_ERROR	0x0111

/* Attributes (RFC 5389 18.2; RFC 3489's that a server may still send). */
#define STUN_A_MAPPED		0x0001
#define STUN_A_RESPONSE_ADDRESS	0x0002
#define STUN_A_CHANGE_REQUEST	0x0003
#define STUN_A_SOURCE_ADDRESS	0x0004
#define STUN_A_CHANGED_ADDRESS	0x0005
#define STUN_A_USERNAME		0x0006
#define STUN_A_INTEGRITY	0x0008
#define STUN_A_ERROR_CODE	0x0009
#define STUN_A_UNKNOWN		0x000a
#define STUN_A_REALM		0x0014
#define STUN_A_NONCE		0x0015
#define STUN_A_XOR_MAPPED	0x0020
#define STUN_A_FINGERPRINT	0x8028

#define STUN_FINGERPRINT_XOR	0x5354554eU
#define STUN_FAMILY_IPV4	0x01
#define STUN_FAMILY_IPV6	0x02

static uint16_t
media_stun_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
media_stun_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
media_stun_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
media_stun_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* CRC-32 (ISO 3309, as zlib's crc32), bit by bit: FINGERPRINT covers a
 * few dozen bytes a few times per call, so a table would buy nothing. */
static uint32_t
media_stun_crc32(const uint8_t *p, size_t len)
{
	uint32_t	 crc = 0xffffffffU;
	int		 k;

	while (len-- > 0) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1)));
	}
	return ~crc;
}

bool
media_stun_is(const uint8_t *buf, size_t len)
{
	return len >= MEDIA_STUN_HDR_LEN && (buf[0] & 0xc0) == 0 &&
	    media_stun_get32(buf + 4) == MEDIA_STUN_COOKIE;
}

size_t
media_stun_request(uint8_t *buf, size_t cap,
    const uint8_t tid[MEDIA_STUN_TID_LEN])
{
	if (cap < MEDIA_STUN_REQ_LEN)
		return 0;
	media_stun_put16(buf, STUN_BINDING_REQUEST);
	media_stun_put16(buf + 2, MEDIA_STUN_REQ_LEN - MEDIA_STUN_HDR_LEN);
	media_stun_put32(buf + 4, MEDIA_STUN_COOKIE);
	memcpy(buf + 8, tid, MEDIA_STUN_TID_LEN);
	media_stun_put16(buf + 20, STUN_A_FINGERPRINT);
	media_stun_put16(buf + 22, 4);
	media_stun_put32(buf + 24, media_stun_crc32(buf, 20) ^
	    STUN_FINGERPRINT_XOR);
	return MEDIA_STUN_REQ_LEN;
}

/* A (XOR-)MAPPED-ADDRESS value V of LEN bytes into R. 0 or -EBADMSG. */
static int
media_stun_address(const uint8_t *v, size_t len, const uint8_t *hdr, bool xor,
    struct media_stun_resp *r)
{
	uint8_t		 a[16];
	size_t		 alen, i;
	uint16_t	 port;

	if (len < 4)
		return -EBADMSG;
	switch (v[1]) {
	case STUN_FAMILY_IPV4:
		alen = 4;
		r->family = AF_INET;
		break;
	case STUN_FAMILY_IPV6:
		alen = 16;
		r->family = AF_INET6;
		break;
	default:
		return -EBADMSG;
	}
	if (len != 4 + alen)
		return -EBADMSG;
	port = media_stun_get16(v + 2);
	memcpy(a, v + 4, alen);
	if (xor) {
		/* The cookie, then (IPv6) the transaction ID: the header's
		 * bytes 4..19 in order. */
		port ^= (uint16_t)(MEDIA_STUN_COOKIE >> 16);
		for (i = 0; i < alen; i++)
			a[i] ^= hdr[4 + i];
	}
	if (inet_ntop(r->family, a, r->addr, sizeof r->addr) == NULL)
		return -EBADMSG;
	r->port = port;
	r->xor_mapped = xor;
	return 0;
}

/* ERROR-CODE (RFC 5389 15.6) into R. 0 or -EBADMSG. */
static int
media_stun_error_code(const uint8_t *v, size_t len, struct media_stun_resp *r)
{
	size_t	 i, n = 0;
	int	 cls, num;

	if (len < 4)
		return -EBADMSG;
	cls = v[2] & 0x07;
	num = v[3];
	if (cls < 3 || cls > 6 || num > 99)
		return -EBADMSG;
	r->code = cls * 100 + num;
	/* The phrase goes to the log: printable ASCII only. */
	for (i = 4; i < len && n + 1 < sizeof r->reason; i++)
		r->reason[n++] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	r->reason[n] = '\0';
	return 0;
}

int
media_stun_parse(const uint8_t *buf, size_t len,
    const uint8_t tid[MEDIA_STUN_TID_LEN], struct media_stun_resp *r)
{
	const uint8_t	*a, *v;
	size_t		 mlen, off, alen;
	uint16_t	 type, atype;
	bool		 have_addr = false, have_xor = false, have_error = false;
	int		 rc;

	memset(r, 0, sizeof *r);
	if (!media_stun_is(buf, len) ||
	    memcmp(buf + 8, tid, MEDIA_STUN_TID_LEN) != 0)
		return -ENOMSG;
	type = media_stun_get16(buf);
	if (type != STUN_BINDING_SUCCESS && type != STUN_BINDING_ERROR)
		return -ENOMSG;
	/* Ours from here on: anything wrong is a malformed answer. */
	mlen = media_stun_get16(buf + 2);
	if (mlen % 4 != 0 || mlen != len - MEDIA_STUN_HDR_LEN)
		return -EBADMSG;
	for (off = MEDIA_STUN_HDR_LEN; off < len; off += 4 + ((alen + 3) & ~3U)) {
		if (len - off < 4)
			return -EBADMSG;
		a = buf + off;
		atype = media_stun_get16(a);
		alen = media_stun_get16(a + 2);
		if (((alen + 3) & ~3U) > len - off - 4)
			return -EBADMSG;
		v = a + 4;
		switch (atype) {
		case STUN_A_XOR_MAPPED:
			if (have_xor)
				break;		/* the first one counts */
			if ((rc = media_stun_address(v, alen, buf, true, r)) != 0)
				return rc;
			have_xor = have_addr = true;
			break;
		case STUN_A_MAPPED:
			if (have_addr)
				break;		/* XOR-MAPPED-ADDRESS wins */
			if ((rc = media_stun_address(v, alen, buf, false, r)) != 0)
				return rc;
			have_addr = true;
			break;
		case STUN_A_ERROR_CODE:
			if (have_error)
				break;
			if ((rc = media_stun_error_code(v, alen, r)) != 0)
				return rc;
			have_error = true;
			break;
		case STUN_A_FINGERPRINT:
			if (alen != 4 || off + 8 != len)
				return -EBADMSG;	/* it comes last */
			if ((media_stun_crc32(buf, off) ^ STUN_FINGERPRINT_XOR) !=
			    media_stun_get32(v))
				return -EBADMSG;
			break;
		case STUN_A_RESPONSE_ADDRESS:
		case STUN_A_CHANGE_REQUEST:
		case STUN_A_SOURCE_ADDRESS:
		case STUN_A_CHANGED_ADDRESS:
		case STUN_A_USERNAME:
		case STUN_A_INTEGRITY:	/* we sent no credentials */
		case STUN_A_UNKNOWN:
		case STUN_A_REALM:
		case STUN_A_NONCE:
			break;
		default:
			/* RFC 5389 7.3.3: an unknown comprehension-required
			 * attribute fails the transaction. */
			if (atype < 0x8000 && type == STUN_BINDING_SUCCESS)
				return -EBADMSG;
			break;
		}
	}
	if (type == STUN_BINDING_ERROR) {
		if (!have_error)
			return -EBADMSG;
		r->family = 0;
		r->addr[0] = '\0';
		r->port = 0;
		return -EPROTO;
	}
	if (!have_addr)
		return -EBADMSG;
	return 0;
}

void
media_stun_tx_start(struct media_stun_tx *tx, uint64_t now_us)
{
	tx->start_us = now_us;
	tx->next_us = now_us;
	tx->sent = 0;
}

enum media_stun_step
media_stun_tx_step(struct media_stun_tx *tx, uint64_t now_us)
{
	if (now_us < tx->next_us)
		return MEDIA_STUN_WAIT;
	if (tx->sent >= MEDIA_STUN_SENDS)
		return MEDIA_STUN_GIVE_UP;
	tx->sent++;
	if (tx->sent == MEDIA_STUN_SENDS)
		tx->next_us = tx->start_us + MEDIA_STUN_TOTAL_US;
	else
		tx->next_us = tx->start_us +
		    MEDIA_STUN_RTO_US * ((1ULL << tx->sent) - 1);
	return MEDIA_STUN_SEND;
}

uint64_t
media_stun_tx_next(const struct media_stun_tx *tx)
{
	return tx->next_us;
}
