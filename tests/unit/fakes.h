/*
 * fakes.h: test doubles for what the core models (account.c, call.c,
 * phone.c) stand on: the loop (a manual clock and deferred jobs), the SIP
 * layer (sip-call.h, sip-reg.h, sip-ua.h; it records what it was asked to
 * do and lets the test report what the network did) and the media engine.
 * Linked instead of the real layers, so the models are tested without
 * Sofia, sockets or threads.
 */
#ifndef TSP_FAKES_H
#define TSP_FAKES_H

#include <stdbool.h>

#include "media.h"
#include "sip-call.h"
#include "sip-reg.h"

/* --- loop ------------------------------------------------------------ */
/* Advance the clock by MS, firing due timers in time order (and running
 * deferred jobs after each). */
void	 fake_loop_advance(unsigned int ms);
/* Run the deferred jobs (event delivery, phone steps). */
void	 fake_loop_run(void);
/* Call the handler of the descriptor watched last, as if it were
 * readable; false if none is watched. */
bool	 fake_loop_fd_ready(void);
/* Times loop_break was called. */
extern int fake_loop_breaks;
extern bool fake_loop_abandoned;

/* --- SIP ------------------------------------------------------------- */
/* Everything the models asked of the SIP layer, one line per request
 * ("invite 1", "reinvite 2 hold", "reject 1 486", ...), newest last. */
const char *fake_sip_log(void);
void	 fake_sip_log_clear(void);
/* How many times the log contains STR. */
int	 fake_sip_count(const char *str);

struct fake_sip_call {
	int			 n;		/* order of creation, from 1 */
	char			 target[256];
	sip_call_report_h	 handler;
	void			*arg;
	bool			 freed;
	bool			 invited;
	bool			 hold_sent;	/* last re-INVITE asked hold */
	int			 reinvites;
	int			 last_notify;	/* sipfrag code of our NOTIFY */
	bool			 referred;	/* sip_call_referred was called */
	char			 call_id[64];	/* "in-N" or "out-N" */
	char			 ltag[64];	/* the dialog's tags: "lN", "rN" */
	char			 rtag[64];
	char			 replaces[256];	/* sip_call_set_replaces */
	bool			 accepted;	/* sip_call_accept: no ringing */
	char			 public_addr[64];/* sip_call_set_public */
	char			 rtcp_addr[64];
	int			 rtcp_port;
	int			 port;		/* of the offer or answer */
};
/* Dialogs by creation order (1 = first), or NULL. */
struct fake_sip_call *fake_sip_call(int n);
int	 fake_sip_calls(void);
/* Forget every dialog (all must be freed); numbering starts again at 1. */
void	 fake_sip_reset(void);
/* Report KIND/CODE on dialog SC to its owner. */
void	 fake_sip_report(struct fake_sip_call *, enum sip_call_report_kind,
	    int code, const char *reason);
void	 fake_sip_report_media(struct fake_sip_call *, bool remote_hold);
void	 fake_sip_report_refer(struct fake_sip_call *, const char *target);
/* A REFER whose Refer-To carries REPLACES. */
void	 fake_sip_report_refer_replaces(struct fake_sip_call *,
	    const char *target, const char *replaces);
/* A new INVITE that carries Replaces RP. */
struct sip_replaces;
struct fake_sip_call *fake_sip_incoming_replaces(const char *remote,
	    const struct sip_replaces *rp);
void	 fake_sip_report_refer_status(struct fake_sip_call *, int code,
	    bool final);
/* A new INVITE to RUSER from REMOTE; returns its dialog. */
struct fake_sip_call *fake_sip_incoming(const char *ruser, const char *remote);
/* A MESSAGE or message-summary NOTIFY the SIP layer answered: to the
 * handler of sip_msg_set_handler, then the deferred jobs run. */
struct sip_msg_report;
void	 fake_sip_msg(const struct sip_msg_report *);
/* Our MESSAGEs (sip_msg_send), answered by the test. */
#include "sip-msg.h"
struct fake_sip_msg {
	char		 target[256];
	char		 text[EVENT_MESSAGE_MAX];
	sip_msg_result_h handler;
	void		*arg;
};
/* The last one sent and not freed, or NULL; how many are live. */
struct fake_sip_msg *fake_sip_msg_last(void);
int	 fake_sip_msgs_live(void);
/* Its final answer, as the real layer reports it after the callback. */
void	 fake_sip_msg_answer(struct fake_sip_msg *, int code,
	    const char *reason);
extern bool fake_sip_fail_message;
/* sip_msg_start was called (we answer MESSAGE and NOTIFY ourselves). */
extern int fake_sip_msg_started;
/* Make sip_call_new / sip_call_ring / sip_reg_send fail next time. */
extern bool fake_sip_fail_new, fake_sip_fail_ring, fake_sip_fail_reg;
extern bool fake_sip_fail_invite, fake_sip_fail_answer, fake_sip_fail_refer;

