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
 * SDP (taken and freed) with "a=rtcp:PORT IN IP4|IP6 ADDR" (RFC 3605)
 * after the first m= line with a port: the one stream we use, in our
 * offers and answers alike.
 */
char	*sip_sdp_add_rtcp(char *sdp, const char *addr, int port);
/* Warn-codes (RFC 3261 20.43) for a Warning saying why an offer failed. */
#define SIP_SDP_WARN_ADDRESS	301	/* incompatible network address */
#define SIP_SDP_WARN_TRANSPORT	302	/* incompatible transport protocol */
#define SIP_SDP_WARN_MEDIA	304	/* media type not available */
#define SIP_SDP_WARN_FORMAT	305	/* incompatible media format */
#define SIP_SDP_WARN_MULTICAST	330	/* multicast not available */
#define SIP_SDP_WARN_MISC	399	/* miscellaneous */

/*
 * The attribute that stands for SDP Sofia must not or cannot parse (see
 * sip-sdp-guard.c); its value says why.
 */
#define SIP_SDP_BAD_ATTR	"x-tsphone-bad-sdp"

/* Does TEXT parse as SDP? 0, or -1 with *cause (answer 400). */
int	 sip_sdp_check(const char *text, char **cause);

/*
 * Can we take OFFER (RFC 3264 6)? If so, return the user SDP to answer it
 * with, for soa: of the offer's audio streams we can use, the first of
 * the kind the account's srtp setting likes best (RTP/SAVP, then SDES
 * keys on RTP/AVP, then plain RTP/AVP; mandatory takes keys only, off
 * plain RTP/AVP only), answered with its profile, payload types, our
 * first codec it has, one telephone-event it offered (at that codec's
 * rate if it can) and one a=crypto line echoing the tag of the first
 * offered suite we have (RFC 4568 5.1.2), with a fresh key kept in KEYS,
 * or the one in REUSE (may be NULL) when a re-offer keeps its tag and
 * suite; every other offered stream with a port, whatever its type or
 * profile, with port 0 and its own formats. Otherwise NULL with *cause in
 * words and *warn the warn-code that fits it.
 */
char	*sip_sdp_answer(const char *offer, const struct conf_account *,
	    const char *addr, int port, const struct sip_sdp_keys *reuse,
	    struct sip_sdp_keys *keys, int *warn, char **cause);
/*
 * Media parameters from our SDP and the peer's after an exchange (the
 * answer's audio stream with a port, and the offer's at the same place);
 * LOCAL_IS_ANSWER when we answered. KEYS are ours, for the tag the answer
 * chose. Returns 0, or -1 with *cause.
 */
int	 sip_sdp_params(const char *local, const char *remote,
	    bool local_is_answer, const struct sip_sdp_keys *,
	    struct media_params *, char **cause);

/* Is MSG (SIZE bytes) safe to hand to Sofia's SDP parser? (sip-sdp-guard.c) */
bool	 sip_sdp_guard_ok(const char *msg, size_t size);

#endif
