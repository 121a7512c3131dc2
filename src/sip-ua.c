/*
 * sip-ua.c: the Sofia nua user agent: creation with our transports and
 * identity, the event callback that dispatches to registrations (and
 * later calls), Sofia's logging into our log file, and shutdown.
 *
 * nua runs its transports on its own stack thread; its callback runs on
 * the loop thread (su_root), like everything else of ours.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sip-int.h"

#include <sofia-sip/su_log.h>
#include <sofia-sip/tport_tag.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-dns.h"
#include "sip-ua.h"
#include "tls-check.h"
#include "trace.h"
#include "util.h"

/* Exported by libsofia-sip-ua but not declared in its headers. */
extern su_log_t	 iptsec_log[];
extern su_log_t	 nua_log[];
extern su_log_t	 nta_log[];
extern su_log_t	 tport_log[];
extern su_log_t	 soa_log[];
extern su_log_t	 sresolv_log[];

/* Methods we take (Allow) and extensions we do (Supported). */
#define SIP_UA_ALLOW	"INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, " \
			"INFO, REFER, NOTIFY, MESSAGE, SUBSCRIBE"
#define SIP_UA_SUPPORTED "timer, 100rel, replaces"

/* How many ports above the configured one the embedded default tries. */
#define SIP_UA_PORT_TRIES	20

static nua_t	*sip_ua;
static char	*sip_ua_host;
static char	*sip_ua_tls_dir;	/* Sofia's certificate directory */
static bool	 sip_ua_tls_verify;
static char	*sip_ua_tls_ca;
static void	(*sip_ua_done)(void *);
static void	*sip_ua_done_arg;
static bool	 sip_ua_down;		/* nua_r_shutdown 200 seen */
static struct sip_handle *sip_ua_live;	/* the registry */
static int	 sip_ua_nlive;

nua_t *
sip_ua_nua(void)
{
	return sip_ua;
}

const char *
sip_ua_listen_host(void)
{
	return sip_ua_host;
}

int
sip_ua_handles(void)
{
	return sip_ua_nlive;
}

void
sip_ua_handle_add(struct sip_handle *h, nua_handle_t *nh)
{
	h->nh = nh;
	nua_handle_bind(nh, h);
	h->prev = NULL;
	h->next = sip_ua_live;
	if (sip_ua_live != NULL)
		sip_ua_live->prev = h;
	sip_ua_live = h;
	sip_ua_nlive++;
}

void
sip_ua_handle_destroy(struct sip_handle *h)
{
	if (h->nh == NULL)
		return;
	nua_handle_bind(h->nh, NULL);
	nua_handle_destroy(h->nh);
	h->nh = NULL;
	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		sip_ua_live = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	h->prev = h->next = NULL;
	sip_ua_nlive--;
}

/* Orphans (requests the stack answered by itself) go after the callback. */
static void
sip_ua_reap(void *arg)
{
	struct sip_handle	*h, *next;

	(void)arg;
	for (h = sip_ua_live; h != NULL; h = next) {
		next = h->next;
		if (h->kind == SIP_HANDLE_ORPHAN && h->reap) {
			sip_ua_handle_destroy(h);
			free(h);
		}
	}
}

static void
sip_ua_orphan(nua_handle_t *nh)
{
	struct sip_handle	*h = xcalloc(1, sizeof *h);

	h->kind = SIP_HANDLE_ORPHAN;
	h->reap = true;
	sip_ua_handle_add(h, nh);
	loop_defer(sip_ua_reap, NULL);
}

static void
sip_ua_shutdown_done(void *arg)
{
	(void)arg;
	if (sip_ua_done != NULL)
		sip_ua_done(sip_ua_done_arg);
}

static void
sip_ua_logger(void *ctx, char const *fmt, va_list ap)
{
	(void)ctx;
	log_sofia(fmt, ap);
}

