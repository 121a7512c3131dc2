/*
 * log.c: log file and log events.
 *
 * Two writers share the file: the loop thread (log_msg) and Sofia's stack
 * thread (log_sofia, which carries the SIP trace). A mutex orders whole
 * lines; only the loop thread emits events, because the front end is not
 * thread safe.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "trace.h"
#include "util.h"

static FILE		*log_file;
static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t	 log_loop_thread;
static bool		 log_loop_thread_set;
static enum log_level	 log_level = LOG_LEVEL_INFO;
/* SIP messages into the file (--trace); trace.c keeps them anyway. */
static bool		 log_trace = true;

/* Sofia fragment assembly; protected by log_lock. */
static char		 log_frag[8192];
static size_t		 log_frag_len;

char *
log_default_path(void)
{
	const char	*state = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");
	char		*path;

	if (state != NULL && *state == '/')
		xasprintf(&path, "%s/tsphone/tsphone.log", state);
	else
		xasprintf(&path, "%s/.local/state/tsphone/tsphone.log",
		    home != NULL ? home : ".");
	return path;
}

int
log_open(const char *path, char **cause)
{
	char	*dir, *slash;
	int	 fd;

	log_loop_thread = pthread_self();
	log_loop_thread_set = true;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		util_mkdir_p(dir, 0700);
	}
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1 || (log_file = fdopen(fd, "a")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_set_trace(bool on)
{
	pthread_mutex_lock(&log_lock);
	log_trace = on;
	pthread_mutex_unlock(&log_lock);
}

/* Write one line with a timestamp; log_lock must be held. */
static void
log_write_line(const char *tag, const char *text)
{
	struct timeval	 tv;
	struct tm	 tm;
	char		 ts[32];

	if (log_file == NULL)
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(log_file, "%s.%03ld %s %s\n", ts, (long)(tv.tv_usec / 1000),
	    tag, text);
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	struct event	 ev;
	char		 text[EVENT_TEXT_MAX];

	if (level < log_level)
		return;
	/* Without log_open (unit tests), the first caller is the loop. */
	if (!log_loop_thread_set) {
		log_loop_thread = pthread_self();
		log_loop_thread_set = true;
	}
	vsnprintf(text, sizeof text, fmt, ap);

	pthread_mutex_lock(&log_lock);
	log_write_line(event_log_level_name(level), text);
	pthread_mutex_unlock(&log_lock);

	if (level >= LOG_LEVEL_INFO &&
	    pthread_equal(pthread_self(), log_loop_thread)) {
		memset(&ev, 0, sizeof ev);
		ev.kind = EVENT_LOG;
		ev.u.log.level = level;
		util_strlcpy(ev.u.log.text, text, sizeof ev.u.log.text);
		event_emit(&ev);
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/*
 * Digest responses are password-equivalent against an offline guess, so
 * traces show them masked: response="..." becomes response="*". SDES
 * keys in SDP (a=crypto:... inline:KEY) are the call's secrecy: masked.
 */
void
log_mask_secrets(char *line)
{
	static const char *const keys[] = { "response=", "cnonce=" };
	char		*p, *q, *end;
	size_t		 i;

	if (strncasecmp(line, "a=crypto:", 9) == 0) {
		for (p = line; (p = strstr(p, "inline:")) != NULL; ) {
			q = p + 7;
			end = q + strcspn(q, "| \t;\r");
			/* Masking works in place: it must never lengthen. */
			if (end == q) {
				p = q;
				continue;
			}
			memmove(q + 1, end, strlen(end) + 1);
			*q = '*';
			p = q + 1;
		}
		return;
	}
	if (strncasecmp(line, "Authorization:", 14) != 0 &&
	    strncasecmp(line, "Proxy-Authorization:", 20) != 0)
		return;
	for (i = 0; i < nitems(keys); i++) {
		for (p = line; (p = strcasestr(p, keys[i])) != NULL; ) {
			q = p + strlen(keys[i]);
			if (*q == '"') {
				end = strchr(q + 1, '"');
				end = end != NULL ? end + 1 : q + strlen(q);
			} else
				end = q + strcspn(q, ", \t");
			if (end - q < 3) {
				memset(q, '*', (size_t)(end - q));
				p = end;
				continue;
			}
			memmove(q + 3, end, strlen(end) + 1);
			memcpy(q, "\"*\"", 3);
			p = q + 3;
		}
	}
}

void
log_sofia(const char *fmt, va_list ap)
{
	char	 tmp[4096], *nl, *start;
	int	 n;

	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof tmp)
		n = sizeof tmp - 1;

	pthread_mutex_lock(&log_lock);
	start = tmp;
	while (start < tmp + n) {
		size_t	 chunk;

		nl = memchr(start, '\n', (size_t)(tmp + n - start));
		chunk = nl != NULL ? (size_t)(nl - start) : (size_t)(tmp + n - start);
		if (log_frag_len + chunk >= sizeof log_frag)
			chunk = sizeof log_frag - 1 - log_frag_len;
		memcpy(log_frag + log_frag_len, start, chunk);
		log_frag_len += chunk;
		if (nl == NULL)
			break;
		log_frag[log_frag_len] = '\0';
		/* Sofia indents message lines; drop a bare carriage return. */
		if (log_frag_len > 0 && log_frag[log_frag_len - 1] == '\r')
			log_frag[--log_frag_len] = '\0';
		{
			char *line = log_frag;

			while (*line == ' ' || *line == '\t')
				line++;
			log_mask_secrets(line);
		}
		/* Whole messages also go to the trace ring (the screen's
		 * trace view); the file gets them only with --trace. */
		if (!trace_feed(log_frag) || log_trace)
			log_write_line("sip", log_frag);
		log_frag_len = 0;
		start = nl + 1;
	}
	pthread_mutex_unlock(&log_lock);
}
