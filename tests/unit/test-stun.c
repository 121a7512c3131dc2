/*
 * test-stun.c: the STUN Binding client's messages (media-stun.c): our
 * request, the RFC 5769 sample responses, crafted and hostile responses
 * (another transaction, no cookie, truncated attributes, lengths that
 * lie, a bad FINGERPRINT, unknown attributes, error responses), the
 * demultiplexing from RTP and RTCP, and the retransmission schedule.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "media-stun.h"
#include "tap.h"

static const uint8_t tid5769[12] = {
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae
};

/* RFC 5769 2.2: sample IPv4 response (SOFTWARE, XOR-MAPPED-ADDRESS,
 * MESSAGE-INTEGRITY, FINGERPRINT). */
static const uint8_t resp_v4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
	0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 2.3: sample IPv6 response. */
static const uint8_t resp_v6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
	0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
	0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
	0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* A message being crafted: header, then attributes appended. */
struct msg {
	uint8_t	 b[512];
	size_t	 len;
};

static void
msg_start(struct msg *m, uint16_t type, const uint8_t *tid)
{
	memset(m, 0, sizeof *m);
	m->b[0] = (uint8_t)(type >> 8);
	m->b[1] = (uint8_t)type;
	m->b[4] = 0x21; m->b[5] = 0x12; m->b[6] = 0xa4; m->b[7] = 0x42;
	memcpy(m->b + 8, tid, 12);
	m->len = 20;
}

/* Append an attribute (padded) and fix the header's length. */
static void
msg_attr(struct msg *m, uint16_t type, const void *v, size_t len)
{
	uint8_t	*p = m->b + m->len;

	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + 4, v, len);
	m->len += 4 + ((len + 3) & ~(size_t)3);
	m->b[2] = (uint8_t)((m->len - 20) >> 8);
	m->b[3] = (uint8_t)(m->len - 20);
}

/* XOR-MAPPED-ADDRESS value for IPv4 A.B.C.D:PORT. */
static void
xor_v4(uint8_t v[8], const uint8_t a[4], uint16_t port)
{
	port ^= 0x2112;
	v[0] = 0;
	v[1] = 1;
	v[2] = (uint8_t)(port >> 8);
	v[3] = (uint8_t)port;
	v[4] = a[0] ^ 0x21;
	v[5] = a[1] ^ 0x12;
	v[6] = a[2] ^ 0xa4;
	v[7] = a[3] ^ 0x42;
}

static void
test_request(void)
{
	uint8_t		 tid[12], buf[64], small[27];
	size_t		 n;
	int		 i;

	for (i = 0; i < 12; i++)
		tid[i] = (uint8_t)i;
	n = media_stun_request(buf, sizeof buf, tid);
	is_int(n, MEDIA_STUN_REQ_LEN, "request: 28 bytes");
	ok(buf[0] == 0x00 && buf[1] == 0x01, "request: Binding request");
	ok(buf[2] == 0x00 && buf[3] == 0x08, "request: length 8 (FINGERPRINT)");
	ok(buf[4] == 0x21 && buf[5] == 0x12 && buf[6] == 0xa4 && buf[7] == 0x42,
	    "request: magic cookie");
	ok(memcmp(buf + 8, tid, 12) == 0, "request: our transaction ID");
	ok(buf[20] == 0x80 && buf[21] == 0x28 && buf[22] == 0 && buf[23] == 4,
	    "request: FINGERPRINT attribute");
	/* zlib.crc32(header) ^ 0x5354554e, computed apart. */
	ok(buf[24] == 0x5b && buf[25] == 0x0f && buf[26] == 0xf6 &&
	    buf[27] == 0xfc, "request: FINGERPRINT value");
	ok(media_stun_is(buf, n), "request: reads as STUN");
	is_int(media_stun_request(small, sizeof small, tid), 0,
	    "request: no room, nothing written");
}

