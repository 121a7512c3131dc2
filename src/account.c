/*
 * account.c: registration state per account.
 *
 * The SIP stack refreshes a binding by itself; this file decides what a
 * result means for the user and what happens next. After a failure the
 * account stays "failed" (with the reason) until a backoff timer fires,
 * 4 s doubling to a 60 s cap with a little jitter so that many phones do
 * not return in step after a registrar restart. A wrong password follows
 * the same backoff: never a tight loop. A failure is logged once however
 * often the retries fail the same way; a new reason, a success or the
 * user asking again lets the next one be logged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "account.h"
#include "conf.h"
#include "log.h"
#include "loop.h"
#include "sip-reg.h"
#include "sip-uri.h"
#include "sub.h"
#include "util.h"

#define ACCOUNT_BACKOFF_FIRST	4
#define ACCOUNT_BACKOFF_CAP	60
#define ACCOUNT_SECRET_MAX	1024

/* The global do-not-disturb and forward (account_set_dnd). */
static bool	 account_dnd_all;
static char	*account_fwd_all;	/* as typed; NULL: off */

static void	 account_retry_fire(void *);
static void	 account_attempt(struct account *);
static void	 account_result(const struct sip_reg_result *, void *);

int
account_backoff(int failures)
{
	int	 s = ACCOUNT_BACKOFF_FIRST;

	while (--failures > 0 && s < ACCOUNT_BACKOFF_CAP)
		s *= 2;
	return s < ACCOUNT_BACKOFF_CAP ? s : ACCOUNT_BACKOFF_CAP;
}

/*
 * Run password_cmd through /bin/sh -c with stdin from /dev/null (line
 * mode's stdin carries commands) and keep the first line of its output.
 * The command text is the user's own; nothing is interpolated into it.
 */
