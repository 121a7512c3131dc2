/*
 * test-sdp.c: our SDP (offers per srtp mode, answers to other phones'
 * offers), what a negotiated pair means for media (codec and payload
 * type, telephone-event, direction and hold, RTCP port, SRTP keys), and
 * the gate in front of Sofia's SDP parser.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "media.h"
#include "sip-sdp.h"
#include "tap.h"

static struct conf_account
account(enum conf_srtp srtp, int ncodecs, enum conf_codec c0, enum conf_codec c1)
{
	struct conf_account	 a;

	memset(&a, 0, sizeof a);
	a.name = "t";
	a.uri = "sip:t@example.com";
	a.codecs[0] = c0;
	a.codecs[1] = c1;
	a.codecs[2] = CONF_CODEC_PCMA;
	a.ncodecs = ncodecs;
	a.srtp = srtp;
	return a;
}

/* A peer's offer: PROFILE, the m= formats, extra media lines. */
static char *
offer(const char *profile, const char *fmts, const char *extra)
{
	char	*s;

	if (asprintf(&s, "v=0\r\no=peer 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
	    "c=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 30000 %s %s\r\n%s",
	    profile, fmts, extra) < 0)
		abort();
	return s;
}

static void
test_offer(void)
{
	struct conf_account	 off = account(CONF_SRTP_OFF, 3, CONF_CODEC_OPUS,
	    CONF_CODEC_PCMU);
	struct conf_account	 opt = account(CONF_SRTP_OPTIONAL, 2, CONF_CODEC_PCMU,
	    CONF_CODEC_OPUS);
	struct conf_account	 man = account(CONF_SRTP_MANDATORY, 1, CONF_CODEC_PCMA,
	    CONF_CODEC_PCMA);
	struct sip_sdp_keys	 k;
	char			*s, *cause = NULL;

	s = sip_sdp_offer(&off, "192.0.2.1", 4000, &k, &cause);
	ok(s != NULL && strstr(s, "m=audio 4000 RTP/AVP 111 0 8 102 101\r\n") != NULL,
	    "srtp off: RTP/AVP, our codec order, telephone-event at both rates");
	ok(s != NULL && strstr(s, "c=IN IP4 192.0.2.1") != NULL, "connection address");
	ok(s != NULL && strstr(s, "a=fmtp:111 minptime=10;useinbandfec=1") != NULL,
	    "Opus in-band FEC offered");
	ok(s != NULL && strstr(s, "a=crypto") == NULL && k.n == 0, "no keys");
	free(s);

	s = sip_sdp_offer(&opt, "192.0.2.1", 4000, &k, &cause);
	ok(s != NULL && strstr(s, "m=audio 4000 RTP/AVP 0 111 102 101\r\n") != NULL,
	    "srtp optional: keys on RTP/AVP, PCMU first");
	ok(k.n >= 2 && strstr(s, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") != NULL &&
	    strstr(s, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:") != NULL,
	    "one key per suite, tags 1.. (%d)", k.n);
	sip_sdp_keys_wipe(&k);
	free(s);

	s = sip_sdp_offer(&man, "2001:db8::1", 4002, &k, &cause);
	ok(s != NULL && strstr(s, "m=audio 4002 RTP/SAVP 8 101\r\n") != NULL,
	    "srtp mandatory: RTP/SAVP, no Opus, no 48 kHz telephone-event");
	ok(s != NULL && strstr(s, "c=IN IP6 2001:db8::1") != NULL, "IPv6 address");
	sip_sdp_keys_wipe(&k);
	free(s);
	free(cause);
}

static void
answer_fails(const char *what, const char *o, const struct conf_account *a,
    const char *why)
{
	struct sip_sdp_keys	 k;
	char			*s, *cause = NULL;

	s = sip_sdp_answer(o, a, "192.0.2.1", 4000, &k, &cause);
	ok(s == NULL, "%s: refused", what);
	ok(cause != NULL && strstr(cause, why) != NULL, "%s: \"%s\" (%s)", what, why,
	    cause != NULL ? cause : "no reason");
	free(s);
	free(cause);
}

static void
test_answer(void)
{
	struct conf_account	 off = account(CONF_SRTP_OFF, 2, CONF_CODEC_PCMU,
	    CONF_CODEC_OPUS);
	struct conf_account	 opt = account(CONF_SRTP_OPTIONAL, 2, CONF_CODEC_PCMU,
	    CONF_CODEC_OPUS);
	struct conf_account	 man = account(CONF_SRTP_MANDATORY, 2, CONF_CODEC_PCMU,
	    CONF_CODEC_OPUS);
	struct sip_sdp_keys	 k;
	char			*o, *s, *cause = NULL;

	o = offer("RTP/SAVP", "0 101", "a=rtpmap:101 telephone-event/8000\r\n"
	    "a=crypto:7 F8_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
	    "a=crypto:9 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n");
	s = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, &k, &cause);
	ok(s != NULL && strstr(s, "RTP/SAVP") != NULL, "SAVP offer: SAVP answer");
	ok(s != NULL && strstr(s, "a=crypto:9 AES_CM_128_HMAC_SHA1_32 inline:") != NULL &&
	    strstr(s, "a=crypto:7") == NULL, "echoes the tag of the first suite we have");
	is_int(k.n, 1, "exactly one key kept");
	is_int(k.c[0].tag, 9, "with that tag");
	sip_sdp_keys_wipe(&k);
	free(s);
	answer_fails("SAVP offer, srtp off", o, &off, "requires SRTP");
	free(o);

	o = offer("RTP/AVP", "0", "");
	answer_fails("plain offer, srtp mandatory", o, &man, "offers no SRTP");
	s = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, &k, &cause);
	ok(s != NULL && strstr(s, "RTP/AVP") != NULL && strstr(s, "a=crypto") == NULL,
	    "plain offer, srtp optional: plain answer");
	free(s);
	free(o);

	o = offer("RTP/AVP", "18", "a=rtpmap:18 G729/8000\r\n");
	answer_fails("G.729 only", o, &opt, "no common codec (offered: G729/8000)");
	free(o);
	o = offer("UDP/TLS/RTP/SAVPF", "111", "a=rtpmap:111 opus/48000/2\r\n");
	answer_fails("DTLS offer", o, &opt, "unsupported media profile");
	free(o);
	answer_fails("garbage", "not sdp at all", &opt, "SDP");
	free(cause);
}

