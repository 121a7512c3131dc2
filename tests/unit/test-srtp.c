/*
 * test-srtp.c: a=crypto lines (RFC 4568) and SRTP/SRTCP protection
 * (RFC 3711, RFC 7714) between two contexts keyed as two phones would
 * be: what one protects the other accepts; tampered, replayed and
 * wrongly keyed packets are refused and counted.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media-rtp.h"
#include "media-srtp.h"
#include "tap.h"

static void
parse_fails(const char *line, int want, const char *what)
{
	struct media_srtp_crypto	 c;
	char				*cause = NULL;
	int				 rc;

	rc = media_srtp_crypto_parse(line, &c, &cause);
	is_int(rc, want, "refused: %s", what);
	ok(cause != NULL && strncmp(cause, "a=crypto: ", 10) == 0,
	    "  with a reason (%s)", cause != NULL ? cause : "none");
	free(cause);
}

/* Master key + salt length of suite S, as keygen makes it; 0 if none. */
static size_t
suite_key_len(enum media_srtp_suite s)
{
	struct media_srtp_crypto	 k;
	size_t				 n;

	if (media_srtp_keygen(&k, s, 1) != 0)
		return 0;
	n = k.key_len;
	media_srtp_crypto_wipe(&k);
	return n;
}

/* An RTP packet with a recognisable payload. */
static int
make_rtp(uint8_t *buf, uint16_t seq)
{
	struct media_rtp_hdr	 h;
	uint8_t			 payload[160];

	memset(&h, 0, sizeof h);
	h.version = 2;
	h.pt = 0;
	h.seq = seq;
	h.ts = 160u * seq;
	h.ssrc = 0x11223344;
	memset(payload, 0x5a, sizeof payload);
	return media_rtp_pack(buf, 1500, &h, payload, sizeof payload);
}

