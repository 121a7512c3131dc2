/*
 * call.c: the calls: list, current call, state and the rules a person
 * expects of a phone.
 *
 * - An incoming INVITE is matched to an account by phone.c; here it is
 *   refused when quitting (480), forwarded when the account forwards
 *   (302, no call object), refused over CALL_MAX calls (486, no call
 *   object), refused by do not disturb (486, a call that never rings and
 *   ends as missed), else it rings until answered, rejected or [sip]
 *   ring_timeout, or is answered at once with auto_answer.
 * - One active call: only the current call, when up and not held, has the
 *   microphone and speaker. Making a call current by any route first
 *   holds the call that had them, with a real re-INVITE, then resumes the
 *   new one; the far end of the held call sees it. When the current call
 *   ends at the far end, the next call becomes current by the same rule.
 * - Hold is a re-INVITE. What the user wants (local_hold) and what was
 *   last asked of the peer (sip_hold) are kept apart, so that quick
 *   switching never sends a re-INVITE while one is out; a 491 is retried
 *   after a random delay (RFC 3261 14.1).
 * - A call that stops receiving RTP while not on hold is hung up after
 *   [sip] rtp_timeout.
 * - Conference: the current call and a held one are mixed by the media
 *   engine, both active; for the rule above they are one unit (either
 *   made current resumes both, another made current holds both), and
 *   when one ends the other goes on as the current call.
 * - Transfer: as transferor, the peer's NOTIFYs are published as
 *   "transfer" events and the call is hung up when it is done; as
 *   transferee, the REFER's target is called like any call, the
 *   transferor is told the truth in NOTIFYs (100, 180, 200 or the real
 *   failure), and the old call stays held until the new one is up, then
 *   ends. [account] refer says whether a REFER is followed, refused (a
 *   NOTIFY with 603: the stack has already accepted the REFER), or
 *   asked of the user first.
 * - Attended transfer (RFC 5589): our REFER on one call names the peer of
 *   another with a Replaces for that dialog; when it is done both of our
 *   calls end (the target ends its side itself; a target that ignored the
 *   Replaces is hung up after CALL_REPLACED_S).
 * - Replaces (RFC 3891): an INVITE naming one of our dialogs takes its
 *   place without ringing, becomes current once up, and the old call is
 *   ended (BYE, or CANCEL when it was our outgoing early dialog). One
 *   naming no dialog, or an early one we did not start, gets 481; a
 *   confirmed one with early-only 486; one we are ending 603.
 *
 * - STUN ([account] stun_server): a new call's offer (INVITE) or answer
 *   (the 180 and the 200 after it, or the 200 replacing a call) waits
 *   for the binding of its RTP and RTCP sockets, at most about 1 s
 *   (media-stun.h's schedule) plus, for a server given by name, its
 *   lookup (sip-dns.c's bounds: a few seconds when DNS is down); the SDP
 *   then gives the public address and ports, or the local ones, with the
 *   reason logged, when STUN fails. An incoming call rings only then,
 *   so it cannot be answered before the SDP is known. Re-INVITEs keep
 *   what was found: the sockets are the same.
 *
 * Reports from the SIP side arrive after Sofia's callback has returned,
 * so a call may be freed in the handler that reported its end.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "account.h"
#include "call.h"
#include "conf.h"
#include "contacts.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "sip-call.h"
#include "sip-dns.h"
#include "util.h"

/* What waits for a call's STUN binding (call->stun_wait). */
#define CALL_STUN_INVITE	1	/* our INVITE */
#define CALL_STUN_RING		2	/* our 180 to theirs */
#define CALL_STUN_ACCEPT	3	/* our 200 to an INVITE with Replaces */

/* 491 or 500 answers to one re-INVITE before we give up on it. */
#define CALL_REINVITE_TRIES	5

static struct call	*call_list;
static struct call	*call_cur;
static int		 call_next_id = 1;
static unsigned long	 call_hold_seq;	/* holds so far (held_seq) */
static int		 call_ring_s = 60;
static int		 call_rtp_s = 30;
static bool		 call_accepting = true;

static void	 call_update_audio(void);
static void	 call_report(const struct sip_call_report *, void *);
static void	 call_focus(struct call *);
static int	 call_dial_for(struct account *, const char *, struct call *,
		    const char *, char **);
static void	 call_later(void *);
static void	 call_ended(struct call *, int, const char *);
static void	 call_incoming_ring(struct call *, int);
static void	 call_incoming_accept(struct call *, int);

void
call_set_timeouts(int ring, int rtp)
{
	call_ring_s = ring;
	call_rtp_s = rtp;
}

