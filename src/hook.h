/*
 * hook.h: [hooks] of tsphone.conf(5): a command the user configured, run
 * when a call comes in, when one was missed, when a message comes in.
 * An observer of the event bus (like line mode), so the models know
 * nothing of it; hook_run is there for the cases the bus does not carry.
 */
#ifndef TSP_HOOK_H
#define TSP_HOOK_H

#include <stddef.h>

struct conf;

enum hook_event {
	HOOK_INCOMING,		/* an incoming call rings */
	HOOK_MISSED,		/* an incoming call ended missed */
	HOOK_MESSAGE,		/* a text message came in */
};

/* At most this many hooks run at once; more are dropped (logged). */
#define HOOK_MAX_RUNNING	4
/* Output logged per run, in bytes; the rest is read and dropped. */
#define HOOK_OUTPUT_MAX		4096
/* Longest output line logged; longer ones are cut. */
#define HOOK_LINE_MAX		200
/* After SIGTERM, ms before SIGKILL. */
#define HOOK_KILL_GRACE_MS	2000

/* What the command finds in its environment (TSPHONE_*); NULL is "". */
struct hook_vars {
	const char	*account;	/* TSPHONE_ACCOUNT */
	const char	*remote;	/* TSPHONE_REMOTE: the peer's URI */
	const char	*display;	/* TSPHONE_DISPLAY: its name, or "" */
	const char	*call_id;	/* TSPHONE_CALL_ID: SIP Call-ID */
	const char	*text;		/* TSPHONE_TEXT: a message's text */
};

/*
 * Split CONF's [hooks] commands and join the event bus (incoming and
 * missed calls). CONF is only read here. Returns 0, or -1 and *cause.
 */
int	 hook_start(const struct conf *, char **cause);
/* Leave the bus; hooks still running get SIGTERM and are let go. */
void	 hook_stop(void);

/*
 * Run the hook of EV, if one is configured, with VARS; never waits.
 * Returns 0 when it was started, 1 when there is no such hook, -1 when
 * it could not be (too many running, or the command would not start:
 * logged). Loop thread only.
 */
int	 hook_run(enum hook_event ev, const struct hook_vars *vars);
/* Hooks running now (tests). */
int	 hook_running(void);

/*
 * The URI and the display name of a remote as events carry it
 * ("Name" <sip:...>, Name <sip:...>, or a bare URI), into bounded
 * buffers; the display name unquoted, "" when there is none.
 */
void	 hook_split_remote(const char *remote, char *uri, size_t urisz,
	    char *display, size_t displaysz);

#endif
