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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip-int.h"

#include <sofia-sip/su_log.h>
#include <sofia-sip/tport_tag.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-ua.h"
#include "util.h"

/* Exported by libsofia-sip-ua but not declared in its headers. */
extern su_log_t	 iptsec_log[];
extern su_log_t	 nua_log[];
extern su_log_t	 nta_log[];
extern su_log_t	 tport_log[];
extern su_log_t	 soa_log[];
extern su_log_t	 sresolv_log[];

/* How many ports above the configured one the embedded default tries. */
#define SIP_UA_PORT_TRIES	20

static nua_t	*sip_ua;
static char	*sip_ua_host;
static void	(*sip_ua_done)(void);

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

	if (h != NULL) {
		switch (h->kind) {
		case SIP_HANDLE_REG:
			sip_reg_event(event, status, phrase, nh, h, sip, tags);
			return;
		case SIP_HANDLE_CALL:
			sip_call_event(event, status, phrase, nh, h, sip, tags);
			return;
		}
	}

	switch (event) {
	case nua_r_shutdown:
		if (status >= 200) {
			log_debug("SIP stack shut down (%d %s)", status, phrase);
			if (sip_ua_done != NULL)
				sip_ua_done();
		}
		return;
	case nua_i_invite:
		sip_call_event(event, status, phrase, nh, NULL, sip, tags);
		return;
	case nua_i_state: {
		int	 cs = nua_callstate_init;

		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated && nh != NULL)
			nua_handle_destroy(nh);
		return;
	}
	case nua_i_outbound:
		log_debug("outbound: %d %s", status, phrase);
		return;
	case nua_i_error:
		log_warn("SIP stack error: %d %s", status, phrase);
		return;
	case nua_i_options:
	case nua_i_message:
	case nua_i_info:
	case nua_i_subscribe:
	case nua_i_notify:
	case nua_i_refer:
	case nua_i_publish:
		/* Answered by the stack; the handle is ours to free. */
		if (nh != NULL)
			nua_handle_destroy(nh);
		return;
	default:
		log_debug("SIP event %s %d %s", nua_event_name(event), status,
		    phrase != NULL ? phrase : "");
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

int
sip_ua_start(const struct conf *conf, bool trace, char **cause)
{
	char	*url = NULL;
	int	 tries = conf->listen_auto ? SIP_UA_PORT_TRIES : 1, i, port;

	sip_ua_log_setup(trace);
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
		    NUTAG_OUTBOUND("natify use-rport no-validate"),
		    NUTAG_ALLOW("INFO"),
		    TPTAG_LOG(trace),
		    TAG_END());
		if (sip_ua != NULL)
			break;
	}
	if (sip_ua == NULL) {
		xasprintf(cause, "cannot listen on %s:%d%s", conf->listen_host,
		    conf->listen_port, errno == EADDRINUSE || errno == EFAULT ?
		    " (address in use?)" : "");
		free(url);
		return -1;
	}
	if (i > 0)
		log_warn("port %d in use; listening on %s instead",
		    conf->listen_port, url);
	else
		log_info("listening on %s", url);
	free(url);
	return 0;
}

void
sip_ua_shutdown(void (*done)(void))
{
	sip_ua_done = done;
	if (sip_ua == NULL) {
		done();
		return;
	}
	nua_shutdown(sip_ua);
}

void
sip_ua_free(void)
{
	if (sip_ua != NULL)
		nua_destroy(sip_ua);
	sip_ua = NULL;
	free(sip_ua_host);
	sip_ua_host = NULL;
}
