/*
 * sip-call.h: INVITE dialogs for calls (Sofia-free interface).
 */
#ifndef TSP_SIP_CALL_H
#define TSP_SIP_CALL_H

#include <stdbool.h>

struct call;

/* Send the INVITE for an outgoing call to TARGET (a checked URI). */
int	 sip_call_invite(struct call *, const char *target, char **cause);
int	 sip_call_answer(struct call *, char **cause);
/* Final response to a ringing call; PHRASE NULL for the standard one. */
void	 sip_call_reject(struct call *, int code, const char *phrase);
/* CANCEL before the answer, BYE after; WHY becomes the call's reason. */
void	 sip_call_hangup(struct call *, const char *why);
/* Re-INVITE for hold (sendonly, or inactive when held) or resume. */
void	 sip_call_reinvite(struct call *, bool hold);
/* DTMF by SIP INFO (application/dtmf-relay), one request per digit. */
int	 sip_call_info_dtmf(struct call *, const char *digits, char **cause);
/* Blind transfer with REFER. */
int	 sip_call_refer(struct call *, const char *target, char **cause);
/* Forget the dialog handle without sending anything. */
void	 sip_call_drop(struct call *);

#endif
