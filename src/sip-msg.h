/*
 * sip-msg.h: requests outside calls that carry something for the user
 * (Sofia-free interface): an incoming MESSAGE (RFC 3428) and a NOTIFY
 * for "message-summary" (RFC 3842) that arrives without a subscription,
 * as Asterisk sends them. The SIP layer answers them itself (200, or 415
 * for a body that is not UTF-8 text) and reports what came through the
 * handler given before the stack starts, after Sofia's callback has
 * returned. What a report means for an account is the core's business.
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
	char		 text[EVENT_TEXT_MAX];		/* UTF-8, may be cut */
	int		 code;		/* what we answered */
	char		 reason[EVENT_TEXT_MAX];	/* why, when refused */
	struct sip_mwi	 mwi;
};

typedef void (*sip_msg_h)(const struct sip_msg_report *, void *arg);

/* Where reports go (set before sip_ua_start). */
void	 sip_msg_set_handler(sip_msg_h, void *arg);
/* Once the stack runs: answer MESSAGE and unsolicited NOTIFY ourselves. */
void	 sip_msg_start(void);

/*
 * Parse a message-summary body (RFC 3842): 0, or -1 when it has no
 * Messages-Waiting line (the one mandatory line).
 */
int	 sip_msg_mwi_parse(const char *body, size_t len, struct sip_mwi *);
/* Is S (LEN bytes) well-formed UTF-8 (no overlong forms, no surrogates)? */
bool	 sip_msg_utf8(const char *s, size_t len);

#endif
