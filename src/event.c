/*
 * event.c: the event bus (event.h) and the names of event values.
 *
 * Events are copied into a FIFO and delivered by a deferred job, never
 * from inside the emitter: a model that emits while it is still changing
 * state, or while a SIP callback is on the stack, is not called back
 * through an observer before it has finished (tmux's notify queue works
 * the same way). Observers may emit in turn; those events go to the back
 * of the queue, so every observer sees one order.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "loop.h"
#include "util.h"

#define EVENT_OBSERVERS_MAX	8

struct event_observer {
	int		 id;
	event_h		 fn;
	void		*arg;
};

struct event_item {
	struct event		 ev;
	struct event_item	*next;
};

static struct event_observer	 event_obs[EVENT_OBSERVERS_MAX];
static int			 event_nobs;
static int			 event_next_id = 1;
static struct event_item	*event_head;
static struct event_item	**event_tail = &event_head;

int
event_observe(event_h fn, void *arg)
{
	if (event_nobs == EVENT_OBSERVERS_MAX)
		abort();	/* a programming error: the table is static */
	event_obs[event_nobs].id = event_next_id++;
	event_obs[event_nobs].fn = fn;
	event_obs[event_nobs].arg = arg;
	return event_obs[event_nobs++].id;
}

void
event_unobserve(int id)
{
	int	 i;

	for (i = 0; i < event_nobs; i++) {
		if (event_obs[i].id == id) {
			memmove(&event_obs[i], &event_obs[i + 1],
			    sizeof event_obs[0] * (size_t)(event_nobs - i - 1));
			event_nobs--;
			return;
		}
	}
}

static void
event_deliver(void *arg)
{
	(void)arg;
	event_flush();
}

void
event_flush(void)
{
	struct event_item	*it;
	int			 i;

	while ((it = event_head) != NULL) {
		event_head = it->next;
		if (event_head == NULL)
			event_tail = &event_head;
		/* An observer may leave the bus while we deliver. */
		for (i = 0; i < event_nobs; i++)
			event_obs[i].fn(&it->ev, event_obs[i].arg);
		util_wipe(&it->ev, sizeof it->ev);
		free(it);
	}
}

void
event_emit(const struct event *ev)
{
	struct event_item	*it = xmalloc(sizeof *it);

	it->ev = *ev;
	it->next = NULL;
	*event_tail = it;
	event_tail = &it->next;
	loop_defer(event_deliver, NULL);
}

void
event_error(const char *command, const char *fmt, ...)
{
	struct event	 ev;
	va_list		 ap;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_ERROR;
	util_strlcpy(ev.u.error.command, command, sizeof ev.u.error.command);
	va_start(ap, fmt);
	vsnprintf(ev.u.error.message, sizeof ev.u.error.message, fmt, ap);
	va_end(ap);
	event_emit(&ev);
}

const char *
event_reg_state_name(enum reg_state s)
{
	switch (s) {
	case REG_UNREGISTERED:	return "unregistered";
	case REG_REGISTERING:	return "registering";
	case REG_REGISTERED:	return "registered";
	case REG_FAILED:	return "failed";
	}
	return "unknown";
}

const char *
event_call_state_name(enum call_state s)
{
	switch (s) {
	case CALL_INCOMING:	return "incoming";
	case CALL_CALLING:	return "calling";
	case CALL_RINGING:	return "ringing";
	case CALL_EARLY:	return "early";
	case CALL_ESTABLISHED:	return "established";
	case CALL_HELD:		return "held";
	case CALL_TERMINATED:	return "terminated";
	}
	return "unknown";
}

const char *
event_log_level_name(enum log_level l)
{
	switch (l) {
	case LOG_LEVEL_DEBUG:	return "debug";
	case LOG_LEVEL_INFO:	return "info";
	case LOG_LEVEL_WARN:	return "warning";
	case LOG_LEVEL_ERROR:	return "error";
	}
	return "unknown";
}

const char *
event_message_state_name(enum message_state s)
{
	switch (s) {
	case MESSAGE_RECEIVED:	return "received";
	case MESSAGE_SENT:	return "sent";
	case MESSAGE_FAILED:	return "failed";
	case MESSAGE_SENDING:	return "sending";
	}
	return "unknown";
}

const char *
event_transfer_state_name(enum transfer_state s)
{
	switch (s) {
	case TRANSFER_NONE:	return "none";
	case TRANSFER_TRYING:	return "trying";
	case TRANSFER_RINGING:	return "ringing";
	case TRANSFER_DONE:	return "done";
	case TRANSFER_FAILED:	return "failed";
	}
	return "unknown";
}

const char *
event_call_outcome_name(enum call_outcome o)
{
	switch (o) {
	case CALL_OUTCOME_NONE:		return "none";
	case CALL_OUTCOME_ANSWERED:	return "answered";
	case CALL_OUTCOME_MISSED:	return "missed";
	case CALL_OUTCOME_REJECTED:	return "rejected";
	case CALL_OUTCOME_CANCELLED:	return "cancelled";
	case CALL_OUTCOME_FAILED:	return "failed";
	}
	return "unknown";
}

const char *
event_presence_state_name(enum presence_state s)
{
	switch (s) {
	case PRESENCE_UNKNOWN:	return "unknown";
	case PRESENCE_ONLINE:	return "online";
	case PRESENCE_BUSY:	return "busy";
	case PRESENCE_RINGING:	return "ringing";
	case PRESENCE_AWAY:	return "away";
	case PRESENCE_OFFLINE:	return "offline";
	}
	return "unknown";
}

int
event_presence_state_parse(const char *s)
{
	int	 i;

	for (i = PRESENCE_UNKNOWN; i <= PRESENCE_OFFLINE; i++) {
		if (strcmp(s, event_presence_state_name(i)) == 0)
			return i;
	}
	return -1;
}