/* params LOCAL REMOTE LOCAL_IS_ANSWER -> P, 0 or -1 */
static int
params(const char *l, const char *r, bool la, struct media_params *p)
{
	char	*cause = NULL;
	int	 rc = sip_sdp_params(l, r, la, NULL, p, &cause);

	free(cause);
	return rc;
}

static void
test_params(void)
{
	struct media_params	 p;
	char			*ours, *theirs;

	ours = offer("RTP/AVP", "111 0 101", "a=rtpmap:111 opus/48000/2\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\n");
	theirs = offer("RTP/AVP", "96 100", "a=rtpmap:96 opus/48000/2\r\n"
	    "a=fmtp:96 useinbandfec=0;maxaveragebitrate=20000\r\n"
	    "a=rtpmap:100 telephone-event/48000\r\na=rtcp:30011\r\na=ptime:40\r\n");
	is_int(params(ours, theirs, false, &p), 0, "opus answer accepted");
	is_str(p.send.name, "opus", "send opus");
	is_int(p.send.pt, 96, "with the peer's payload type");
	is_str(p.send.fmtp, "useinbandfec=0;maxaveragebitrate=20000",
	    "the peer's fmtp for our encoder");
	is_int(p.send_te_pt, 100, "telephone-event at the codec's rate");
	is_int(p.remote_rtcp_port, 30011, "a=rtcp port");
	is_int(p.ptime, 40, "peer's ptime");
	is_int(p.dir, MEDIA_SENDRECV, "sendrecv");
	ok(!p.remote_hold && !p.srtp, "not held, not SRTP");
	free(theirs);

	theirs = offer("RTP/AVP", "0", "a=sendonly\r\n");
	is_int(params(ours, theirs, false, &p), 0, "sendonly peer");
	is_int(p.dir, MEDIA_RECVONLY, "we only receive");
	ok(p.remote_hold, "held by the peer");
	is_int(p.send_te_pt, -1, "no telephone-event");
	is_int(p.remote_rtcp_port, 30001, "RTCP on port + 1");
	free(theirs);

	theirs = offer("RTP/AVP", "0", "a=recvonly\r\n");
	params(ours, theirs, false, &p);
	is_int(p.dir, MEDIA_SENDONLY, "recvonly peer: we only send");
	ok(!p.remote_hold, "that is not a hold by the peer");
	free(theirs);

	if (asprintf(&theirs, "v=0\r\no=x 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"
	    "t=0 0\r\nm=audio 30000 RTP/AVP 0\r\n") < 0)
		abort();
	params(ours, theirs, false, &p);
	ok(p.remote_hold && !(p.dir & MEDIA_SENDONLY), "c=0.0.0.0 is an old-style hold");
	free(theirs);

	theirs = offer("RTP/AVP", "0", "");
	memcpy(strstr(theirs, "30000"), "00000", 5);
	is_int(params(ours, theirs, false, &p), -1, "port 0: audio rejected");
	free(theirs);
	theirs = offer("RTP/AVP", "9", "a=rtpmap:9 G722/8000\r\n");
	is_int(params(ours, theirs, false, &p), -1, "no common codec in the answer");
	free(theirs);
	free(ours);
}

static void
test_guard(void)
{
	static const struct {
		const char	*sdp;
		bool		 ok;
		const char	*what;
	} cases[] = {
		{ "v=0\r\nm=audio 4000 RTP/AVP 0 8 101\r\n", true, "plain m= line" },
		{ "v=0\nm=audio 4000/2 RTP/SAVP 0\n", true, "port count, LF only" },
		{ "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n", true,
		  "token formats" },
		{ "v=0\r\n\r\ns=-\r\n", true, "blank line" },
		{ "v=0\r\nm=video 4002 X/Y 96 @\r\n", false, "Sofia's endless loop" },
		{ "v=0\r\nm=audio 49170 RTP /5VP A101\r\n", false, "format starting '/'" },
		{ "v=0\r\nm=audio 40000 RTP/AVP\t0\r\n", false, "tab in m=" },
		{ "v=0\r\nm=audio 4x000 RTP/AVP 0\r\n", false, "bad port" },
		{ "v=0\r\nm=audio 4000/ RTP/AVP 0\r\n", false, "bad port count" },
		{ "v=0\r\nm=audio 4000 RTP//AVP 0\r\n", false, "empty protocol part" },
		{ "v=0\r\nz\r\n", false, "one-character line" },
		{ "v=0\rz\n", false, "CR splits lines too" },
		{ "v=0\r\nm=0 1~\xfd\xff", false, "bytes outside the token set" },
	};
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_int(sip_sdp_guard_ok(cases[i].sdp, strlen(cases[i].sdp)),
		    cases[i].ok, "guard: %s", cases[i].what);
	ok(!sip_sdp_guard_ok("v=0\r\nm=audio 4000 RTP/AVP 0\0 8\r\n", 32),
	    "guard: NUL byte");
	ok(!sip_sdp_guard_ok(NULL, 0), "guard: NULL");
}

int
main(void)
{
	test_offer();
	test_answer();
	test_params();
	test_guard();
	return done_testing();
}
