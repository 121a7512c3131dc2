/*
 * media-srtp.h: SDES-SRTP (RFC 4568 a=crypto, RFC 3711 SRTP/SRTCP, RFC
 * 7714 AEAD suites) over libsrtp2: key generation, the a=crypto line,
 * and protect/unprotect of packets.
 */
#ifndef TSP_MEDIA_SRTP_H
#define TSP_MEDIA_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum media_srtp_suite {
	MEDIA_SRTP_NONE = 0,
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
	MEDIA_SRTP_AEAD_AES_128_GCM,
	MEDIA_SRTP_AEAD_AES_256_GCM,
};

#define MEDIA_SRTP_KEY_MAX	46	/* master key + salt, longest suite */
#define MEDIA_SRTP_LINE_MAX	128	/* an a=crypto value we produce */

/* One a=crypto attribute: tag, suite and the inline master key+salt. */
struct media_srtp_crypto {
	int			 tag;		/* 1..999999999 */
	enum media_srtp_suite	 suite;
	uint8_t			 key[MEDIA_SRTP_KEY_MAX];
	size_t			 key_len;	/* master key + salt */
};

/* Suite name as in SDP, or NULL. */
const char *media_srtp_suite_name(enum media_srtp_suite);
/* Suites this libsrtp2 can do, in our order of preference. */
int	 media_srtp_suites(enum media_srtp_suite *out, int max);
bool	 media_srtp_supported(enum media_srtp_suite);

/* A fresh random key for SUITE with TAG (OpenSSL RAND_bytes). */
int	 media_srtp_keygen(struct media_srtp_crypto *, enum media_srtp_suite,
	    int tag);
/*
 * Parse the value of an a=crypto attribute ("1 AES_CM_128_HMAC_SHA1_80
 * inline:KEY|2^31|1:1"). Lifetime and MKI are accepted only in the forms
 * we can honour; session parameters make the line unusable. Returns 0,
 * -ENOTSUP for a well-formed line we cannot use (unknown suite, MKI,
 * session parameters), or -EINVAL with *cause for a malformed one.
 */
int	 media_srtp_crypto_parse(const char *value, struct media_srtp_crypto *,
	    char **cause);
/* The attribute value for C; returns its length or -ENOSPC. */
int	 media_srtp_crypto_format(const struct media_srtp_crypto *, char *,
	    size_t);
/* Forget a key. */
void	 media_srtp_crypto_wipe(struct media_srtp_crypto *);

/* A context: TX protects what we send, RX checks what we receive. */
struct media_srtp;

struct media_srtp *media_srtp_new(const struct media_srtp_crypto *tx,
	    const struct media_srtp_crypto *rx, char **cause);
void	 media_srtp_free(struct media_srtp *);
/*
 * In place: LEN is the packet length in, the protected length out; BUF
 * must have MEDIA_SRTP_OVERHEAD bytes of room after the packet. Return 0
 * or -1 (the packet must not be sent / must be dropped).
 */
#define MEDIA_SRTP_OVERHEAD	144
int	 media_srtp_protect(struct media_srtp *, uint8_t *buf, int *len);
int	 media_srtp_unprotect(struct media_srtp *, uint8_t *buf, int *len);
int	 media_srtp_protect_rtcp(struct media_srtp *, uint8_t *buf, int *len);
int	 media_srtp_unprotect_rtcp(struct media_srtp *, uint8_t *buf, int *len);
/* Packets dropped because they failed authentication or replay checks. */
unsigned long media_srtp_rejected(const struct media_srtp *);

#endif
