/*
 * media-srtp.c: SDES keying and SRTP/SRTCP through libsrtp2.
 *
 * Keys come from OpenSSL's RAND_bytes, fresh for every call, and are
 * wiped when dropped. Our key protects what we send (any outbound SSRC),
 * the peer's key checks what we receive (any inbound SSRC). Packets that fail authentication or the replay check
 * are dropped by the caller and counted here; they are never played.
 * The SSRCs are wildcards because SDES keys the stream, not an SSRC, and
 * peers change SSRC (RFC 3550 collisions, re-INVITEs).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>

#include "media-srtp.h"
#include "util.h"

/* libsrtp2 allows one wildcard-SSRC template per session: one session
 * sends with our key, the other receives with the peer's. */
struct media_srtp {
	srtp_t		 tx;
	srtp_t		 rx;
	unsigned long	 rejected;
};

struct media_srtp_info {
	enum media_srtp_suite	 suite;
	const char		*name;
	size_t			 key_len;	/* master key + salt */
	const char		*policy;	/* libsrtp2 function setting it */
};

/* Our order of preference: the RFC 4568 suites every peer has first. */
static const struct media_srtp_info media_srtp_table[] = {
	{ MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80",
	  SRTP_AES_ICM_128_KEY_LEN_WSALT,
	  "srtp_crypto_policy_set_rtp_default" },	/* = ..._SHA1_80 */
	{ MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32",
	  SRTP_AES_ICM_128_KEY_LEN_WSALT,
	  "srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32" },
	{ MEDIA_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM",
	  SRTP_AES_GCM_128_KEY_LEN_WSALT,
	  "srtp_crypto_policy_set_aes_gcm_128_16_auth" },
	{ MEDIA_SRTP_AEAD_AES_256_GCM, "AEAD_AES_256_GCM",
	  SRTP_AES_GCM_256_KEY_LEN_WSALT,
	  "srtp_crypto_policy_set_aes_gcm_256_16_auth" },
};

/*
 * libsrtp2 is loaded when SRTP is first needed, not at start: Debian
 * builds it on NSS, whose libraries cost a phone that never uses SRTP
 * about 0.4 MiB of resident memory. Never unloaded.
 */
static struct {
	__typeof__(srtp_init)		*init;
	__typeof__(srtp_create)		*create;
	__typeof__(srtp_dealloc)	*dealloc;
	__typeof__(srtp_protect)	*protect;
	__typeof__(srtp_protect_rtcp)	*protect_rtcp;
	__typeof__(srtp_unprotect)	*unprotect;
	__typeof__(srtp_unprotect_rtcp)	*unprotect_rtcp;
	void	(*policy[nitems(media_srtp_table)])(srtp_crypto_policy_t *);
} media_srtp_lib;

static pthread_once_t	 media_srtp_once = PTHREAD_ONCE_INIT;
static bool		 media_srtp_ok;
static const char	*media_srtp_error = "libsrtp2 failed to initialise";
static bool		 media_srtp_works[nitems(media_srtp_table)];

static const struct media_srtp_info *
media_srtp_info(enum media_srtp_suite s)
{
	size_t	 i;

	for (i = 0; i < nitems(media_srtp_table); i++) {
		if (media_srtp_table[i].suite == s)
			return &media_srtp_table[i];
	}
	return NULL;
}

/* Initialise libsrtp2 once, and find out which suites it really has (the
 * AEAD ones need its OpenSSL backend). */
