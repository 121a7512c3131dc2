/*
 * sip-pub.c: PUBLISH of our presence (RFC 3903) through Sofia's nua for
 * one account.
 *
 * nua keeps the publication: it remembers the entity tag the server
 * gave (SIP-ETag), refreshes before expiry with SIP-If-Match and no
 * body, sends a changed document with SIP-If-Match, starts afresh on 412,
 * and removes it with Expires 0 on nua_unpublish. This file routes the
 * PUBLISH as the account's calls are routed, answers digest challenges
 * with the account's secret, keeps one PUBLISH in flight at a time (a
 * document that changes meanwhile goes when the answer comes: only the
 * newest matters), and turns answers into sip_pub_result values, handed
 * to the owner after Sofia's callback has returned.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip-int.h"

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-call.h"
#include "sip-dns.h"
#include "sip-pub.h"
#include "sip-uri.h"
#include "util.h"

/* Answers to challenges per PUBLISH before we call it a wrong password:
 * one, plus one more when the server says the nonce was stale. */
#define SIP_PUB_AUTH_MAX	3

#define SIP_PUB_CTYPE		"application/pidf+xml"

struct sip_pub {
	struct sip_handle	 h;		/* first: the callback dispatches on it */
	const struct conf_account *ca;
	const struct sip_cred	*cred;
	sip_pub_h		 handler;
	void			*arg;
	int			 auth_tries;
	bool			 sending;	/* a PUBLISH is out, no answer */
	bool			 published;	/* the server has our state */
	bool			 ending;	/* the removal is wanted */
	bool			 removing;	/* the un-PUBLISH is out */
	char			*next_doc;	/* to send once the answer comes */
	int			 next_expires;
	char			*route;		/* the first hop, looked up */
	struct sip_dns		*dns;
	bool			 gone;		/* the stack took the handle */
	int			 refs;		/* results queued for it */
	bool			 freed;		/* the owner is done with it */
};

struct sip_pub_item {
	struct sip_pub		*p;
	struct sip_pub_result	 res;
	char			 phrase[128];
	char			 why[256];
};


static void	 sip_pub_publish(struct sip_pub *, const char *, int);

static void
sip_pub_release(struct sip_pub *p)
{
	if (!p->freed || p->refs > 0)
		return;
	sip_dns_cancel(p->dns);
	sip_ua_handle_destroy(&p->h);
	free(p->next_doc);
	free(p->route);
	free(p);
}

void
sip_pub_gone(struct sip_handle *h)
{
	struct sip_pub	*p = (struct sip_pub *)h;

	p->gone = true;
	sip_dns_cancel(p->dns);
	p->dns = NULL;
	sip_pub_release(p);
}

/* One result, on the loop after the callback (loop_defer keeps order). */
static void
sip_pub_deliver(void *arg)
{
	struct sip_pub_item	*it = arg;

	if (!it->p->freed)
		it->p->handler(&it->res, it->p->arg);
	it->p->refs--;
	sip_pub_release(it->p);
	free(it);
}

static void
sip_pub_report(struct sip_pub *p, const struct sip_pub_result *res)
{
	struct sip_pub_item	*it = xcalloc(1, sizeof *it);

	it->p = p;
	it->res = *res;
	if (res->phrase != NULL) {
		util_strlcpy(it->phrase, res->phrase, sizeof it->phrase);
		it->res.phrase = it->phrase;
	}
	if (res->why != NULL) {
		util_strlcpy(it->why, res->why, sizeof it->why);
		it->res.why = it->why;
	}
	p->refs++;
	loop_defer(sip_pub_deliver, it);
}

/* A failure found here, not by a server. */
static void
sip_pub_fail_local(struct sip_pub *p, int code, const char *why)
{
	struct sip_pub_result	 res;

	memset(&res, 0, sizeof res);
	res.kind = SIP_PUB_FAILED;
	res.code = code;
	res.why = why;
	res.local = true;
	p->sending = false;
	sip_pub_report(p, &res);
}