void
call_set_accepting(bool on)
{
	call_accepting = on;
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

/*
 * The name to show for C: the contact its address belongs to, else the
 * display name the remote gave ("Bob" <sip:...>), else "". Looked up at
 * each event, so an edited contacts file shows on the next one.
 */
static void
call_display(const struct call *c, char *out, size_t size)
{
	const struct contact	*ct;
	const char		*p = c->remote, *lt;
	size_t			 n = 0;

	*out = '\0';
	if ((ct = contacts_find_remote(contacts_current(), c->remote)) != NULL) {
		util_strlcpy(out, ct->name, size);
		return;
	}
	while (*p == ' ')
		p++;
	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"' && n + 1 < size; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			out[n++] = *p;
		}
		out[n] = '\0';
	} else if ((lt = strchr(p, '<')) != NULL) {
		n = (size_t)(lt - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= size)
			n = size - 1;
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

/*
 * How C ended, for the history and the hooks. An incoming call that
 * never rang (no common codec, no media port) was never offered to the
 * user: it failed, it was not missed. A call refused by do-not-disturb
 * was never offered either, but the user asked not to be disturbed, not
 * to miss it: it counts as missed.
 */
static enum call_outcome
call_outcome(const struct call *c)
{
	if (c->state != CALL_TERMINATED)
		return CALL_OUTCOME_NONE;
	if (c->answered_ms != 0)
		return CALL_OUTCOME_ANSWERED;
	if (c->outgoing)
		return c->local_end ? CALL_OUTCOME_CANCELLED : CALL_OUTCOME_FAILED;
	if (c->dnd_refused)
		return CALL_OUTCOME_MISSED;
	if (!c->rang)
		return CALL_OUTCOME_FAILED;
	return c->local_end ? CALL_OUTCOME_REJECTED : CALL_OUTCOME_MISSED;
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
	call_display(c, ev.u.call.display, sizeof ev.u.call.display);
	ev.u.call.state = c->state;
	ev.u.call.code = c->code;
	util_strlcpy(ev.u.call.reason, c->reason, sizeof ev.u.call.reason);
	ev.u.call.held_by_remote = c->held_by_remote;
	ev.u.call.muted = c->muted;
	ev.u.call.recording = c->recording;
	ev.u.call.current = c == call_cur;
	if (c->answered_ms != 0)
		ev.u.call.duration = (int)((util_now_ms() - c->answered_ms) / 1000);
	util_strlcpy(ev.u.call.call_id, c->call_id, sizeof ev.u.call.call_id);
	ev.u.call.transfer = c->transfer;
	ev.u.call.conference = c->conference != 0;
	ev.u.call.replaces = c->replaces;
	if (c->refer_asked)
		util_strlcpy(ev.u.call.refer_to, c->refer_target,
		    sizeof ev.u.call.refer_to);
	ev.u.call.outcome = call_outcome(c);
	event_emit(&ev);
}

void
call_status(void)
{
	struct call	*c;

	/* (A call do-not-disturb is refusing shows only once it ended.) */
	for (c = call_list; c != NULL; c = c->next) {
		if (!c->dnd_refused || c->state == CALL_TERMINATED)
			call_emit(c);
	}
}

static bool
call_up(const struct call *c)
{
	return c->state == CALL_ESTABLISHED || c->state == CALL_HELD;
}

/* The other call of C's conference, or NULL. */
static struct call *
call_partner(const struct call *c)
{
	return c != NULL && c->conference != 0 ? call_find(c->conference) :
	    NULL;
}

/*
 * The device goes to the current call when it is up (or has early media)
 * and not on hold; tones fill in when no call has it.
 */
static void
call_update_audio(void)
{
	struct call		*c, *p = call_partner(call_cur);
	enum media_tone		 tone = MEDIA_TONE_NONE;
	bool			 active;

	for (c = call_list; c != NULL; c = c->next) {
		active = (c == call_cur || c == p) && !c->local_hold &&
		    (c->state == CALL_ESTABLISHED || c->state == CALL_EARLY);
		if (c->media != NULL)
			media_set_active(c->media, active);
		if (c->state == CALL_INCOMING && c->replaces == 0 &&
		    !c->dnd_refused)
			tone = MEDIA_TONE_RING;
		else if (c == call_cur && c->state == CALL_RINGING &&
		    tone == MEDIA_TONE_NONE)
			tone = MEDIA_TONE_RINGBACK;
	}
	media_set_tone(tone);
}

/* Ask the peer for the hold state the call should have, one re-INVITE
 * at a time. */
static void
call_sync_hold(struct call *c)
{
	if (c->sip == NULL || !call_up(c) || c->reinvite_busy ||
	    loop_timer_pending(c->retry) || c->sip_hold == c->local_hold)
		return;
	c->sip_hold = c->local_hold;
	c->reinvite_busy = true;
	sip_call_reinvite(c->sip, c->local_hold, c->held_by_remote);
}

static void
call_set_hold(struct call *c, bool hold)
{
	if (c->local_hold == hold)
		return;
	c->local_hold = hold;
	if (hold)
		c->held_seq = ++call_hold_seq;
	if (call_up(c))
		c->state = hold ? CALL_HELD : CALL_ESTABLISHED;
	log_info("call %d: %s", c->id, hold ? "on hold" : "resumed");
	call_sync_hold(c);
	call_emit(c);
}

/* C and P (its conference partner) are two calls again. */
static void
call_unjoin(struct call *c, struct call *p, const char *why)
{
	c->conference = p->conference = 0;
	if (c->media != NULL)
		media_split(c->media);
	log_info("calls %d and %d: %s", c->id, p->id, why);
}

/* The one-active-call rule: C (with its conference) becomes current;
 * whoever had the audio is held first. */
static void
call_focus(struct call *c)
{
	struct call	*o, *old = call_cur, *p = call_partner(c);

	/* (A call we are ending is left as it is.) */
	for (o = call_list; o != NULL; o = o->next) {
		if (o != c && o != p && call_up(o) && !o->local_hold &&
		    !o->local_end)
			call_set_hold(o, true);
	}
	call_cur = c;
	if (c != NULL && call_up(c) && c->local_hold)
		call_set_hold(c, false);
	if (p != NULL && call_up(p) && p->local_hold)
		call_set_hold(p, false);
	call_update_audio();
	if (old != c) {
		if (old != NULL)
			call_emit(old);
		if (c != NULL)
			call_emit(c);
	}
}

static void
call_ring_timeout(void *arg)
{
	struct call	*c = arg;

	if (c->state != CALL_INCOMING)
		return;
	log_info("call %d: not answered in %d s", c->id, call_ring_s);
	sip_call_reject(c->sip, 480, "Temporarily Unavailable");
}

static void
call_glare_retry(void *arg)
{
	call_sync_hold(arg);
}

static struct call *
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
	c->later = loop_timer_new(call_later, c);
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
	sip_dns_cancel(c->stun_dns);
	sip_call_free(c->sip);
	if (c->media != NULL)
		media_free(c->media);
	loop_timer_free(c->timer);
	loop_timer_free(c->retry);
	loop_timer_free(c->later);
	util_wipe(&c->params, sizeof c->params);	/* SRTP keys */
	free(c);
}

void
call_free_all(void)
{
	while (call_list != NULL)
		call_free(call_list);
}

static void
call_set_state(struct call *c, enum call_state state, int code,
    const char *reason)
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

/* Tell the transferor how the call we made for its REFER goes. */
static void
call_notify_transferor(struct call *c, int code, const char *phrase)
{
	struct call	*old;

	if (c->transfer_from == 0 ||
	    (old = call_find(c->transfer_from)) == NULL || old->sip == NULL)
		return;
	sip_call_notify_refer(old->sip, code, phrase);
	if (code >= 200) {
		old->transfer_to = 0;
		old->transferred = code < 300;
		c->transfer_from = 0;
	}
}

