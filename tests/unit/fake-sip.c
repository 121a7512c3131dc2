/*
 * fake-sip.c: the SIP layer's interface (sip-call.h, sip-reg.h,
 * sip-ua.h) as a recorder (fakes.h). Requests are written to a log the
 * test reads; the test plays the network by reporting results to the
 * owners' handlers, as the real layer does after Sofia's callback.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fakes.h"
#include "loop.h"
#include "sip-call.h"
#include "sip-dns.h"
#include "sip-msg.h"
#include "sip-pres.h"
#include "sip-pub.h"
#include "sip-reg.h"
#include "sip-ua.h"
#include "sip-uri.h"
#include "util.h"

#define FAKE_CALLS_MAX	64

struct sip_call {
	struct fake_sip_call	 f;
};

struct sip_reg {
	struct fake_sip_reg	 f;
};

static char			 log_buf[65536];
static struct sip_call		*calls[FAKE_CALLS_MAX + 1];
static int			 ncalls;
static struct sip_reg		*last_reg;
static int			 regs_live;
static sip_incoming_h		 in_h;
static void			*in_arg;
static void			(*shutdown_done)(void *);
static void			*shutdown_arg;
bool	fake_sip_fail_new, fake_sip_fail_ring, fake_sip_fail_reg;
bool	fake_sip_fail_invite, fake_sip_fail_answer, fake_sip_fail_refer;
bool	fake_sip_shutdown_answers = true;
int	fake_sip_shutdowns;

static void
logf_(const char *fmt, ...)
{
	size_t	 len = strlen(log_buf);
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(log_buf + len, sizeof log_buf - len, fmt, ap);
	va_end(ap);
	len = strlen(log_buf);
	if (len + 1 < sizeof log_buf)
		strcat(log_buf, "\n");
}

const char *fake_sip_log(void) { return log_buf; }
void fake_sip_log_clear(void) { log_buf[0] = '\0'; }

int
fake_sip_count(const char *s)
{
	const char	*p = log_buf;
	int		 n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

struct fake_sip_call *
fake_sip_call(int n)
{
	return n >= 1 && n <= ncalls ? &calls[n]->f : NULL;
}

int fake_sip_calls(void) { return ncalls; }

void
fake_sip_reset(void)
{
	int	 i;

	for (i = 1; i <= ncalls; i++) {
		if (!calls[i]->f.freed)
			abort();	/* a dialog the model never freed */
		free(calls[i]);
	}
	ncalls = 0;
}

static struct sip_call *
fake_new_call(void)
{
	struct sip_call	*sc;

	if (ncalls == FAKE_CALLS_MAX)
		abort();
	sc = xcalloc(1, sizeof *sc);
	sc->f.n = ++ncalls;
	calls[ncalls] = sc;
	snprintf(sc->f.ltag, sizeof sc->f.ltag, "l%d", sc->f.n);
	snprintf(sc->f.rtag, sizeof sc->f.rtag, "r%d", sc->f.n);
	return sc;
}

void
fake_sip_report(struct fake_sip_call *f, enum sip_call_report_kind kind,
    int code, const char *reason)
{
	struct sip_call_report	 r;

	if (f->freed || f->handler == NULL)
		return;		/* the real layer drops reports after free */
	memset(&r, 0, sizeof r);
	r.kind = kind;
	r.code = code;
	util_strlcpy(r.reason, reason != NULL ? reason : "", sizeof r.reason);
	r.early = kind == SIP_CALL_PROGRESS && code == 183;
	f->handler(&r, f->arg);
	fake_loop_run();
}

void
fake_sip_report_media(struct fake_sip_call *f, bool remote_hold)
{
	struct sip_call_report	 r;

	if (f->freed)
		return;
	memset(&r, 0, sizeof r);
	r.kind = SIP_CALL_MEDIA;
	util_strlcpy(r.params.remote_addr, "127.0.0.1",
	    sizeof r.params.remote_addr);
	r.params.remote_port = 50000;
	util_strlcpy(r.params.send.name, "opus", sizeof r.params.send.name);
	r.params.send.rate = 48000;
	r.params.send_te_pt = 101;
	r.params.dir = remote_hold ? MEDIA_RECVONLY : MEDIA_SENDRECV;
	r.params.remote_hold = remote_hold;
	f->handler(&r, f->arg);
	fake_loop_run();
}

