/*
 * sip-call.c: calls through Sofia's nua: INVITE dialogs, offer/answer
 * through soa with per-call tags (stack-level soa tags are not inherited
 * by handles), digest challenges on INVITE, hold by re-INVITE, DTMF by
 * INFO, blind transfer by REFER, and the mapping of nua's call states to
 * ours. What a state means for the user is call.c's business.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sip-int.h"

#include <sofia-sip/soa_tag.h>
#include <sofia-sip/url.h>

#include "account.h"
#include "call.h"
#include "conf.h"
#include "log.h"
#include "media.h"
#include "phone.h"
#include "sip-call.h"
#include "sip-sdp.h"
#include "sip-uri.h"
#include "util.h"

/* Challenges answered per request before we call it a wrong password. */
#define SIP_CALL_AUTH_MAX	2
/* Calls at once; more incoming ones get 486. */
#define SIP_CALL_MAX		8
/* Milliseconds per INFO digit (Duration in application/dtmf-relay). */
#define SIP_CALL_INFO_MS	160

/* soa's selection tags must go with every offer and answer of a call. */
#define SIP_CALL_SOA_TAGS						\
	SOATAG_RTP_SELECT(SOA_RTP_SELECT_SINGLE),			\
	SOATAG_RTP_SORT(SOA_RTP_SORT_LOCAL),				\
	SOATAG_AUDIO_AUX("telephone-event")

struct sip_call {
	struct sip_handle	 h;		/* first: the callback dispatches on it */
	nua_handle_t		*nh;
	struct call		*call;
	int			 auth_tries;
	char			*user_sdp;
	struct sip_sdp_keys	 keys;		/* SDES keys in user_sdp */
	char			*addr;		/* local media address */
	char			*local_sdp;	/* last seen, from nua_i_state */
	char			*remote_sdp;
	int			 final_code;	/* of the INVITE, or why we ended */
	char			*final_reason;
	int			 state;		/* last nua callstate */
	char			 info_queue[64];/* INFO digits not yet sent */
	bool			 info_busy;
	bool			 transferring;
};

static void
sip_call_set_final(struct sip_call *sc, int code, const char *reason)
{
	sc->final_code = code;
	free(sc->final_reason);
	sc->final_reason = xstrdup(reason != NULL ? reason : "");
}

static bool
sip_call_is_any(const char *host)
{
	return strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ||
	    strcmp(host, "*") == 0;
}

/*
 * The address media should use to reach HOST: the listen address if it
 * is a specific one; else the source address the kernel would choose for
 * HOST (connect() on a UDP socket sends nothing); else the first
 * non-loopback IPv4 address (util_first_ipv4).
 */
static void
sip_call_local_addr(const char *host, char *out, size_t len)
{
	const char		*listen = sip_ua_listen_host();
	struct addrinfo		 hints, *ai = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			*first;
	char			 h[256];
	int			 fd;

	if (listen != NULL && !sip_call_is_any(listen)) {
		util_strlcpy(out, listen, len);
		return;
	}
	if (host != NULL) {
		util_strlcpy(h, host, sizeof h);
		if (h[0] == '[') {
			memmove(h, h + 1, strlen(h));
			h[strcspn(h, "]")] = '\0';
		}
		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_flags = AI_NUMERICHOST;
		if (getaddrinfo(h, "5060", &hints, &ai) == 0) {
			fd = socket(ai->ai_family, SOCK_DGRAM, 0);
			if (fd != -1 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
			    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
			    getnameinfo((struct sockaddr *)&ss, sl, out, (socklen_t)len,
			    NULL, 0, NI_NUMERICHOST) == 0) {
				close(fd);
				freeaddrinfo(ai);
				return;
			}
			if (fd != -1)
				close(fd);
			freeaddrinfo(ai);
		}
	}
	first = util_first_ipv4();
	util_strlcpy(out, first, len);
	free(first);
}

/* Host part of a URI string, for sip_call_local_addr. */
static void
sip_call_uri_host(const char *uri, char *out, size_t len)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*url = url_make(home, uri);

	*out = '\0';
	if (url != NULL && url->url_host != NULL)
		util_strlcpy(out, url->url_host, len);
	su_home_deinit(home);
}

