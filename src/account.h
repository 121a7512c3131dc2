/*
 * account.h: one configured account and its registration state machine:
 * attempts, refresh results, failures with a reason a person understands,
 * retry with backoff, and the secret used to answer digest challenges.
 * The SIP side lives in sip-reg.c and reports through a handler; every
 * change is published on the event bus (EVENT_REGISTRATION). The
 * account also owns its subscriptions (sub.c: voicemail, presence),
 * started once it registers and ended before it unregisters. No Sofia
 * type here, and nothing above this layer is called.
 */
#ifndef TSP_ACCOUNT_H
#define TSP_ACCOUNT_H

#include <stdbool.h>

#include "event.h"
#include "sip-call.h"

struct conf_account;
struct loop_timer;
struct sip_reg;
struct sub;

struct account {
	int			 id;
	struct conf_account	*conf;

	enum reg_state		 state;
	int			 code;
	char			 reason[EVENT_TEXT_MAX];
	int			 expires;	/* granted by the registrar */
	bool			 is_default;	/* set by the phone (dial's) */
	bool			 mwi_known;	/* a message-summary came */
	struct event_mwi	 mwi;		/* the last one (inbox.c) */

	bool			 want;		/* the user wants it registered */
	bool			 unregistering;	/* an un-REGISTER is out */
	int			 failures;	/* consecutive, for the backoff */
	int			 retry_in;	/* seconds, when a retry is armed */
	/* The failure last written to the log: retries failing the same
	 * way are not written again (events still go out each time). */
	char			 logged_failure[EVENT_TEXT_MAX];
	struct loop_timer	*retry;

	/* Credentials: a password (from the file or password_cmd) or an HA1. */
	char			*password;
	const char		*ha1;
	char			*secret_error;	/* why there is no usable secret */
	struct sip_cred		 cred;		/* points at the three above */

	/*
	 * Do not disturb and forwarding: the account's own setting (from
	 * the config or "dnd on ACCOUNT"), else the global one ("dnd on").
	 */
	int			 dnd_own;	/* -1: the global one, 0, 1 */
	char			*fwd_own;	/* NULL: the global one; "":
						   off; else a request URI */
	char			*fwd_all;	/* the global target as this
						   account resolves it */

	struct sip_reg		*reg;		/* ours; NULL between attempts */
	struct sub		*subs;		/* its subscriptions (sub.c) */
	struct account		*next;
};

struct account	*account_new(int id, struct conf_account *);
void		 account_free(struct account *);

/* User intent: register now (resets the backoff), or unregister. */
void		 account_register(struct account *);
/* Returns true when an un-REGISTER was sent and its answer is awaited. */
bool		 account_unregister(struct account *);
/* No more retries (quitting); the binding stays until unregistered. */
void		 account_stop_retry(struct account *);
/* Quit gave up waiting for the un-REGISTER: forget the handle. */
void		 account_abandon(struct account *);

void		 account_emit(const struct account *);
/* Backoff in seconds after N consecutive failures (N >= 1). */
int		 account_backoff(int failures);

/*
 * The account an incoming request is for, among LIST: the Request-URI's
 * user (Sofia may append "=token" to our Contact user), else the To user,
 * else the first account.
 */
struct account	*account_match(struct account *list, const char *ruri_user,
		    const char *to_user);
struct account	*account_find(struct account *list, const char *name);

/*
 * Do not disturb and forwarding, per account or global. A global change
 * (A NULL: every account of LIST) sets the global setting and drops
 * every account's own one, so that "dnd on" means every account; an
 * account's own setting ("dnd on ACCOUNT", or its config keys at start)
 * wins over the global one until the next global change. TARGET NULL is
 * off; else it is a dial string, resolved per account as dial resolves
 * it (a bare user is one at the account's domain). Registration events
 * follow each change. Not saved: the config gives the starting state.
 */
void		 account_set_dnd(struct account *list, struct account *a,
		    bool on);
int		 account_set_forward(struct account *list, struct account *a,
		    const char *target, char **cause);
bool		 account_dnd(const struct account *);
/* The request URI calls to A are forwarded to, or NULL. */
const char	*account_forward(const struct account *);
/* The global settings, for "status" (the target as typed, or ""). */
bool		 account_dnd_global(void);
const char	*account_forward_global(void);
/* Forget the global settings (phone_free). */
void		 account_reset_global(void);

#endif
