/*
 * media-nat.c: symmetric RTP/RTCP latching and RTP keep-alives, the media
 * engine's part in getting through NATs.
 *
 * Latching. A peer behind a NAT writes its private address in its SDP;
 * its packets come from the NAT's public address and port, and only
 * packets sent back there get through (symmetric RTP, RFC 4961, which
 * Asterisk, FreeSWITCH, rtpengine and baresip all expect). So we send to
 * where the peer's packets come from -- once they prove to be the peer's,
 * or anyone who learns our port could take the call's audio, or make us
 * send it to them. Proof is:
 *
 *  - with SRTP, that the packet authenticates with the peer's key (the
 *    caller unprotects first; one packet is enough, replay protection
 *    keeps a copy of an old one from counting);
 *  - without, the peer's SSRC, known from its packets from the current
 *    address (the SDP's at first); a stranger off the path does not see
 *    it. Before any packet came from there, a new address must send
 *    MEDIA_LATCH_RUN packets in a row with one SSRC and consecutive
 *    sequence numbers, and nothing else may come from elsewhere
 *    meanwhile. That is all one can ask of plain RTP: a stranger who
 *    knows our port and sends first could win that race at the start of
 *    a call, never later, since from then on the SSRC is known (and never
 *    forgotten: only a new SDP address starts over). SRTP closes it.
 *
 * Even proven, a packet moves the latch only when the current address
 * has been quiet for a while (or never spoke): a peer whose packets come
 * from two addresses at once does not make us flap between them.
 *
 * Keep-alives: see media_keepalive_pt and media.c's media_keepalive.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "media-nat.h"

bool
media_nat_same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof a6->sin6_addr) == 0;
	}
	return false;
}

void
media_nat_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char	 host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else
		snprintf(buf, len, "?");
}

static bool
media_nat_unspecified(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

static socklen_t
media_nat_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

void
media_latch_set(struct media_latch *l, const struct sockaddr *sdp,
    socklen_t len, uint64_t quiet_us)
{
	if (len > sizeof l->sdp)
		len = sizeof l->sdp;
	l->quiet_us = quiet_us;
	/* A re-INVITE to the same place (hold, resume, new keys), or an
	 * old-style hold to 0.0.0.0 once we know where the peer is. */
	if (media_nat_same_addr(sdp, (const struct sockaddr *)&l->sdp) ||
	    (l->len != 0 && media_nat_unspecified(sdp)))
		return;
	memset(l, 0, sizeof *l);
	memcpy(&l->sdp, sdp, len);
	memcpy(&l->cur, sdp, len);
	l->len = len;
	l->quiet_us = quiet_us;
}

/* Move L to FROM (proven) at NOW_US, if the current address is quiet. */
static enum media_latch_verdict
media_latch_move(struct media_latch *l, const struct sockaddr *from,
    uint64_t now_us)
{
	if (l->heard && now_us - l->heard_us < l->quiet_us) {
		l->dropped++;
		return MEDIA_LATCH_DROP;
	}
	memset(&l->cur, 0, sizeof l->cur);
	memcpy(&l->cur, from, media_nat_len(from));
	l->len = media_nat_len(from);
	l->heard = true;
	l->heard_us = now_us;
	l->cand_run = 0;
	l->moves++;
	return MEDIA_LATCH_MOVED;
}