void
fake_sip_report_refer_replaces(struct fake_sip_call *f, const char *target,
    const char *replaces)
{
	struct sip_call_report	 r;

	memset(&r, 0, sizeof r);
	r.kind = SIP_CALL_REFER;
	util_strlcpy(r.target, target, sizeof r.target);
	util_strlcpy(r.replaces, replaces, sizeof r.replaces);
	f->handler(&r, f->arg);
	fake_loop_run();
}

void
fake_sip_report_refer(struct fake_sip_call *f, const char *target)
{
	fake_sip_report_refer_replaces(f, target, "");
}

void
fake_sip_report_refer_status(struct fake_sip_call *f, int code, bool final)
{
	struct sip_call_report	 r;

	memset(&r, 0, sizeof r);
	r.kind = SIP_CALL_REFER_STATUS;
	r.code = code;
	r.final = final;
	util_strlcpy(r.reason, code >= 300 ? "Busy Here" : "OK",
	    sizeof r.reason);
	f->handler(&r, f->arg);
	fake_loop_run();
}

struct fake_sip_call *
fake_sip_incoming(const char *ruser, const char *remote)
{
	struct sip_call		*sc = fake_new_call();
	struct sip_incoming	 in;

	memset(&in, 0, sizeof in);
	in.sc = sc;
	util_strlcpy(in.ruri_user, ruser, sizeof in.ruri_user);
	util_strlcpy(in.remote, remote, sizeof in.remote);
	snprintf(in.call_id, sizeof in.call_id, "in-%d", sc->f.n);
	util_strlcpy(sc->f.call_id, in.call_id, sizeof sc->f.call_id);
	in.has_offer = true;
	logf_("incoming %d", sc->f.n);
	in_h(&in, in_arg);
	fake_loop_run();
	return &sc->f;
}

struct fake_sip_call *
fake_sip_incoming_replaces(const char *remote, const struct sip_replaces *rp)
{
	struct sip_call		*sc = fake_new_call();
	struct sip_incoming	 in;

	memset(&in, 0, sizeof in);
	in.sc = sc;
	util_strlcpy(in.ruri_user, "nobody", sizeof in.ruri_user);
	util_strlcpy(in.remote, remote, sizeof in.remote);
	snprintf(in.call_id, sizeof in.call_id, "in-%d", sc->f.n);
	util_strlcpy(sc->f.call_id, in.call_id, sizeof sc->f.call_id);
	in.has_offer = true;
	in.replaces = *rp;
	logf_("incoming %d", sc->f.n);
	in_h(&in, in_arg);
	fake_loop_run();
	return &sc->f;
}

static sip_msg_h	 msg_h;
static void		*msg_arg;
int			 fake_sip_msg_started;

void
sip_msg_set_handler(sip_msg_h h, void *arg)
{
	msg_h = h;
	msg_arg = arg;
}

void
sip_msg_start(void)
{
	fake_sip_msg_started++;
}

void
fake_sip_msg(const struct sip_msg_report *r)
{
	if (msg_h != NULL)
		msg_h(r, msg_arg);
	fake_loop_run();
}

/* Our MESSAGEs: recorded ("message TARGET"), answered by the test. */
struct sip_msg_out {
	struct fake_sip_msg	 f;
};

static struct sip_msg_out	*msg_last;
static int			 msgs_live;
bool				 fake_sip_fail_message;