static void
call_transfer_state(struct call *c, enum transfer_state st, int code,
    const char *reason)
{
	struct event	 ev;

	if (c->transfer == st && st != TRANSFER_NONE)
		return;
	c->transfer = st;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_TRANSFER;
	ev.u.transfer.id = c->id;
	ev.u.transfer.state = st;
	ev.u.transfer.code = code;
	util_strlcpy(ev.u.transfer.reason, reason != NULL ? reason : "",
	    sizeof ev.u.transfer.reason);
	event_emit(&ev);
	call_emit(c);
}

static void
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

/* The dialog is over: publish, hand the audio on, free. */
static void
call_ended(struct call *c, int code, const char *reason)
{
	struct call	*n, *next = NULL, *p = call_partner(c);
	bool		 by_peer = !c->local_end;

	c->state = CALL_TERMINATED;
	c->code = code;
	if (c->dnd_refused)
		reason = "refused: do not disturb";
	util_strlcpy(c->reason, reason != NULL ? reason : "", sizeof c->reason);
	log_info("call %d: ended: %d %s", c->id, code, c->reason);
	if (c->media != NULL && c->have_params) {
		struct event_stats	 st;

		media_stats(c->media, &st);
		call_media_stats(&st, NULL);
	}
	/* A call made for a REFER that failed: the transferor hears why,
	 * with the standard phrase (our reason is worded for people). */
	if (c->transfer_from != 0 && c->answered_ms == 0)
		call_notify_transferor(c, code >= 300 ? code : 487, NULL);
	if (p != NULL)
		call_unjoin(c, p, "the conference is over: the first ended, "
		    "the second goes on");
	call_emit(c);
	if (call_cur == c && p != NULL) {
		/* The other party of the conference is up and has the
		 * audio already: it stays so, as the current call. */
		call_cur = NULL;
		call_focus(p);
	} else if (call_cur == c) {
		for (n = call_list; n != NULL; n = n->next) {
			if (n != c) {
				next = n;
				break;
			}
		}
		call_cur = NULL;
		/* A call being handed over by our transfer, or ending, is
		 * not resumed: it is about to go (the target of an attended
		 * transfer ends its call with us before the transferee's
		 * NOTIFY tells us it is done). */
		if (next != NULL && by_peer && !next->local_end &&
		    next->transfer != TRANSFER_TRYING &&
		    next->transfer != TRANSFER_RINGING)
			call_focus(next);
		else if (next != NULL) {
			/* We hung up: the next call is current, and stays
			 * as it is until the user resumes it. */
			call_cur = next;
			call_emit(next);
		}
	}
	if (p != NULL)
		call_emit(p);
	call_free(c);
	call_update_audio();
}

/* The dialog's tags, as the SIP side has learnt them. */
static void
call_keep_tags(struct call *c)
{
	const char	*t;

	if (c->sip == NULL)
		return;
	if (*(t = sip_call_local_tag(c->sip)) != '\0')
		util_strlcpy(c->local_tag, t, sizeof c->local_tag);
	if (*(t = sip_call_remote_tag(c->sip)) != '\0')
		util_strlcpy(c->remote_tag, t, sizeof c->remote_tag);
}

/*
 * The timer of a call: the user did not answer the transfer the peer
 * asked (refuse it), or the target of our attended transfer did not end
 * the call it handed over (it ignored the Replaces): end it ourselves.
 */
static void
call_later(void *arg)
{
	struct call	*c = arg;

	if (c->refer_asked) {
		log_info("call %d: the transfer to %s was not answered in "
		    "%d s; refused", c->id, c->refer_target, CALL_REFER_ASK_S);
		c->refer_asked = false;
		sip_call_notify_refer(c->sip, 603, "Declined");
		call_emit(c);
		return;
	}
	if (call_up(c) && !c->local_end) {
		log_info("call %d: handed over by the transfer; hanging up",
		    c->id);
		c->local_end = true;
		sip_call_hangup(c->sip, "transferred");
	}
}

static void
call_refer_status(struct call *c, const struct sip_call_report *r)
{
	enum transfer_state	 st;
	struct call		*to;

	if (r->code >= 200 && r->code < 300)
		st = TRANSFER_DONE;
	else if (r->code >= 300 || (r->final && r->code < 200))
		st = TRANSFER_FAILED;
	else if (r->code == 180 || r->code == 183)
		st = TRANSFER_RINGING;
	else
		st = TRANSFER_TRYING;
	if (c->transfer == TRANSFER_DONE || (c->transfer == TRANSFER_FAILED &&
	    st != TRANSFER_FAILED))
		return;
	call_transfer_state(c, st, r->code, r->reason);
	if (st == TRANSFER_DONE) {
		log_info("call %d: transfer succeeded", c->id);
		c->local_end = true;
		sip_call_hangup(c->sip, "transferred");
		/* Attended: the target ends the call it handed over when the
		 * new one is up (RFC 3891); give it time, then end it. */
		if (c->transfer_with != 0 &&
		    (to = call_find(c->transfer_with)) != NULL && !to->local_end)
			loop_timer_start(to->later, CALL_REPLACED_S * 1000);
		c->transfer_with = 0;
	} else if (st == TRANSFER_FAILED) {
		c->transfer_with = 0;
		log_warn("call %d: transfer failed (%d %s)", c->id, r->code,
		    r->reason);
		event_error("transfer", "call %d: the transfer failed: %d %s",
		    c->id, r->code, r->reason);
	}
}

/* The peer asks us to call TARGET in its place (we are the transferee);
 * REPLACES ("" if none) goes into our INVITE. */
