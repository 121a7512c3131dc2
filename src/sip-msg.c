/*
 * sip-msg.c: MESSAGE and unsolicited message-summary NOTIFY, answered by
 * us rather than by the stack, so that nothing is dropped unseen.
 *
 * Left to itself, nua answers a MESSAGE 200 and drops its body, and an
 * unsolicited NOTIFY gets 481 (nua_notify_server_preprocess: a NOTIFY
 * with no subscription is passed up only when NOTIFY is an application
 * method). With "MESSAGE, NOTIFY" added to NUTAG_APPL_METHOD, both reach
 * the callback with status 100 and we answer them there, with
 * NUTAG_WITH_THIS: a MESSAGE 200 when it is UTF-8 text (415 otherwise),
 * a message-summary NOTIFY 200, any other unsolicited NOTIFY 481 as
 * before. NOTIFYs within our own subscriptions (a REFER's) are still
 * answered by the stack. NUTAG_ALLOW_EVENTS is not set: it would make nua
 * accept SUBSCRIBEs to message-summary as a notifier, which we are not.
 *
 * What came is reported through the handler after the callback has
 * returned (loop_defer). The handles the stack made for these requests
 * are freed by sip-ua.c, once, after the callback.
 *
 * Our own MESSAGEs (sip_msg_send) each get a handle of their own, bound
 * to a struct sip_msg_out: routed like the account's calls (its proxy or
 * registrar as a preloaded Route, a first hop named by a host name
 * looked up by sip-dns.c), challenged and answered with the account's
 * secret, and freed once the owner has let go and the final answer is
 * in, never from inside the callback that brought it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip-int.h"

#include <sofia-sip/msg_header.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-dns.h"
#include "sip-msg.h"
#include "sip-uri.h"
#include "sip-why.h"
#include "util.h"

/* What we take, as we say it in 415 answers (Accept). */
#define SIP_MSG_ACCEPT		"text/plain;charset=UTF-8"
/* Answers to challenges per MESSAGE (one, and one for a stale nonce). */
#define SIP_MSG_AUTH_MAX	2
/*
 * What a MESSAGE carries besides its text (request line, Via, From, To,
 * Call-ID, CSeq, Max-Forwards, Content-Type, Content-Length, User-Agent,
 * maybe Authorization): counted with the URIs on top, it decides whether
 * the request fits UDP.
 */
#define SIP_MSG_HEADERS		500

struct sip_msg_item {
	struct sip_msg_report	 r;
};

static sip_msg_h		 sip_msg_handler;
static void			*sip_msg_arg;

void
sip_msg_set_handler(sip_msg_h h, void *arg)
{
	sip_msg_handler = h;
	sip_msg_arg = arg;
}

void
sip_msg_start(void)
{
	if (sip_ua_nua() != NULL)
		nua_set_params(sip_ua_nua(),
		    NUTAG_APPL_METHOD("MESSAGE, NOTIFY"), TAG_END());
}

/* One report, on the loop after the callback (loop_defer keeps order). */
static void
sip_msg_deliver(void *arg)
{
	struct sip_msg_item	*it = arg;

	if (sip_msg_handler != NULL)
		sip_msg_handler(&it->r, sip_msg_arg);
	free(it);
}

static void
sip_msg_queue(const struct sip_msg_report *r)
{
	struct sip_msg_item	*it = xcalloc(1, sizeof *it);

	it->r = *r;
	loop_defer(sip_msg_deliver, it);
}

bool
sip_msg_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + len;
	unsigned int		 c;
	int			 n, i;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1, c = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2, c = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3, c = *p & 0x07;
		else
			return false;
		if (end - p <= n)
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* Copy LEN bytes of UTF-8 into OUT (SIZE), cut at a character boundary. */
static void
sip_msg_copy_text(char *out, size_t size, const char *s, size_t len)
{
	if (len >= size) {
		len = size - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

/* The value of a "Name: value" line of BODY, or NULL; *VLEN its length. */
static const char *
sip_msg_line(const char *body, size_t len, const char *name, size_t *vlen)
{
	const char	*p = body, *end = body + len, *eol, *v;
	size_t		 nlen = strlen(name);

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 &&
		    p[nlen] == ':') {
			v = p + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen > 0 && (v[*vlen - 1] == '\r' ||
			    v[*vlen - 1] == ' ' || v[*vlen - 1] == '\t'))
				(*vlen)--;
			return v;
		}
		if (eol == end)
			break;
	}
	return NULL;
}

