/*
 * call.h: calls as the user sees them: the list, the current call, the
 * state machine and its timers, and the rules of a phone: which account
 * and how many calls, auto-answer, the one active call, what follows a
 * transfer, when media opens. The SIP side (sip-call.h) and the media
 * side (media.h) only carry out what is decided here and report back;
 * every change is published on the event bus. No Sofia type here.
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
struct sip_dns;
struct sip_incoming;

/* Calls at once; more incoming ones get 486 and no call object. */
#define CALL_MAX	8
/* A dialog tag as kept here (sip-call.h's SIP_CALL_TAG_MAX). */
#define CALL_TAG_MAX	128
/* Seconds a transfer asked of us (refer = ask) waits for the user. */
#define CALL_REFER_ASK_S	30
/* Seconds the target of our attended transfer has to end our call
 * with it itself (RFC 3891) before we do. */
#define CALL_REPLACED_S		3

struct call {
	int			 id;
	struct account		*acct;
	bool			 outgoing;
	char			 remote[EVENT_TEXT_MAX];
	char			 call_id[EVENT_CALL_ID_MAX];
	char			 local_tag[CALL_TAG_MAX];	/* the dialog's */
	char			 remote_tag[CALL_TAG_MAX];

	enum call_state		 state;
	bool			 dnd_refused;	/* refused by do-not-disturb:
						   counts as missed */
	bool			 rang;		/* offered to the user: unanswered,
						   it is missed */
	int			 code;
	char			 reason[EVENT_TEXT_MAX];
	bool			 local_hold;	/* wanted: by the user or the rule */
	bool			 sip_hold;	/* what the last re-INVITE asked */
	bool			 reinvite_busy;	/* a re-INVITE of ours is out */
	int			 reinvite_tries;/* 491/500 answers in a row */
	bool			 held_by_remote;
	bool			 muted;
	bool			 recording;	/* to a WAV under the data dir */
	bool			 early_media;	/* 183 with SDP seen */
	bool			 local_end;	/* we hung up or rejected */
	bool			 transferred;	/* its REFER's new call is up */
	int			 conference;	/* the other call of our local
						   3-way conference, 0: none */
	unsigned long		 held_seq;	/* when it was last held, in
						   holds counted: the newest
						   is the one conference joins */
	uint64_t		 answered_ms;	/* 0 until established */

	enum transfer_state	 transfer;	/* our REFER on this call */
	int			 transfer_from;	/* we follow this call's REFER */
	int			 transfer_to;	/* the call following our REFER */
	int			 transfer_with;	/* attended: the call our REFER
					   hands over (its Replaces) */
	int			 replaces;	/* this INVITE replaces that call */
	bool			 refer_asked;	/* a REFER waits for the user */
	char			 refer_target[EVENT_TEXT_MAX];
	char			 refer_replaces[EVENT_TEXT_MAX];

	struct loop_timer	*timer;		/* ring timeout */
	struct loop_timer	*retry;		/* 491 glare retry */
	struct loop_timer	*later;		/* refer = ask: the user's time;
					   a replaced call: the target's */
	struct sip_call		*sip;
	struct media		*media;
	int			 stun_wait;	/* what waits for the STUN binding
						   (CALL_STUN_*), or 0 */
	struct sip_dns		*stun_dns;	/* the server's name, resolving */
	int			 public_port;	/* RTP's, as STUN found it, or 0 */
	struct media_params	 params;	/* last negotiated */
	bool			 have_params;

	struct call		*next;
};

/* [sip] ring_timeout and rtp_timeout, in seconds (0: no RTP timeout). */
void		 call_set_timeouts(int ring, int rtp);
/* New INVITEs are refused with 480 while false (quitting). */
void		 call_set_accepting(bool);

/* The call list. */
struct call	*call_first(void);
struct call	*call_find(int id);
struct call	*call_current(void);
/* Resolve an optional "[id]" argument to a call, or set *cause. */
struct call	*call_resolve(const char *id, char **cause);
int		 call_count(void);

/*
 * Commands. Making a call current by any route (switch, answer, resume,
 * dial, a transfer we follow, the current call ending) first holds the
 * call that had the audio, with a re-INVITE, then resumes the new one.
 */
int	 call_switch(struct call *, char **cause);
int	 call_dial(struct account *, const char *target, char **cause);
int	 call_answer(struct call *, char **cause);
int	 call_reject(struct call *, int code, char **cause);
int	 call_hangup(struct call *, char **cause);
int	 call_hold(struct call *, bool hold, char **cause);
int	 call_mute(struct call *, bool mute, char **cause);
int	 call_dtmf(struct call *, const char *digits, char **cause);
/* Record the call, both directions, into a new stereo WAV under the data
 * directory's recordings/ (on), or stop and keep the file (off). */
int	 call_record(struct call *, bool on, char **cause);
int	 call_transfer(struct call *, const char *target, char **cause);
/*
 * A local 3-way conference: the current call and HELD (NULL: the call
 * held last) are both taken off hold and mixed, each hearing the other
 * and us. The two are one unit for the one-active-call rule: making
 * either current resumes both, making another call current holds both,
 * holding or muting one holds or mutes both. call_split separates them:
 * C keeps the audio if the conference had it, the other is held. When
 * either ends, the other goes on as a plain call.
 */
int	 call_conference(struct call *held, char **cause);
int	 call_split(struct call *, char **cause);
/* Attended transfer: C's peer is put through to TO's, replacing TO. */
int	 call_transfer_attended(struct call *c, struct call *to, char **cause);
/* Follow (ACCEPT) or refuse the transfer C's peer asked (refer = ask). */
int	 call_refer_answer(struct call *c, bool accept, char **cause);
void	 call_hangup_all(void);
void	 call_emit(const struct call *);
void	 call_status(void);

/* A new INVITE for account A (NULL: no account; refused). */
void	 call_incoming(struct account *, const struct sip_incoming *);

/* The media engine's reports (media_init handlers). */
void	 call_media_timeout(int call_id, void *arg);
void	 call_media_dtmf(int call_id, char digit, void *arg);
void	 call_media_stats(const struct event_stats *, void *arg);
void	 call_media_stun(int call_id, const struct media_stun_result *,
	    void *arg);

/* Free every call (after the loop). */
void	 call_free_all(void);

#endif
