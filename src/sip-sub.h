/*
 * sip-sub.h: subscriptions we hold, as a subscriber (RFC 6665): one
 * SUBSCRIBE dialog per handle, for an event package (message-summary,
 * presence), refreshed by the stack, its NOTIFYs answered and reported,
 * ended with an un-SUBSCRIBE (Sofia-free interface).
 *
 * Every report is made after Sofia's callback has returned, through the
 * handler given at creation; what a report means for the user (counts,
 * states, when to try again with the registration's backoff) is the
 * core's business (sub.c). A subscription is freed by its owner with
 * sip_sub_free, from its handler too (the report being delivered holds
 * it): the stack's handle is destroyed only after that report has
 * returned, never inside Sofia's callback.
 */
#ifndef TSP_SIP_SUB_H
#define TSP_SIP_SUB_H

#include <stdbool.h>
#include <stddef.h>

struct conf_account;
struct sip_cred;
struct sip_sub;

enum sip_sub_report_kind {
	SIP_SUB_ANSWER,		/* the SUBSCRIBE (or a refresh) was answered */
	SIP_SUB_NOTIFY,		/* a NOTIFY came, and was answered 200 */
	SIP_SUB_ENDED,		/* over: refused, terminated by the notifier,
				   a refresh failed, or our un-SUBSCRIBE done */
};

/* Subscription-State (RFC 6665 section 8.2.3). */
enum sip_sub_state {
	SIP_SUB_PENDING,
	SIP_SUB_ACTIVE,
	SIP_SUB_TERMINATED,
};

struct sip_sub_report {
	enum sip_sub_report_kind kind;
	int		 code;		/* SIP status of the SUBSCRIBE, or 0 */
	const char	*phrase;	/* its reason phrase, or NULL */
	const char	*why;		/* our explanation, or NULL */
	enum sip_sub_state state;
	const char	*reason;	/* Subscription-State reason, or NULL */
	int		 retry_after;	/* seconds (retry-after or Retry-After),
					   0 if none */
	int		 expires;	/* seconds granted, 0 if none */
	const char	*content_type;	/* of a NOTIFY body, or NULL */
	const char	*body;		/* NUL-terminated copy, or NULL */
	size_t		 body_len;
};

typedef void (*sip_sub_h)(const struct sip_sub_report *, void *arg);

/*
 * A subscription of account CA to EVENT at TARGET (a request URI; NULL:
 * the account's own address of record, as for message-summary), taking
 * ACCEPT (a media type list), routed and authenticated as the account's
 * other requests. Nothing is sent yet.
 */
struct sip_sub *sip_sub_new(const struct conf_account *ca,
	    const struct sip_cred *, const char *target, const char *event,
	    const char *accept, sip_sub_h, void *arg, char **cause);
/* Send the SUBSCRIBE (EXPIRES seconds). Returns 0, or -1 with *cause. */
int	 sip_sub_send(struct sip_sub *, int expires, char **cause);
/* Send an un-SUBSCRIBE; true when its end is awaited (SIP_SUB_ENDED). */
bool	 sip_sub_end(struct sip_sub *);
/* Done with it: nothing more is reported; the stack's handle goes after. */
void	 sip_sub_free(struct sip_sub *);

#endif