static char *
account_run_password_cmd(const char *cmd, char **cause)
{
	char	 buf[ACCOUNT_SECRET_MAX], *nl, *out = NULL;
	size_t	 len = 0;
	ssize_t	 n;
	pid_t	 pid;
	int	 fds[2], status, devnull;

	if (pipe(fds) != 0) {
		xasprintf(cause, "password_cmd: pipe: %s", strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid == -1) {
		xasprintf(cause, "password_cmd: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_RDONLY);
		if (devnull != -1)
			dup2(devnull, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (len < sizeof buf - 1) {
		n = read(fds[0], buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	/* Drain the rest so the child cannot block on a full pipe. */
	{
		char	 sink[256];

		while ((n = read(fds[0], sink, sizeof sink)) > 0 ||
		    (n < 0 && errno == EINTR))
			util_wipe(sink, sizeof sink);
	}
	close(fds[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			xasprintf(cause, "password_cmd failed (exit status %d)",
			    WEXITSTATUS(status));
		else
			xasprintf(cause, "password_cmd failed (killed by signal %d)",
			    WTERMSIG(status));
		goto out;
	}
	if ((nl = strpbrk(buf, "\r\n")) != NULL)
		*nl = '\0';
	if (*buf == '\0') {
		*cause = xstrdup("password_cmd printed no password");
		goto out;
	}
	out = xstrdup(buf);
out:
	util_wipe(buf, sizeof buf);
	return out;
}

struct account *
account_new(int id, struct conf_account *ca)
{
	struct account	*a = xcalloc(1, sizeof *a);
	char		*cause = NULL;

	a->id = id;
	a->conf = ca;
	a->state = REG_UNREGISTERED;
	a->retry = loop_timer_new(account_retry_fire, a);
	if (ca->password != NULL)
		a->password = xstrdup(ca->password);
	else if (ca->ha1 != NULL)
		a->ha1 = ca->ha1;
	else if (ca->password_cmd != NULL) {
		a->password = account_run_password_cmd(ca->password_cmd, &cause);
		if (a->password == NULL) {
			a->secret_error = cause;
			log_error("account %s: %s", ca->name, cause);
		}
	}
	a->cred.username = ca->username;
	a->cred.password = a->password;
	a->cred.ha1 = a->ha1;
	a->cred.error = a->secret_error;
	a->dnd_own = ca->dnd ? 1 : -1;
	if (ca->forward != NULL) {
		a->fwd_own = sip_uri_target(ca, ca->forward, &cause);
		if (a->fwd_own == NULL) {
			/* conf.c checked it; only a change of rules lands here */
			log_error("account %s: forward: %s", ca->name, cause);
			free(cause);
		}
	}
	sub_account_init(a);
	return a;
}

static void
account_drop(struct account *a)
{
	sip_reg_free(a->reg);
	a->reg = NULL;
}

void
account_free(struct account *a)
{
	if (a == NULL)
		return;
	sub_account_free(a);
	account_drop(a);
	loop_timer_free(a->retry);
	util_free_secret(a->password);
	free(a->secret_error);
	free(a->fwd_own);
	free(a->fwd_all);
	free(a);
}

void
account_emit(const struct account *a)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_REGISTRATION;
	util_strlcpy(ev.u.reg.account, a->conf->name, sizeof ev.u.reg.account);
	ev.u.reg.state = a->state;
	ev.u.reg.code = a->code;
	util_strlcpy(ev.u.reg.reason, a->reason, sizeof ev.u.reg.reason);
	ev.u.reg.expires = a->state == REG_REGISTERED ? a->expires : 0;
	ev.u.reg.retry_in = a->state == REG_FAILED ? a->retry_in : 0;
	ev.u.reg.is_default = a->is_default;
	ev.u.reg.dnd = account_dnd(a);
	util_strlcpy(ev.u.reg.forward, account_forward(a) != NULL ?
	    account_forward(a) : "", sizeof ev.u.reg.forward);
	event_emit(&ev);
}

static void
account_set(struct account *a, enum reg_state state, int code,
    const char *reason)
{
	a->state = state;
	a->code = code;
	util_strlcpy(a->reason, reason != NULL ? reason : "", sizeof a->reason);
	if (state != REG_FAILED)
		a->retry_in = 0;
	account_emit(a);
}

static void
account_attempt(struct account *a)
{
	char	*cause = NULL;

	if (a->secret_error != NULL) {
		/* No retry: rerunning a failed password_cmd would not help
		 * until the user fixes it and restarts. */
		account_set(a, REG_FAILED, 0, a->secret_error);
		return;
	}
	account_set(a, REG_REGISTERING, 0, "");
	if (a->reg == NULL)
		a->reg = sip_reg_new(a->conf, &a->cred, account_result, a,
		    &cause);
	if (a->reg == NULL || sip_reg_send(a->reg, &cause) != 0) {
		struct sip_reg_result	 r = { 0 };

		r.kind = SIP_REG_FAILED;
		r.why = cause;
		r.local = true;
		account_result(&r, a);
		free(cause);
	}
}

static void
account_retry_fire(void *arg)
{
	struct account	*a = arg;

	a->retry_in = 0;
	if (a->want)
		account_attempt(a);
}

void
account_register(struct account *a)
{
	a->want = true;
	a->failures = 0;
	a->logged_failure[0] = '\0';
	loop_timer_stop(a->retry);
	account_attempt(a);
}

bool
account_unregister(struct account *a)
{
	a->want = false;
	a->failures = 0;
	loop_timer_stop(a->retry);
	/* Subscriptions go first, while the registrar still knows us. */
	sub_account_stop(a);
	if (a->unregistering)
		return true;
	if (sip_reg_unsend(a->reg)) {
		a->unregistering = true;
		return true;
	}
	account_drop(a);
	if (a->state != REG_UNREGISTERED)
		account_set(a, REG_UNREGISTERED, 0, "");
	return false;
}

void
account_stop_retry(struct account *a)
{
	loop_timer_stop(a->retry);
	a->retry_in = 0;
	sub_account_stop_retry(a);
	if (a->state != REG_REGISTERED)
		a->want = false;
}

void
account_abandon(struct account *a)
{
	sub_account_abandon(a);
	if (!a->unregistering)
		return;
	log_warn("account %s: no answer to the un-REGISTER; "
	    "the binding will expire on its own", a->conf->name);
	a->unregistering = false;
	account_drop(a);
	account_set(a, REG_UNREGISTERED, 408, "no answer from the registrar");
}

static void
account_registered(struct account *a, const struct sip_reg_result *r)
{
	char	 reason[EVENT_TEXT_MAX];
	bool	 was = a->state == REG_REGISTERED;

	a->failures = 0;
	a->logged_failure[0] = '\0';
	a->expires = r->expires;
	snprintf(reason, sizeof reason, "%s", r->phrase != NULL ? r->phrase : "OK");
	if (!was)
		log_info("account %s: registered (expires in %d s)",
		    a->conf->name, r->expires);
	account_set(a, REG_REGISTERED, r->code, reason);
	if (!was)
		sub_account_start(a);
}

static void
account_failed(struct account *a, const struct sip_reg_result *r)
{
	char	 reason[EVENT_TEXT_MAX];
	int	 delay;

	account_drop(a);
	a->expires = 0;
	if (r->why != NULL && r->code != 0)
		snprintf(reason, sizeof reason, "%s (%d %s)", r->why, r->code,
		    r->phrase != NULL ? r->phrase : "");
	else if (r->why != NULL)
		snprintf(reason, sizeof reason, "%s", r->why);
	else
		snprintf(reason, sizeof reason, "%d %s", r->code,
		    r->phrase != NULL ? r->phrase : "");

	a->failures++;
	delay = account_backoff(a->failures);
	if (r->retry_after > delay)
		delay = r->retry_after < ACCOUNT_BACKOFF_CAP ?
		    r->retry_after : ACCOUNT_BACKOFF_CAP;
	if (a->want) {
		/* Up to +10% jitter, in milliseconds. */
		unsigned int ms = (unsigned int)delay * 1000;

		ms += (unsigned int)(random() % (ms / 10 + 1));
		a->retry_in = delay;
		loop_timer_start(a->retry, ms);
	} else
		a->retry_in = 0;
	if (strcmp(a->logged_failure, reason) != 0) {
		log_warn("account %s: registration failed: %s%s", a->conf->name,
		    reason, a->retry_in ? "; will retry" : "");
		util_strlcpy(a->logged_failure, reason,
		    sizeof a->logged_failure);
	}
	account_set(a, REG_FAILED, r->code, reason);
}

static void
account_unregistered(struct account *a, const struct sip_reg_result *r)
{
	char	 reason[EVENT_TEXT_MAX];

	a->unregistering = false;
	a->logged_failure[0] = '\0';
	account_drop(a);
	a->expires = 0;
	snprintf(reason, sizeof reason, "%s",
	    r->phrase != NULL ? r->phrase : "");
	if (r->code >= 300)
		log_warn("account %s: unregister answered %d %s",
		    a->conf->name, r->code, reason);
	else
		log_info("account %s: unregistered", a->conf->name);
	account_set(a, REG_UNREGISTERED, r->code, reason);
}

/* The SIP side's report, after its callback has returned. */
static void
account_result(const struct sip_reg_result *r, void *arg)
{
	struct account	*a = arg;

	switch (r->kind) {
	case SIP_REG_OK:
		if (a->unregistering || !a->want)
			return;		/* a late answer; the un-REGISTER rules */
		account_registered(a, r);
		break;
	case SIP_REG_FAILED:
		if (a->unregistering) {
			account_unregistered(a, r);
			break;
		}
		account_failed(a, r);
		break;
	case SIP_REG_UNREGISTERED:
		account_unregistered(a, r);
		break;
	}
}

struct account *
account_find(struct account *list, const char *name)
{
	for (; list != NULL; list = list->next) {
		if (strcmp(list->conf->name, name) == 0)
			return list;
	}
	return NULL;
}

/* Does USER (ours) name R (theirs), allowing Sofia's "=token" suffix? */
static bool
account_user_is(const char *user, const char *r, bool token)
{
	size_t	 n = strlen(user);

	return strncmp(r, user, n) == 0 &&
	    (r[n] == '\0' || (token && r[n] == '='));
}

struct account *
account_match(struct account *list, const char *ruri_user,
    const char *to_user)
{
	struct account	*a;
	char		*user;
	int		 pass;

	for (pass = 0; pass < 2; pass++) {
		const char *want = pass == 0 ? ruri_user : to_user;

		if (want == NULL || *want == '\0')
			continue;
		for (a = list; a != NULL; a = a->next) {
			user = sip_uri_user(a->conf->uri);
			if (user != NULL && account_user_is(user, want,
			    pass == 0)) {
				free(user);
				return a;
			}
			free(user);
		}
	}
	return list;
}

bool
account_dnd(const struct account *a)
{
	return a->dnd_own >= 0 ? a->dnd_own == 1 : account_dnd_all;
}

const char *
account_forward(const struct account *a)
{
	if (a->fwd_own != NULL)
		return *a->fwd_own != '\0' ? a->fwd_own : NULL;
	return a->fwd_all;
}

bool
account_dnd_global(void)
{
	return account_dnd_all;
}

const char *
account_forward_global(void)
{
	return account_fwd_all != NULL ? account_fwd_all : "";
}

void
account_reset_global(void)
{
	account_dnd_all = false;
	free(account_fwd_all);
	account_fwd_all = NULL;
}

void
account_set_dnd(struct account *list, struct account *a, bool on)
{
	if (a != NULL) {
		a->dnd_own = on;
		log_info("account %s: do not disturb %s", a->conf->name,
		    on ? "on" : "off");
		account_emit(a);
		return;
	}
	account_dnd_all = on;
	log_info("do not disturb %s", on ? "on" : "off");
	for (a = list; a != NULL; a = a->next) {
		a->dnd_own = -1;
		account_emit(a);
	}
}

int
account_set_forward(struct account *list, struct account *a,
    const char *target, char **cause)
{
	struct account	*o;
	char		*uri = NULL, *why;

	if (a != NULL) {
		if (target != NULL &&
		    (uri = sip_uri_target(a->conf, target, cause)) == NULL)
			return -1;
		free(a->fwd_own);
		a->fwd_own = uri != NULL ? uri : xstrdup("");
		if (uri != NULL)
			log_info("account %s: calls forwarded to %s",
			    a->conf->name, uri);
		else
			log_info("account %s: forwarding off", a->conf->name);
		account_emit(a);
		return 0;
	}
	/* Every account must be able to use it before any does. */
	for (o = list; target != NULL && o != NULL; o = o->next) {
		if ((uri = sip_uri_target(o->conf, target, &why)) == NULL) {
			xasprintf(cause, "%s (account %s)", why, o->conf->name);
			free(why);
			return -1;
		}
		free(uri);
	}
	free(account_fwd_all);
	account_fwd_all = target != NULL ? xstrdup(target) : NULL;
	if (target != NULL)
		log_info("calls forwarded to %s", target);
	else
		log_info("forwarding off");
	for (o = list; o != NULL; o = o->next) {
		free(o->fwd_own);
		o->fwd_own = NULL;
		free(o->fwd_all);
		o->fwd_all = NULL;
		if (target != NULL && (o->fwd_all = sip_uri_target(o->conf,
		    target, &why)) == NULL)
			free(why);	/* checked above */
		account_emit(o);
	}
	return 0;
}
