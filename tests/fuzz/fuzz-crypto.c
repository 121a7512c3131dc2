/*
 * fuzz-crypto.c: SDES-SRTP input from the peer (src/media-srtp.c over
 * libsrtp2): a=crypto attribute values, and SRTP/SRTCP packets.
 *
 *   byte 0 even   the rest is one a=crypto value (text after "a=crypto:")
 *                 for media_srtp_crypto_parse; what parses must format
 *                 and parse back to the same key, tag and suite
 *   byte 0 odd    suite (byte 0 >> 1, mod 4), then records
 *                   u8 op, u16 pos, u16 len, len bytes
 *                 op bit 0: RTCP, else RTP. The bytes are a plain packet
 *                 from a peer that holds the key: it is protected with
 *                 the peer's context, byte POS (mod the protected length)
 *                 is flipped if op bit 1 is set, and our context
 *                 unprotects it. op bit 2 skips protection: the bytes go
 *                 to unprotect as they are (an attacker without the key).
 *
 * Promises checked: a flipped byte never authenticates; what does
 * authenticate unprotects to the plain packet the peer sent; nothing is
 * read or written outside the packet and its MEDIA_SRTP_OVERHEAD bytes of
 * room; rejects are counted.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "media-srtp.h"

#include "fuzz.h"

static const enum media_srtp_suite fuzz_crypto_suites[] = {
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
	MEDIA_SRTP_AEAD_AES_128_GCM,
	MEDIA_SRTP_AEAD_AES_256_GCM,
};

static void
fuzz_crypto_line(const uint8_t *data, size_t size)
{
	struct media_srtp_crypto c, back;
	char			 line[MEDIA_SRTP_LINE_MAX], *value, *cause = NULL;
	int			 r, n;

	value = fuzz_str(data, size);
	r = media_srtp_crypto_parse(value, &c, &cause);
	if (r == 0) {
		FUZZ_CHECK(cause == NULL);
		FUZZ_CHECK(media_srtp_suite_name(c.suite) != NULL);
		FUZZ_CHECK(c.key_len > 0 && c.key_len <= MEDIA_SRTP_KEY_MAX);
		FUZZ_CHECK(c.tag >= 1 && c.tag <= 999999999);
		n = media_srtp_crypto_format(&c, line, sizeof line);
		FUZZ_CHECK(n > 0 && (size_t)n < sizeof line);
		FUZZ_CHECK(media_srtp_crypto_parse(line, &back, &cause) == 0);
		FUZZ_CHECK(back.tag == c.tag && back.suite == c.suite &&
		    back.key_len == c.key_len &&
		    memcmp(back.key, c.key, c.key_len) == 0);
		media_srtp_crypto_wipe(&back);
	} else {
		FUZZ_CHECK(r == -EINVAL || r == -ENOTSUP);
		FUZZ_CHECK(cause != NULL && *cause != '\0');
		free(cause);
	}
	media_srtp_crypto_wipe(&c);
	free(value);
}

/* A fixed key: the same input must run the same way every time. */
static void
fuzz_crypto_key(struct media_srtp_crypto *c, enum media_srtp_suite s,
    uint8_t seed)
{
	size_t	 i;

	memset(c, 0, sizeof *c);
	c->tag = 1;
	c->suite = s;
	c->key_len = s == MEDIA_SRTP_AEAD_AES_256_GCM ? 44 :
	    s == MEDIA_SRTP_AEAD_AES_128_GCM ? 28 : 30;
	for (i = 0; i < c->key_len; i++)
		c->key[i] = (uint8_t)(seed + 31 * i);
}

static void
fuzz_crypto_packets(struct fuzz_in *in)
{
	struct media_srtp_crypto ours, theirs;
	struct media_srtp	*us, *peer;
	enum media_srtp_suite	 suite;
	uint8_t			*plain, *buf;
	unsigned long		 rejected;
	char			*cause = NULL;
	size_t			 len;
	int			 op, pos, plen, r;
	bool			 prot, flip;

	suite = fuzz_crypto_suites[(fuzz_u8(in) >> 1) % 4];
	if (!media_srtp_supported(suite))
		return;
	fuzz_crypto_key(&ours, suite, 0x11);
	fuzz_crypto_key(&theirs, suite, 0x77);
	us = media_srtp_new(&ours, &theirs, &cause);
	peer = us != NULL ? media_srtp_new(&theirs, &ours, &cause) : NULL;
	if (us == NULL || peer == NULL) {
		fprintf(stderr, "media_srtp_new: %s\n", cause);
		abort();
	}
	while (fuzz_left(in)) {
		op = fuzz_u8(in);
		pos = fuzz_u16(in);
		plain = fuzz_bytes(in, fuzz_u16(in), &len);
		buf = malloc(len + MEDIA_SRTP_OVERHEAD);
		FUZZ_CHECK(buf != NULL);
		if (len > 0)
			memcpy(buf, plain, len);
		plen = (int)len;
		prot = false;
		if (!(op & 4)) {
			r = (op & 1) ? media_srtp_protect_rtcp(peer, buf, &plen) :
			    media_srtp_protect(peer, buf, &plen);
			prot = r == 0;
			if (prot)
				FUZZ_CHECK(plen >= (int)len &&
				    plen <= (int)len + MEDIA_SRTP_OVERHEAD);
			else
				plen = (int)len;
		}
		flip = (op & 2) && plen > 0;
		if (flip)
			buf[pos % plen] ^= 0x5a;
		rejected = media_srtp_rejected(us);
		r = (op & 1) ? media_srtp_unprotect_rtcp(us, buf, &plen) :
		    media_srtp_unprotect(us, buf, &plen);
		if (r == 0) {
			FUZZ_CHECK(prot && !flip);
			FUZZ_CHECK(plen == (int)len);
			FUZZ_CHECK(memcmp(buf, plain, len) == 0);
		} else
			FUZZ_CHECK(media_srtp_rejected(us) == rejected + 1);
		free(buf);
		free(plain);
	}
	media_srtp_free(us);
	media_srtp_free(peer);
	media_srtp_crypto_wipe(&ours);
	media_srtp_crypto_wipe(&theirs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in	 in = { data, size };

	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0)
		fuzz_crypto_line(data + 1, size - 1);
	else
		fuzz_crypto_packets(&in);
	return 0;
}