struct sip_msg_out *
sip_msg_send(const struct conf_account *ca, const struct sip_cred *cred,
    const char *target, const char *text, sip_msg_result_h h, void *arg,
    char **cause)
{
	struct sip_msg_out	*m;
	char			*uri;

	(void)cred;
	if (fake_sip_fail_message) {
		fake_sip_fail_message = false;
		*cause = xstrdup("fake: cannot send");
		return NULL;
	}
	if ((uri = sip_uri_target(ca, target, cause)) == NULL)
		return NULL;
	m = xcalloc(1, sizeof *m);
	util_strlcpy(m->f.target, uri, sizeof m->f.target);
	util_strlcpy(m->f.text, text, sizeof m->f.text);
	m->f.handler = h;
	m->f.arg = arg;
	free(uri);
	logf_("message %s", m->f.target);
	msg_last = m;
	msgs_live++;
	return m;
}

const char *
sip_msg_out_target(const struct sip_msg_out *m)
{
	return m->f.target;
}

bool
sip_msg_out_tcp(const struct sip_msg_out *m)
{
	return strlen(m->f.text) > SIP_MSG_UDP_MAX;
}

void
sip_msg_out_free(struct sip_msg_out *m)
{
	if (m == NULL)
		return;
	if (msg_last == m)
		msg_last = NULL;
	msgs_live--;
	free(m);
}

struct fake_sip_msg *
fake_sip_msg_last(void)
{
	return msg_last != NULL ? &msg_last->f : NULL;
}

int
fake_sip_msgs_live(void)
{
	return msgs_live;
}

void
fake_sip_msg_answer(struct fake_sip_msg *f, int code, const char *reason)
{
	struct sip_msg_result	 r;

	memset(&r, 0, sizeof r);
	r.code = code;
	util_strlcpy(r.reason, reason != NULL ? reason : "", sizeof r.reason);
	f->handler(&r, f->arg);
	fake_loop_run();
}

void
sip_call_set_incoming(sip_incoming_h h, void *arg)
{
	in_h = h;
	in_arg = arg;
}

struct sip_call *
sip_call_new(const struct conf_account *ca, const struct sip_cred *cred,
    const char *target, sip_call_report_h h, void *arg, char **cause)
{
	struct sip_call	*sc;

	(void)ca;
	(void)cred;
	if (fake_sip_fail_new || strchr(target, ' ') != NULL) {
		fake_sip_fail_new = false;
		xasprintf(cause, "bad target \"%s\"", target);
		return NULL;
	}
	sc = fake_new_call();
	snprintf(sc->f.target, sizeof sc->f.target, "sip:%s", target);
	sc->f.handler = h;
	sc->f.arg = arg;
	snprintf(sc->f.call_id, sizeof sc->f.call_id, "out-%d", sc->f.n);
	logf_("new %d %s", sc->f.n, target);
	return sc;
}

const char *sip_call_target(const struct sip_call *sc) { return sc->f.target; }
const char *sip_call_callid(const struct sip_call *sc) { return sc->f.call_id; }
const char *sip_call_local_tag(const struct sip_call *sc) { return sc->f.ltag; }
const char *sip_call_remote_tag(const struct sip_call *sc) { return sc->f.rtag; }

void
sip_call_set_replaces(struct sip_call *sc, const char *replaces)
{
	util_strlcpy(sc->f.replaces, replaces != NULL ? replaces : "",
	    sizeof sc->f.replaces);
	if (sc->f.replaces[0] != '\0')
		logf_("replaces %d %s", sc->f.n, sc->f.replaces);
}
const char *sip_call_media_addr(const struct sip_call *sc) { (void)sc; return "127.0.0.1"; }

void
sip_call_set_public(struct sip_call *sc, const char *addr,
    const char *rtcp_addr, int rtcp_port)
{
	util_strlcpy(sc->f.public_addr, addr != NULL ? addr : "",
	    sizeof sc->f.public_addr);
	util_strlcpy(sc->f.rtcp_addr, rtcp_addr != NULL ? rtcp_addr : "",
	    sizeof sc->f.rtcp_addr);
	sc->f.rtcp_port = rtcp_port;
	logf_("public %d %s", sc->f.n, sc->f.public_addr);
}

