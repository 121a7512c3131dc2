/*
 * sip-pres.c: the presence notifier: peers that SUBSCRIBE to us for
 * "presence" get 200 and NOTIFYs with our PIDF document.
 *
 * With NUTAG_ALLOW_EVENTS("presence") nua takes SUBSCRIBEs for presence
 * and answers any other package 489 Bad Event with Allow-Events: presence
 * itself (message-summary included: we hold no mailbox; unsolicited
 * message-summary NOTIFYs are sip-msg.c's and unaffected). SUBSCRIBE is
 * an application method by default, so every SUBSCRIBE, new or in a
 * dialog, reaches us unanswered (status 100) and is answered here with
 * NUTAG_WITH_THIS. After our 200 to a refresh or an un-SUBSCRIBE the
 * stack itself sends the NOTIFY again (the last one we sent, or a
 * terminated one), and an expired subscription gets a terminated NOTIFY
 * from its timer; the first NOTIFY, and each one that carries a new
 * document, are ours (nua_notify).
 *
 * A watcher is bound to the handle the stack made for its SUBSCRIBE and
 * lives until its subscription ends: when a NOTIFY that says terminated
 * is answered (or fails: RFC 6665 4.2.2), the handle is destroyed after
 * the callback and the core told. One NOTIFY is in flight per watcher;
 * a document that changes meanwhile goes when the answer comes, and only
 * the newest.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip-int.h"

#include "log.h"
#include "loop.h"
#include "sip-pres.h"
#include "util.h"

#define SIP_PRES_CTYPE		"application/pidf+xml"
/* Why we end subscriptions at quit: come back later (RFC 6665 4.1.3). */
#define SIP_PRES_END_STATE	"terminated;reason=probation"
/* Watchers at once: a phone has a few; a flood of SUBSCRIBEs must not
 * cost a handle and a NOTIFY each. */
#define SIP_PRES_MAX		64

struct sip_watcher {
	struct sip_handle	 h;		/* first: the callback dispatches on it */
	int			 id;
	int			 key;		/* -1 until the core serves it */
	bool			 notifying;	/* a NOTIFY of ours is out */
	char			*next_doc;	/* to NOTIFY once it is answered */
	bool			 next_final;	/* ... as the terminated one */
	bool			 ending;	/* our terminated NOTIFY is out */
	bool			 over;		/* the subscription has ended */
	char			 peer[EVENT_TEXT_MAX];
	struct sip_watcher	*next;
};

struct sip_pres_item {
	struct sip_pres_report	 r;
};

static sip_pres_h		 sip_pres_handler;
static void			*sip_pres_arg;
static struct sip_watcher	*sip_pres_list;
static int			 sip_pres_last_id;

void
sip_pres_set_handler(sip_pres_h h, void *arg)
{
	sip_pres_handler = h;
	sip_pres_arg = arg;
}

void
sip_pres_start(void)
{
	if (sip_ua_nua() != NULL)
		nua_set_params(sip_ua_nua(),
		    NUTAG_ALLOW_EVENTS("presence"), TAG_END());
}

/* One report, on the loop after the callback (loop_defer keeps order). */
static void
sip_pres_deliver(void *arg)
{
	struct sip_pres_item	*it = arg;

	if (sip_pres_handler != NULL)
		sip_pres_handler(&it->r, sip_pres_arg);
	free(it);
}

static void
sip_pres_queue(const struct sip_pres_report *r)
{
	struct sip_pres_item	*it = xcalloc(1, sizeof *it);

	it->r = *r;
	loop_defer(sip_pres_deliver, it);
}