static void
media_srtp_init(void)
{
	srtp_policy_t	 p;
	srtp_t		 s;
	uint8_t		 key[MEDIA_SRTP_KEY_MAX] = { 0 };
	void		*h;
	size_t		 i;

	h = dlopen("libsrtp2.so.1", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		media_srtp_error = "cannot load libsrtp2 (is the libsrtp2-1 "
		    "package installed?)";
		return;
	}
#define MEDIA_SRTP_SYM(f, name) do {					\
	*(void **)&media_srtp_lib.f = dlsym(h, name);			\
	if (media_srtp_lib.f == NULL) {					\
		media_srtp_error = "libsrtp2 lacks " name;		\
		return;							\
	}								\
} while (0)
	MEDIA_SRTP_SYM(init, "srtp_init");
	MEDIA_SRTP_SYM(create, "srtp_create");
	MEDIA_SRTP_SYM(dealloc, "srtp_dealloc");
	MEDIA_SRTP_SYM(protect, "srtp_protect");
	MEDIA_SRTP_SYM(protect_rtcp, "srtp_protect_rtcp");
	MEDIA_SRTP_SYM(unprotect, "srtp_unprotect");
	MEDIA_SRTP_SYM(unprotect_rtcp, "srtp_unprotect_rtcp");
#undef MEDIA_SRTP_SYM
	if (media_srtp_lib.init() != srtp_err_status_ok)
		return;
	media_srtp_ok = true;
	for (i = 0; i < nitems(media_srtp_table); i++) {
		*(void **)&media_srtp_lib.policy[i] =
		    dlsym(h, media_srtp_table[i].policy);
		if (media_srtp_lib.policy[i] == NULL)
			continue;
		memset(&p, 0, sizeof p);
		media_srtp_lib.policy[i](&p.rtp);
		media_srtp_lib.policy[i](&p.rtcp);
		p.ssrc.type = ssrc_any_outbound;
		p.key = key;
		if (media_srtp_lib.create(&s, &p) == srtp_err_status_ok) {
			media_srtp_works[i] = true;
			media_srtp_lib.dealloc(s);
		}
	}
}

bool
media_srtp_supported(enum media_srtp_suite s)
{
	size_t	 i;

	pthread_once(&media_srtp_once, media_srtp_init);
	for (i = 0; i < nitems(media_srtp_table); i++) {
		if (media_srtp_table[i].suite == s)
			return media_srtp_works[i];
	}
	return false;
}

int
media_srtp_suites(enum media_srtp_suite *out, int max)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < nitems(media_srtp_table) && n < max; i++) {
		if (media_srtp_supported(media_srtp_table[i].suite))
			out[n++] = media_srtp_table[i].suite;
	}
	return n;
}

const char *
media_srtp_suite_name(enum media_srtp_suite s)
{
	const struct media_srtp_info	*si = media_srtp_info(s);

	return si != NULL ? si->name : NULL;
}

int
media_srtp_keygen(struct media_srtp_crypto *c, enum media_srtp_suite s,
    int tag)
{
	const struct media_srtp_info	*si = media_srtp_info(s);

	memset(c, 0, sizeof *c);
	if (si == NULL || tag < 1)
		return -EINVAL;
	if (RAND_bytes(c->key, (int)si->key_len) != 1)
		return -EIO;
	c->tag = tag;
	c->suite = s;
	c->key_len = si->key_len;
	return 0;
}

void
media_srtp_crypto_wipe(struct media_srtp_crypto *c)
{
	util_wipe(c, sizeof *c);
}

int
media_srtp_crypto_format(const struct media_srtp_crypto *c, char *buf,
    size_t len)
{
	const struct media_srtp_info	*si = media_srtp_info(c->suite);
	unsigned char			 b64[MEDIA_SRTP_KEY_MAX * 2];
	int				 n;

	if (si == NULL || c->key_len != si->key_len)
		return -EINVAL;
	EVP_EncodeBlock(b64, c->key, (int)c->key_len);
	n = snprintf(buf, len, "%d %s inline:%s", c->tag, si->name, b64);
	util_wipe(b64, sizeof b64);
	if (n < 0 || (size_t)n >= len) {
		util_wipe(buf, len);
		return -ENOSPC;
	}
	return n;
}

