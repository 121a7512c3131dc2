/*
 * phone.h: the core as a whole: accounts, calls, the SIP user agent and
 * the media engine wired together, and the orderly start and quit of all
 * of it. Command handlers and main() call these; nothing here knows about
 * a front end.
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

/* Start with CONF (the caller keeps it, and frees it after phone_free). */
int	 phone_start(const struct conf *, const struct phone_opts *,
	    char **cause);
/* Free everything once the loop has returned. */
void	 phone_free(void);
/* The process exit status decided by the core (0 unless a failure). */
int	 phone_exit_status(void);
bool	 phone_running(void);
bool	 phone_quitting(void);

/* Commands. ACCOUNT NULL means every account. */
int	 phone_register(const char *account, char **cause);
int	 phone_unregister(const char *account, char **cause);
/*
 * Do not disturb ("on" or "off") and forwarding (TARGET, or "off") for
 * ACCOUNT, or globally for NULL (account.h has the rule).
 */
int	 phone_dnd(const char *arg, const char *account, char **cause);
int	 phone_forward(const char *target, const char *account, char **cause);
/* Every account and call as events, then one EVENT_STATUS. */
void	 phone_status(void);
int	 phone_dial(const char *target, const char *account, char **cause);
/* Send TEXT to TARGET from ACCOUNT (NULL: the default one): message.h. */
int	 phone_message(const char *target, const char *account,
	    const char *text, char **cause);
/* Our presence on every account: online, busy, away or offline, NOTE. */
int	 phone_presence(const char *state, const char *note, char **cause);
struct account *phone_accounts_first(void);
/* The account named NAME, or the default one for NULL; NULL + *cause. */
struct account *phone_account(const char *name, char **cause);
/*
 * Make NAME the default account (the one dial and TARGET use without an
 * account). Registration events say which one it is ("default").
 */
int	 phone_set_default(const char *name, char **cause);

/*
 * Presence of URI watched from ACCOUNT (NULL: the default one), or no
 * longer (NULL: from whichever account watches it).
 */
int	 phone_watch(const char *uri, const char *account, char **cause);
int	 phone_unwatch(const char *uri, const char *account, char **cause);
/* Dial ACCOUNT's voicemail box (its "voicemail" dial string). */
int	 phone_voicemail(const char *account, char **cause);

/*
 * Quit, as a sequence on the loop: calls ended, then accounts
 * unregistered, then the SIP stack shut down, then the loop left. Each
 * step has a time bound; a step that does not finish in time is
 * abandoned with a log line and the next one begins.
 */
void	 phone_quit(void);

/*
 * Audio for the whole phone. echotest: "on", "off", or NULL to toggle.
 * volume: INPUT (microphone) or the speaker; SPEC "+N" / "-N" changes it
 * by N dB, "N" sets it. device: switch the microphone or the speaker to
 * the device NAME. Each emits an "audio" event.
 */
int	 phone_echotest(const char *arg, char **cause);
int	 phone_volume(bool input, const char *spec, char **cause);
int	 phone_device(bool input, const char *name, char **cause);
void	 phone_audio_emit(void);
/* Peak meters of the call that has the device (dBFS; -90: silence), for
 * the screen to poll while it draws: too fast-moving for events. */
void	 phone_levels(float *in_dbfs, float *out_dbfs);

/* Quit's time bounds in ms. */
#define PHONE_CALLS_WAIT	2000
#define PHONE_UNREG_WAIT	2000
#define PHONE_SHUTDOWN_WAIT	3000

#endif
