/*
 * sip-sub.c: subscriptions we hold as a subscriber (RFC 6665) through
 * Sofia's nua: one handle per subscription, SUBSCRIBE sent with Event,
 * Accept and Expires, routed and authenticated as the account's calls
 * are (its proxy or registrar as a preloaded Route, a first hop that is
 * a name looked up by sip-dns.c, digest answers from sip-auth.c).
 *
 * The stack refreshes the subscription and answers the NOTIFYs within it
 * (200) by itself; we read each one (Subscription-State, body) and report
 * it. A NOTIFY the stack could not match to the subscription (the final
 * one after our un-SUBSCRIBE removed it: NOTIFY is an application method
 * since sip-msg.c made it one) comes to us with status 100 on our handle:
 * we answer it here, 200 while we end or for our event, 481 otherwise.
 *
 * The end is reported once, whichever comes first: a NOTIFY saying
 * "terminated" (after the NOTIFY itself), a refused SUBSCRIBE or failed
 * refresh, the stack's own give-up (a NOTIFY event with status >= 300
 * and no message), or a refusal of our un-SUBSCRIBE. An un-SUBSCRIBE
 * that was accepted ends with the notifier's final NOTIFY (RFC 6665
 * 4.4.1), which the stack waits for (32 s at most, then a 408 of its
 * own); the owner's quit has a shorter bound of its own. When a notifier
 * ends the subscription with "deactivated" or "probation", nua would
 * subscribe again by itself; the owner frees the handle instead and
 * decides (sub.c), so that one policy holds for every case.
 *
 * Reports are queued and delivered after Sofia's callback has returned;
 * a queued report holds a reference, so the owner may free the
 * subscription from its handler and the handle goes after.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip-int.h"

#include <sofia-sip/msg_header.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-dns.h"
#include "sip-sub.h"
#include "sip-uri.h"
#include "util.h"

/* Answers to challenges per request before we call it a wrong password. */
#define SIP_SUB_AUTH_MAX	2

struct sip_sub {
	struct sip_handle	 h;		/* first: the callback dispatches on it */
	const struct conf_account *ca;
	const struct sip_cred	*cred;
	char			*target;	/* the request URI */
	char			*event;
	char			*accept;
	sip_sub_h		 handler;
	void			*arg;
	int			 auth_tries;
	int			 expires;	/* asked for */
	struct sip_dns		*dns;		/* first hop being looked up */
	bool			 send_pending;	/* SUBSCRIBE once it is found */
	bool			 subscribing;	/* a SUBSCRIBE is out, no answer */
	bool			 dialog;	/* answered 2xx or notified */
	bool			 ending;	/* our un-SUBSCRIBE is out */
	bool			 ended;		/* SIP_SUB_ENDED queued */
	bool			 gone;		/* the stack took the handle */
	int			 refs;		/* reports queued for it */
	bool			 freed;		/* the owner is done with it */
};

/* A report waiting for delivery, with its strings. */
struct sip_sub_item {
	struct sip_sub		*s;
	struct sip_sub_report	 r;
	char			 phrase[128];
	char			 why[256];
	char			 reason[64];
	char			 ctype[128];
	char			*body;
};

static void
sip_sub_release(struct sip_sub *s)
{
	if (!s->freed || s->refs > 0)
		return;
	sip_dns_cancel(s->dns);
	sip_ua_handle_destroy(&s->h);
	free(s->target);
	free(s->event);
	free(s->accept);
	free(s);
}

void
sip_sub_gone(struct sip_handle *h)
{
	struct sip_sub	*s = (struct sip_sub *)h;

	s->gone = true;
	sip_dns_cancel(s->dns);
	s->dns = NULL;
	sip_sub_release(s);
}

/* One report, on the loop after the callback (loop_defer keeps order). */
static void
sip_sub_deliver(void *arg)
{
	struct sip_sub_item	*it = arg;

	if (!it->s->freed)
		it->s->handler(&it->r, it->s->arg);
	it->s->refs--;
	sip_sub_release(it->s);
	free(it->body);
	free(it);
}

