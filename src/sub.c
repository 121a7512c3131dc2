/*
 * sub.c: the subscriptions of an account: when they start, what their
 * NOTIFYs mean for the user, and what follows their end.
 *
 * A subscription starts once its account can send requests: when it
 * registers (each time it comes back from a failure, which also cuts a
 * waiting retry short: the server is back), or at once for an account
 * that does not register. It holds one SIP subscription at a time;
 * after an end that was not asked for, a new one follows the
 * registration's backoff (account_backoff: 4 s doubling to 60 s), with
 * the notifier's retry-after (or Retry-After) honoured up to an hour.
 * What the end says decides the rest (RFC 6665 section 4.2.2 and 8.2.3,
 * RFC 3856 section 6.6):
 *
 *   deactivated, timeout   subscribe again at once (the subscription
 *                          moved or lapsed; nothing is wrong), once:
 *                          if that one ends the same way, the backoff
 *   probation, giveup      after retry-after, else the backoff
 *   rejected, noresource,  stopped: asking again will not help (not
 *   invariant              allowed, no such resource); "watch" again
 *                          starts it
 *   refused 489, 405, 501  stopped: the server has no such package, or
 *                          no SUBSCRIBE at all
 *   anything else          the backoff (a refresh that failed, 403,
 *                          404, 408, 5xx, no reason given)
 *
 * A watch whose subscription ended shows "unknown" until a NOTIFY says
 * more: we no longer know, which is not the same as "offline" (that
 * comes from a document saying closed, or an active subscription
 * notified without any document: no device has published anything).
 * Resubscribing at once keeps the last state, so that a notifier moving
 * its subscriptions does not make the screen flicker.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "conf.h"
#include "event.h"
#include "inbox.h"
#include "log.h"
#include "loop.h"
#include "pidf.h"
#include "sip-msg.h"
#include "sip-sub.h"
#include "sip-uri.h"
#include "sub.h"
#include "util.h"

#define SUB_MWI_EVENT		"message-summary"
#define SUB_MWI_ACCEPT		"application/simple-message-summary"
#define SUB_PRESENCE_EVENT	"presence"
#define SUB_PRESENCE_ACCEPT	"application/pidf+xml"

static void	 sub_report(const struct sip_sub_report *, void *);
static void	 sub_retry_fire(void *);

static void	(*sub_ended_h)(void *);
static void	*sub_ended_arg;

void
sub_set_ended_handler(void (*h)(void *), void *arg)
{
	sub_ended_h = h;
	sub_ended_arg = arg;
}

static const char *
sub_name(const struct sub *s)
{
	return s->kind == SUB_MWI ? "voicemail" : "presence";
}

static const char *
sub_target(const struct sub *s)
{
	return s->uri != NULL ? s->uri : s->a->conf->uri;
}

/* Can A send requests (registered, or it never registers)? */
static bool
sub_ready(const struct account *a)
{
	return !a->conf->do_register || a->state == REG_REGISTERED;
}

