/*
 * presence.c: our own presence, per account.
 *
 * What an account shows is the user's choice, except that a call makes
 * it busy: RFC 4480's on-the-phone is what a watcher wants to know before
 * calling. A call counts from the moment we dial (the user is at the
 * phone) and while it is up or held; a call that only rings in does not,
 * since we have not taken it and may still, and showing busy then would
 * turn callers away. Offline (invisible) stays offline through calls: a
 * call must not reveal a user who chose to hide. When the last call ends
 * the account shows the user's choice again. Calls are learned from the
 * bus (EVENT_CALL), never asked of call.c.
 *
 * Each change of what an account shows is an EVENT_PRESENCE (own), goes
 * to the peers watching us directly (sip-pres.c) and, for an account with
 * presence = yes, to the server by PUBLISH (sip-pub.c). A publication is
 * made per attempt, as registrations are: after a failure it is freed and
 * tried again with the registration's backoff; a server that does not
 * take PUBLISH at all (405, 501, 489) is said once in the log and left
 * alone until the user sets a state again. At quit every publication is
 * removed and every watcher told offline, within the phone's bounds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "conf.h"
#include "event.h"
#include "log.h"
#include "loop.h"
#include "pidf.h"
#include "presence.h"
#include "sip-pres.h"
#include "sip-pub.h"
#include "util.h"

#define PRESENCE_DOC_MAX	4096

/* What presence.c keeps for one account. */
struct presence_acct {
	struct account		*a;
	enum presence_state	 shown;		/* last emitted */
	char			 note[EVENT_TEXT_MAX];	/* last emitted */
	bool			 emitted;
	struct sip_pub		*pub;		/* ours; NULL between attempts */
	bool			 published;	/* the server took the latest */
	bool			 refused;	/* the server takes no PUBLISH */
	bool			 removing;	/* an un-PUBLISH is out */
	int			 failures;	/* consecutive, for the backoff */
	struct loop_timer	*retry;
	char			 logged[EVENT_TEXT_MAX];	/* last failure
					   written to the log */
	struct presence_acct	*next;
};

/* A call we know of from the bus, and whether it makes us busy. */
struct presence_call {
	int			 id;
	char			 account[EVENT_NAME_MAX];
	bool			 busy;
	struct presence_call	*next;
};

static struct presence_acct	*presence_list;
static struct presence_call	*presence_calls;
static enum presence_state	 presence_mine = PRESENCE_ONLINE;
static char			 presence_note[EVENT_TEXT_MAX];
static int			 presence_observer;
static bool			 presence_quitting;
static void			(*presence_done)(void *);
static void			*presence_done_arg;

static void	 presence_pub_result(const struct sip_pub_result *, void *);
static void	 presence_check_done(void);

static struct presence_acct *
presence_find(const struct account *a)
{
	struct presence_acct	*p;

	for (p = presence_list; p != NULL; p = p->next) {
		if (p->a == a)
			return p;
	}
	return NULL;
}

static struct presence_acct *
presence_find_id(int id)
{
	struct presence_acct	*p;

	for (p = presence_list; p != NULL; p = p->next) {
		if (p->a->id == id)
			return p;
	}
	return NULL;
}

/* Is a call of account NAME under way in a way that makes us busy? */
static bool
presence_in_call(const char *name)
{
	struct presence_call	*c;

	for (c = presence_calls; c != NULL; c = c->next) {
		if (c->busy && strcmp(c->account, name) == 0)
			return true;
	}
	return false;
}

static enum presence_state
presence_state_of(const struct presence_acct *p)
{
	if (presence_quitting || presence_mine == PRESENCE_OFFLINE)
		return PRESENCE_OFFLINE;
	if (presence_in_call(p->a->conf->name))
		return PRESENCE_BUSY;
	return presence_mine;
}

enum presence_state
presence_of(const struct account *a)
{
	struct presence_acct	*p = presence_find(a);

	return p != NULL ? presence_state_of(p) : presence_mine;
}

enum presence_state
presence_chosen(void)
{
	return presence_mine;
}

/* The document for P in STATE into DOC; false if it does not fit. */
static bool
presence_doc(const struct presence_acct *p, enum presence_state state,
    char *doc, size_t size)
{
	if (pidf_write(doc, size, p->a->conf->uri, state, presence_note) < 0) {
		log_warn("account %s: presence document too large", p->a->conf->name);
		return false;
	}
	return true;
}