/*
 * Where requests for ACCOUNT go first: its proxy; else its registrar when
 * one was configured apart from the domain (the usual PBX set-up, where
 * the registrar is also the proxy); else nowhere special.
 */
static char *
sip_call_route(const struct conf_account *ca)
{
	const char	*tp = sip_reg_transport(ca);
	char		*domain, *out = NULL;

	if (ca->proxy != NULL)
		return sip_uri_with_transport(ca->proxy, tp);
	domain = sip_uri_domain(ca->uri);
	if (ca->registrar != NULL && (domain == NULL ||
	    strcmp(domain, ca->registrar) != 0))
		out = sip_uri_with_transport(ca->registrar, tp);
	else if (tp != NULL && domain != NULL)
		out = sip_uri_with_transport(domain, tp);
	free(domain);
	return out;
}

static struct sip_call *
sip_call_alloc(struct call *c)
{
	struct sip_call	*sc = xcalloc(1, sizeof *sc);

	sc->h.kind = SIP_HANDLE_CALL;
	sc->call = c;
	c->sip = sc;
	return sc;
}

/* Open the media stream and build our SDP for it. */
static int
sip_call_media(struct call *c, const char *toward, char **cause)
{
	struct sip_call	*sc = c->sip;
	char		 addr[64];

	sip_call_local_addr(toward, addr, sizeof addr);
	c->media = media_new(c->id, addr, cause);
	if (c->media == NULL)
		return -1;
	free(sc->addr);
	sc->addr = xstrdup(addr);
	free(sc->user_sdp);
	sip_sdp_keys_wipe(&sc->keys);
	sc->user_sdp = sip_sdp_offer(c->acct->conf, addr,
	    media_local_port(c->media), &sc->keys, cause);
	return sc->user_sdp != NULL ? 0 : -1;
}

static int
sip_call_invite_tags(struct call *c, const char *target, tagi_t const *extra,
    char **cause)
{
	const struct conf_account	*ca = c->acct->conf;
	struct sip_call			*sc = sip_call_alloc(c);
	char				*route, *from, *user, host[256];
	char				*rset = NULL;
	su_home_t			 home[1] = { SU_HOME_INIT(home) };
	sip_call_id_t			*cid;

	route = sip_call_route(ca);
	sip_call_uri_host(route != NULL ? route : target, host, sizeof host);
	if (sip_call_media(c, host, cause) != 0) {
		free(route);
		return -1;
	}
	from = sip_reg_from(ca);
	user = sip_uri_user(ca->uri);
	/* NUTAG_PROXY is stack-wide; a per-call outbound proxy is a
	 * preloaded loose Route (RFC 3261 8.1.2). */
	if (route != NULL)
		rset = sip_uri_route(route);
	/* Our own Call-ID, so the call knows it before anything is sent
	 * (the trace view finds the messages of a call by it). */
	cid = sip_call_id_create(home, NULL);
	if (cid != NULL)
		util_strlcpy(c->call_id, cid->i_id, sizeof c->call_id);
	sc->nh = nua_handle(sip_ua_nua(), &sc->h,
	    SIPTAG_TO_STR(target),
	    SIPTAG_FROM_STR(from),
	    TAG_IF(cid != NULL, SIPTAG_CALL_ID(cid)),
	    TAG_IF(rset != NULL, NUTAG_INITIAL_ROUTE_STR(rset)),
	    NUTAG_M_USERNAME(user != NULL ? user : ca->username),
	    TAG_END());
	su_home_deinit(home);
	free(rset);
	free(from);
	free(route);
	free(user);
	if (sc->nh == NULL) {
		*cause = xstrdup("cannot create a SIP handle");
		return -1;
	}
	nua_invite(sc->nh,
	    SOATAG_USER_SDP_STR(sc->user_sdp),
	    SOATAG_ADDRESS(sc->addr),
	    SIP_CALL_SOA_TAGS,
	    TAG_NEXT(extra));
	return 0;
}

int
sip_call_invite(struct call *c, const char *target, char **cause)
{
	return sip_call_invite_tags(c, target, NULL, cause);
}

