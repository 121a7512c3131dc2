/*
 * phone.h: the core as a whole: accounts, the SIP user agent and the
 * orderly start and quit of both. Command handlers and main() call these;
 * nothing here knows about a front end.
 */
#ifndef TSP_PHONE_H
#define TSP_PHONE_H

#include <stdbool.h>

struct account;
struct conf;

struct phone_opts {
	const char	*default_account;	/* -a, or NULL */
	bool		 trace;			/* --trace */
	const char	*target;		/* TARGET: dial once registered */
};

/* Take ownership of CONF and start the user agent. */
int	 phone_start(struct conf *, const struct phone_opts *, char **cause);
/* Free everything once the loop has returned. */
void	 phone_free(void);
/* The process exit status decided by the core (0 unless a failure). */
int	 phone_exit_status(void);
bool	 phone_running(void);

/* Commands. ACCOUNT NULL means every account. */
int	 phone_register(const char *account, char **cause);
int	 phone_unregister(const char *account, char **cause);
void	 phone_status(void);
int	 phone_dial(const char *target, const char *account, char **cause);
bool	 phone_quitting(void);
/* From account.c and call.c: an un-REGISTER was answered or a call
 * ended; quitting goes on when nothing is left. */
void	 phone_settled(void);
/* From account.c: ACCOUNT is registered (the first time or again). */
void	 phone_registered(struct account *);
struct account *phone_accounts_first(void);
/* The account named NAME, or the default one for NULL; NULL + *cause. */
struct account *phone_account(const char *name, char **cause);

/* Begin an orderly quit: unregister (bounded wait), shut down, leave the loop. */
void	 phone_quit(void);

#endif