static void
presence_emit(struct presence_acct *p)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_PRESENCE;
	util_strlcpy(ev.u.presence.account, p->a->conf->name,
	    sizeof ev.u.presence.account);
	util_strlcpy(ev.u.presence.uri, p->a->conf->uri, sizeof ev.u.presence.uri);
	ev.u.presence.state = p->shown;
	util_strlcpy(ev.u.presence.note, p->note, sizeof ev.u.presence.note);
	ev.u.presence.own = true;
	event_emit(&ev);
}

/* A publication lives as long as a registration of the account: if the
 * phone dies, the server forgets both at about the same time. */
static int
presence_expires(const struct presence_acct *p)
{
	return p->a->conf->expires;
}

/* Send P's document to the server, making a publication if need be. */
static void
presence_publish(struct presence_acct *p, const char *doc)
{
	struct sip_pub_result	 r;
	char			*cause = NULL;

	if (!p->a->conf->presence || p->refused || presence_quitting ||
	    loop_timer_pending(p->retry))
		return;
	if (p->pub == NULL)
		p->pub = sip_pub_new(p->a->conf, &p->a->cred,
		    presence_pub_result, p, &cause);
	if (p->pub == NULL ||
	    sip_pub_send(p->pub, doc, presence_expires(p), &cause) != 0) {
		memset(&r, 0, sizeof r);
		r.kind = SIP_PUB_FAILED;
		r.why = cause;
		r.local = true;
		presence_pub_result(&r, p);
		free(cause);
	}
}

/*
 * What P shows may have changed: say so, and send it where it goes.
 * FORCE: emit the event even when nothing changed (the user asked).
 */
static void
presence_update(struct presence_acct *p, bool force)
{
	enum presence_state	 state = presence_state_of(p);
	char			 doc[PRESENCE_DOC_MAX];
	bool			 changed;

	changed = !p->emitted || state != p->shown ||
	    strcmp(p->note, presence_note) != 0;
	if (!changed && !force)
		return;
	p->shown = state;
	util_strlcpy(p->note, presence_note, sizeof p->note);
	p->emitted = true;
	presence_emit(p);
	if (!changed || !presence_doc(p, state, doc, sizeof doc))
		return;
	p->published = false;
	sip_pres_update(p->a->id, doc);
	presence_publish(p, doc);
}

static void
presence_retry_fire(void *arg)
{
	struct presence_acct	*p = arg;
	char			 doc[PRESENCE_DOC_MAX];

	if (presence_quitting)
		return;
	if (presence_doc(p, presence_state_of(p), doc, sizeof doc))
		presence_publish(p, doc);
}

static void
presence_failed(struct presence_acct *p, const struct sip_pub_result *r)
{
	char	 what[EVENT_TEXT_MAX];
	int	 delay;

	sip_pub_free(p->pub);
	p->pub = NULL;
	p->published = false;
	if (presence_quitting) {
		p->removing = false;
		presence_check_done();
		return;
	}
	if (r->code > 0)
		snprintf(what, sizeof what, "%s (%d %s)", r->why != NULL ?
		    r->why : "refused", r->code, r->phrase != NULL ?
		    r->phrase : "");
	else
		snprintf(what, sizeof what, "%s", r->why != NULL ? r->why :
		    "failed");
	if (r->code == 405 || r->code == 501 || r->code == 489) {
		/* Asking again would get the same answer: say it once, in
		 * words, and stop until the user sets a state again. */
		p->refused = true;
		log_warn("account %s: presence not published: %s; peers that "
		    "subscribe to us directly still see it", p->a->conf->name,
		    what);
		return;
	}
	p->failures++;
	delay = account_backoff(p->failures);
	if (r->retry_after > delay && r->retry_after <= 3600)
		delay = r->retry_after;
	if (strcmp(p->logged, what) != 0) {
		log_warn("account %s: presence not published: %s; trying "
		    "again in %d s", p->a->conf->name, what, delay);
		util_strlcpy(p->logged, what, sizeof p->logged);
	}
	loop_timer_start(p->retry, (unsigned int)delay * 1000);
}

