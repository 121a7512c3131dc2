/*
 * fake-sub.c: the SIP layer's subscriptions (sip-sub.h) as a recorder
 * (fakes.h), and the message-summary reader the models use. The test
 * plays the notifier by reporting answers, NOTIFYs and ends to the
 * owner's handler, as the real layer does after Sofia's callback.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "fakes.h"
#include "sip-msg.h"
#include "sip-sub.h"
#include "util.h"

#define FAKE_SUBS_MAX	64

struct sip_sub {
	struct fake_sip_sub	 f;
};

static struct sip_sub	*subs[FAKE_SUBS_MAX + 1];
static int		 nsubs;
bool			 fake_sip_sub_fail_new, fake_sip_sub_fail_send;

struct sip_sub *
sip_sub_new(const struct conf_account *ca, const struct sip_cred *cred,
    const char *target, const char *event, const char *accept,
    sip_sub_h h, void *arg, char **cause)
{
	struct sip_sub	*s;

	(void)cred;
	if (fake_sip_sub_fail_new) {
		fake_sip_sub_fail_new = false;
		*cause = xstrdup("cannot create a SIP handle");
		return NULL;
	}
	if (nsubs == FAKE_SUBS_MAX)
		abort();
	s = xcalloc(1, sizeof *s);
	s->f.n = ++nsubs;
	util_strlcpy(s->f.account, ca->name, sizeof s->f.account);
	util_strlcpy(s->f.target, target != NULL ? target : ca->uri,
	    sizeof s->f.target);
	util_strlcpy(s->f.event, event, sizeof s->f.event);
	util_strlcpy(s->f.accept, accept != NULL ? accept : "",
	    sizeof s->f.accept);
	s->f.handler = h;
	s->f.arg = arg;
	subs[s->f.n] = s;
	return s;
}

int
sip_sub_send(struct sip_sub *s, int expires, char **cause)
{
	if (fake_sip_sub_fail_send) {
		fake_sip_sub_fail_send = false;
		*cause = xstrdup("the SIP stack is shutting down");
		return -1;
	}
	s->f.sends++;
	s->f.expires = expires;
	return 0;
}

bool
sip_sub_end(struct sip_sub *s)
{
	if (s == NULL || s->f.ended || s->f.sends == 0)
		return false;
	s->f.ends++;
	return true;
}

void
sip_sub_free(struct sip_sub *s)
{
	if (s == NULL)
		return;
	if (s->f.freed)
		abort();	/* freed twice */
	s->f.freed = true;
}

struct fake_sip_sub *
fake_sip_sub(int n)
{
	return n >= 1 && n <= nsubs ? &subs[n]->f : NULL;
}

struct fake_sip_sub *
fake_sip_sub_last(void)
{
	return nsubs > 0 ? &subs[nsubs]->f : NULL;
}

int
fake_sip_subs(void)
{
	return nsubs;
}

int
fake_sip_subs_live(void)
{
	int	 i, n = 0;

	for (i = 1; i <= nsubs; i++)
		n += !subs[i]->f.freed;
	return n;
}

void
fake_sip_sub_reset(void)
{
	int	 i;

	for (i = 1; i <= nsubs; i++)
		free(subs[i]);
	nsubs = 0;
}

static void
fake_sip_sub_deliver(struct fake_sip_sub *f, const struct sip_sub_report *r)
{
	if (f->freed)
		abort();	/* a report after the owner let go */
	if (r->kind == SIP_SUB_ENDED)
		f->ended = true;
	f->handler(r, f->arg);
	fake_loop_run();
}

void
fake_sip_sub_answer(struct fake_sip_sub *f, int code, int expires)
{
	struct sip_sub_report	 r;

	memset(&r, 0, sizeof r);
	r.kind = SIP_SUB_ANSWER;
	r.code = code;
	r.phrase = code == 202 ? "Accepted" : "OK";
	r.state = code == 202 ? SIP_SUB_PENDING : SIP_SUB_ACTIVE;
	r.expires = expires;
	fake_sip_sub_deliver(f, &r);
}

void
fake_sip_sub_notify(struct fake_sip_sub *f, enum sip_sub_state state,
    const char *reason, int retry_after, const char *ctype, const char *body)
{
	struct sip_sub_report	 r;

	memset(&r, 0, sizeof r);
	r.kind = SIP_SUB_NOTIFY;
	r.state = state;
	r.reason = reason;
	r.retry_after = retry_after;
	r.content_type = ctype;
	r.body = body;
	r.body_len = body != NULL ? strlen(body) : 0;
	fake_sip_sub_deliver(f, &r);
	if (state == SIP_SUB_TERMINATED && !f->freed)
		fake_sip_sub_ended(f, 0, NULL, reason, retry_after);
}

void
fake_sip_sub_ended(struct fake_sip_sub *f, int code, const char *phrase,
    const char *reason, int retry_after)
{
	struct sip_sub_report	 r;

	memset(&r, 0, sizeof r);
	r.kind = SIP_SUB_ENDED;
	r.code = code;
	r.phrase = phrase;
	r.state = SIP_SUB_TERMINATED;
	r.reason = reason;
	r.retry_after = retry_after;
	fake_sip_sub_deliver(f, &r);
}

/* message-summary, enough for the models: Messages-Waiting, and
 * Voice-Message: NEW/OLD. */
int
sip_msg_mwi_parse(const char *body, size_t len, struct sip_mwi *m)
{
	char		 buf[1024];
	const char	*p;

	memset(m, 0, sizeof *m);
	if (body == NULL || len >= sizeof buf)
		return -1;
	memcpy(buf, body, len);
	buf[len] = '\0';
	if ((p = strcasestr(buf, "Messages-Waiting:")) == NULL)
		return -1;
	p += 17;
	while (*p == ' ')
		p++;
	if (strncasecmp(p, "yes", 3) == 0)
		m->waiting = true;
	else if (strncasecmp(p, "no", 2) != 0)
		return -1;
	if ((p = strcasestr(buf, "Voice-Message:")) != NULL &&
	    sscanf(p + 14, "%d/%d", &m->new_msgs, &m->old_msgs) != 2)
		m->new_msgs = m->old_msgs = 0;
	return 0;
}
