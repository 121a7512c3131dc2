/*
 * sip-why.h: SIP status codes, and the codes Sofia makes up itself
 * (9xx, a local 408 timeout, a local 503 for DNS or transport failures),
 * in plain words, for the reasons a user reads in call events.
 * Sofia-free.
 */
#ifndef TSP_SIP_WHY_H
#define TSP_SIP_WHY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Why a call attempt ended with CODE (the final answer to our INVITE):
 * words for the user, or NULL for a success. PHRASE is the reason
 * phrase (Sofia's local 503s are told apart by it); LOCAL says the stack
 * made the answer up rather than a server or the peer.
 */
const char	*sip_why_call(int code, const char *phrase, bool local);

/*
 * The reason shown for a failed call: "WORDS (CODE PHRASE)", with the
 * peer's Warning text after the phrase when there is one
 * ("WORDS (CODE PHRASE: WARNING)").
 */
void		 sip_why_call_reason(char *buf, size_t len, int code,
		    const char *phrase, const char *warning, bool local);

/* The same for one of our MESSAGEs (RFC 3428), in a message's words. */
const char	*sip_why_message(int code, const char *phrase, bool local);
void		 sip_why_message_reason(char *buf, size_t len, int code,
		    const char *phrase, const char *warning, bool local);

#endif
