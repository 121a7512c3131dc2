/*
 * sip-dns.c: RFC 3263 next-hop resolution done by tsphone itself.
 *
 * Why not Sofia's resolver (sres)? In the Sofia-SIP we build on it reads
 * only /etc/resolv.conf, never /etc/hosts, and once read it keeps it; and
 * when no DNS server is reachable (offline, a dropped VPN) it retries in
 * a tight loop, logging ~90,000 lines a second while the whole stack
 * stops serving other transactions and nua_shutdown never completes
 * (/work/shared/SOFIA-NOTES.md). So the SIP layer asks this file where a
 * request goes first and hands Sofia only IP-literal next hops (a
 * preloaded loose Route); Sofia's resolver is then never asked.
 *
 * A lookup runs in a thread of its own (lookups must never block the
 * loop, and one slow DNS server must not hold up another account's
 * lookup) and reports through a pipe watched by the loop, as tls-check.c
 * does. It uses libc's resolver:
 *  - res_init() per lookup, in a fresh thread (the resolver state is per
 *    thread), so a new /etc/resolv.conf is seen at the next lookup;
 *  - timeouts and attempts of our own (SIP_DNS_TIMEOUT, SIP_DNS_TRIES),
 *    whatever resolv.conf says, so a silent server fails in seconds;
 *  - first a UDP connect() to each nameserver: with no route to any of
 *    them it fails at once (ENETUNREACH), and the lookup says "no DNS
 *    server reachable" instead of waiting;
 *  - NAPTR then SRV (res_query) for a name without port or transport, as
 *    RFC 3263 section 4 says, SRV only when the transport is fixed;
 *  - getaddrinfo() for the address, which honours /etc/hosts and
 *    nsswitch.conf: a PBX named in /etc/hosts resolves even offline.
 * One address is chosen (the first SRV target that resolves, IPv4 before
 * IPv6 since we listen on IPv4 by default); failing over to the next
 * target is not done.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "log.h"
#include "loop.h"
#include "sip-dns.h"
#include "util.h"

/* Seconds per try and tries per query: a silent server costs at most
 * 1 + 2 s per query, and a lookup makes at most two rounds of them. */
#define SIP_DNS_TIMEOUT		1
#define SIP_DNS_TRIES		2
#define SIP_DNS_MAX_RR		16
#define SIP_DNS_ANSWER		4096

struct sip_dns {
	/* Set on the loop thread before the thread starts. */
	char			 host[256];
	int			 port;		/* 0: none in the URI */
	char			 tp[8];		/* "": not fixed */
	bool			 sips;
	sip_dns_h		 handler;
	void			*arg;

	atomic_bool		 cancelled;
	bool			 left;		/* detached at shutdown */
	pthread_t		 thread;
	int			 pipe[2];
	int			 fd_id;
	struct sip_dns_result	 res;		/* written by the thread */
	struct sip_dns		*next;		/* lookups not yet reaped */
};

static struct sip_dns	*sip_dns_live;		/* loop thread only */
static bool		 sip_dns_closed;		/* sip_dns_shutdown ran */

/* One SRV target (or NAPTR replacement) in preference order. */
struct sip_dns_rr {
	int	 order, pref;
	int	 port;
	char	 tp[8];
	char	 name[NS_MAXDNAME];
};

/* What a query found: records, none, or no answer at all. */
enum sip_dns_status {
	SIP_DNS_FOUND,
	SIP_DNS_NONE,		/* NXDOMAIN, no such records, refused */
	SIP_DNS_FAILED,		/* no answer in time, or SERVFAIL */
};

static const char *
sip_dns_srv_prefix(const char *tp)
{
	if (strcmp(tp, "tcp") == 0)
		return "_sip._tcp";
	if (strcmp(tp, "tls") == 0)
		return "_sips._tcp";
	return "_sip._udp";
}

static int
sip_dns_default_port(const char *tp)
{
	return strcmp(tp, "tls") == 0 ? 5061 : 5060;
}

static int
sip_dns_rr_cmp(const void *a, const void *b)
{
	const struct sip_dns_rr	*x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	/* NAPTR: lower preference first; SRV: higher weight first (pref
	 * holds the negated weight). */
	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return 0;
}

static enum sip_dns_status
sip_dns_query(const char *name, int type, unsigned char *ans, int *len)
{
	int	 n;

	h_errno = 0;
	n = res_query(name, ns_c_in, type, ans, SIP_DNS_ANSWER);
	if (n >= 0) {
		*len = n;
		return SIP_DNS_FOUND;
	}
	/* A name without NAPTR may still have SRV records (and some
	 * servers refuse NAPTR queries): only silence stops the search. */
	return h_errno == TRY_AGAIN ? SIP_DNS_FAILED : SIP_DNS_NONE;
}

