/*
 * call.c: the calls: list, current call, state and the rules a person
 * expects of a phone. An incoming call rings until answered, rejected or
 * [sip] ring_timeout; answering a second call holds the first; only the
 * current, unheld call has the microphone and speaker; hold is a
 * re-INVITE, retried after a random delay when the peer answers 491
 * (RFC 3261 14.1); a call that stops receiving RTP while not on hold is
 * hung up after [sip] rtp_timeout.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "call.h"
#include "conf.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "phone.h"
#include "sip-call.h"
#include "sip-uri.h"
#include "util.h"

static struct call	*call_list;
static struct call	*call_cur;
static int		 call_next_id = 1;
static int		 call_ring_s = 60;
static int		 call_rtp_s = 30;

static void	 call_update_audio(void);

void
call_set_timeouts(int ring, int rtp)
{
	call_ring_s = ring;
	call_rtp_s = rtp;
}

struct call *
call_first(void)
{
	return call_list;
}

struct call *
call_find(int id)
{
	struct call	*c;

	for (c = call_list; c != NULL; c = c->next) {
		if (c->id == id)
			return c;
	}
	return NULL;
}

struct call *
call_current(void)
{
	return call_cur;
}

int
call_count(void)
{
	struct call	*c;
	int		 n = 0;

	for (c = call_list; c != NULL; c = c->next)
		n++;
	return n;
}

struct call *
call_resolve(const char *id, char **cause)
{
	struct call	*c;
	char		*end;
	long		 n;

	if (id == NULL) {
		if (call_cur == NULL)
			*cause = xstrdup("no current call");
		return call_cur;
	}
	n = strtol(id, &end, 10);
	if (*id == '\0' || *end != '\0' || n <= 0 || n > 1000000) {
		xasprintf(cause, "bad call id \"%s\"", id);
		return NULL;
	}
	if ((c = call_find((int)n)) == NULL)
		xasprintf(cause, "no call %ld", n);
	return c;
}

void
call_emit(const struct call *c)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_CALL;
	ev.u.call.id = c->id;
	util_strlcpy(ev.u.call.account, c->acct->conf->name,
	    sizeof ev.u.call.account);
	ev.u.call.outgoing = c->outgoing;
	util_strlcpy(ev.u.call.remote, c->remote, sizeof ev.u.call.remote);
	ev.u.call.state = c->state;
	ev.u.call.code = c->code;
	util_strlcpy(ev.u.call.reason, c->reason, sizeof ev.u.call.reason);
	ev.u.call.held_by_remote = c->held_by_remote;
	ev.u.call.muted = c->muted;
	ev.u.call.current = c == call_cur;
	if (c->answered_ms != 0)
		ev.u.call.duration = (int)((util_now_ms() - c->answered_ms) / 1000);
	util_strlcpy(ev.u.call.call_id, c->call_id, sizeof ev.u.call.call_id);
	event_emit(&ev);
}

void
call_status(void)
{
	struct call	*c;

	for (c = call_list; c != NULL; c = c->next)
		call_emit(c);
}

void
call_make_current(struct call *c)
{
	struct call	*old = call_cur;

	if (c == old)
		return;
	call_cur = c;
	call_update_audio();
	if (old != NULL && old->state != CALL_TERMINATED)
		call_emit(old);
	if (c != NULL)
		call_emit(c);
}

/*
 * The device goes to the current call when it is up (or has early media)
 * and not on hold; tones fill in when no call has it.
 */
static void
call_update_audio(void)
{
	struct call		*c;
	enum media_tone		 tone = MEDIA_TONE_NONE;
	bool			 active;

	for (c = call_list; c != NULL; c = c->next) {
		active = c == call_cur && !c->local_hold &&
		    (c->state == CALL_ESTABLISHED || c->state == CALL_EARLY);
		if (c->media != NULL)
			media_set_active(c->media, active);
		if (c->state == CALL_INCOMING)
			tone = MEDIA_TONE_RING;
		else if (c == call_cur && c->state == CALL_RINGING &&
		    tone == MEDIA_TONE_NONE)
			tone = MEDIA_TONE_RINGBACK;
	}
	media_set_tone(tone);
}

static void
call_ring_timeout(void *arg)
{
	struct call	*c = arg;

	if (c->state != CALL_INCOMING)
		return;
	log_info("call %d: not answered in %d s", c->id, call_ring_s);
	sip_call_reject(c, 480, "Temporarily Unavailable");
}