static struct sub *
sub_new(struct account *a, enum sub_kind kind, const char *uri)
{
	struct sub	*s = xcalloc(1, sizeof *s), **tail;

	s->a = a;
	s->kind = kind;
	s->uri = uri != NULL ? xstrdup(uri) : NULL;
	s->phase = SUB_IDLE;
	s->presence = PRESENCE_UNKNOWN;
	s->retry = loop_timer_new(sub_retry_fire, s);
	for (tail = &a->subs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = s;
	return s;
}

static void
sub_drop(struct sub *s)
{
	sip_sub_free(s->ss);
	s->ss = NULL;
}

static void
sub_free(struct sub *s)
{
	struct sub	**p;

	for (p = &s->a->subs; *p != NULL; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	sub_drop(s);
	loop_timer_free(s->retry);
	free(s->uri);
	free(s);
}

static void
sub_emit_presence(const struct sub *s)
{
	struct event	 ev;

	if (s->kind != SUB_PRESENCE)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_PRESENCE;
	util_strlcpy(ev.u.presence.account, s->a->conf->name,
	    sizeof ev.u.presence.account);
	util_strlcpy(ev.u.presence.uri, s->uri, sizeof ev.u.presence.uri);
	ev.u.presence.state = s->presence;
	util_strlcpy(ev.u.presence.note, s->note, sizeof ev.u.presence.note);
	ev.u.presence.own = false;
	event_emit(&ev);
}

static void
sub_set_presence(struct sub *s, enum presence_state state, const char *note)
{
	if (note == NULL)
		note = "";
	if (s->presence == state && strcmp(s->note, note) == 0)
		return;
	s->presence = state;
	util_strlcpy(s->note, note, sizeof s->note);
	log_info("%s is %s%s%s", s->uri, event_presence_state_name(state),
	    *note != '\0' ? ": " : "", note);
	sub_emit_presence(s);
}

/* Send a new SUBSCRIBE for S; a failure to send is an end like others. */
static void
sub_attempt(struct sub *s)
{
	struct sip_sub_report	 r;
	const char		*event, *accept;
	char			*cause = NULL;

	if (s->kind == SUB_MWI) {
		event = SUB_MWI_EVENT;
		accept = SUB_MWI_ACCEPT;
	} else {
		event = SUB_PRESENCE_EVENT;
		accept = SUB_PRESENCE_ACCEPT;
	}
	loop_timer_stop(s->retry);
	s->retry_in = 0;
	sub_drop(s);
	s->phase = SUB_SUBSCRIBING;
	s->ss = sip_sub_new(s->a->conf, &s->a->cred, s->uri, event, accept,
	    sub_report, s, &cause);
	if (s->ss != NULL && sip_sub_send(s->ss, SUB_EXPIRES, &cause) == 0)
		return;
	memset(&r, 0, sizeof r);
	r.kind = SIP_SUB_ENDED;
	r.state = SIP_SUB_TERMINATED;
	r.why = cause != NULL ? cause : "cannot subscribe";
	sub_report(&r, s);
	free(cause);
}

static void
sub_retry_fire(void *arg)
{
	struct sub	*s = arg;

	s->retry_in = 0;
	if (s->phase == SUB_RETRY)
		sub_attempt(s);
}

/* Arm the retry DELAY seconds away (0: as soon as the loop turns). */
static void
sub_retry_in(struct sub *s, int delay)
{
	unsigned int	 ms = (unsigned int)delay * 1000;

	s->phase = SUB_RETRY;
	s->retry_in = delay;
	/* Up to +10% jitter, as registrations have. */
	if (ms > 0)
		ms += (unsigned int)(random() % (ms / 10 + 1));
	loop_timer_start(s->retry, ms);
}

/* Does the end R leave any reason to ask again, and when (*DELAY s)? */
static bool
sub_should_retry(struct sub *s, const struct sip_sub_report *r, int *delay)
{
	const char	*reason = r->reason != NULL ? r->reason : "";
	int		 backoff, after = r->retry_after;

	if (after > SUB_RETRY_AFTER_MAX)
		after = SUB_RETRY_AFTER_MAX;
	if (r->code == 489 || r->code == 405 || r->code == 501)
		return false;
	if (r->code < 300 && (strcasecmp(reason, "rejected") == 0 ||
	    strcasecmp(reason, "noresource") == 0 ||
	    strcasecmp(reason, "invariant") == 0))
		return false;
	s->failures++;
	backoff = account_backoff(s->failures);
	if (r->code < 300 && (strcasecmp(reason, "deactivated") == 0 ||
	    strcasecmp(reason, "timeout") == 0)) {
		*delay = s->failures == 1 ? 0 : account_backoff(s->failures - 1);
		return true;
	}
	*delay = after > backoff ? after : backoff;
	return true;
}

/* Words for the end R, into BUF. */
static void
sub_end_reason(const struct sip_sub_report *r, char *buf, size_t len)
{
	if (r->code >= 300 && r->why != NULL)
		snprintf(buf, len, "%s (%d %s)", r->why, r->code,
		    r->phrase != NULL ? r->phrase : "");
	else if (r->code >= 300)
		snprintf(buf, len, "%d %s", r->code,
		    r->phrase != NULL ? r->phrase : "");
	else if (r->why != NULL)
		snprintf(buf, len, "%s", r->why);
	else if (r->reason != NULL)
		snprintf(buf, len, "terminated by the server (%s)", r->reason);
	else
		snprintf(buf, len, "terminated by the server");
}

static void
sub_ended(struct sub *s, const struct sip_sub_report *r)
{
	char	 reason[EVENT_TEXT_MAX];
	int	 delay = 0;
	bool	 asked = s->phase == SUB_ENDING;

	sub_drop(s);
	if (asked) {
		log_debug("account %s: %s subscription to %s ended",
		    s->a->conf->name, sub_name(s), sub_target(s));
		/* Ours to start again when the account registers again;
		 * until then its state is not known. */
		s->phase = SUB_IDLE;
		if (s->removing)
			sub_free(s);
		else
			sub_set_presence(s, PRESENCE_UNKNOWN, NULL);
		if (sub_ended_h != NULL)
			sub_ended_h(sub_ended_arg);
		return;
	}
	sub_end_reason(r, reason, sizeof reason);
	util_strlcpy(s->reason, reason, sizeof s->reason);
	if (sub_should_retry(s, r, &delay)) {
		if (delay > 0 || s->failures > 1)
			log_warn("account %s: %s subscription to %s: %s; "
			    "again in %d s", s->a->conf->name, sub_name(s),
			    sub_target(s), reason, delay);
		else
			log_info("account %s: %s subscription to %s: %s; "
			    "subscribing again", s->a->conf->name, sub_name(s),
			    sub_target(s), reason);
		sub_retry_in(s, delay);
		if (delay > 0)
			sub_set_presence(s, PRESENCE_UNKNOWN, NULL);
		return;
	}
	log_warn("account %s: %s subscription to %s: %s; not trying again",
	    s->a->conf->name, sub_name(s), sub_target(s), reason);
	s->phase = SUB_STOPPED;
	sub_set_presence(s, PRESENCE_UNKNOWN, NULL);
}

static void
sub_notify_mwi(struct sub *s, const struct sip_sub_report *r)
{
	struct account	*a = s->a;
	struct sip_mwi	 m;

	if (r->body == NULL || r->body_len == 0)
		return;		/* a state change without news */
	if (sip_msg_mwi_parse(r->body, r->body_len, &m) != 0) {
		log_warn("account %s: voicemail notice without "
		    "Messages-Waiting; ignored", a->conf->name);
		return;
	}
	a->mwi_known = true;
	a->mwi.waiting = m.waiting;
	a->mwi.new_msgs = m.new_msgs;
	a->mwi.old_msgs = m.old_msgs;
	log_info("voicemail for %s: %s, %d new, %d old", a->conf->name,
	    m.waiting ? "messages waiting" : "none waiting", m.new_msgs,
	    m.old_msgs);
	inbox_emit_mwi(a);
}

static void
sub_notify_presence(struct sub *s, const struct sip_sub_report *r)
{
	struct pidf_status	 st;

	if (r->body == NULL || r->body_len == 0) {
		/* Pending: not allowed to know yet. Active with nothing to
		 * say: nothing of the presentity is published. */
		if (r->state == SIP_SUB_ACTIVE)
			sub_set_presence(s, PRESENCE_OFFLINE, NULL);
		return;
	}
	if (pidf_parse(r->body, r->body_len, &st) != 0) {
		log_warn("presence of %s: a document we cannot read "
		    "(%s); shown as unknown", s->uri, r->content_type != NULL ?
		    r->content_type : "no type");
		sub_set_presence(s, PRESENCE_UNKNOWN, NULL);
		return;
	}
	sub_set_presence(s, st.state, st.note);
}

/* The SIP side's report, after its callback has returned. */
static void
sub_report(const struct sip_sub_report *r, void *arg)
{
	struct sub	*s = arg;

	switch (r->kind) {
	case SIP_SUB_ANSWER:
		if (s->phase == SUB_SUBSCRIBING) {
			s->phase = SUB_ACTIVE;
			log_debug("account %s: %s subscription to %s accepted "
			    "(%d, %d s)", s->a->conf->name, sub_name(s),
			    sub_target(s), r->code, r->expires);
		}
		s->failures = 0;
		s->reason[0] = '\0';
		break;
	case SIP_SUB_NOTIFY:
		if (s->phase == SUB_ENDING)
			break;
		if (s->phase == SUB_SUBSCRIBING)
			s->phase = SUB_ACTIVE;
		if (r->state != SIP_SUB_TERMINATED)
			s->failures = 0;
		if (s->kind == SUB_MWI)
			sub_notify_mwi(s, r);
		else
			sub_notify_presence(s, r);
		break;
	case SIP_SUB_ENDED:
		sub_ended(s, r);
		break;
	}
}

void
sub_account_init(struct account *a)
{
	if (a->conf->mwi)
		sub_new(a, SUB_MWI, a->conf->mwi_uri);
}

void
sub_account_start(struct account *a)
{
	struct sub	*s, *next;

	for (s = a->subs; s != NULL; s = next) {
		next = s->next;
		if (s->phase == SUB_IDLE || s->phase == SUB_RETRY) {
			s->failures = 0;
			sub_attempt(s);
		}
	}
}

void
sub_account_stop_retry(struct account *a)
{
	struct sub	*s;

	for (s = a->subs; s != NULL; s = s->next) {
		loop_timer_stop(s->retry);
		s->retry_in = 0;
		if (s->phase == SUB_RETRY)
			s->phase = SUB_IDLE;
	}
}

/* End S: true when the un-SUBSCRIBE's answer is awaited. */
static bool
sub_stop(struct sub *s)
{
	loop_timer_stop(s->retry);
	s->retry_in = 0;
	if (s->phase == SUB_ENDING)
		return true;
	if (s->ss != NULL && sip_sub_end(s->ss)) {
		s->phase = SUB_ENDING;
		return true;
	}
	sub_drop(s);
	if (s->phase != SUB_STOPPED)
		s->phase = SUB_IDLE;
	return false;
}

bool
sub_account_stop(struct account *a)
{
	struct sub	*s, *next;
	bool		 waiting = false;

	for (s = a->subs; s != NULL; s = next) {
		next = s->next;
		if (sub_stop(s))
			waiting = true;
		else if (s->removing)
			sub_free(s);
	}
	return waiting;
}

bool
sub_account_ending(const struct account *a)
{
	const struct sub	*s;

	for (s = a->subs; s != NULL; s = s->next) {
		if (s->phase == SUB_ENDING)
			return true;
	}
	return false;
}

void
sub_account_abandon(struct account *a)
{
	struct sub	*s, *next;

	for (s = a->subs; s != NULL; s = next) {
		next = s->next;
		if (s->phase != SUB_ENDING)
			continue;
		log_warn("account %s: no answer to the un-SUBSCRIBE of %s; "
		    "it will expire on its own", a->conf->name, sub_target(s));
		sub_drop(s);
		s->phase = SUB_IDLE;
		if (s->removing)
			sub_free(s);
	}
}

void
sub_account_free(struct account *a)
{
	while (a->subs != NULL)
		sub_free(a->subs);
}

/* The user part and host of ADDR (a URI, maybe in <> after a name). */
static bool
sub_user_host(const char *addr, char *user, size_t ulen, char *host,
    size_t hlen)
{
	const char	*p, *at, *end;

	if ((p = strchr(addr, '<')) != NULL)
		addr = p + 1;
	if (strncasecmp(addr, "sip:", 4) == 0)
		addr += 4;
	else if (strncasecmp(addr, "sips:", 5) == 0)
		addr += 5;
	else if (strncasecmp(addr, "pres:", 5) == 0)
		addr += 5;
	end = addr + strcspn(addr, ";>?");
	if ((at = memchr(addr, '@', (size_t)(end - addr))) == NULL) {
		*user = '\0';
		at = addr - 1;
	} else
		snprintf(user, ulen, "%.*s", (int)(at - addr), addr);
	p = at + 1;
	if (*p == '[')
		end = p + strcspn(p, "]") + 1 <= end ? p + strcspn(p, "]") + 1 :
		    end;
	else
		end = p + strcspn(p, ":;>?");
	snprintf(host, hlen, "%.*s", (int)(end - p), p);
	return *host != '\0';
}

bool
sub_same_address(const char *a, const char *b)
{
	char	 ua[256], ha[256], ub[256], hb[256];

	if (!sub_user_host(a, ua, sizeof ua, ha, sizeof ha) ||
	    !sub_user_host(b, ub, sizeof ub, hb, sizeof hb))
		return false;
	return strcmp(ua, ub) == 0 && strcasecmp(ha, hb) == 0;
}

struct sub *
sub_find(struct account *a, enum sub_kind kind, const char *uri)
{
	struct sub	*s;
	char		*norm, *cause = NULL;

	norm = uri != NULL ? sip_uri_target(a->conf, uri, &cause) : NULL;
	free(cause);
	for (s = a->subs; s != NULL; s = s->next) {
		if (s->kind != kind || s->removing)
			continue;
		if (uri == NULL ? s->uri == NULL : s->uri != NULL &&
		    (strcmp(s->uri, uri) == 0 ||
		    (norm != NULL && strcmp(s->uri, norm) == 0)))
			break;
	}
	free(norm);
	return s;
}

int
sub_watch(struct account *a, const char *uri, char **cause)
{
	struct sub	*s;
	char		*norm;

	if ((norm = sip_uri_target(a->conf, uri, cause)) == NULL)
		return -1;
	if ((s = sub_find(a, SUB_PRESENCE, norm)) != NULL) {
		free(norm);
		if (s->phase == SUB_STOPPED || s->phase == SUB_RETRY) {
			s->failures = 0;
			if (sub_ready(a))
				sub_attempt(s);
			else
				s->phase = SUB_IDLE;
		}
		sub_emit_presence(s);
		return 0;
	}
	s = sub_new(a, SUB_PRESENCE, norm);
	free(norm);
	log_info("account %s: watching %s", a->conf->name, s->uri);
	sub_emit_presence(s);
	if (sub_ready(a))
		sub_attempt(s);
	return 0;
}

int
sub_unwatch(struct account *a, const char *uri, char **cause)
{
	struct sub	*s;

	if ((s = sub_find(a, SUB_PRESENCE, uri)) == NULL) {
		xasprintf(cause, "not watching %s", uri);
		return -1;
	}
	log_info("account %s: no longer watching %s", a->conf->name, s->uri);
	s->removing = true;
	if (s->presence != PRESENCE_UNKNOWN || s->note[0] != '\0') {
		s->presence = PRESENCE_UNKNOWN;
		s->note[0] = '\0';
	}
	sub_emit_presence(s);
	if (!sub_stop(s))
		sub_free(s);
	return 0;
}

void
sub_emit_all(const struct account *a)
{
	const struct sub	*s;

	for (s = a->subs; s != NULL; s = s->next) {
		if (!s->removing)
			sub_emit_presence(s);
	}
}

enum presence_state
sub_presence_of(struct account *list, const char *remote, bool *watched)
{
	struct account	*a;
	struct sub	*s;

	if (watched != NULL)
		*watched = false;
	for (a = list; a != NULL; a = a->next) {
		for (s = a->subs; s != NULL; s = s->next) {
			if (s->kind != SUB_PRESENCE || s->removing ||
			    !sub_same_address(s->uri, remote))
				continue;
			if (watched != NULL)
				*watched = true;
			return s->presence;
		}
	}
	return PRESENCE_UNKNOWN;
}
