/*
 * phone.c: the core as one object: the accounts, the calls, the SIP user
 * agent and the media engine, wired together by handlers, and their start
 * and orderly end.
 *
 * The phone is an observer of the event bus like any front end: it dials
 * the command line's TARGET when the default account first registers,
 * and moves the quit sequence on when calls end and un-REGISTERs are
 * answered. Quitting is a small state machine on the loop:
 *
 *   calls    hang up every call; wait until they have ended
 *   unreg    un-SUBSCRIBE every subscription and un-REGISTER every
 *            bound account; wait for the servers' answers, and for the
 *            removal of our presence (begun with the quit: PUBLISH
 *            Expires 0, terminated NOTIFYs to our watchers) (nothing can
 *            be authenticated once nua's shutdown has begun, hence the
 *            order)
 *   shutdown destroy the handles left, nua_shutdown, wait for its answer
 *   done     leave the loop
 *
 * Each step has a bound: a dead registrar or call peer, or a SIP stack
 * stuck in its resolver, must not hold the user hostage. A step that runs
 * out of time is abandoned with a log line; quit still exits 0.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "call.h"
#include "conf.h"
#include "contacts.h"
#include "history.h"
#include "inbox.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "message.h"
#include "messages-store.h"
#include "phone.h"
#include "presence.h"
#include "sip-call.h"
#include "sip-msg.h"
#include "sip-ua.h"
#include "sub.h"
#include "util.h"

enum phone_phase {
	PHONE_STOPPED,
	PHONE_RUNNING,
	PHONE_QUIT_CALLS,
	PHONE_QUIT_UNREG,
	PHONE_QUIT_SHUTDOWN,
	PHONE_QUIT_DONE,
};

static const struct conf	*phone_conf;
static char			*phone_input_name;	/* NULL: as the config */
static char			*phone_output_name;
static struct account		*phone_accounts;
static const char		*phone_default_account;
static enum phone_phase		 phone_phase = PHONE_STOPPED;
static struct loop_timer	*phone_timer;
static int			 phone_exit;
static char			*phone_target;	/* TARGET not dialled yet */
static int			 phone_observer;

static void	 phone_enter(enum phone_phase);
static void	 phone_step(void *);
static void	 phone_presence_done(void *);

bool
phone_running(void)
{
	return phone_phase == PHONE_RUNNING;
}

bool
phone_quitting(void)
{
	return phone_phase >= PHONE_QUIT_CALLS;
}

int
phone_exit_status(void)
{
	return phone_exit;
}

struct account *
phone_accounts_first(void)
{
	return phone_accounts;
}

struct account *
phone_account(const char *name, char **cause)
{
	struct account	*a;

	if (name == NULL)
		name = phone_default_account;
	if (name == NULL) {
		if (phone_accounts == NULL)
			*cause = xstrdup("no account");
		return phone_accounts;
	}
	if ((a = account_find(phone_accounts, name)) == NULL)
		xasprintf(cause, "no account \"%s\"", name);
	return a;
}

/* Mark the default account, so its events say so. */
static void
phone_mark_default(void)
{
	struct account	*a, *def;
	char		*cause = NULL;

	def = phone_account(NULL, &cause);
	free(cause);
	for (a = phone_accounts; a != NULL; a = a->next)
		a->is_default = a == def;
}

/* Commands need a running phone: false with *cause when it is not. */
static bool
phone_ready(char **cause)
{
	if (phone_running())
		return true;
	*cause = xstrdup(phone_quitting() ? "the phone is quitting" :
	    "the phone is not running");
	return false;
}

/* The account NAME (NULL: the default) of a running phone, or NULL. */
static struct account *
phone_live_account(const char *name, char **cause)
{
	if (!phone_ready(cause))
		return NULL;
	return phone_account(name, cause);
}

int
phone_set_default(const char *name, char **cause)
{
	struct account	*a, *old, *b;

	if (!phone_ready(cause))
		return -1;
	if ((a = account_find(phone_accounts, name)) == NULL) {
		xasprintf(cause, "no account \"%s\"", name);
		return -1;
	}
	old = NULL;
	for (b = phone_accounts; b != NULL; b = b->next) {
		if (b->is_default)
			old = b;
	}
	phone_default_account = a->conf->name;
	phone_mark_default();
	/* Both lines change on every screen. */
	if (old != NULL && old != a)
		account_emit(old);
	account_emit(a);
	log_info("default account: %s", a->conf->name);
	return 0;
}

