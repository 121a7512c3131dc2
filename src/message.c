/*
 * message.c: the text messages of this run (message.h).
 *
 * Ours are kept from the request to its final answer only, so that the
 * answer can be told under the message's id with its text; what is kept
 * for good is the store's business (it observes the events). Ids are
 * this run's, from 1, never reused; the store's row numbers are its own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "conf.h"
#include "contacts.h"
#include "event.h"
#include "history.h"
#include "log.h"
#include "message.h"
#include "sip-msg.h"
#include "util.h"

/* Text shown in one log line, at most. */
#define MESSAGE_LOG_TEXT	200

struct message_out {
	int			 id;
	time_t			 time;
	char			 account[EVENT_NAME_MAX];
	char			 peer[EVENT_TEXT_MAX];
	char			*text;
	struct sip_msg_out	*sip;
	struct message_out	*next;
};

static struct message_out	*message_list;
static int			 message_npending;
static int			 message_next_id = 1;

static time_t
message_clock_real(void)
{
	return time(NULL);
}

static time_t (*message_now)(void) = message_clock_real;

void
message_set_clock(time_t (*fn)(void))
{
	message_now = fn != NULL ? fn : message_clock_real;
}

int
message_pending(void)
{
	return message_npending;
}

/* TEXT for one log line: control characters (newlines, escapes) as
 * blanks, so a message cannot forge log lines or drive a terminal; long
 * texts end in "...". */
static void
message_flatten(char *out, size_t size, const char *text)
{
	size_t	 i;

	if (size > MESSAGE_LOG_TEXT)
		size = MESSAGE_LOG_TEXT;
	util_strlcpy(out, text, size);
	for (i = 0; out[i] != '\0'; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	}
	if (strlen(text) >= size && size > 4) {
		/* Cut at a character boundary, then mark it. */
		i = size - 4;
		while (i > 0 && ((unsigned char)out[i] & 0xc0) == 0x80)
			i--;
		memcpy(out + i, "...", 4);
	}
}

/* The name to show for PEER: a contact's, else the one it sent. */
static void
message_display(const char *peer, char *out, size_t len)
{
	const struct contact	*ct;
	char			 uri[EVENT_TEXT_MAX];

	if ((ct = contacts_find_remote(contacts_current(), peer)) != NULL) {
		util_strlcpy(out, ct->name, len);
		return;
	}
	history_split(peer, uri, sizeof uri, out, len);
}

static void
message_emit_out(const struct message_out *m, enum message_state state,
    int code, const char *reason)
{
	struct event	*ev = xcalloc(1, sizeof *ev);

	ev->kind = EVENT_MESSAGE;
	ev->u.message.id = m->id;
	ev->u.message.time = m->time;
	ev->u.message.outgoing = true;
	util_strlcpy(ev->u.message.account, m->account,
	    sizeof ev->u.message.account);
	util_strlcpy(ev->u.message.peer, m->peer, sizeof ev->u.message.peer);
	message_display(m->peer, ev->u.message.display,
	    sizeof ev->u.message.display);
	util_strlcpy(ev->u.message.text, m->text, sizeof ev->u.message.text);
	ev->u.message.state = state;
	ev->u.message.code = code;
	util_strlcpy(ev->u.message.reason, reason != NULL ? reason : "",
	    sizeof ev->u.message.reason);
	event_emit(ev);
	free(ev);
}

static void
message_unlink(struct message_out *m)
{
	struct message_out	**pp;

	for (pp = &message_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			message_npending--;
			return;
		}
	}
}

static void
message_out_free(struct message_out *m)
{
	sip_msg_out_free(m->sip);
	free(m->text);
	free(m);
}

/* The SIP layer's answer to one of ours, after its callback. */
static void
message_result(const struct sip_msg_result *r, void *arg)
{
	struct message_out	*m = arg;

	if (r->code >= 200 && r->code < 300) {
		log_info("message %d to %s: sent (%d)", m->id, m->peer,
		    r->code);
		message_emit_out(m, MESSAGE_SENT, r->code, "");
	} else {
		log_warn("message %d to %s: failed: %s", m->id, m->peer,
		    r->reason);
		message_emit_out(m, MESSAGE_FAILED, r->code, r->reason);
	}
	message_unlink(m);
	message_out_free(m);
}

int
message_send(struct account *a, const char *target, const char *text,
    char **cause)
{
	struct message_out	*m;
	char			 line[MESSAGE_LOG_TEXT];

	if (*text == '\0') {
		*cause = xstrdup("nothing to send: the text is empty");
		return -1;
	}
	if (message_npending >= MESSAGE_PENDING_MAX) {
		xasprintf(cause, "%d messages are waiting for an answer "
		    "already; try again in a moment", message_npending);
		return -1;
	}
	m = xcalloc(1, sizeof *m);
	m->text = xstrdup(text);
	m->sip = sip_msg_send(a->conf, &a->cred, target, text, message_result,
	    m, cause);
	if (m->sip == NULL) {
		free(m->text);
		free(m);
		return -1;
	}
	m->id = message_next_id++;
	m->time = message_now();
	util_strlcpy(m->account, a->conf->name, sizeof m->account);
	util_strlcpy(m->peer, sip_msg_out_target(m->sip), sizeof m->peer);
	m->next = message_list;
	message_list = m;
	message_npending++;
	message_flatten(line, sizeof line, text);
	log_info("message %d to %s from %s%s: %s", m->id, m->peer,
	    a->conf->name, sip_msg_out_tcp(m->sip) ? " (over TCP)" : "", line);
	message_emit_out(m, MESSAGE_SENDING, 0, "");
	return 0;
}

void
message_received(struct account *a, const struct sip_msg_report *r)
{
	struct event	*ev = xcalloc(1, sizeof *ev);
	char		 line[MESSAGE_LOG_TEXT];
	const char	*name = a != NULL ? a->conf->name : "";

	ev->kind = EVENT_MESSAGE;
	ev->u.message.id = message_next_id++;
	ev->u.message.time = message_now();
	util_strlcpy(ev->u.message.account, name, sizeof ev->u.message.account);
	ev->u.message.outgoing = false;
	util_strlcpy(ev->u.message.peer, r->peer, sizeof ev->u.message.peer);
	message_display(r->peer, ev->u.message.display,
	    sizeof ev->u.message.display);
	ev->u.message.code = r->code;
	if (r->code >= 300) {
		ev->u.message.state = MESSAGE_FAILED;
		util_strlcpy(ev->u.message.reason, r->reason,
		    sizeof ev->u.message.reason);
		log_warn("message from %s refused (%d): %s", r->peer, r->code,
		    r->reason);
	} else {
		ev->u.message.state = MESSAGE_RECEIVED;
		util_strlcpy(ev->u.message.text, r->text,
		    sizeof ev->u.message.text);
		util_strlcpy(ev->u.message.reason, "received",
		    sizeof ev->u.message.reason);
		message_flatten(line, sizeof line, r->text);
		log_info("message from %s%s%s: %s", r->peer,
		    a != NULL ? " to " : "", name, line);
	}
	event_emit(ev);
	free(ev);
}

void
message_free_all(void)
{
	struct message_out	*m;

	while ((m = message_list) != NULL) {
		message_list = m->next;
		log_warn("message %d to %s: no answer before quitting",
		    m->id, m->peer);
		message_emit_out(m, MESSAGE_FAILED, 0,
		    "tsphone quit before the answer came");
		message_out_free(m);
	}
	message_npending = 0;
}
