/*
 * sip-call.c: calls through Sofia's nua: INVITE dialogs, offer/answer
 * through soa with per-call tags (stack-level soa tags are not inherited
 * by handles), digest challenges on INVITE, hold by re-INVITE, DTMF by
 * INFO, transfer by REFER in both roles (as transferee the NOTIFYs are
 * ours: Sofia's own turn every non-2xx answer, a 407 included, into a
 * final "503"), and the mapping of nua's call states to reports.
 * Replaces (RFC 3891): incoming ones are parsed for the model to match
 * (Sofia does nothing with them), the dialog tags are kept to build our
 * own, and a REFER's Refer-To may carry one for the INVITE it asks for
 * (attended transfer, RFC 5589).
 *
 * Nothing here decides what a happening means for the user: that is
 * call.c's business. Reports are queued inside Sofia's callback and
 * handed over after it has returned (loop_defer), so the owner may act on
 * the dialog or free it from its handler. A dialog's memory lives until
 * its owner has freed it, no report for it is pending, and its handle is
 * gone; the handle is destroyed once, after its final event (or at
 * shutdown), never inside a callback for it.
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

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-call.h"
#include "sip-dns.h"
#include "sip-sdp.h"
#include "sip-uri.h"
#include "sip-why.h"
#include "util.h"

/* Challenges answered per request before we call it a wrong password. */
#define SIP_CALL_AUTH_MAX	2
/* Milliseconds per INFO digit (Duration in application/dtmf-relay). */
#define SIP_CALL_INFO_MS	160

/*
 * soa's selection tags must go with every offer and answer of a call.
 * Offers keep each of our streams where the last exchange put it
 * (ORDERED_USER: else a hold re-INVITE could move our audio into a slot
 * the peer offered with port 0). Answers are sip_sdp_answer's, line for
 * line (SELECT_ALL: it chose the codecs), matched afresh to the offer.
 */
#define SIP_CALL_SOA_TAGS						\
	SOATAG_RTP_SELECT(SOA_RTP_SELECT_SINGLE),			\
	SOATAG_RTP_SORT(SOA_RTP_SORT_LOCAL),				\
	SOATAG_AUDIO_AUX("telephone-event"),				\
	SOATAG_ORDERED_USER(1)
#define SIP_CALL_SOA_ANSWER_TAGS					\
	SOATAG_RTP_SELECT(SOA_RTP_SELECT_ALL),				\
	SOATAG_RTP_SORT(SOA_RTP_SORT_LOCAL),				\
	SOATAG_AUDIO_AUX("telephone-event"),				\
	SOATAG_ORDERED_USER(0)

/* What we read in a request's body (sip-body.c), for 415's Accept. */
#define SIP_CALL_ACCEPT	"application/sdp, multipart/mixed, multipart/alternative"

/*
 * Our in-dialog re-INVITEs and NOTIFYs go one at a time: sent back to back
 * they can overtake each other (a proxy's workers relay them in
 * parallel), and a peer then refuses the one with the lower CSeq with 500
 * (RFC 3261 12.2.2), on which Sofia ends the call with a BYE. Sofia 1.12
 * also lost a re-INVITE queued behind our final NOTIFY. So a request
 * waits here while another is out, and goes when it is answered.
 */
#define SIP_CALL_QUEUE	4

struct sip_call_req {
	bool			 invite;	/* else a NOTIFY */
	bool			 hold;		/* INVITE: hold (else resume) */
	bool			 inactive;	/* INVITE: hold as inactive */
	int			 code;		/* NOTIFY: the sipfrag */
	char			 phrase[64];
};

struct sip_call {
	struct sip_handle	 h;		/* first: the callback dispatches on it */
	su_home_t		 home[1];	/* the refer event copy */
	const struct conf_account *ca;
	const struct sip_cred	*cred;
	sip_call_report_h	 handler;
	void			*arg;

	int			 refs;		/* reports queued for it */
	bool			 freed;		/* the owner is done with it */
	bool			 started;	/* a request went out or came in */
	bool			 ended;		/* terminated: no more events */
	bool			 established;	/* later INVITEs are re-INVITEs */
	bool			 reported_in;	/* the INCOMING report went */
	bool			 final_sent;	/* we answered the INVITE finally */

	struct sip_incoming	 inc;		/* incoming: what it carried */
	char			*target;	/* outgoing: the request URI */
	char			 call_id[EVENT_CALL_ID_MAX];
	char			 addr[64];	/* local media address */
	char			 sdp_addr[64];	/* STUN's public one, or "" */
	char			 rtcp_addr[64];	/* RTCP's public address and */
	int			 rtcp_port;	/* port (0: unknown) */
	char			 ruri_host[256];/* incoming: whom the INVITE named */
	int			 port;

	int			 auth_tries;
	char			*user_sdp;
	struct sip_sdp_keys	 keys;		/* SDES keys in user_sdp */
	char			*local_sdp;	/* last seen, from nua_i_state */
	char			*remote_sdp;
	int			 final_code;	/* of the INVITE, or why we ended */
	char			*final_reason;
	int			 state;		/* last nua callstate */
	bool			 early;		/* an answer came in a 18x */
	char			 info_queue[64];/* INFO digits not yet sent */
	bool			 info_busy;
	bool			 transferring;	/* our REFER is under way */
	sip_event_t		*refer_event;	/* theirs, for our NOTIFYs */
	bool			 notify_final;	/* the last NOTIFY is given */
	bool			 final_out;	/* ... and sent */
	int			 out;		/* our re-INVITE/NOTIFY unanswered */
	struct sip_call_req	 q[SIP_CALL_QUEUE];	/* waiting for them */
	int			 nq;
	char			*referred_by;	/* of their REFER */
	char			*refer_by_us;	/* Referred-By for our INVITE */
	char			*replaces;	/* Replaces for our INVITE */
	bool			 no_ring;	/* answer without a 180 */
	char			 ltag[SIP_CALL_TAG_MAX];	/* our tag */
	char			 rtag[SIP_CALL_TAG_MAX];	/* the peer's */
	char			*contact;	/* the peer's (remote target) */

	struct sip_dns		*dns;		/* first hop being looked up */
	char			*dns_why;	/* why that lookup failed */
	bool			 invite_pending; /* sent once it is found */
};

/* A report waiting for delivery. */
struct sip_call_item {
	struct sip_call		*sc;
	bool			 incoming;	/* to the incoming handler */
	struct sip_call_report	 r;
	struct sip_call_item	*next;
};

static struct sip_call_item	*sip_call_head;
static struct sip_call_item	**sip_call_tail = &sip_call_head;
static sip_incoming_h		 sip_call_in_h;
static void			*sip_call_in_arg;

void
sip_call_set_incoming(sip_incoming_h h, void *arg)
{
	sip_call_in_h = h;
	sip_call_in_arg = arg;
}

static void	 sip_call_send_invite(struct sip_call *);