static void
test_rfc5769(void)
{
	struct media_stun_resp	 r;
	uint8_t			 bad[sizeof resp_v4], tid[12];

	is_int(media_stun_parse(resp_v4, sizeof resp_v4, tid5769, &r), 0,
	    "RFC 5769 2.2: a success response");
	is_str(r.addr, "192.0.2.1", "RFC 5769 2.2: address");
	is_int(r.port, 32853, "RFC 5769 2.2: port");
	is_int(r.family, AF_INET, "RFC 5769 2.2: IPv4");
	ok(r.xor_mapped, "RFC 5769 2.2: from XOR-MAPPED-ADDRESS");

	is_int(media_stun_parse(resp_v6, sizeof resp_v6, tid5769, &r), 0,
	    "RFC 5769 2.3: a success response");
	is_str(r.addr, "2001:db8:1234:5678:11:2233:4455:6677",
	    "RFC 5769 2.3: IPv6 address (XOR with cookie and ID)");
	is_int(r.port, 32853, "RFC 5769 2.3: port");
	is_int(r.family, AF_INET6, "RFC 5769 2.3: IPv6");

	memcpy(tid, tid5769, 12);
	tid[11] ^= 1;
	is_int(media_stun_parse(resp_v4, sizeof resp_v4, tid, &r), -ENOMSG,
	    "another transaction ID: not ours");
	memcpy(bad, resp_v4, sizeof bad);
	bad[7] ^= 1;
	is_int(media_stun_parse(bad, sizeof bad, tid5769, &r), -ENOMSG,
	    "a wrong magic cookie: not ours");
	memcpy(bad, resp_v4, sizeof bad);
	bad[sizeof bad - 1] ^= 0x80;
	is_int(media_stun_parse(bad, sizeof bad, tid5769, &r), -EBADMSG,
	    "a FINGERPRINT that does not match: malformed");
	memcpy(bad, resp_v4, sizeof bad);
	bad[44] ^= 0x01;	/* the address, under the FINGERPRINT */
	is_int(media_stun_parse(bad, sizeof bad, tid5769, &r), -EBADMSG,
	    "a changed address under a FINGERPRINT: malformed");
	memcpy(bad, resp_v4, sizeof bad);
	bad[0] = 0x00;		/* a Binding request */
	is_int(media_stun_parse(bad, sizeof bad, tid5769, &r), -ENOMSG,
	    "a request with our ID (a reflection): not a response");
	memcpy(bad, resp_v4, sizeof bad);
	bad[1] = 0x11;		/* an indication */
	bad[0] = 0x00;
	is_int(media_stun_parse(bad, sizeof bad, tid5769, &r), -ENOMSG,
	    "an indication: not a response");
	memcpy(bad, resp_v4, sizeof bad);
	bad[1] = 0x03;		/* Allocate success (TURN) */
	is_int(media_stun_parse(bad, sizeof bad, tid5769, &r), -ENOMSG,
	    "another method: not ours");
}

