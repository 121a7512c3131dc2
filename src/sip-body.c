/*
 * sip-body.c: what the body of an INVITE offers, read as RFC 3261 7.4
 * and 20.11 and RFC 5621 ask: the session description, in a body of its
 * own or as a part of a multipart one, and whether the rest of the body
 * lets us take the request at all.
 *
 * Sofia's nua (NUTAG_ACCEPT_MULTIPART) parses a multipart body before we
 * see the request and hands soa its first top-level application/sdp
 * part as the offer. That choice is ours to make, so it is made here, in
 * front of Sofia: msg_multipart_parse, which nua calls through the
 * dynamic linker, is defined here too (as sip-sdp-guard.c does with the
 * SDP parser) and puts the part RFC 2046 and RFC 5621 pick first. It also
 * stands between the network and the bugs of Debian's Sofia 1.12.11
 * there: the parser asserts on a NUL byte in a part's headers and reads
 * past the end of some bodies (one datagram would end the phone), leaks
 * when there is no boundary to be found, shortens the body to its
 * preamble (after which nua takes a multipart INVITE for one without an
 * offer), and the home it moves the parts into can leak.
 *
 * sip_body_read then takes the same part and checks the rest around it:
 * a part we do not read must say handling=optional, or the request gets
 * 415 (RFC 3261 20.11: "required" is the default); a body with nothing
 * we read gets 415 too. Nested multiparts are not read.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sip-int.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/msg_mime.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

typedef msg_multipart_t *(*sip_body_parse_t)(su_home_t *,
    msg_content_type_t const *, msg_payload_t *);

static sip_body_parse_t	 sip_body_real;
static pthread_once_t	 sip_body_once = PTHREAD_ONCE_INIT;

static bool
sip_body_is(msg_content_type_t const *c, const char *type)
{
	return c != NULL && c->c_type != NULL && strcasecmp(c->c_type, type) == 0;
}

static bool
sip_body_is_multipart(msg_content_type_t const *c)
{
	return c != NULL && c->c_type != NULL &&
	    strncasecmp(c->c_type, "multipart/", 10) == 0;
}

/* A part nua could take for the offer (session_get_multipart_description). */
static bool
sip_body_is_sdp(msg_multipart_t const *mp)
{
	return sip_body_is(mp->mp_content_type, "application/sdp") &&
	    mp->mp_payload != NULL;
}

/* Content-Disposition session, or none (RFC 5621 3.2: application/sdp
 * defaults to session). */
static bool
sip_body_is_session(msg_content_disposition_t const *cd)
{
	return cd == NULL || cd->cd_type == NULL ||
	    strcasecmp(cd->cd_type, "session") == 0;
}

/*
 * The part with the session description: of multipart/alternative the
 * last SDP (RFC 2046 5.1.4: alternatives come in increasing order of
 * preference), of any other kind the first SDP that is the session's.
 */
static msg_multipart_t *
sip_body_pick(msg_content_type_t const *c, msg_multipart_t *all)
{
	msg_multipart_t	*mp, *pick = NULL;
	bool		 alt = sip_body_is(c, "multipart/alternative");

	for (mp = all; mp != NULL; mp = mp->mp_next) {
		if (!sip_body_is_sdp(mp))
			continue;
		if (alt)
			pick = mp;
		else if (sip_body_is_session(mp->mp_content_disposition))
			return mp;
	}
	return pick;
}

/*
 * Can Sofia's parser take the body PL of type C? It reads each part's
 * headers up to the empty line, and a NUL byte there ends a header with
 * no line end: msg_extract_header() reads nothing, and
 * msg_multipart_parse() asserts (loops for ever without asserts). So a
 * NUL between a delimiter and its part's empty line is refused; payloads
 * may hold any bytes (ISUP does). Delimiters are found as Sofia finds
 * them: "--BOUNDARY" at the start, "\n--BOUNDARY" anywhere; the lines
 * after a close-delimiter are looked at too (Sofia takes the first
 * delimiter it finds for an opening one, whatever follows it).
 */