static void
call_refer(struct call *c, const char *target, const char *replaces)
{
	char		*cause = NULL;

	if (c->transfer_to != 0 && call_find(c->transfer_to) != NULL) {
		log_warn("call %d: a second transfer while one is under way; "
		    "refused", c->id);
		sip_call_notify_refer(c->sip, 491, "Request Pending");
		return;
	}
	log_info("call %d: transferred by the remote party to %s%s", c->id,
	    target, *replaces != '\0' ? " (attended)" : "");
	if (call_dial_for(c->acct, target, c, replaces, &cause) != 0) {
		log_error("call %d: cannot follow the transfer: %s", c->id,
		    cause);
		sip_call_notify_refer(c->sip, 503, "Service Unavailable");
		free(cause);
		return;
	}
	/* The new call is current now, and this one held. */
	sip_call_notify_refer(c->sip, 100, "Trying");
}

/* What [account] refer says of a REFER. */
static void
call_refer_policy(struct call *c, const char *target, const char *replaces)
{
	switch (c->acct->conf->refer) {
	case CONF_REFER_REFUSE:
		log_info("call %d: refusing the transfer to %s ([account] "
		    "refer = refuse)", c->id, target);
		sip_call_notify_refer(c->sip, 603, "Declined");
		break;
	case CONF_REFER_ASK:
		/* A second REFER while one waits takes its place: the
		 * stack keeps only the last one's subscription. */
		c->refer_asked = true;
		util_strlcpy(c->refer_target, target, sizeof c->refer_target);
		util_strlcpy(c->refer_replaces, replaces,
		    sizeof c->refer_replaces);
		loop_timer_start(c->later, CALL_REFER_ASK_S * 1000);
		log_info("call %d: the remote party asks to transfer you to "
		    "%s: refer accept, or refer refuse", c->id, target);
		call_emit(c);
		break;
	default:
		call_refer(c, target, replaces);
		break;
	}
}

int
call_refer_answer(struct call *c, bool accept, char **cause)
{
	if (!c->refer_asked) {
		xasprintf(cause, "call %d: no transfer is waiting for an answer",
		    c->id);
		return -1;
	}
	c->refer_asked = false;
	loop_timer_stop(c->later);
	if (accept)
		call_refer(c, c->refer_target, c->refer_replaces);
	else {
		log_info("call %d: transfer to %s refused", c->id,
		    c->refer_target);
		sip_call_notify_refer(c->sip, 603, "Declined");
	}
	call_emit(c);
	return 0;
}

/*
 * A call that replaces OLD is up: OLD ends (BYE, or CANCEL when it was
 * our outgoing call still ringing), and C takes the audio.
 */
static void
call_replace(struct call *c)
{
	struct call	*old = call_find(c->replaces);

	if (old != NULL && !old->local_end && old->state != CALL_TERMINATED) {
		log_info("call %d: replaces call %d", c->id, old->id);
		old->local_end = true;
		sip_call_hangup(old->sip, "replaced");
	}
	call_focus(c);
}

static void
call_report(const struct sip_call_report *r, void *arg)
{
	struct call	*c = arg, *p;

	switch (r->kind) {
	case SIP_CALL_PROGRESS:
		call_keep_tags(c);
		if (r->early)
			c->early_media = true;
		if (c->state == CALL_CALLING || (c->state == CALL_RINGING &&
		    c->early_media)) {
			call_set_state(c, c->early_media ? CALL_EARLY :
			    CALL_RINGING, r->code, r->reason);
			if (r->code == 180 || r->code == 183)
				call_notify_transferor(c, r->code, r->reason);
		}
		break;
	case SIP_CALL_ESTABLISHED:
		call_keep_tags(c);
		if (c->replaces != 0)
			call_replace(c);
		/* Up while another call has the audio: hold it at once, so
		 * that its far end is never left in silence. */
		if (call_cur == NULL)
			call_cur = c;
		if (c != call_cur)
			c->local_hold = true;
		call_set_state(c, CALL_ESTABLISHED, 200, "OK");
		call_sync_hold(c);
		/* The old call of a transfer ends once the transferor has
		 * answered this NOTIFY (SIP_CALL_NOTIFIED). */
		call_notify_transferor(c, 200, "OK");
		break;
	case SIP_CALL_MEDIA:
		call_negotiated(c, &r->params);
		break;
	case SIP_CALL_MEDIA_FAILED:
		log_error("call %d: %s", c->id, r->reason);
		break;
	case SIP_CALL_REINVITE_DONE:
		c->reinvite_busy = false;
		if ((r->code == 491 || r->code == 500) &&
		    ++c->reinvite_tries <= CALL_REINVITE_TRIES) {
			unsigned int ms;

			/* RFC 3261 14.1: after a 491, 2.1-4 s when we own
			 * the Call-ID, else 0-2 s; 14.2: a 500 says the peer
			 * is busy with another offer, and its Retry-After
			 * how long to wait. */
			if (r->code == 491)
				ms = c->outgoing ?
				    2100 + (unsigned int)(random() % 1900) :
				    (unsigned int)(random() % 2000);
			else if (r->retry_after > 0)
				ms = (unsigned int)(r->retry_after < 10 ?
				    r->retry_after : 10) * 1000;
			else
				ms = 500 + (unsigned int)(random() % 1500);
			if (r->code == 491)
				log_info("call %d: re-INVITE glare (491); "
				    "retrying in %u ms", c->id, ms);
			else
				log_info("call %d: the peer is busy with another "
				    "offer (500); retrying in %u ms", c->id, ms);
			c->sip_hold = !c->sip_hold;
			loop_timer_start(c->retry, ms);
			break;
		}
		if (r->code >= 300) {
			log_warn("call %d: re-INVITE answered %d %s", c->id,
			    r->code, r->reason);
			/* The session goes on as it was; do not insist. */
			c->reinvite_tries = 0;
			c->sip_hold = !c->sip_hold;
			if (c->local_hold != c->sip_hold) {
				c->local_hold = c->sip_hold;
				c->state = c->local_hold ? CALL_HELD :
				    CALL_ESTABLISHED;
				/* Two calls held apart are no conference
				 * (a resume to join one was refused). */
				if ((p = call_partner(c)) != NULL &&
				    p->local_hold != c->local_hold) {
					call_unjoin(c, p, "conference split: a "
					    "re-INVITE was refused");
					call_emit(p);
				}
				call_emit(c);
				call_update_audio();
			}
			break;
		}
		c->reinvite_tries = 0;
		call_sync_hold(c);
		break;
	case SIP_CALL_DTMF: {
		struct event	 ev;

		memset(&ev, 0, sizeof ev);
		ev.kind = EVENT_DTMF;
		ev.u.dtmf.id = c->id;
		ev.u.dtmf.digit = r->digit;
		ev.u.dtmf.info = true;
		event_emit(&ev);
		break;
	}
	case SIP_CALL_REFER:
		call_refer_policy(c, r->target, r->replaces);
		break;
	case SIP_CALL_REFER_STATUS:
		call_refer_status(c, r);
		break;
	case SIP_CALL_NOTIFIED:
		/* The transferor knows the new call is up: this one is done. */
		if (c->transferred && call_up(c)) {
			c->local_end = true;
			sip_call_hangup(c->sip, "transferred");
		}
		break;
	case SIP_CALL_ENDED:
		call_ended(c, r->code, r->reason);
		break;
	}
}