/* TARGET from the command line, once the default account can call. */
static void
phone_dial_target(void)
{
	char	*target = phone_target, *cause = NULL;
	struct account *a;

	if (target == NULL || !phone_running() ||
	    (a = phone_account(NULL, &cause)) == NULL) {
		free(cause);
		return;
	}
	if (a->conf->do_register && a->state != REG_REGISTERED)
		return;
	phone_target = NULL;
	if (call_dial(a, target, &cause) != 0) {
		event_error("dial", "%s", cause);
		free(cause);
	}
	free(target);
}

/* The phone's own seat on the bus. */
static void
phone_event(const struct event *ev, void *arg)
{
	(void)arg;
	switch (ev->kind) {
	case EVENT_REGISTRATION:
		if (ev->u.reg.state == REG_REGISTERED)
			phone_dial_target();
		/* FALLTHROUGH */
	case EVENT_CALL:
		if (phone_quitting())
			loop_defer(phone_step, NULL);
		break;
	default:
		break;
	}
}

/* A new INVITE: which account it is for; call.c decides the rest. */
static void
phone_incoming(const struct sip_incoming *in, void *arg)
{
	(void)arg;
	call_incoming(account_match(phone_accounts, in->ruri_user,
	    in->to_user), in);
}

/* A MESSAGE or a voicemail notice: which account it is for. */
static void
phone_inbox(const struct sip_msg_report *r, void *arg)
{
	(void)arg;
	inbox_report(account_match(phone_accounts, r->ruri_user, r->to_user),
	    r);
}

int
phone_dial(const char *target, const char *name, char **cause)
{
	struct account	*a;

	if ((a = phone_live_account(name, cause)) == NULL)
		return -1;
	return call_dial(a, target, cause);
}

int
phone_message(const char *target, const char *name, const char *text,
    char **cause)
{
	struct account	*a;

	if ((a = phone_live_account(name, cause)) == NULL)
		return -1;
	return message_send(a, target, text, cause);
}

static void
phone_timeout(void *arg)
{
	struct account	*a;

	(void)arg;
	switch (phone_phase) {
	case PHONE_QUIT_CALLS:
		log_warn("quit: %d call%s did not end in %d ms; going on",
		    call_count(), call_count() == 1 ? "" : "s",
		    PHONE_CALLS_WAIT);
		phone_enter(PHONE_QUIT_UNREG);
		break;
	case PHONE_QUIT_UNREG:
		for (a = phone_accounts; a != NULL; a = a->next)
			account_abandon(a);
		presence_abandon();
		phone_enter(PHONE_QUIT_SHUTDOWN);
		break;
	case PHONE_QUIT_SHUTDOWN:
		log_warn("quit: the SIP stack did not shut down in %d ms; "
		    "leaving it", PHONE_SHUTDOWN_WAIT);
		phone_enter(PHONE_QUIT_DONE);
		break;
	default:
		break;
	}
}

static void
phone_shutdown_done(void *arg)
{
	(void)arg;
	if (phone_phase == PHONE_QUIT_SHUTDOWN)
		phone_enter(PHONE_QUIT_DONE);
}

/* Is the current step finished? Then on to the next. */
static void
phone_step(void *arg)
{
	struct account	*a;

	(void)arg;
	switch (phone_phase) {
	case PHONE_QUIT_CALLS:
		if (call_count() == 0)
			phone_enter(PHONE_QUIT_UNREG);
		break;
	case PHONE_QUIT_UNREG:
		for (a = phone_accounts; a != NULL; a = a->next) {
			if (a->unregistering || sub_account_ending(a))
				return;
		}
		/* Our presence is removed in the same bound (presence_quit
		 * began it with the quit). */
		if (presence_pending())
			return;
		phone_enter(PHONE_QUIT_SHUTDOWN);
		break;
	default:
		break;
	}
}

