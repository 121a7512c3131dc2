/*
 * sip-reg.c: REGISTER through Sofia's nua for one account.
 *
 * One registration handle per account, created for an attempt and
 * destroyed after a failure or an un-REGISTER, so every attempt starts
 * with clean authentication state. Sofia refreshes the binding itself and
 * reports each refresh as another nua_r_register. This file turns SIP
 * answers into sip_reg_result values and hands them to the owner's
 * handler after Sofia's callback has returned (the owner may free the
 * registration from its handler); account.c decides what follows.
 *
 * While bound, it keeps the path to the registrar open through NATs:
 * every [account] keepalive seconds an OPTIONS goes to the registrar (or
 * through the account's proxy) on a handle of its own, from the socket
 * the REGISTER used, so it refreshes the very binding the registrar
 * reaches us through. Sofia's own OPTIONS keep-alive is not used: it
 * goes to the address-of-record's domain (port 5060 unless DNS says
 * otherwise), not to the registrar, and first after 105 s. An answer, any
 * answer, proves the path; its Via received/rport is our public address
 * as the registrar sees it. When that changes (the router got another
 * address, or forgot the binding and chose another port) we register
 * again, and Sofia's natify puts the new address in the Contact and
 * removes the old one. No answer means the server or the path is gone:
 * registering again lets the account's retries take over. OPTIONS, not
 * CRLF: on UDP a bare CRLF gets no answer, so it can tell neither; on
 * TCP and TLS the OPTIONS goes over the registration's connection and
 * refreshes its binding just as RFC 5626's CRLF ping would, with one
 * mechanism for every transport and no reliance on the server's pong.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip-int.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/url.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-call.h"
#include "sip-dns.h"
#include "sip-reg.h"
#include "sip-uri.h"
#include "tls-check.h"
#include "util.h"

/* Answers to challenges per REGISTER before we call it a wrong password:
 * one, plus one more each time the server says the nonce was stale. */
#define SIP_REG_AUTH_MAX	3

static void	 sip_reg_tls_check(struct sip_reg *);

struct sip_reg {
	struct sip_handle	 h;		/* first: the callback dispatches on it */
	const struct conf_account *ca;
	const struct sip_cred	*cred;
	sip_reg_h		 handler;
	void			*arg;
	int			 auth_tries;
	bool			 registering;	/* a REGISTER is out, no answer */
	bool			 bound;		/* the registrar has our binding */
	struct tls_check	*tc;		/* our look at the TLS server */
	bool			 lookup;	/* the first hop is a name */
	struct sip_dns		*dns;		/* its lookup under way */
	bool			 gone;		/* the stack took the handle */
	int			 refs;		/* results queued for it */
	bool			 freed;		/* the owner is done with it */

	char			*route;		/* its handle's first hop, or NULL */
	struct sip_handle	 ka;		/* the keep-alive OPTIONS' handle */
	struct loop_timer	*ka_timer;	/* the next keep-alive */
	bool			 ka_out;	/* an OPTIONS awaits its answer */
	bool			 again;		/* sip_reg_again is queued (a ref) */
	char			 public[80];	/* host:port the registrar sees */
};

static void	 sip_reg_register(struct sip_reg *);

/* A result waiting for delivery, with its strings. */
struct sip_reg_item {
	struct sip_reg		*r;
	struct sip_reg_result	 res;
	char			 phrase[128];
	char			 why[256];
};

static void
sip_reg_release(struct sip_reg *r)
{
	if (!r->freed || r->refs > 0)
		return;
	tls_check_cancel(r->tc);
	sip_dns_cancel(r->dns);
	sip_ua_handle_destroy(&r->ka);
	sip_ua_handle_destroy(&r->h);
	loop_timer_free(r->ka_timer);
	free(r->route);
	free(r);
}

void
sip_reg_gone(struct sip_handle *h)
{
	struct sip_reg	*r = (struct sip_reg *)h;

	r->gone = true;
	sip_dns_cancel(r->dns);
	r->dns = NULL;
	/* Its keep-alive handle goes with it, before r may be freed. */
	sip_ua_handle_destroy(&r->ka);
	if (r->ka_timer != NULL)
		loop_timer_stop(r->ka_timer);
	sip_reg_release(r);
}

