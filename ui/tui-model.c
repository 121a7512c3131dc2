/*
 * tui-model.c: what the screen knows, built from core events only:
 * accounts with their registration, calls with their media and quality,
 * and the log. The core owns the truth; this is a copy shaped for
 * drawing, with times kept so that countdowns and call timers can run
 * between events.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "event.h"
#include "key-string.h"
#include "tui-int.h"
#include "util.h"

static struct tui_call *
tui_model_find(int id)
{
	int	 i;

	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].id == id)
			return &tui.calls[i];
	}
	return NULL;
}

static void
tui_model_remove(int i)
{
	memmove(&tui.calls[i], &tui.calls[i + 1],
	    sizeof tui.calls[0] * (size_t)(tui.ncalls - i - 1));
	tui.ncalls--;
}

/* A new call, in id order; the oldest ended one makes room if needed. */
static struct tui_call *
tui_model_add(int id)
{
	int	 i;

	if (tui.ncalls == TUI_MAX_CALLS) {
		for (i = 0; i < tui.ncalls && tui.calls[i].ended_ms == 0; i++)
			;
		if (i == tui.ncalls)
			return NULL;
		tui_model_remove(i);
	}
	for (i = tui.ncalls; i > 0 && tui.calls[i - 1].id > id; i--)
		tui.calls[i] = tui.calls[i - 1];
	memset(&tui.calls[i], 0, sizeof tui.calls[i]);
	tui.calls[i].id = id;
	tui.calls[i].started_ms = util_now_ms();
	tui.ncalls++;
	return &tui.calls[i];
}

void
tui_model_log(enum tui_line_kind kind, const char *fmt, ...)
{
	struct tui_line	*l;
	struct tm	 tm;
	time_t		 t = time(NULL);
	va_list		 ap;

	if (tui.log_count == TUI_LOG_LINES) {
		tui.log_first = (tui.log_first + 1) % TUI_LOG_LINES;
		tui.log_count--;
	}
	l = &tui.log[(tui.log_first + tui.log_count) % TUI_LOG_LINES];
	tui.log_count++;
	localtime_r(&t, &tm);
	strftime(l->when, sizeof l->when, "%H:%M:%S", &tm);
	l->kind = kind;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof l->text, fmt, ap);
	va_end(ap);
	/* Someone reading back keeps the same lines in view. */
	if (tui.view == TUI_VIEW_LOG && tui.scroll > 0)
		tui.scroll++;
}

const struct tui_line *
tui_model_line(int i)
{
	if (i < 0 || i >= tui.log_count)
		return NULL;
	return &tui.log[(tui.log_first + i) % TUI_LOG_LINES];
}

/* Split "Name" <sip:uri> (or Name <uri>, or a bare uri). */
void
tui_model_party(const char *remote, char *name, size_t nlen, char *uri,
    size_t ulen)
{
	const char	*lt = strrchr(remote, '<'), *gt;
	size_t		 n, o = 0, i;

	*name = '\0';
	if (lt == NULL || (gt = strchr(lt, '>')) == NULL) {
		util_strlcpy(uri, remote, ulen);
		return;
	}
	n = (size_t)(gt - lt - 1);
	if (n >= ulen)
		n = ulen - 1;
	memcpy(uri, lt + 1, n);
	uri[n] = '\0';
	n = (size_t)(lt - remote);
	while (n > 0 && remote[n - 1] == ' ')
		n--;
	for (i = 0; i < n && o + 1 < nlen; i++) {
		if (remote[i] == '"')
			continue;
		if (remote[i] == '\\' && i + 1 < n)
			i++;
		name[o++] = remote[i];
	}
	name[o] = '\0';
}

void
tui_model_call_party(const struct tui_call *c, char *name, size_t nlen,
    char *uri, size_t ulen)
{
	tui_model_party(c->remote, name, nlen, uri, ulen);
	if (c->display[0] != '\0')
		util_strlcpy(name, c->display, nlen);
}

/* The user and host of ADDR ("Name" <sip:user@host:port;...>, or a
 * URI) into USER and HOST; false without a host. */
static bool
tui_model_user_host(const char *addr, char *user, size_t ulen, char *host,
    size_t hlen)
{
	const char	*p, *at, *end;

	if ((p = strrchr(addr, '<')) != NULL)
		addr = p + 1;
	if (strncasecmp(addr, "sip:", 4) == 0)
		addr += 4;
	else if (strncasecmp(addr, "sips:", 5) == 0)
		addr += 5;
	end = addr + strcspn(addr, ";>?");
	*user = '\0';
	if ((at = memchr(addr, '@', (size_t)(end - addr))) != NULL) {
		snprintf(user, ulen, "%.*s", (int)(at - addr), addr);
		addr = at + 1;
	}
	if (*addr == '[')
		end = addr + strcspn(addr, "]>;");
	else
		end = addr + strcspn(addr, ":;>?");
	snprintf(host, hlen, "%.*s", (int)(end - addr), addr);
	return *host != '\0';
}