static bool
sip_body_safe(su_home_t *home, msg_content_type_t const *c,
    msg_payload_t const *pl)
{
	const char	*b, *p = pl->pl_data, *end = p + pl->pl_len, *q;
	char		*bound;
	size_t		 blen;

	if (p == NULL)
		return false;
	/* RFC 2046 5.1.1: the boundary parameter is required. Without it
	 * Sofia guesses one, and leaks when it finds none. */
	b = c != NULL ? msg_header_find_param(c->c_common, "boundary=") : NULL;
	if (b == NULL)
		return false;
	bound = b[0] == '"' ? msg_unquote_dup(home, b) : su_strdup(home, b);
	if (bound == NULL)
		return false;
	blen = strlen(bound);
	for (q = p; q < end; q++) {
		if (q == p && (size_t)(end - q) >= blen + 2 &&
		    memcmp(q, "--", 2) == 0 && memcmp(q + 2, bound, blen) == 0)
			q += 2 + blen;
		else if (*q == '\n' && (size_t)(end - q) >= blen + 3 &&
		    memcmp(q + 1, "--", 2) == 0 && memcmp(q + 3, bound, blen) == 0)
			q += 3 + blen;
		else
			continue;
		while (q < end && *q == ' ')
			q++;
		if (q < end && *q == '\r')
			q += q + 1 < end && q[1] == '\n' ? 2 : 1;
		else if (q < end && *q == '\n')
			q++;
		/* The part's header lines, to the empty one. */
		while (q < end && *q != '\r' && *q != '\n') {
			for (; q < end && *q != '\r' && *q != '\n'; q++) {
				if (*q == '\0')
					return false;
			}
			if (q < end && *q == '\r')
				q += q + 1 < end && q[1] == '\n' ? 2 : 1;
			else if (q < end)
				q++;
		}
		q--;	/* the loop steps on: a delimiter may start here */
	}
	return true;
}

static void
sip_body_init(void)
{
	*(void **)&sip_body_real = dlsym(RTLD_NEXT, "msg_multipart_parse");
}

/* Called by nua on Sofia's stack thread, and by sip_body_read. */
msg_multipart_t *
msg_multipart_parse(su_home_t *home, msg_content_type_t const *c,
    msg_payload_t *pl)
{
	msg_multipart_t	*all, *pick, **pp;
	msg_payload_t	*copy;
	su_home_t	*sub;
	const char	*b;
	size_t		 pad;

	pthread_once(&sip_body_once, sip_body_init);
	if (sip_body_real == NULL || pl == NULL || pl->pl_data == NULL)
		return NULL;
	/*
	 * Parsed into a home of its own, freed with HOME: the parser
	 * su_home_move()s its parts into the home it is given, and when that
	 * grows the home's table it forgets the home was malloc'ed (a
	 * message's, as nua's is): the message is then never freed.
	 */
	if ((sub = su_home_clone(home, sizeof *sub)) == NULL)
		return NULL;
	if (!sip_body_safe(sub, c, pl))
		return NULL;		/* nua answers 400 Bad multipart body */
	/*
	 * From a copy with NUL bytes after it, which the parser may read: it
	 * looks past a body that ends right after a delimiter, and a
	 * delimiter's length into one shorter than that. It also shortens
	 * the payload it is given to the preamble, after which nua would
	 * take the request for one without an offer: PL stays as it is.
	 */
	b = msg_header_find_param(c->c_common, "boundary=");
	pad = strlen(b) + 8;
	if ((copy = msg_payload_create(sub, NULL, pl->pl_len + pad)) == NULL)
		return NULL;
	memcpy((char *)copy->pl_data, pl->pl_data, pl->pl_len);
	copy->pl_len = pl->pl_len;
	copy->pl_common->h_len = pl->pl_len;
	all = sip_body_real(sub, c, copy);
	if (all == NULL || (pick = sip_body_pick(c, all)) == NULL)
		return all;
	/* First among the SDP parts is first of all. */
	for (pp = &all; *pp != pick; pp = &(*pp)->mp_next)
		;
	*pp = pick->mp_next;
	pick->mp_next = all;
	return pick;
}

/* "an application/isup part" (msg_multipart_parse may have put the
 * session's SDP first, so numbers would mislead) */
static void
sip_body_name(char *out, size_t len, msg_multipart_t const *mp)
{
	msg_content_type_t const	*c = mp->mp_content_type;
	const char			*t = c != NULL && c->c_type != NULL ?
	    c->c_type : "text/plain";

	snprintf(out, len, "%s %.40s part", strchr("aeiouAEIOU", t[0]) != NULL ?
	    "an" : "a", t);
}

