/*
 * sip-call.h: INVITE dialogs (Sofia-free interface).
 *
 * The SIP layer only speaks SIP: it sends what the call model asks for
 * and reports what happened through the handler given when the dialog was
 * created (outgoing) or adopted (incoming). Reports are plain data and are
 * delivered after Sofia's callback has returned, so a handler may act on
 * the dialog, or free it, at once. A dialog is freed only by its owner
 * (sip_call_free); the Sofia handle under it is destroyed once, after its
 * final event, never inside a callback for it.
 */
#ifndef TSP_SIP_CALL_H
#define TSP_SIP_CALL_H

#include <stdbool.h>

#include "event.h"
#include "media.h"

struct conf_account;
struct sip_call;

/* A dialog tag (From/To tag parameter) as we keep it. */
#define SIP_CALL_TAG_MAX	128

/* The secret answering digest challenges; owned by the account. */
struct sip_cred {
	const char	*username;
	const char	*password;	/* or */
	const char	*ha1;
	const char	*error;		/* why there is no secret, or NULL */
};

enum sip_call_report_kind {
	SIP_CALL_PROGRESS,	/* 180/183 to our INVITE; early: with SDP */
	SIP_CALL_ESTABLISHED,	/* the dialog is confirmed */
	SIP_CALL_MEDIA,		/* an offer/answer completed: params */
	SIP_CALL_MEDIA_FAILED,	/* it failed (reason); the call is ending */
	SIP_CALL_REINVITE_DONE,	/* our re-INVITE was answered: code */
	SIP_CALL_DTMF,		/* a digit by SIP INFO */
	SIP_CALL_REFER,		/* the peer asks us to call TARGET */
	SIP_CALL_REFER_STATUS,	/* our REFER: its answer or a NOTIFY (code) */
	SIP_CALL_NOTIFIED,	/* our last refer NOTIFY was answered */
	SIP_CALL_ENDED,		/* the dialog is over: code, reason; last */
};

struct sip_call_report {
	enum sip_call_report_kind kind;
	int			 code;
	char			 reason[EVENT_TEXT_MAX];
	bool			 early;		/* PROGRESS with early media */
	bool			 final;		/* REFER_STATUS: no more NOTIFYs */
	char			 digit;
	char			 target[EVENT_TEXT_MAX];	/* REFER */
	char			 replaces[EVENT_TEXT_MAX];	/* REFER: the
					   Replaces its Refer-To carries */
	int			 retry_after;	/* REINVITE_DONE: seconds, or 0 */
	struct media_params	 params;	/* MEDIA; wiped after delivery */
};

typedef void (*sip_call_report_h)(const struct sip_call_report *, void *arg);

/*
 * A Replaces header (RFC 3891) of an incoming INVITE. Its tags are as
 * the sender sees our dialog: to-tag is our tag, from-tag the peer's.
 */
struct sip_replaces {
	bool		 present;
	bool		 bad;		/* duplicated or malformed: 400 */
	bool		 early_only;
	char		 call_id[EVENT_CALL_ID_MAX];
	char		 to_tag[SIP_CALL_TAG_MAX];
	char		 from_tag[SIP_CALL_TAG_MAX];
};

/* What an incoming INVITE carries, for the model to decide on. */
struct sip_incoming {
	struct sip_call	*sc;		/* adopt with sip_call_bind, or free */
	char		 ruri_user[EVENT_NAME_MAX];	/* Request-URI user */
	char		 to_user[EVENT_NAME_MAX];
	char		 remote[EVENT_TEXT_MAX];	/* "Name" <sip:...> */
	char		 call_id[EVENT_CALL_ID_MAX];
	bool		 has_offer;
	struct sip_replaces replaces;
};
typedef void (*sip_incoming_h)(const struct sip_incoming *, void *arg);

/* Where new INVITEs go (set before sip_ua_start). */
void	 sip_call_set_incoming(sip_incoming_h, void *arg);

