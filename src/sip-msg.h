/*
 * sip-msg.h: requests outside calls that carry something for the user
 * (Sofia-free interface): an incoming MESSAGE (RFC 3428) and a NOTIFY
 * for "message-summary" (RFC 3842) that arrives without a subscription,
 * as Asterisk sends them. The SIP layer answers them itself (200; 415 for
 * a body that is not UTF-8 text, naming what we take; 413 for a text
 * over SIP_MSG_TEXT_MAX) and reports what came through the handler given
 * before the stack starts, after Sofia's callback has returned. What a
 * report means for an account is the core's business.
 *
 * And our own MESSAGEs: one request (and its handle) per message, routed
 * and authenticated as the account's calls are, its final answer
 * reported through the handler given with it.
 */
#ifndef TSP_SIP_MSG_H
#define TSP_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/* A message-summary body: voice messages only (other classes ignored). */
struct sip_mwi {
	bool		 waiting;	/* Messages-Waiting: yes */
	int		 new_msgs;	/* Voice-Message: NEW/OLD */
	int		 old_msgs;
};

enum sip_msg_kind {
	SIP_MSG_TEXT,		/* a MESSAGE: text, or refused (code) */
	SIP_MSG_MWI,		/* a message-summary NOTIFY: mwi */
};

struct sip_msg_report {
	enum sip_msg_kind kind;
	char		 ruri_user[EVENT_NAME_MAX];	/* Request-URI user */
	char		 to_user[EVENT_NAME_MAX];
	char		 peer[EVENT_TEXT_MAX];		/* "Name" <sip:...> */
	char		 text[EVENT_MESSAGE_MAX];	/* UTF-8, whole */
	int		 code;		/* what we answered */
	char		 reason[EVENT_TEXT_MAX];	/* why, when refused */
	struct sip_mwi	 mwi;
};

typedef void (*sip_msg_h)(const struct sip_msg_report *, void *arg);

/* The longest text we send or take, in bytes (413 beyond). */
#define SIP_MSG_TEXT_MAX	(EVENT_MESSAGE_MAX - 1)
/*
 * A request bigger than this may not go over UDP (RFC 3261 18.1.1, RFC
 * 3428 section 8: no path MTU known); it goes over TCP instead.
 */
#define SIP_MSG_UDP_MAX		1300

/* Where reports go (set before sip_ua_start). */
void	 sip_msg_set_handler(sip_msg_h, void *arg);
/* Once the stack runs: answer MESSAGE and unsolicited NOTIFY ourselves. */
void	 sip_msg_start(void);

struct conf_account;
struct sip_cred;
struct sip_msg_out;

/* The end of one of our MESSAGEs. */
struct sip_msg_result {
	int		 code;		/* the final status (Sofia's own too) */
	char		 reason[EVENT_TEXT_MAX];	/* in words, with the
					   code and phrase; "" for a 2xx */
};
typedef void (*sip_msg_result_h)(const struct sip_msg_result *, void *arg);

/*
 * Send TEXT (UTF-8, at most SIP_MSG_TEXT_MAX bytes) from account CA to
 * TARGET (a dial string, as sip_uri_target takes it), as text/plain;
 * charset=UTF-8. Digest challenges are answered with CRED. A request
 * too big for UDP goes over TCP on a UDP account (its first hop named
 * with ;transport=tcp, for this request only), or is refused when that
 * hop insists on UDP. The answer comes through H, once, after Sofia's
 * callback has returned. NULL with *cause when nothing was sent.
 */
struct sip_msg_out *sip_msg_send(const struct conf_account *,
	    const struct sip_cred *, const char *target, const char *text,
	    sip_msg_result_h, void *arg, char **cause);
/* The request URI TARGET became. */
const char *sip_msg_out_target(const struct sip_msg_out *);
/* Did the request go over TCP for its size? */
bool	 sip_msg_out_tcp(const struct sip_msg_out *);
/*
 * The owner is done with it: no report follows, and the handle is
 * destroyed after its last event (never inside Sofia's callback).
 */
void	 sip_msg_out_free(struct sip_msg_out *);

/*
 * Parse a message-summary body (RFC 3842): 0, or -1 when it has no
 * Messages-Waiting line (the one mandatory line).
 */
int	 sip_msg_mwi_parse(const char *body, size_t len, struct sip_mwi *);
/* Is S (LEN bytes) well-formed UTF-8 (no overlong forms, no surrogates)? */
bool	 sip_msg_utf8(const char *s, size_t len);

#endif
