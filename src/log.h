/*
 * log.h: the log file, and log lines as events for the front end.
 *
 * The log never goes to the terminal: lines are written to the log file
 * and, at info level and above, handed to the front end as EVENT_LOG. The
 * SIP trace and Sofia's own messages arrive on Sofia's stack thread in
 * fragments; log_sofia() assembles them into lines (file only).
 */
#ifndef TSP_LOG_H
#define TSP_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/*
 * Open PATH (created 0600, parent directories 0700). Past 10 MiB (or
 * $TSPHONE_LOG_MAX_BYTES, read here) it is renamed PATH.1 and started
 * again; a line repeated within a minute is counted, not written again.
 */
int	 log_open(const char *path, char **cause);
void	 log_close(void);
/* $XDG_STATE_HOME/tsphone/tsphone.log or ~/.local/state/tsphone/tsphone.log */
char	*log_default_path(void);
void	 log_set_level(enum log_level);
/* Whether SIP messages Sofia prints go into the file (--trace). */
void	 log_set_trace(bool);
/* The monotonic clock of the repeat limiter, in ms (tests); NULL: the
 * real one. */
void	 log_set_clock(uint64_t (*now_ms)(void));

void	 log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_vmsg(enum log_level, const char *fmt, va_list);
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

/* Any thread: a fragment of Sofia's output (vsnprintf'ed here). */
void	 log_sofia(const char *fmt, va_list);
/* Mask digest responses and similar in a trace line, in place. */
void	 log_mask_secrets(char *line);

#endif
