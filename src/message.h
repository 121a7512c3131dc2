/*
 * message.h: text messages (SIP MESSAGE, RFC 3428) as the user sees
 * them: ours from "message TARGET TEXT", sending and then sent or failed
 * with the code and words; theirs, received (or refused by the SIP layer:
 * 415, 413). Each is a "message" event on the bus, which the store
 * (messages-store.h), the hooks and the front ends observe. No Sofia
 * type here; the SIP side is sip-msg.h.
 */
#ifndef TSP_MESSAGE_H
#define TSP_MESSAGE_H

#include <time.h>

struct account;
struct sip_msg_report;

/* Our messages waiting for their answer, at most. */
#define MESSAGE_PENDING_MAX	64

/*
 * Send TEXT from account A to TARGET (a dial string; a contact's name
 * is the caller's to resolve). Returns 0 once the request is out (a
 * "sending" event, then "sent" or "failed" under the same id), or -1
 * with *cause when nothing was sent (empty, too large, not UTF-8, a bad
 * target, too many under way).
 */
int	 message_send(struct account *a, const char *target, const char *text,
	    char **cause);
/* A MESSAGE the SIP layer answered, for account A (NULL: none matched). */
void	 message_received(struct account *a, const struct sip_msg_report *);
/* Messages still waiting for an answer. */
int	 message_pending(void);
/* Quitting: give them up, each a "failed" event (no answer came). */
void	 message_free_all(void);
/* Tests: the clock the messages' times come from. */
void	 message_set_clock(time_t (*)(void));

#endif
