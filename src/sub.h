/*
 * sub.h: the subscriptions an account holds as a subscriber (RFC 6665):
 * its voicemail notices (message-summary, RFC 3842; "mwi" in the config)
 * and the presence of the addresses it watches (RFC 3856; "watch", and
 * contacts marked presence=yes). Each one is started once the account
 * can send requests (registered, or never registering), retried after a
 * failure with the registration's backoff, and ended with an
 * un-SUBSCRIBE when the account unregisters or the phone quits. What
 * comes is published on the bus (EVENT_MWI, EVENT_PRESENCE). The SIP side
 * is sip-sub.h; no Sofia type here.
 */
#ifndef TSP_SUB_H
#define TSP_SUB_H

#include <stdbool.h>

#include "event.h"

struct account;
struct loop_timer;
struct sip_sub;

enum sub_kind {
	SUB_MWI,		/* message-summary at the account (or mwi URI) */
	SUB_PRESENCE,		/* presence of a watched URI */
};

enum sub_phase {
	SUB_IDLE,		/* waiting for the account to register */
	SUB_SUBSCRIBING,	/* a SUBSCRIBE is out */
	SUB_ACTIVE,		/* accepted (pending or active) */
	SUB_RETRY,		/* ended; a new one when the timer fires */
	SUB_STOPPED,		/* given up (refused for good, or ended by
				   us) until asked again */
	SUB_ENDING,		/* our un-SUBSCRIBE is out */
};

struct sub {
	struct account		*a;		/* the owner */
	enum sub_kind		 kind;
	char			*uri;		/* the request URI; for MWI
						   NULL: the account's */
	enum sub_phase		 phase;
	struct sip_sub		*ss;		/* the SIP side, while one runs */
	int			 failures;	/* in a row, for the backoff */
	int			 retry_in;	/* seconds, when SUB_RETRY */
	struct loop_timer	*retry;
	bool			 removing;	/* unwatched: freed once ended */
	bool			 by_contact;	/* a contact's presence=yes */
	char			 reason[EVENT_TEXT_MAX];	/* the last end */
	enum presence_state	 presence;	/* SUB_PRESENCE: as notified */
	char			 note[EVENT_TEXT_MAX];
	struct sub		*next;
};

/* Seconds asked for in SUBSCRIBE (the stack refreshes before the end). */
#define SUB_EXPIRES		600
/* The longest Retry-After (or retry-after) we wait for. */
#define SUB_RETRY_AFTER_MAX	3600

/* Called (after the report) when an un-SUBSCRIBE we sent is over. */
void	 sub_set_ended_handler(void (*)(void *), void *arg);

/* The account's configured subscriptions (mwi), not started yet. */
void	 sub_account_init(struct account *);
/*
 * The account can send requests now (it registered, or it never
 * registers): start what waits, and retry what failed at once.
 */
void	 sub_account_start(struct account *);
/* No retry timer may fire any more (quitting). */
void	 sub_account_stop_retry(struct account *);
/*
 * Un-SUBSCRIBE everything the account holds (unregister, quit); true
 * when answers are awaited (sub_account_ending says until when).
 */
bool	 sub_account_stop(struct account *);
bool	 sub_account_ending(const struct account *);
/* Quit gave up waiting for the answers: forget the handles. */
void	 sub_account_abandon(struct account *);
void	 sub_account_free(struct account *);

/*
 * Watch URI's presence from account A ("watch"); watching it again is no
 * error (a watch that was given up is started again). 0, or -1 + *cause.
 */
int	 sub_watch(struct account *, const char *uri, char **cause);
/* Stop watching ("unwatch"): un-SUBSCRIBE, and forget it. */
int	 sub_unwatch(struct account *, const char *uri, char **cause);
/* A's watch of URI (as given or as resolved), or NULL. */
struct sub *sub_find(struct account *, enum sub_kind, const char *uri);
/* A "presence" event for each of A's watches (status). */
void	 sub_emit_all(const struct account *);
/*
 * The presence of REMOTE ("Name" <sip:user@host> or a URI) as watched by
 * any account of LIST (same user and host), or PRESENCE_UNKNOWN with
 * *WATCHED false (WATCHED may be NULL).
 */
enum presence_state sub_presence_of(struct account *list, const char *remote,
	    bool *watched);
/* Do two addresses name the same user at the same host? */
bool	 sub_same_address(const char *a, const char *b);

#endif