static void
phone_enter(enum phone_phase phase)
{
	struct account	*a;

	phone_phase = phase;
	loop_timer_stop(phone_timer);
	switch (phase) {
	case PHONE_QUIT_CALLS:
		call_hangup_all();
		loop_timer_start(phone_timer, PHONE_CALLS_WAIT);
		break;
	case PHONE_QUIT_UNREG:
		for (a = phone_accounts; a != NULL; a = a->next)
			account_unregister(a);
		loop_timer_start(phone_timer, PHONE_UNREG_WAIT);
		break;
	case PHONE_QUIT_SHUTDOWN:
		/* Calls that would not end go with the stack, and so do
		 * messages still waiting for an answer. */
		call_free_all();
		message_free_all();
		loop_timer_start(phone_timer, PHONE_SHUTDOWN_WAIT);
		sip_ua_shutdown(phone_shutdown_done, NULL);
		return;
	case PHONE_QUIT_DONE:
		loop_break();
		return;
	default:
		return;
	}
	loop_defer(phone_step, NULL);
}

/* An un-SUBSCRIBE of ours was answered (or gave up): quit may go on. */
static void
phone_sub_ended(void *arg)
{
	(void)arg;
	if (phone_quitting())
		loop_defer(phone_step, NULL);
}

/* The state of a contact's address, if an account watches it. */
static const char *
phone_contact_presence(const char *uri, void *arg)
{
	enum presence_state	 st;
	bool			 watched;

	(void)arg;
	st = sub_presence_of(phone_accounts, uri, &watched);
	return watched ? event_presence_state_name(st) : NULL;
}

/*
 * Watch the contacts marked presence=yes from the default account, and
 * no longer those that lost the mark or left the files.
 */