static void
sip_call_dns_cancel(struct sip_call *sc)
{
	sip_dns_cancel(sc->dns);
	sc->dns = NULL;
}

static void
sip_call_set_final(struct sip_call *sc, int code, const char *reason)
{
	sc->final_code = code;
	free(sc->final_reason);
	sc->final_reason = xstrdup(reason != NULL ? reason : "");
}

/* Free SC when nothing refers to it any more. */
static void
sip_call_release(struct sip_call *sc)
{
	if (!sc->freed || sc->refs > 0 || (sc->h.nh != NULL && !sc->ended &&
	    sc->started))
		return;
	sip_dns_cancel(sc->dns);
	sip_ua_handle_destroy(&sc->h);
	free(sc->dns_why);
	util_free_secret(sc->user_sdp);
	sip_sdp_keys_wipe(&sc->keys);
	free(sc->target);
	free(sc->local_sdp);
	free(sc->remote_sdp);
	free(sc->final_reason);
	free(sc->referred_by);
	free(sc->refer_by_us);
	free(sc->replaces);
	free(sc->contact);
	su_home_deinit(sc->home);
	free(sc);
}

void
sip_call_gone(struct sip_handle *h)
{
	struct sip_call	*sc = (struct sip_call *)h;

	sc->ended = true;
	sip_call_release(sc);
}

static void
sip_call_flush(void *arg)
{
	struct sip_call_item	*it;
	struct sip_call		*sc;

	(void)arg;
	while ((it = sip_call_head) != NULL) {
		sip_call_head = it->next;
		if (sip_call_head == NULL)
			sip_call_tail = &sip_call_head;
		sc = it->sc;
		if (it->incoming) {
			if (sip_call_in_h != NULL && !sc->freed)
				sip_call_in_h(&sc->inc, sip_call_in_arg);
			if (sc->handler == NULL && !sc->freed) {
				/* Nobody took it: refuse rather than leak. */
				sip_call_reject(sc, 480, NULL);
				sip_call_free(sc);
			}
		} else if (!sc->freed && sc->handler != NULL)
			sc->handler(&it->r, sc->arg);
		sc->refs--;
		util_wipe(&it->r.params, sizeof it->r.params);
		free(it);
		sip_call_release(sc);
	}
}

static struct sip_call_report *
sip_call_queue(struct sip_call *sc, enum sip_call_report_kind kind, int code,
    const char *reason)
{
	struct sip_call_item	*it = xcalloc(1, sizeof *it);

	it->sc = sc;
	it->r.kind = kind;
	it->r.code = code;
	util_strlcpy(it->r.reason, reason != NULL ? reason : "",
	    sizeof it->r.reason);
	sc->refs++;
	*sip_call_tail = it;
	sip_call_tail = &it->next;
	loop_defer(sip_call_flush, NULL);
	return &it->r;
}

static struct sip_call *
sip_call_alloc(void)
{
	struct sip_call	*sc = xcalloc(1, sizeof *sc);

	sc->h.kind = SIP_HANDLE_CALL;
	su_home_init(sc->home);
	return sc;
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
char *
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

/* End a call whose INVITE never went out (its first hop is unknown). */
static void
sip_call_end_unsent(struct sip_call *sc, int code, const char *why)
{
	sc->invite_pending = false;
	sip_call_dns_cancel(sc);
	if (sc->final_reason == NULL)
		sip_call_set_final(sc, code, why);
	else if (sc->final_code == 0)
		sc->final_code = code;
	sc->ended = true;
	sip_call_queue(sc, SIP_CALL_ENDED, sc->final_code, sc->final_reason);
}

/* The first hop was looked up: preload it as the route and INVITE. */
static void
sip_call_resolved(const struct sip_dns_result *dr, void *arg)
{
	struct sip_call	*sc = arg;
	char		*route;

	sc->dns = NULL;
	if (sc->ended || sc->h.nh == NULL)
		return;
	if (dr->error != 0) {
		log_warn("call to %s: %s", sc->target, dr->why);
		if (sc->invite_pending)
			sip_call_end_unsent(sc, 503, dr->why);
		else
			sc->dns_why = xstrdup(dr->why);
		return;
	}
	route = sip_dns_route(dr);
	log_debug("call to %s: first hop %s", sc->target, route);
	nua_set_hparams(sc->h.nh, NUTAG_INITIAL_ROUTE_STR(route), TAG_END());
	free(route);
	if (sc->invite_pending) {
		sc->invite_pending = false;
		sip_call_send_invite(sc);
	}
}

struct sip_call *
sip_call_new(const struct conf_account *ca, const struct sip_cred *cred,
    const char *target, sip_call_report_h handler, void *arg, char **cause)
{
	struct sip_call	*sc;
	char		*uri, *route, *from, *user, host[256];
	char		*rset = NULL;
	bool		 lookup;
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	sip_call_id_t	*cid;
	nua_handle_t	*nh;

	if (sip_ua_nua() == NULL) {
		*cause = xstrdup("the SIP stack is not running");
		return NULL;
	}
	if ((uri = sip_uri_target(ca, target, cause)) == NULL)
		return NULL;
	sc = sip_call_alloc();
	sc->ca = ca;
	sc->cred = cred;
	sc->handler = handler;
	sc->arg = arg;
	sc->target = uri;
	route = sip_call_route(ca);
	sip_call_uri_host(route != NULL ? route : uri, host, sizeof host);
	sip_call_local_addr(host, sc->addr, sizeof sc->addr);
	from = sip_reg_from(ca);
	user = sip_uri_user(ca->uri);
	/* NUTAG_PROXY is stack-wide; a per-call outbound proxy is a
	 * preloaded loose Route (RFC 3261 8.1.2). A first hop named by a
	 * host name is looked up by us, and the route set once it is
	 * known (sip-dns.c says why). */
	lookup = sip_dns_needed(route != NULL ? route : uri);
	if (route != NULL && !lookup)
		rset = sip_uri_route(route);
	/* Our own Call-ID, so the call knows it before anything is sent
	 * (the trace view finds the messages of a call by it). */
	cid = sip_call_id_create(home, NULL);
	if (cid != NULL)
		util_strlcpy(sc->call_id, cid->i_id, sizeof sc->call_id);
	nh = nua_handle(sip_ua_nua(), NULL,
	    SIPTAG_TO_STR(uri),
	    SIPTAG_FROM_STR(from),
	    TAG_IF(cid != NULL, SIPTAG_CALL_ID(cid)),
	    TAG_IF(rset != NULL, NUTAG_INITIAL_ROUTE_STR(rset)),
	    NUTAG_M_USERNAME(user != NULL ? user : ca->username),
	    TAG_END());
	su_home_deinit(home);
	free(rset);
	free(from);
	free(user);
	if (nh == NULL) {
		*cause = xstrdup("cannot create a SIP handle");
		free(route);
		sc->freed = true;
		sip_call_release(sc);
		return NULL;
	}
	sip_ua_handle_add(&sc->h, nh);
	/* Re-INVITEs come to us (sip_call_reoffer), not to soa alone. */
	nua_set_hparams(nh, NUTAG_AUTOANSWER(0), TAG_END());
	if (lookup) {
		sc->dns = sip_dns_resolve(route != NULL ? route : uri,
		    sip_reg_transport(ca), sip_call_resolved, sc, cause);
		if (sc->dns == NULL) {
			free(route);
			sc->freed = true;
			sip_call_release(sc);
			return NULL;
		}
	}
	free(route);
	return sc;
}

const char *
sip_call_target(const struct sip_call *sc)
{
	return sc->target != NULL ? sc->target : "";
}

const char *
sip_call_callid(const struct sip_call *sc)
{
	return sc->call_id;
}

const char *
sip_call_media_addr(const struct sip_call *sc)
{
	return sc->addr;
}

void
sip_call_referred(struct sip_call *sc, const struct sip_call *old)
{
	free(sc->refer_by_us);
	sc->refer_by_us = old->referred_by != NULL ?
	    xstrdup(old->referred_by) : NULL;
}

void
sip_call_set_replaces(struct sip_call *sc, const char *replaces)
{
	free(sc->replaces);
	sc->replaces = replaces != NULL && *replaces != '\0' ?
	    xstrdup(replaces) : NULL;
}

const char *
sip_call_local_tag(const struct sip_call *sc)
{
	return sc->ltag;
}

const char *
sip_call_remote_tag(const struct sip_call *sc)
{
	return sc->rtag;
}

/* Keep the peer's Contact (the remote target a Refer-To names). */
static void
sip_call_keep_contact(struct sip_call *sc, sip_t const *sip)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*u;
	char		*s;

	if (sip == NULL || sip->sip_contact == NULL ||
	    sip->sip_contact->m_url->url_host == NULL)
		return;
	if ((u = url_hdup(home, sip->sip_contact->m_url)) == NULL)
		return;
	u->url_headers = NULL;
	if ((s = url_as_string(home, u)) != NULL) {
		free(sc->contact);
		sc->contact = xstrdup(s);
	}
	su_home_deinit(home);
}

