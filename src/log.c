/*
 * log.c: log file and log events.
 *
 * Two writers share the file: the loop thread (log_msg) and Sofia's stack
 * thread (log_sofia, which carries the SIP trace). A mutex orders whole
 * lines; only the loop thread emits events, because the front end is not
 * thread safe.
 *
 * The log must never fill a disk, whatever the network does (an
 * unreachable DNS server once made Sofia write 900,000 identical lines in
 * ten seconds). Two guards:
 *
 * - Repeats. A line whose text (after the timestamp) was written less
 *   than a minute ago is counted instead of written; the count goes out
 *   as one "(repeated N more times: TEXT)" line once a minute, when a
 *   line not seen lately arrives, and at close. Recent lines are kept in
 *   a small table (LOG_REPEAT_SLOTS, oldest replaced) rather than only
 *   the last one, so that two or three lines taking turns (a retry and
 *   its error) are limited as well as one line is; a token bucket per
 *   line would need the same table and would still let a steady share
 *   through. A line is known by a 64-bit hash of its text, its length and
 *   its first bytes, kept in fixed slots: no allocation per line. SIP
 *   messages of --trace are not limited (their header lines repeat by
 *   nature); the size cap bounds them.
 * - Size. When a line would take the file past the cap (10 MiB, or
 *   TSPHONE_LOG_MAX_BYTES), the file is renamed FILE.1, replacing the old
 *   one, and a new FILE is started: at most twice the cap on disk.
 *
 * The repeat limiter reads a monotonic clock that tests replace
 * (log_set_clock); the timestamps in the file stay wall-clock time.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "trace.h"
#include "util.h"

#define LOG_MAX_BYTES		(10 * 1024 * 1024)
#define LOG_REPEAT_SLOTS	8
#define LOG_REPEAT_MS		60000	/* summary period; memory of a line */
#define LOG_REPEAT_TEXT		160	/* of a line, quoted in its summary */
#define LOG_FRAG_MAX		8192
#define LOG_LINE_MAX		(LOG_FRAG_MAX + 64)	/* with time and tag */

/* A line written lately, and how often it came again since. */
struct log_repeat {
	bool		 used;
	uint64_t	 hash;
	size_t		 len;
	char		 tag[16];
	char		 text[LOG_REPEAT_TEXT];	/* its start, for the summary */
	uint64_t	 last_ms;	/* when it last came */
	uint64_t	 since_ms;	/* first repeat not yet summarised */
	unsigned long	 count;		/* repeats not yet summarised */
};

static FILE		*log_file;
static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t	 log_loop_thread;
static bool		 log_loop_thread_set;
static enum log_level	 log_level = LOG_LEVEL_INFO;
/* SIP messages into the file (--trace); trace.c keeps them anyway. */
static bool		 log_trace = true;

/* The file, its rotation and the repeat table; protected by log_lock. */
static char		*log_path;
static char		*log_path_old;		/* FILE.1 */
static uint64_t		 log_size;
static uint64_t		 log_max = LOG_MAX_BYTES;
static struct log_repeat log_repeats[LOG_REPEAT_SLOTS];
static uint64_t		(*log_clock)(void) = util_now_ms;

/* Sofia fragment assembly; protected by log_lock. */
static char		 log_frag[LOG_FRAG_MAX];
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

/* The cap: TSPHONE_LOG_MAX_BYTES (tests use a small one), else 10 MiB. */
static uint64_t
log_max_bytes(void)
{
	const char		*s = getenv("TSPHONE_LOG_MAX_BYTES");
	char			*end;
	unsigned long long	 v;

	if (s == NULL || *s == '\0')
		return LOG_MAX_BYTES;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || *s == '-')
		return LOG_MAX_BYTES;
	return v;
}

