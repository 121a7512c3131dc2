/*
 * event.h: the event bus. The core models publish what happened as plain
 * data (bounded strings, numeric ids: no pointers into the core and no
 * library types); any number of observers (line mode, the curses screen,
 * the phone's own quit sequence, later history and hooks) receive every
 * event, in order, on the loop thread. Emitting only queues: delivery
 * happens once the emitter's callback has returned (loop_defer), so an
 * observer may act on the core without re-entering it half-way through a
 * change.
 */
#ifndef TSP_EVENT_H
#define TSP_EVENT_H

#include <stdbool.h>
#include <time.h>

enum event_kind {
	EVENT_REGISTRATION,
	EVENT_CALL,
	EVENT_MEDIA,
	EVENT_DTMF,
	EVENT_STATS,
	EVENT_ERROR,
	EVENT_LOG,
	EVENT_TRANSFER,
	EVENT_STATUS,
	EVENT_MESSAGE,
	EVENT_MWI,
	EVENT_AUDIO,
	EVENT_CONTACT,
	EVENT_HISTORY,
	EVENT_PRESENCE,
};

/* A text message (SIP MESSAGE). */
enum message_state {
	MESSAGE_RECEIVED,
	MESSAGE_SENT,
	MESSAGE_FAILED,
};

/*
 * A presence state (RFC 3856, PIDF RFC 3863), as watched or published:
 * UNKNOWN until a NOTIFY says otherwise (or when it cannot be read).
 */
enum presence_state {
	PRESENCE_UNKNOWN,
	PRESENCE_ONLINE,
	PRESENCE_BUSY,
	PRESENCE_RINGING,
	PRESENCE_AWAY,
	PRESENCE_OFFLINE,
};

/* A transfer we asked for (REFER), as its NOTIFYs report it. */
enum transfer_state {
	TRANSFER_NONE,
	TRANSFER_TRYING,
	TRANSFER_RINGING,
	TRANSFER_DONE,
	TRANSFER_FAILED,
};

/*
 * How a call ended, for the history and the hooks (SPEC section 7):
 * answered (it was up), missed (ringing in, unanswered: the caller gave
 * up, ring_timeout, or do-not-disturb refused it), rejected (we refused
 * it by hand), cancelled (ours, hung up before the answer), failed (ours,
 * refused or unreachable). NONE until the call is terminated.
 */
enum call_outcome {
	CALL_OUTCOME_NONE,
	CALL_OUTCOME_ANSWERED,
	CALL_OUTCOME_MISSED,
	CALL_OUTCOME_REJECTED,
	CALL_OUTCOME_CANCELLED,
	CALL_OUTCOME_FAILED,
};

enum call_state {
	CALL_INCOMING,
	CALL_CALLING,
	CALL_RINGING,
	CALL_EARLY,
	CALL_ESTABLISHED,
	CALL_HELD,
	CALL_TERMINATED,
};

enum reg_state {
	REG_UNREGISTERED,
	REG_REGISTERING,
	REG_REGISTERED,
	REG_FAILED,
};

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
};

#define EVENT_NAME_MAX		64
#define EVENT_TEXT_MAX		512
#define EVENT_CALL_ID_MAX	256

struct event_registration {
	char		 account[EVENT_NAME_MAX];
	enum reg_state	 state;
	int		 code;		/* SIP status, 0 if none */
	char		 reason[EVENT_TEXT_MAX];
	int		 expires;	/* seconds granted, 0 if not registered */
	int		 retry_in;	/* seconds to the next attempt, 0 if none */
	bool		 is_default;	/* the account dial uses by default */
	bool		 dnd;		/* do not disturb, in effect */
	char		 forward[EVENT_TEXT_MAX];	/* where calls are
					   forwarded (302), or "" */
};

struct event_call {
	int		 id;
	char		 account[EVENT_NAME_MAX];
	bool		 outgoing;
	char		 remote[EVENT_TEXT_MAX];	/* "Name" <sip:...> */
	enum call_state	 state;
	int		 code;
	char		 reason[EVENT_TEXT_MAX];
	bool		 held_by_remote;
	bool		 muted;
	bool		 recording;
	bool		 current;	/* the call that commands act on */
	int		 duration;	/* seconds since answer, 0 before */
	char		 call_id[EVENT_CALL_ID_MAX];	/* SIP Call-ID, "" if unknown */
	enum transfer_state transfer;	/* of our REFER on this call */
	bool		 conference;	/* in our local 3-way conference */
	int		 replaces;	/* the call this one replaces, or 0 */
	char		 refer_to[EVENT_TEXT_MAX];	/* a transfer the
					   peer asks, waiting for the user */
	char		 display[EVENT_TEXT_MAX];	/* contact name, else
					   the remote's display name, or "" */
	enum call_outcome outcome;	/* once CALL_TERMINATED */
};

struct event_transfer {
	int			 id;
	enum transfer_state	 state;
	int			 code;		/* sipfrag status, 0 if none */
	char			 reason[EVENT_TEXT_MAX];
};