/* --- sip-dns.h --- */

struct sip_dns {
	char		 uri[300];
	sip_dns_h	 h;
	void		*arg;
	bool		 cancelled;
};
static struct sip_dns	*fake_dns;

struct sip_dns *
sip_dns_resolve(const char *uri, const char *transport, sip_dns_h h,
    void *arg, char **cause)
{
	(void)transport;
	(void)cause;
	free(fake_dns);
	fake_dns = xcalloc(1, sizeof *fake_dns);
	util_strlcpy(fake_dns->uri, uri, sizeof fake_dns->uri);
	fake_dns->h = h;
	fake_dns->arg = arg;
	return fake_dns;
}

void
sip_dns_cancel(struct sip_dns *q)
{
	if (q != NULL)
		q->cancelled = true;
}

const char *
fake_sip_dns_pending(void)
{
	return fake_dns != NULL && !fake_dns->cancelled ? fake_dns->uri : NULL;
}

void
fake_sip_dns_answer(const char *addr, const char *why)
{
	struct sip_dns		*q = fake_dns;
	struct sip_dns_result	 res;

	fake_dns = NULL;
	if (q == NULL)
		return;
	memset(&res, 0, sizeof res);
	if (addr != NULL)
		util_strlcpy(res.addr, addr, sizeof res.addr);
	else {
		res.error = -1;
		util_strlcpy(res.why, why, sizeof res.why);
	}
	if (!q->cancelled)
		q->h(&res, q->arg);
	free(q);
	fake_loop_run();
}

int
sip_call_invite(struct sip_call *sc, int port, char **cause)
{
	sc->f.port = port;
	if (fake_sip_fail_invite) {
		fake_sip_fail_invite = false;
		*cause = xstrdup("no offer");
		return -1;
	}
	sc->f.invited = true;
	logf_("invite %d", sc->f.n);
	return 0;
}

void
sip_call_referred(struct sip_call *sc, const struct sip_call *old)
{
	(void)old;
	sc->f.referred = true;
	logf_("referred %d", sc->f.n);
}

void
sip_call_bind(struct sip_call *sc, const struct conf_account *ca,
    const struct sip_cred *cred, sip_call_report_h h, void *arg)
{
	(void)ca;
	(void)cred;
	sc->f.handler = h;
	sc->f.arg = arg;
	logf_("bind %d", sc->f.n);
}

int
sip_call_ring(struct sip_call *sc, int port, char **cause)
{
	sc->f.port = port;
	if (fake_sip_fail_ring) {
		fake_sip_fail_ring = false;
		*cause = xstrdup("no common codec");
		logf_("reject %d 488", sc->f.n);
		return -1;
	}
	logf_("ring %d", sc->f.n);
	return 0;
}

int
sip_call_answer(struct sip_call *sc, char **cause)
{
	if (fake_sip_fail_answer) {
		fake_sip_fail_answer = false;
		*cause = xstrdup("the call has no dialog");
		return -1;
	}
	logf_("answer %d", sc->f.n);
	return 0;
}

int
sip_call_accept(struct sip_call *sc, int port, char **cause)
{
	(void)port;
	if (fake_sip_fail_ring) {
		fake_sip_fail_ring = false;
		*cause = xstrdup("no common codec");
		logf_("reject %d 488", sc->f.n);
		return -1;
	}
	sc->f.accepted = true;
	logf_("accept %d", sc->f.n);
	return 0;
}

void
sip_call_reject(struct sip_call *sc, int code, const char *phrase)
{
	(void)phrase;
	logf_("reject %d %d", sc->f.n, code);
}

void
sip_call_redirect(struct sip_call *sc, const char *uri)
{
	logf_("redirect %d %s", sc->f.n, uri);
}

void
sip_call_hangup(struct sip_call *sc, const char *why)
{
	logf_("hangup %d %s", sc->f.n, why != NULL ? why : "");
}

