/*
 * sip-why.c: why a call failed, in words. Registration failures have
 * their own words (sip-reg.c), since there the other side is always the
 * registrar; here it may be a proxy, a gateway or the callee, so the
 * words say what happened to the call. The code itself stays in the
 * event's "code"; the words lead the reason and the code and phrase
 * follow in brackets, so nothing the server said is lost.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sip-why.h"

const char *
sip_why_call(int code, const char *phrase, bool local)
{
	if (code < 300)
		return NULL;
	switch (code) {
	case 401:
	case 407:
		return "wrong user name or password";
	case 403:
		return "forbidden: the server refuses this call";
	case 404:
		return "no such user or number";
	case 408:
		return local ? "no answer from the server or the other side "
		    "(timeout)" : "no answer in time";
	case 410:
		return "this user or number is gone";
	case 415:
	case 488:
		return "no common codec or media";
	case 416:
		return "this kind of address cannot be called (sips: needs "
		    "TLS)";
	case 420:
		return "the other side lacks an extension the call needs";
	case 480:
		return "not available right now";
	case 482:
	case 483:
		return "the call went round in a loop";
	case 484:
		return "the number or address is incomplete";
	case 485:
		return "the address is ambiguous";
	case 486:
		return "busy";
	case 487:
		return "cancelled";
	case 500:
		return "the server failed (internal error)";
	case 501:
		return "the other side cannot take calls";
	case 502:
		return "a server further on failed (bad gateway)";
	case 503:
		if (local && phrase != NULL && strcasestr(phrase, "DNS") != NULL)
			return "DNS lookup failed";
		return local ? "cannot reach the server or the other side" :
		    "the service is unavailable";
	case 504:
		return "a server further on did not answer in time";
	case 600:
		return "busy everywhere";
	case 603:
		return "declined";
	case 604:
		return "no such user or number anywhere";
	case 606:
		return "no common codec or media anywhere";
	case 904:
		return "authentication failed: wrong user name or password, "
		    "or a challenge tsphone cannot answer";
	}
	if (code >= 900)
		return "internal error in the SIP stack";
	if (code >= 600)
		return "refused everywhere";
	if (code >= 500)
		return "the server failed";
	if (code >= 400)
		return "refused";
	return "redirected elsewhere (not followed)";
}

/* "WHY (CODE PHRASE: WARNING)", or without WHY "CODE PHRASE: WARNING". */
static void
sip_why_format(char *buf, size_t len, const char *why, int code,
    const char *phrase, const char *warning)
{
	size_t		 plen;

	if (phrase == NULL)
		phrase = "";
	/* Sofia's own phrases can end in a blank. */
	plen = strlen(phrase);
	while (plen > 0 && phrase[plen - 1] == ' ')
		plen--;
	if (warning != NULL && *warning == '\0')
		warning = NULL;
	if (why == NULL)
		snprintf(buf, len, "%d%s%.*s%s%s", code, plen > 0 ? " " : "",
		    (int)plen, phrase, warning != NULL ? ": " : "",
		    warning != NULL ? warning : "");
	else
		snprintf(buf, len, "%s (%d%s%.*s%s%s)", why, code,
		    plen > 0 ? " " : "", (int)plen, phrase,
		    warning != NULL ? ": " : "", warning != NULL ? warning : "");
}

void
sip_why_call_reason(char *buf, size_t len, int code, const char *phrase,
    const char *warning, bool local)
{
	sip_why_format(buf, len, sip_why_call(code, phrase, local), code,
	    phrase, warning);
}

/*
 * A message is not a call: where a call's words speak of codecs or of
 * calling, a message's say what happened to the text; the rest (a user
 * that does not exist, a timeout, a server that cannot be reached) reads
 * the same.
 */
const char *
sip_why_message(int code, const char *phrase, bool local)
{
	switch (code) {
	case 403:
		return "forbidden: the server refuses this message";
	case 405:
	case 501:
		return "the other side does not take messages";
	case 408:
		return local ? "no answer from the server or the other side "
		    "(timeout)" : "the message timed out further on";
	case 413:
		return "the message is too large for the other side";
	case 415:
		return "the other side does not take this kind of text";
	case 480:
		return "the user is not online";
	case 486:
	case 600:
		return "busy";
	case 488:
	case 606:
		return "the other side does not accept this message";
	case 603:
		return "declined";
	}
	return sip_why_call(code, phrase, local);
}

void
sip_why_message_reason(char *buf, size_t len, int code, const char *phrase,
    const char *warning, bool local)
{
	sip_why_format(buf, len, sip_why_message(code, phrase, local), code,
	    phrase, warning);
}
