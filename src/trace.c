/*
 * trace.c: a bounded ring of the last SIP messages, rebuilt from the
 * lines Sofia's transport layer logs for each message (TPTAG_LOG):
 *
 *   send 952 bytes to udp/[127.0.0.1]:5060 at 18:01:23.123618:
 *      ------------------------------------------------------------
 *      INVITE sip:bob@example.com SIP/2.0
 *      ...
 *      ------------------------------------------------------------
 *
 * Reading the log format is less tidy than a hook in the transport, but
 * Sofia offers no such hook that sees both directions, and the format has
 * not changed in fifteen years. The ring is bounded by count and by bytes
 * so that a long session cannot grow it; one mutex guards it because the
 * lines come from Sofia's thread and the reader is the loop thread.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trace.h"
#include "util.h"

enum trace_state {
	TRACE_IDLE,		/* between messages */
	TRACE_HEADER,		/* after "send ... bytes ...", before the rule */
	TRACE_BODY,		/* between the two rules */
};

static pthread_mutex_t	 trace_lock = PTHREAD_MUTEX_INITIALIZER;
static bool		 trace_on;

/* The ring: trace_count messages from trace_head on, oldest first. */
static struct trace_msg	 trace_ring[TRACE_MAX_MSGS];
static int		 trace_head;
static int		 trace_count;
static size_t		 trace_bytes;
static unsigned long	 trace_next_seq = 1;

/* The message being assembled. */
static enum trace_state	 trace_state;
static struct trace_msg	 trace_cur;
static char		*trace_buf;
static size_t		 trace_len;
static size_t		 trace_cap;
static bool		 trace_in_headers;
static bool		 trace_cut;

void
trace_enable(bool on)
{
	pthread_mutex_lock(&trace_lock);
	trace_on = on;
	pthread_mutex_unlock(&trace_lock);
}

bool
trace_enabled(void)
{
	bool	 on;

	pthread_mutex_lock(&trace_lock);
	on = trace_on;
	pthread_mutex_unlock(&trace_lock);
	return on;
}

/* A rule of dashes, as Sofia draws around each message. */
static bool
trace_is_rule(const char *s)
{
	size_t	 n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strspn(s, "-");
	return n >= 20 && s[n] == '\0';
}

/* "send N bytes to PEER at HH:MM:SS.UUUUUU:" or "recv ... from ...". */
static bool
trace_parse_header(const char *s, struct trace_msg *m)
{
	char		 what[8], via[8], peer[sizeof m->peer];
	unsigned int	 h, mi, se;
	unsigned long	 n, us;

	if (strncmp(s, "send ", 5) != 0 && strncmp(s, "recv ", 5) != 0)
		return false;
	if (sscanf(s, "%7s %lu bytes %7s %95s at %u:%u:%u.%lu:", what, &n, via,
	    peer, &h, &mi, &se, &us) != 8)
		return false;
	memset(m, 0, sizeof *m);
	m->sent = strcmp(what, "send") == 0;
	util_strlcpy(m->peer, peer, sizeof m->peer);
	snprintf(m->when, sizeof m->when, "%02u:%02u:%02u.%03lu", h % 100,
	    mi % 100, se % 100, (us / 1000) % 1000);
	return true;
}

static void
trace_append(const char *s, size_t n)
{
	if (trace_cut)
		return;
	if (trace_len + n + 1 > TRACE_MSG_MAX) {
		trace_cut = true;
		s = "[... cut]\n";
		n = strlen(s);
	}
	if (trace_len + n + 1 > trace_cap) {
		trace_cap = trace_len + n + 1 < 4096 ? 4096 :
		    (trace_len + n + 1) * 2;
		trace_buf = xrealloc(trace_buf, trace_cap);
	}
	memcpy(trace_buf + trace_len, s, n);
	trace_len += n;
	trace_buf[trace_len] = '\0';
}

/* Call-ID, or its compact form "i", among the headers. */
static void
trace_header_line(const char *s)
{
	const char	*v = NULL;
	size_t		 n;

	if (*s == '\0') {
		trace_in_headers = false;
		return;
	}
	if (strncasecmp(s, "Call-ID:", 8) == 0)
		v = s + 8;
	else if ((s[0] == 'i' || s[0] == 'I') && s[1] == ':')
		v = s + 2;
	if (v == NULL)
		return;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, " \t\r");
	if (n >= sizeof trace_cur.call_id)
		n = sizeof trace_cur.call_id - 1;
	memcpy(trace_cur.call_id, v, n);
	trace_cur.call_id[n] = '\0';
}