int
sip_call_answer(struct call *c, char **cause)
{
	struct sip_call	*sc = c->sip;

	if (sc == NULL || sc->nh == NULL) {
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	nua_respond(sc->nh, SIP_200_OK,
	    SOATAG_USER_SDP_STR(sc->user_sdp),
	    SOATAG_ADDRESS(sc->addr),
	    SIP_CALL_SOA_TAGS,
	    TAG_END());
	return 0;
}

void
sip_call_reject(struct call *c, int code, const char *phrase)
{
	struct sip_call	*sc = c->sip;

	if (sc == NULL || sc->nh == NULL)
		return;
	if (phrase == NULL)
		phrase = sip_status_phrase(code);
	if (phrase == NULL)
		phrase = "Rejected";
	sip_call_set_final(sc, code, phrase);
	nua_respond(sc->nh, code, phrase, TAG_END());
}

void
sip_call_hangup(struct call *c, const char *why)
{
	struct sip_call	*sc = c->sip;

	if (sc == NULL || sc->nh == NULL)
		return;
	if (sc->final_reason == NULL)
		sip_call_set_final(sc, 0, why);
	switch (sc->state) {
	case nua_callstate_calling:
	case nua_callstate_proceeding:
		nua_cancel(sc->nh, TAG_END());
		break;
	case nua_callstate_received:
	case nua_callstate_early:
		nua_respond(sc->nh, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
		break;
	case nua_callstate_terminating:
	case nua_callstate_terminated:
		break;
	default:
		nua_bye(sc->nh, TAG_END());
		break;
	}
}

void
sip_call_reinvite(struct call *c, bool hold)
{
	struct sip_call	*sc = c->sip;
	const char	*mode = NULL;

	if (sc == NULL || sc->nh == NULL)
		return;
	/* RFC 3264 8.4: holding a stream the peer already holds makes it
	 * inactive; otherwise sendonly. */
	if (hold)
		mode = c->held_by_remote ? "#" : "audio";
	nua_invite(sc->nh,
	    SOATAG_USER_SDP_STR(sc->user_sdp),
	    SOATAG_ADDRESS(sc->addr),
	    SOATAG_HOLD(mode),
	    SIP_CALL_SOA_TAGS,
	    TAG_END());
}

static void
sip_call_info_next(struct sip_call *sc)
{
	char	 body[64];

	if (sc->info_busy || sc->info_queue[0] == '\0' || sc->nh == NULL)
		return;
	snprintf(body, sizeof body, "Signal=%c\r\nDuration=%d\r\n",
	    sc->info_queue[0], SIP_CALL_INFO_MS);
	memmove(sc->info_queue, sc->info_queue + 1, strlen(sc->info_queue));
	sc->info_busy = true;
	nua_info(sc->nh,
	    SIPTAG_CONTENT_TYPE_STR("application/dtmf-relay"),
	    SIPTAG_PAYLOAD_STR(body),
	    TAG_END());
}

int
sip_call_info_dtmf(struct call *c, const char *digits, char **cause)
{
	struct sip_call	*sc = c->sip;
	size_t		 have, add = strlen(digits), i;

	if (sc == NULL || sc->nh == NULL) {
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	have = strlen(sc->info_queue);
	if (have + add >= sizeof sc->info_queue) {
		*cause = xstrdup("too many DTMF digits queued");
		return -1;
	}
	for (i = 0; i < add; i++) {
		char d = digits[i];

		sc->info_queue[have + i] = (char)(d >= 'a' && d <= 'd' ? d - 32 : d);
	}
	sc->info_queue[have + add] = '\0';
	sip_call_info_next(sc);
	return 0;
}

int
sip_call_refer(struct call *c, const char *target, char **cause)
{
	struct sip_call	*sc = c->sip;
	char		*refer_to;

	if (sc == NULL || sc->nh == NULL) {
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	if (sc->transferring) {
		*cause = xstrdup("a transfer is already in progress");
		return -1;
	}
	xasprintf(&refer_to, "<%s>", target);
	sc->transferring = true;
	nua_refer(sc->nh, SIPTAG_REFER_TO_STR(refer_to), TAG_END());
	free(refer_to);
	return 0;
}

void
sip_call_drop(struct call *c)
{
	struct sip_call	*sc = c->sip;

	if (sc == NULL)
		return;
	c->sip = NULL;
	if (sc->nh != NULL) {
		nua_handle_bind(sc->nh, NULL);
		nua_handle_destroy(sc->nh);
	}
	util_free_secret(sc->user_sdp);
	sip_sdp_keys_wipe(&sc->keys);
	free(sc->addr);
	free(sc->local_sdp);
	free(sc->remote_sdp);
	free(sc->final_reason);
	free(sc);
}

/* "Name" <sip:uri> or sip:uri, from a From/To header. */
static void
sip_call_party(sip_addr_t const *a, char *out, size_t len)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	char		*uri;

	*out = '\0';
	if (a == NULL)
		return;
	uri = url_as_string(home, a->a_url);
	if (a->a_display != NULL && *a->a_display != '\0') {
		const char *d = a->a_display;
		size_t dl = strlen(d);

		if (dl >= 2 && d[0] == '"' && d[dl - 1] == '"')
			snprintf(out, len, "%s <%s>", d, uri != NULL ? uri : "");
		else
			snprintf(out, len, "\"%s\" <%s>", d, uri != NULL ? uri : "");
	} else
		util_strlcpy(out, uri != NULL ? uri : "", len);
	su_home_deinit(home);
}

/* Which account an incoming request is for. */
static struct account *
sip_call_account(sip_t const *sip)
{
	struct account	*a, *first = phone_accounts_first();
	char const	*ruser = NULL;
	char		*user;

	if (sip->sip_request != NULL)
		ruser = sip->sip_request->rq_url->url_user;
	for (a = first; a != NULL && ruser != NULL; a = a->next) {
		user = sip_uri_user(a->conf->uri);
		if (user != NULL && strncmp(ruser, user, strlen(user)) == 0 &&
		    (ruser[strlen(user)] == '\0' || ruser[strlen(user)] == '=')) {
			free(user);
			return a;
		}
		free(user);
	}
	for (a = first; a != NULL && sip->sip_to != NULL; a = a->next) {
		user = sip_uri_user(a->conf->uri);
		if (user != NULL && sip->sip_to->a_url->url_user != NULL &&
		    strcmp(user, sip->sip_to->a_url->url_user) == 0) {
			free(user);
			return a;
		}
		free(user);
	}
	return first;
}

static void
sip_call_incoming(nua_handle_t *nh, sip_t const *sip)
{
	struct account	*a = sip_call_account(sip);
	struct call	*c;
	struct sip_call	*sc;
	char		 remote[EVENT_TEXT_MAX], host[256] = "";
	char		*cause = NULL;

	if (a == NULL || phone_quitting()) {
		nua_respond(nh, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
		nua_handle_destroy(nh);
		return;
	}
	/* A person handles a few calls at once; a flood of INVITEs must not
	 * become a flood of ringing calls (and RTP sockets). */
	if (call_count() >= SIP_CALL_MAX) {
		log_warn("refusing a call from %s: %d calls already",
		    sip->sip_from != NULL && sip->sip_from->a_url->url_host != NULL ?
		    sip->sip_from->a_url->url_host : "?", SIP_CALL_MAX);
		nua_respond(nh, SIP_486_BUSY_HERE, TAG_END());
		nua_handle_destroy(nh);
		return;
	}
	sip_call_party(sip->sip_from, remote, sizeof remote);
	c = call_new(a, false, remote);
	if (sip->sip_call_id != NULL && sip->sip_call_id->i_id != NULL)
		util_strlcpy(c->call_id, sip->sip_call_id->i_id,
		    sizeof c->call_id);
	sc = sip_call_alloc(c);
	sc->nh = nh;
	sc->state = nua_callstate_received;
	nua_handle_bind(nh, &sc->h);
	if (sip->sip_request != NULL && sip->sip_request->rq_url->url_host != NULL)
		util_strlcpy(host, sip->sip_request->rq_url->url_host, sizeof host);
	if (sip_call_media(c, host, &cause) != 0) {
		log_error("call %d: %s", c->id, cause);
		free(cause);
		sip_call_set_final(sc, 500, "media unavailable");
		nua_respond(nh, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
	}
}

/* "399 tsphone \"TEXT\"" with TEXT's quotes and backslashes escaped. */
static char *
sip_call_warning(const char *text)
{
	char		*out = xmalloc(strlen(text) * 2 + 32), *q;
	const char	*p;

	q = out + sprintf(out, "399 tsphone \"");
	for (p = text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			*q++ = '\\';
		if ((unsigned char)*p >= 0x20)
			*q++ = *p;
	}
	strcpy(q, "\"");
	return out;
}

/* An offer arrived with the initial INVITE: take it, or refuse with 488. */
static void
sip_call_offered(struct call *c, struct sip_call *sc)
{
	char	*cause = NULL;

	if (sc->final_code != 0)
		return;		/* already refused */
	if (sc->remote_sdp != NULL) {
		/* Answer with the offer's profile and its SRTP choice. */
		char *answer = sip_sdp_answer(sc->remote_sdp, c->acct->conf,
		    sc->addr, media_local_port(c->media), &sc->keys, &cause);

		if (answer != NULL) {
			util_free_secret(sc->user_sdp);
			sc->user_sdp = answer;
		}
	}
	if (cause != NULL) {
		char	*warning;

		log_warn("call %d: refusing the offer: %s", c->id, cause);
		sip_call_set_final(sc, 488, cause);
		/* Say why in a Warning (RFC 3261 20.43) the caller can show;
		 * 399 is "miscellaneous", and the text is a quoted-string. */
		warning = sip_call_warning(cause);
		nua_respond(sc->nh, SIP_488_NOT_ACCEPTABLE,
		    SIPTAG_WARNING_STR(warning), TAG_END());
		free(warning);
		free(cause);
		return;
	}
	nua_respond(sc->nh, SIP_180_RINGING, TAG_END());
	call_state(c, CALL_INCOMING, 180, "Ringing");
	if (c->acct->conf->auto_answer) {
		log_info("call %d: answering automatically", c->id);
		if (call_answer(c, &cause) != 0) {
			log_error("call %d: %s", c->id, cause);
			free(cause);
		}
	}
}

/* After an answer was sent or received, tell the media engine. */
static void
sip_call_exchange_done(struct call *c, struct sip_call *sc, bool local_is_answer)
{
	struct media_params	 p;
	char			*cause = NULL;

	if (sc->local_sdp == NULL || sc->remote_sdp == NULL)
		return;
	if (sip_sdp_params(sc->local_sdp, sc->remote_sdp, local_is_answer,
	    &sc->keys, &p, &cause) == 0 && !p.srtp &&
	    c->acct->conf->srtp == CONF_SRTP_MANDATORY) {
		media_srtp_crypto_wipe(&p.srtp_rx);
		cause = xstrdup("srtp = mandatory and the peer answered without SRTP");
	}
	if (cause != NULL) {
		log_error("call %d: %s", c->id, cause);
		sip_call_set_final(sc, 488, cause);
		free(cause);
		util_wipe(&p, sizeof p);
		/* A call without usable audio is a failed call, not a silent
		 * (or clear-text) one. */
		if (sc->state == nua_callstate_ready ||
		    sc->state == nua_callstate_completed ||
		    sc->state == nua_callstate_completing)
			nua_bye(sc->nh, TAG_END());
		else if (sc->state == nua_callstate_calling ||
		    sc->state == nua_callstate_proceeding)
			nua_cancel(sc->nh, TAG_END());
		return;
	}
	call_negotiated(c, &p);
	media_srtp_crypto_wipe(&p.srtp_tx);
	media_srtp_crypto_wipe(&p.srtp_rx);
}

static void
sip_call_state(struct call *c, struct sip_call *sc, int status,
    char const *phrase, tagi_t *tags)
{
	int		 cs = sc->state;
	int		 offer_recv = 0, answer_recv = 0, answer_sent = 0;
	int		 offer_sent = 0;
	char const	*l_sdp = NULL, *r_sdp = NULL;

	tl_gets(tags,
	    NUTAG_CALLSTATE_REF(cs),
	    NUTAG_OFFER_RECV_REF(offer_recv),
	    NUTAG_ANSWER_RECV_REF(answer_recv),
	    NUTAG_OFFER_SENT_REF(offer_sent),
	    NUTAG_ANSWER_SENT_REF(answer_sent),
	    SOATAG_LOCAL_SDP_STR_REF(l_sdp),
	    SOATAG_REMOTE_SDP_STR_REF(r_sdp),
	    TAG_END());
	sc->state = cs;
	if (l_sdp != NULL) {
		free(sc->local_sdp);
		sc->local_sdp = xstrdup(l_sdp);
	}
	if (r_sdp != NULL) {
		free(sc->remote_sdp);
		sc->remote_sdp = xstrdup(r_sdp);
	}

	if (cs == nua_callstate_received) {
		sip_call_offered(c, sc);
		return;
	}
	if (cs == nua_callstate_terminated) {
		int		 code = sc->final_code != 0 ? sc->final_code : status;
		const char	*why = sc->final_reason != NULL ?
		    sc->final_reason : phrase;

		call_terminated(c, code, why);	/* frees c and sc */
		return;
	}
	if (answer_recv || answer_sent) {
		sip_call_exchange_done(c, sc, answer_sent != 0);
		/* An answer in a provisional response is early media. */
		if (cs == nua_callstate_proceeding && answer_recv)
			c->early_media = true;
	}
	else if (offer_recv && offer_sent == 0 && cs == nua_callstate_ready &&
	    sc->local_sdp != NULL)
		sip_call_exchange_done(c, sc, true);

	switch (cs) {
	case nua_callstate_proceeding:
		if (c->state == CALL_CALLING || (c->state == CALL_RINGING &&
		    c->early_media))
			call_state(c, c->early_media ? CALL_EARLY : CALL_RINGING,
			    status, phrase);
		break;
	case nua_callstate_ready:
		if (c->state != CALL_ESTABLISHED && c->state != CALL_HELD)
			call_state(c, CALL_ESTABLISHED, 200, "OK");
		break;
	default:
		break;
	}
}

static void
sip_call_r_invite(struct call *c, struct sip_call *sc, int status,
    char const *phrase, nua_handle_t *nh, sip_t const *sip)
{
	char	*cause = NULL;

	if (status == 401 || status == 407) {
		if (sip != NULL && sc->auth_tries < SIP_CALL_AUTH_MAX) {
			sc->auth_tries++;
			if (sip_auth_answer(nh, sip, c->acct, &cause) == 0)
				return;
			sip_call_set_final(sc, status, cause);
			free(cause);
			return;
		}
		sip_call_set_final(sc, status, "authentication failed: wrong user name or password");
		return;
	}
	if (status >= 200)
		sc->auth_tries = 0;
	if (status == 491 && (c->state == CALL_ESTABLISHED || c->state == CALL_HELD)) {
		call_glare(c);
		return;
	}
	if (status >= 300 && c->state != CALL_ESTABLISHED && c->state != CALL_HELD) {
		char	 why[EVENT_TEXT_MAX];

		if (sc->final_reason == NULL) {
			/* The peer's Warning text says more than the phrase. */
			if (sip != NULL && sip->sip_warning != NULL &&
			    sip->sip_warning->w_text != NULL)
				snprintf(why, sizeof why, "%s: %s",
				    phrase != NULL ? phrase : "",
				    sip->sip_warning->w_text);
			else
				snprintf(why, sizeof why, "%s",
				    phrase != NULL ? phrase : "");
			sip_call_set_final(sc, status, why);
		}
		return;
	}
	if (status >= 300)
		log_warn("call %d: re-INVITE answered %d %s", c->id, status, phrase);
	if (status == 180 || status == 183) {
		if (c->state == CALL_CALLING)
			call_state(c, c->early_media ? CALL_EARLY : CALL_RINGING,
			    status, phrase);
	}
}

static char
sip_call_info_digit(sip_t const *sip)
{
	const char	*body, *p;
	size_t		 len;
	char		 d = 0;

	if (sip == NULL || sip->sip_payload == NULL ||
	    sip->sip_content_type == NULL || sip->sip_content_type->c_type == NULL)
		return 0;
	body = sip->sip_payload->pl_data;
	len = sip->sip_payload->pl_len;
	if (strcasecmp(sip->sip_content_type->c_type, "application/dtmf-relay") == 0) {
		for (p = body; p + 7 <= body + len; p++) {
			if (strncasecmp(p, "signal=", 7) != 0)
				continue;
			p += 7;
			while (p < body + len && (*p == ' ' || *p == '\t'))
				p++;
			if (p < body + len)
				d = *p;
			break;
		}
	} else if (strcasecmp(sip->sip_content_type->c_type, "application/dtmf") == 0) {
		for (p = body; p < body + len; p++) {
			if (*p != ' ' && *p != '\r' && *p != '\n') {
				d = *p;
				break;
			}
		}
	}
	if (d >= 'a' && d <= 'd')
		d = (char)(d - 32);
	if (d == 0 || strchr("0123456789*#ABCD", d) == NULL)
		return 0;
	return d;
}

/* A NOTIFY about our REFER: the sipfrag's status says how it went. */
static void
sip_call_notify(struct call *c, struct sip_call *sc, sip_t const *sip)
{
	int	 code = 0;

	if (!sc->transferring || sip == NULL || sip->sip_payload == NULL)
		return;
	if (sip->sip_payload->pl_len > 12 &&
	    strncmp(sip->sip_payload->pl_data, "SIP/2.0 ", 8) == 0)
		code = atoi(sip->sip_payload->pl_data + 8);
	if (code < 200)
		return;
	sc->transferring = false;
	if (code < 300) {
		log_info("call %d: transfer succeeded", c->id);
		sip_call_hangup(c, "transferred");
	} else {
		log_warn("call %d: transfer failed (%d)", c->id, code);
		event_error("transfer", "call %d: the transfer target answered %d",
		    c->id, code);
	}
}

/* The peer asks us to call someone else (we are the transferee). */
static void
sip_call_i_refer(struct call *c, nua_handle_t *nh, sip_t const *sip,
    tagi_t *tags)
{
	sip_event_t const	*ev = NULL;
	struct call		*nc;
	su_home_t		 home[1] = { SU_HOME_INIT(home) };
	char			*target, *cause = NULL;
	char			 remote[EVENT_TEXT_MAX];

	if (sip == NULL || sip->sip_refer_to == NULL)
		return;
	tl_gets(tags, NUTAG_REFER_EVENT_REF(ev), TAG_END());
	target = url_as_string(home, sip->sip_refer_to->r_url);
	if (target == NULL || sip_uri_check(target, &cause) != 0) {
		log_warn("call %d: refusing a transfer to a bad target: %s", c->id,
		    cause != NULL ? cause : "?");
		free(cause);
		su_home_deinit(home);
		return;
	}
	log_info("call %d: transferred by the remote party to %s", c->id, target);
	util_strlcpy(remote, target, sizeof remote);
	nc = call_new(c->acct, true, remote);
	{
		tagi_t	 extra[] = {
			{ NUTAG_NOTIFY_REFER(nh) },
			{ NUTAG_REFER_EVENT(ev) },
			{ TAG_END() },
		};

		if (sip_call_invite_tags(nc, target, extra, &cause) != 0) {
			log_error("call %d: %s", nc->id, cause);
			free(cause);
			call_terminated(nc, 500, "transfer failed");
			su_home_deinit(home);
			return;
		}
	}
	call_make_current(nc);
	call_emit(nc);
	su_home_deinit(home);
}

void
sip_call_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip, tagi_t *tags)
{
	struct sip_call	*sc = (struct sip_call *)h;
	struct call	*c;
	char		 d;

	if (h == NULL) {
		if (event == nua_i_invite)
			sip_call_incoming(nh, sip);
		return;
	}
	c = sc->call;
	switch (event) {
	case nua_i_state:
		sip_call_state(c, sc, status, phrase, tags);
		return;
	case nua_r_invite:
		sip_call_r_invite(c, sc, status, phrase, nh, sip);
		return;
	case nua_i_bye:
		if (sc->final_reason == NULL)
			sip_call_set_final(sc, 200, "remote hung up");
		return;
	case nua_i_cancel:
		sip_call_set_final(sc, 487, "cancelled by the caller");
		return;
	case nua_i_info:
		if ((d = sip_call_info_digit(sip)) != 0)
			call_dtmf_received(c, d, true);
		return;
	case nua_r_info:
		if (status < 200)
			return;
		sc->info_busy = false;
		if (status >= 300)
			log_warn("call %d: DTMF INFO answered %d %s", c->id,
			    status, phrase);
		sip_call_info_next(sc);
		return;
	case nua_r_refer:
		if (status >= 300) {
			sc->transferring = false;
			log_warn("call %d: transfer refused: %d %s", c->id, status,
			    phrase);
			event_error("transfer", "call %d: REFER answered %d %s",
			    c->id, status, phrase);
		}
		return;
	case nua_i_notify:
		sip_call_notify(c, sc, sip);
		return;
	case nua_i_refer:
		sip_call_i_refer(c, nh, sip, tags);
		return;
	default:
		return;
	}
}