static void
sip_pres_unlink(struct sip_watcher *w)
{
	struct sip_watcher	**pp;

	for (pp = &sip_pres_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

static void
sip_pres_free(struct sip_watcher *w)
{
	free(w->next_doc);
	free(w);
}

/* Watchers whose subscription ended go after the callback that said so. */
static void
sip_pres_reap(void *arg)
{
	struct sip_watcher	*w, *next;

	(void)arg;
	for (w = sip_pres_list; w != NULL; w = next) {
		next = w->next;
		if (!w->over)
			continue;
		sip_pres_unlink(w);
		sip_ua_handle_destroy(&w->h);
		sip_pres_free(w);
	}
}

void
sip_pres_gone(struct sip_handle *h)
{
	struct sip_watcher	*w = (struct sip_watcher *)h;

	sip_pres_unlink(w);
	sip_pres_free(w);
}

static struct sip_watcher *
sip_pres_find(int id)
{
	struct sip_watcher	*w;

	for (w = sip_pres_list; w != NULL; w = w->next) {
		if (w->id == id)
			return w;
	}
	return NULL;
}

/* The subscription of W is over: tell the core, free it after. */
static void
sip_pres_over(struct sip_watcher *w, const char *why)
{
	struct sip_pres_report	 r;

	if (w->over)
		return;
	w->over = true;
	log_debug("presence watcher %s: %s", w->peer, why);
	memset(&r, 0, sizeof r);
	r.kind = SIP_PRES_ENDED;
	r.id = w->id;
	r.key = w->key;
	util_strlcpy(r.watcher, w->peer, sizeof r.watcher);
	sip_pres_queue(&r);
	loop_defer(sip_pres_reap, NULL);
}

static void
sip_pres_notify(struct sip_watcher *w, const char *doc, bool final)
{
	if (w->over || w->h.nh == NULL)
		return;
	if (w->notifying) {
		free(w->next_doc);
		w->next_doc = xstrdup(doc);
		w->next_final = final;
		return;
	}
	w->notifying = true;
	w->ending = final;
	nua_notify(w->h.nh,
	    SIPTAG_EVENT_STR("presence"),
	    SIPTAG_CONTENT_TYPE_STR(SIP_PRES_CTYPE),
	    SIPTAG_PAYLOAD_STR(doc),
	    NUTAG_SUBSTATE(final ? nua_substate_terminated : nua_substate_active),
	    TAG_IF(final, SIPTAG_SUBSCRIPTION_STATE_STR(SIP_PRES_END_STATE)),
	    TAG_END());
}

int
sip_pres_serve(int id, int key, const char *doc)
{
	struct sip_watcher	*w = sip_pres_find(id);

	if (w == NULL || w->over)
		return -1;
	w->key = key;
	sip_pres_notify(w, doc, false);
	return 0;
}

int
sip_pres_update(int key, const char *doc)
{
	struct sip_watcher	*w;
	int			 n = 0;

	for (w = sip_pres_list; w != NULL; w = w->next) {
		if (w->key != key || w->over || w->ending)
			continue;
		sip_pres_notify(w, doc, false);
		n++;
	}
	return n;
}

int
sip_pres_end(int key, const char *doc)
{
	struct sip_watcher	*w;
	int			 n = 0;

	for (w = sip_pres_list; w != NULL; w = w->next) {
		if (w->key != key || w->over || w->ending)
			continue;
		sip_pres_notify(w, doc, true);
		n++;
	}
	return n;
}

int
sip_pres_watchers(int key)
{
	struct sip_watcher	*w;
	int			 n = 0;

	for (w = sip_pres_list; w != NULL; w = w->next) {
		if (!w->over && (key == -1 || w->key == key))
			n++;
	}
	return n;
}

int
sip_pres_ending(void)
{
	struct sip_watcher	*w;
	int			 n = 0;

	for (w = sip_pres_list; w != NULL; w = w->next) {
		if (!w->over && (w->ending || (w->next_doc != NULL &&
		    w->next_final)))
			n++;
	}
	return n;
}

/* A new SUBSCRIBE the stack left to us: take it, and ask for a document. */
static void
sip_pres_new(nua_handle_t *nh, sip_t const *sip)
{
	struct sip_watcher	*w;
	struct sip_pres_report	 r;

	if (sip_pres_watchers(-1) >= SIP_PRES_MAX) {
		nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE,
		    NUTAG_WITH_THIS(sip_ua_nua()), SIPTAG_RETRY_AFTER_STR("60"),
		    TAG_END());
		log_warn("presence: SUBSCRIBE refused (503): %d peers watch "
		    "us already", SIP_PRES_MAX);
		return;
	}
	memset(&r, 0, sizeof r);
	r.kind = SIP_PRES_NEW;
	if (sip->sip_request != NULL &&
	    sip->sip_request->rq_url->url_user != NULL)
		util_strlcpy(r.ruri_user, sip->sip_request->rq_url->url_user,
		    sizeof r.ruri_user);
	if (sip->sip_to != NULL && sip->sip_to->a_url->url_user != NULL)
		util_strlcpy(r.to_user, sip->sip_to->a_url->url_user,
		    sizeof r.to_user);
	sip_call_party(sip->sip_from, r.watcher, sizeof r.watcher);
	r.expires = sip->sip_expires != NULL ?
	    (int)sip->sip_expires->ex_delta : 3600;

	w = xcalloc(1, sizeof *w);
	w->h.kind = SIP_HANDLE_PRES;
	w->id = ++sip_pres_last_id;
	w->key = -1;
	util_strlcpy(w->peer, r.watcher, sizeof w->peer);
	w->next = sip_pres_list;
	sip_pres_list = w;
	sip_ua_handle_add(&w->h, nh);
	r.id = w->id;
	/* RFC 6665 deprecates 202: 200 whether or not it is authorized. */
	nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(sip_ua_nua()), TAG_END());
	log_debug("presence: SUBSCRIBE from %s (%d s)", r.watcher, r.expires);
	sip_pres_queue(&r);
}

