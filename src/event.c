/*
 * event.c: delivery of core events to the front end, and their names.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "util.h"

static event_h	 event_sink;
static void	*event_sink_arg;

void
event_set_sink(event_h sink, void *arg)
{
	event_sink = sink;
	event_sink_arg = arg;
}

void
event_emit(const struct event *ev)
{
	if (event_sink != NULL)
		event_sink(ev, event_sink_arg);
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