static void
sip_body_refuse(struct sip_body *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
sip_body_refuse(struct sip_body *b, const char *fmt, ...)
{
	va_list	 ap;

	b->code = 415;
	b->sdp = NULL;
	b->sdp_len = 0;
	va_start(ap, fmt);
	vsnprintf(b->why, sizeof b->why, fmt, ap);
	va_end(ap);
}

/* Does the multipart part MP hold an SDP part (one level down)? */
static bool
sip_body_nested_sdp(su_home_t *home, msg_multipart_t const *mp)
{
	msg_payload_t	*pl;
	msg_multipart_t	*in;

	if (mp->mp_payload == NULL || mp->mp_payload->pl_len == 0)
		return false;
	pl = msg_payload_create(home, mp->mp_payload->pl_data,
	    mp->mp_payload->pl_len);
	if (pl == NULL ||
	    (in = msg_multipart_parse(home, mp->mp_content_type, pl)) == NULL)
		return false;
	for (; in != NULL; in = in->mp_next) {
		if (sip_body_is_sdp(in))
			return true;
	}
	return false;
}

static void
sip_body_parts(su_home_t *home, msg_content_type_t const *c,
    msg_multipart_t *all, struct sip_body *b)
{
	msg_multipart_t	*mp, *sdp;
	char		 name[64];
	bool		 alt = sip_body_is(c, "multipart/alternative");
	int		 n = 0;

	/* What nua gave soa: msg_multipart_parse put the session's first,
	 * if there is one. */
	for (sdp = all; sdp != NULL && !sip_body_is_sdp(sdp); sdp = sdp->mp_next)
		;
	if (sdp != NULL && !sip_body_is_session(sdp->mp_content_disposition)) {
		sip_body_refuse(b, "the body's SDP is Content-Disposition: %.32s, "
		    "not a session description",
		    sdp->mp_content_disposition->cd_type);
		return;
	}
	if (sdp != NULL) {
		b->sdp = sdp->mp_payload->pl_data;
		b->sdp_len = sdp->mp_payload->pl_len;
	}
	for (mp = all; mp != NULL; mp = mp->mp_next) {
		n++;
		if (mp == sdp || alt)
			continue;	/* ours, or an alternative we pass */
		if (mp->mp_content_disposition != NULL &&
		    mp->mp_content_disposition->cd_optional)
			continue;
		sip_body_name(name, sizeof name, mp);
		if (sdp == NULL && sip_body_is_multipart(mp->mp_content_type) &&
		    sip_body_nested_sdp(home, mp))
			sip_body_refuse(b, "the session description is in %s "
			    "(a nested multipart), which tsphone does not read",
			    name);
		else if (sdp == NULL)
			sip_body_refuse(b, "no session description (application/sdp) "
			    "in the %.32s body", c->c_type);
		else
			sip_body_refuse(b, "%s is required (no handling=optional) "
			    "and tsphone cannot use it", name);
		return;
	}
	if (sdp == NULL && (alt || n == 0))
		sip_body_refuse(b, "no session description (application/sdp) "
		    "in the %.32s body", c->c_type);
}

/* Would nua find an offer in this body (session_get_description)? */
static bool
sip_body_has_sdp(msg_content_type_t const *c, msg_payload_t const *pl,
    msg_multipart_t *mp)
{
	if (mp != NULL) {
		for (; mp != NULL; mp = mp->mp_next) {
			if (sip_body_is_sdp(mp))
				return true;
		}
		return false;
	}
	if (c == NULL || c->c_type == NULL)
		return pl->pl_len >= 3 && strncmp(pl->pl_data, "v=0", 3) == 0;
	return sip_body_is(c, "application/sdp");
}

void
sip_body_read(su_home_t *home, sip_t const *sip, struct sip_body *b)
{
	msg_content_type_t const	*c = sip->sip_content_type;
	msg_content_disposition_t const	*cd = sip->sip_content_disposition;
	msg_payload_t const		*pl = sip->sip_payload;
	msg_payload_t			*copy;
	msg_multipart_t			*mp = sip->sip_multipart;

	memset(b, 0, sizeof *b);
	if (mp == NULL && (pl == NULL || pl->pl_len == 0 || pl->pl_data == NULL))
		return;				/* no body: no offer */
	if (mp == NULL && sip_body_is_multipart(c)) {
		/* nua did not parse it (a request of our tests): as it would. */
		copy = msg_payload_create(home, pl->pl_data, pl->pl_len);
		if (copy == NULL ||
		    (mp = msg_multipart_parse(home, c, copy)) == NULL) {
			b->code = 400;
			snprintf(b->why, sizeof b->why, "unreadable %.32s body",
			    c->c_type);
			return;
		}
	}
	if (!sip_body_is_session(cd)) {
		/* An optional body we do not read is ignored, but nua takes
		 * any SDP in it for an offer all the same. */
		if (cd->cd_optional && !sip_body_has_sdp(c, pl, mp))
			return;
		sip_body_refuse(b, "the body is Content-Disposition: %.32s, "
		    "not a session description", cd->cd_type);
		return;
	}
	if (mp != NULL) {
		sip_body_parts(home, c, mp, b);
		return;
	}
	if (sip_body_has_sdp(c, pl, NULL)) {
		b->sdp = pl->pl_data;
		b->sdp_len = pl->pl_len;
		return;
	}
	sip_body_refuse(b, "a %.40s body, not a session description",
	    c != NULL && c->c_type != NULL ? c->c_type : "typeless");
}
