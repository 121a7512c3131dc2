/*
 * test-nat.c: symmetric RTP/RTCP latching and keep-alive timing
 * (media-nat.c) with made-up addresses and an injected clock: a stranger
 * never takes the stream, the peer does once it proves itself, SRTP
 * authentication is proof and its failure is not, a new SDP address
 * starts over, keep-alives come when nothing else was sent.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "media-nat.h"
#include "tap.h"

#define MS	1000ULL
#define nitems(a)	(sizeof (a) / sizeof (a)[0])

static struct sockaddr_in
addr(const char *ip, int port)
{
	struct sockaddr_in	 a;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

#define SA(a)	((const struct sockaddr *)&(a))

/* The address L sends to, as text. */
static const char *
cur(const struct media_latch *l)
{
	static char	 buf[64];

	media_nat_addr_str((const struct sockaddr *)&l->cur, buf, sizeof buf);
	return buf;
}

static void
set(struct media_latch *l, struct sockaddr_in sdp)
{
	media_latch_set(l, SA(sdp), sizeof sdp, MEDIA_LATCH_QUIET_US);
}

/* COUNT packets of SSRC from FROM, 20 ms apart from *NOW, seq from SEQ;
 * returns the verdict of the last and counts MOVED ones in *MOVES. */
static enum media_latch_verdict
stream(struct media_latch *l, struct sockaddr_in from, uint32_t ssrc,
    uint16_t seq, int count, bool auth, uint64_t *now, int *moves)
{
	enum media_latch_verdict v = MEDIA_LATCH_DROP;
	int			 i;

	for (i = 0; i < count; i++) {
		v = media_latch_rtp(l, SA(from), ssrc, (uint16_t)(seq + i), auth,
		    *now);
		if (v == MEDIA_LATCH_MOVED && moves != NULL)
			(*moves)++;
		*now += 20 * MS;
	}
	return v;
}

static void
test_sdp_peer(void)
{
	struct media_latch	 l;
	struct sockaddr_in	 sdp = addr("192.0.2.1", 4000);
	struct sockaddr_in	 evil = addr("198.51.100.7", 5555);
	uint64_t		 now = 1000 * MS;
	int			 moves = 0, i;

	memset(&l, 0, sizeof l);
	set(&l, sdp);
	is_str(cur(&l), "192.0.2.1:4000", "we send to the SDP's address first");
	is_int(stream(&l, sdp, 0x1111, 100, 10, false, &now, &moves),
	    MEDIA_LATCH_ACCEPT, "the peer's packets from there are taken");
	ok(l.ssrc_known && l.ssrc == 0x1111, "its SSRC is learnt");
	/* A stranger from elsewhere, with its own SSRC, sequential: */
	is_int(stream(&l, evil, 0x2222, 1, 50, false, &now, &moves),
	    MEDIA_LATCH_DROP, "a stranger with another SSRC is dropped");
	is_int(moves, 0, "and never latches, however long it sends");
	is_str(cur(&l), "192.0.2.1:4000", "we still send to the peer");
	is_int((int)l.dropped, 50, "the stranger's packets are counted");
	/* Even once the peer has gone quiet (held): the SSRC is known. */
	now += 60 * 1000 * MS;
	is_int(stream(&l, evil, 0x2222, 51, 100, false, &now, &moves),
	    MEDIA_LATCH_DROP, "a stranger during a long silence is dropped");
	is_int(moves, 0, "and still never latches");
	/* Stranger packets from the peer's own address, another SSRC. */
	is_int(stream(&l, sdp, 0x1111, 110, 1, false, &now, NULL),
	    MEDIA_LATCH_ACCEPT, "the peer resumes");
	is_int(media_latch_rtp(&l, SA(sdp), 0x3333, 7, false, now),
	    MEDIA_LATCH_DROP, "another SSRC from the peer's address, while "
	    "the peer sends, is dropped");
	now += 600 * MS;
	is_int(media_latch_rtp(&l, SA(sdp), 0x3333, 8, false, now),
	    MEDIA_LATCH_ACCEPT, "once the old SSRC is quiet the new one is "
	    "the peer's new source");
	ok(l.ssrc == 0x3333, "and is now expected");
	for (i = 0; i < 3; i++)
		media_latch_rtp(&l, SA(evil), 0x1111, (uint16_t)i, false, now);
	is_int((int)l.moves, 0, "the peer's old SSRC is no longer proof");
}

