/*
 * event.h: what the core tells a front end. Events are plain data with
 * bounded strings and numeric ids: no pointers into the core and no library
 * types, so a front end (line mode, curses) needs nothing but this header.
 * Events are emitted on the loop thread only.
 */
#ifndef TSP_EVENT_H
#define TSP_EVENT_H

#include <stdbool.h>

enum event_kind {
	EVENT_REGISTRATION,
	EVENT_ERROR,
	EVENT_LOG,
};

enum reg_state {
	REG_UNREGISTERED,
	REG_REGISTERING,
	REG_REGISTERED,
	REG_FAILED,
};

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
};

#define EVENT_NAME_MAX		64
#define EVENT_TEXT_MAX		512

struct event_registration {
	char		 account[EVENT_NAME_MAX];
	enum reg_state	 state;
	int		 code;		/* SIP status, 0 if none */
	char		 reason[EVENT_TEXT_MAX];
	int		 expires;	/* seconds granted, 0 if not registered */
	int		 retry_in;	/* seconds to the next attempt, 0 if none */
};

struct event_error {
	char		 command[EVENT_NAME_MAX];
	char		 message[EVENT_TEXT_MAX];
};

struct event_log {
	enum log_level	 level;
	char		 text[EVENT_TEXT_MAX];
};

struct event {
	enum event_kind	 kind;
	union {
		struct event_registration	reg;
		struct event_error		error;
		struct event_log		log;
	} u;
};

typedef void (*event_h)(const struct event *, void *arg);

/* One sink per process: the active front end. */
void		 event_set_sink(event_h, void *arg);
void		 event_emit(const struct event *);

void		 event_error(const char *command, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

const char	*event_reg_state_name(enum reg_state);
const char	*event_log_level_name(enum log_level);

#endif