const struct tui_presence *
tui_model_presence(const char *remote)
{
	char	 ru[256], rh[256], u[256], h[256];
	int	 i;

	if (!tui_model_user_host(remote, ru, sizeof ru, rh, sizeof rh))
		return NULL;
	for (i = 0; i < tui.npresence; i++) {
		if (tui.presence[i].state == PRESENCE_UNKNOWN ||
		    !tui_model_user_host(tui.presence[i].uri, u, sizeof u, h,
		    sizeof h))
			continue;
		if (strcmp(u, ru) == 0 && strcasecmp(h, rh) == 0)
			return &tui.presence[i];
	}
	return NULL;
}

static struct tui_account *tui_model_account(const char *);

static void
tui_model_presence_event(const struct event_presence *p)
{
	struct tui_presence	*tp = NULL;
	struct tui_account	*a;
	int			 i;

	if (p->own) {
		/* Ours: on the account's line. */
		if ((a = tui_model_account(p->account)) != NULL) {
			a->own_known = true;
			a->own = p->state;
			util_strlcpy(a->own_note, p->note, sizeof a->own_note);
		}
		return;
	}
	for (i = 0; i < tui.npresence; i++) {
		if (strcmp(tui.presence[i].uri, p->uri) == 0) {
			tp = &tui.presence[i];
			break;
		}
	}
	if (tp == NULL) {
		if (tui.npresence == TUI_MAX_PRESENCE)
			return;
		tp = &tui.presence[tui.npresence++];
		util_strlcpy(tp->uri, p->uri, sizeof tp->uri);
	}
	tp->state = p->state;
	util_strlcpy(tp->note, p->note, sizeof tp->note);
}

/* The account NAME, added if new; NULL when the table is full. */
static struct tui_account *
tui_model_account(const char *name)
{
	struct tui_account	*a;
	int			 i;

	for (i = 0; i < tui.naccounts; i++) {
		if (strcmp(tui.accounts[i].name, name) == 0)
			return &tui.accounts[i];
	}
	if (tui.naccounts == TUI_MAX_ACCOUNTS)
		return NULL;
	a = &tui.accounts[tui.naccounts++];
	util_strlcpy(a->name, name, sizeof a->name);
	return a;
}

static void
tui_model_registration(const struct event_registration *r)
{
	struct tui_account	*a = tui_model_account(r->account);

	if (a == NULL)
		return;
	a->state = r->state;
	a->code = r->code;
	util_strlcpy(a->reason, r->reason, sizeof a->reason);
	a->expires = r->expires;
	a->retry_in = r->retry_in;
	a->is_default = r->is_default;
	a->dnd = r->dnd;
	util_strlcpy(a->forward, r->forward, sizeof a->forward);
	a->at_ms = util_now_ms();
}

