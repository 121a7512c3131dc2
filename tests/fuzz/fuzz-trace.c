/*
 * fuzz-trace.c: SIP messages from the network as the log sees them
 * (src/log.c, src/trace.c). Sofia's transport prints every message it
 * sends or receives; log_sofia() assembles the fragments into lines,
 * masks secrets in place (log_mask_secrets: digest responses, a=crypto
 * keys) and hands the lines to trace_feed(), which rebuilds the messages
 * for the trace view. A peer chooses every byte of what it sends us.
 *
 * The input is text, fed two ways:
 *   - each line, in a heap block of exactly its size, to
 *     log_mask_secrets: masking works in place, so it must never make a
 *     line longer, and no key may survive it;
 *   - the whole input to log_sofia, in fragments whose size byte 0 picks
 *     (Sofia prints in pieces), then a newline, with the trace ring on;
 *     what the ring holds must be well formed. The ring is cleared after
 *     each input.
 * Seeds look like Sofia's "recv N bytes from ... at ...:" dumps.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "trace.h"

#include "fuzz.h"

static void
fuzz_trace_sofia(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_sofia(fmt, ap);
	va_end(ap);
}

static void
fuzz_trace_mask(const char *line, size_t len)
{
	char	*buf = fuzz_str((const uint8_t *)line, len);
	char	*p;

	log_mask_secrets(buf);
	FUZZ_CHECK(strlen(buf) <= len);
	if (strncasecmp(buf, "a=crypto:", 9) == 0) {
		/* A key is masked; an empty one has nothing to hide. */
		for (p = buf; (p = strstr(p, "inline:")) != NULL; p += 7)
			FUZZ_CHECK(p[7] == '*' || strchr("| \t;\r", p[7]) != NULL);
	}
	free(buf);
}

static void
fuzz_trace_check_ring(void)
{
	struct trace_msg	*v;
	int			 n, i, m;

	n = trace_get(NULL, &v);
	FUZZ_CHECK(n >= 0 && n <= TRACE_MAX_MSGS);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(v[i].text != NULL);
		FUZZ_CHECK(strlen(v[i].text) < TRACE_MSG_MAX);
		FUZZ_CHECK_STR(v[i].when);
		FUZZ_CHECK_STR(v[i].peer);
		FUZZ_CHECK_STR(v[i].call_id);
	}
	if (n > 0) {
		struct trace_msg	*w;

		m = trace_get(v[0].call_id, &w);
		FUZZ_CHECK(m >= 1 && m <= n);
		trace_msgs_free(w, m);
	}
	trace_msgs_free(v, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*text, *line, *nl;
	char		*copy;
	size_t		 chunk, off, len;

	trace_enable(true);
	copy = fuzz_str(data, size);
	text = copy;
	len = strlen(text);		/* a NUL ends the text, as in C */

	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		fuzz_trace_mask(line, (size_t)(nl - line));
		if (*nl == '\0')
			break;
	}

	chunk = size > 0 ? 1 + (size_t)data[0] * 23 : 1;
	for (off = 0; off < len; off += chunk) {
		int	 n = (int)(len - off < chunk ? len - off : chunk);

		fuzz_trace_sofia("%.*s", n, text + off);
	}
	fuzz_trace_sofia("\n");
	fuzz_trace_check_ring();
	trace_clear();
	free(copy);
	return 0;
}