/* A count of at most 9 digits; -1 if none. */
static int
sip_msg_count(const char **p, const char *end)
{
	int	 n = 0, digits = 0;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*p < end && **p >= '0' && **p <= '9' && digits < 9) {
		n = n * 10 + (**p - '0');
		digits++;
		(*p)++;
	}
	return digits > 0 ? n : -1;
}

int
sip_msg_mwi_parse(const char *body, size_t len, struct sip_mwi *mwi)
{
	const char	*v, *end;
	size_t		 vlen;
	int		 n, o;

	memset(mwi, 0, sizeof *mwi);
	if (body == NULL ||
	    (v = sip_msg_line(body, len, "Messages-Waiting", &vlen)) == NULL)
		return -1;
	if (vlen == 3 && strncasecmp(v, "yes", 3) == 0)
		mwi->waiting = true;
	else if (!(vlen == 2 && strncasecmp(v, "no", 2) == 0))
		return -1;
	/* "Voice-Message: NEW/OLD (URGENT_NEW/URGENT_OLD)" */
	if ((v = sip_msg_line(body, len, "Voice-Message", &vlen)) != NULL) {
		end = v + vlen;
		n = sip_msg_count(&v, end);
		if (n >= 0 && v < end && *v == '/') {
			v++;
			o = sip_msg_count(&v, end);
			if (o >= 0) {
				mwi->new_msgs = n;
				mwi->old_msgs = o;
			}
		}
	}
	return 0;
}

/* The user parts of the Request-URI and To, and the peer, into R. */
static void
sip_msg_parties(struct sip_msg_report *r, sip_t const *sip)
{
	if (sip == NULL)
		return;
	if (sip->sip_request != NULL &&
	    sip->sip_request->rq_url->url_user != NULL)
		util_strlcpy(r->ruri_user, sip->sip_request->rq_url->url_user,
		    sizeof r->ruri_user);
	if (sip->sip_to != NULL && sip->sip_to->a_url->url_user != NULL)
		util_strlcpy(r->to_user, sip->sip_to->a_url->url_user,
		    sizeof r->to_user);
	sip_call_party(sip->sip_from, r->peer, sizeof r->peer);
}

/* Is the charset parameter of CT one we read as UTF-8 (or absent)? */
static bool
sip_msg_charset_ok(sip_content_type_t const *ct, char *name, size_t size)
{
	const char	*cs;
	size_t		 len;

	*name = '\0';
	if (ct == NULL || ct->c_params == NULL ||
	    (cs = msg_params_find(ct->c_params, "charset=")) == NULL)
		return true;
	len = strlen(cs);
	if (len >= 2 && cs[0] == '"' && cs[len - 1] == '"') {
		cs++;
		len -= 2;
	}
	snprintf(name, size, "%.*s", (int)len, cs);
	return strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0 ||
	    strcasecmp(name, "us-ascii") == 0;
}