static void
test_crafted(void)
{
	static const uint8_t	 pub[4] = { 203, 0, 113, 7 };
	static const uint8_t	 other[4] = { 198, 51, 100, 9 };
	struct media_stun_resp	 r;
	struct msg		 m;
	uint8_t			 tid[12], v[20], ec[64];
	size_t			 cut;
	int			 rc, fails;

	memset(tid, 0x5a, sizeof tid);

	/* MAPPED-ADDRESS only (an RFC 3489 server). */
	msg_start(&m, 0x0101, tid);
	memcpy(v, "\x00\x01\x1f\x40", 4);
	memcpy(v + 4, pub, 4);
	msg_attr(&m, 0x0001, v, 8);
	is_int(media_stun_parse(m.b, m.len, tid, &r), 0,
	    "MAPPED-ADDRESS alone is taken");
	is_str(r.addr, "203.0.113.7", "MAPPED-ADDRESS: address in the clear");
	is_int(r.port, 8000, "MAPPED-ADDRESS: port in the clear");
	ok(!r.xor_mapped, "MAPPED-ADDRESS: not XOR");

	/* Both: XOR-MAPPED-ADDRESS wins, wherever it comes. */
	msg_start(&m, 0x0101, tid);
	memcpy(v + 4, other, 4);
	msg_attr(&m, 0x0001, v, 8);
	xor_v4(v, pub, 40000);
	msg_attr(&m, 0x0020, v, 8);
	is_int(media_stun_parse(m.b, m.len, tid, &r), 0, "both addresses");
	is_str(r.addr, "203.0.113.7", "XOR-MAPPED-ADDRESS wins over MAPPED");
	is_int(r.port, 40000, "... with its port");

	/* Two XOR-MAPPED-ADDRESS: the first counts. */
	msg_start(&m, 0x0101, tid);
	xor_v4(v, pub, 40000);
	msg_attr(&m, 0x0020, v, 8);
	xor_v4(v, other, 1);
	msg_attr(&m, 0x0020, v, 8);
	is_int(media_stun_parse(m.b, m.len, tid, &r), 0, "two XOR-MAPPED");
	is_int(r.port, 40000, "the first XOR-MAPPED-ADDRESS counts");

	/* A success with no address. */
	msg_start(&m, 0x0101, tid);
	msg_attr(&m, 0x8022, "tsp", 3);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "a success without an address: malformed");

	/* An unknown comprehension-required attribute fails it (7.3.3);
	 * an unknown optional one does not. */
	msg_start(&m, 0x0101, tid);
	xor_v4(v, pub, 40000);
	msg_attr(&m, 0x0020, v, 8);
	msg_attr(&m, 0x7777, "x", 1);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "unknown comprehension-required attribute: fails");
	msg_start(&m, 0x0101, tid);
	xor_v4(v, pub, 40000);
	msg_attr(&m, 0xc0de, "xyz", 3);
	msg_attr(&m, 0x0020, v, 8);
	is_int(media_stun_parse(m.b, m.len, tid, &r), 0,
	    "unknown optional attribute (odd length, padded): skipped");

	/* IPv6 family with an IPv4-sized value, and the reverse. */
	msg_start(&m, 0x0101, tid);
	xor_v4(v, pub, 40000);
	v[1] = 2;
	msg_attr(&m, 0x0020, v, 8);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "IPv6 family with 4 address bytes: malformed");
	msg_start(&m, 0x0101, tid);
	memset(v, 0, sizeof v);
	v[1] = 1;
	msg_attr(&m, 0x0020, v, 20);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "IPv4 family with 16 address bytes: malformed");
	msg_start(&m, 0x0101, tid);
	v[1] = 3;
	msg_attr(&m, 0x0020, v, 8);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "unknown family: malformed");
	msg_start(&m, 0x0101, tid);
	memset(v, 0, sizeof v);
	v[1] = 2;
	v[2] = 0x12; v[3] = 0x34;
	msg_attr(&m, 0x0001, v, 20);
	is_int(media_stun_parse(m.b, m.len, tid, &r), 0,
	    "IPv6 MAPPED-ADDRESS parses");
	is_int(r.family, AF_INET6, "... as IPv6 (the caller decides)");
	is_str(r.addr, "::", "... address");

	/* Every truncation of a good response: never a success, never a
	 * read outside (ASan watches). */
	msg_start(&m, 0x0101, tid);
	msg_attr(&m, 0x8022, "tsphone test", 12);
	xor_v4(v, pub, 40000);
	msg_attr(&m, 0x0020, v, 8);
	fails = 0;
	for (cut = 0; cut < m.len; cut++) {
		uint8_t	 copy[512];

		memcpy(copy, m.b, cut);
		rc = media_stun_parse(copy, cut, tid, &r);
		if (rc == 0)
			fails++;
	}
	is_int(fails, 0, "no truncation of a response parses");
	/* A truncated attribute whose header length is fixed up to match. */
	m.b[m.len - 12 + 3] = 0x10;	/* XOR-MAPPED says 16 bytes, has 8 */
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "an attribute longer than the message: malformed");
	m.b[m.len - 12 + 3] = 0x08;
	m.b[3] += 4;			/* the header claims 4 more */
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "a header length beyond the datagram: malformed");
	m.b[3] -= 4;
	m.b[3] -= 2;
	is_int(media_stun_parse(m.b, m.len - 2, tid, &r), -EBADMSG,
	    "a length that is not a multiple of 4: malformed");
	m.b[3] += 2;
	is_int(media_stun_parse(m.b, m.len, tid, &r), 0,
	    "the same message, restored, parses");

	/* FINGERPRINT not last. */
	msg_start(&m, 0x0101, tid);
	msg_attr(&m, 0x8028, "\0\0\0\0", 4);
	xor_v4(v, pub, 40000);
	msg_attr(&m, 0x0020, v, 8);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "FINGERPRINT before other attributes: malformed");

	/* Error responses. */
	msg_start(&m, 0x0111, tid);
	memcpy(ec, "\x00\x00\x04\x00" "Bad Request\x01", 16);
	msg_attr(&m, 0x0009, ec, 16);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EPROTO,
	    "an error response");
	is_int(r.code, 400, "... its code");
	is_str(r.reason, "Bad Request?", "... its reason, printable only");
	msg_start(&m, 0x0111, tid);
	memcpy(ec, "\x00\x00\x07\x00", 4);
	msg_attr(&m, 0x0009, ec, 4);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "an error class of 7: malformed");
	msg_start(&m, 0x0111, tid);
	memcpy(ec, "\x00\x00\x04\x64", 4);
	msg_attr(&m, 0x0009, ec, 4);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "an error number of 100: malformed");
	msg_start(&m, 0x0111, tid);
	msg_attr(&m, 0x0009, ec, 3);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "a truncated ERROR-CODE: malformed");
	msg_start(&m, 0x0111, tid);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EBADMSG,
	    "an error response without ERROR-CODE: malformed");
	msg_start(&m, 0x0111, tid);
	memset(ec, 'A', sizeof ec);
	memcpy(ec, "\x00\x00\x05\x00", 4);
	msg_attr(&m, 0x0009, ec, sizeof ec);
	is_int(media_stun_parse(m.b, m.len, tid, &r), -EPROTO,
	    "an error response with a long reason");
	is_int(strlen(r.reason), 60, "... cut to what the attribute holds");
}