void
sip_pres_event(nua_event_t event, int status, char const *phrase,
    nua_handle_t *nh, struct sip_handle *h, sip_t const *sip, tagi_t *tags)
{
	struct sip_watcher	*w = (struct sip_watcher *)h;
	int			 substate = -1;
	char			*doc;
	bool			 final;

	if (w == NULL) {
		sip_event_t const *o = sip != NULL ? sip->sip_event : NULL;

		/* Refused by the stack already (489 for another package,
		 * 403 for "refer"): nothing to keep. */
		if (event != nua_i_subscribe || status >= 200 || sip == NULL ||
		    o == NULL || o->o_type == NULL ||
		    strcmp(o->o_type, "presence") != 0) {
			if (event == nua_i_subscribe)
				log_debug("SUBSCRIBE for \"%s\" refused: %d %s",
				    o != NULL && o->o_type != NULL ? o->o_type : "",
				    status, phrase != NULL ? phrase : "");
			if (event == nua_i_subscribe && status < 200)
				nua_respond(nh, SIP_489_BAD_EVENT,
				    NUTAG_WITH_THIS(sip_ua_nua()),
				    SIPTAG_ALLOW_EVENTS_STR("presence"), TAG_END());
			return;
		}
		sip_pres_new(nh, sip);
		return;
	}

	tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());
	switch (event) {
	case nua_i_subscribe:
		if (status >= 200)
			return;		/* answered by the stack */
		/* A refresh, or an un-SUBSCRIBE (Expires 0): after our 200
		 * the stack sends the NOTIFY again, terminated for the
		 * latter, and we see its answer. */
		nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(sip_ua_nua()),
		    TAG_END());
		if (sip != NULL && sip->sip_expires != NULL &&
		    sip->sip_expires->ex_delta == 0)
			log_debug("presence watcher %s unsubscribes", w->peer);
		return;
	case nua_r_notify:
		if (status < 200)
			return;
		w->notifying = false;
		if (status >= 300 || substate == nua_substate_terminated) {
			sip_pres_over(w, status >= 300 ? "NOTIFY refused" :
			    "subscription terminated");
			return;
		}
		if ((doc = w->next_doc) != NULL) {
			final = w->next_final;
			w->next_doc = NULL;
			sip_pres_notify(w, doc, final);
			free(doc);
		}
		return;
	default:
		return;
	}
}