void
sip_call_reinvite(struct sip_call *sc, bool hold, bool held_by_remote)
{
	sc->f.hold_sent = hold;
	sc->f.reinvites++;
	logf_("reinvite %d %s%s", sc->f.n, hold ? "hold" : "resume",
	    hold && held_by_remote ? " inactive" : "");
}

int
sip_call_info_dtmf(struct sip_call *sc, const char *digits, char **cause)
{
	(void)cause;
	logf_("info %d %s", sc->f.n, digits);
	return 0;
}

int
sip_call_refer(struct sip_call *sc, const char *target, char **cause)
{
	if (fake_sip_fail_refer) {
		fake_sip_fail_refer = false;
		*cause = xstrdup("a transfer is already in progress");
		return -1;
	}
	logf_("refer %d %s", sc->f.n, target);
	return 0;
}

int
sip_call_refer_replaces(struct sip_call *sc, const struct sip_call *to,
    char **cause)
{
	if (fake_sip_fail_refer) {
		fake_sip_fail_refer = false;
		*cause = xstrdup("a transfer is already in progress");
		return -1;
	}
	logf_("refer %d replacing %d", sc->f.n, to->f.n);
	return 0;
}

void
sip_call_notify_refer(struct sip_call *sc, int code, const char *phrase)
{
	(void)phrase;
	sc->f.last_notify = code;
	logf_("notify %d %d", sc->f.n, code);
}

void
sip_call_free(struct sip_call *sc)
{
	if (sc == NULL)
		return;
	if (sc->f.freed)
		abort();	/* freed twice: the bug this layering prevents */
	sc->f.freed = true;
	logf_("free %d", sc->f.n);
}

/* --- registrations --- */

struct sip_reg *
sip_reg_new(const struct conf_account *ca, const struct sip_cred *cred,
    sip_reg_h h, void *arg, char **cause)
{
	struct sip_reg	*r;

	(void)ca;
	(void)cred;
	(void)cause;
	r = xcalloc(1, sizeof *r);
	r->f.handler = h;
	r->f.arg = arg;
	last_reg = r;
	regs_live++;
	logf_("reg new");
	return r;
}

int
sip_reg_send(struct sip_reg *r, char **cause)
{
	if (fake_sip_fail_reg) {
		fake_sip_fail_reg = false;
		*cause = xstrdup("cannot create a SIP handle");
		return -1;
	}
	r->f.sends++;
	logf_("register");
	return 0;
}

bool
sip_reg_unsend(struct sip_reg *r)
{
	if (r == NULL || !r->f.bound)
		return false;
	r->f.unsends++;
	logf_("unregister");
	return true;
}

void
sip_reg_free(struct sip_reg *r)
{
	if (r == NULL)
		return;
	if (r == last_reg)
		last_reg = NULL;
	regs_live--;
	logf_("reg free");
	free(r);
}

struct fake_sip_reg *
fake_sip_reg_last(void)
{
	return last_reg != NULL ? &last_reg->f : NULL;
}

int fake_sip_regs_live(void) { return regs_live; }

void
fake_sip_reg_report(struct fake_sip_reg *f, enum sip_reg_result_kind kind,
    int code, const char *why, int expires, int retry_after)
{
	struct sip_reg_result	 r;

	memset(&r, 0, sizeof r);
	r.kind = kind;
	r.code = code;
	r.phrase = code == 200 ? "OK" : "Error";
	r.why = why;
	r.expires = expires;
	r.retry_after = retry_after;
	f->bound = kind == SIP_REG_OK;
	f->handler(&r, f->arg);
	fake_loop_run();
}

/* --- the user agent --- */

int
sip_ua_start(const struct conf *conf, bool trace, char **cause)
{
	(void)conf;
	(void)trace;
	(void)cause;
	logf_("ua start");
	return 0;
}

static void
fake_shutdown_done(void *arg)
{
	(void)arg;
	shutdown_done(shutdown_arg);
}