static void
test_demux(void)
{
	uint8_t		 rtp[20] = { 0x80, 0x00, 0, 1, 0, 0, 0, 160,
			    1, 2, 3, 4, 0x21, 0x12, 0xa4, 0x42 };
	uint8_t		 rtcp[28] = { 0x81, 200, 0, 6 };
	uint8_t		 req[MEDIA_STUN_REQ_LEN], tid[12] = { 0 };

	ok(!media_stun_is(rtp, sizeof rtp), "RTP (version 2) is not STUN");
	ok(!media_stun_is(rtcp, sizeof rtcp), "RTCP is not STUN");
	media_stun_request(req, sizeof req, tid);
	ok(media_stun_is(req, sizeof req), "a request is STUN");
	ok(!media_stun_is(req, 19), "shorter than a header: not STUN");
	req[0] |= 0x40;
	ok(!media_stun_is(req, sizeof req), "first bits not 00: not STUN");
	req[0] &= 0x3f;
	req[5] ^= 1;
	ok(!media_stun_is(req, sizeof req), "no magic cookie: not STUN "
	    "(RFC 3489 messages are not ours either)");
}

static void
test_schedule(void)
{
	struct media_stun_tx	 tx;
	uint64_t		 t0 = 5000000, sends[8];
	int			 n = 0, steps;
	uint64_t		 t;
	enum media_stun_step	 s = MEDIA_STUN_WAIT;

	media_stun_tx_start(&tx, t0);
	/* Walk the clock 1 ms at a time, as a poll loop would. */
	for (t = t0, steps = 0; steps < 3000; t += 1000, steps++) {
		while ((s = media_stun_tx_step(&tx, t)) == MEDIA_STUN_SEND)
			sends[n++] = t - t0;
		if (s == MEDIA_STUN_GIVE_UP)
			break;
		if (media_stun_tx_next(&tx) <= t)
			break;		/* would spin: the check below fails */
		if (n > 6)
			break;
	}
	is_int(n, MEDIA_STUN_SENDS, "four sends");
	is_int(sends[0], 0, "first send at once");
	is_int(sends[1], 100000, "second after 100 ms");
	is_int(sends[2], 300000, "third after 300 ms (RTO doubles)");
	is_int(sends[3], 700000, "fourth after 700 ms");
	ok(s == MEDIA_STUN_GIVE_UP, "then it gives up");
	is_int(t - t0, MEDIA_STUN_TOTAL_US, "at 1 s, bounded");

	/* A late clock catches up with the sends that were due, and keeps
	 * the end where it was. */
	media_stun_tx_start(&tx, t0);
	ok(media_stun_tx_step(&tx, t0) == MEDIA_STUN_SEND, "late: first");
	ok(media_stun_tx_step(&tx, t0 + 650000) == MEDIA_STUN_SEND &&
	    media_stun_tx_step(&tx, t0 + 650000) == MEDIA_STUN_SEND,
	    "late: the two sends due by 650 ms");
	ok(media_stun_tx_step(&tx, t0 + 650000) == MEDIA_STUN_WAIT,
	    "late: then it waits for the 700 ms one");
	ok(media_stun_tx_step(&tx, t0 + 2000000) == MEDIA_STUN_SEND &&
	    media_stun_tx_step(&tx, t0 + 2000000) == MEDIA_STUN_GIVE_UP,
	    "very late: the last send, then it gives up");
}

int
main(void)
{
	test_request();
	test_rfc5769();
	test_crafted();
	test_demux();
	test_schedule();
	return done_testing();
}