static struct sip_reg *
sip_reg_of_ka(struct sip_handle *h)
{
	return (struct sip_reg *)(void *)((char *)h - offsetof(struct sip_reg, ka));
}

void
sip_reg_ka_gone(struct sip_handle *h)
{
	struct sip_reg	*r = sip_reg_of_ka(h);

	if (r->ka_timer != NULL)
		loop_timer_stop(r->ka_timer);
	r->ka_out = false;
}

/*
 * Our address as the server saw it, from the top Via of its answer:
 * received= (else the host we wrote) and rport= (else the port we
 * wrote), as host:port into OUT; false when there is no Via.
 */
static bool
sip_reg_via_public(sip_t const *sip, char *out, size_t len)
{
	sip_via_t const	*v;
	const char	*host, *port;

	if (sip == NULL || (v = sip->sip_via) == NULL || v->v_host == NULL)
		return false;
	host = v->v_received != NULL && *v->v_received != '\0' ?
	    v->v_received : v->v_host;
	port = v->v_rport != NULL && *v->v_rport != '\0' ? v->v_rport :
	    v->v_port != NULL ? v->v_port : "5060";
	snprintf(out, len, strchr(host, ':') != NULL && host[0] != '[' ?
	    "[%s]:%s" : "%s:%s", host, port);
	return true;
}

/* Compare what SIP's Via says with what we knew; log a change; true
 * when the address the registrar sees has changed. */
static bool
sip_reg_learn(struct sip_reg *r, sip_t const *sip)
{
	char	 now[sizeof r->public];
	bool	 nat;

	if (!sip_reg_via_public(sip, now, sizeof now))
		return false;
	if (strcmp(now, r->public) == 0)
		return false;
	if (r->public[0] == '\0') {
		nat = sip->sip_via->v_received != NULL &&
		    *sip->sip_via->v_received != '\0';
		log_info("account %s: the registrar sees us at %s%s",
		    r->ca->name, now, nat ? " (behind a NAT)" : "");
		util_strlcpy(r->public, now, sizeof r->public);
		return false;
	}
	log_info("account %s: public address changed from %s to %s; "
	    "registering again", r->ca->name, r->public, now);
	util_strlcpy(r->public, now, sizeof r->public);
	return true;
}

static void	 sip_reg_ka_fire(void *);

/* Keep-alives while bound: (re)arm for the next one, or stop. */
static void
sip_reg_ka_arm(struct sip_reg *r)
{
	if (r->ca->keepalive <= 0 || !r->bound || r->freed || r->gone) {
		if (r->ka_timer != NULL)
			loop_timer_stop(r->ka_timer);
		return;
	}
	if (r->ka_timer == NULL)
		r->ka_timer = loop_timer_new(sip_reg_ka_fire, r);
	loop_timer_start(r->ka_timer, (unsigned int)r->ca->keepalive * 1000);
}

static void
sip_reg_ka_fire(void *arg)
{
	struct sip_reg	*r = arg;
	char		*from, *target;
	nua_handle_t	*nh;

	if (!r->bound || r->freed || r->gone || sip_ua_nua() == NULL)
		return;
	if (r->ka_out) {
		/* The last one is still out (Timer F: 32 s): wait for it. */
		sip_reg_ka_arm(r);
		return;
	}
	if (r->ka.nh == NULL) {
		from = sip_reg_from(r->ca);
		nh = nua_handle(sip_ua_nua(), NULL,
		    SIPTAG_TO_STR(r->ca->uri),
		    SIPTAG_FROM_STR(from),
		    TAG_IF(r->route != NULL, NUTAG_INITIAL_ROUTE_STR(r->route)),
		    TAG_END());
		free(from);
		if (nh == NULL) {
			sip_reg_ka_arm(r);
			return;
		}
		r->ka.kind = SIP_HANDLE_KA;
		sip_ua_handle_add(&r->ka, nh);
	}
	target = sip_uri_with_transport(r->ca->registrar,
	    sip_reg_transport(r->ca));
	r->ka_out = true;
	nua_options(r->ka.nh, NUTAG_URL(URL_STRING_MAKE(target)), TAG_END());
	free(target);
}