/* Refuse the INVITE IN with CODE, and say why in the log. */
static void
call_refuse(const struct sip_incoming *in, int code, const char *phrase,
    const char *why)
{
	log_warn("refusing a call from %s: %s", in->remote, why);
	sip_call_reject(in->sc, code, phrase);
	sip_call_free(in->sc);
}

/* The call whose dialog RP names (RFC 3891 3: its to-tag is ours). */
static struct call *
call_by_replaces(const struct sip_replaces *rp)
{
	struct call	*c;

	for (c = call_list; c != NULL; c = c->next) {
		call_keep_tags(c);
		if (strcmp(c->call_id, rp->call_id) == 0 &&
		    strcmp(c->local_tag, rp->to_tag) == 0 &&
		    strcmp(c->remote_tag, rp->from_tag) == 0)
			return c;
	}
	return NULL;
}

/* An INVITE with Replaces (RFC 3891 3): answered at once, or refused. */
/* --- STUN before the offer or answer --- */

/* What the SDP gives when STUN does not help, for the log. */
static void
call_stun_local(const struct call *c, const char *why)
{
	log_warn("call %d: %s; the SDP carries the local address %s", c->id,
	    why, media_local_addr(c->media));
}

/* Ask the server at ADDR:PORT; 0, or -1 (logged: go on without). */
static int
call_stun_ask(struct call *c, const char *addr, int port)
{
	char	*cause = NULL;

	if (media_stun(c->media, addr, port, &cause) != 0) {
		call_stun_local(c, cause);
		free(cause);
		return -1;
	}
	log_info("call %d: asking STUN server %s%s%s:%d for the public "
	    "address of %s:%d; the %s waits for it (1 s at most)", c->id,
	    strchr(addr, ':') != NULL ? "[" : "", addr,
	    strchr(addr, ':') != NULL ? "]" : "", port,
	    media_local_addr(c->media), media_local_port(c->media),
	    c->stun_wait == CALL_STUN_INVITE ? "INVITE" : "answer");
	return 0;
}

/* The binding is known or failed: send what waited. */
static void
call_stun_go(struct call *c)
{
	struct call	*r;
	char		*cause = NULL;
	int		 what = c->stun_wait;
	int		 port = c->public_port != 0 ? c->public_port :
			    media_local_port(c->media);

	c->stun_wait = 0;
	switch (what) {
	case CALL_STUN_RING:
		call_incoming_ring(c, port);
		break;
	case CALL_STUN_ACCEPT:
		call_incoming_accept(c, port);
		break;
	case CALL_STUN_INVITE:
		if (c->local_end) {
			/* Hung up while it waited: nothing went out. */
			call_ended(c, 487, "hung up");
			break;
		}
		if (sip_call_invite(c->sip, port, &cause) != 0) {
			log_error("call %d: %s", c->id, cause);
			if ((r = call_find(c->transfer_from)) != NULL)
				r->transfer_to = 0;
			call_ended(c, 500, cause);
			free(cause);
		}
		break;
	}
}

static void
call_stun_resolved(const struct sip_dns_result *res, void *arg)
{
	struct call	*c = arg;

	c->stun_dns = NULL;
	if (c->local_end) {
		call_stun_go(c);	/* hung up meanwhile: no need to ask */
		return;
	}
	if (res->error != 0) {
		call_stun_local(c, res->why);
		call_stun_go(c);
		return;
	}
	if (call_stun_ask(c, res->addr, c->acct->conf->stun_port) != 0)
		call_stun_go(c);
}

/*
 * If C's account has a STUN server, start the binding of C's media and
 * make WHAT (CALL_STUN_*) wait for it: true. False when the call goes on
 * at once (no server, or one that cannot be asked: logged).
 */
static bool
call_stun_start(struct call *c, int what)
{
	const struct conf_account	*ca = c->acct->conf;
	unsigned char			 bin[sizeof(struct in6_addr)];
	char				*uri, *cause = NULL;

	if (ca->stun_host == NULL)
		return false;
	c->stun_wait = what;
	if (inet_pton(AF_INET, ca->stun_host, bin) == 1 ||
	    inet_pton(AF_INET6, ca->stun_host, bin) == 1) {
		if (call_stun_ask(c, ca->stun_host, ca->stun_port) != 0) {
			c->stun_wait = 0;
			return false;
		}
		return true;
	}
	/* A name: looked up off the loop (sip-dns.c), for each call, so a
	 * changed DNS record is followed. */
	xasprintf(&uri, "sip:%s:%d", ca->stun_host, ca->stun_port);
	c->stun_dns = sip_dns_resolve(uri, "udp", call_stun_resolved, c, &cause);
	free(uri);
	if (c->stun_dns == NULL) {
		call_stun_local(c, cause);
		free(cause);
		c->stun_wait = 0;
		return false;
	}
	log_info("call %d: looking up STUN server %s", c->id, ca->stun_host);
	return true;
}

