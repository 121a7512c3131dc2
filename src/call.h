/*
 * call.h: calls as the user sees them: the list, the current call, the
 * state machine and its timers, and the commands that act on a call.
 * The SIP side is sip-call.c and the media side media.c; this file holds
 * no Sofia type and decides what each SIP or media happening means.
 */
#ifndef TSP_CALL_H
#define TSP_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "media.h"

struct account;
struct loop_timer;
struct sip_call;


struct call {
	int			 id;
	struct account		*acct;
	bool			 outgoing;
	char			 remote[EVENT_TEXT_MAX];
	char			 call_id[EVENT_CALL_ID_MAX];	/* set by sip-call.c */

	enum call_state		 state;
	int			 code;
	char			 reason[EVENT_TEXT_MAX];
	bool			 local_hold;	/* we asked for hold */
	bool			 held_by_remote;
	bool			 muted;
	bool			 early_media;	/* 183 with SDP seen */
	uint64_t		 answered_ms;	/* 0 until established */

	struct loop_timer	*timer;		/* ring timeout */
	struct loop_timer	*retry;		/* 491 glare retry */
	struct sip_call		*sip;		/* owned by sip-call.c */
	struct media		*media;
	struct media_params	 params;	/* last negotiated */
	bool			 have_params;

	struct call		*next;
};

/* [sip] ring_timeout and rtp_timeout, in seconds (0: no RTP timeout). */
void		 call_set_timeouts(int ring, int rtp);

/* The call list. */
struct call	*call_first(void);
struct call	*call_find(int id);
struct call	*call_current(void);
/* Resolve an optional "[id]" argument to a call, or set *cause. */
struct call	*call_resolve(const char *id, char **cause);
void		 call_make_current(struct call *);
int		 call_count(void);

/* Commands. */
int	 call_dial(struct account *, const char *target, char **cause);
int	 call_answer(struct call *, char **cause);
int	 call_reject(struct call *, int code, char **cause);
int	 call_hangup(struct call *, char **cause);
int	 call_hold(struct call *, bool hold, char **cause);
int	 call_mute(struct call *, bool mute, char **cause);
int	 call_dtmf(struct call *, const char *digits, char **cause);
int	 call_transfer(struct call *, const char *target, char **cause);
void	 call_hangup_all(void);
void	 call_emit(const struct call *);
void	 call_status(void);

/* From sip-call.c. */
struct call *call_new(struct account *, bool outgoing, const char *remote);
void	 call_state(struct call *, enum call_state, int code, const char *reason);
void	 call_negotiated(struct call *, const struct media_params *);
void	 call_terminated(struct call *, int code, const char *reason);
void	 call_dtmf_received(struct call *, char digit, bool info);
void	 call_glare(struct call *);

/* From media.c (on the loop thread). */
void	 call_media_timeout(int call_id);
void	 call_media_dtmf(int call_id, char digit);
void	 call_media_stats(const struct event_stats *);

/* Free every call (after the loop). */
void	 call_free_all(void);

#endif