/*
 * Decode base64 without padding surprises: EVP_DecodeBlock counts the
 * padding as zero bytes, so take the length from the '=' count.
 */
static int
media_srtp_b64(const char *in, size_t len, uint8_t *out, size_t cap)
{
	unsigned char	 tmp[MEDIA_SRTP_KEY_MAX * 2];
	size_t		 pad = 0, i;
	int		 n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof tmp)
		return -1;
	for (i = 0; i < len; i++) {
		char ch = in[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' ||
		    (ch == '=' && i >= len - 2)))
			return -1;
	}
	if (in[len - 1] == '=')
		pad++;
	if (in[len - 2] == '=')
		pad++;
	n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > cap) {
		util_wipe(tmp, sizeof tmp);
		return -1;
	}
	n -= (int)pad;
	memcpy(out, tmp, (size_t)n);
	util_wipe(tmp, sizeof tmp);
	return n;
}

int
media_srtp_crypto_parse(const char *value, struct media_srtp_crypto *c,
    char **cause)
{
	const char	*p = value, *suite, *key, *end;
	size_t		 slen, klen, i;
	long		 tag;
	char		*e;
	int		 n;

	memset(c, 0, sizeof *c);
	/* tag */
	tag = strtol(p, &e, 10);
	if (e == p || tag < 1 || tag > 999999999 || (*e != ' ' && *e != '\t')) {
		*cause = xstrdup("a=crypto: bad tag");
		return -EINVAL;
	}
	p = e;
	while (*p == ' ' || *p == '\t')
		p++;
	suite = p;
	slen = strcspn(p, " \t");
	p += slen;
	while (*p == ' ' || *p == '\t')
		p++;
	/* ABNF strings are case-insensitive (RFC 5234 2.3): "INLINE:"
	 * and "aes_cm_128_hmac_sha1_80" are as good as ours. */
	if (slen == 0 || strncasecmp(p, "inline:", 7) != 0) {
		*cause = xstrdup("a=crypto: expected a suite and inline: key parameters");
		return -EINVAL;
	}
	key = p + 7;
	klen = strcspn(key, "| \t;");
	end = key + klen;
	/* Lifetime and MKI: accept a lifetime, refuse an MKI (we never
	 * send one, and libsrtp would have to know it). */
	if (*end == '|') {
		const char	*lt = end + 1;
		size_t		 ltl = strcspn(lt, "| \t;");

		if (memchr(lt, ':', ltl) != NULL) {
			*cause = xstrdup("a=crypto: MKI is not supported");
			return -ENOTSUP;
		}
		end = lt + ltl;
		if (*end == '|') {
			*cause = xstrdup("a=crypto: MKI is not supported");
			return -ENOTSUP;
		}
	}
	if (*end == ';') {
		*cause = xstrdup("a=crypto: several keys are not supported");
		return -ENOTSUP;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' && *end != '\r' && *end != '\n') {
		/* Session parameters (UNENCRYPTED_SRTP, KDR, ...) change the
		 * protection; we do not take part-protected streams. */
		*cause = xstrdup("a=crypto: session parameters are not supported");
		return -ENOTSUP;
	}
	for (i = 0; i < nitems(media_srtp_table); i++) {
		if (strlen(media_srtp_table[i].name) == slen &&
		    strncasecmp(media_srtp_table[i].name, suite, slen) == 0)
			break;
	}
	if (i == nitems(media_srtp_table)) {
		xasprintf(cause, "a=crypto: unknown suite %.*s",
		    (int)(slen < 40 ? slen : 40), suite);
		return -ENOTSUP;
	}
	n = media_srtp_b64(key, klen, c->key, sizeof c->key);
	if (n < 0 || (size_t)n != media_srtp_table[i].key_len) {
		util_wipe(c, sizeof *c);
		*cause = xstrdup("a=crypto: bad key length");
		return -EINVAL;
	}
	c->tag = (int)tag;
	c->suite = media_srtp_table[i].suite;
	c->key_len = (size_t)n;
	return 0;
}

