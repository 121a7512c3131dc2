/*
 * inbox.c: text messages and voicemail notices as the user sees them:
 * a line in the log and an event on the bus for each. The SIP layer has
 * answered them already (sip-msg.c); nothing here is stored beyond the
 * last voicemail count of an account.
 */
#include "config.h"

#include <string.h>

#include "account.h"
#include "conf.h"
#include "event.h"
#include "inbox.h"
#include "log.h"
#include "sip-msg.h"
#include "util.h"

/* TEXT for one log line: control characters (newlines, escapes) as
 * blanks, so a message cannot forge log lines or drive a terminal. */
static void
inbox_flatten(char *out, size_t size, const char *text)
{
	size_t	 i;

	util_strlcpy(out, text, size);
	for (i = 0; out[i] != '\0'; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	}
}

void
inbox_emit_mwi(const struct account *a)
{
	struct event	 ev;

	if (a == NULL || !a->mwi_known)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_MWI;
	ev.u.mwi = a->mwi;
	util_strlcpy(ev.u.mwi.account, a->conf->name, sizeof ev.u.mwi.account);
	event_emit(&ev);
}

static void
inbox_message(struct account *a, const struct sip_msg_report *r)
{
	struct event	 ev;
	char		 line[EVENT_TEXT_MAX];
	const char	*name = a != NULL ? a->conf->name : "";

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_MESSAGE;
	util_strlcpy(ev.u.message.account, name, sizeof ev.u.message.account);
	ev.u.message.outgoing = false;
	util_strlcpy(ev.u.message.peer, r->peer, sizeof ev.u.message.peer);
	ev.u.message.code = r->code;
	if (r->code >= 300) {
		ev.u.message.state = MESSAGE_FAILED;
		util_strlcpy(ev.u.message.reason, r->reason,
		    sizeof ev.u.message.reason);
		log_warn("message from %s refused (%d): %s", r->peer, r->code,
		    r->reason);
	} else {
		ev.u.message.state = MESSAGE_RECEIVED;
		util_strlcpy(ev.u.message.text, r->text,
		    sizeof ev.u.message.text);
		util_strlcpy(ev.u.message.reason, "received",
		    sizeof ev.u.message.reason);
		inbox_flatten(line, sizeof line, r->text);
		log_info("message from %s%s%s: %s", r->peer,
		    a != NULL ? " to " : "", name, line);
	}
	event_emit(&ev);
}

static void
inbox_mwi(struct account *a, const struct sip_msg_report *r)
{
	if (a == NULL) {
		log_warn("voicemail notice from %s for no account", r->peer);
		return;
	}
	a->mwi_known = true;
	a->mwi.waiting = r->mwi.waiting;
	a->mwi.new_msgs = r->mwi.new_msgs;
	a->mwi.old_msgs = r->mwi.old_msgs;
	log_info("voicemail for %s: %s, %d new, %d old", a->conf->name,
	    r->mwi.waiting ? "messages waiting" : "none waiting",
	    r->mwi.new_msgs, r->mwi.old_msgs);
	inbox_emit_mwi(a);
}

void
inbox_report(struct account *a, const struct sip_msg_report *r)
{
	switch (r->kind) {
	case SIP_MSG_TEXT:
		inbox_message(a, r);
		break;
	case SIP_MSG_MWI:
		inbox_mwi(a, r);
		break;
	}
}