/* Queue R for S's owner, copying its strings and BODY (LEN bytes). */
static void
sip_sub_report(struct sip_sub *s, const struct sip_sub_report *r)
{
	struct sip_sub_item	*it = xcalloc(1, sizeof *it);

	it->s = s;
	it->r = *r;
	if (r->phrase != NULL) {
		util_strlcpy(it->phrase, r->phrase, sizeof it->phrase);
		it->r.phrase = it->phrase;
	}
	if (r->why != NULL) {
		util_strlcpy(it->why, r->why, sizeof it->why);
		it->r.why = it->why;
	}
	if (r->reason != NULL) {
		util_strlcpy(it->reason, r->reason, sizeof it->reason);
		it->r.reason = it->reason;
	}
	if (r->content_type != NULL) {
		util_strlcpy(it->ctype, r->content_type, sizeof it->ctype);
		it->r.content_type = it->ctype;
	}
	if (r->body != NULL) {
		it->body = xmalloc(r->body_len + 1);
		memcpy(it->body, r->body, r->body_len);
		it->body[r->body_len] = '\0';
		it->r.body = it->body;
	}
	if (r->kind == SIP_SUB_ENDED) {
		s->ended = true;
		s->subscribing = false;
		s->dialog = false;
	}
	s->refs++;
	loop_defer(sip_sub_deliver, it);
}

/* Report the end once: later news of it (a NOTIFY after the un-SUBSCRIBE
 * was answered, say) changes nothing for the owner. */
static void
sip_sub_end_report(struct sip_sub *s, int code, const char *phrase,
    const char *why, const char *reason, int retry_after)
{
	struct sip_sub_report	 r;

	if (s->ended)
		return;
	memset(&r, 0, sizeof r);
	r.kind = SIP_SUB_ENDED;
	r.code = code;
	r.phrase = phrase;
	r.why = why;
	r.state = SIP_SUB_TERMINATED;
	r.reason = reason;
	r.retry_after = retry_after;
	sip_sub_report(s, &r);
}

/* Give the handle its first hop, once known (NULL: straight there). */
static void
sip_sub_send_now(struct sip_sub *s)
{
	char	 expires[16], *to;

	snprintf(expires, sizeof expires, "%d", s->expires);
	log_debug("account %s: SUBSCRIBE %s to %s", s->ca->name, s->event,
	    s->target);
	s->subscribing = true;
	/* Named again as <URI>, as calls do: a parameter of the URI is
	 * the URI's, not the header's. */
	xasprintf(&to, "<%s>", s->target);
	nua_subscribe(s->h.nh,
	    SIPTAG_TO_STR(to),
	    SIPTAG_EVENT_STR(s->event),
	    TAG_IF(s->accept != NULL, SIPTAG_ACCEPT_STR(s->accept)),
	    SIPTAG_EXPIRES_STR(expires),
	    TAG_END());
	free(to);
}

static void
sip_sub_resolved(const struct sip_dns_result *dr, void *arg)
{
	struct sip_sub	*s = arg;
	char		*route;

	s->dns = NULL;
	if (s->freed || s->ended || s->h.nh == NULL)
		return;
	if (dr->error != 0) {
		log_warn("account %s: %s subscription to %s: %s", s->ca->name,
		    s->event, s->target, dr->why);
		s->send_pending = false;
		sip_sub_end_report(s, 503, "DNS Error", dr->why, NULL, 0);
		return;
	}
	route = sip_dns_route(dr);
	log_debug("account %s: %s subscription: first hop %s", s->ca->name,
	    s->event, route);
	nua_set_hparams(s->h.nh, NUTAG_INITIAL_ROUTE_STR(route), TAG_END());
	free(route);
	if (s->send_pending) {
		s->send_pending = false;
		sip_sub_send_now(s);
	}
}

struct sip_sub *
sip_sub_new(const struct conf_account *ca, const struct sip_cred *cred,
    const char *target, const char *event, const char *accept,
    sip_sub_h handler, void *arg, char **cause)
{
	struct sip_sub	*s;
	char		*uri, *route, *rset = NULL, *from, *user;
	bool		 lookup;
	nua_handle_t	*nh;

	if (sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is not running");
		return NULL;
	}
	if (event == NULL || *event == '\0') {
		*cause = xstrdup("no event package");
		return NULL;
	}
	if ((uri = sip_uri_target(ca, target != NULL ? target : ca->uri,
	    cause)) == NULL)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->h.kind = SIP_HANDLE_SUB;
	s->ca = ca;
	s->cred = cred;
	s->target = uri;
	s->event = xstrdup(event);
	s->accept = accept != NULL ? xstrdup(accept) : NULL;
	s->handler = handler;
	s->arg = arg;
	route = sip_call_route(ca);
	lookup = sip_dns_needed(route != NULL ? route : uri);
	if (route != NULL && !lookup)
		rset = sip_uri_route(route);
	from = sip_reg_from(ca);
	user = sip_uri_user(ca->uri);
	nh = nua_handle(sip_ua_nua(), NULL,
	    SIPTAG_TO_STR(uri),
	    SIPTAG_FROM_STR(from),
	    TAG_IF(rset != NULL, NUTAG_INITIAL_ROUTE_STR(rset)),
	    NUTAG_M_USERNAME(user != NULL ? user : ca->username),
	    TAG_END());
	free(rset);
	free(from);
	free(user);
	if (nh == NULL) {
		*cause = xstrdup("cannot create a SIP handle");
		free(route);
		s->freed = true;
		sip_sub_release(s);
		return NULL;
	}
	sip_ua_handle_add(&s->h, nh);
	if (lookup) {
		s->dns = sip_dns_resolve(route != NULL ? route : uri,
		    sip_reg_transport(ca), sip_sub_resolved, s, cause);
		if (s->dns == NULL) {
			free(route);
			s->freed = true;
			sip_sub_release(s);
			return NULL;
		}
	}
	free(route);
	return s;
}