enum media_latch_verdict
media_latch_rtp(struct media_latch *l, const struct sockaddr *from,
    uint32_t ssrc, uint16_t seq, bool auth, uint64_t now_us)
{
	bool	 proven;

	if (media_nat_same_addr(from, (const struct sockaddr *)&l->cur)) {
		/*
		 * Anyone at the peer's address (or spoofing it) could still
		 * inject a stream: while the peer's SSRC keeps sending,
		 * other SSRCs are dropped. A peer that really changes SSRC
		 * (a new source after a re-INVITE, a transfer) goes quiet
		 * on the old one, and is followed after a moment.
		 */
		if (l->ssrc_known && ssrc != l->ssrc &&
		    now_us - l->ssrc_us < MEDIA_LATCH_SSRC_HOLD_US) {
			l->dropped++;
			return MEDIA_LATCH_DROP;
		}
		l->heard = true;
		l->heard_us = now_us;
		l->ssrc_known = true;
		l->ssrc = ssrc;
		l->ssrc_us = now_us;
		return MEDIA_LATCH_ACCEPT;
	}
	if (auth)
		proven = true;
	else if (l->ssrc_known)
		proven = ssrc == l->ssrc;
	else {
		if (l->cand_run > 0 && l->cand_ssrc == ssrc &&
		    (uint16_t)(l->cand_seq + 1) == seq &&
		    media_nat_same_addr(from, (const struct sockaddr *)&l->cand))
			l->cand_run++;
		else {
			memset(&l->cand, 0, sizeof l->cand);
			memcpy(&l->cand, from, media_nat_len(from));
			l->cand_ssrc = ssrc;
			l->cand_run = 1;
		}
		l->cand_seq = seq;
		proven = l->cand_run >= MEDIA_LATCH_RUN;
	}
	if (!proven) {
		l->dropped++;
		return MEDIA_LATCH_DROP;
	}
	if (media_latch_move(l, from, now_us) == MEDIA_LATCH_DROP)
		return MEDIA_LATCH_DROP;
	l->ssrc_known = true;
	l->ssrc = ssrc;
	l->ssrc_us = now_us;
	return MEDIA_LATCH_MOVED;
}

enum media_latch_verdict
media_latch_rtcp(struct media_latch *l, const struct media_latch *rtp,
    const struct sockaddr *from, bool has_ssrc, uint32_t ssrc, bool auth,
    uint64_t now_us)
{
	if (media_nat_same_addr(from, (const struct sockaddr *)&l->cur)) {
		l->heard = true;
		l->heard_us = now_us;
		return MEDIA_LATCH_ACCEPT;
	}
	if (!auth && !(has_ssrc && rtp->ssrc_known && ssrc == rtp->ssrc)) {
		l->dropped++;
		return MEDIA_LATCH_DROP;
	}
	return media_latch_move(l, from, now_us);
}

void
media_keepalive_init(struct media_keepalive *k, uint64_t interval_us,
    uint64_t now_us)
{
	k->interval_us = interval_us;
	k->last_us = now_us;
	k->sent = 0;
}

void
media_keepalive_sent(struct media_keepalive *k, uint64_t now_us)
{
	k->last_us = now_us;
}

bool
media_keepalive_due(const struct media_keepalive *k, uint64_t now_us)
{
	/* LAST may be a moment ahead of NOW: the loop thread starts the
	 * clock, the media thread reads it at its own wake-up. */
	return k->interval_us != 0 && now_us >= k->last_us &&
	    now_us - k->last_us >= k->interval_us;
}

uint64_t
media_keepalive_next(const struct media_keepalive *k)
{
	return k->interval_us == 0 ? UINT64_MAX : k->last_us + k->interval_us;
}

/*
 * Keep-alives are RFC 6263 4.6 packets: RTP from our SSRC, the next
 * sequence number, no payload, and a dynamic payload type the session
 * did not negotiate, which RFC 3550 says a receiver must ignore. Unlike
 * an empty datagram (4.1) they are SRTP-protected when the call is, so a
 * peer checking SRTP does not count them as forgeries, and a peer that
 * latches (tsphone, FreeSWITCH, Asterisk's strict RTP, rtpengine) learns
 * or keeps our public address from them during a hold; unlike comfort
 * noise (4.3) they need nothing negotiated. baresip ignores them without
 * a word (tests/baresip.sh; it can send these itself); Asterisk's and
 * FreeSWITCH's RTP stacks drop a payload type they do not know (read in
 * their sources, not run here); Kamailio never sees media, and
 * rtpengine, if it relays, forwards them with a rate-limited warning.
 * An empty datagram (4.1) would fail SRTP authentication at the peer
 * and prove nothing to a peer that latches.
 */
int
media_keepalive_pt(const int *used, int n)
{
	int	 pt, i;

	for (pt = 127; pt >= 96; pt--) {
		for (i = 0; i < n && used[i] != pt; i++)
			;
		if (i == n)
			return pt;
	}
	return -1;
}
