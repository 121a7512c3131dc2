/*
 * fuzz-stun.c: STUN responses from the network (src/media-stun.c), as
 * they arrive on a call's RTP and RTCP sockets.
 *
 *   byte 0        bit 0 set: the transaction ID we wait for is the one
 *                 in the message (bytes 8..19 of it), so the parser goes
 *                 past the ID check; else a fixed one (0x5a...)
 *   the rest      one datagram
 *
 * The datagram is copied to a heap block of exactly its length, so a
 * read past its end is an ASan error. Promises checked besides "no
 * crash": the result is one of the four documented ones; a success has
 * a numeric address of its family; an error response has a code from
 * 300 to 699 and a printable reason; what is not STUN (media_stun_is)
 * is never taken as ours; and our own request never reads as a response.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "media-stun.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in		 in = { data, size };
	struct media_stun_resp	 r;
	uint8_t			 tid[MEDIA_STUN_TID_LEN], req[MEDIA_STUN_REQ_LEN];
	uint8_t			 bin[16], *pkt;
	size_t			 len, i;
	bool			 own = fuzz_u8(&in) & 1;
	int			 rc;

	pkt = fuzz_bytes(&in, in.n, &len);
	memset(tid, 0x5a, sizeof tid);
	if (own && len >= MEDIA_STUN_HDR_LEN)
		memcpy(tid, pkt + 8, sizeof tid);
	rc = media_stun_parse(pkt, len, tid, &r);
	FUZZ_CHECK(rc == 0 || rc == -EPROTO || rc == -ENOMSG || rc == -EBADMSG);
	if (rc != -ENOMSG)
		FUZZ_CHECK(media_stun_is(pkt, len));
	if (rc == 0) {
		FUZZ_CHECK(r.family == AF_INET || r.family == AF_INET6);
		FUZZ_CHECK(memchr(r.addr, '\0', sizeof r.addr) != NULL);
		FUZZ_CHECK(inet_pton(r.family, r.addr, bin) == 1);
		FUZZ_CHECK(r.port >= 0 && r.port <= 65535);
	}
	if (rc == -EPROTO) {
		FUZZ_CHECK(r.code >= 300 && r.code <= 699);
		for (i = 0; r.reason[i] != '\0'; i++)
			FUZZ_CHECK(r.reason[i] >= 0x20 && r.reason[i] < 0x7f);
		FUZZ_CHECK(i < sizeof r.reason);
	}
	/* A reflection of our request is never an answer to it. */
	FUZZ_CHECK(media_stun_request(req, sizeof req, tid) == sizeof req);
	FUZZ_CHECK(media_stun_parse(req, sizeof req, tid, &r) == -ENOMSG);
	free(pkt);
	return 0;
}