/* SRV records of NAME into RR (sorted); returns how many, or -1. */
static int
sip_dns_srv(const char *name, const char *tp, struct sip_dns_rr *rr,
    enum sip_dns_status *st)
{
	unsigned char	 ans[SIP_DNS_ANSWER];
	ns_msg		 msg;
	ns_rr		 r;
	int		 len = 0, i, n = 0;

	*st = sip_dns_query(name, ns_t_srv, ans, &len);
	if (*st != SIP_DNS_FOUND)
		return 0;
	if (ns_initparse(ans, len, &msg) != 0)
		return 0;
	for (i = 0; i < ns_msg_count(msg, ns_s_an) && n < SIP_DNS_MAX_RR; i++) {
		const unsigned char *d;

		if (ns_parserr(&msg, ns_s_an, i, &r) != 0 ||
		    ns_rr_type(r) != ns_t_srv || ns_rr_rdlen(r) < 7)
			continue;
		d = ns_rr_rdata(r);
		rr[n].order = ns_get16(d);
		rr[n].pref = -(int)ns_get16(d + 2);
		rr[n].port = ns_get16(d + 4);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), d + 6,
		    rr[n].name, sizeof rr[n].name) < 0)
			continue;
		/* "." means the service is decidedly not here. */
		if (strcmp(rr[n].name, ".") == 0 || rr[n].name[0] == '\0')
			continue;
		util_strlcpy(rr[n].tp, tp, sizeof rr[n].tp);
		n++;
	}
	qsort(rr, (size_t)n, sizeof *rr, sip_dns_rr_cmp);
	if (n == 0)
		*st = SIP_DNS_NONE;
	return n;
}

/* A <character-string> at *P (bounded by END) into OUT; advances *P. */
static int
sip_dns_cstring(const unsigned char **p, const unsigned char *end, char *out,
    size_t len)
{
	size_t	 n;

	if (*p >= end)
		return -1;
	n = **p;
	if (*p + 1 + n > end)
		return -1;
	if (n >= len)
		n = len - 1;
	memcpy(out, *p + 1, n);
	out[n] = '\0';
	*p += 1 + **p;
	return 0;
}

/* NAPTR records of NAME for SIP services we speak, sorted. */
static int
sip_dns_naptr(const char *name, bool sips, struct sip_dns_rr *rr,
    enum sip_dns_status *st)
{
	unsigned char	 ans[SIP_DNS_ANSWER];
	ns_msg		 msg;
	ns_rr		 r;
	int		 len = 0, i, n = 0;

	*st = sip_dns_query(name, ns_t_naptr, ans, &len);
	if (*st != SIP_DNS_FOUND)
		return 0;
	if (ns_initparse(ans, len, &msg) != 0)
		return 0;
	for (i = 0; i < ns_msg_count(msg, ns_s_an) && n < SIP_DNS_MAX_RR; i++) {
		const unsigned char	*d, *end;
		char			 flags[16], svc[32], re[256];
		const char		*tp = NULL;

		if (ns_parserr(&msg, ns_s_an, i, &r) != 0 ||
		    ns_rr_type(r) != ns_t_naptr || ns_rr_rdlen(r) < 7)
			continue;
		d = ns_rr_rdata(r);
		end = d + ns_rr_rdlen(r);
		rr[n].order = ns_get16(d);
		rr[n].pref = ns_get16(d + 2);
		d += 4;
		if (sip_dns_cstring(&d, end, flags, sizeof flags) != 0 ||
		    sip_dns_cstring(&d, end, svc, sizeof svc) != 0 ||
		    sip_dns_cstring(&d, end, re, sizeof re) != 0)
			continue;
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), d,
		    rr[n].name, sizeof rr[n].name) < 0)
			continue;
		/* Only "s" (an SRV follows) records of our services. */
		if (strcasecmp(flags, "s") != 0)
			continue;
		if (strcasecmp(svc, "SIPS+D2T") == 0)
			tp = "tls";
		else if (!sips && strcasecmp(svc, "SIP+D2T") == 0)
			tp = "tcp";
		else if (!sips && strcasecmp(svc, "SIP+D2U") == 0)
			tp = "udp";
		if (tp == NULL)
			continue;
		util_strlcpy(rr[n].tp, tp, sizeof rr[n].tp);
		n++;
	}
	qsort(rr, (size_t)n, sizeof *rr, sip_dns_rr_cmp);
	if (n == 0)
		*st = SIP_DNS_NONE;
	return n;
}