static void
call_glare_retry(void *arg)
{
	struct call	*c = arg;

	if (c->state == CALL_ESTABLISHED || c->state == CALL_HELD)
		sip_call_reinvite(c, c->local_hold);
}

struct call *
call_new(struct account *a, bool outgoing, const char *remote)
{
	struct call	*c = xcalloc(1, sizeof *c), **pp;

	c->id = call_next_id++;
	c->acct = a;
	c->outgoing = outgoing;
	util_strlcpy(c->remote, remote, sizeof c->remote);
	c->state = outgoing ? CALL_CALLING : CALL_INCOMING;
	c->timer = loop_timer_new(call_ring_timeout, c);
	c->retry = loop_timer_new(call_glare_retry, c);
	for (pp = &call_list; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = c;
	return c;
}

static void
call_free(struct call *c)
{
	struct call	**pp;

	for (pp = &call_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (call_cur == c)
		call_cur = NULL;
	sip_call_drop(c);
	if (c->media != NULL)
		media_free(c->media);
	loop_timer_free(c->timer);
	loop_timer_free(c->retry);
	util_wipe(&c->params, sizeof c->params);	/* SRTP keys */
	free(c);
}

void
call_free_all(void)
{
	while (call_list != NULL)
		call_free(call_list);
}

void
call_state(struct call *c, enum call_state state, int code, const char *reason)
{
	bool	 changed = c->state != state;

	if (state == CALL_ESTABLISHED && c->local_hold)
		state = CALL_HELD;
	c->state = state;
	c->code = code;
	util_strlcpy(c->reason, reason != NULL ? reason : "", sizeof c->reason);
	switch (state) {
	case CALL_INCOMING:
		loop_timer_start(c->timer, (unsigned int)call_ring_s * 1000);
		if (call_cur == NULL)
			call_cur = c;
		log_info("call %d: incoming from %s", c->id, c->remote);
		break;
	case CALL_ESTABLISHED:
	case CALL_HELD:
		loop_timer_stop(c->timer);
		if (c->answered_ms == 0) {
			c->answered_ms = util_now_ms();
			log_info("call %d: established with %s", c->id, c->remote);
		}
		break;
	default:
		break;
	}
	call_update_audio();
	if (changed || state == CALL_INCOMING)
		call_emit(c);
}

void
call_negotiated(struct call *c, const struct media_params *p)
{
	struct event	 ev;
	char		*cause = NULL;
	bool		 was_held = c->held_by_remote;
	const char	*dir;

	c->params = *p;
	c->have_params = true;
	c->held_by_remote = p->remote_hold;
	if (c->media != NULL && media_update(c->media, p, &cause) != 0) {
		log_error("call %d: media: %s", c->id, cause);
		free(cause);
	}
	switch (p->dir) {
	case MEDIA_SENDRECV:	dir = "sendrecv"; break;
	case MEDIA_SENDONLY:	dir = "sendonly"; break;
	case MEDIA_RECVONLY:	dir = "recvonly"; break;
	default:		dir = "inactive"; break;
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_MEDIA;
	ev.u.media.id = c->id;
	util_strlcpy(ev.u.media.codec, p->send.name, sizeof ev.u.media.codec);
	ev.u.media.clock_rate = p->send.rate;
	ev.u.media.srtp = p->srtp;
	if (c->media != NULL)
		snprintf(ev.u.media.local, sizeof ev.u.media.local, "%s:%d",
		    media_local_addr(c->media), media_local_port(c->media));
	snprintf(ev.u.media.remote, sizeof ev.u.media.remote, "%s:%d",
	    p->remote_addr, p->remote_port);
	util_strlcpy(ev.u.media.direction, dir, sizeof ev.u.media.direction);
	event_emit(&ev);
	if (was_held != c->held_by_remote) {
		log_info("call %d: %s", c->id, c->held_by_remote ?
		    "held by the remote party" : "resumed by the remote party");
		call_emit(c);
	}
	call_update_audio();
}

void
call_terminated(struct call *c, int code, const char *reason)
{
	struct call	*n;

	c->state = CALL_TERMINATED;
	c->code = code;
	util_strlcpy(c->reason, reason != NULL ? reason : "", sizeof c->reason);
	log_info("call %d: ended: %d %s", c->id, code, c->reason);
	if (c->media != NULL && c->have_params) {
		struct event_stats	 st;

		media_stats(c->media, &st);
		call_media_stats(&st);
	}
	call_emit(c);
	if (call_cur == c) {
		/* The next call, if any, becomes current, but stays held. */
		call_cur = NULL;
		for (n = call_list; n != NULL; n = n->next) {
			if (n != c) {
				call_cur = n;
				break;
			}
		}
		if (call_cur != NULL)
			call_emit(call_cur);
	}
	call_free(c);
	call_update_audio();
	phone_settled();
}

void
call_dtmf_received(struct call *c, char digit, bool info)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_DTMF;
	ev.u.dtmf.id = c->id;
	ev.u.dtmf.digit = digit;
	ev.u.dtmf.info = info;
	ev.u.dtmf.outgoing = false;
	event_emit(&ev);
}

void
call_media_dtmf(int id, char digit)
{
	struct call	*c = call_find(id);

	if (c != NULL)
		call_dtmf_received(c, digit, false);
}

void
call_media_timeout(int id)
{
	struct call	*c = call_find(id);

	if (c == NULL || call_rtp_s == 0 || c->local_hold || c->held_by_remote ||
	    (c->state != CALL_ESTABLISHED))
		return;
	log_warn("call %d: no RTP received for %d s; hanging up", c->id,
	    call_rtp_s);
	sip_call_hangup(c, "no media received");
}

void
call_media_stats(const struct event_stats *st)
{
	struct event	 ev;

	if (call_find(st->id) == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_STATS;
	ev.u.stats = *st;
	event_emit(&ev);
}

/*
 * A dial string: a sip:/sips: URI, user@host, or a number or user name
 * at the account's domain.
 */
static char *
call_target(const struct account *a, const char *s, char **cause)
{
	char	*uri, *domain;

	if (strncasecmp(s, "sip:", 4) == 0 || strncasecmp(s, "sips:", 5) == 0)
		uri = xstrdup(s);
	else if (strchr(s, '@') != NULL)
		xasprintf(&uri, "sip:%s", s);
	else {
		domain = sip_uri_domain(a->conf->uri);
		if (domain == NULL) {
			xasprintf(cause, "account %s has no domain", a->conf->name);
			return NULL;
		}
		xasprintf(&uri, "sip:%s@%s", s, domain + (strncmp(domain, "sips:", 5) == 0 ? 5 : 4));
		free(domain);
	}
	if (sip_uri_check(uri, cause) != 0) {
		free(uri);
		return NULL;
	}
	return uri;
}

int
call_dial(struct account *a, const char *target, char **cause)
{
	struct call	*c, *o;
	char		*uri;

	if ((uri = call_target(a, target, cause)) == NULL)
		return -1;
	/* A new call puts the one in progress on hold, as answering does. */
	for (o = call_list; o != NULL; o = o->next) {
		if (o->state == CALL_ESTABLISHED && !o->local_hold)
			call_hold(o, true, NULL);
	}
	c = call_new(a, true, uri);
	call_cur = c;
	if (sip_call_invite(c, uri, cause) != 0) {
		call_free(c);
		free(uri);
		return -1;
	}
	log_info("call %d: calling %s from %s", c->id, uri, a->conf->name);
	call_emit(c);
	call_update_audio();
	free(uri);
	return 0;
}

int
call_answer(struct call *c, char **cause)
{
	struct call	*o;

	if (c->state != CALL_INCOMING) {
		xasprintf(cause, "call %d is not ringing", c->id);
		return -1;
	}
	for (o = call_list; o != NULL; o = o->next) {
		if (o != c && (o->state == CALL_ESTABLISHED ||
		    o->state == CALL_EARLY) && !o->local_hold)
			call_hold(o, true, NULL);
	}
	loop_timer_stop(c->timer);
	if (sip_call_answer(c, cause) != 0)
		return -1;
	call_cur = c;
	call_update_audio();
	return 0;
}

int
call_reject(struct call *c, int code, char **cause)
{
	if (c->state != CALL_INCOMING) {
		xasprintf(cause, "call %d is not ringing", c->id);
		return -1;
	}
	if (code < 400 || code > 699) {
		xasprintf(cause, "bad status %d: use 4xx, 5xx or 6xx", code);
		return -1;
	}
	loop_timer_stop(c->timer);
	sip_call_reject(c, code, NULL);
	return 0;
}

int
call_hangup(struct call *c, char **cause)
{
	if (c->state == CALL_INCOMING)
		return call_reject(c, 486, cause);
	sip_call_hangup(c, "hung up");
	return 0;
}

void
call_hangup_all(void)
{
	struct call	*c, *next;

	for (c = call_list; c != NULL; c = next) {
		next = c->next;
		if (c->state == CALL_INCOMING)
			sip_call_reject(c, 486, NULL);
		else
			sip_call_hangup(c, "hung up");
	}
}

int
call_hold(struct call *c, bool hold, char **cause)
{
	if (c->state != CALL_ESTABLISHED && c->state != CALL_HELD) {
		if (cause != NULL)
			xasprintf(cause, "call %d is not established", c->id);
		return -1;
	}
	if (c->local_hold == hold) {
		if (cause != NULL)
			xasprintf(cause, "call %d is %s", c->id,
			    hold ? "already on hold" : "not on hold");
		return -1;
	}
	c->local_hold = hold;
	loop_timer_stop(c->retry);
	sip_call_reinvite(c, hold);
	call_state(c, hold ? CALL_HELD : CALL_ESTABLISHED, c->code, c->reason);
	if (!hold && call_cur != c)
		call_make_current(c);
	return 0;
}

/* From sip-call.c: the peer answered our re-INVITE with 491. */
void
call_glare(struct call *c)
{
	/* RFC 3261 14.1: 2.1-4 s when we own the Call-ID, else 0-2 s. */
	unsigned int ms = c->outgoing ? 2100 + (unsigned int)(random() % 1900) :
	    (unsigned int)(random() % 2000);

	log_info("call %d: re-INVITE glare (491); retrying in %u ms", c->id, ms);
	loop_timer_start(c->retry, ms);
}

int
call_mute(struct call *c, bool mute, char **cause)
{
	if (c->muted == mute) {
		xasprintf(cause, "call %d is %s", c->id, mute ? "already muted" :
		    "not muted");
		return -1;
	}
	c->muted = mute;
	if (c->media != NULL)
		media_set_mute(c->media, mute);
	call_emit(c);
	return 0;
}

int
call_dtmf(struct call *c, const char *digits, char **cause)
{
	const char	*p;
	struct event	 ev;
	bool		 info;

	if (c->state != CALL_ESTABLISHED && c->state != CALL_EARLY) {
		xasprintf(cause, "call %d is not established", c->id);
		return -1;
	}
	for (p = digits; *p != '\0'; p++) {
		if (strchr("0123456789*#ABCDabcd", *p) == NULL) {
			xasprintf(cause, "bad DTMF digit '%c' (use 0-9 * # A-D)", *p);
			return -1;
		}
	}
	info = c->acct->conf->dtmf == CONF_DTMF_INFO ||
	    !c->have_params || c->params.send_te_pt < 0;
	if (info) {
		if (c->acct->conf->dtmf != CONF_DTMF_INFO)
			log_info("call %d: the peer has no telephone-event; "
			    "sending DTMF by SIP INFO", c->id);
		if (sip_call_info_dtmf(c, digits, cause) != 0)
			return -1;
	} else if (media_send_dtmf(c->media, digits, cause) != 0)
		return -1;
	for (p = digits; *p != '\0'; p++) {
		memset(&ev, 0, sizeof ev);
		ev.kind = EVENT_DTMF;
		ev.u.dtmf.id = c->id;
		ev.u.dtmf.digit = (char)(*p >= 'a' && *p <= 'd' ? *p - 32 : *p);
		ev.u.dtmf.info = info;
		ev.u.dtmf.outgoing = true;
		event_emit(&ev);
	}
	return 0;
}

int
call_transfer(struct call *c, const char *target, char **cause)
{
	char	*uri;
	int	 rc;

	if (c->state != CALL_ESTABLISHED && c->state != CALL_HELD) {
		xasprintf(cause, "call %d is not established", c->id);
		return -1;
	}
	if ((uri = call_target(c->acct, target, cause)) == NULL)
		return -1;
	rc = sip_call_refer(c, uri, cause);
	if (rc == 0)
		log_info("call %d: transferring to %s", c->id, uri);
	free(uri);
	return rc;
}