static void
sip_msg_message(nua_handle_t *nh, sip_t const *sip, bool answered)
{
	struct sip_msg_report	 r;
	sip_content_type_t const *ct = sip != NULL ? sip->sip_content_type : NULL;
	const char		*body = "";
	size_t			 len = 0;
	char			 cs[64];
	const char		*phrase = "OK";

	memset(&r, 0, sizeof r);
	r.kind = SIP_MSG_TEXT;
	r.code = 200;
	sip_msg_parties(&r, sip);
	if (sip != NULL && sip->sip_payload != NULL) {
		body = sip->sip_payload->pl_data;
		len = sip->sip_payload->pl_len;
	}
	/* The line end many senders put after the text is not part of
	 * it, nor of its size. */
	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
		len--;
	if (ct != NULL && ct->c_type != NULL &&
	    strcasecmp(ct->c_type, "text/plain") != 0) {
		r.code = 415;
		phrase = "Unsupported Media Type";
		snprintf(r.reason, sizeof r.reason, "%s is not text/plain",
		    ct->c_type);
	} else if (!sip_msg_charset_ok(ct, cs, sizeof cs)) {
		r.code = 415;
		phrase = "Unsupported Charset";
		snprintf(r.reason, sizeof r.reason, "charset %s is not UTF-8 "
		    "(the only one we take)", cs);
	} else if (len > SIP_MSG_TEXT_MAX) {
		r.code = 413;
		phrase = "Message Too Large";
		snprintf(r.reason, sizeof r.reason, "the text is %zu bytes; we "
		    "take up to %d", len, SIP_MSG_TEXT_MAX);
	} else if (!sip_msg_utf8(body, len)) {
		r.code = 415;
		phrase = "Body Is Not UTF-8";
		snprintf(r.reason, sizeof r.reason, "the text is not UTF-8");
	} else
		sip_msg_copy_text(r.text, sizeof r.text, body, len);
	if (!answered)
		nua_respond(nh, r.code, phrase, NUTAG_WITH_THIS(sip_ua_nua()),
		    TAG_IF(r.code == 415, SIPTAG_ACCEPT_STR(SIP_MSG_ACCEPT)),
		    TAG_END());
	else
		r.code = 200;	/* the stack took it: show what it was */
	sip_msg_queue(&r);
}

static void
sip_msg_notify(nua_handle_t *nh, sip_t const *sip)
{
	struct sip_msg_report	 r;
	sip_event_t const	*o = sip != NULL ? sip->sip_event : NULL;

	if (o == NULL || o->o_type == NULL ||
	    strcasecmp(o->o_type, "message-summary") != 0) {
		/* As the stack would have: we subscribed to nothing. */
		nua_respond(nh, 481, "Subscription Does Not Exist",
		    NUTAG_WITH_THIS(sip_ua_nua()), TAG_END());
		log_debug("unsolicited NOTIFY for \"%s\" refused",
		    o != NULL && o->o_type != NULL ? o->o_type : "");
		return;
	}
	memset(&r, 0, sizeof r);
	r.kind = SIP_MSG_MWI;
	sip_msg_parties(&r, sip);
	if (sip->sip_payload == NULL || sip_msg_mwi_parse(
	    sip->sip_payload->pl_data, sip->sip_payload->pl_len, &r.mwi) != 0) {
		nua_respond(nh, 400, "Bad Message Summary",
		    NUTAG_WITH_THIS(sip_ua_nua()), TAG_END());
		log_warn("voicemail notice from %s without Messages-Waiting; "
		    "refused", r.peer);
		return;
	}
	r.code = 200;
	nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(sip_ua_nua()), TAG_END());
	sip_msg_queue(&r);
}

void
sip_msg_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, sip_t const *sip)
{
	(void)phrase;
	/* A MESSAGE answered already (by the stack, before our parameters
	 * took) is still shown; a NOTIFY answered by the stack belongs to
	 * a subscription of ours, or was refused. */
	if (event == nua_i_message)
		sip_msg_message(nh, sip, status >= 200);
	else if (event == nua_i_notify && status < 200)
		sip_msg_notify(nh, sip);
}

/* --- our own MESSAGEs ------------------------------------------------- */

struct sip_msg_out {
	struct sip_handle	 h;	/* first: the callback dispatches on it */
	const struct conf_account *ca;
	const struct sip_cred	*cred;
	sip_msg_result_h	 handler;
	void			*arg;
	char			*target;	/* the request URI */
	char			*text;
	bool			 tcp;		/* sent over TCP for its size */
	int			 auth_tries;
	struct sip_dns		*dns;		/* the first hop being looked up */
	bool			 sent;		/* the request went out */
	bool			 done;		/* its final answer came */
	bool			 freed;		/* the owner let go */
	int			 refs;		/* results queued for it */
};

struct sip_msg_done {
	struct sip_msg_out	*m;
	struct sip_msg_result	 res;
};


/* Free M once nothing refers to it; its handle after its last event. */
static void
sip_msg_out_release(struct sip_msg_out *m)
{
	if (!m->freed || m->refs > 0)
		return;
	sip_dns_cancel(m->dns);
	sip_ua_handle_destroy(&m->h);
	free(m->target);
	free(m->text);
	free(m);
}