/* The address our SDP gives: the public one STUN found, else the local. */
static const char *
sip_call_sdp_addr(const struct sip_call *sc)
{
	return sc->sdp_addr[0] != '\0' ? sc->sdp_addr : sc->addr;
}

/*
 * SDP with RFC 3605's a=rtcp when our RTCP is not where the peer would
 * look (RTP's port + 1 at RTP's address): behind a NAT the two sockets
 * get mappings of their own. SDP is taken and returned (NULL stays NULL).
 */
static char *
sip_call_rtcp(const struct sip_call *sc, char *sdp)
{
	const char	*addr = sip_call_sdp_addr(sc);

	if (sdp == NULL || sc->rtcp_port == 0 || (sc->rtcp_port == sc->port + 1 &&
	    strcmp(sc->rtcp_addr, addr) == 0))
		return sdp;
	return sip_sdp_add_rtcp(sdp, sc->rtcp_addr, sc->rtcp_port);
}

void
sip_call_set_public(struct sip_call *sc, const char *addr,
    const char *rtcp_addr, int rtcp_port)
{
	util_strlcpy(sc->sdp_addr, addr != NULL ? addr : "", sizeof sc->sdp_addr);
	util_strlcpy(sc->rtcp_addr, rtcp_addr != NULL ? rtcp_addr : "",
	    sizeof sc->rtcp_addr);
	sc->rtcp_port = rtcp_addr != NULL ? rtcp_port : 0;
}

static void
sip_call_send_invite(struct sip_call *sc)
{
	char	*to;

	/* The To given to nua_handle is the bare URI, where a parameter
	 * (";user=phone", ";transport=tcp") would be the header's: name
	 * it again as <URI>, which also makes the request URI. */
	xasprintf(&to, "<%s>", sc->target != NULL ? sc->target : "");
	nua_invite(sc->h.nh,
	    TAG_IF(sc->target != NULL, SIPTAG_TO_STR(to)),
	    SOATAG_USER_SDP_STR(sc->user_sdp),
	    SOATAG_ADDRESS(sip_call_sdp_addr(sc)),
	    SIP_CALL_SOA_TAGS,
	    TAG_IF(sc->refer_by_us != NULL,
		SIPTAG_REFERRED_BY_STR(sc->refer_by_us)),
	    /* Without "Require: replaces": a target that knows no
	     * Replaces (baresip 1.0) then takes it as a new call, and the
	     * transfer still completes as a plain one, where with the
	     * Require it would answer 420 and the transfer would fail. */
	    TAG_IF(sc->replaces != NULL, SIPTAG_REPLACES_STR(sc->replaces)),
	    TAG_END());
	free(to);
}