void
call_media_stun(int id, const struct media_stun_result *r, void *arg)
{
	struct call	*c = call_find(id);
	char		 rtcp[80] = "unknown";

	(void)arg;
	if (c == NULL || c->stun_wait == 0)
		return;
	if (r->ok) {
		c->public_port = r->port;
		if (r->rtcp_port != 0)
			snprintf(rtcp, sizeof rtcp, "%s:%d", r->rtcp_addr,
			    r->rtcp_port);
		log_info("call %d: STUN server %s sees %s:%d as %s:%d "
		    "(RTCP: %s)", c->id, r->server, media_local_addr(c->media),
		    media_local_port(c->media), r->addr, r->port, rtcp);
		if (r->rtcp_port == 0)
			log_warn("call %d: %s; the SDP gives no RTCP address",
			    c->id, r->why);
		sip_call_set_public(c->sip, r->addr, r->rtcp_port != 0 ?
		    r->rtcp_addr : NULL, r->rtcp_port);
	} else
		call_stun_local(c, r->why);
	call_stun_go(c);
}

static void
call_incoming_replaces(const struct sip_incoming *in)
{
	const struct sip_replaces *rp = &in->replaces;
	struct call		*old, *c;
	char			*cause = NULL;

	if (rp->bad) {
		call_refuse(in, 400, "Bad Replaces Header",
		    "more than one Replaces header, or a malformed one");
		return;
	}
	old = call_by_replaces(rp);
	/* An early dialog we did not start cannot be replaced. */
	if (old == NULL || (!old->outgoing && !call_up(old))) {
		call_refuse(in, 481, NULL, old == NULL ?
		    "its Replaces names no call of ours" :
		    "its Replaces names a call ringing here");
		return;
	}
	if (old->local_end || old->state == CALL_TERMINATED) {
		call_refuse(in, 603, NULL, "its Replaces names a call that is "
		    "ending");
		return;
	}
	if (rp->early_only && call_up(old)) {
		call_refuse(in, 486, NULL, "its Replaces is early-only and the "
		    "call is answered");
		return;
	}
	if (!call_accepting) {
		call_refuse(in, 480, NULL, "quitting");
		return;
	}
	/* One replacement at a time, and the call limit still holds: a
	 * flood of INVITEs naming one call is not a flood of calls. */
	for (c = call_list; c != NULL; c = c->next) {
		if (c->replaces == old->id && c->state != CALL_TERMINATED)
			break;
	}
	if (c != NULL || call_count() >= CALL_MAX) {
		call_refuse(in, 486, NULL, c != NULL ? "the call it names is "
		    "being replaced already" : "too many calls");
		return;
	}
	c = call_new(old->acct, false, in->remote);
	util_strlcpy(c->call_id, in->call_id, sizeof c->call_id);
	c->replaces = old->id;
	c->sip = in->sc;
	sip_call_bind(c->sip, old->acct->conf, &old->acct->cred, call_report,
	    c);
	log_info("call %d: from %s, replacing call %d", c->id, c->remote,
	    old->id);
	c->media = media_new(c->id, sip_call_media_addr(c->sip), &cause);
	if (c->media == NULL) {
		log_error("call %d: %s", c->id, cause);
		free(cause);
		sip_call_reject(c->sip, 500, "media unavailable");
		return;		/* the call ends with the dialog */
	}
	if (call_stun_start(c, CALL_STUN_ACCEPT))
		return;		/* call_stun_go accepts it */
	call_incoming_accept(c, media_local_port(c->media));
}

static void
call_incoming_accept(struct call *c, int port)
{
	char	*cause = NULL;

	if (c->local_end)
		return;
	if (sip_call_accept(c->sip, port, &cause) != 0) {
		log_warn("call %d: refusing the offer of %s: %s", c->id,
		    c->remote, cause);
		free(cause);
		return;
	}
	call_emit(c);
}

void
call_incoming(struct account *a, const struct sip_incoming *in)
{
	struct call	*c;
	const char	*fwd;
	char		*cause = NULL;

	/* Before the account and the call limit: it takes a call's place,
	 * on that call's account. */
	if (in->replaces.present) {
		call_incoming_replaces(in);
		return;
	}
	if (a == NULL || !call_accepting) {
		sip_call_reject(in->sc, 480, NULL);
		sip_call_free(in->sc);
		return;
	}
	/* Forwarding first: the caller still reaches someone, which is
	 * what a user who set both most likely wants. No call object: the
	 * call never was ours to show. */
	if ((fwd = account_forward(a)) != NULL) {
		log_info("forwarding a call from %s to %s", in->remote, fwd);
		sip_call_redirect(in->sc, fwd);
		sip_call_free(in->sc);
		return;
	}
	/* A person handles a few calls at once; a flood of INVITEs must not
	 * become a flood of ringing calls (and RTP sockets). */
	if (call_count() >= CALL_MAX) {
		log_warn("refusing a call from %s: %d calls already",
		    in->remote, CALL_MAX);
		sip_call_reject(in->sc, 486, NULL);
		sip_call_free(in->sc);
		return;
	}
	c = call_new(a, false, in->remote);
	util_strlcpy(c->call_id, in->call_id, sizeof c->call_id);
	c->sip = in->sc;
	sip_call_bind(c->sip, a->conf, &a->cred, call_report, c);
	/* Do not disturb: refused without ringing, and kept as a call so
	 * that its end is published (and counted as missed) like any
	 * other; it is never current and never rings. */
	if (account_dnd(a)) {
		log_info("call %d: from %s, refused: do not disturb", c->id,
		    c->remote);
		c->dnd_refused = true;
		sip_call_reject(c->sip, 486, NULL);
		return;		/* the call ends with the dialog */
	}
	c->media = media_new(c->id, sip_call_media_addr(c->sip), &cause);
	if (c->media == NULL) {
		log_error("call %d: %s", c->id, cause);
		free(cause);
		sip_call_reject(c->sip, 500, "media unavailable");
		return;		/* the call ends with the dialog */
	}
	if (call_stun_start(c, CALL_STUN_RING))
		return;		/* call_stun_go rings it */
	call_incoming_ring(c, media_local_port(c->media));
}