struct media_srtp *
media_srtp_new(const struct media_srtp_crypto *tx,
    const struct media_srtp_crypto *rx, char **cause)
{
	const struct media_srtp_info	*ti = media_srtp_info(tx->suite);
	const struct media_srtp_info	*ri = media_srtp_info(rx->suite);
	struct media_srtp		*ms;
	srtp_policy_t			 p[2];
	uint8_t				 tk[MEDIA_SRTP_KEY_MAX], rk[MEDIA_SRTP_KEY_MAX];
	srtp_err_status_t		 err;

	pthread_once(&media_srtp_once, media_srtp_init);
	if (!media_srtp_ok) {
		*cause = xstrdup(media_srtp_error);
		return NULL;
	}
	if (ti == NULL || ri == NULL || !media_srtp_supported(tx->suite) ||
	    !media_srtp_supported(rx->suite)) {
		*cause = xstrdup("unsupported SRTP suite");
		return NULL;
	}
	memcpy(tk, tx->key, sizeof tk);
	memcpy(rk, rx->key, sizeof rk);
	memset(p, 0, sizeof p);
	media_srtp_lib.policy[ti - media_srtp_table](&p[0].rtp);
	media_srtp_lib.policy[ti - media_srtp_table](&p[0].rtcp);
	p[0].ssrc.type = ssrc_any_outbound;
	p[0].key = tk;
	p[0].window_size = 1024;
	media_srtp_lib.policy[ri - media_srtp_table](&p[1].rtp);
	media_srtp_lib.policy[ri - media_srtp_table](&p[1].rtcp);
	p[1].ssrc.type = ssrc_any_inbound;
	p[1].key = rk;
	p[1].window_size = 1024;
	ms = xcalloc(1, sizeof *ms);
	if ((err = media_srtp_lib.create(&ms->tx, &p[0])) != srtp_err_status_ok ||
	    (err = media_srtp_lib.create(&ms->rx, &p[1])) != srtp_err_status_ok) {
		xasprintf(cause, "cannot create the SRTP session (libsrtp2 error %d)",
		    (int)err);
		if (ms->tx != NULL)
			media_srtp_lib.dealloc(ms->tx);
		free(ms);
		ms = NULL;
	}
	util_wipe(tk, sizeof tk);
	util_wipe(rk, sizeof rk);
	return ms;
}

void
media_srtp_free(struct media_srtp *ms)
{
	if (ms == NULL)
		return;
	media_srtp_lib.dealloc(ms->tx);	/* wipes the keys it holds */
	media_srtp_lib.dealloc(ms->rx);
	free(ms);
}

int
media_srtp_protect(struct media_srtp *ms, uint8_t *buf, int *len)
{
	return media_srtp_lib.protect(ms->tx, buf, len) == srtp_err_status_ok ? 0 : -1;
}

int
media_srtp_protect_rtcp(struct media_srtp *ms, uint8_t *buf, int *len)
{
	return media_srtp_lib.protect_rtcp(ms->tx, buf, len) == srtp_err_status_ok ?
	    0 : -1;
}

int
media_srtp_unprotect(struct media_srtp *ms, uint8_t *buf, int *len)
{
	if (*len < 12 || media_srtp_lib.unprotect(ms->rx, buf, len) != srtp_err_status_ok) {
		ms->rejected++;
		return -1;
	}
	return 0;
}

int
media_srtp_unprotect_rtcp(struct media_srtp *ms, uint8_t *buf, int *len)
{
	if (*len < 8 ||
	    media_srtp_lib.unprotect_rtcp(ms->rx, buf, len) != srtp_err_status_ok) {
		ms->rejected++;
		return -1;
	}
	return 0;
}

unsigned long
media_srtp_rejected(const struct media_srtp *ms)
{
	return ms->rejected;
}