/* Register again from the loop, not inside Sofia's callback. */
static void
sip_reg_again(void *arg)
{
	struct sip_reg	*r = arg;

	r->again = false;
	r->refs--;
	if (r->freed || r->gone || !r->bound || r->registering) {
		sip_reg_release(r);
		return;
	}
	r->auth_tries = 0;
	r->registering = true;
	sip_reg_register(r);
}

/* Queue sip_reg_again, holding R until it has run. */
static void
sip_reg_again_later(struct sip_reg *r)
{
	if (r->again)
		return;
	r->again = true;
	r->refs++;
	loop_defer(sip_reg_again, r);
}

void
sip_reg_ka_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip, tagi_t *tags)
{
	struct sip_reg	*r = sip_reg_of_ka(h);

	(void)nh;
	(void)tags;
	if (event != nua_r_options || status < 200)
		return;
	r->ka_out = false;
	if (r->freed || r->gone || !r->bound)
		return;
	if (sip_reg_local(sip)) {
		/* No answer (408), or the path is refused (503, ICMP). */
		log_warn("account %s: no answer to the keep-alive (%d %s); "
		    "registering again", r->ca->name, status, phrase);
		sip_reg_again_later(r);
		return;
	}
	log_debug("account %s: keep-alive answered %d %s", r->ca->name,
	    status, phrase);
	if (sip_reg_learn(r, sip)) {
		sip_reg_again_later(r);
		return;
	}
	sip_reg_ka_arm(r);
}

/* One result, on the loop after the callback (loop_defer keeps order). */
static void
sip_reg_deliver(void *arg)
{
	struct sip_reg_item	*it = arg;

	/* The reference held by the item keeps r alive while its owner's
	 * handler frees it. */
	if (!it->r->freed)
		it->r->handler(&it->res, it->r->arg);
	it->r->refs--;
	sip_reg_release(it->r);
	free(it);
}

/* Queue RES for R's owner, copying its strings. */
static void
sip_reg_report(struct sip_reg *r, const struct sip_reg_result *res)
{
	struct sip_reg_item	*it = xcalloc(1, sizeof *it);

	it->r = r;
	it->res = *res;
	if (res->phrase != NULL) {
		util_strlcpy(it->phrase, res->phrase, sizeof it->phrase);
		it->res.phrase = it->phrase;
	}
	if (res->why != NULL) {
		util_strlcpy(it->why, res->why, sizeof it->why);
		it->res.why = it->why;
	}
	r->refs++;
	loop_defer(sip_reg_deliver, it);
}

const char *
sip_reg_transport(const struct conf_account *ca)
{
	switch (ca->transport) {
	case CONF_TRANSPORT_TCP:
		return "tcp";
	case CONF_TRANSPORT_TLS:
		return "tls";
	case CONF_TRANSPORT_UDP:
		break;
	}
	return NULL;
}

/* "Display Name" <uri>, with the quoted-string escaped (RFC 3261 25.1). */
char *
sip_reg_from(const struct conf_account *ca)
{
	char		*out, *q;
	const char	*p;

	if (ca->display_name == NULL || *ca->display_name == '\0') {
		xasprintf(&out, "<%s>", ca->uri);
		return out;
	}
	out = xmalloc(strlen(ca->display_name) * 2 + strlen(ca->uri) + 8);
	q = out;
	*q++ = '"';
	for (p = ca->display_name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			*q++ = '\\';
		if (*p != '\r' && *p != '\n')
			*q++ = *p;
	}
	sprintf(q, "\" <%s>", ca->uri);
	return out;
}

/* The first hop of ACCOUNT's REGISTER: its proxy, else its registrar. */
static char *
sip_reg_hop(const struct conf_account *ca)
{
	return sip_uri_with_transport(ca->proxy != NULL ? ca->proxy :
	    ca->registrar, sip_reg_transport(ca));
}