/* The end of a "status" answer. */
struct event_status {
	int		 accounts;
	int		 calls;
	int		 handles;	/* live SIP handles (a leak shows here) */
	bool		 dnd;		/* the global do not disturb */
	char		 forward[EVENT_TEXT_MAX];	/* the global forward
					   target as typed, or "" */
	int		 missed;	/* calls missed since the user looked */
	enum presence_state presence;	/* ours, as the user chose it */
};

/* One call of the history (history.h), as "history" prints it. */
struct event_history {
	long long		 n;		/* stable: never reused */
	time_t			 time;		/* when it started */
	bool			 outgoing;
	char			 remote[EVENT_TEXT_MAX];
	char			 display[EVENT_TEXT_MAX];
	char			 account[EVENT_NAME_MAX];
	enum call_outcome	 outcome;	/* NONE while under way */
	int			 code;
	int			 duration;	/* seconds */
};

struct event_media {
	int		 id;
	char		 codec[32];
	int		 clock_rate;
	bool		 srtp;
	char		 local[96];	/* address:port */
	char		 remote[96];
	char		 direction[16];	/* sendrecv, sendonly, recvonly, inactive */
};

struct event_dtmf {
	int		 id;
	char		 digit;
	bool		 info;		/* SIP INFO, else RFC 4733 */
	bool		 outgoing;
};

struct event_stats {
	int		 id;
	unsigned long	 rx_packets;
	unsigned long	 tx_packets;
	long		 lost;
	double		 jitter_ms;
	double		 rtt_ms;	/* < 0 when unknown */
	double		 jbuf_ms;	/* jitter-buffer delay */
	unsigned long	 srtp_dropped;	/* failed SRTP authentication/replay */
	double		 mos;		/* E-model estimate, 1.0 to 4.5 */
	double		 in_level_dbfs;	/* what we send, RMS */
	double		 out_level_dbfs; /* what we play, RMS */
	unsigned long	 concealed;	/* frames concealed (lost or late) */
	unsigned long	 stranger_dropped; /* not proven the peer's: from
					   another address or SSRC */
	unsigned long	 keepalives;	/* RTP keep-alives sent (RFC 6263) */
};

struct event_message {
	char			 account[EVENT_NAME_MAX];
	bool			 outgoing;
	char			 peer[EVENT_TEXT_MAX];	/* "Name" <sip:...> */
	char			 text[EVENT_TEXT_MAX];	/* UTF-8 */
	enum message_state	 state;
	int			 code;		/* SIP status */
	char			 reason[EVENT_TEXT_MAX];
};

/* Voicemail waiting (RFC 3842 message-summary), voice messages. */
struct event_mwi {
	char		 account[EVENT_NAME_MAX];
	bool		 waiting;
	int		 new_msgs;
	int		 old_msgs;
};

/*
 * Presence: a watched URI's state (own false: "watch URI", or a contact
 * with presence = yes), or our own as published or served (own true; uri
 * is the account's address of record).
 */
struct event_presence {
	char			 account[EVENT_NAME_MAX];
	char			 uri[EVENT_TEXT_MAX];
	enum presence_state	 state;
	char			 note[EVENT_TEXT_MAX];
	bool			 own;
};

/* The phone's audio settings, after each change and in "status". */
struct event_audio {
	int		 in_volume;	/* dB */
	int		 out_volume;
	bool		 echotest;
	char		 input[EVENT_NAME_MAX];	/* device names */
	char		 output[EVENT_NAME_MAX];
};

/* One contact, in answer to "contacts [TEXT]". */
struct event_contact {
	char		 name[EVENT_TEXT_MAX];
	char		 uri[EVENT_TEXT_MAX];
	char		 presence[EVENT_NAME_MAX];	/* "unknown" until
					   presence is watched */
};

struct event_error {
	char		 command[EVENT_NAME_MAX];
	char		 message[EVENT_TEXT_MAX];
};

struct event_log {
	enum log_level	 level;
	char		 text[EVENT_TEXT_MAX];
};

struct event {
	enum event_kind	 kind;
	union {
		struct event_registration	reg;
		struct event_call		call;
		struct event_media		media;
		struct event_dtmf		dtmf;
		struct event_stats		stats;
		struct event_error		error;
		struct event_log		log;
		struct event_transfer		transfer;
		struct event_status		status;
		struct event_message		message;
		struct event_mwi		mwi;
		struct event_audio		audio;
		struct event_contact		contact;
		struct event_history		history;
		struct event_presence		presence;
	} u;
};

typedef void (*event_h)(const struct event *, void *arg);

/* Join the bus; returns an id for event_unobserve. */
int		 event_observe(event_h, void *arg);
void		 event_unobserve(int id);
/* Queue EV for every observer (copied). Loop thread only. */
void		 event_emit(const struct event *);
/* Deliver what is queued now (loop_defer does it otherwise). */
void		 event_flush(void);

void		 event_error(const char *command, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

const char	*event_reg_state_name(enum reg_state);
const char	*event_call_state_name(enum call_state);
const char	*event_log_level_name(enum log_level);
const char	*event_transfer_state_name(enum transfer_state);
const char	*event_message_state_name(enum message_state);
const char	*event_call_outcome_name(enum call_outcome);
const char	*event_presence_state_name(enum presence_state);
/* The state named S (as above), or -1. */
int		 event_presence_state_parse(const char *s);

#endif