/*
 * Sofia's messages go to our log file, never the terminal. Its digest
 * module logs the HA1 at level 5: keep it below that whatever the
 * environment says.
 */
static void
sip_ua_log_setup(bool trace)
{
	su_log_t	*mods[] = { nua_log, nta_log, tport_log, soa_log,
	    sresolv_log, iptsec_log };
	size_t		 i;
	unsigned int	 level = trace ? 3 : 1;

	su_log_redirect(NULL, sip_ua_logger, NULL);
	for (i = 0; i < nitems(mods); i++) {
		su_log_redirect(mods[i], sip_ua_logger, NULL);
		if (getenv("SOFIA_DEBUG") == NULL)
			su_log_set_level(mods[i], level);
	}
	if (iptsec_log->log_level > 4)
		su_log_set_level(iptsec_log, 4);
	su_log_set_level(NULL, trace ? 3 : 1);
}

static void
sip_ua_callback(nua_event_t event, int status, char const *phrase,
    nua_t *nua, void *magic, nua_handle_t *nh, struct sip_handle *h,
    sip_t const *sip, tagi_t tags[])
{
	(void)nua;
	(void)magic;

	/* A SUBSCRIBE inside a dialog that is no watcher's (a call's, a
	 * subscription of ours): SUBSCRIBE is an application method, so
	 * nobody else would answer it. */
	if (h != NULL && h->kind != SIP_HANDLE_PRES &&
	    event == nua_i_subscribe && status < 200) {
		nua_respond(nh, SIP_489_BAD_EVENT, NUTAG_WITH_THIS(sip_ua),
		    SIPTAG_ALLOW_EVENTS_STR("presence"), TAG_END());
		return;
	}
	if (h != NULL) {
		switch (h->kind) {
		case SIP_HANDLE_REG:
			sip_reg_event(event, status, phrase, nh, h, sip, tags);
			return;
		case SIP_HANDLE_KA:
			sip_reg_ka_event(event, status, phrase, nh, h, sip,
			    tags);
			return;
		case SIP_HANDLE_CALL:
			/* A MESSAGE in a call, or a NOTIFY outside any
			 * subscription of the call's (sip-msg.c). */
			if (event == nua_i_message ||
			    (event == nua_i_notify && status < 200)) {
				sip_msg_event(event, status, phrase, nh, sip);
				return;
			}
			sip_call_event(event, status, phrase, nh, h, sip, tags);
			return;
		case SIP_HANDLE_SUB:
			sip_sub_event(event, status, phrase, nh, h, sip, tags);
			return;
		case SIP_HANDLE_ORPHAN:
			return;		/* already on its way out */
		case SIP_HANDLE_PUB:
			sip_pub_event(event, status, phrase, nh, h, sip, tags);
			return;
		case SIP_HANDLE_PRES:
			sip_pres_event(event, status, phrase, nh, h, sip, tags);
			return;
		}
	}

	switch (event) {
	case nua_r_shutdown:
		if (status >= 200) {
			log_debug("SIP stack shut down (%d %s)", status, phrase);
			sip_ua_down = true;
			loop_defer(sip_ua_shutdown_done, NULL);
		}
		return;
	case nua_i_invite:
		/* The call layer binds it (or makes it an orphan). */
		sip_call_event(event, status, phrase, nh, NULL, sip, tags);
		return;
	case nua_i_outbound:
		log_debug("outbound: %d %s", status, phrase);
		return;
	case nua_i_message:
	case nua_i_notify:
		/* Answered and reported by sip-msg.c; the handle the stack
		 * made for it is ours to free, after this callback. */
		sip_msg_event(event, status, phrase, nh, sip);
		if (nh != NULL && nua_handle_magic(nh) == NULL)
			sip_ua_orphan(nh);
		return;
	case nua_i_subscribe:
		/* A watcher of our presence (sip-pres.c) binds the handle;
		 * a SUBSCRIBE the stack refused leaves it to us to free. */
		sip_pres_event(event, status, phrase, nh, NULL, sip, tags);
		if (nh != NULL && nua_handle_magic(nh) == NULL)
			sip_ua_orphan(nh);
		return;
	case nua_i_error:
		log_warn("SIP stack error: %d %s", status, phrase);
		return;
	default:
		/*
		 * Requests the stack answered by itself (OPTIONS, MESSAGE,
		 * SUBSCRIBE, NOTIFY, ...) arrive on new handles that are
		 * ours to free: once, and after this callback.
		 */
		if (nh != NULL && nua_handle_magic(nh) == NULL)
			sip_ua_orphan(nh);
		else
			log_debug("SIP event %s %d %s", nua_event_name(event),
			    status, phrase != NULL ? phrase : "");
		return;
	}
}

