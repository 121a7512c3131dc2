/*
 * trace.h: the recent SIP messages, kept whole in memory with their
 * Call-ID, so a front end can show what was said on a call that failed.
 *
 * Sofia prints each message it sends or receives as a header line, a
 * separator, the message lines and a separator, in fragments, on its
 * stack thread; log.c assembles the lines and hands every one to
 * trace_feed(), which recognises the messages and keeps the last few.
 * Everything here is thread safe; nothing here knows Sofia's types.
 */
#ifndef TSP_TRACE_H
#define TSP_TRACE_H

#include <stdbool.h>

#include "event.h"

/* How much is kept: the oldest messages go first. */
#define TRACE_MAX_MSGS		256
#define TRACE_MAX_BYTES		(1024 * 1024)
#define TRACE_MSG_MAX		(64 * 1024)	/* longer messages are cut */

struct trace_msg {
	unsigned long	 seq;		/* 1, 2, ... in arrival order */
	bool		 sent;		/* else received */
	char		 when[16];	/* HH:MM:SS.mmm, Sofia's clock */
	char		 peer[96];	/* udp/[127.0.0.1]:5060 */
	char		 call_id[EVENT_CALL_ID_MAX];	/* "" if none */
	char		*text;		/* the message, lines ending in \n */
};

/* Keep messages (off by default: only the full-screen UI shows them). */
void		 trace_enable(bool);
bool		 trace_enabled(void);
/*
 * Any thread: one line of Sofia's output (without its newline). Returns
 * true when the line belongs to a message dump, which the log file then
 * leaves out unless --trace asked for it.
 */
bool		 trace_feed(const char *line);
/* Messages stored so far; changes whenever one is added. */
unsigned long	 trace_seq(void);
/*
 * Copies of the stored messages whose Call-ID is CALL_ID (every message
 * for NULL), oldest first. Returns how many; *out is freed with
 * trace_msgs_free.
 */
int		 trace_get(const char *call_id, struct trace_msg **out);
void		 trace_msgs_free(struct trace_msg *, int n);
/* Drop everything (at exit, and for tests). */
void		 trace_clear(void);

#endif
