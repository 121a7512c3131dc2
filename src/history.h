/*
 * history.h: the call history and the missed-call counter. An observer
 * on the event bus, joined before the front ends: it writes each call
 * event's row, and commits it, before any front end is given that event,
 * so what the user was shown is on disk even if the process is killed
 * the next instant. Without a usable database the phone goes on: the
 * history is off (history_error says why), the counter and redial still
 * work for this run.
 */
#ifndef TSP_HISTORY_H
#define TSP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "event.h"

/* The default number of entries "history" prints. */
#define HISTORY_DEFAULT		20

/*
 * Open the database at PATH (NULL: the default) and join the bus. Always
 * joins: on failure the history is off, *CAUSE says why in words for the
 * user (the caller logs and shows it) and -1 is returned.
 */
int		 history_open(const char *path, char **cause);
void		 history_close(void);
/* Why the history is off, or NULL when it works. */
const char	*history_error(void);

/* Missed calls since the user last looked, and the look. */
int		 history_missed(void);
void		 history_seen(void);

/* Entries in all. */
long long	 history_count(void);
/*
 * Up to MAX entries, newest first, skipping the SKIP newest, into OUT;
 * returns how many, or -1 with *CAUSE.
 */
int		 history_list(long long skip, int max, struct event_history *out,
		    char **cause);
/* Entry N, or -1 with *CAUSE. */
int		 history_get(long long n, struct event_history *,
		    char **cause);
/* The target of the last outgoing call, or -1 with *CAUSE. */
int		 history_last_target(char *buf, size_t len, char **cause);
/*
 * Remotes called or calling, newest first, once each, whose address or
 * name holds TEXT (any case; "" matches all): for completion. Returns
 * how many went to FN, or -1.
 */
int		 history_targets(const char *text, int max,
		    void (*fn)(const char *uri, const char *display, void *),
		    void *arg);

/* "2026-12-05T14:30:55+01:00", local time. */
void		 history_time(time_t, char *buf, size_t len);
/* The URI inside REMOTE ("Name" <sip:x> gives sip:x), and its name. */
void		 history_split(const char *remote, char *uri, size_t ulen,
		    char *display, size_t dlen);
/* Tests: the clock the entries' times come from. */
void		 history_set_clock(time_t (*)(void));

#endif