void
sip_ua_shutdown(void (*done)(void *), void *arg)
{
	fake_sip_shutdowns++;
	shutdown_done = done;
	shutdown_arg = arg;
	logf_("ua shutdown");
	if (fake_sip_shutdown_answers)
		loop_defer(fake_shutdown_done, NULL);
}

void
sip_ua_free(void)
{
	int	 i;

	logf_("ua free");
	for (i = 1; i <= ncalls; i++)
		free(calls[i]);
	ncalls = 0;
}

int
sip_ua_handles(void)
{
	int	 i, n = regs_live;

	for (i = 1; i <= ncalls; i++)
		n += !calls[i]->f.freed;
	return n;
}

/* --- URIs (account matching) --- */

char *
sip_uri_user(const char *s)
{
	const char	*p = strchr(s, ':'), *at;

	p = p != NULL ? p + 1 : s;
	if ((at = strchr(p, '@')) == NULL)
		return NULL;
	return xstrndup(p, (size_t)(at - p));
}

/* Dial strings, roughly as sip-uri.c resolves them: a URI as is, a bare
 * user at the account's domain; "" and "sip:" alone are refused. */
char *
sip_uri_target(const struct conf_account *ca, const char *s, char **cause)
{
	const char	*at;
	char		*out;

	if (*s == '\0' || strcmp(s, "sip:") == 0) {
		xasprintf(cause, "\"%s\" is not a dial target", s);
		return NULL;
	}
	if (strncmp(s, "sip:", 4) == 0 || strncmp(s, "sips:", 5) == 0)
		return xstrdup(s);
	if (strchr(s, '@') != NULL) {
		xasprintf(&out, "sip:%s", s);
		return out;
	}
	at = strchr(ca->uri, '@');
	xasprintf(&out, "sip:%s@%s", s, at != NULL ? at + 1 : "invalid");
	return out;
}

/* --- presence: publications (sip-pub.h) and watchers (sip-pres.h) --- */

struct sip_pub {
	struct fake_sip_pub	 f;
};

#define FAKE_WATCHERS_MAX	16

struct fake_watcher {
	int	 id;
	int	 key;
	bool	 ending;
	bool	 over;
};

static struct sip_pub		*last_pub;
static int			 pubs_live;
static sip_pres_h		 pres_h;
static void			*pres_arg;
static struct fake_watcher	 watchers[FAKE_WATCHERS_MAX];
static int			 nwatchers;
char				 fake_sip_pres_doc[4096];
int				 fake_sip_pres_started;

struct sip_pub *
sip_pub_new(const struct conf_account *ca, const struct sip_cred *cred,
    sip_pub_h h, void *arg, char **cause)
{
	struct sip_pub	*p;

	(void)cred;
	(void)cause;
	p = xcalloc(1, sizeof *p);
	p->f.handler = h;
	p->f.arg = arg;
	util_strlcpy(p->f.account, ca->name, sizeof p->f.account);
	last_pub = p;
	pubs_live++;
	logf_("pub new %s", ca->name);
	return p;
}

int
sip_pub_send(struct sip_pub *p, const char *doc, int expires, char **cause)
{
	(void)cause;
	p->f.sends++;
	p->f.expires = expires;
	util_strlcpy(p->f.doc, doc, sizeof p->f.doc);
	logf_("publish %s", p->f.account);
	return 0;
}

bool
sip_pub_end(struct sip_pub *p)
{
	p->f.ends++;
	logf_("unpublish %s", p->f.account);
	return p->f.published;
}

void
sip_pub_free(struct sip_pub *p)
{
	if (p == NULL)
		return;
	if (p == last_pub)
		last_pub = NULL;
	pubs_live--;
	logf_("pub free %s", p->f.account);
	free(p);
}

struct fake_sip_pub *
fake_sip_pub_last(void)
{
	return last_pub != NULL ? &last_pub->f : NULL;
}

int fake_sip_pubs_live(void) { return pubs_live; }