static char *
sip_ua_url(const char *host, int port)
{
	char	*url;
	bool	 v6 = strchr(host, ':') != NULL;

	if (port == 0)
		xasprintf(&url, "sip:%s%s%s:*", v6 ? "[" : "", host, v6 ? "]" : "");
	else
		xasprintf(&url, "sip:%s%s%s:%d", v6 ? "[" : "", host,
		    v6 ? "]" : "", port);
	return url;
}

#define SIP_UA_SYSTEM_CA	"/etc/ssl/certs/ca-certificates.crt"

/* Does any account (or the listener) need TLS? */
static bool
sip_ua_tls_needed(const struct conf *conf)
{
	const struct conf_account	*ca;

	if (conf->tls_listen_host != NULL)
		return true;
	for (ca = conf->accounts; ca != NULL; ca = ca->next) {
		if (ca->transport == CONF_TRANSPORT_TLS ||
		    strncasecmp(ca->uri, "sips:", 5) == 0 ||
		    (ca->registrar != NULL && strncasecmp(ca->registrar, "sips:", 5) == 0) ||
		    (ca->proxy != NULL && strncasecmp(ca->proxy, "sips:", 5) == 0))
			return true;
	}
	return false;
}

/* Copy SRC into the open file F. */
static int
sip_ua_tls_append(FILE *f, const char *src)
{
	FILE	*in = fopen(src, "r");
	char	 buf[4096];
	size_t	 n;
	int	 rc = 0;

	if (in == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
		if (fwrite(buf, 1, n, f) != n)
			rc = -1;
	}
	util_wipe(buf, sizeof buf);
	if (ferror(in))
		rc = -1;
	fclose(in);
	return rc;
}

static void
sip_ua_tls_cleanup(void)
{
	char	*p;

	if (sip_ua_tls_dir == NULL)
		return;
	xasprintf(&p, "%s/agent.pem", sip_ua_tls_dir);
	unlink(p);
	free(p);
	xasprintf(&p, "%s/cafile.pem", sip_ua_tls_dir);
	unlink(p);
	free(p);
	rmdir(sip_ua_tls_dir);
	free(sip_ua_tls_dir);
	sip_ua_tls_dir = NULL;
}

/*
 * Sofia reads TLS material from a directory: agent.pem (certificate and
 * key in one file) and cafile.pem (the trusted CAs). Make a private one
 * (0700, removed at exit) from the configured files; never point Sofia at
 * the user's own directories.
 */
