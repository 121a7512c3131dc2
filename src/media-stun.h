/*
 * media-stun.h: STUN Binding (RFC 5389) as the media sockets use it to
 * learn their public address behind a NAT: the request we send, the
 * response we read, and the retransmission schedule of one transaction.
 *
 * Nothing here touches a socket or reads a clock: the media thread sends
 * and receives, and passes the time in as NOW_US (monotonic). Every input
 * comes from the network and is checked before it is read.
 */
#ifndef TSP_MEDIA_STUN_H
#define TSP_MEDIA_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_STUN_PORT		3478	/* RFC 5389 18.4 */
#define MEDIA_STUN_HDR_LEN	20
#define MEDIA_STUN_TID_LEN	12
#define MEDIA_STUN_COOKIE	0x2112a442U
/* Our request: the header and a FINGERPRINT. */
#define MEDIA_STUN_REQ_LEN	(MEDIA_STUN_HDR_LEN + 8)

/*
 * The schedule, RFC 5389 7.2.1's scaled down: a call waits for the
 * binding before its offer or answer goes out, so the whole attempt is
 * bounded at MEDIA_STUN_TOTAL_US. Sends at 0, 100, 300 and 700 ms, each
 * wait twice the last, then gives up at 1 s. A STUN server a NAT away
 * answers in tens of milliseconds; one that has not answered four
 * requests in a second will not help this call.
 */
#define MEDIA_STUN_RTO_US	(100 * 1000ULL)
#define MEDIA_STUN_SENDS	4
#define MEDIA_STUN_TOTAL_US	(1000 * 1000ULL)

/* What a response says. */
struct media_stun_resp {
	int		 family;	/* AF_INET or AF_INET6 */
	char		 addr[48];	/* numeric, no brackets */
	int		 port;
	bool		 xor_mapped;	/* from XOR-MAPPED-ADDRESS */
	int		 code;		/* error response: 300..699 */
	char		 reason[128];	/* its reason phrase, printable */
};

/* Is BUF a STUN message rather than RTP or RTCP (RFC 7983: the first
 * byte is 0..3; and RFC 5389's magic cookie)? Says nothing of its body. */
bool	 media_stun_is(const uint8_t *buf, size_t len);

/* A Binding request with transaction ID TID into BUF (CAP bytes, at least
 * MEDIA_STUN_REQ_LEN). Returns its length, or 0 if it does not fit. */
size_t	 media_stun_request(uint8_t *buf, size_t cap,
	    const uint8_t tid[MEDIA_STUN_TID_LEN]);

/*
 * Read BUF (LEN bytes) as the response to our request TID. Returns
 *   0        a success response; R has the mapped address (XOR-MAPPED-
 *            ADDRESS, else MAPPED-ADDRESS);
 *   -EPROTO  an error response; R has its code and reason;
 *   -ENOMSG  not a response to TID (not STUN, a request or indication,
 *            another transaction, another method): ignore it;
 *   -EBADMSG ours but malformed (lengths, a bad FINGERPRINT, no address,
 *            an unknown comprehension-required attribute; RFC 5389 7.3.3
 *            has it discarded).
 * Never reads outside BUF[0..LEN).
 */
int	 media_stun_parse(const uint8_t *buf, size_t len,
	    const uint8_t tid[MEDIA_STUN_TID_LEN], struct media_stun_resp *r);

/* One transaction's clock. */
struct media_stun_tx {
	uint64_t	 start_us;
	uint64_t	 next_us;	/* the next send, or the end */
	int		 sent;
};

enum media_stun_step {
	MEDIA_STUN_WAIT,	/* nothing due before media_stun_tx_next */
	MEDIA_STUN_SEND,	/* send (again) now */
	MEDIA_STUN_GIVE_UP,	/* MEDIA_STUN_TOTAL_US went by unanswered */
};

void	 media_stun_tx_start(struct media_stun_tx *, uint64_t now_us);
/* What is due at NOW_US; SEND counts as sent. */
enum media_stun_step media_stun_tx_step(struct media_stun_tx *,
	    uint64_t now_us);
/* When media_stun_tx_step has something to do next. */
uint64_t media_stun_tx_next(const struct media_stun_tx *);

#endif
