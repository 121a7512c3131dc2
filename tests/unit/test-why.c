/*
 * test-why.c: the words for the codes a call can end with (sip-why.c):
 * every status a user can see in a call's reason, and Sofia's own (9xx,
 * the local 408 timeout, the local 503 for DNS and transport failures),
 * is said in words, with the code and phrase kept after them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sip-why.h"
#include "tap.h"

/* CODE/PHRASE (LOCAL or not) gives words containing WANT. */
static void
why_has(int code, const char *phrase, bool local, const char *want)
{
	const char	*got = sip_why_call(code, phrase, local);

	ok(got != NULL && strstr(got, want) != NULL, "%d %s%s: \"%s\"", code,
	    phrase, local ? " (local)" : "", want);
	if (got == NULL || strstr(got, want) == NULL)
		printf("#   got \"%s\"\n", got != NULL ? got : "(null)");
}

static void
reason_is(int code, const char *phrase, const char *warning, bool local,
    const char *want)
{
	char	 buf[512];

	sip_why_call_reason(buf, sizeof buf, code, phrase, warning, local);
	is_str(buf, want, "reason for %d %s", code, phrase);
}

/* A message's words: what happened to the text, not to a call. */
static void
test_message_words(void)
{
	char	 mb[256];

	sip_why_message_reason(mb, sizeof mb, 480, "Temporarily Unavailable",
	    NULL, false);
	is_str(mb, "the user is not online (480 Temporarily Unavailable)",
	    "message 480: not online");
	sip_why_message_reason(mb, sizeof mb, 488, "Not Acceptable Here",
	    NULL, false);
	is_str(mb, "the other side does not accept this message (488 Not "
	    "Acceptable Here)", "message 488: no word of codecs");
	sip_why_message_reason(mb, sizeof mb, 408, "Request Timeout", NULL,
	    true);
	is_str(mb, "no answer from the server or the other side (timeout) "
	    "(408 Request Timeout)", "message 408 by the stack: timeout");
	sip_why_message_reason(mb, sizeof mb, 404, "Not Found", NULL, false);
	is_str(mb, "no such user or number (404 Not Found)",
	    "message 404: as for a call");
	sip_why_message_reason(mb, sizeof mb, 503, "Service Unavailable",
	    NULL, true);
	ok(strstr(mb, "cannot reach") != NULL, "message 503 by the stack: "
	    "cannot reach");
	ok(sip_why_message(415, "x", false) != NULL &&
	    strstr(sip_why_message(415, "x", false), "codec") == NULL,
	    "message 415: no word of codecs");
	ok(sip_why_message(200, "OK", false) == NULL, "message 200: no failure");
}

int
main(void)
{
	static const int	 codes[] = { 401, 407, 403, 404, 408, 480, 486,
	    487, 488, 500, 503, 603, 904, 900, 901, 302, 400, 405, 502, 504,
	    580, 600, 604, 606 };
	char			 buf[64];
	size_t			 i;

	why_has(401, "Unauthorized", false, "wrong user name or password");
	why_has(407, "Proxy Authentication Required", false,
	    "wrong user name or password");
	why_has(403, "Forbidden", false, "forbidden");
	why_has(404, "Not Found", false, "no such user or number");
	why_has(408, "Request Timeout", false, "no answer in time");
	why_has(408, "Request Timeout", true, "(timeout)");
	why_has(480, "Temporarily Unavailable", false, "not available");
	why_has(486, "Busy Here", false, "busy");
	why_has(487, "Request Terminated", false, "cancelled");
	why_has(488, "Not Acceptable Here", false, "no common codec");
	why_has(500, "Internal Server Error", false, "server failed");
	why_has(503, "Service Unavailable", false, "service is unavailable");
	why_has(503, "DNS Error", true, "DNS lookup failed");
	why_has(503, "Service Unavailable", true, "cannot reach");
	why_has(603, "Decline", false, "declined");
	why_has(904, "Operation has no matching challenge ", true,
	    "authentication failed: wrong user name or password");
	why_has(900, "Internal error", true, "internal error in the SIP stack");
	why_has(416, "Unsupported URI Scheme", true, "cannot be called");
	why_has(580, "Precondition Failure", false, "server failed");
	why_has(499, "Whatever", false, "refused");
	why_has(699, "Whatever", false, "refused everywhere");
	why_has(302, "Moved Temporarily", false, "redirected");
	ok(sip_why_call(200, "OK", false) == NULL, "200 is no failure");

	/* Nothing a user can see is left without words. */
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const char *w = sip_why_call(codes[i], "x", false);

		snprintf(buf, sizeof buf, "%d", codes[i]);
		ok(w != NULL && *w != '\0' && strstr(w, buf) == NULL,
		    "%d has words of its own", codes[i]);
	}

	reason_is(904, "Operation has no matching challenge ", NULL, true,
	    "authentication failed: wrong user name or password, or a "
	    "challenge tsphone cannot answer (904 Operation has no matching "
	    "challenge)");
	reason_is(486, "Busy Here", NULL, false, "busy (486 Busy Here)");
	reason_is(488, "Not Acceptable Here", "no common codec", false,
	    "no common codec or media (488 Not Acceptable Here: no common "
	    "codec)");
	reason_is(503, "DNS Error", "", true, "DNS lookup failed (503 DNS Error)");
	reason_is(404, NULL, NULL, false, "no such user or number (404)");
	reason_is(200, "OK", NULL, false, "200 OK");

	test_message_words();
	return done_testing();
}