void
sip_msg_gone(struct sip_handle *h)
{
	struct sip_msg_out	*m = (struct sip_msg_out *)h;

	/* The stack is shutting down and took the handle: an answer that
	 * never came is no answer. */
	sip_dns_cancel(m->dns);
	m->dns = NULL;
	sip_msg_out_release(m);
}

/* One end of a message, on the loop after the callback. */
static void
sip_msg_done_deliver(void *arg)
{
	struct sip_msg_done	*d = arg;

	if (!d->m->freed)
		d->m->handler(&d->res, d->m->arg);
	d->m->refs--;
	sip_msg_out_release(d->m);
	free(d);
}

/* Queue M's end (CODE, REASON) for its owner. */
static void
sip_msg_out_report(struct sip_msg_out *m, int code, const char *reason)
{
	struct sip_msg_done	*d = xcalloc(1, sizeof *d);

	m->done = true;
	d->m = m;
	d->res.code = code;
	util_strlcpy(d->res.reason, reason != NULL ? reason : "",
	    sizeof d->res.reason);
	m->refs++;
	loop_defer(sip_msg_done_deliver, d);
}

static void
sip_msg_out_request(struct sip_msg_out *m)
{
	m->sent = true;
	nua_message(m->h.nh,
	    SIPTAG_CONTENT_TYPE_STR(SIP_MSG_ACCEPT),
	    SIPTAG_PAYLOAD_STR(m->text),
	    TAG_END());
}

/* The first hop was looked up: preload it as the route and send. */
static void
sip_msg_out_resolved(const struct sip_dns_result *dr, void *arg)
{
	struct sip_msg_out	*m = arg;
	char			*route, why[EVENT_TEXT_MAX];

	m->dns = NULL;
	if (m->freed || m->h.nh == NULL)
		return;
	if (dr->error != 0) {
		snprintf(why, sizeof why, "%s (503)", dr->why);
		sip_msg_out_report(m, 503, why);
		return;
	}
	route = sip_dns_route(dr);
	log_debug("message to %s: first hop %s", m->target, route);
	nua_set_hparams(m->h.nh, NUTAG_INITIAL_ROUTE_STR(route), TAG_END());
	free(route);
	sip_msg_out_request(m);
}

/* Does URI name its transport, and is it TP? */
static bool
sip_msg_transport_is(const char *uri, const char *tp)
{
	const char	*p;
	size_t		 n = strlen(tp);

	if ((p = strcasestr(uri, ";transport=")) == NULL)
		return false;
	p += strlen(";transport=");
	return strncasecmp(p, tp, n) == 0 && (p[n] == '\0' || p[n] == ';' ||
	    p[n] == '>' || p[n] == '?');
}