/*
 * A dialog for an outgoing call from account CA to TARGET (a dial string:
 * URI, user@host, number). Sends nothing yet. On error NULL and *cause.
 */
struct sip_call *sip_call_new(const struct conf_account *,
	    const struct sip_cred *, const char *target, sip_call_report_h,
	    void *arg, char **cause);
/* The request URI the dial string became, and the Call-ID. */
const char *sip_call_target(const struct sip_call *);
const char *sip_call_callid(const struct sip_call *);
/* The local address media should bind for this dialog. */
const char *sip_call_media_addr(const struct sip_call *);
/*
 * Our SDP (offers and answers, re-INVITEs too) gives ADDR, the public
 * address STUN found for the RTP socket, instead of the local one, and
 * RTCP at RTCP_ADDR:RTCP_PORT (RFC 3605 a=rtcp, when that is not RTP's
 * address and port + 1). Set before sip_call_invite or sip_call_ring,
 * whose PORT is then the public RTP port. NULL: the local address.
 */
void	 sip_call_set_public(struct sip_call *, const char *addr,
	    const char *rtcp_addr, int rtcp_port);
/* Send the INVITE, offering audio on PORT. */
int	 sip_call_invite(struct sip_call *, int port, char **cause);
/* Follow a REFER of OLD: the INVITE carries Referred-By. */
void	 sip_call_referred(struct sip_call *, const struct sip_call *old);
/* The INVITE carries this Replaces header value (a REFER's, RFC 3891). */
void	 sip_call_set_replaces(struct sip_call *, const char *replaces);
/* The dialog's tags: ours and the peer's ("" until known). */
const char *sip_call_local_tag(const struct sip_call *);
const char *sip_call_remote_tag(const struct sip_call *);

/* Incoming: take the dialog with account CA's settings and handler. */
void	 sip_call_bind(struct sip_call *, const struct conf_account *,
	    const struct sip_cred *, sip_call_report_h, void *arg);
/* Build the answer to the offer with media on PORT, then ring (180).
 * On an unusable offer, 488 is sent with a Warning and -1 returned. */
int	 sip_call_ring(struct sip_call *, int port, char **cause);
int	 sip_call_answer(struct sip_call *, char **cause);
/* Answer at once, without ringing (an INVITE that replaces a call). */
int	 sip_call_accept(struct sip_call *, int port, char **cause);
/* Final response to a ringing call; PHRASE NULL for the standard one. */
void	 sip_call_reject(struct sip_call *, int code, const char *phrase);
/* Redirect a call not yet answered: 302 Moved Temporarily with a Contact
 * of URI (a checked request URI). */
void	 sip_call_redirect(struct sip_call *, const char *uri);
/* CANCEL before the answer, BYE after; WHY becomes the call's reason. */
void	 sip_call_hangup(struct sip_call *, const char *why);
/* Re-INVITE for hold (sendonly, or inactive when held) or resume. */
void	 sip_call_reinvite(struct sip_call *, bool hold, bool held_by_remote);
int	 sip_call_info_dtmf(struct sip_call *, const char *digits, char **cause);
/* Blind transfer: REFER to TARGET (a dial string). */
int	 sip_call_refer(struct sip_call *, const char *target, char **cause);
/*
 * Attended transfer (RFC 5589): REFER the peer to the peer of call TO,
 * with a Replaces for TO's dialog in the Refer-To (RFC 3891), so that
 * the new call takes TO's place there.
 */
int	 sip_call_refer_replaces(struct sip_call *, const struct sip_call *to,
	    char **cause);
/* Tell the peer whose REFER we follow how it goes (message/sipfrag). */
void	 sip_call_notify_refer(struct sip_call *, int code, const char *phrase);

/*
 * The owner is done with the dialog: anything still open is ended (BYE,
 * CANCEL or 480), the handle is destroyed after its last event, and no
 * report follows. Safe at any time outside a report for another dialog.
 */
void	 sip_call_free(struct sip_call *);

#endif