static void
test_nat_peer(void)
{
	struct media_latch	 l;
	struct sockaddr_in	 sdp = addr("10.0.0.5", 4000);
	struct sockaddr_in	 pub = addr("203.0.113.9", 31000);
	struct sockaddr_in	 pub2 = addr("203.0.113.9", 31002);
	struct sockaddr_in	 evil = addr("198.51.100.7", 5555);
	uint64_t		 now = 1000 * MS;
	int			 moves = 0, i;

	/* The peer's SDP names its private address; it sends from the
	 * NAT's. Nothing ever came from the SDP's address. */
	memset(&l, 0, sizeof l);
	set(&l, sdp);
	for (i = 0; i < MEDIA_LATCH_RUN - 1; i++) {
		is_int(media_latch_rtp(&l, SA(pub), 0xabc, (uint16_t)(500 + i),
		    false, now), MEDIA_LATCH_DROP,
		    "packet %d of a new address's run is not enough", i + 1);
		now += 20 * MS;
	}
	is_int(media_latch_rtp(&l, SA(pub), 0xabc, (uint16_t)(500 + i), false,
	    now), MEDIA_LATCH_MOVED, "packet %d of the run latches",
	    MEDIA_LATCH_RUN);
	is_str(cur(&l), "203.0.113.9:31000", "we send to the NAT's address");
	ok(l.ssrc_known && l.ssrc == 0xabc, "the peer's SSRC is now known");
	now += 20 * MS;
	is_int(media_latch_rtp(&l, SA(pub), 0xabc, 505, false, now),
	    MEDIA_LATCH_ACCEPT, "and its next packets are plain accepts");

	/* A run is broken by a gap in sequence numbers, another SSRC or
	 * another address in between. */
	memset(&l, 0, sizeof l);
	set(&l, sdp);
	for (i = 0; i < 20; i++) {
		media_latch_rtp(&l, SA(pub), 0xabc, (uint16_t)(2 * i), false,
		    now);
		now += 20 * MS;
	}
	is_int((int)l.moves, 0, "every other sequence number: no run");
	for (i = 0; i < 20; i++) {
		media_latch_rtp(&l, SA(pub), 0xabc, (uint16_t)(100 + i), false,
		    now);
		media_latch_rtp(&l, SA(evil), 0x666, (uint16_t)(100 + i), false,
		    now);
		now += 20 * MS;
	}
	is_int((int)l.moves, 0, "two sources interleaved: neither latches");

	/* The peer's NAT maps it anew mid-call: same SSRC, new port. */
	memset(&l, 0, sizeof l);
	set(&l, sdp);
	moves = 0;
	stream(&l, pub, 0xabc, 1, 10, false, &now, &moves);
	is_int(moves, 1, "latched onto the first mapping");
	is_int(media_latch_rtp(&l, SA(pub2), 0xabc, 11, false, now),
	    MEDIA_LATCH_DROP, "the new mapping waits while the old one "
	    "was heard a moment ago");
	now += MEDIA_LATCH_QUIET_US;
	is_int(media_latch_rtp(&l, SA(pub2), 0xabc, 12, false, now),
	    MEDIA_LATCH_MOVED, "the peer's SSRC from a new port latches once "
	    "the old one is quiet");
	is_str(cur(&l), "203.0.113.9:31002", "we follow it");
	/* A stranger cannot take it back with its own SSRC. */
	now += 10 * 1000 * MS;
	moves = 0;
	stream(&l, evil, 0x666, 1, 40, false, &now, &moves);
	is_int(moves, 0, "a stranger's run after the SSRC is known: never");
	/* The peer from its SDP address again: it proves by SSRC. */
	is_int(media_latch_rtp(&l, SA(sdp), 0xabc, 20, false, now),
	    MEDIA_LATCH_MOVED, "back to the SDP's address with the SSRC");
}

static void
test_srtp(void)
{
	struct media_latch	 l;
	struct sockaddr_in	 sdp = addr("10.0.0.5", 4000);
	struct sockaddr_in	 pub = addr("203.0.113.9", 31000);
	struct sockaddr_in	 evil = addr("198.51.100.7", 5555);
	uint64_t		 now = 1000 * MS;
	int			 moves = 0;

	/*
	 * media.c unprotects before asking: a packet that fails SRTP
	 * authentication is dropped there and never reaches the latch; one
	 * that comes here unauthenticated is a plain-RTP packet, and on an
	 * SRTP stream media.c never passes auth = false. So what is checked
	 * here: one authenticated packet latches, SSRC or not.
	 */
	memset(&l, 0, sizeof l);
	set(&l, sdp);
	is_int(media_latch_rtp(&l, SA(pub), 0xabc, 9, true, now),
	    MEDIA_LATCH_MOVED, "one authenticated packet latches");
	is_str(cur(&l), "203.0.113.9:31000", "onto its address");
	now += 20 * MS;
	/* A stranger's garbage never authenticates: media.c drops it;
	 * even if it reached here as unauthenticated with the right SSRC,
	 * a live current address would keep it out. */
	stream(&l, pub, 0xabc, 10, 5, true, &now, NULL);
	is_int(media_latch_rtp(&l, SA(evil), 0xabc, 15, false, now),
	    MEDIA_LATCH_DROP, "a copy of the SSRC while the peer talks: "
	    "dropped");
	is_str(cur(&l), "203.0.113.9:31000", "the stream did not move");
	(void)moves;
}