struct sip_pub *
sip_pub_new(const struct conf_account *ca, const struct sip_cred *cred,
    sip_pub_h handler, void *arg, char **cause)
{
	struct sip_pub	*p;
	char		*route, *rset = NULL, *from;
	nua_handle_t	*nh;

	if (sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is not running");
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->h.kind = SIP_HANDLE_PUB;
	p->ca = ca;
	p->cred = cred;
	p->handler = handler;
	p->arg = arg;
	/* The first hop: as for calls, a host name is looked up by us
	 * (sip-dns.c) and the route set once it is known. */
	route = sip_call_route(ca);
	if (sip_dns_needed(route != NULL ? route : ca->uri))
		p->route = route != NULL ? route : xstrdup(ca->uri);
	else {
		if (route != NULL)
			rset = sip_uri_route(route);
		free(route);
	}
	from = sip_reg_from(ca);
	/* The request URI is the address of record (To): RFC 3903 4. */
	nh = nua_handle(sip_ua_nua(), NULL,
	    SIPTAG_TO_STR(ca->uri),
	    SIPTAG_FROM_STR(from),
	    TAG_IF(rset != NULL, NUTAG_INITIAL_ROUTE_STR(rset)),
	    TAG_END());
	free(from);
	free(rset);
	if (nh == NULL) {
		*cause = xstrdup("cannot create a SIP handle");
		free(p->route);
		free(p);
		return NULL;
	}
	sip_ua_handle_add(&p->h, nh);
	return p;
}

/* The first hop was looked up: set the route and send what waits. */
static void
sip_pub_resolved(const struct sip_dns_result *dr, void *arg)
{
	struct sip_pub	*p = arg;
	char		*route, *doc;

	p->dns = NULL;
	if (p->freed || p->h.nh == NULL)
		return;
	if (dr->error != 0) {
		sip_pub_fail_local(p, 503, dr->why);
		return;
	}
	free(p->route);
	p->route = NULL;
	route = sip_dns_route(dr);
	log_debug("account %s: PUBLISH goes first to %s", p->ca->name, route);
	nua_set_hparams(p->h.nh, NUTAG_INITIAL_ROUTE_STR(route), TAG_END());
	free(route);
	if ((doc = p->next_doc) != NULL) {
		p->next_doc = NULL;
		p->sending = false;
		sip_pub_publish(p, doc, p->next_expires);
		free(doc);
	}
}

static void
sip_pub_publish(struct sip_pub *p, const char *doc, int expires)
{
	char	 ex[16];

	snprintf(ex, sizeof ex, "%d", expires);
	p->sending = true;
	p->auth_tries = 0;
	log_debug("account %s: PUBLISH presence (%d s)", p->ca->name, expires);
	nua_publish(p->h.nh,
	    SIPTAG_EVENT_STR("presence"),
	    SIPTAG_CONTENT_TYPE_STR(SIP_PUB_CTYPE),
	    SIPTAG_PAYLOAD_STR(doc),
	    SIPTAG_EXPIRES_STR(ex),
	    TAG_END());
}

int
sip_pub_send(struct sip_pub *p, const char *doc, int expires, char **cause)
{
	if (p->gone || p->h.nh == NULL || sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is shutting down");
		return -1;
	}
	if (p->ending) {
		*cause = xstrdup("the publication is being removed");
		return -1;
	}
	if (p->sending || p->route != NULL) {
		/* One at a time: this one replaces any that waits. */
		free(p->next_doc);
		p->next_doc = xstrdup(doc);
		p->next_expires = expires;
		if (p->route != NULL && p->dns == NULL && !p->sending) {
			p->dns = sip_dns_resolve(p->route, sip_reg_transport(p->ca),
			    sip_pub_resolved, p, cause);
			if (p->dns == NULL)
				return -1;
			p->sending = true;
		}
		return 0;
	}
	sip_pub_publish(p, doc, expires);
	return 0;
}

static void
sip_pub_unpublish(struct sip_pub *p)
{
	p->removing = true;
	p->auth_tries = 0;
	log_debug("account %s: PUBLISH Expires 0", p->ca->name);
	nua_unpublish(p->h.nh, TAG_END());
}

bool
sip_pub_end(struct sip_pub *p)
{
	if (p == NULL || p->h.nh == NULL || p->gone || p->ending)
		return p != NULL && p->removing;
	free(p->next_doc);
	p->next_doc = NULL;
	if (p->dns != NULL) {
		/* Nothing went out yet. */
		sip_dns_cancel(p->dns);
		p->dns = NULL;
		p->sending = false;
	}
	if (p->published && !p->sending) {
		p->ending = true;
		sip_pub_unpublish(p);
		return true;
	}
	if (p->sending) {
		/* Removed once the server has said what it took. */
		p->ending = true;
		return true;
	}
	return false;
}

void
sip_pub_free(struct sip_pub *p)
{
	if (p == NULL)
		return;
	p->freed = true;
	sip_pub_release(p);
}

/* Plain words for a refused PUBLISH. */
static const char *
sip_pub_why(int status, bool local)
{
	switch (status) {
	case 401:
	case 407:
		return "wrong user name or password";
	case 403:
		return "the server forbids us to publish presence";
	case 404:
		return "the server does not know this address";
	case 405:
	case 501:
		return "the server does not take PUBLISH";
	case 489:
		return "the server has no presence service (489 Bad Event)";
	case 408:
		return local ? "no answer from the server (timeout)" :
		    "the server timed out";
	case 503:
		return local ? "cannot reach the server" :
		    "the server is unavailable";
	case 900:
		return "the server's answer has no Expires";
	case 904:
		return "authentication failed: no matching challenge";
	}
	return NULL;
}

void
sip_pub_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip, tagi_t *tags)
{
	struct sip_pub		*p = (struct sip_pub *)h;
	struct sip_pub_result	 res;
	char			*cause = NULL, *doc;

	(void)tags;
	if (event != nua_r_publish && event != nua_r_unpublish)
		return;
	if (status < 200 || p->freed)
		return;		/* 100 Trying, a 412 being retried, ... */

	memset(&res, 0, sizeof res);
	res.code = status;
	res.phrase = phrase;
	res.local = sip_reg_local(sip);
	if (sip != NULL && sip->sip_retry_after != NULL)
		res.retry_after = (int)sip->sip_retry_after->af_delta;
	if ((status == 401 || status == 407) && sip != NULL &&
	    p->auth_tries < SIP_PUB_AUTH_MAX) {
		p->auth_tries++;
		if (sip_auth_answer(nh, sip, p->cred, &cause) == 0)
			return;
		res.why = cause;
	}
	if (event == nua_r_unpublish) {
		res.kind = SIP_PUB_REMOVED;
		p->removing = false;
		p->published = false;
	} else if (status < 300) {
		res.kind = SIP_PUB_OK;
		p->sending = false;
		p->published = true;
		p->auth_tries = 0;
		if (sip != NULL && sip->sip_expires != NULL)
			res.expires = (int)sip->sip_expires->ex_delta;
	} else {
		res.kind = SIP_PUB_FAILED;
		p->sending = false;
		p->published = false;
		if (res.why == NULL)
			res.why = sip_pub_why(status, res.local);
	}
	sip_pub_report(p, &res);
	free(cause);
	if (res.kind != SIP_PUB_OK)
		return;
	/* What waited for this answer goes now. */
	if (p->ending)
		sip_pub_unpublish(p);
	else if ((doc = p->next_doc) != NULL) {
		p->next_doc = NULL;
		sip_pub_publish(p, doc, p->next_expires);
		free(doc);
	}
}
