/*
 * sip-sdp.h: our SDP for a call, and what a negotiated pair of SDPs
 * means for the media engine. Sofia-free interface; parsing is Sofia's.
 */
#ifndef TSP_SIP_SDP_H
#define TSP_SIP_SDP_H

#include <stdbool.h>
#include <stddef.h>

#include "media-srtp.h"

struct conf_account;
struct media_params;

/* The SDES keys we put in our SDP, by a=crypto tag. */
#define SIP_SDP_MAX_KEYS	4
struct sip_sdp_keys {
	struct media_srtp_crypto c[SIP_SDP_MAX_KEYS];
	int			 n;
};
void	 sip_sdp_keys_wipe(struct sip_sdp_keys *);

/* Payload types we use for dynamic codecs. */
#define SIP_SDP_PT_OPUS		111
#define SIP_SDP_PT_TE8K		101
#define SIP_SDP_PT_TE48K	102

/*
 * The user SDP (offer template) for ACCOUNT with media at ADDR:PORT; with
 * srtp = optional or mandatory it carries fresh keys (kept in KEYS) for
 * every suite we have, on RTP/AVP or RTP/SAVP respectively. NULL with
 * *cause when no key can be made.
 */
char	*sip_sdp_offer(const struct conf_account *, const char *addr, int port,
	    struct sip_sdp_keys *, char **cause);
/*
 * Can we take OFFER? If so, return the user SDP to answer it with: the
 * offer's profile, and one a=crypto line echoing the tag of the first
 * offered suite we have (RFC 4568 5.1.2), with a fresh key kept in KEYS.
 * Otherwise NULL with *cause (no common codec, SRTP required by one side
 * and not offered by the other, no usable crypto suite).
 */
char	*sip_sdp_answer(const char *offer, const struct conf_account *,
	    const char *addr, int port, struct sip_sdp_keys *, char **cause);
/*
 * Media parameters from our SDP and the peer's after an exchange;
 * LOCAL_IS_ANSWER when we answered. KEYS are ours, for the tag the answer
 * chose. Returns 0, or -1 with *cause.
 */
int	 sip_sdp_params(const char *local, const char *remote,
	    bool local_is_answer, const struct sip_sdp_keys *,
	    struct media_params *, char **cause);

/* Is MSG (SIZE bytes) safe to hand to Sofia's SDP parser? (sip-sdp-guard.c) */
bool	 sip_sdp_guard_ok(const char *msg, size_t size);

#endif