int
sip_sub_send(struct sip_sub *s, int expires, char **cause)
{
	if (s->gone || s->h.nh == NULL || sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is shutting down");
		return -1;
	}
	if (s->ended || s->ending) {
		*cause = xstrdup("the subscription has ended");
		return -1;
	}
	s->expires = expires > 0 ? expires : 3600;
	s->auth_tries = 0;
	if (s->dns != NULL) {
		s->send_pending = true;
		s->subscribing = true;
		return 0;
	}
	sip_sub_send_now(s);
	return 0;
}

bool
sip_sub_end(struct sip_sub *s)
{
	if (s == NULL || s->ended || s->gone || s->h.nh == NULL)
		return false;
	if (s->ending)
		return true;
	if (s->dns != NULL) {
		/* Nothing went out yet: forget the lookup. */
		sip_dns_cancel(s->dns);
		s->dns = NULL;
		s->send_pending = false;
		s->subscribing = false;
	}
	if (!s->subscribing && !s->dialog)
		return false;
	s->ending = true;
	s->auth_tries = 0;
	log_debug("account %s: un-SUBSCRIBE %s to %s", s->ca->name, s->event,
	    s->target);
	nua_unsubscribe(s->h.nh, SIPTAG_EVENT_STR(s->event), TAG_END());
	return true;
}

void
sip_sub_free(struct sip_sub *s)
{
	if (s == NULL)
		return;
	s->freed = true;
	sip_sub_release(s);
}

/* Plain words for a refused SUBSCRIBE. */
static const char *
sip_sub_why(int status, const char *phrase, const char *event)
{
	static char	 buf[128];

	switch (status) {
	case 401:
	case 407:
		return "wrong user name or password";
	case 403:
		return "forbidden by the server";
	case 404:
		return "no such user or mailbox";
	case 405:
	case 501:
		return "the server does not take SUBSCRIBE";
	case 408:
		return "no answer (timeout)";
	case 480:
		return "temporarily unavailable";
	case 489:
		snprintf(buf, sizeof buf, "the server does not offer \"%s\"",
		    event);
		return buf;
	case 503:
		if (phrase != NULL && strcasestr(phrase, "DNS") != NULL)
			return "DNS lookup failed";
		return "the server is unavailable";
	case 904:
		return "authentication failed: no matching challenge";
	}
	if (status >= 900)
		return "the SIP stack gave up on the subscription";
	return NULL;
}

static enum sip_sub_state
sip_sub_state_of(sip_t const *sip, tagi_t *tags)
{
	sip_subscription_state_t const	*ss;
	int				 substate = -1;

	ss = sip != NULL ? sip->sip_subscription_state : NULL;
	if (ss != NULL && ss->ss_substate != NULL) {
		if (strcasecmp(ss->ss_substate, "terminated") == 0)
			return SIP_SUB_TERMINATED;
		if (strcasecmp(ss->ss_substate, "pending") == 0)
			return SIP_SUB_PENDING;
		return SIP_SUB_ACTIVE;	/* extensions count as active */
	}
	if (tags != NULL)
		tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());
	switch (substate) {
	case nua_substate_active:
		return SIP_SUB_ACTIVE;
	case nua_substate_terminated:
		return SIP_SUB_TERMINATED;
	default:
		return SIP_SUB_PENDING;
	}
}

/* Seconds in a Subscription-State parameter, or 0. */
static int
sip_sub_seconds(const char *v)
{
	long	 n;

	if (v == NULL)
		return 0;
	n = strtol(v, NULL, 10);
	return n > 0 && n < 1000000 ? (int)n : 0;
}