void
fake_sip_pub_report(struct fake_sip_pub *f, enum sip_pub_result_kind kind,
    int code, const char *why)
{
	struct sip_pub_result	 r;

	memset(&r, 0, sizeof r);
	r.kind = kind;
	r.code = code;
	r.phrase = code == 200 ? "OK" : "Error";
	r.why = why;
	r.expires = kind == SIP_PUB_OK ? 600 : 0;
	f->published = kind == SIP_PUB_OK;
	f->handler(&r, f->arg);
	fake_loop_run();
}

void
sip_pres_set_handler(sip_pres_h h, void *arg)
{
	pres_h = h;
	pres_arg = arg;
}

void
sip_pres_start(void)
{
	fake_sip_pres_started++;
	logf_("pres start");
}

static struct fake_watcher *
fake_watcher(int id)
{
	int	 i;

	for (i = 0; i < nwatchers; i++) {
		if (watchers[i].id == id)
			return &watchers[i];
	}
	return NULL;
}

int
sip_pres_serve(int id, int key, const char *doc)
{
	struct fake_watcher	*w = fake_watcher(id);

	if (w == NULL || w->over)
		return -1;
	w->key = key;
	util_strlcpy(fake_sip_pres_doc, doc, sizeof fake_sip_pres_doc);
	logf_("serve %d %d", id, key);
	return 0;
}

int
sip_pres_update(int key, const char *doc)
{
	int	 i, n = 0;

	for (i = 0; i < nwatchers; i++) {
		if (watchers[i].key != key || watchers[i].over ||
		    watchers[i].ending)
			continue;
		util_strlcpy(fake_sip_pres_doc, doc, sizeof fake_sip_pres_doc);
		logf_("notify %d", watchers[i].id);
		n++;
	}
	return n;
}

int
sip_pres_end(int key, const char *doc)
{
	int	 i, n = 0;

	for (i = 0; i < nwatchers; i++) {
		if (watchers[i].key != key || watchers[i].over ||
		    watchers[i].ending)
			continue;
		watchers[i].ending = true;
		util_strlcpy(fake_sip_pres_doc, doc, sizeof fake_sip_pres_doc);
		logf_("end %d", watchers[i].id);
		n++;
	}
	return n;
}

int
sip_pres_watchers(int key)
{
	int	 i, n = 0;

	for (i = 0; i < nwatchers; i++)
		n += !watchers[i].over && (key == -1 || watchers[i].key == key);
	return n;
}

int
sip_pres_ending(void)
{
	int	 i, n = 0;

	for (i = 0; i < nwatchers; i++)
		n += !watchers[i].over && watchers[i].ending;
	return n;
}

int
fake_sip_pres_new(const char *ruri_user, const char *watcher)
{
	struct sip_pres_report	 r;
	struct fake_watcher	*w;

	if (nwatchers == FAKE_WATCHERS_MAX)
		abort();
	w = &watchers[nwatchers++];
	memset(w, 0, sizeof *w);
	w->id = nwatchers;
	w->key = -1;
	memset(&r, 0, sizeof r);
	r.kind = SIP_PRES_NEW;
	r.id = w->id;
	r.key = -1;
	util_strlcpy(r.ruri_user, ruri_user, sizeof r.ruri_user);
	util_strlcpy(r.watcher, watcher, sizeof r.watcher);
	r.expires = 3600;
	if (pres_h != NULL)
		pres_h(&r, pres_arg);
	fake_loop_run();
	return w->id;
}

void
fake_sip_pres_ended(int id)
{
	struct fake_watcher	*w = fake_watcher(id);
	struct sip_pres_report	 r;

	if (w == NULL || w->over)
		return;
	w->over = true;
	memset(&r, 0, sizeof r);
	r.kind = SIP_PRES_ENDED;
	r.id = id;
	r.key = w->key;
	if (pres_h != NULL)
		pres_h(&r, pres_arg);
	fake_loop_run();
}

void
fake_sip_pres_reset(void)
{
	nwatchers = 0;
	fake_sip_pres_doc[0] = '\0';
}