struct fake_sip_reg {
	sip_reg_h	 handler;
	void		*arg;
	bool		 freed;
	int		 sends;
	int		 unsends;
	bool		 bound;
};
/* The live registration of account NAME's latest sip_reg_new, or NULL. */
struct fake_sip_reg *fake_sip_reg_last(void);
int	 fake_sip_regs_live(void);
void	 fake_sip_reg_report(struct fake_sip_reg *, enum sip_reg_result_kind,
	    int code, const char *why, int expires, int retry_after);
/* Shutdown: answer it at once (true) or never (false). */
extern bool fake_sip_shutdown_answers;
extern int  fake_sip_shutdowns;

/* --- presence -------------------------------------------------------- */
#include "sip-pub.h"
struct fake_sip_pub {
	sip_pub_h	 handler;
	void		*arg;
	char		 account[64];
	int		 sends;
	int		 ends;
	int		 expires;
	bool		 published;	/* the last report was OK */
	char		 doc[4096];	/* the last document sent */
};
/* The latest publication made (while not freed), or NULL. */
struct fake_sip_pub *fake_sip_pub_last(void);
int	 fake_sip_pubs_live(void);
void	 fake_sip_pub_report(struct fake_sip_pub *, enum sip_pub_result_kind,
	    int code, const char *why);
/* A peer subscribes to RURI_USER: its watcher id. */
int	 fake_sip_pres_new(const char *ruri_user, const char *watcher);
/* Its subscription ended (un-SUBSCRIBE, or our final NOTIFY answered). */
void	 fake_sip_pres_ended(int id);
void	 fake_sip_pres_reset(void);
/* The last document served, notified or ended with. */
extern char fake_sip_pres_doc[4096];
extern int  fake_sip_pres_started;
/* --- subscriptions (fake-sub.c) ---------------------------------------- */
#include "sip-sub.h"

struct fake_sip_sub {
	int		 n;		/* order of creation, from 1 */
	char		 account[64];
	char		 target[256];	/* the account's uri for NULL */
	char		 event[64];
	char		 accept[128];
	sip_sub_h	 handler;
	void		*arg;
	int		 sends;		/* SUBSCRIBEs */
	int		 expires;	/* asked in the last */
	int		 ends;		/* un-SUBSCRIBEs */
	bool		 ended;		/* SIP_SUB_ENDED reported */
	bool		 freed;
};
/* Subscriptions by creation order (1 = first), the newest, how many. */
struct fake_sip_sub *fake_sip_sub(int n);
struct fake_sip_sub *fake_sip_sub_last(void);
int	 fake_sip_subs(void);
int	 fake_sip_subs_live(void);
void	 fake_sip_sub_reset(void);
/* The notifier: answers, NOTIFYs (a terminated one reports the end
 * too), the end; then the deferred jobs run. */
void	 fake_sip_sub_answer(struct fake_sip_sub *, int code, int expires);
void	 fake_sip_sub_notify(struct fake_sip_sub *, enum sip_sub_state,
	    const char *reason, int retry_after, const char *ctype,
	    const char *body);
void	 fake_sip_sub_ended(struct fake_sip_sub *, int code,
	    const char *phrase, const char *reason, int retry_after);
extern bool fake_sip_sub_fail_new, fake_sip_sub_fail_send;

/* --- media ----------------------------------------------------------- */
struct media;
/* The stream of call ID, or NULL. */
struct media *fake_media_of(int call_id);
bool	 fake_media_active(int call_id);
bool	 fake_media_muted(int call_id);
bool	 fake_media_recording(int call_id);
int	 fake_media_updates(int call_id);
/* The call whose stream is in a conference with call ID's, or 0. */
int	 fake_media_conference(int call_id);
enum media_tone fake_media_tone(void);
int	 fake_media_streams(void);
extern bool fake_media_fail_new, fake_media_fail_dtmf, fake_media_fail_device;
/* The engine reports on call ID. */
void	 fake_media_timeout(int call_id);
void	 fake_media_dtmf(int call_id, char digit);
/* Whether call ID's stream was asked for a STUN binding, and where. */
bool	 fake_media_stun_asked(int call_id, char *server, size_t len);
/* The binding's result (the stun handler). */
struct media_stun_result;
void	 fake_media_stun_answer(int call_id, const struct media_stun_result *);

/* --- DNS (sip-dns.h): one lookup at a time --------------------------- */
/* The URI of the lookup under way, or NULL. */
const char *fake_sip_dns_pending(void);
/* End it: ADDR found, or (ADDR NULL) the error WHY. */
void	 fake_sip_dns_answer(const char *addr, const char *why);

#endif