static void
phone_contacts_watch(void *arg)
{
	const struct contacts	*cs = contacts_current();
	struct account		*a;
	struct sub		*s, *next;
	char			*cause = NULL;
	int			 i;
	bool			 keep;

	(void)arg;
	if (!phone_running() || (a = phone_account(NULL, &cause)) == NULL) {
		free(cause);
		return;
	}
	for (i = 0; i < cs->n; i++) {
		if (!contacts_watched(&cs->v[i]))
			continue;
		if ((s = sub_find(a, SUB_PRESENCE, cs->v[i].uri)) != NULL)
			continue;
		if (sub_watch(a, cs->v[i].uri, &cause) != 0) {
			log_warn("contacts: %s: cannot watch %s: %s",
			    cs->v[i].name, cs->v[i].uri, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		if ((s = sub_find(a, SUB_PRESENCE, cs->v[i].uri)) != NULL)
			s->by_contact = true;
	}
	for (s = a->subs; s != NULL; s = next) {
		next = s->next;
		if (!s->by_contact || s->removing)
			continue;
		keep = false;
		for (i = 0; i < cs->n && !keep; i++) {
			keep = contacts_watched(&cs->v[i]) &&
			    sub_find(a, SUB_PRESENCE, cs->v[i].uri) == s;
		}
		if (!keep && sub_unwatch(a, s->uri, &cause) != 0) {
			free(cause);
			cause = NULL;
		}
	}
}

static const struct contacts_hooks phone_contacts_hooks = {
	phone_contact_presence, phone_contacts_watch, NULL,
};

int
phone_watch(const char *uri, const char *name, char **cause)
{
	struct account	*a;

	if ((a = phone_live_account(name, cause)) == NULL)
		return -1;
	return sub_watch(a, uri, cause);
}

int
phone_unwatch(const char *uri, const char *name, char **cause)
{
	struct account	*a;

	if (!phone_ready(cause))
		return -1;
	if (name != NULL) {
		if ((a = phone_account(name, cause)) == NULL)
			return -1;
		return sub_unwatch(a, uri, cause);
	}
	for (a = phone_accounts; a != NULL; a = a->next) {
		if (sub_find(a, SUB_PRESENCE, uri) != NULL)
			return sub_unwatch(a, uri, cause);
	}
	xasprintf(cause, "not watching %s", uri);
	return -1;
}

int
phone_voicemail(const char *name, char **cause)
{
	struct account	*a;

	if ((a = phone_live_account(name, cause)) == NULL)
		return -1;
	if (a->conf->voicemail == NULL) {
		xasprintf(cause, "account %s has no voicemail box "
		    "(voicemail = in its section of the config)", a->conf->name);
		return -1;
	}
	return call_dial(a, a->conf->voicemail, cause);
}

static void
phone_contacts_start(const struct conf *conf)
{
	char	*dir = contacts_dir_for(conf->path);

	contacts_start(dir);
	free(dir);
}

int
phone_start(const struct conf *conf, const struct phone_opts *opts,
    char **cause)
{
	static const struct media_handlers mh = {
		call_media_dtmf, call_media_timeout, call_media_stats,
		call_media_stun, NULL,
	};
	struct conf_account	*ca;
	struct account		**tail = &phone_accounts, *a;
	int			 id = 1;

	phone_conf = conf;
	phone_default_account = opts->default_account;
	phone_timer = loop_timer_new(phone_timeout, NULL);
	phone_observer = event_observe(phone_event, NULL);
	if (media_init(conf, &mh, cause) != 0)
		return -1;
	call_set_timeouts(conf->ring_timeout, conf->rtp_timeout);
	call_set_accepting(true);
	sip_call_set_incoming(phone_incoming, NULL);
	sip_msg_set_handler(phone_inbox, NULL);
	presence_init();
	if (sip_ua_start(conf, opts->trace, cause) != 0)
		return -1;
	sip_msg_start();
	sub_set_ended_handler(phone_sub_ended, NULL);
	phone_contacts_start(conf);
	for (ca = conf->accounts; ca != NULL; ca = ca->next) {
		a = account_new(id++, ca);
		*tail = a;
		tail = &a->next;
	}
	phone_mark_default();
	presence_start(phone_accounts);
	phone_phase = PHONE_RUNNING;
	if (opts->target != NULL)
		phone_target = xstrdup(opts->target);
	for (a = phone_accounts; a != NULL; a = a->next) {
		if (a->conf->do_register)
			account_register(a);
		else {
			account_emit(a);
			sub_account_start(a);
		}
	}
	phone_contacts_watch(NULL);
	contacts_set_hooks(&phone_contacts_hooks);
	/* An account that does not register can dial at once. */
	phone_dial_target();
	return 0;
}

void
phone_free(void)
{
	struct account	*a;

	call_free_all();
	message_free_all();
	contacts_set_hooks(NULL);
	sub_set_ended_handler(NULL, NULL);
	contacts_stop();
	presence_free();
	while ((a = phone_accounts) != NULL) {
		phone_accounts = a->next;
		account_free(a);
	}
	account_reset_global();
	sip_ua_free();
	media_shutdown();
	if (phone_observer != 0)
		event_unobserve(phone_observer);
	phone_observer = 0;
	loop_timer_free(phone_timer);
	phone_timer = NULL;
	phone_conf = NULL;
	free(phone_target);
	phone_target = NULL;
	free(phone_input_name);
	free(phone_output_name);
	phone_input_name = phone_output_name = NULL;
	phone_phase = PHONE_STOPPED;
}

/* Apply FN to the account NAME, or to every account for NULL. */
static int
phone_each(const char *name, void (*fn)(struct account *), char **cause)
{
	struct account	*a;

	if (!phone_ready(cause))
		return -1;
	if (name != NULL) {
		if ((a = phone_account(name, cause)) == NULL)
			return -1;
		fn(a);
		return 0;
	}
	for (a = phone_accounts; a != NULL; a = a->next)
		fn(a);
	return 0;
}

static void
phone_do_register(struct account *a)
{
	account_register(a);
}

static void
phone_do_unregister(struct account *a)
{
	account_unregister(a);
}

int
phone_register(const char *name, char **cause)
{
	return phone_each(name, phone_do_register, cause);
}

int
phone_unregister(const char *name, char **cause)
{
	return phone_each(name, phone_do_unregister, cause);
}

int
phone_dnd(const char *arg, const char *name, char **cause)
{
	struct account	*a = NULL;
	bool		 on;

	if (strcmp(arg, "on") == 0)
		on = true;
	else if (strcmp(arg, "off") == 0)
		on = false;
	else {
		xasprintf(cause, "dnd takes on or off, not \"%s\"", arg);
		return -1;
	}
	if (phone_accounts == NULL) {
		*cause = xstrdup("the phone is not running");
		return -1;
	}
	if (name != NULL && (a = phone_account(name, cause)) == NULL)
		return -1;
	account_set_dnd(phone_accounts, a, on);
	return 0;
}

int
phone_forward(const char *target, const char *name, char **cause)
{
	struct account	*a = NULL;

	if (phone_accounts == NULL) {
		*cause = xstrdup("the phone is not running");
		return -1;
	}
	if (name != NULL && (a = phone_account(name, cause)) == NULL)
		return -1;
	if (strcmp(target, "off") == 0)
		target = NULL;
	return account_set_forward(phone_accounts, a, target, cause);
}

void
phone_status(void)
{
	struct account	*a;
	struct event	 ev;
	int		 n = 0;

	for (a = phone_accounts; a != NULL; a = a->next, n++) {
		account_emit(a);
		inbox_emit_mwi(a);
		sub_emit_all(a);
	}
	presence_emit_all();
	call_status();
	phone_audio_emit();
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_STATUS;
	ev.u.status.accounts = n;
	ev.u.status.calls = call_count();
	ev.u.status.handles = sip_ua_handles();
	ev.u.status.dnd = account_dnd_global();
	util_strlcpy(ev.u.status.forward, account_forward_global(),
	    sizeof ev.u.status.forward);
	ev.u.status.missed = history_missed();
	ev.u.status.unread = messages_store_unread();
	ev.u.status.presence = presence_chosen();
	event_emit(&ev);
}

void
phone_quit(void)
{
	if (phone_phase == PHONE_STOPPED) {
		loop_break();
		return;
	}
	if (phone_quitting())
		return;
	log_info("quitting");
	call_set_accepting(false);
	/* No retry may start a REGISTER while calls end. */
	for (struct account *a = phone_accounts; a != NULL; a = a->next)
		account_stop_retry(a);
	/* Watchers and the server learn we are gone while calls end. */
	presence_quit(phone_presence_done, NULL);
	phone_enter(PHONE_QUIT_CALLS);
}

static void
phone_presence_done(void *arg)
{
	(void)arg;
	if (phone_quitting())
		loop_defer(phone_step, NULL);
}

int
phone_presence(const char *state, const char *note, char **cause)
{
	if (!phone_ready(cause))
		return -1;
	return presence_set(state, note, cause);
}

/* --- audio ------------------------------------------------------------ */

void
phone_audio_emit(void)
{
	struct event	 ev;
	const char	*in, *out;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_AUDIO;
	ev.u.audio.in_volume = media_volume(true);
	ev.u.audio.out_volume = media_volume(false);
	ev.u.audio.echotest = media_echotest_running();
	in = phone_input_name != NULL ? phone_input_name :
	    phone_conf != NULL ? phone_conf->input : NULL;
	out = phone_output_name != NULL ? phone_output_name :
	    phone_conf != NULL ? phone_conf->output : NULL;
	util_strlcpy(ev.u.audio.input, in != NULL ? in : "",
	    sizeof ev.u.audio.input);
	util_strlcpy(ev.u.audio.output, out != NULL ? out : "",
	    sizeof ev.u.audio.output);
	event_emit(&ev);
}

int
phone_echotest(const char *arg, char **cause)
{
	bool	 on;

	if (arg == NULL)
		on = !media_echotest_running();
	else if (strcmp(arg, "on") == 0)
		on = true;
	else if (strcmp(arg, "off") == 0)
		on = false;
	else {
		xasprintf(cause, "echotest takes on or off, not \"%s\"", arg);
		return -1;
	}
	if (media_echotest(on, cause) != 0)
		return -1;
	phone_audio_emit();
	return 0;
}

int
phone_volume(bool input, const char *spec, char **cause)
{
	char	*end;
	long	 v;
	int	 db;

	errno = 0;
	v = strtol(spec, &end, 10);
	if (end == spec || *end != '\0' || errno != 0 || v < -100 || v > 100) {
		xasprintf(cause, "volume takes +N, -N or N (dB), not \"%s\"",
		    spec);
		return -1;
	}
	db = (int)v;
	if (spec[0] == '+' || spec[0] == '-')
		db += media_volume(input);
	if (db < MEDIA_VOLUME_MIN || db > MEDIA_VOLUME_MAX) {
		xasprintf(cause, "the %s volume goes from %d to +%d dB",
		    input ? "microphone" : "speaker", MEDIA_VOLUME_MIN,
		    MEDIA_VOLUME_MAX);
		return -1;
	}
	media_set_volume(input, db);
	log_info("%s volume %+d dB", input ? "microphone" : "speaker", db);
	phone_audio_emit();
	return 0;
}

int
phone_device(bool input, const char *name, char **cause)
{
	char	**slot = input ? &phone_input_name : &phone_output_name;

	if (media_set_device(input, name, cause) != 0)
		return -1;
	free(*slot);
	*slot = xstrdup(name);
	phone_audio_emit();
	return 0;
}

void
phone_levels(float *in_dbfs, float *out_dbfs)
{
	media_levels(in_dbfs, out_dbfs);
}