/* Append " | TEXT" pieces to BUF. */
static void
tui_model_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t	 n = strlen(buf);
	va_list	 ap;

	if (n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/*
 * One word when every account is alike ("DND", "FWD→bob@example.com"),
 * else the accounts that differ by name: the title line has room for a
 * few, and a person with one account sees the short form.
 */
void
tui_model_divert(char *buf, size_t len, bool utf8)
{
	const char	*arrow = utf8 ? "\xe2\x86\x92" : "->", *fwd = NULL;
	const char	*t;
	int		 i, ndnd = 0, nfwd = 0;
	bool		 same = true;

	buf[0] = '\0';
	for (i = 0; i < tui.naccounts; i++) {
		const struct tui_account *a = &tui.accounts[i];

		ndnd += a->dnd;
		if (a->forward[0] == '\0')
			continue;
		nfwd++;
		if (fwd == NULL)
			fwd = a->forward;
		else if (strcmp(fwd, a->forward) != 0)
			same = false;
	}
	if (ndnd > 0 && ndnd == tui.naccounts)
		tui_model_cat(buf, len, "DND");
	else if (ndnd > 0) {
		tui_model_cat(buf, len, "DND:");
		for (i = 0; i < tui.naccounts; i++) {
			if (tui.accounts[i].dnd)
				tui_model_cat(buf, len, "%s%s", buf[4] != '\0' ?
				    "," : "", tui.accounts[i].name);
		}
	}
	for (i = 0; i < tui.naccounts; i++) {
		const struct tui_account *a = &tui.accounts[i];

		if (a->forward[0] == '\0')
			continue;
		/* The scheme says nothing a person needs here. */
		t = strncmp(a->forward, "sip:", 4) == 0 ? a->forward + 4 :
		    a->forward;
		if (nfwd == tui.naccounts && same) {
			tui_model_cat(buf, len, "%sFWD%s%s", buf[0] != '\0' ?
			    "  " : "", arrow, t);
			break;
		}
		tui_model_cat(buf, len, "%sFWD:%s%s%s", buf[0] != '\0' ?
		    "  " : "", a->name, arrow, t);
	}
}

static void
tui_model_call(const struct event_call *e)
{
	struct tui_call	*c = tui_model_find(e->id);
	uint64_t	 now = util_now_ms();
	char		 name[EVENT_TEXT_MAX], uri[EVENT_TEXT_MAX];
	bool		 was_ringing;
	int		 i;

	/* A call that ends before it was ever shown (a dial refused at
	 * once) is still shown, with why. Placing a call says the user is
	 * at the keyboard: the ended rows have been seen, and go; missed
	 * calls stay until the history is opened or they are cleared. */
	if (c == NULL && e->outgoing && e->state != CALL_TERMINATED)
		tui_model_clear_ended(false);
	if (c == NULL && (c = tui_model_add(e->id)) == NULL)
		return;
	was_ringing = c->state == CALL_INCOMING && c->ended_ms == 0 &&
	    c->bell_ms != 0;
	util_strlcpy(c->account, e->account, sizeof c->account);
	c->outgoing = e->outgoing;
	util_strlcpy(c->remote, e->remote, sizeof c->remote);
	util_strlcpy(c->display, e->display, sizeof c->display);
	if (e->call_id[0] != '\0')
		util_strlcpy(c->call_id, e->call_id, sizeof c->call_id);
	c->state = e->state;
	c->code = e->code;
	util_strlcpy(c->reason, e->reason, sizeof c->reason);
	c->held_by_remote = e->held_by_remote;
	c->muted = e->muted;
	c->recording = e->recording;
	c->conference = e->conference && e->state != CALL_TERMINATED;
	c->transfer = e->transfer;
	c->replaces = e->replaces;
	if (e->refer_to[0] != '\0' && strcmp(c->refer_to, e->refer_to) != 0) {
		char	 y[KEY_STRING_MAX], n[KEY_STRING_MAX];

		/* Said once, where the eye is, with the keys to answer. */
		tui_message(false, "call %d: transfer to %s? %s accept, %s "
		    "refuse", e->id, e->refer_to,
		    tui_keys_for("refer_accept", y, sizeof y) != NULL ? y :
		    ":refer accept", tui_keys_for("refer_refuse", n, sizeof n) !=
		    NULL ? n : ":refer refuse");
	}
	util_strlcpy(c->refer_to, e->refer_to, sizeof c->refer_to);
	c->current = e->current && e->state != CALL_TERMINATED;
	if (c->current) {
		for (i = 0; i < tui.ncalls; i++) {
			if (&tui.calls[i] != c)
				tui.calls[i].current = false;
		}
	}
	if ((e->state == CALL_ESTABLISHED || e->state == CALL_HELD) &&
	    c->answered_ms == 0)
		c->answered_ms = now - (uint64_t)e->duration * 1000;
	if (e->state == CALL_INCOMING && !was_ringing) {
		/* Impossible to miss: the bell now and again while it rings. */
		beep();
		c->bell_ms = now;
	}
	if (e->state == CALL_TERMINATED && c->ended_ms == 0) {
		c->ended_ms = now;
		c->outcome = e->outcome;
		tui.last_ended = *c;
	}
	tui_model_party(c->remote, name, sizeof name, uri, sizeof uri);
	tui_prompt_add_uri(uri);
}

static void
tui_model_media(const struct event_media *m)
{
	struct tui_call	*c = tui_model_find(m->id);

	if (c == NULL)
		return;
	util_strlcpy(c->codec, m->codec, sizeof c->codec);
	c->srtp = m->srtp;
}

static void
tui_model_stats(const struct event_stats *s)
{
	struct tui_call	*c = tui_model_find(s->id);

	if (c == NULL)
		return;
	c->have_stats = true;
	c->rx_packets = s->rx_packets;
	c->lost = s->lost;
	c->jitter_ms = s->jitter_ms;
	c->rtt_ms = s->rtt_ms;
	c->mos = s->mos;
}

void
tui_model_event(const struct event *ev)
{
	const struct event_log	*l;

	switch (ev->kind) {
	case EVENT_REGISTRATION:
		tui_model_registration(&ev->u.reg);
		break;
	case EVENT_CALL:
		tui_model_call(&ev->u.call);
		break;
	case EVENT_MEDIA:
		tui_model_media(&ev->u.media);
		break;
	case EVENT_DTMF:
		tui_model_log(TUI_LINE_INFO, "call %d: DTMF %c %s (%s)",
		    ev->u.dtmf.id, ev->u.dtmf.digit, ev->u.dtmf.outgoing ?
		    "sent" : "received", ev->u.dtmf.info ? "SIP INFO" :
		    "RFC 4733");
		break;
	case EVENT_STATS:
		tui_model_stats(&ev->u.stats);
		break;
	case EVENT_AUDIO:
		tui.in_volume = ev->u.audio.in_volume;
		tui.out_volume = ev->u.audio.out_volume;
		tui.echotest = ev->u.audio.echotest;
		break;
	case EVENT_ERROR:
		if (ev->u.error.command[0] != '\0')
			tui_model_log(TUI_LINE_ERROR, "%s: %s",
			    ev->u.error.command, ev->u.error.message);
		else
			tui_model_log(TUI_LINE_ERROR, "%s", ev->u.error.message);
		break;
	case EVENT_LOG:
		l = &ev->u.log;
		tui_model_log(l->level >= LOG_LEVEL_ERROR ? TUI_LINE_ERROR :
		    l->level == LOG_LEVEL_WARN ? TUI_LINE_WARN : TUI_LINE_INFO,
		    "%s", l->text);
		break;
	case EVENT_TRANSFER:
		if (ev->u.transfer.state == TRANSFER_RINGING)
			tui_model_log(TUI_LINE_INFO, "call %d: transfer target "
			    "ringing", ev->u.transfer.id);
		break;
	case EVENT_STATUS:
		break;		/* the screen always shows the status */
	case EVENT_MESSAGE:
		break;		/* the text is in the log (EVENT_LOG) */
	case EVENT_CONTACT:
		if (strcmp(ev->u.contact.presence, "unknown") != 0 &&
		    ev->u.contact.presence[0] != '\0')
			tui_model_log(TUI_LINE_INFO, "%s <%s>  %s",
			    ev->u.contact.name, ev->u.contact.uri,
			    ev->u.contact.presence);
		else
			tui_model_log(TUI_LINE_INFO, "%s <%s>",
			    ev->u.contact.name, ev->u.contact.uri);
		break;
	case EVENT_HISTORY:
		break;		/* the history view reads the store */
	case EVENT_PRESENCE:
		tui_model_presence_event(&ev->u.presence);
		break;
	case EVENT_MWI: {
		struct tui_account *a = tui_model_account(ev->u.mwi.account);

		if (a != NULL) {
			a->mwi_known = true;
			a->mwi = ev->u.mwi;
		}
		break;
	}
	}
}

/* Once a second: ringing calls ring. Ended calls stay until cleared. */
bool
tui_model_tick(uint64_t now)
{
	struct tui_call	*c;
	bool		 changed = false;
	int		 i;

	for (i = 0; i < tui.ncalls; i++) {
		c = &tui.calls[i];
		if (c->ended_ms == 0 && c->state == CALL_INCOMING &&
		    now - c->bell_ms >= TUI_BELL_MS) {
			beep();
			c->bell_ms = now;
		}
	}
	return changed;
}

struct tui_call *
tui_model_current(void)
{
	int	 i;

	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].current && tui.calls[i].ended_ms == 0)
			return &tui.calls[i];
	}
	return NULL;
}

struct tui_call *
tui_model_ringing(void)
{
	int	 i;

	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].state == CALL_INCOMING &&
		    tui.calls[i].ended_ms == 0)
			return &tui.calls[i];
	}
	return NULL;
}

int
tui_model_live_calls(void)
{
	int	 i, n = 0;

	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].ended_ms == 0)
			n++;
	}
	return n;
}

int
tui_model_ended_calls(void)
{
	return tui.ncalls - tui_model_live_calls();
}

/* The user has seen the ended calls (and MISSED, the missed ones too):
 * they leave the list. */
int
tui_model_clear_ended(bool missed)
{
	int	 i, n = 0;

	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].ended_ms != 0 && (missed ||
		    tui.calls[i].outcome != CALL_OUTCOME_MISSED)) {
			tui_model_remove(i--);
			n++;
		}
	}
	return n;
}
