/*
 * sip-sdp.h: our SDP for a call, and what a negotiated pair of SDPs
 * means for the media engine. Sofia-free interface; parsing is Sofia's.
 */
#ifndef TSP_SIP_SDP_H
#define TSP_SIP_SDP_H

#include <stdbool.h>

struct conf_account;
struct media_params;

/* Payload types we use for dynamic codecs. */
#define SIP_SDP_PT_OPUS		111
#define SIP_SDP_PT_TE8K		101
#define SIP_SDP_PT_TE48K	102

/* The user SDP (offer template) for ACCOUNT with media at ADDR:PORT. */
char	*sip_sdp_offer(const struct conf_account *, const char *addr, int port);
/*
 * Can we take OFFER? 0 if it has an audio stream with one of the
 * account's codecs and a profile we speak; else -1 and *cause.
 */
int	 sip_sdp_check_offer(const char *offer, const struct conf_account *,
	    char **cause);
/*
 * Media parameters from our SDP and the peer's after an exchange;
 * LOCAL_IS_ANSWER when we answered. Returns 0, or -1 with *cause.
 */
int	 sip_sdp_params(const char *local, const char *remote,
	    bool local_is_answer, struct media_params *, char **cause);

#endif