static void
trace_drop_oldest(void)
{
	struct trace_msg	*m = &trace_ring[trace_head];

	trace_bytes -= strlen(m->text);
	free(m->text);
	m->text = NULL;
	trace_head = (trace_head + 1) % TRACE_MAX_MSGS;
	trace_count--;
}

/* The message is whole: into the ring, if anyone wants it. */
static void
trace_finish(void)
{
	struct trace_msg	*m;

	trace_state = TRACE_IDLE;
	if (!trace_on || trace_buf == NULL) {
		trace_len = 0;
		return;
	}
	while (trace_count > 0 && (trace_count == TRACE_MAX_MSGS ||
	    trace_bytes + trace_len > TRACE_MAX_BYTES))
		trace_drop_oldest();
	m = &trace_ring[(trace_head + trace_count) % TRACE_MAX_MSGS];
	*m = trace_cur;
	m->seq = trace_next_seq++;
	m->text = xstrndup(trace_buf, trace_len);
	trace_bytes += trace_len;
	trace_count++;
	trace_len = 0;
}

static void
trace_start(const struct trace_msg *header)
{
	trace_cur = *header;
	trace_state = TRACE_HEADER;
	trace_len = 0;
	trace_cut = false;
	trace_in_headers = true;
}

bool
trace_feed(const char *line)
{
	struct trace_msg	 header;
	bool			 mine = true;
	size_t			 n;

	pthread_mutex_lock(&trace_lock);
	switch (trace_state) {
	case TRACE_IDLE:
		if (trace_parse_header(line, &header))
			trace_start(&header);
		else
			mine = false;
		break;
	case TRACE_HEADER:
		if (trace_is_rule(line))
			trace_state = TRACE_BODY;
		else if (trace_parse_header(line, &header))
			trace_start(&header);
		else {
			/* Not a message after all. */
			trace_state = TRACE_IDLE;
			mine = false;
		}
		break;
	case TRACE_BODY:
		if (trace_is_rule(line)) {
			trace_finish();
			break;
		}
		if (trace_parse_header(line, &header)) {
			/* The closing rule went missing: keep what we have. */
			trace_finish();
			trace_start(&header);
			break;
		}
		/* Sofia indents message lines by three blanks. */
		for (n = 0; n < 3 && line[n] == ' '; n++)
			;
		line += n;
		if (!trace_on)
			break;
		if (trace_in_headers)
			trace_header_line(line);
		trace_append(line, strlen(line));
		trace_append("\n", 1);
		break;
	}
	pthread_mutex_unlock(&trace_lock);
	return mine;
}

unsigned long
trace_seq(void)
{
	unsigned long	 seq;

	pthread_mutex_lock(&trace_lock);
	seq = trace_next_seq - 1;
	pthread_mutex_unlock(&trace_lock);
	return seq;
}

int
trace_get(const char *call_id, struct trace_msg **out)
{
	struct trace_msg	*v = NULL, *m;
	int			 i, n = 0;

	pthread_mutex_lock(&trace_lock);
	if (trace_count > 0)
		v = xcalloc((size_t)trace_count, sizeof *v);
	for (i = 0; i < trace_count; i++) {
		m = &trace_ring[(trace_head + i) % TRACE_MAX_MSGS];
		if (call_id != NULL && strcmp(m->call_id, call_id) != 0)
			continue;
		v[n] = *m;
		v[n].text = xstrdup(m->text);
		n++;
	}
	pthread_mutex_unlock(&trace_lock);
	*out = v;
	return n;
}

void
trace_msgs_free(struct trace_msg *v, int n)
{
	int	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

void
trace_clear(void)
{
	pthread_mutex_lock(&trace_lock);
	while (trace_count > 0)
		trace_drop_oldest();
	trace_head = 0;
	free(trace_buf);
	trace_buf = NULL;
	trace_len = trace_cap = 0;
	trace_state = TRACE_IDLE;
	pthread_mutex_unlock(&trace_lock);
}