/* NAME's address through getaddrinfo (hosts file, then DNS). */
static int
sip_dns_addr(const char *name, char *out, size_t len)
{
	struct addrinfo	 hints, *ai = NULL, *a, *pick = NULL;
	int		 rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(name, NULL, &hints, &ai)) != 0)
		return rc;
	for (a = ai; a != NULL && pick == NULL; a = a->ai_next)
		if (a->ai_family == AF_INET)
			pick = a;
	for (a = ai; a != NULL && pick == NULL; a = a->ai_next)
		if (a->ai_family == AF_INET6)
			pick = a;
	rc = pick == NULL ? EAI_NONAME : getnameinfo(pick->ai_addr,
	    pick->ai_addrlen, out, (socklen_t)len, NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(ai);
	return rc;
}

/*
 * Can any configured nameserver be reached at all? A UDP connect() sends
 * nothing but fails at once when there is no route. FIRST gets the first
 * server's address, for messages.
 */
static bool
sip_dns_reachable(char *first, size_t len)
{
	int	 i, fd;
	bool	 ok = false;

	*first = '\0';
	for (i = 0; i < _res.nscount && i < MAXNS; i++) {
		struct sockaddr		*sa;
		socklen_t		 sl;
		char			 h[INET6_ADDRSTRLEN];

		if (_res._u._ext.nsaddrs[i] != NULL) {
			sa = (struct sockaddr *)_res._u._ext.nsaddrs[i];
			sl = sizeof(struct sockaddr_in6);
		} else if (_res.nsaddr_list[i].sin_family == AF_INET) {
			sa = (struct sockaddr *)&_res.nsaddr_list[i];
			sl = sizeof(struct sockaddr_in);
		} else
			continue;
		if (*first == '\0' && getnameinfo(sa, sl, h, sizeof h, NULL, 0,
		    NI_NUMERICHOST) == 0)
			util_strlcpy(first, h, len);
		if ((fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			continue;
		if (connect(fd, sa, sl) == 0)
			ok = true;
		close(fd);
		if (ok)
			break;
	}
	return ok;
}

/* Fill Q's result from NAME (resolved to an address) and TP, PORT. */
static bool
sip_dns_take(struct sip_dns *q, const char *name, const char *tp, int port,
    int *gai)
{
	struct sip_dns_result	*res = &q->res;

	if ((*gai = sip_dns_addr(name, res->addr, sizeof res->addr)) != 0)
		return false;
	util_strlcpy(res->name, name, sizeof res->name);
	util_strlcpy(res->transport, tp, sizeof res->transport);
	res->port = port != 0 ? port : sip_dns_default_port(tp);
	return true;
}

/* The first usable target of SRV records at NAME. */
static enum sip_dns_status
sip_dns_try_srv(struct sip_dns *q, const char *name, const char *tp,
    int *gai)
{
	struct sip_dns_rr	 rr[SIP_DNS_MAX_RR];
	enum sip_dns_status	 st;
	int			 n, i;

	n = sip_dns_srv(name, tp, rr, &st);
	for (i = 0; i < n; i++) {
		if (sip_dns_take(q, rr[i].name, tp, rr[i].port, gai))
			return SIP_DNS_FOUND;
	}
	return n > 0 ? SIP_DNS_NONE : st;
}

static void
sip_dns_run(struct sip_dns *q)
{
	struct sip_dns_result	*res = &q->res;
	struct sip_dns_rr	 rr[SIP_DNS_MAX_RR];
	const char		*order[3], *tp;
	char			 ns[INET6_ADDRSTRLEN], srv[NS_MAXDNAME];
	enum sip_dns_status	 st = SIP_DNS_NONE;
	int			 gai = 0, n, i, norder = 0;

	/* Fresh for this lookup: /etc/resolv.conf as it is now, with our
	 * bounds whatever its options say. */
	res_init();
	_res.retrans = SIP_DNS_TIMEOUT;
	_res.retry = SIP_DNS_TRIES;

	if (!sip_dns_reachable(ns, sizeof ns)) {
		/* Only the hosts file (or another NSS source) can help. */
		tp = q->tp[0] != '\0' ? q->tp : q->sips ? "tls" : "udp";
		if (sip_dns_take(q, q->host, tp, q->port, &gai))
			return;
		res->error = -1;
		snprintf(res->why, sizeof res->why, "cannot resolve %s: no DNS "
		    "server reachable%s%s%s", q->host, *ns != '\0' ? " (" : "",
		    ns, *ns != '\0' ? ")" : "");
		return;
	}

	if (q->port != 0) {
		/* RFC 3263 4.2: with a port, only the address is looked up. */
		tp = q->tp[0] != '\0' ? q->tp : q->sips ? "tls" : "udp";
		if (sip_dns_take(q, q->host, tp, q->port, &gai))
			return;
		goto fail;
	}
	if (q->tp[0] != '\0') {
		snprintf(srv, sizeof srv, "%s.%s", sip_dns_srv_prefix(q->tp),
		    q->host);
		if ((st = sip_dns_try_srv(q, srv, q->tp, &gai)) == SIP_DNS_FOUND)
			return;
	} else {
		n = sip_dns_naptr(q->host, q->sips, rr, &st);
		for (i = 0; i < n; i++) {
			if (sip_dns_try_srv(q, rr[i].name, rr[i].tp, &gai) ==
			    SIP_DNS_FOUND)
				return;
		}
		if (n == 0 && st != SIP_DNS_FAILED) {
			/* No NAPTR: SRV for each transport we speak. */
			if (!q->sips) {
				order[norder++] = "udp";
				order[norder++] = "tcp";
			}
			order[norder++] = "tls";
			for (i = 0; i < norder; i++) {
				snprintf(srv, sizeof srv, "%s.%s",
				    sip_dns_srv_prefix(order[i]), q->host);
				st = sip_dns_try_srv(q, srv, order[i], &gai);
				if (st == SIP_DNS_FOUND)
					return;
				if (st == SIP_DNS_FAILED)
					break;
			}
		}
	}
	/* No SRV: the name's own address, on the default port. */
	tp = q->tp[0] != '\0' ? q->tp : q->sips ? "tls" : "udp";
	if (sip_dns_take(q, q->host, tp, 0, &gai))
		return;
fail:
	res->error = -1;
	if (st == SIP_DNS_FAILED || gai == EAI_AGAIN)
		snprintf(res->why, sizeof res->why, "cannot resolve %s: no "
		    "answer from the DNS server (%s)", q->host, ns);
	else if (gai == EAI_NONAME || gai == EAI_NODATA)
		snprintf(res->why, sizeof res->why, "cannot resolve %s: no "
		    "such host", q->host);
	else
		snprintf(res->why, sizeof res->why, "cannot resolve %s: %s",
		    q->host, gai_strerror(gai));
}

static void *
sip_dns_main(void *arg)
{
	struct sip_dns	*q = arg;
	char		 one = 1;

	pthread_setname_np(pthread_self(), "tsp-dns");
	sip_dns_run(q);
	res_nclose(&_res);
	if (write(q->pipe[1], &one, 1) < 0) {
		/* The loop side is gone; nothing to tell. */
	}
	return NULL;
}

static void
sip_dns_free(struct sip_dns *q)
{
	struct sip_dns	**pp;

	for (pp = &sip_dns_live; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	}
	close(q->pipe[0]);
	close(q->pipe[1]);
	free(q);
}

/* Loop thread: a lookup is done. */
static void
sip_dns_ready(int fd, void *arg)
{
	struct sip_dns	*q = arg;
	char		 c;

	if (read(fd, &c, 1) < 0 && errno == EAGAIN)
		return;
	loop_fd_remove(q->fd_id);
	pthread_join(q->thread, NULL);
	if (!atomic_load(&q->cancelled)) {
		if (q->res.error != 0)
			log_debug("DNS: %s", q->res.why);
		else
			log_debug("DNS: %s is %s:%d over %s", q->host,
			    q->res.addr, q->res.port, q->res.transport);
		q->handler(&q->res, q->arg);
	}
	sip_dns_free(q);
}

/* HOST without IPv6 brackets; true if it is an IP literal. */
static bool
sip_dns_literal(const char *host)
{
	char		 h[INET6_ADDRSTRLEN + 2];
	unsigned char	 buf[sizeof(struct in6_addr)];

	util_strlcpy(h, host, sizeof h);
	if (h[0] == '[') {
		memmove(h, h + 1, strlen(h));
		h[strcspn(h, "]")] = '\0';
	}
	return inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
}

bool
sip_dns_needed(const char *uri)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*url = uri != NULL ? url_make(home, uri) : NULL;
	bool		 need = false;

	if (url != NULL && url->url_host != NULL && *url->url_host != '\0' &&
	    (url->url_type == url_sip || url->url_type == url_sips))
		need = !sip_dns_literal(url->url_host);
	su_home_deinit(home);
	return need;
}

struct sip_dns *
sip_dns_resolve(const char *uri, const char *transport, sip_dns_h handler,
    void *arg, char **cause)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*url = uri != NULL ? url_make(home, uri) : NULL;
	struct sip_dns	*q;
	char		 tp[16] = "";
	int		 rc;

	if (sip_dns_closed) {
		*cause = xstrdup("the SIP stack is shutting down");
		su_home_deinit(home);
		return NULL;
	}
	if (url == NULL || url->url_host == NULL || *url->url_host == '\0' ||
	    (url->url_type != url_sip && url->url_type != url_sips)) {
		xasprintf(cause, "cannot resolve \"%s\": not a SIP URI",
		    uri != NULL ? uri : "");
		su_home_deinit(home);
		return NULL;
	}
	q = xcalloc(1, sizeof *q);
	util_strlcpy(q->host, url->url_host, sizeof q->host);
	q->sips = url->url_type == url_sips;
	q->port = url->url_port != NULL ? atoi(url->url_port) : 0;
	if (url->url_params != NULL &&
	    url_param(url->url_params, "transport", tp, sizeof tp) > 0) {
		for (rc = 0; tp[rc] != '\0'; rc++)
			tp[rc] = (char)(tp[rc] >= 'A' && tp[rc] <= 'Z' ?
			    tp[rc] + 32 : tp[rc]);
	} else if (transport != NULL)
		util_strlcpy(tp, transport, sizeof tp);
	else if (q->sips)
		util_strlcpy(tp, "tls", sizeof tp);
	su_home_deinit(home);
	if (q->sips && strcmp(tp, "tcp") == 0)
		util_strlcpy(tp, "tls", sizeof tp);
	if (tp[0] != '\0' && strcmp(tp, "udp") != 0 && strcmp(tp, "tcp") != 0 &&
	    strcmp(tp, "tls") != 0) {
		xasprintf(cause, "cannot resolve %s: unknown transport \"%s\"",
		    q->host, tp);
		free(q);
		return NULL;
	}
	util_strlcpy(q->tp, tp, sizeof q->tp);
	q->handler = handler;
	q->arg = arg;
	atomic_init(&q->cancelled, false);
	if (pipe2(q->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		xasprintf(cause, "cannot resolve %s: %s", q->host,
		    strerror(errno));
		free(q);
		return NULL;
	}
	q->next = sip_dns_live;
	sip_dns_live = q;
	q->fd_id = loop_fd_add(q->pipe[0], sip_dns_ready, q);
	if (q->fd_id < 0) {
		xasprintf(cause, "cannot resolve %s: %s", q->host,
		    strerror(-q->fd_id));
		sip_dns_free(q);
		return NULL;
	}
	if ((rc = pthread_create(&q->thread, NULL, sip_dns_main, q)) != 0) {
		xasprintf(cause, "cannot resolve %s: %s", q->host,
		    strerror(rc));
		loop_fd_remove(q->fd_id);
		sip_dns_free(q);
		return NULL;
	}
	log_debug("DNS: looking up %s%s%s", q->host, q->tp[0] != '\0' ?
	    " for " : "", q->tp);
	return q;
}

void
sip_dns_cancel(struct sip_dns *q)
{
	if (q != NULL)
		atomic_store(&q->cancelled, true);
}

char *
sip_dns_route(const struct sip_dns_result *res)
{
	char		*out;
	bool		 v6 = strchr(res->addr, ':') != NULL;

	if (strcmp(res->transport, "tls") == 0)
		xasprintf(&out, "<sip:%s:%d;maddr=%s%s%s;transport=tls;lr>",
		    res->name, res->port, v6 ? "[" : "", res->addr,
		    v6 ? "]" : "");
	else
		xasprintf(&out, "<sip:%s%s%s:%d;transport=%s;lr>",
		    v6 ? "[" : "", res->addr, v6 ? "]" : "", res->port,
		    res->transport);
	return out;
}

void
sip_dns_shutdown(void)
{
	struct sip_dns	*q;

	sip_dns_closed = true;
	/*
	 * Quitting does not wait for a lookup still waiting on a DNS server
	 * (a few seconds at most): every lookup is cancelled and left to
	 * end with the process. None is freed here, so an owner may still
	 * cancel its own; the list keeps them reachable.
	 */
	for (q = sip_dns_live; q != NULL; q = q->next) {
		if (q->left)
			continue;
		atomic_store(&q->cancelled, true);
		loop_fd_remove(q->fd_id);
		pthread_detach(q->thread);
		q->left = true;
	}
}