static int
sip_ua_tls_setup(const struct conf *conf, char **cause)
{
	const char	*ca = conf->tls_ca_file != NULL ? conf->tls_ca_file :
	    SIP_UA_SYSTEM_CA;
	const char	*run = getenv("XDG_RUNTIME_DIR");
	char		*tmpl, *path;
	FILE		*f;
	int		 fd;

	if (conf->tls_listen_host != NULL && conf->tls_cert_file == NULL) {
		*cause = xstrdup("tls_listen needs tls_cert_file and tls_key_file "
		    "(a TLS server needs a certificate)");
		return -1;
	}
	xasprintf(&tmpl, "%s/tsphone-tls-XXXXXX",
	    run != NULL && *run == '/' ? run : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		xasprintf(cause, "TLS: cannot make a private directory: %s",
		    strerror(errno));
		free(tmpl);
		return -1;
	}
	sip_ua_tls_dir = tmpl;
	xasprintf(&path, "%s/cafile.pem", tmpl);
	if (symlink(ca, path) != 0) {
		xasprintf(cause, "TLS: %s: %s", ca, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	if (conf->tls_cert_file != NULL) {
		xasprintf(&path, "%s/agent.pem", tmpl);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		f = fd != -1 ? fdopen(fd, "w") : NULL;
		if (f == NULL || sip_ua_tls_append(f, conf->tls_cert_file) != 0 ||
		    fputc('\n', f) == EOF ||
		    sip_ua_tls_append(f, conf->tls_key_file) != 0 || fclose(f) != 0) {
			xasprintf(cause, "TLS: cannot use %s and %s",
			    conf->tls_cert_file, conf->tls_key_file);
			free(path);
			return -1;
		}
		free(path);
	}
	sip_ua_tls_verify = conf->tls_verify;
	free(sip_ua_tls_ca);
	sip_ua_tls_ca = conf->tls_ca_file != NULL ? xstrdup(conf->tls_ca_file) : NULL;
	if (!conf->tls_verify)
		log_warn("tls_verify = no: TLS server certificates are NOT "
		    "checked; anyone in the path can read and change calls");
	return 0;
}

bool
sip_ua_tls_verifying(const char **ca_file)
{
	*ca_file = sip_ua_tls_ca;
	return sip_ua_tls_dir != NULL && sip_ua_tls_verify;
}

int
sip_ua_start(const struct conf *conf, bool trace, char **cause)
{
	char	*url = NULL;
	int	 tries = conf->listen_auto ? SIP_UA_PORT_TRIES : 1, i, port;

	char	*sips_url = NULL;
	bool	 tls = sip_ua_tls_needed(conf);

	sip_ua_log_setup(trace);
	/*
	 * First hops that are names are looked up by sip-dns.c, so Sofia's
	 * own resolver is left only names met inside a dialog (a Contact or
	 * Record-Route with a host name, rare). Bound it too: 2 s per try,
	 * 2 tries, unless the user says otherwise (SRES_OPTIONS, read when
	 * the stack creates its resolver, before any other thread of ours).
	 */
	setenv("SRES_OPTIONS", "timeout:2 attempts:2", 0);
	if (tls) {
		if (sip_ua_tls_setup(conf, cause) != 0) {
			sip_ua_tls_cleanup();
			return -1;
		}
		char *u = sip_ua_url(conf->tls_listen_host != NULL ?
		    conf->tls_listen_host : conf->listen_host,
		    conf->tls_listen_host != NULL ? conf->tls_listen_port : 0);

		xasprintf(&sips_url, "sips:%s", u + 4);
		free(u);
	}
	free(sip_ua_host);
	sip_ua_host = xstrdup(conf->listen_host);
	for (i = 0; i < tries; i++) {
		port = conf->listen_port == 0 ? 0 : conf->listen_port + i;
		if (port > 65535)
			break;
		free(url);
		url = sip_ua_url(conf->listen_host, port);
		errno = 0;
		sip_ua = nua_create(loop_root(), sip_ua_callback, NULL,
		    NUTAG_URL(url),
		    NUTAG_USER_AGENT(conf->user_agent),
		    NUTAG_OUTBOUND("natify use-rport no-validate no-options-keepalive"),
		    /* What we implement, and nothing more: Sofia's default
		     * Allow lacks INFO (DTMF); SUBSCRIBE is served for
		     * presence only (sip-pres.c: other packages get 489);
		     * SUPPORTED adds replaces (RFC 3891) to its
		     * timer and 100rel, which the stack does (session
		     * timers, PRACK). Both tags replace the defaults. */
		    SIPTAG_ALLOW_STR(SIP_UA_ALLOW),
		    SIPTAG_SUPPORTED_STR(SIP_UA_SUPPORTED),
		    /* Offers in multipart bodies (sip-body.c picks the part),
		     * and in UPDATEs too, are sip-call.c's to answer. */
		    NUTAG_ACCEPT_MULTIPART(1),
		    NUTAG_APPL_METHOD("UPDATE"),
		    /* RFC 4028: a call whose peer vanished ends by itself. */
		    NUTAG_SESSION_TIMER(conf->session_expires),
		    NUTAG_MIN_SE(90),
		    TAG_IF(tls, NUTAG_SIPS_URL(URL_STRING_MAKE(sips_url))),
		    TAG_IF(tls, TPTAG_CERTIFICATE(sip_ua_tls_dir)),
		    TAG_IF(tls, TPTAG_TLS_VERIFY_POLICY(conf->tls_verify ?
			TPTLS_VERIFY_SUBJECTS_OUT : TPTLS_VERIFY_NONE)),
		    /* Messages are printed for the log (--trace) and for
		     * the trace view (trace.c), which wants them always. */
		    TPTAG_LOG(trace || trace_enabled()),
		    TAG_END());
		if (sip_ua != NULL)
			break;
	}
	if (sip_ua == NULL) {
		xasprintf(cause, "cannot listen on %s:%d%s%s%s", conf->listen_host,
		    conf->listen_port, tls ? " and TLS " : "",
		    tls ? sips_url : "", errno == EADDRINUSE || errno == EFAULT ?
		    " (address in use?)" : "");
		free(url);
		free(sips_url);
		sip_ua_tls_cleanup();
		return -1;
	}
	if (tls)
		log_info("TLS on %s (server certificates %s)", sips_url,
		    conf->tls_verify ? "verified" : "NOT verified");
	free(sips_url);
	if (i > 0)
		log_warn("port %d in use; listening on %s instead",
		    conf->listen_port, url);
	else
		log_info("listening on %s", url);
	free(url);
	return 0;
}

void
sip_ua_shutdown(void (*done)(void *), void *arg)
{
	sip_ua_done = done;
	sip_ua_done_arg = arg;
	sip_dns_shutdown();
	if (sip_ua == NULL) {
		loop_defer(sip_ua_shutdown_done, NULL);
		return;
	}
	/* nua wants our handles gone before it shuts down. Owners that
	 * have let go of theirs are freed with them. */
	while (sip_ua_live != NULL) {
		struct sip_handle *h = sip_ua_live;

		sip_ua_handle_destroy(h);
		switch (h->kind) {
		case SIP_HANDLE_ORPHAN:
			free(h);
			break;
		case SIP_HANDLE_CALL:
			sip_call_gone(h);
			break;
		case SIP_HANDLE_REG:
			sip_reg_gone(h);
			break;
		case SIP_HANDLE_KA:
			sip_reg_ka_gone(h);
			break;
		case SIP_HANDLE_PUB:
			sip_pub_gone(h);
			break;
		case SIP_HANDLE_PRES:
			sip_pres_gone(h);
			break;
		case SIP_HANDLE_SUB:
			sip_sub_gone(h);
			break;
		}
	}
	nua_shutdown(sip_ua);
}

void
sip_ua_free(void)
{
	if (sip_ua != NULL && sip_ua_down)
		nua_destroy(sip_ua);
	else if (sip_ua != NULL) {
		/* nua_destroy would abort on an unfinished shutdown; the
		 * process is ending, so leave the stack to the kernel. */
		log_warn("SIP stack not shut down; leaving it to exit");
		loop_abandon();
	}
	sip_ua = NULL;
	tls_check_shutdown();
	free(sip_ua_host);
	sip_ua_host = NULL;
	free(sip_ua_tls_ca);
	sip_ua_tls_ca = NULL;
	sip_ua_tls_cleanup();
}