static void
presence_pub_result(const struct sip_pub_result *r, void *arg)
{
	struct presence_acct	*p = arg;

	switch (r->kind) {
	case SIP_PUB_OK:
		if (!p->published && p->failures == 0 && p->logged[0] == '\0')
			log_debug("account %s: presence published (%s)",
			    p->a->conf->name, event_presence_state_name(p->shown));
		else if (!p->published)
			log_info("account %s: presence published again (%s)",
			    p->a->conf->name, event_presence_state_name(p->shown));
		p->published = true;
		p->failures = 0;
		p->logged[0] = '\0';
		break;
	case SIP_PUB_FAILED:
		presence_failed(p, r);
		break;
	case SIP_PUB_REMOVED:
		log_debug("account %s: presence removed (%d)", p->a->conf->name,
		    r->code);
		sip_pub_free(p->pub);
		p->pub = NULL;
		p->published = false;
		p->removing = false;
		presence_check_done();
		break;
	}
}

/* The bus: calls make their account busy, and stop. */
static void
presence_event(const struct event *ev, void *arg)
{
	const struct event_call	*ec;
	struct presence_call	*c, **pp;
	struct presence_acct	*p;
	bool			 busy;

	(void)arg;
	if (ev->kind != EVENT_CALL)
		return;
	ec = &ev->u.call;
	for (pp = &presence_calls; (c = *pp) != NULL; pp = &c->next) {
		if (c->id == ec->id)
			break;
	}
	switch (ec->state) {
	case CALL_ESTABLISHED:
	case CALL_HELD:
		busy = true;
		break;
	case CALL_CALLING:
	case CALL_RINGING:
	case CALL_EARLY:
		busy = ec->outgoing;
		break;
	default:
		busy = false;
		break;
	}
	if (ec->state == CALL_TERMINATED) {
		if (c == NULL)
			return;
		*pp = c->next;
		free(c);
	} else if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		c->id = ec->id;
		util_strlcpy(c->account, ec->account, sizeof c->account);
		c->busy = busy;
		c->next = presence_calls;
		presence_calls = c;
	} else if (c->busy == busy)
		return;
	else
		c->busy = busy;
	if (presence_quitting)
		return;
	for (p = presence_list; p != NULL; p = p->next) {
		if (strcmp(p->a->conf->name, ec->account) == 0)
			presence_update(p, false);
	}
}

/* A peer subscribes to us, or stops. */
static void
presence_watcher(const struct sip_pres_report *r, void *arg)
{
	struct presence_acct	*p;
	struct account		*a;
	char			 doc[PRESENCE_DOC_MAX];

	(void)arg;
	if (r->kind == SIP_PRES_ENDED) {
		if ((p = presence_find_id(r->key)) != NULL && !presence_quitting)
			log_info("%s no longer watches the presence of %s",
			    r->watcher, p->a->conf->name);
		presence_check_done();
		return;
	}
	if (presence_list == NULL)
		return;
	a = account_match(presence_list->a, r->ruri_user, r->to_user);
	if ((p = presence_find(a)) == NULL)
		return;
	if (!presence_doc(p, presence_state_of(p), doc, sizeof doc))
		return;
	if (sip_pres_serve(r->id, p->a->id, doc) != 0)
		return;
	log_info("%s watches the presence of %s", r->watcher, p->a->conf->name);
	if (presence_quitting)
		sip_pres_end(p->a->id, doc);
}

void
presence_init(void)
{
	sip_pres_set_handler(presence_watcher, NULL);
}

void
presence_start(struct account *list)
{
	struct presence_acct	**tail = &presence_list, *p;
	struct account		*a;

	presence_quitting = false;
	presence_done = NULL;
	sip_pres_start();
	presence_observer = event_observe(presence_event, NULL);
	for (a = list; a != NULL; a = a->next) {
		p = xcalloc(1, sizeof *p);
		p->a = a;
		p->retry = loop_timer_new(presence_retry_fire, p);
		*tail = p;
		tail = &p->next;
	}
	/* Accounts that publish say so at once; the others are online
	 * without a word until the user or a call changes it. */
	for (p = presence_list; p != NULL; p = p->next) {
		if (p->a->conf->presence)
			presence_update(p, false);
		else {
			p->shown = presence_state_of(p);
			p->emitted = true;
		}
	}
}