int
log_open(const char *path, char **cause)
{
	struct stat	 sb;
	char		*dir, *slash;
	int		 fd;

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
	pthread_mutex_lock(&log_lock);
	free(log_path);
	free(log_path_old);
	log_path = xstrdup(path);
	xasprintf(&log_path_old, "%s.1", path);
	log_size = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	log_max = log_max_bytes();
	memset(log_repeats, 0, sizeof log_repeats);
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
log_set_clock(uint64_t (*now_ms)(void))
{
	pthread_mutex_lock(&log_lock);
	log_clock = now_ms != NULL ? now_ms : util_now_ms;
	pthread_mutex_unlock(&log_lock);
}

/*
 * The file has reached the cap: FILE becomes FILE.1 and a new FILE is
 * opened. Standard error follows when it was the old file (the screen
 * sends it there). Should that fail, the file is emptied instead: the
 * cap holds either way.
 */
static void
log_rotate(void)
{
	struct stat	 old, sb;
	FILE		*f = NULL;
	int		 fd = -1, error = 0, n;

	fflush(log_file);
	if (fstat(fileno(log_file), &old) != 0)
		memset(&old, 0, sizeof old);
	if (rename(log_path, log_path_old) != 0)
		error = errno;
	else if ((fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1 || (f = fdopen(fd, "a")) == NULL) {
		error = errno;
		if (fd != -1)
			close(fd);
	}
	if (f == NULL) {
		if (ftruncate(fileno(log_file), 0) != 0)
			error = errno;
		n = fprintf(log_file, "log: cannot rotate %s: %s; emptied\n",
		    log_path, strerror(error));
		log_size = n > 0 ? (uint64_t)n : 0;
		return;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	if (fstat(STDERR_FILENO, &sb) == 0 && old.st_ino != 0 &&
	    sb.st_dev == old.st_dev && sb.st_ino == old.st_ino)
		dup2(fd, STDERR_FILENO);
	fclose(log_file);
	log_file = f;
	log_size = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* Write one line with a timestamp, within the cap; log_lock must be held. */
static void
log_write_line(const char *tag, const char *text)
{
	struct timeval	 tv;
	struct tm	 tm;
	char		 ts[32], line[LOG_LINE_MAX];
	size_t		 len;
	int		 n;

	if (log_file == NULL)
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line, sizeof line, "%s.%03ld %s %s\n", ts,
	    (long)(tv.tv_usec / 1000), tag, text);
	if (n < 0)
		return;
	len = (size_t)n;
	if (len >= sizeof line) {
		len = sizeof line - 1;
		line[len - 1] = '\n';
	}
	if (log_size > 0 && log_size + len > log_max)
		log_rotate();
	if (fwrite(line, 1, len, log_file) == len)
		log_size += len;
}

/* FNV-1a over the tag and the text. */
static uint64_t
log_repeat_hash(const char *tag, const char *text, size_t *len)
{
	uint64_t	 h = 14695981039346656037ULL;
	const char	*p;

	for (p = tag; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = text; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	*len = (size_t)(p - text);
	return h;
}

/* Write how often R's line came again since its last summary. */
static void
log_repeat_flush(struct log_repeat *r, uint64_t now)
{
	char	 text[LOG_REPEAT_TEXT + 64];

	if (r->count == 0)
		return;
	snprintf(text, sizeof text, "(repeated %lu more time%s: %s%s)",
	    r->count, r->count == 1 ? "" : "s", r->text,
	    r->len >= sizeof r->text ? "..." : "");
	log_write_line(r->tag, text);
	r->count = 0;
	r->since_ms = now;
}

static void
log_repeat_flush_all(uint64_t now)
{
	size_t	 i;

	for (i = 0; i < nitems(log_repeats); i++)
		log_repeat_flush(&log_repeats[i], now);
}

/*
 * Whether the line is a repeat, to be counted and not written; log_lock
 * must be held. Summaries due are written first, so they come before the
 * line that made them due.
 */
static bool
log_repeat(const char *tag, const char *text)
{
	struct log_repeat	*r, *hit = NULL, *slot = NULL;
	uint64_t		 now = log_clock(), h;
	size_t			 i, len, cmp;

	h = log_repeat_hash(tag, text, &len);
	cmp = len < sizeof r->text - 1 ? len : sizeof r->text - 1;
	for (i = 0; i < nitems(log_repeats); i++) {
		r = &log_repeats[i];
		if (r->count > 0 && now - r->since_ms >= LOG_REPEAT_MS)
			log_repeat_flush(r, now);
		if (r->used && r->hash == h && r->len == len &&
		    strcmp(r->tag, tag) == 0 && memcmp(r->text, text, cmp) == 0)
			hit = r;
	}
	if (hit != NULL && now - hit->last_ms < LOG_REPEAT_MS) {
		if (hit->count++ == 0)
			hit->since_ms = now;
		hit->last_ms = now;
		return true;
	}

	/* A line not seen lately: what was held back goes out before it. */
	log_repeat_flush_all(now);
	slot = hit;
	for (i = 0; slot == NULL && i < nitems(log_repeats); i++) {
		if (!log_repeats[i].used)
			slot = &log_repeats[i];
	}
	if (slot == NULL) {
		slot = &log_repeats[0];
		for (i = 1; i < nitems(log_repeats); i++) {
			if (log_repeats[i].last_ms < slot->last_ms)
				slot = &log_repeats[i];
		}
	}
	slot->used = true;
	slot->hash = h;
	slot->len = len;
	util_strlcpy(slot->tag, tag, sizeof slot->tag);
	util_strlcpy(slot->text, text, sizeof slot->text);
	slot->last_ms = now;
	slot->since_ms = now;
	slot->count = 0;
	return false;
}

/* A line through the repeat limiter; log_lock must be held. */
static void
log_put(const char *tag, const char *text)
{
	if (log_file == NULL)
		return;
	if (!log_repeat(tag, text))
		log_write_line(tag, text);
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL) {
		log_repeat_flush_all(log_clock());
		fclose(log_file);
	}
	log_file = NULL;
	free(log_path);
	free(log_path_old);
	log_path = log_path_old = NULL;
	log_size = 0;
	memset(log_repeats, 0, sizeof log_repeats);
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
	log_put(event_log_level_name(level), text);
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
		if (!trace_feed(log_frag))
			log_put("sip", log_frag);
		else if (log_trace)
			log_write_line("sip", log_frag);
		log_frag_len = 0;
		start = nl + 1;
	}
	pthread_mutex_unlock(&log_lock);
}
