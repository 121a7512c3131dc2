/*
 * sip-sdp-guard.c: a gate in front of Sofia-SIP's SDP parser.
 *
 * Debian 12's Sofia-SIP (1.12.11+20110422) lacks two upstream fixes in
 * sdp_parse(): an m= line whose format list holds a byte outside the SDP
 * token set makes parse_media() allocate forever (freeswitch/sofia-sip
 * a953f25: one INVITE eats all memory), and a one-character line is read
 * past its end (c07f05a). soa parses every offer before tsphone sees it,
 * so the only place to stop such SDP is sdp_parse itself: tsphone defines
 * it, the dynamic linker binds Sofia's own calls (made through its PLT)
 * to this definition, and this one hands only well-formed text on to the
 * real parser. Anything else is replaced by a description Sofia refuses
 * cleanly, so the offer is answered with an error instead.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <sofia-sip/sdp.h>

#include "sip-sdp.h"

typedef sdp_parser_t *(*sip_sdp_guard_parse_t)(su_home_t *, char const *,
    issize_t, int);

/* RFC 4566 token characters (what a format list may hold). */
static bool
sip_sdp_guard_token(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || strchr("!#$%&'*+-.^_`{|}~", c) != NULL;
}

/* Is P[0..LEN) a non-empty run of token characters (and '/' if SLASH)? */
static bool
sip_sdp_guard_word(const char *p, size_t len, bool slash)
{
	size_t	 i;

	if (len == 0 || p[0] == '/' || p[len - 1] == '/')
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] == '/' && slash && p[i + 1] != '/')
			continue;
		if (!sip_sdp_guard_token((unsigned char)p[i]))
			return false;
	}
	return true;
}

/*
 * Is one line ("x=..." without its end of line) safe for Sofia? An m=
 * line must have RFC 4566's shape, word by word: m=<media> <port>[/<n>]
 * <proto> <fmt> ..., with tokens where tokens belong. The fuzzer checks
 * this against Sofia's own tokeniser (tests/fuzz/fuzz-sdp.c).
 */
static bool
sip_sdp_guard_line(const char *p, size_t len)
{
	const char	*end = p + len, *w;
	size_t		 n, digits;
	int		 field = 0;

	if (len == 0)
		return true;	/* blank lines: Sofia skips them */
	if (len < 2 || p[1] != '=')
		return false;
	if (p[0] != 'm')
		return true;
	/* Single spaces only: Sofia skips no tab after the protocol, and
	 * then loops on the format list. */
	if (memchr(p, '\t', len) != NULL)
		return false;
	for (p += 2; p < end; p += n) {
		if (*p == ' ') {
			n = 1;
			continue;
		}
		w = p;
		n = 0;
		while (p + n < end && p[n] != ' ')
			n++;
		switch (field++) {
		case 0:		/* media */
		case 2:		/* proto, e.g. RTP/AVP */
			if (!sip_sdp_guard_word(w, n, field == 3))
				return false;
			break;
		case 1:		/* port[/count] */
			digits = strspn(w, "0123456789");
			if (digits == 0 || digits > n)
				return false;
			if (digits < n && (w[digits] != '/' || digits + 1 == n ||
			    strspn(w + digits + 1, "0123456789") != n - digits - 1))
				return false;
			break;
		default:	/* formats */
			if (!sip_sdp_guard_word(w, n, false))
				return false;
			break;
		}
	}
	return true;
}

bool
sip_sdp_guard_ok(const char *msg, size_t size)
{
	const char	*p = msg, *end = msg + size;
	size_t		 len;

	if (msg == NULL)
		return false;
	/* Lines as Sofia splits them: at any CR or LF. */
	while (p < end) {
		len = 0;
		while (p + len < end && p[len] != '\r' && p[len] != '\n')
			len++;
		if (memchr(p, '\0', len) != NULL || !sip_sdp_guard_line(p, len))
			return false;
		p += len + 1;
	}
	return true;
}

static sip_sdp_guard_parse_t	 sip_sdp_guard_real;
static pthread_once_t		 sip_sdp_guard_once = PTHREAD_ONCE_INIT;

static void
sip_sdp_guard_init(void)
{
	*(void **)&sip_sdp_guard_real = dlsym(RTLD_NEXT, "sdp_parse");
}

/* Called from Sofia's stack thread (soa) and the loop thread alike. */
sdp_parser_t *
sdp_parse(su_home_t *home, char const msg[], issize_t msgsize, int flags)
{
	static const char	 refused[] = "x";
	sip_sdp_guard_parse_t	 real;
	size_t			 size;

	pthread_once(&sip_sdp_guard_once, sip_sdp_guard_init);
	real = sip_sdp_guard_real;
	if (real == NULL)
		return NULL;	/* callers treat NULL as a failed parse */
	size = msgsize < 0 ? (msg != NULL ? strlen(msg) : 0) : (size_t)msgsize;
	if (!sip_sdp_guard_ok(msg, size))
		return real(home, refused, (issize_t)strlen(refused), flags);
	return real(home, msg, msgsize, flags);
}
