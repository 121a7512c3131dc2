/*
 * phone.c: the core as one object: the configuration, the accounts and
 * the SIP user agent, their start and their orderly end.
 *
 * Quitting is a small sequence: un-REGISTER every bound account and wait
 * for the registrars (at most PHONE_UNREG_WAIT ms, because a dead
 * registrar must not hold the user hostage), then shut the stack down
 * (nothing can be authenticated once nua shutdown has begun, hence the
 * order), then leave the loop.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "call.h"
#include "media.h"
#include "conf.h"
#include "log.h"
#include "loop.h"
#include "phone.h"
#include "sip-reg.h"
#include "sip-ua.h"
#include "tls-check.h"
#include "util.h"

#define PHONE_UNREG_WAIT	2000	/* ms for registrars to answer at quit */
#define PHONE_SHUTDOWN_WAIT	5000	/* ms for the stack to shut down */

static struct conf		*phone_conf;
static struct account		*phone_accounts;
static const char		*phone_default_account;
static bool			 phone_started;
static bool			 phone_is_quitting;
static bool			 phone_shutting_down;
static struct loop_timer	*phone_quit_timer;
static int			 phone_exit;
static char			*phone_target;	/* TARGET not dialled yet */

static void	 phone_shutdown(void);
static int	 phone_ready(char **);

bool
phone_running(void)
{
	return phone_started && !phone_is_quitting;
}

bool
phone_quitting(void)
{
	return phone_is_quitting;
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
	for (a = phone_accounts; a != NULL; a = a->next) {
		if (strcmp(a->conf->name, name) == 0)
			return a;
	}
	xasprintf(cause, "no account \"%s\"", name);
	return NULL;
}

void
phone_registered(struct account *a)
{
	char	*target = phone_target, *cause = NULL;

	if (target == NULL || a != phone_account(NULL, &cause)) {
		free(cause);
		return;
	}
	phone_target = NULL;
	if (call_dial(a, target, &cause) != 0) {
		event_error("dial", "%s", cause);
		free(cause);
	}
	free(target);
}

int
phone_dial(const char *target, const char *name, char **cause)
{
	struct account	*a;

	if (phone_ready(cause) != 0 || (a = phone_account(name, cause)) == NULL)
		return -1;
	return call_dial(a, target, cause);
}

static void
phone_quit_timeout(void *arg)
{
	struct account	*a;

	(void)arg;
	if (phone_shutting_down) {
		log_warn("SIP stack did not shut down in time; leaving anyway");
		loop_break();
		return;
	}
	for (a = phone_accounts; a != NULL; a = a->next) {
		if (a->unregistering) {
			struct account_result	 r = { 0 };

			log_warn("account %s: no answer to the un-REGISTER; "
			    "the binding will expire on its own", a->conf->name);
			r.code = 408;
			r.phrase = "no answer from the registrar";
			account_unregistered(a, &r);
		}
	}
	if (call_count() > 0)
		log_warn("calls did not end in time; shutting down anyway");
	phone_shutdown();
}

int
phone_start(struct conf *conf, const struct phone_opts *opts, char **cause)
{
	struct conf_account	*ca;
	struct account		**tail = &phone_accounts, *a;
	int			 id = 1;

	phone_conf = conf;
	phone_default_account = opts->default_account;
	phone_quit_timer = loop_timer_new(phone_quit_timeout, NULL);
	if (media_init(conf, cause) != 0)
		return -1;
	call_set_timeouts(conf->ring_timeout, conf->rtp_timeout);
	if (sip_ua_start(conf, opts->trace, cause) != 0)
		return -1;
	for (ca = conf->accounts; ca != NULL; ca = ca->next) {
		a = account_new(id++, ca);
		*tail = a;
		tail = &a->next;
	}
	phone_started = true;
	if (opts->target != NULL)
		phone_target = xstrdup(opts->target);
	for (a = phone_accounts; a != NULL; a = a->next) {
		if (a->conf->do_register)
			account_register(a);
		else
			account_emit(a);
	}
	/* An account that does not register can dial at once. */
	a = phone_account(NULL, cause);
	if (a != NULL && !a->conf->do_register)
		phone_registered(a);
	return 0;
}

void
phone_free(void)
{
	struct account	*a;

	call_free_all();
	while ((a = phone_accounts) != NULL) {
		phone_accounts = a->next;
		account_free(a);
	}
	tls_check_shutdown();	/* after the accounts have cancelled theirs */
	sip_ua_free();
	media_shutdown();
	loop_timer_free(phone_quit_timer);
	phone_quit_timer = NULL;
	conf_free(phone_conf);
	phone_conf = NULL;
	free(phone_target);
	phone_target = NULL;
	phone_started = false;
}

/* Commands need a running phone; say which way it is not. */
static int
phone_ready(char **cause)
{
	if (phone_running())
		return 0;
	*cause = xstrdup(phone_is_quitting ? "the phone is quitting" :
	    "the phone is not running");
	return -1;
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

/* Apply FN to the account NAME, or to every account for NULL. */
static int
phone_each(const char *name, void (*fn)(struct account *), char **cause)
{
	struct account	*a;

	if (phone_ready(cause) != 0)
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

void
phone_status(void)
{
	struct account	*a;

	for (a = phone_accounts; a != NULL; a = a->next)
		account_emit(a);
	call_status();
}

static void
phone_shutdown_done(void)
{
	loop_break();
}

static void
phone_shutdown(void)
{
	struct account	*a;

	if (phone_shutting_down)
		return;
	phone_shutting_down = true;
	/* Every un-REGISTER is answered or given up: drop the handles, as
	 * nua wants before shutdown. */
	for (a = phone_accounts; a != NULL; a = a->next)
		sip_reg_drop(a);
	call_free_all();
	loop_timer_start(phone_quit_timer, PHONE_SHUTDOWN_WAIT);
	sip_ua_shutdown(phone_shutdown_done);
}

void
phone_settled(void)
{
	struct account	*a;

	if (!phone_is_quitting || phone_shutting_down)
		return;
	if (call_count() > 0)
		return;
	for (a = phone_accounts; a != NULL; a = a->next) {
		if (a->unregistering)
			return;
	}
	loop_timer_stop(phone_quit_timer);
	phone_shutdown();
}

void
phone_quit(void)
{
	struct account	*a;
	int		 pending = 0;

	if (!phone_started) {
		loop_break();
		return;
	}
	if (phone_is_quitting)
		return;
	phone_is_quitting = true;
	log_info("quitting");
	call_hangup_all();
	pending = call_count();
	for (a = phone_accounts; a != NULL; a = a->next) {
		if (account_unregister(a))
			pending++;
	}
	if (pending == 0)
		phone_shutdown();
	else
		loop_timer_start(phone_quit_timer, PHONE_UNREG_WAIT);
}
