/*
 * inbox.h: what reaches the user outside calls, until messaging and
 * voicemail are built properly: text messages (SIP MESSAGE) and voicemail
 * notices (message-summary), shown in the log and published on the bus
 * as EVENT_MESSAGE and EVENT_MWI. The last voicemail notice of each
 * account is kept on it, for status and the screen. No Sofia type here.
 */
#ifndef TSP_INBOX_H
#define TSP_INBOX_H

struct account;
struct sip_msg_report;

/* What the SIP layer reported, for account A (NULL: none matched). */
void	 inbox_report(struct account *, const struct sip_msg_report *);
/* The account's last voicemail notice again, if one came (status). */
void	 inbox_emit_mwi(const struct account *);

#endif