void
presence_free(void)
{
	struct presence_acct	*p;
	struct presence_call	*c;

	while ((p = presence_list) != NULL) {
		presence_list = p->next;
		sip_pub_free(p->pub);
		loop_timer_free(p->retry);
		free(p);
	}
	while ((c = presence_calls) != NULL) {
		presence_calls = c->next;
		free(c);
	}
	if (presence_observer != 0)
		event_unobserve(presence_observer);
	presence_observer = 0;
	presence_mine = PRESENCE_ONLINE;
	presence_note[0] = '\0';
	presence_quitting = false;
	presence_done = NULL;
	sip_pres_set_handler(NULL, NULL);
}

int
presence_set(const char *state, const char *note, char **cause)
{
	struct presence_acct	*p;
	int			 s = event_presence_state_parse(state);

	if (s != PRESENCE_ONLINE && s != PRESENCE_BUSY && s != PRESENCE_AWAY &&
	    s != PRESENCE_OFFLINE) {
		xasprintf(cause, "presence takes online, busy, away or offline, "
		    "not \"%s\"", state);
		return -1;
	}
	if (presence_quitting) {
		*cause = xstrdup("the phone is quitting");
		return -1;
	}
	if (presence_list == NULL) {
		*cause = xstrdup("no account");
		return -1;
	}
	if (note != NULL && strlen(note) >= sizeof presence_note) {
		xasprintf(cause, "the note is too long (%zu bytes at most)",
		    sizeof presence_note - 1);
		return -1;
	}
	presence_mine = (enum presence_state)s;
	util_strlcpy(presence_note, note != NULL ? note : "",
	    sizeof presence_note);
	log_info("presence: %s%s%s", state, presence_note[0] != '\0' ? ", " : "",
	    presence_note);
	for (p = presence_list; p != NULL; p = p->next) {
		/* The user asks again: a server that refused, or one we
		 * wait for, gets another try now. */
		if (p->refused || loop_timer_pending(p->retry)) {
			p->refused = false;
			p->failures = 0;
			p->logged[0] = '\0';
			loop_timer_stop(p->retry);
			p->emitted = false;
		}
		presence_update(p, true);
	}
	return 0;
}

void
presence_emit_all(void)
{
	struct presence_acct	*p;

	for (p = presence_list; p != NULL; p = p->next) {
		p->shown = presence_state_of(p);
		presence_emit(p);
	}
}

bool
presence_pending(void)
{
	struct presence_acct	*p;

	for (p = presence_list; p != NULL; p = p->next) {
		if (p->removing)
			return true;
	}
	return sip_pres_ending() > 0;
}

static void
presence_done_fire(void *arg)
{
	void	(*done)(void *) = presence_done;

	(void)arg;
	if (done == NULL || presence_pending())
		return;
	presence_done = NULL;
	done(presence_done_arg);
}

static void
presence_check_done(void)
{
	if (presence_quitting && presence_done != NULL)
		loop_defer(presence_done_fire, NULL);
}

void
presence_quit(void (*done)(void *), void *arg)
{
	struct presence_acct	*p;
	char			 doc[PRESENCE_DOC_MAX];

	presence_done = done;
	presence_done_arg = arg;
	if (presence_quitting) {
		presence_check_done();
		return;
	}
	presence_quitting = true;
	for (p = presence_list; p != NULL; p = p->next) {
		loop_timer_stop(p->retry);
		if (p->pub != NULL) {
			if (sip_pub_end(p->pub))
				p->removing = true;
			else {
				sip_pub_free(p->pub);
				p->pub = NULL;
			}
		}
		if (presence_doc(p, PRESENCE_OFFLINE, doc, sizeof doc))
			sip_pres_end(p->a->id, doc);
		if (p->shown != PRESENCE_OFFLINE && (p->a->conf->presence ||
		    sip_pres_watchers(p->a->id) > 0)) {
			p->shown = PRESENCE_OFFLINE;
			presence_emit(p);
		}
	}
	presence_check_done();
}

void
presence_abandon(void)
{
	struct presence_acct	*p;

	for (p = presence_list; p != NULL; p = p->next) {
		if (p->removing)
			log_warn("account %s: the server did not answer the "
			    "removal of our presence; leaving it to expire",
			    p->a->conf->name);
		p->removing = false;
		sip_pub_free(p->pub);
		p->pub = NULL;
	}
	presence_done = NULL;
}