/* The answer to C's offer is ready (media on PORT): ring, or answer. */
static void
call_incoming_ring(struct call *c, int port)
{
	char	*cause = NULL;

	if (c->local_end)
		return;		/* refused meanwhile: the dialog is ending */
	if (sip_call_ring(c->sip, port, &cause) != 0) {
		log_warn("call %d: refusing the offer of %s: %s", c->id,
		    c->remote, cause);
		free(cause);
		return;
	}
	c->rang = true;
	call_set_state(c, CALL_INCOMING, 180, "Ringing");
	if (c->acct->conf->auto_answer) {
		log_info("call %d: answering automatically", c->id);
		if (call_answer(c, &cause) != 0) {
			log_error("call %d: %s", c->id, cause);
			free(cause);
		}
	}
}

void
call_media_dtmf(int id, char digit, void *arg)
{
	struct call	*c = call_find(id);
	struct event	 ev;

	(void)arg;
	if (c == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_DTMF;
	ev.u.dtmf.id = c->id;
	ev.u.dtmf.digit = digit;
	event_emit(&ev);
}

void
call_media_timeout(int id, void *arg)
{
	struct call	*c = call_find(id);

	(void)arg;
	if (c == NULL || call_rtp_s == 0 || c->local_hold || c->held_by_remote ||
	    c->state != CALL_ESTABLISHED)
		return;
	log_warn("call %d: no RTP received for %d s; hanging up", c->id,
	    call_rtp_s);
	c->local_end = true;
	sip_call_hangup(c->sip, "no media received");
}

void
call_media_stats(const struct event_stats *st, void *arg)
{
	struct event	 ev;

	(void)arg;
	if (call_find(st->id) == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_STATS;
	ev.u.stats = *st;
	event_emit(&ev);
}

int
call_switch(struct call *c, char **cause)
{
	if (c->state == CALL_TERMINATED) {
		xasprintf(cause, "call %d has ended", c->id);
		return -1;
	}
	call_focus(c);
	return 0;
}

/* Dial TARGET from A; for a transfer we follow, REFERRER is the call
 * whose REFER asked for it (its Referred-By goes into the INVITE). */
static int
call_dial_for(struct account *a, const char *target, struct call *referrer,
    const char *replaces, char **cause)
{
	struct call	*c;
	struct sip_call	*sc;

	c = call_new(a, true, target);
	sc = sip_call_new(a->conf, &a->cred, target, call_report, c, cause);
	if (sc == NULL) {
		call_next_id--;		/* nobody saw this one */
		call_free(c);
		return -1;
	}
	c->sip = sc;
	util_strlcpy(c->remote, sip_call_target(sc), sizeof c->remote);
	util_strlcpy(c->call_id, sip_call_callid(sc), sizeof c->call_id);
	if (referrer != NULL) {
		sip_call_referred(sc, referrer->sip);
		sip_call_set_replaces(sc, replaces);
		c->transfer_from = referrer->id;
		referrer->transfer_to = c->id;
	}
	c->media = media_new(c->id, sip_call_media_addr(sc), cause);
	if (c->media == NULL || (!call_stun_start(c, CALL_STUN_INVITE) &&
	    sip_call_invite(sc, media_local_port(c->media), cause) != 0)) {
		if (referrer != NULL)
			referrer->transfer_to = 0;
		call_free(c);
		return -1;
	}
	log_info("call %d: calling %s from %s", c->id, c->remote,
	    a->conf->name);
	/* A new call puts the one in progress on hold, as answering does. */
	call_focus(c);
	return 0;
}

int
call_dial(struct account *a, const char *target, char **cause)
{
	return call_dial_for(a, target, NULL, NULL, cause);
}

int
call_answer(struct call *c, char **cause)
{
	if (c->state != CALL_INCOMING) {
		xasprintf(cause, "call %d is not ringing", c->id);
		return -1;
	}
	if (c->stun_wait != 0) {
		xasprintf(cause, "call %d is not ringing yet: its STUN "
		    "binding is under way", c->id);
		return -1;
	}
	if (sip_call_answer(c->sip, cause) != 0)
		return -1;
	loop_timer_stop(c->timer);
	call_focus(c);
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
	c->local_end = true;
	sip_call_reject(c->sip, code, NULL);
	return 0;
}

int
call_hangup(struct call *c, char **cause)
{
	if (c->state == CALL_INCOMING)
		return call_reject(c, 486, cause);
	c->local_end = true;
	sip_call_hangup(c->sip, "hung up");
	return 0;
}

void
call_hangup_all(void)
{
	struct call	*c;

	for (c = call_list; c != NULL; c = c->next) {
		c->local_end = true;
		if (c->state == CALL_INCOMING)
			sip_call_reject(c->sip, 486, NULL);
		else
			sip_call_hangup(c->sip, "hung up");
	}
}

int
call_hold(struct call *c, bool hold, char **cause)
{
	struct call	*p;

	if (!call_up(c)) {
		xasprintf(cause, "call %d is not established", c->id);
		return -1;
	}
	if (c->local_hold == hold) {
		xasprintf(cause, "call %d is %s", c->id,
		    hold ? "already on hold" : "not on hold");
		return -1;
	}
	if (!hold) {
		call_focus(c);	/* resuming takes the audio from the others */
		return 0;
	}
	call_set_hold(c, true);
	if ((p = call_partner(c)) != NULL && call_up(p) && !p->local_hold)
		call_set_hold(p, true);		/* the conference, whole */
	call_update_audio();
	return 0;
}

static void
call_set_mute(struct call *c, bool mute)
{
	c->muted = mute;
	if (c->media != NULL)
		media_set_mute(c->media, mute);
	call_emit(c);
}

int
call_mute(struct call *c, bool mute, char **cause)
{
	struct call	*p;

	if (c->muted == mute) {
		xasprintf(cause, "call %d is %s", c->id, mute ? "already muted" :
		    "not muted");
		return -1;
	}
	call_set_mute(c, mute);
	/* A conference has one microphone: muted for both or neither. */
	if ((p = call_partner(c)) != NULL && p->muted != mute)
		call_set_mute(p, mute);
	return 0;
}

int
call_record(struct call *c, bool on, char **cause)
{
	char		*dir, *path, *sub, who[EVENT_TEXT_MAX];
	const char	*p, *q;
	int		 rc;

	if (c->media == NULL || c->state == CALL_TERMINATED) {
		xasprintf(cause, "call %d has no audio to record", c->id);
		return -1;
	}
	if (!on) {
		if (!c->recording) {
			xasprintf(cause, "call %d is not being recorded", c->id);
			return -1;
		}
		rc = media_record_stop(c->media, cause);
		c->recording = false;
		log_info("call %d: recording stopped", c->id);
		call_emit(c);
		return rc;
	}
	if (c->recording) {
		xasprintf(cause, "call %d is being recorded already", c->id);
		return -1;
	}
	if ((dir = util_data_dir()) == NULL) {
		*cause = xstrdup("no home directory to keep recordings in");
		return -1;
	}
	/* The file is named after the remote's address, not its display
	 * name: "sip:bob@example.com" gives bob@example.com. */
	p = strchr(c->remote, '<');
	p = p != NULL ? p + 1 : c->remote;
	if (strncasecmp(p, "sips:", 5) == 0)
		p += 5;
	else if (strncasecmp(p, "sip:", 4) == 0 || strncasecmp(p, "tel:", 4) == 0)
		p += 4;
	q = p + strcspn(p, ">;");
	util_strlcpy(who, p, (size_t)(q - p) + 1 < sizeof who ?
	    (size_t)(q - p) + 1 : sizeof who);
	xasprintf(&sub, "%s/recordings", dir);
	if ((rc = util_mkdir_p(sub, 0700)) != 0) {
		xasprintf(cause, "cannot create %s: %s", sub, strerror(-rc));
		free(sub);
		free(dir);
		return -1;
	}
	path = media_record_path(dir, c->id, who, time(NULL));
	free(sub);
	free(dir);
	rc = media_record_start(c->media, path, cause);
	if (rc == 0) {
		c->recording = true;
		log_info("call %d: recording to %s", c->id, path);
		call_emit(c);
	}
	free(path);
	return rc;
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
		if (sip_call_info_dtmf(c->sip, digits, cause) != 0)
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
	if (!call_up(c)) {
		xasprintf(cause, "call %d is not established", c->id);
		return -1;
	}
	if (c->transfer == TRANSFER_TRYING || c->transfer == TRANSFER_RINGING) {
		xasprintf(cause, "call %d: a transfer is already under way",
		    c->id);
		return -1;
	}
	if (sip_call_refer(c->sip, target, cause) != 0)
		return -1;
	log_info("call %d: transferring to %s", c->id, target);
	call_transfer_state(c, TRANSFER_TRYING, 0, "");
	return 0;
}

/*
 * The held call that "conference" joins without an id: of the calls up
 * besides the current one, the one held last (the call the user left to
 * place or take the current one), else the first.
 */
static struct call *
call_conference_pick(void)
{
	struct call	*c, *best = NULL;

	for (c = call_list; c != NULL; c = c->next) {
		if (c == call_cur || !call_up(c))
			continue;
		if (best == NULL || c->held_seq > best->held_seq)
			best = c;
	}
	return best;
}

/* Whether C may join a conference; if not, *CAUSE says why. */
static bool
call_joinable(const struct call *c, char **cause)
{
	if (!call_up(c)) {
		xasprintf(cause, "call %d is not established", c->id);
		return false;
	}
	if (c->conference != 0) {
		xasprintf(cause, "call %d is in a conference with call %d "
		    "already", c->id, c->conference);
		return false;
	}
	return true;
}

int
call_conference(struct call *held, char **cause)
{
	struct call	*c = call_cur;

	if (c == NULL) {
		*cause = xstrdup("no current call");
		return -1;
	}
	if (!call_joinable(c, cause))
		return -1;
	if (held == NULL && (held = call_conference_pick()) == NULL) {
		xasprintf(cause, "no held call to join call %d with", c->id);
		return -1;
	}
	if (held == c) {
		xasprintf(cause, "call %d is the current call: name the held "
		    "call to join it with", c->id);
		return -1;
	}
	if (!call_joinable(held, cause))
		return -1;
	if (c->media == NULL || held->media == NULL) {
		xasprintf(cause, "call %d has no audio", c->media == NULL ?
		    c->id : held->id);
		return -1;
	}
	if (media_conference(c->media, held->media, cause) != 0)
		return -1;
	c->conference = held->id;
	held->conference = c->id;
	log_info("calls %d and %d: in a conference", c->id, held->id);
	/* One microphone: the conference is muted as the current call was. */
	if (held->muted != c->muted) {
		held->muted = c->muted;
		media_set_mute(held->media, c->muted);
	}
	call_focus(c);		/* takes both off hold */
	call_emit(c);
	call_emit(held);
	return 0;
}

int
call_split(struct call *c, char **cause)
{
	struct call	*p = call_partner(c);
	bool		 had_audio;

	if (p == NULL) {
		xasprintf(cause, "call %d is not in a conference", c->id);
		return -1;
	}
	had_audio = call_cur == c || call_cur == p;
	call_unjoin(c, p, "conference split");
	/* C keeps the audio, P is held; a conference on hold stays held. */
	if (had_audio)
		call_focus(c);
	call_emit(c);
	call_emit(p);
	return 0;
}

int
call_transfer_attended(struct call *c, struct call *to, char **cause)
{
	if (c == to) {
		xasprintf(cause, "call %d cannot be transferred to itself",
		    c->id);
		return -1;
	}
	if (!call_up(c) || c->local_end) {
		xasprintf(cause, "call %d is not established", c->id);
		return -1;
	}
	if (!call_up(to) || to->local_end) {
		xasprintf(cause, "call %d is not established", to->id);
		return -1;
	}
	if (c->transfer == TRANSFER_TRYING || c->transfer == TRANSFER_RINGING) {
		xasprintf(cause, "call %d: a transfer is already under way",
		    c->id);
		return -1;
	}
	if (sip_call_refer_replaces(c->sip, to->sip, cause) != 0)
		return -1;
	log_info("call %d: transferring to the party of call %d (attended)",
	    c->id, to->id);
	c->transfer_with = to->id;
	call_transfer_state(c, TRANSFER_TRYING, 0, "");
	return 0;
}