int
sip_call_invite(struct sip_call *sc, int port, char **cause)
{
	if (sc->h.nh == NULL || sc->started) {
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	sc->port = port;
	util_free_secret(sc->user_sdp);
	sip_sdp_keys_wipe(&sc->keys);
	sc->user_sdp = sip_call_rtcp(sc, sip_sdp_offer(sc->ca,
	    sip_call_sdp_addr(sc), port, &sc->keys, cause));
	if (sc->user_sdp == NULL)
		return -1;
	sc->started = true;
	if (sc->dns_why != NULL)
		sip_call_end_unsent(sc, 503, sc->dns_why);
	else if (sc->dns != NULL)
		sc->invite_pending = true;	/* sip_call_resolved sends it */
	else
		sip_call_send_invite(sc);
	return 0;
}

void
sip_call_bind(struct sip_call *sc, const struct conf_account *ca,
    const struct sip_cred *cred, sip_call_report_h handler, void *arg)
{
	sc->ca = ca;
	sc->cred = cred;
	sc->handler = handler;
	sc->arg = arg;
	sip_call_local_addr(sc->ruri_host, sc->addr, sizeof sc->addr);
}

/*
 * A Warning (RFC 3261 20.43): "CODE HOST \"TEXT\"", HOST our address (the
 * warn-agent), TEXT a quoted-string: quotes and backslashes escaped,
 * control characters left out.
 */
static char *
sip_call_warning(const struct sip_call *sc, int code, const char *text)
{
	const char	*host = sc->addr[0] != '\0' ? sc->addr :
	    sc->ruri_host[0] != '\0' ? sc->ruri_host : "tsphone";
	bool		 v6 = strchr(host, ':') != NULL && host[0] != '[';
	char		*out = xmalloc(strlen(text) * 2 + strlen(host) + 32), *q;
	const char	*p;

	q = out + sprintf(out, "%03d %s%s%s \"", code, v6 ? "[" : "", host,
	    v6 ? "]" : "");
	for (p = text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			*q++ = '\\';
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			*q++ = *p;
	}
	strcpy(q, "\"");
	return out;
}

/*
 * Refuse the offer of SC's INVITE (or re-INVITE, UPDATE) with CODE (400,
 * 415, 488) and a Warning WARN saying WHY; a 415 says what we read
 * (Accept replaces the one nua put in). The call's reason, for the
 * initial one. WITH: the request, when inside its callback (nua finds
 * an INVITE by itself, not an UPDATE).
 */
static void
sip_call_refuse(struct sip_call *sc, msg_t *with, int code, int warn,
    const char *why)
{
	char	*warning = sip_call_warning(sc, warn, why);

	log_warn("refusing the %soffer of %s: %d %s", sc->established ?
	    "re-" : "", sc->inc.remote[0] != '\0' ? sc->inc.remote :
	    sip_call_target(sc), code, why);
	if (!sc->established) {
		sip_call_set_final(sc, code, why);
		sc->final_sent = true;
	}
	nua_respond(sc->h.nh, code, sip_status_phrase(code),
	    TAG_IF(with != NULL, NUTAG_WITH(with)),
	    SIPTAG_WARNING_STR(warning),
	    TAG_IF(code == 415, SIPTAG_ACCEPT((sip_accept_t *)SIP_NONE)),
	    TAG_IF(code == 415, SIPTAG_ACCEPT_STR(SIP_CALL_ACCEPT)),
	    TAG_END());
	free(warning);
}

/*
 * The offer of an INVITE: its session description (RFC 3261 7.4; a part
 * of a multipart body, sip-body.c), NUL-terminated in *OFFER, or NULL if
 * it has none. Returns 0, or the status to refuse it with (400: the SDP
 * does not parse, 415: the body is not one we read) and why in WHY.
 */
static int
sip_call_offer(sip_t const *sip, char **offer, char *why, size_t len)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	struct sip_body	 b;
	char		*cause = NULL;
	int		 code = 0;

	*offer = NULL;
	sip_body_read(home, sip, &b);
	if (b.code != 0) {
		util_strlcpy(why, b.why, len);
		code = b.code;
	} else if (b.sdp != NULL && memchr(b.sdp, '\0', b.sdp_len) != NULL) {
		util_strlcpy(why, "bad offered SDP: a NUL byte", len);
		code = 400;
	} else if (b.sdp != NULL) {
		*offer = xmalloc(b.sdp_len + 1);
		memcpy(*offer, b.sdp, b.sdp_len);
		(*offer)[b.sdp_len] = '\0';
		if (sip_sdp_check(*offer, &cause) != 0) {
			util_strlcpy(why, cause, len);
			free(cause);
			free(*offer);
			*offer = NULL;
			code = 400;
		}
	}
	su_home_deinit(home);
	return code;
}

int
sip_call_ring(struct sip_call *sc, int port, char **cause)
{
	char	*sdp;
	int	 warn = SIP_SDP_WARN_MISC;

	if (sc->h.nh == NULL || sc->ended || sc->final_sent) {
		*cause = xstrdup("the caller gave up before it rang");
		return -1;
	}
	sc->port = port;
	/* Answer with the offer's profile and its SRTP choice; without an
	 * offer (a delayed-offer INVITE) our 200 carries the offer. */
	sip_sdp_keys_wipe(&sc->keys);
	if (sc->remote_sdp != NULL)
		sdp = sip_sdp_answer(sc->remote_sdp, sc->ca,
		    sip_call_sdp_addr(sc), port, NULL, &sc->keys, &warn, cause);
	else
		sdp = sip_sdp_offer(sc->ca, sip_call_sdp_addr(sc), port,
		    &sc->keys, cause);
	sdp = sip_call_rtcp(sc, sdp);
	if (sdp == NULL) {
		sip_call_refuse(sc, NULL, 488, warn, *cause);
		return -1;
	}
	util_free_secret(sc->user_sdp);
	sc->user_sdp = sdp;
	if (!sc->no_ring)
		nua_respond(sc->h.nh, SIP_180_RINGING, TAG_END());
	return 0;
}