static void
test_reinvite(void)
{
	struct media_latch	 l;
	struct sockaddr_in	 sdp = addr("10.0.0.5", 4000);
	struct sockaddr_in	 sdp2 = addr("10.0.0.6", 6000);
	struct sockaddr_in	 pub = addr("203.0.113.9", 31000);
	uint64_t		 now = 1000 * MS;
	int			 moves = 0;

	memset(&l, 0, sizeof l);
	set(&l, sdp);
	stream(&l, pub, 0xabc, 1, 10, false, &now, &moves);
	is_int(moves, 1, "latched");
	set(&l, sdp);
	is_str(cur(&l), "203.0.113.9:31000",
	    "a re-INVITE with the same SDP address keeps the latch (hold)");
	ok(l.ssrc_known, "and the SSRC");
	set(&l, sdp2);
	is_str(cur(&l), "10.0.0.6:6000", "a new SDP address resets the latch");
	ok(!l.ssrc_known, "and forgets the SSRC (a new party may send)");
	is_int((int)l.moves, 0, "counters start over");
	moves = 0;
	stream(&l, pub, 0xdef, 40, MEDIA_LATCH_RUN, false, &now, &moves);
	is_int(moves, 1, "the new party latches by its own run");
}

static void
test_v6_and_old_hold(void)
{
	struct media_latch	 l;
	struct sockaddr_in6	 sdp, pub;
	struct sockaddr_in	 any = addr("0.0.0.0", 4000);
	struct sockaddr_in	 sdp4 = addr("10.0.0.5", 4000);
	struct sockaddr_in	 pub4 = addr("203.0.113.9", 31000);
	uint64_t		 now = 1000 * MS;
	int			 i;

	memset(&sdp, 0, sizeof sdp);
	sdp.sin6_family = AF_INET6;
	sdp.sin6_port = htons(4000);
	inet_pton(AF_INET6, "2001:db8::5", &sdp.sin6_addr);
	pub = sdp;
	pub.sin6_port = htons(31000);
	inet_pton(AF_INET6, "2001:db8:1::9", &pub.sin6_addr);
	memset(&l, 0, sizeof l);
	media_latch_set(&l, SA(sdp), sizeof sdp, MEDIA_LATCH_QUIET_US);
	is_str(cur(&l), "[2001:db8::5]:4000", "IPv6: the SDP's address");
	for (i = 0; i < MEDIA_LATCH_RUN; i++)
		media_latch_rtp(&l, SA(pub), 0x66, (uint16_t)i, false, now);
	is_str(cur(&l), "[2001:db8:1::9]:31000", "IPv6: latched after a run");
	is_int((int)l.len, (int)sizeof pub, "with an IPv6 address length");
	is_int(media_latch_rtp(&l, SA(sdp4), 0x66, 9, false, now + 1000 * MS),
	    MEDIA_LATCH_MOVED, "to IPv4 and back: the family counts");
	is_int((int)l.len, (int)sizeof sdp4, "with an IPv4 length");

	/* An old-style hold (c=0.0.0.0) once latched changes nothing. */
	memset(&l, 0, sizeof l);
	set(&l, sdp4);
	for (i = 0; i < MEDIA_LATCH_RUN; i++)
		media_latch_rtp(&l, SA(pub4), 0x77, (uint16_t)i, false, now);
	set(&l, any);
	is_str(cur(&l), "203.0.113.9:31000",
	    "c=0.0.0.0 (RFC 2543 hold) keeps the latch");
	set(&l, sdp4);
	is_str(cur(&l), "203.0.113.9:31000", "and so does the resume");
	memset(&l, 0, sizeof l);
	set(&l, any);
	is_str(cur(&l), "0.0.0.0:4000", "a first SDP with 0.0.0.0 is taken "
	    "as it is (media.c sends nothing there)");
}