struct sip_msg_out *
sip_msg_send(const struct conf_account *ca, const struct sip_cred *cred,
    const char *target, const char *text, sip_msg_result_h handler,
    void *arg, char **cause)
{
	struct sip_msg_out	*m;
	char			*uri, *route, *from, *to, *hop, *rset = NULL;
	const char		*tp = sip_reg_transport(ca);
	size_t			 len = strlen(text), size;
	bool			 lookup;
	nua_handle_t		*nh;

	if (sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is not running");
		return NULL;
	}
	if (len > SIP_MSG_TEXT_MAX) {
		xasprintf(cause, "the text is %zu bytes; a message takes up to "
		    "%d", len, SIP_MSG_TEXT_MAX);
		return NULL;
	}
	if (!sip_msg_utf8(text, len)) {
		*cause = xstrdup("the text is not UTF-8");
		return NULL;
	}
	if ((uri = sip_uri_target(ca, target, cause)) == NULL)
		return NULL;
	route = sip_call_route(ca);
	from = sip_reg_from(ca);
	size = len + SIP_MSG_HEADERS + 2 * strlen(uri) + strlen(from) +
	    (route != NULL ? strlen(route) : 0);
	hop = route != NULL ? route : uri;
	m = xcalloc(1, sizeof *m);
	m->h.kind = SIP_HANDLE_MSG;
	m->ca = ca;
	m->cred = cred;
	m->handler = handler;
	m->arg = arg;
	m->text = xstrdup(text);
	/*
	 * Too big for UDP (RFC 3261 18.1.1): over TCP, which our stack always
	 * listens on, to the same first hop, for this request only. A hop
	 * the user pinned to UDP (";transport=udp") is refused rather than
	 * sent a request it may drop in pieces; never cut the text.
	 */
	if (size > SIP_MSG_UDP_MAX && tp == NULL &&
	    strncasecmp(hop, "sips:", 5) != 0 &&
	    !sip_msg_transport_is(hop, "tcp") &&
	    !sip_msg_transport_is(hop, "tls")) {
		char *tcp;

		if (sip_msg_transport_is(hop, "udp")) {
			xasprintf(cause, "the message is about %zu bytes, too "
			    "large for UDP (%d at most), and %s is set to UDP "
			    "(transport=udp): shorten it, or use TCP", size,
			    SIP_MSG_UDP_MAX, hop);
			goto fail;
		}
		tcp = sip_uri_with_transport(hop, "tcp");
		if (route != NULL) {
			free(route);
			hop = route = tcp;
		} else {
			free(uri);
			hop = uri = tcp;
		}
		m->tcp = true;
		log_info("message to %s: %zu bytes, sent over TCP", uri, size);
	}
	m->target = uri;
	uri = NULL;
	/* As for calls: a first hop named by a host name is looked up by
	 * us; an IP literal is preloaded as a loose Route at once. */
	lookup = sip_dns_needed(hop);
	if (route != NULL && !lookup)
		rset = sip_uri_route(route);
	/* <URI>: a parameter of it (";transport=tcp") belongs to the
	 * request URI, not to the To header. */
	xasprintf(&to, "<%s>", m->target);
	nh = nua_handle(sip_ua_nua(), NULL,
	    SIPTAG_TO_STR(to),
	    SIPTAG_FROM_STR(from),
	    TAG_IF(rset != NULL, NUTAG_INITIAL_ROUTE_STR(rset)),
	    TAG_END());
	free(to);
	free(rset);
	if (nh == NULL) {
		*cause = xstrdup("cannot create a SIP handle");
		goto fail;
	}
	sip_ua_handle_add(&m->h, nh);
	if (lookup) {
		m->dns = sip_dns_resolve(hop, m->tcp ? "tcp" : tp,
		    sip_msg_out_resolved, m, cause);
		if (m->dns == NULL)
			goto fail;
	} else
		sip_msg_out_request(m);
	free(route);
	free(from);
	return m;

fail:
	free(uri);
	free(route);
	free(from);
	m->freed = true;
	sip_msg_out_release(m);
	return NULL;
}

const char *
sip_msg_out_target(const struct sip_msg_out *m)
{
	return m->target != NULL ? m->target : "";
}

bool
sip_msg_out_tcp(const struct sip_msg_out *m)
{
	return m->tcp;
}

void
sip_msg_out_free(struct sip_msg_out *m)
{
	if (m == NULL)
		return;
	m->freed = true;
	sip_dns_cancel(m->dns);
	m->dns = NULL;
	sip_msg_out_release(m);
}

void
sip_msg_out_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip)
{
	struct sip_msg_out	*m = (struct sip_msg_out *)h;
	char			 why[EVENT_TEXT_MAX], *cause = NULL;

	if (event != nua_r_message || status < 200 || m->done)
		return;
	if ((status == 401 || status == 407) && sip != NULL &&
	    m->auth_tries < SIP_MSG_AUTH_MAX) {
		m->auth_tries++;
		if (sip_auth_answer(nh, sip, m->cred, &cause) == 0)
			return;
		snprintf(why, sizeof why, "%s (%d %s)", cause, status,
		    phrase != NULL ? phrase : "");
		free(cause);
		sip_msg_out_report(m, status, why);
		return;
	}
	if (status < 300) {
		sip_msg_out_report(m, status, "");
		return;
	}
	sip_why_message_reason(why, sizeof why, status, phrase,
	    sip != NULL && sip->sip_warning != NULL ?
	    sip->sip_warning->w_text : NULL, sip_call_local(status, sip));
	sip_msg_out_report(m, status, why);
}