int
sip_call_answer(struct sip_call *sc, char **cause)
{
	if (sc->h.nh == NULL || sc->ended || sc->final_sent ||
	    sc->user_sdp == NULL) {
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	sc->final_sent = true;
	if (sc->remote_sdp != NULL)
		nua_respond(sc->h.nh, SIP_200_OK,
		    SOATAG_USER_SDP_STR(sc->user_sdp),
		    SOATAG_ADDRESS(sip_call_sdp_addr(sc)),
		    SIP_CALL_SOA_ANSWER_TAGS,
		    TAG_END());
	else
		nua_respond(sc->h.nh, SIP_200_OK,
		    SOATAG_USER_SDP_STR(sc->user_sdp),
		    SOATAG_ADDRESS(sip_call_sdp_addr(sc)),
		    SIP_CALL_SOA_TAGS,
		    TAG_END());
	return 0;
}

int
sip_call_accept(struct sip_call *sc, int port, char **cause)
{
	/* RFC 3891 3: the replacing call takes the old one's place; it
	 * does not alert the user. */
	sc->no_ring = true;
	if (sip_call_ring(sc, port, cause) != 0)
		return -1;
	return sip_call_answer(sc, cause);
}

void
sip_call_reject(struct sip_call *sc, int code, const char *phrase)
{
	if (sc->h.nh == NULL || sc->ended || sc->final_sent)
		return;
	if (phrase == NULL)
		phrase = sip_status_phrase(code);
	if (phrase == NULL)
		phrase = "Rejected";
	sip_call_set_final(sc, code, phrase);
	sc->final_sent = true;
	nua_respond(sc->h.nh, code, phrase, TAG_END());
}

void
sip_call_redirect(struct sip_call *sc, const char *uri)
{
	char	*contact;

	if (sc->h.nh == NULL || sc->ended || sc->final_sent)
		return;
	/* In angle brackets: a URI parameter must not read as a header
	 * parameter of the Contact (RFC 3261 20.10). */
	xasprintf(&contact, "<%s>", uri);
	sip_call_set_final(sc, 302, "Moved Temporarily");
	sc->final_sent = true;
	nua_respond(sc->h.nh, SIP_302_MOVED_TEMPORARILY,
	    SIPTAG_CONTACT_STR(contact), TAG_END());
	free(contact);
}

void
sip_call_hangup(struct sip_call *sc, const char *why)
{
	if (sc->h.nh == NULL || sc->ended || !sc->started)
		return;
	if (sc->final_reason == NULL)
		sip_call_set_final(sc, 0, why);
	if (sc->invite_pending) {
		sip_call_end_unsent(sc, 487, why);
		return;
	}
	switch (sc->state) {
	case nua_callstate_calling:
	case nua_callstate_proceeding:
		nua_cancel(sc->h.nh, TAG_END());
		break;
	case nua_callstate_received:
	case nua_callstate_early:
		if (!sc->final_sent) {
			sc->final_sent = true;
			nua_respond(sc->h.nh, SIP_480_TEMPORARILY_UNAVAILABLE,
			    TAG_END());
		}
		break;
	case nua_callstate_terminating:
	case nua_callstate_terminated:
		break;
	default:
		nua_bye(sc->h.nh, TAG_END());
		break;
	}
}

static void
sip_call_send_reinvite(struct sip_call *sc, bool hold, bool inactive)
{
	const char	*mode = NULL;

	/* RFC 3264 8.4: holding a stream the peer already holds makes it
	 * inactive; otherwise sendonly. */
	if (hold)
		mode = inactive ? "#" : "audio";
	nua_invite(sc->h.nh,
	    SOATAG_USER_SDP_STR(sc->user_sdp),
	    SOATAG_ADDRESS(sip_call_sdp_addr(sc)),
	    SOATAG_HOLD(mode),
	    SIP_CALL_SOA_TAGS,
	    TAG_END());
}

static void
sip_call_send_notify(struct sip_call *sc, int code, const char *phrase)
{
	char		 frag[160];
	const char	*ss;

	snprintf(frag, sizeof frag, "SIP/2.0 %03d %s\r\n", code, phrase);
	if (code >= 200) {
		sc->final_out = true;
		ss = "terminated;reason=noresource";
	} else
		ss = "active;expires=60";
	nua_notify(sc->h.nh,
	    SIPTAG_EVENT(sc->refer_event),
	    SIPTAG_SUBSCRIPTION_STATE_STR(ss),
	    SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"),
	    SIPTAG_PAYLOAD_STR(frag),
	    TAG_END());
}

static void
sip_call_send_req(struct sip_call *sc, const struct sip_call_req *rq)
{
	sc->out++;
	if (rq->invite)
		sip_call_send_reinvite(sc, rq->hold, rq->inactive);
	else
		sip_call_send_notify(sc, rq->code, rq->phrase);
}

/* Send RQ now, or once what is out has been answered. */
static void
sip_call_request(struct sip_call *sc, const struct sip_call_req *rq)
{
	int	 i;

	if (sc->out == 0) {
		sip_call_send_req(sc, rq);
		return;
	}
	/* Only the latest hold wish matters; a provisional NOTIFY that is
	 * still waiting is overtaken by the next one. */
	for (i = 0; i < sc->nq; i++) {
		if (sc->q[i].invite == rq->invite &&
		    (rq->invite || sc->q[i].code < 200)) {
			sc->q[i] = *rq;
			return;
		}
	}
	if (sc->nq < SIP_CALL_QUEUE)
		sc->q[sc->nq++] = *rq;
}

/* One of our re-INVITEs or NOTIFYs was answered: send what waits. */
static void
sip_call_request_done(struct sip_call *sc)
{
	struct sip_call_req	 rq;

	if (sc->out > 0)
		sc->out--;
	if (sc->out > 0 || sc->nq == 0 || sc->h.nh == NULL || sc->ended)
		return;
	rq = sc->q[0];
	memmove(&sc->q[0], &sc->q[1], sizeof sc->q[0] * (size_t)--sc->nq);
	sip_call_send_req(sc, &rq);
}

void
sip_call_reinvite(struct sip_call *sc, bool hold, bool held_by_remote)
{
	struct sip_call_req	 rq;

	if (sc->h.nh == NULL || sc->ended)
		return;
	memset(&rq, 0, sizeof rq);
	rq.invite = true;
	rq.hold = hold;
	rq.inactive = held_by_remote;
	sip_call_request(sc, &rq);
}

static void
sip_call_info_next(struct sip_call *sc)
{
	char	 body[64];

	if (sc->info_busy || sc->info_queue[0] == '\0' || sc->h.nh == NULL)
		return;
	snprintf(body, sizeof body, "Signal=%c\r\nDuration=%d\r\n",
	    sc->info_queue[0], SIP_CALL_INFO_MS);
	memmove(sc->info_queue, sc->info_queue + 1, strlen(sc->info_queue));
	sc->info_busy = true;
	nua_info(sc->h.nh,
	    SIPTAG_CONTENT_TYPE_STR("application/dtmf-relay"),
	    SIPTAG_PAYLOAD_STR(body),
	    TAG_END());
}

int
sip_call_info_dtmf(struct sip_call *sc, const char *digits, char **cause)
{
	size_t		 have, add = strlen(digits), i;

	if (sc == NULL || sc->h.nh == NULL) {
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
sip_call_refer(struct sip_call *sc, const char *target, char **cause)
{
	char	*uri, *refer_to;

	if (sc->h.nh == NULL || sc->ended) {
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	if (sc->transferring) {
		*cause = xstrdup("a transfer is already in progress");
		return -1;
	}
	if ((uri = sip_uri_target(sc->ca, target, cause)) == NULL)
		return -1;
	xasprintf(&refer_to, "<%s>", uri);
	sc->transferring = true;
	nua_refer(sc->h.nh, SIPTAG_REFER_TO_STR(refer_to), TAG_END());
	log_info("transferring to %s", uri);
	free(refer_to);
	free(uri);
	return 0;
}

int
sip_call_refer_replaces(struct sip_call *sc, const struct sip_call *to,
    char **cause)
{
	char	*rp, *esc, *refer_to;

	if (sc->h.nh == NULL || sc->ended) {
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	if (sc->transferring) {
		*cause = xstrdup("a transfer is already in progress");
		return -1;
	}
	if (to == sc || to->h.nh == NULL || to->ended || to->ltag[0] == '\0' ||
	    to->rtag[0] == '\0' || to->contact == NULL) {
		*cause = xstrdup("the other call has no dialog to hand over");
		return -1;
	}
	/* The tags as the target sees its dialog: its tag is our remote
	 * one (to-tag), ours its remote one (from-tag). */
	xasprintf(&rp, "%s;to-tag=%s;from-tag=%s", to->call_id, to->rtag,
	    to->ltag);
	esc = sip_uri_header_escape(rp);
	xasprintf(&refer_to, "<%s?Replaces=%s>", to->contact, esc);
	sc->transferring = true;
	nua_refer(sc->h.nh, SIPTAG_REFER_TO_STR(refer_to), TAG_END());
	log_info("transferring to %s, replacing %s", to->contact, rp);
	free(refer_to);
	free(esc);
	free(rp);
	return 0;
}

void
sip_call_notify_refer(struct sip_call *sc, int code, const char *phrase)
{
	struct sip_call_req	 rq;

	if (sc->h.nh == NULL || sc->ended || sc->refer_event == NULL ||
	    sc->notify_final)
		return;
	if (phrase == NULL || *phrase == '\0')
		phrase = sip_status_phrase(code);
	memset(&rq, 0, sizeof rq);
	rq.code = code;
	util_strlcpy(rq.phrase, phrase != NULL ? phrase : "Unknown",
	    sizeof rq.phrase);
	if (code >= 200)
		sc->notify_final = true;
	sip_call_request(sc, &rq);
}

void
sip_call_free(struct sip_call *sc)
{
	if (sc == NULL || sc->freed)
		return;
	sc->freed = true;
	if (sc->h.nh != NULL && sc->started && !sc->ended) {
		/* End what is still open; the handle goes with its final
		 * event. */
		if (sc->final_reason == NULL)
			sip_call_set_final(sc, 0, "hung up");
		sip_call_hangup(sc, NULL);
	}
	sip_call_release(sc);
}

/* "Name" <sip:uri> or sip:uri, from a From/To header. */
void
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

/*
 * The Replaces header of an INVITE (RFC 3891 3). The parser keeps the
 * first of a single-instance header and puts any further one, like a
 * malformed one, on the error list: count them there.
 */
static void
sip_call_parse_replaces(sip_t const *sip, struct sip_replaces *rp)
{
	sip_replaces_t const	*r = sip->sip_replaces;
	msg_error_t const	*e;
	int			 n = r != NULL;

	for (e = sip->sip_error; e != NULL; e = e->er_next) {
		if (e->er_common->h_class == sip_replaces_class ||
		    (e->er_name != NULL && strcasecmp(e->er_name,
		    "Replaces") == 0))
			n++;
	}
	if (n == 0)
		return;
	rp->present = true;
	if (n > 1 || r == NULL || r->rp_call_id == NULL ||
	    r->rp_to_tag == NULL || r->rp_from_tag == NULL) {
		rp->bad = true;
		return;
	}
	util_strlcpy(rp->call_id, r->rp_call_id, sizeof rp->call_id);
	util_strlcpy(rp->to_tag, r->rp_to_tag, sizeof rp->to_tag);
	util_strlcpy(rp->from_tag, r->rp_from_tag, sizeof rp->from_tag);
	rp->early_only = r->rp_early_only != 0;
}

/* A new INVITE: bind its handle and wait for the offer (nua_i_state). */
static void
sip_call_incoming(nua_handle_t *nh, sip_t const *sip)
{
	struct sip_call		*sc = sip_call_alloc();
	struct sip_incoming	*in = &sc->inc;
	char			*offer, why[160];
	int			 code;

	sip_ua_handle_add(&sc->h, nh);
	nua_set_hparams(nh, NUTAG_AUTOANSWER(0), TAG_END());
	sc->started = true;
	sc->state = nua_callstate_received;
	in->sc = sc;
	if (sip != NULL) {
		if (sip->sip_request != NULL) {
			url_t const *u = sip->sip_request->rq_url;

			if (u->url_user != NULL)
				util_strlcpy(in->ruri_user, u->url_user,
				    sizeof in->ruri_user);
			if (u->url_host != NULL)
				util_strlcpy(sc->ruri_host, u->url_host,
				    sizeof sc->ruri_host);
		}
		if (sip->sip_to != NULL && sip->sip_to->a_url->url_user != NULL)
			util_strlcpy(in->to_user, sip->sip_to->a_url->url_user,
			    sizeof in->to_user);
		sip_call_party(sip->sip_from, in->remote, sizeof in->remote);
		if (sip->sip_from != NULL && sip->sip_from->a_tag != NULL)
			util_strlcpy(sc->rtag, sip->sip_from->a_tag,
			    sizeof sc->rtag);
		sip_call_keep_contact(sc, sip);
		sip_call_parse_replaces(sip, &in->replaces);
		if (sip->sip_call_id != NULL && sip->sip_call_id->i_id != NULL) {
			util_strlcpy(in->call_id, sip->sip_call_id->i_id,
			    sizeof in->call_id);
			util_strlcpy(sc->call_id, in->call_id,
			    sizeof sc->call_id);
		}
		/* A body we cannot take is refused before anyone sees the
		 * call (RFC 3261 8.2.3: content comes first). */
		if ((code = sip_call_offer(sip, &offer, why, sizeof why)) != 0)
			sip_call_refuse(sc, nua_current_request(sip_ua_nua()),
			    code, SIP_SDP_WARN_MISC, why);
		free(offer);
	}
}

/* After an answer was sent or received, tell the owner the media. */
static void
sip_call_exchange_done(struct sip_call *sc, bool local_is_answer)
{
	struct media_params	 p;
	struct sip_call_report	*r;
	char			*cause = NULL;

	if (sc->local_sdp == NULL || sc->remote_sdp == NULL || sc->ca == NULL)
		return;
	if (sip_sdp_params(sc->local_sdp, sc->remote_sdp, local_is_answer,
	    &sc->keys, &p, &cause) == 0 && !p.srtp &&
	    sc->ca->srtp == CONF_SRTP_MANDATORY) {
		media_srtp_crypto_wipe(&p.srtp_rx);
		cause = xstrdup("srtp = mandatory and the peer answered without SRTP");
	}
	if (cause != NULL) {
		sip_call_set_final(sc, 488, cause);
		sip_call_queue(sc, SIP_CALL_MEDIA_FAILED, 488, cause);
		free(cause);
		util_wipe(&p, sizeof p);
		/* A call without usable audio is a failed call, not a silent
		 * (or clear-text) one. */
		if (sc->state == nua_callstate_ready ||
		    sc->state == nua_callstate_completed ||
		    sc->state == nua_callstate_completing)
			nua_bye(sc->h.nh, TAG_END());
		else if (sc->state == nua_callstate_calling ||
		    sc->state == nua_callstate_proceeding)
			nua_cancel(sc->h.nh, TAG_END());
		return;
	}
	r = sip_call_queue(sc, SIP_CALL_MEDIA, 0, NULL);
	r->params = p;
	util_wipe(&p, sizeof p);
}

static void
sip_call_state(struct sip_call *sc, int status, char const *phrase,
    tagi_t *tags)
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
	if (l_sdp != NULL) {
		free(sc->local_sdp);
		sc->local_sdp = xstrdup(l_sdp);
	}
	if (r_sdp != NULL) {
		free(sc->remote_sdp);
		sc->remote_sdp = xstrdup(r_sdp);
	}

	/* A re-INVITE's offer (sip_call_reoffer answers it): the call
	 * stays as it is until then. */
	if (cs == nua_callstate_received && sc->established)
		return;
	sc->state = cs;

	if (cs == nua_callstate_terminated) {
		int		 code = sc->final_code != 0 ? sc->final_code : status;
		const char	*why = sc->final_reason != NULL ?
		    sc->final_reason : phrase;

		/* Last report; skipped if the owner let go, but it still
		 * frees the handle once this callback has returned. An
		 * INVITE the stack ended before it reached anyone (no offer
		 * state) has no owner: it is let go here. */
		sc->ended = true;
		if (sc->handler == NULL && !sc->reported_in)
			sc->freed = true;
		sip_call_queue(sc, SIP_CALL_ENDED, code, why);
		return;
	}
	if (sc->freed)
		return;
	if (cs == nua_callstate_received) {
		if (!sc->reported_in && !sc->final_sent) {
			struct sip_call_item	*it = xcalloc(1, sizeof *it);

			sc->reported_in = true;
			sc->inc.has_offer = sc->remote_sdp != NULL;
			it->sc = sc;
			it->incoming = true;
			sc->refs++;
			*sip_call_tail = it;
			sip_call_tail = &it->next;
			loop_defer(sip_call_flush, NULL);
		}
		return;
	}
	if (answer_recv || answer_sent) {
		sip_call_exchange_done(sc, answer_sent != 0);
		/* An answer in a provisional response is early media. */
		if (cs == nua_callstate_proceeding && answer_recv)
			sc->early = true;
	}
	else if (offer_recv && offer_sent == 0 && cs == nua_callstate_ready &&
	    sc->local_sdp != NULL)
		sip_call_exchange_done(sc, true);

	switch (cs) {
	case nua_callstate_proceeding: {
		struct sip_call_report *r = sip_call_queue(sc,
		    SIP_CALL_PROGRESS, status, phrase);

		r->early = sc->early;
		break;
	}
	case nua_callstate_ready:
		if (!sc->established) {
			sc->established = true;
			sip_call_queue(sc, SIP_CALL_ESTABLISHED, 200, "OK");
		}
		break;
	default:
		break;
	}
}

/*
 * Did the stack make this answer up (a timeout, a transport or DNS error,
 * its own 9xx)? Such answers carry our Via as it was sent, where a server
 * adds received= or fills in rport= (we always ask for rport), and
 * servers usually name themselves. (The same test as sip-reg.c's.)
 */
bool
sip_call_local(int status, sip_t const *sip)
{
	sip_via_t const	*v;

	if (status >= 900 || sip == NULL || (v = sip->sip_via) == NULL)
		return true;
	if (sip->sip_server != NULL || sip->sip_user_agent != NULL)
		return false;
	return v->v_received == NULL && (v->v_rport == NULL || *v->v_rport == '\0');
}

/* The final answer to our INVITE in words, as the call's reason. */
static void
sip_call_set_failed(struct sip_call *sc, int status, char const *phrase,
    sip_t const *sip)
{
	char	 why[EVENT_TEXT_MAX];

	sip_why_call_reason(why, sizeof why, status, phrase,
	    sip != NULL && sip->sip_warning != NULL ?
	    sip->sip_warning->w_text : NULL, sip_call_local(status, sip));
	sip_call_set_final(sc, status, why);
}

static void
sip_call_r_invite(struct sip_call *sc, int status, char const *phrase,
    nua_handle_t *nh, sip_t const *sip)
{
	char	*cause = NULL;

	if (status == 401 || status == 407) {
		if (sip != NULL && sc->auth_tries < SIP_CALL_AUTH_MAX) {
			sc->auth_tries++;
			if (sip_auth_answer(nh, sip, sc->cred, &cause) == 0)
				return;
			sip_call_set_final(sc, status, cause);
			free(cause);
			if (sc->established) {
				sip_call_queue(sc, SIP_CALL_REINVITE_DONE,
				    status, phrase);
				sip_call_request_done(sc);
			}
			return;
		}
		if (!sc->established)
			sip_call_set_failed(sc, status, phrase, sip);
		else {
			sip_call_queue(sc, SIP_CALL_REINVITE_DONE, status,
			    phrase);
			sip_call_request_done(sc);
		}
		return;
	}
	if (status >= 200)
		sc->auth_tries = 0;
	/* The dialog's tags and the peer's Contact, from each answer that
	 * makes (or confirms) a dialog; the last early one wins. */
	if (!sc->established && sip != NULL && status > 100 && status < 300) {
		if (sip->sip_from != NULL && sip->sip_from->a_tag != NULL)
			util_strlcpy(sc->ltag, sip->sip_from->a_tag,
			    sizeof sc->ltag);
		if (sip->sip_to != NULL && sip->sip_to->a_tag != NULL)
			util_strlcpy(sc->rtag, sip->sip_to->a_tag,
			    sizeof sc->rtag);
		sip_call_keep_contact(sc, sip);
	}
	if (sc->established) {
		if (status >= 200) {
			struct sip_call_report *r = sip_call_queue(sc,
			    SIP_CALL_REINVITE_DONE, status, phrase);

			if (sip != NULL && sip->sip_retry_after != NULL)
				r->retry_after =
				    (int)sip->sip_retry_after->af_delta;
			sip_call_request_done(sc);
		}
		return;
	}
	if (status >= 300) {
		/* Words first; the phrase and the peer's Warning text (which
		 * often says more) follow. */
		if (sc->final_reason == NULL)
			sip_call_set_failed(sc, status, phrase, sip);
		return;
	}
	if (status == 180 || status == 183) {
		struct sip_call_report *r = sip_call_queue(sc,
		    SIP_CALL_PROGRESS, status, phrase);

		r->early = sc->early;
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
sip_call_notify(struct sip_call *sc, sip_t const *sip, tagi_t *tags)
{
	struct sip_call_report	*r;
	int			 code = 0, substate = -1;
	char			 phrase[128] = "";
	const char		*p;

	if (!sc->transferring || sip == NULL)
		return;
	tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());
	if (sip->sip_payload != NULL && sip->sip_payload->pl_len > 12 &&
	    strncmp(sip->sip_payload->pl_data, "SIP/2.0 ", 8) == 0) {
		code = atoi(sip->sip_payload->pl_data + 8);
		p = sip->sip_payload->pl_data + 12;
		snprintf(phrase, sizeof phrase, "%.*s",
		    (int)strcspn(p, "\r\n") < (int)(sip->sip_payload->pl_len - 12) ?
		    (int)strcspn(p, "\r\n") : (int)(sip->sip_payload->pl_len - 12),
		    p);
	}
	if (code == 0 && substate != nua_substate_terminated)
		return;
	r = sip_call_queue(sc, SIP_CALL_REFER_STATUS, code, phrase);
	r->final = code >= 200 || substate == nua_substate_terminated;
	if (r->final)
		sc->transferring = false;
}

/*
 * The value of header NAME among the headers of a URI ("a=1&b=2", each
 * %HH-escaped), unescaped; NULL if absent or, for Replaces, unusable.
 */
static char *
sip_call_uri_header(su_home_t *home, const char *hdrs, const char *name)
{
	size_t		 nl = strlen(name), len;
	const char	*p, *end;
	char		*v;

	for (p = hdrs; p != NULL && *p != '\0'; p = *end != '\0' ? end + 1 :
	    end) {
		end = p + strcspn(p, "&");
		if ((size_t)(end - p) <= nl || p[nl] != '=' ||
		    strncasecmp(p, name, nl) != 0)
			continue;
		len = (size_t)(end - p) - nl - 1;
		v = su_strndup(home, p + nl + 1, len);
		if (v == NULL)
			return NULL;
		url_unescape(v, v);
		if (strcasecmp(name, "Replaces") == 0 &&
		    sip_replaces_make(home, v) == NULL) {
			log_warn("ignoring a malformed Replaces in a Refer-To: %s",
			    v);
			return NULL;
		}
		return v;
	}
	return NULL;
}

/* The peer asks us to call someone else (we are the transferee). */
static void
sip_call_i_refer(struct sip_call *sc, sip_t const *sip, tagi_t *tags)
{
	sip_event_t const	*ev = NULL;
	struct sip_call_report	*r;
	su_home_t		 home[1] = { SU_HOME_INIT(home) };
	char			*target, *by, *replaces;
	char const		*hdrs;
	url_t			*u;

	if (sip == NULL || sip->sip_refer_to == NULL)
		return;
	tl_gets(tags, NUTAG_REFER_EVENT_REF(ev), TAG_END());
	/* The headers of the Refer-To URI are for the INVITE, not its
	 * request URI; of them we carry Replaces (RFC 5589), the one an
	 * attended transfer needs, and no other. */
	if ((u = url_hdup(home, sip->sip_refer_to->r_url)) == NULL)
		return;
	hdrs = u->url_headers;
	u->url_headers = NULL;
	target = url_as_string(home, u);
	replaces = sip_call_uri_header(home, hdrs, "Replaces");
	if (ev != NULL) {
		if (sc->refer_event != NULL)
			su_free(sc->home, sc->refer_event);
		sc->refer_event = sip_event_dup(sc->home, ev);
		sc->notify_final = false;
	}
	free(sc->referred_by);
	sc->referred_by = NULL;
	if (sip->sip_referred_by != NULL &&
	    (by = sip_header_as_string(home,
	    (sip_header_t const *)sip->sip_referred_by)) != NULL)
		sc->referred_by = xstrdup(by);
	r = sip_call_queue(sc, SIP_CALL_REFER, 0, NULL);
	util_strlcpy(r->target, target != NULL ? target : "",
	    sizeof r->target);
	if (replaces != NULL)
		util_strlcpy(r->replaces, replaces, sizeof r->replaces);
	su_home_deinit(home);
}

/*
 * A re-INVITE, which nua leaves to us (NUTAG_AUTOANSWER(0)), or an UPDATE
 * (NUTAG_APPL_METHOD, sip-ua.c): answer its offer as we answered the
 * first, or refuse it with a Warning and keep the media we have (RFC 3261
 * 14.2, RFC 3311 5.2). A re-INVITE without an offer gets ours in the 200
 * and brings theirs in the ACK; an UPDATE without one (a session timer's
 * refresh) just gets 200.
 */
static void
sip_call_reoffer(struct sip_call *sc, int status, sip_t const *sip)
{
	struct sip_sdp_keys	 keys;
	msg_t			*with = nua_current_request(sip_ua_nua());
	char			*offer, *sdp, *cause = NULL, why[160];
	int			 code, warn = SIP_SDP_WARN_MISC;

	if (status >= 200 || sip == NULL || sc->h.nh == NULL)
		return;		/* nua answered it already (491, 500) */
	if ((code = sip_call_offer(sip, &offer, why, sizeof why)) != 0) {
		sip_call_refuse(sc, with, code, SIP_SDP_WARN_MISC, why);
		return;
	}
	if (offer == NULL && sc->user_sdp != NULL) {
		nua_respond(sc->h.nh, SIP_200_OK,
		    NUTAG_WITH(with),
		    SOATAG_USER_SDP_STR(sc->user_sdp),
		    SOATAG_ADDRESS(sip_call_sdp_addr(sc)),
		    SIP_CALL_SOA_TAGS,
		    TAG_END());
		return;
	}
	if (offer == NULL || sc->user_sdp == NULL || sc->ca == NULL ||
	    !sc->established) {
		free(offer);
		sip_call_refuse(sc, with, 488, SIP_SDP_WARN_MISC,
		    "the call has no session to change yet");
		return;
	}
	sdp = sip_call_rtcp(sc, sip_sdp_answer(offer, sc->ca,
	    sip_call_sdp_addr(sc), sc->port, &sc->keys, &keys, &warn, &cause));
	free(offer);
	if (sdp == NULL) {
		sip_call_refuse(sc, with, 488, warn, cause);
		free(cause);
		return;
	}
	util_free_secret(sc->user_sdp);
	sc->user_sdp = sdp;
	sip_sdp_keys_wipe(&sc->keys);
	sc->keys = keys;
	sip_sdp_keys_wipe(&keys);
	nua_respond(sc->h.nh, SIP_200_OK,
	    NUTAG_WITH(with),
	    SOATAG_USER_SDP_STR(sc->user_sdp),
	    SOATAG_ADDRESS(sip_call_sdp_addr(sc)),
	    SIP_CALL_SOA_ANSWER_TAGS,
	    TAG_END());
}

void
sip_call_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip, tagi_t *tags)
{
	struct sip_call	*sc = (struct sip_call *)h;
	struct sip_call_report *r;
	char		 d;

	if (h == NULL) {
		if (event == nua_i_invite)
			sip_call_incoming(nh, sip);
		return;
	}
	if (event == nua_i_state) {
		sip_call_state(sc, status, phrase, tags);
		return;
	}
	if (sc->freed)
		return;
	switch (event) {
	case nua_i_invite:
	case nua_i_update:
		sip_call_reoffer(sc, status, sip);
		return;
	case nua_r_invite:
		sip_call_r_invite(sc, status, phrase, nh, sip);
		return;
	case nua_i_ack:
		/* Our tag of an incoming dialog is the To tag it confirms. */
		if (sip != NULL && sip->sip_to != NULL &&
		    sip->sip_to->a_tag != NULL && sc->ltag[0] == '\0')
			util_strlcpy(sc->ltag, sip->sip_to->a_tag,
			    sizeof sc->ltag);
		return;
	case nua_i_bye:
		if (sc->final_reason == NULL)
			sip_call_set_final(sc, 200, "remote hung up");
		return;
	case nua_i_cancel:
		sip_call_set_final(sc, 487, "cancelled by the caller");
		return;
	case nua_i_info:
		if ((d = sip_call_info_digit(sip)) != 0) {
			r = sip_call_queue(sc, SIP_CALL_DTMF, 0, NULL);
			r->digit = d;
		}
		return;
	case nua_r_info:
		if (status < 200)
			return;
		sc->info_busy = false;
		if (status >= 300)
			log_warn("DTMF INFO answered %d %s", status, phrase);
		sip_call_info_next(sc);
		return;
	case nua_r_refer:
		if (status >= 300) {
			sc->transferring = false;
			r = sip_call_queue(sc, SIP_CALL_REFER_STATUS, status,
			    phrase);
			r->final = true;
		} else if (status >= 200 && status < 300) {
			sip_call_queue(sc, SIP_CALL_REFER_STATUS, 100,
			    "Trying");
		}
		return;
	case nua_i_notify:
		sip_call_notify(sc, sip, tags);
		return;
	case nua_r_notify:
		if (status < 200)
			return;
		sip_call_request_done(sc);
		if (sc->final_out && sc->out == 0 && sc->nq == 0) {
			sc->final_out = false;
			sip_call_queue(sc, SIP_CALL_NOTIFIED, status, phrase);
		}
		return;
	case nua_i_refer:
		sip_call_i_refer(sc, sip, tags);
		return;
	default:
		return;
	}
}