static void
test_rtcp(void)
{
	struct media_latch	 rtp, rtcp;
	struct sockaddr_in	 sdp = addr("10.0.0.5", 4000);
	struct sockaddr_in	 sdpc = addr("10.0.0.5", 4001);
	struct sockaddr_in	 pub = addr("203.0.113.9", 31000);
	struct sockaddr_in	 pubc = addr("203.0.113.9", 31001);
	struct sockaddr_in	 evil = addr("198.51.100.7", 5555);
	uint64_t		 now = 1000 * MS;

	memset(&rtp, 0, sizeof rtp);
	memset(&rtcp, 0, sizeof rtcp);
	set(&rtp, sdp);
	media_latch_set(&rtcp, SA(sdpc), sizeof sdpc, 7500 * MS);
	is_int(media_latch_rtcp(&rtcp, &rtp, SA(pubc), true, 0xabc, false, now),
	    MEDIA_LATCH_DROP, "RTCP before the RTP SSRC is known: no proof");
	stream(&rtp, pub, 0xabc, 1, 10, false, &now, NULL);
	is_int(media_latch_rtcp(&rtcp, &rtp, SA(evil), true, 0x666, false, now),
	    MEDIA_LATCH_DROP, "a report from a stranger's SSRC is dropped");
	is_int(media_latch_rtcp(&rtcp, &rtp, SA(evil), false, 0, false, now),
	    MEDIA_LATCH_DROP, "so is one with no report at all");
	is_int(media_latch_rtcp(&rtcp, &rtp, SA(pubc), true, 0xabc, false, now),
	    MEDIA_LATCH_MOVED, "the peer's report latches RTCP");
	is_str(cur(&rtcp), "203.0.113.9:31001", "onto its own port");
	is_int(media_latch_rtcp(&rtcp, &rtp, SA(pubc), false, 0, false, now),
	    MEDIA_LATCH_ACCEPT, "what comes from there is taken");
	now += 1000 * MS;
	is_int(media_latch_rtcp(&rtcp, &rtp, SA(evil), true, 0xabc, false, now),
	    MEDIA_LATCH_DROP, "the SSRC from elsewhere within a report "
	    "interval: kept out");
	is_int(media_latch_rtcp(&rtcp, &rtp, SA(evil), false, 0, true,
	    now + 8000 * MS), MEDIA_LATCH_MOVED,
	    "SRTCP-authenticated after the old address went quiet: moves");
}

static void
test_keepalive(void)
{
	struct media_keepalive	 k;
	uint64_t		 now = 5000 * MS, t;
	int			 used[] = { 0, 8, 96, 101, 127 }, all[32], i, n;

	media_keepalive_init(&k, 15000 * MS, now);
	ok(!media_keepalive_due(&k, now + 14999 * MS), "not due before 15 s");
	ok(!media_keepalive_due(&k, now - 3 * MS),
	    "not due when started a moment after now (another thread)");
	ok(media_keepalive_due(&k, now + 15000 * MS), "due at 15 s");
	is_int((int)((media_keepalive_next(&k) - now) / MS), 15000,
	    "next says when");
	/* Media going out pushes it back: a talking call sends none. */
	n = 0;
	for (t = now; t < now + 60000 * MS; t += 20 * MS) {
		if (media_keepalive_due(&k, t))
			n++;
		media_keepalive_sent(&k, t);
	}
	is_int(n, 0, "while media flows (a minute of it), none is due");
	/* On hold: one every 15 s, counted from the last. */
	now = t;
	n = 0;
	for (t = now; t <= now + 60000 * MS; t += 100 * MS) {
		if (media_keepalive_due(&k, t)) {
			n++;
			media_keepalive_sent(&k, t);
		}
	}
	is_int(n, 4, "a minute of hold: four keep-alives");
	media_keepalive_init(&k, 0, now);
	ok(!media_keepalive_due(&k, now + 3600000 * MS), "0 turns them off");
	ok(media_keepalive_next(&k) == UINT64_MAX, "and next is never");

	is_int(media_keepalive_pt(used, (int)nitems(used)), 126,
	    "the keep-alive PT is dynamic and not negotiated");
	is_int(media_keepalive_pt(NULL, 0), 127, "127 when nothing is taken");
	for (i = 0; i < 32; i++)
		all[i] = 96 + i;
	is_int(media_keepalive_pt(all, 32), -1, "none when all are taken");
}

int
main(void)
{
	test_sdp_peer();
	test_nat_peer();
	test_srtp();
	test_reinvite();
	test_v6_and_old_hold();
	test_rtcp();
	test_keepalive();
	return done_testing();
}