/* A handle for R whose requests go first to ROUTE (NULL: none). */
static int
sip_reg_handle(struct sip_reg *r, const char *route, char **cause)
{
	char		*from;
	nua_handle_t	*nh;

	from = sip_reg_from(r->ca);
	/* NUTAG_PROXY is stack-wide; a per-account outbound proxy is a
	 * preloaded loose Route. */
	nh = nua_handle(sip_ua_nua(), NULL,
	    SIPTAG_TO_STR(r->ca->uri),
	    SIPTAG_FROM_STR(from),
	    TAG_IF(route != NULL, NUTAG_INITIAL_ROUTE_STR(route)),
	    TAG_END());
	free(from);
	if (nh == NULL) {
		*cause = xstrdup("cannot create a SIP handle");
		return -1;
	}
	sip_ua_handle_add(&r->h, nh);
	free(r->route);
	r->route = route != NULL ? xstrdup(route) : NULL;
	return 0;
}

struct sip_reg *
sip_reg_new(const struct conf_account *ca, const struct sip_cred *cred,
    sip_reg_h handler, void *arg, char **cause)
{
	struct sip_reg	*r;
	char		*hop, *route = NULL;
	int		 rc = 0;

	if (sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is not running");
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->h.kind = SIP_HANDLE_REG;
	r->ca = ca;
	r->cred = cred;
	r->handler = handler;
	r->arg = arg;
	hop = sip_reg_hop(ca);
	if (sip_dns_needed(hop)) {
		/* The handle comes with the lookup's answer (sip_reg_send). */
		r->lookup = true;
	} else {
		if (ca->proxy != NULL)
			route = sip_uri_route(hop);
		rc = sip_reg_handle(r, route, cause);
	}
	free(hop);
	free(route);
	if (rc != 0) {
		free(r);
		return NULL;
	}
	return r;
}

/* Send the REGISTER on R's handle. */
static void
sip_reg_register(struct sip_reg *r)
{
	const struct conf_account	*ca = r->ca;
	const char			*tp = sip_reg_transport(ca);
	char				*registrar, *user, *mparams;
	char				 expires[16];

	registrar = sip_uri_with_transport(ca->registrar, tp);
	user = sip_uri_user(ca->uri);
	snprintf(expires, sizeof expires, "%d", ca->expires);
	log_debug("account %s: REGISTER %s via %s", ca->name, ca->uri, registrar);
	sip_reg_tls_check(r);
	/* Over TCP or TLS the Contact says so, so that calls to us come
	 * back over the connection's transport, not UDP (RFC 3261 8.1.1.8). */
	xasprintf(&mparams, "transport=%s", tp != NULL ? tp : "udp");
	nua_register(r->h.nh,
	    NUTAG_REGISTRAR(URL_STRING_MAKE(registrar)),
	    SIPTAG_EXPIRES_STR(expires),
	    NUTAG_M_USERNAME(user != NULL ? user : ca->username),
	    TAG_IF(tp != NULL, NUTAG_M_PARAMS(mparams)),
	    /* Our keep-alive is ours (the file's comment says why). */
	    NUTAG_KEEPALIVE(0),
	    NUTAG_KEEPALIVE_STREAM(0),
	    TAG_END());
	free(mparams);
	free(registrar);
	free(user);
}

/* The first hop was looked up: register there, or say why not. */
static void
sip_reg_resolved(const struct sip_dns_result *dr, void *arg)
{
	struct sip_reg		*r = arg;
	struct sip_reg_result	 res;
	char			*route, *cause = NULL;

	r->dns = NULL;
	if (r->freed || !r->registering)
		return;
	if (dr->error == 0 && r->h.nh == NULL) {
		route = sip_dns_route(dr);
		log_debug("account %s: first hop %s", r->ca->name, route);
		if (sip_reg_handle(r, route, &cause) == 0) {
			free(route);
			sip_reg_register(r);
			return;
		}
		free(route);
	} else if (dr->error == 0) {
		sip_reg_register(r);
		return;
	}
	memset(&res, 0, sizeof res);
	res.kind = SIP_REG_FAILED;
	res.why = cause != NULL ? cause : dr->why;
	res.local = true;
	r->registering = false;
	sip_reg_report(r, &res);
	free(cause);
}

int
sip_reg_send(struct sip_reg *r, char **cause)
{
	char	*hop;

	if (r->gone || sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is shutting down");
		return -1;
	}
	r->auth_tries = 0;
	if (r->lookup && r->h.nh == NULL) {
		/* Looked up afresh at every attempt: the DNS may have come
		 * back, or changed. */
		if (r->dns != NULL)
			return 0;
		hop = sip_reg_hop(r->ca);
		r->dns = sip_dns_resolve(hop, sip_reg_transport(r->ca),
		    sip_reg_resolved, r, cause);
		free(hop);
		if (r->dns == NULL)
			return -1;
		r->registering = true;
		return 0;
	}
	r->registering = true;
	sip_reg_register(r);
	return 0;
}

/*
 * Sofia drops a connection whose certificate fails and says nothing for
 * 32 s; our own check says what is wrong within the handshake time.
 */
static void
sip_reg_tls_done(void *arg, int result, const char *reason)
{
	struct sip_reg		*r = arg;
	struct sip_reg_result	 res;

	r->tc = NULL;
	if (result != TLS_CHECK_BAD || !r->registering || r->freed)
		return;
	memset(&res, 0, sizeof res);
	res.kind = SIP_REG_FAILED;
	res.why = reason;
	res.local = true;
	r->registering = false;
	sip_reg_report(r, &res);	/* the owner frees r, and the REGISTER */
}

/* Where the first TLS hop of ACCOUNT goes: its proxy, else registrar. */
static void
sip_reg_tls_check(struct sip_reg *r)
{
	const struct conf_account	*ca = r->ca;
	const char			*target = ca->proxy != NULL ? ca->proxy :
	    ca->registrar, *cafile;
	su_home_t			 home[1] = { SU_HOME_INIT(home) };
	url_t				*url;
	char				*cause = NULL, host[256], tp[16];
	int				 port;
	bool				 tls_param = false;

	if (!sip_ua_tls_verifying(&cafile) || r->tc != NULL || target == NULL)
		return;
	url = url_make(home, target);
	if (url != NULL && url->url_params != NULL &&
	    url_param(url->url_params, "transport", tp, sizeof tp) > 0)
		tls_param = strcasecmp(tp, "tls") == 0;
	if (url == NULL || url->url_host == NULL ||
	    !(ca->transport == CONF_TRANSPORT_TLS || url->url_type == url_sips ||
	    tls_param)) {
		su_home_deinit(home);
		return;
	}
	util_strlcpy(host, url->url_host, sizeof host);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	port = url->url_port != NULL ? atoi(url->url_port) : 5061;
	su_home_deinit(home);
	r->tc = tls_check_start(host, port, cafile, sip_reg_tls_done, r, &cause);
	if (r->tc == NULL) {
		log_warn("account %s: %s", ca->name, cause);
		free(cause);
	}
}

bool
sip_reg_unsend(struct sip_reg *r)
{
	if (r != NULL && r->h.nh == NULL) {
		/* Nothing was sent: forget the lookup. */
		sip_dns_cancel(r->dns);
		r->dns = NULL;
		r->registering = false;
	}
	if (r == NULL || r->h.nh == NULL || (!r->bound && !r->registering))
		return false;
	r->auth_tries = 0;
	r->registering = false;
	if (r->ka_timer != NULL)
		loop_timer_stop(r->ka_timer);
	nua_unregister(r->h.nh, TAG_END());
	return true;
}

void
sip_reg_free(struct sip_reg *r)
{
	if (r == NULL)
		return;
	r->freed = true;
	sip_reg_release(r);
}

static bool
sip_reg_stale(sip_t const *sip)
{
	msg_auth_t const	*au;
	char const		*stale;

	au = sip->sip_www_authenticate != NULL ? sip->sip_www_authenticate :
	    sip->sip_proxy_authenticate;
	for (; au != NULL; au = au->au_next) {
		stale = msg_params_find(au->au_params, "stale=");
		if (stale != NULL && strncasecmp(stale, "true", 4) == 0)
			return true;
		if (stale != NULL && strncasecmp(stale, "\"true", 5) == 0)
			return true;
	}
	return false;
}

/* The expiry granted to our binding: our Contact's expires, else the
 * Expires header, else what we asked for. */
static int
sip_reg_granted(sip_t const *sip, const struct conf_account *ca)
{
	sip_contact_t const	*m;
	char			*user = sip_uri_user(ca->uri);
	size_t			 ulen = user != NULL ? strlen(user) : 0;
	int			 expires = -1;

	for (m = sip != NULL ? sip->sip_contact : NULL; m != NULL; m = m->m_next) {
		if (m->m_expires == NULL)
			continue;
		if (user != NULL && m->m_url->url_user != NULL &&
		    strncmp(m->m_url->url_user, user, ulen) == 0) {
			expires = atoi(m->m_expires);
			break;
		}
		if (expires < 0)
			expires = atoi(m->m_expires);
	}
	free(user);
	if (expires < 0 && sip != NULL && sip->sip_expires != NULL)
		expires = (int)sip->sip_expires->ex_delta;
	if (expires < 0)
		expires = ca->expires;
	return expires;
}

/*
 * Did the stack make this answer up (timeout, ICMP error, DNS failure)?
 * Such answers copy our Via as it was sent: a server would have added
 * received= or filled in rport= (we always ask for rport), and servers
 * usually name themselves.
 */
bool
sip_reg_local(sip_t const *sip)
{
	sip_via_t const	*v;

	if (sip == NULL || (v = sip->sip_via) == NULL)
		return true;
	if (sip->sip_server != NULL || sip->sip_user_agent != NULL)
		return false;
	return v->v_received == NULL && (v->v_rport == NULL || *v->v_rport == '\0');
}

/* Plain words for a failed REGISTER. */
static const char *
sip_reg_why(int status, char const *phrase, bool local)
{
	switch (status) {
	case 401:
	case 407:
		return "wrong user name or password";
	case 403:
		return "forbidden by the registrar";
	case 404:
		return "user not found at the registrar";
	case 408:
		return local ? "no answer from the registrar (timeout)" :
		    "the registrar timed out";
	case 423:
		return "the registrar wants a longer expires";
	case 503:
		if (local && phrase != NULL && strcasestr(phrase, "DNS") != NULL)
			return "DNS lookup of the registrar failed";
		return local ? "cannot reach the registrar" :
		    "the registrar is unavailable";
	case 904:
		return "authentication failed: no matching challenge";
	}
	return NULL;
}

void
sip_reg_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip, tagi_t *tags)
{
	struct sip_reg		*r = (struct sip_reg *)h;
	struct sip_reg_result	 res;
	char			*cause = NULL;

	(void)tags;
	if (event != nua_r_register && event != nua_r_unregister)
		return;
	if (status < 200 || r->freed)
		return;		/* 100 Trying, 100 Authorized by Cache, ... */

	memset(&res, 0, sizeof res);
	res.code = status;
	res.phrase = phrase;
	res.local = sip_reg_local(sip);
	if (sip != NULL && sip->sip_retry_after != NULL)
		res.retry_after = (int)sip->sip_retry_after->af_delta;

	if ((status == 401 || status == 407) && sip != NULL) {
		bool first = r->auth_tries == 0;

		if ((first || sip_reg_stale(sip)) &&
		    r->auth_tries < SIP_REG_AUTH_MAX) {
			r->auth_tries++;
			if (sip_auth_answer(nh, sip, r->cred, &cause) == 0)
				return;
			res.why = cause;
		}
	}
	if (event == nua_r_unregister) {
		res.kind = SIP_REG_UNREGISTERED;
		r->bound = false;
	} else if (status < 300) {
		res.kind = SIP_REG_OK;
		r->auth_tries = 0;
		r->registering = false;
		r->bound = true;
		res.expires = sip_reg_granted(sip, r->ca);
		(void)sip_reg_learn(r, sip);
		sip_reg_ka_arm(r);
	} else {
		res.kind = SIP_REG_FAILED;
		r->registering = false;
		r->bound = false;
		sip_reg_ka_arm(r);
		if (res.why == NULL)
			res.why = sip_reg_why(status, phrase, res.local);
	}
	sip_reg_report(r, &res);
	free(cause);
}