static void
test_suite(enum media_srtp_suite s)
{
	const char			*name = media_srtp_suite_name(s);
	struct media_srtp_crypto	 ka, kb, parsed;
	struct media_srtp		*a, *b, *wrong;
	uint8_t				 pkt[1500 + MEDIA_SRTP_OVERHEAD], copy[sizeof pkt];
	uint8_t				 plain[1500];
	char				 line[MEDIA_SRTP_LINE_MAX], *cause = NULL;
	int				 len, plen, clen, n, i;

	is_int(media_srtp_keygen(&ka, s, 1), 0, "%s: key for A", name);
	is_int(media_srtp_keygen(&kb, s, 1), 0, "%s: key for B", name);
	ok(memcmp(ka.key, kb.key, ka.key_len) != 0, "%s: keys are random", name);

	n = media_srtp_crypto_format(&ka, line, sizeof line);
	ok(n > 0 && strncmp(line, "1 ", 2) == 0 && strstr(line, name) != NULL &&
	    strstr(line, " inline:") != NULL, "%s: a=crypto:%s", name, line);
	is_int(media_srtp_crypto_parse(line, &parsed, &cause), 0,
	    "%s: our line parses", name);
	ok(parsed.suite == s && parsed.tag == 1 && parsed.key_len == ka.key_len &&
	    memcmp(parsed.key, ka.key, ka.key_len) == 0, "%s: round trip", name);
	free(cause);
	cause = NULL;

	/* A sends with ka and receives with kb; B the other way round. */
	a = media_srtp_new(&ka, &kb, &cause);
	b = media_srtp_new(&kb, &ka, &cause);
	ok(a != NULL && b != NULL, "%s: two contexts%s%s", name,
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	if (a == NULL || b == NULL) {
		free(cause);
		return;
	}
	plen = make_rtp(plain, 1000);
	for (i = 0; i < 3; i++) {
		len = make_rtp(pkt, (uint16_t)(1000 + i));
		is_int(media_srtp_protect(a, pkt, &len), 0, "%s: protect %d", name, i);
		ok(len > plen, "%s: an auth tag was added", name);
		ok(memcmp(pkt + 12, plain + 12, 16) != 0, "%s: payload encrypted", name);
		memcpy(copy, pkt, (size_t)len);
		clen = len;
		is_int(media_srtp_unprotect(b, pkt, &len), 0, "%s: B accepts %d", name, i);
		is_int(len, plen, "%s: original length back", name);
		ok(memcmp(pkt + 12, plain + 12, (size_t)plen - 12) == 0,
		    "%s: payload decrypted", name);
	}
	/* Replay of the last packet. */
	is_int(media_srtp_unprotect(b, copy, &clen), -1, "%s: replay refused", name);
	/* Tampering with the payload, and with the header. */
	len = make_rtp(pkt, 2000);
	is_int(media_srtp_protect(a, pkt, &len), 0, "%s: protect 2000", name);
	pkt[20] ^= 0x01;
	is_int(media_srtp_unprotect(b, pkt, &len), -1, "%s: tampered payload refused", name);
	len = make_rtp(pkt, 2001);
	is_int(media_srtp_protect(a, pkt, &len), 0, "%s: protect 2001", name);
	pkt[1] ^= 0x01;		/* payload type */
	is_int(media_srtp_unprotect(b, pkt, &len), -1, "%s: tampered header refused", name);
	is_int(media_srtp_rejected(b), 3, "%s: three rejections counted", name);
	/* A context with the wrong receive key. */
	wrong = media_srtp_new(&kb, &kb, &cause);
	ok(wrong != NULL, "%s: a context with the wrong receive key%s%s", name,
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	len = make_rtp(pkt, 3000);
	is_int(media_srtp_protect(a, pkt, &len), 0, "%s: protect 3000", name);
	if (wrong != NULL) {
		is_int(media_srtp_unprotect(wrong, pkt, &len), -1,
		    "%s: wrong key refused", name);
		is_int(media_srtp_rejected(wrong), 1,
		    "%s: the wrong key's rejection counted", name);
	}
	/* Short garbage. */
	len = 5;
	is_int(media_srtp_unprotect(b, pkt, &len), -1, "%s: short packet refused", name);

	/* SRTCP. */
	{
		uint8_t	 rtcp[64 + MEDIA_SRTP_OVERHEAD] = {
			0x81, 201, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44,
			0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		};
		int	 rl = 32, orig = 32;

		is_int(media_srtp_protect_rtcp(a, rtcp, &rl), 0, "%s: protect RTCP", name);
		ok(rl > orig, "%s: SRTCP index and tag added", name);
		is_int(media_srtp_unprotect_rtcp(b, rtcp, &rl), 0, "%s: B accepts RTCP", name);
		is_int(rl, orig, "%s: RTCP length back", name);
		is_int(rtcp[1], 201, "%s: RTCP intact", name);
		rl = 32;
		is_int(media_srtp_protect_rtcp(a, rtcp, &rl), 0,
		    "%s: protect RTCP again", name);
		rtcp[10] ^= 0x80;
		is_int(media_srtp_unprotect_rtcp(b, rtcp, &rl), -1,
		    "%s: tampered RTCP refused", name);
	}
	media_srtp_free(a);
	media_srtp_free(b);
	media_srtp_free(wrong);
	media_srtp_crypto_wipe(&ka);
	ok(ka.key_len == 0 && ka.key[0] == 0, "%s: wipe clears the key", name);
	free(cause);
}

int
main(void)
{
	enum media_srtp_suite	 suites[8];
	struct media_srtp_crypto c;
	char			*cause = NULL;
	int			 n, i, accepted = 0, refused = 0, insane = 0;

	n = media_srtp_suites(suites, 8);
	ok(n >= 2, "at least the two AES_CM suites (%d suites)", n);
	is_int(suites[0], MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, "SHA1_80 first");
	ok(media_srtp_supported(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32), "SHA1_32 too");
	if (!media_srtp_supported(MEDIA_SRTP_AEAD_AES_128_GCM))
		printf("# AEAD suites not in this libsrtp2 build: not offered\n");
	for (i = 0; i < n; i++)
		test_suite(suites[i]);

	/* Lines from other phones. */
	is_int(media_srtp_crypto_parse("1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31", &c, &cause), 0,
	    "RFC 4568 example key with a lifetime");
	is_int(c.key_len, 30, "30 bytes of key and salt");
	is_int(c.tag, 1, "tag 1");
	free(cause);
	cause = NULL;
	is_int(media_srtp_crypto_parse("2 AES_CM_128_HMAC_SHA1_32 "
	    "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj", &c, &cause), 0,
	    "SHA1_32 line");
	is_int(c.suite, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, "suite read");
	free(cause);
	cause = NULL;
	/* ABNF strings are case-insensitive (RFC 5234 2.3). */
	is_int(media_srtp_crypto_parse("3 aes_cm_128_Hmac_sha1_80 "
	    "INLINE:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj", &c, &cause), 0,
	    "a suite and INLINE: in other cases");
	is_int(c.suite, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, "the suite is ours");
	free(cause);
	cause = NULL;

	parse_fails("", -EINVAL, "empty");
	parse_fails("x AES_CM_128_HMAC_SHA1_80 inline:AAAA", -EINVAL, "bad tag");
	parse_fails("0 AES_CM_128_HMAC_SHA1_80 inline:AAAA", -EINVAL, "tag 0");
	parse_fails("1 AES_CM_128_HMAC_SHA1_80 key:AAAA", -EINVAL, "no inline:");
	parse_fails("1 F8_128_HMAC_SHA1_80 "
	    "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj", -ENOTSUP,
	    "unknown suite");
	parse_fails("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA", -EINVAL,
	    "key too short");
	parse_fails("1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAw*Soj", -EINVAL,
	    "bad base64");
	parse_fails("1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32", -ENOTSUP,
	    "MKI");
	parse_fails("1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj UNENCRYPTED_SRTP",
	    -ENOTSUP, "session parameters");

	/*
	 * Random lines (ASan/valgrind watch for crashes): each one is
	 * either parsed to a key of its suite's length, with no reason
	 * given, or refused with -EINVAL or -ENOTSUP and an "a=crypto: "
	 * reason. The seed is fixed, so a failure repeats.
	 */
	srand(4568);
	for (i = 0; i < 20000; i++) {
		char	 line[96];
		int	 len = rand() % (int)sizeof line, j, rc;

		for (j = 0; j < len; j++)
			line[j] = (char)(rand() % 95 + 32);
		line[len] = '\0';
		if (i % 3 == 0)
			memcpy(line, "1 AES_CM_128_HMAC_SHA1_80 inline:", 33 < len ? 33 : (size_t)len);
		rc = media_srtp_crypto_parse(line, &c, &cause);
		if (rc == 0 && cause == NULL && suite_key_len(c.suite) != 0 &&
		    c.key_len == suite_key_len(c.suite))
			accepted++;
		else if ((rc == -EINVAL || rc == -ENOTSUP) && cause != NULL &&
		    strncmp(cause, "a=crypto: ", 10) == 0)
			refused++;
		else if (insane++ == 0)
			printf("# line %d \"%s\": returned %d, key_len %zu, "
			    "reason %s\n", i, line, rc, c.key_len,
			    cause != NULL ? cause : "none");
		free(cause);
		cause = NULL;
	}
	is_int(insane, 0, "20000 random a=crypto lines: each parsed to a sane "
	    "key or refused with a reason (%d parsed, %d refused)", accepted,
	    refused);
	return done_testing();
}
