/*
 * sip-pub.h: our presence published to the server (PUBLISH, RFC 3903,
 * Event: presence) for one account (Sofia-free interface).
 *
 * A publication is created for an attempt and freed after a failure or
 * after its removal, so that every attempt starts with clean entity tag
 * and authentication state. The stack refreshes it (SIP-If-Match) and
 * reports each refresh as another SIP_PUB_OK. Results are reported after
 * Sofia's callback has returned, through the handler given at creation;
 * what a result means (retry with the registration's backoff, giving up
 * on a server that does not take PUBLISH) is the core's business
 * (presence.c).
 */
#ifndef TSP_SIP_PUB_H
#define TSP_SIP_PUB_H

#include <stdbool.h>

struct conf_account;
struct sip_cred;
struct sip_pub;

enum sip_pub_result_kind {
	SIP_PUB_OK,		/* published, changed or refreshed */
	SIP_PUB_FAILED,		/* refused, or no answer: it is over */
	SIP_PUB_REMOVED,	/* the PUBLISH with Expires 0 was answered */
};

struct sip_pub_result {
	enum sip_pub_result_kind kind;
	int		 code;		/* final SIP status */
	const char	*phrase;	/* its reason phrase, or NULL */
	const char	*why;		/* our explanation, or NULL */
	bool		 local;		/* made up by the stack, not a server */
	int		 expires;	/* granted, on success */
	int		 retry_after;	/* seconds from Retry-After, or 0 */
};

typedef void (*sip_pub_h)(const struct sip_pub_result *, void *arg);

/*
 * A publication of account CA's presence at its address of record,
 * routed and authenticated as the account's other requests. Nothing is
 * sent yet.
 */
struct sip_pub	*sip_pub_new(const struct conf_account *,
		    const struct sip_cred *, sip_pub_h, void *arg,
		    char **cause);
/*
 * Publish DOC (application/pidf+xml) for EXPIRES seconds: the first
 * PUBLISH, or a new document for the same publication. Returns 0, or -1
 * with *cause.
 */
int		 sip_pub_send(struct sip_pub *, const char *doc, int expires,
		    char **cause);
/* Remove the publication (Expires 0); true when its answer is awaited. */
bool		 sip_pub_end(struct sip_pub *);
/* Done with it: nothing more is reported; the handle goes after. */
void		 sip_pub_free(struct sip_pub *);

#endif
