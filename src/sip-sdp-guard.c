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
 * real parser.
 *
 * What it refuses, and what Sofia's parser fails on, comes back as a
 * valid description with no media whose SIP_SDP_BAD_ATTR attribute says
 * why. Were the parse to fail, nua would answer the INVITE with a bare
 * "400 Bad Session Description" before tsphone sees it; this way the
 * request reaches sip-call.c, which answers 400 with a Warning that says
 * what is wrong (RFC 3261 20.43) and logs it, and sip-sdp.c reads the
 * attribute as the parse error it stands for.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
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
 * Is one line ("x=..." without its end of line) safe for Sofia? NULL if
 * so, else why not. An m= line must have RFC 4566's shape, word by word:
 * m=<media> <port>[/<n>] <proto> <fmt> ..., with tokens where tokens
 * belong. The fuzzer checks this against Sofia's own tokeniser
 * (tests/fuzz/fuzz-sdp.c).
 */
static const char *
sip_sdp_guard_line(const char *p, size_t len)
{
	const char	*end = p + len, *w;
	size_t		 n, digits;
	int		 field = 0;

	if (len == 0)
		return NULL;	/* blank lines: Sofia skips them */
	if (len < 2 || p[1] != '=')
		return "a line that is not type=value";
	if (p[0] != 'm')
		return NULL;
	/* Single spaces only: Sofia skips no tab after the protocol, and
	 * then loops on the format list. */
	if (memchr(p, '\t', len) != NULL)
		return "a tab in an m= line";
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
				return field == 1 ? "a bad media type in an m= line" :
				    "a bad transport in an m= line";
			break;
		case 1:		/* port[/count] */
			digits = strspn(w, "0123456789");
			if (digits == 0 || digits > n)
				return "a bad port in an m= line";
			if (digits < n && (w[digits] != '/' || digits + 1 == n ||
			    strspn(w + digits + 1, "0123456789") != n - digits - 1))
				return "a bad port in an m= line";
			break;
		default:	/* formats */
			if (!sip_sdp_guard_word(w, n, false))
				return "a bad format in an m= line";
			break;
		}
	}
	return NULL;
}

/* Why MSG (SIZE bytes) is not safe for Sofia's parser, or NULL. */
static const char *
sip_sdp_guard_why(const char *msg, size_t size)
{
	const char	*p = msg, *end = msg + size, *why;
	size_t		 len;

	if (msg == NULL)
		return "no SDP";
	/* Lines as Sofia splits them: at any CR or LF. */
	while (p < end) {
		len = 0;
		while (p + len < end && p[len] != '\r' && p[len] != '\n')
			len++;
		if (memchr(p, '\0', len) != NULL)
			return "a NUL byte";
		if ((why = sip_sdp_guard_line(p, len)) != NULL)
			return why;
		p += len + 1;
	}
	return NULL;
}

bool
sip_sdp_guard_ok(const char *msg, size_t size)
{
	return sip_sdp_guard_why(msg, size) == NULL;
}

static sip_sdp_guard_parse_t	 sip_sdp_guard_real;
static pthread_once_t		 sip_sdp_guard_once = PTHREAD_ONCE_INIT;

static void
sip_sdp_guard_init(void)
{
	*(void **)&sip_sdp_guard_real = dlsym(RTLD_NEXT, "sdp_parse");
}

/*
 * Parse, with the real parser, a description with no media that stands
 * for SDP refused because of WHY (any text: only printable ASCII of it
 * is kept, so it cannot break the line it goes in).
 */
static sdp_parser_t *
sip_sdp_guard_refuse(sip_sdp_guard_parse_t real, su_home_t *home,
    const char *why, int flags)
{
	char	 text[256], clean[128];
	size_t	 i;

	for (i = 0; why[i] != '\0' && i < sizeof clean - 1; i++)
		clean[i] = why[i] >= 0x20 && why[i] < 0x7f ? why[i] : '?';
	clean[i] = '\0';
	snprintf(text, sizeof text, "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\n"
	    "t=0 0\r\na=%s:%s\r\n", SIP_SDP_BAD_ATTR, clean);
	return real(home, text, (issize_t)strlen(text), flags);
}

/* Called from Sofia's stack thread (soa) and the loop thread alike. */
sdp_parser_t *
sdp_parse(su_home_t *home, char const msg[], issize_t msgsize, int flags)
{
	sip_sdp_guard_parse_t	 real;
	sdp_parser_t		*p;
	const char		*why;
	char			 err[128];
	size_t			 size;

	pthread_once(&sip_sdp_guard_once, sip_sdp_guard_init);
	real = sip_sdp_guard_real;
	if (real == NULL)
		return NULL;	/* callers treat NULL as a failed parse */
	size = msgsize < 0 ? (msg != NULL ? strlen(msg) : 0) : (size_t)msgsize;
	if ((why = sip_sdp_guard_why(msg, size)) != NULL)
		return sip_sdp_guard_refuse(real, home, why, flags);
	p = real(home, msg, msgsize, flags);
	if (p == NULL || sdp_session(p) != NULL)
		return p;
	snprintf(err, sizeof err, "%s", sdp_parsing_error(p) != NULL ?
	    sdp_parsing_error(p) : "unparsable");
	sdp_parser_free(p);
	return sip_sdp_guard_refuse(real, home, err, flags);
}