/* A NOTIFY within the subscription, answered 200 by the stack. */
static void
sip_sub_notify(struct sip_sub *s, sip_t const *sip, tagi_t *tags)
{
	sip_subscription_state_t const	*ss = sip->sip_subscription_state;
	struct sip_sub_report		 r;

	memset(&r, 0, sizeof r);
	r.kind = SIP_SUB_NOTIFY;
	r.state = sip_sub_state_of(sip, tags);
	if (ss != NULL) {
		r.reason = ss->ss_reason;
		r.retry_after = sip_sub_seconds(ss->ss_retry_after);
		r.expires = sip_sub_seconds(ss->ss_expires);
	}
	if (sip->sip_content_type != NULL)
		r.content_type = sip->sip_content_type->c_type;
	if (sip->sip_payload != NULL) {
		r.body = sip->sip_payload->pl_data;
		r.body_len = sip->sip_payload->pl_len;
	}
	s->dialog = true;
	if (s->ending)
		r.body = NULL, r.body_len = 0, r.content_type = NULL;
	if (!s->ended)
		sip_sub_report(s, &r);
	if (r.state == SIP_SUB_TERMINATED)
		sip_sub_end_report(s, 0, NULL, NULL, r.reason, r.retry_after);
}

/* A NOTIFY the stack left to us on our handle (status 100). */
static void
sip_sub_unmatched(struct sip_sub *s, nua_handle_t *nh, sip_t const *sip)
{
	sip_event_t const	*o = sip != NULL ? sip->sip_event : NULL;
	bool			 ours;

	ours = o != NULL && o->o_type != NULL &&
	    strcasecmp(o->o_type, s->event) == 0;
	if (s->ending || s->ended || ours) {
		nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(sip_ua_nua()),
		    TAG_END());
		if (ours && !s->ending && !s->ended)
			sip_sub_notify(s, sip, NULL);
		return;
	}
	nua_respond(nh, 481, "Subscription Does Not Exist",
	    NUTAG_WITH_THIS(sip_ua_nua()), TAG_END());
}

void
sip_sub_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip, tagi_t *tags)
{
	struct sip_sub		*s = (struct sip_sub *)h;
	struct sip_sub_report	 r;
	char			*cause = NULL;
	const char		*why;
	int			 retry_after = 0;

	if (s->freed)
		return;
	switch (event) {
	case nua_i_notify:
		if (status < 200) {
			sip_sub_unmatched(s, nh, sip);
			return;
		}
		if (status >= 300 || sip == NULL) {
			/* The stack's own end: a refresh it could not send,
			 * no NOTIFY after a fetch. */
			sip_sub_end_report(s, status, phrase,
			    sip_sub_why(status, phrase, s->event), NULL, 0);
			return;
		}
		sip_sub_notify(s, sip, tags);
		return;
	case nua_r_subscribe:
	case nua_r_unsubscribe:
		break;
	default:
		return;
	}

	if (status < 200)
		return;		/* 100 Trying, 100 Authorized by Cache, ... */
	if ((status == 401 || status == 407) && sip != NULL &&
	    s->auth_tries < SIP_SUB_AUTH_MAX) {
		s->auth_tries++;
		if (sip_auth_answer(nh, sip, s->cred, &cause) == 0)
			return;
	}
	if (sip != NULL && sip->sip_retry_after != NULL)
		retry_after = (int)sip->sip_retry_after->af_delta;
	if (event == nua_r_unsubscribe) {
		/*
		 * Accepted: the notifier's final NOTIFY says it is over
		 * (the stack waits for it, and gives up with a 408 of its
		 * own). Destroying the handle before would make the stack
		 * un-SUBSCRIBE again, and leave the NOTIFY to nobody.
		 */
		if (status < 300 && s->dialog) {
			free(cause);
			return;
		}
		if (status >= 300)
			log_debug("account %s: un-SUBSCRIBE %s answered %d %s",
			    s->ca->name, s->event, status, phrase);
		sip_sub_end_report(s, status, phrase, NULL, "unsubscribed", 0);
		free(cause);
		return;
	}
	s->subscribing = false;
	if (status < 300 && !s->ending) {
		s->auth_tries = 0;
		s->dialog = true;
		memset(&r, 0, sizeof r);
		r.kind = SIP_SUB_ANSWER;
		r.code = status;
		r.phrase = phrase;
		r.state = sip_sub_state_of(NULL, tags);
		if (r.state == SIP_SUB_TERMINATED)
			r.state = SIP_SUB_PENDING;
		r.expires = sip != NULL && sip->sip_expires != NULL ?
		    (int)sip->sip_expires->ex_delta : s->expires;
		if (!s->ended)
			sip_sub_report(s, &r);
	} else if (status >= 300) {
		why = cause != NULL ? cause : sip_sub_why(status, phrase,
		    s->event);
		sip_sub_end_report(s, status, phrase, why, NULL, retry_after);
	}
	free(cause);
}
