/*
 * test-sdp.c: our SDP (offers per srtp mode, answers to other phones'
 * offers), what a negotiated pair means for media (codec and payload
 * type, telephone-event, direction and hold, RTCP port, SRTP keys), and
 * the gate in front of Sofia's SDP parser.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "media.h"
#include "sip-sdp.h"
#include "util.h"
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

/* RFC 3605 a=rtcp, after the stream we use, in offers and answers. */
static void
test_rtcp(void)
{
	struct conf_account	 off = account(CONF_SRTP_OFF, 1, CONF_CODEC_PCMU,
	    CONF_CODEC_PCMU);
	struct sip_sdp_keys	 k;
	char			*s, *cause = NULL, *p, *q;
	int			 warn = 0;
	const char		*o =
	    "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=-\r\nc=IN IP4 192.0.2.7\r\n"
	    "t=0 0\r\nm=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
	    "m=audio 5002 RTP/AVP 0\r\n";

	s = sip_sdp_add_rtcp(sip_sdp_offer(&off, "203.0.113.1", 4000, &k,
	    &cause), "203.0.113.1", 4077);
	p = s != NULL ? strstr(s, "m=audio 4000 ") : NULL;
	q = s != NULL ? strstr(s, "a=rtcp:4077 IN IP4 203.0.113.1\r\n") : NULL;
	ok(p != NULL && q != NULL && q > p && strchr(p, '\n') + 1 == q,
	    "offer: a=rtcp right after the m= line");
	ok(s != NULL && strstr(s, "a=rtpmap:0 PCMU/8000") != NULL,
	    "offer: the rest is kept");
	free(s);
	s = sip_sdp_add_rtcp(sip_sdp_answer(o, &off, "203.0.113.1", 4000, NULL,
	    &k, &warn, &cause), "2001:db8::5", 4001);
	p = s != NULL ? strstr(s, "m=audio 4000 ") : NULL;
	q = s != NULL ? strstr(s, "a=rtcp:4001 IN IP6 2001:db8::5\r\n") : NULL;
	ok(s != NULL && strstr(s, "m=video 0 ") != NULL && p != NULL &&
	    q != NULL && strchr(p, '\n') + 1 == q,
	    "answer: a=rtcp after our audio, not after the refused video");
	free(s);
	ok(sip_sdp_add_rtcp(NULL, "192.0.2.1", 1) == NULL, "NULL stays NULL");
	s = sip_sdp_add_rtcp(xstrdup("v=0\r\nm=audio 0 RTP/AVP 0\r\n"),
	    "192.0.2.1", 9);
	ok(s != NULL && strstr(s, "a=rtcp") == NULL, "no stream with a port: "
	    "nothing added");
	free(s);
	free(cause);
}

static void
answer_fails(const char *what, const char *o, const struct conf_account *a,
    const char *why)
{
	struct sip_sdp_keys	 k;
	char			*s, *cause = NULL;

	int			 warn = 0;

	s = sip_sdp_answer(o, a, "192.0.2.1", 4000, NULL, &k, &warn, &cause);
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
	int			 warn;

	o = offer("RTP/SAVP", "0 101", "a=rtpmap:101 telephone-event/8000\r\n"
	    "a=crypto:7 F8_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
	    "a=crypto:9 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n");
	s = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, NULL, &k, &warn, &cause);
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
	s = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, NULL, &k, &warn, &cause);
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

/* An offer of several streams: the session part, then MEDIA as is. */
static char *
offer_of(const char *media)
{
	char	*s;

	if (asprintf(&s, "v=0\r\no=peer 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
	    "c=IN IP4 192.0.2.9\r\nt=0 0\r\n%s", media) < 0)
		abort();
	return s;
}

#define KEY	"inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj"

/* The user SDP answering MEDIA for A, or NULL; *WARN and *WHY if NULL. */
static char *
answer(const char *media, const struct conf_account *a,
    struct sip_sdp_keys *k, int *warn, char **why)
{
	char	*o = offer_of(media), *s;

	*warn = 0;
	*why = NULL;
	s = sip_sdp_answer(o, a, "192.0.2.1", 4000, NULL, k, warn, why);
	free(o);
	return s;
}

/* Does S hold LINE as a whole line? */
static bool
has_line(const char *s, const char *line)
{
	const char	*p = s;
	size_t		 n = strlen(line);

	while (s != NULL && (p = strstr(p, line)) != NULL) {
		if ((p == s || p[-1] == '\n') && (p[n] == '\r' || p[n] == '\n'))
			return true;
		p += n;
	}
	return false;
}

static int
count_lines(const char *s, const char *prefix)
{
	const char	*p = s;
	int		 n = 0;

	while (s != NULL && (p = strstr(p, prefix)) != NULL) {
		if (p == s || p[-1] == '\n')
			n++;
		p++;
	}
	return n;
}

/* RFC 3264 6: the first usable audio stream; the others at port 0. */
static void
test_answer_streams(void)
{
	struct conf_account	 opt = account(CONF_SRTP_OPTIONAL, 2, CONF_CODEC_PCMU,
	    CONF_CODEC_OPUS);
	struct sip_sdp_keys	 k;
	char			*s, *why;
	int			 warn;

	s = answer("m=audio 30000 UDP/TLS/RTP/SAVPF 111\r\n"
	    "m=audio 30002 RTP/AVP 0 8\r\n", &opt, &k, &warn, &why);
	ok(s != NULL, "unknown transport first, RTP/AVP second: taken (%s)",
	    why != NULL ? why : "ok");
	ok(has_line(s, "m=audio 0 UDP/TLS/RTP/SAVPF 111"),
	    "the unknown transport at port 0, its format kept");
	ok(has_line(s, "m=audio 4000 RTP/AVP 0"), "the second stream is ours");
	ok(s != NULL && strstr(s, "UDP/TLS") < strstr(s, "m=audio 4000"),
	    "in the offer's order");
	free(s);

	s = answer("m=audio 0 RTP/AVP 0\r\nm=audio 30002 RTP/AVP 0\r\n", &opt,
	    &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0"), "port 0 first: the second taken");
	is_int(count_lines(s, "m="), 1,
	    "the disabled stream is left to soa (it answers port 0 itself)");
	free(s);

	s = answer("m=audio 30000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"
	    "m=audio 30002 RTP/AVP 8 0\r\n", &opt, &k, &warn, &why);
	ok(has_line(s, "m=audio 0 RTP/AVP 18") && has_line(s, "m=audio 4000 RTP/AVP 0"),
	    "no common codec first: the second taken, the first refused");
	free(s);

	s = answer("m=audio 30000 RTP/AVP 0\r\nm=audio 30002 RTP/AVP 0\r\n",
	    &opt, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0") && has_line(s, "m=audio 0 RTP/AVP 0") &&
	    strstr(s, "m=audio 4000") < strstr(s, "m=audio 0 "),
	    "two usable streams: the first taken");
	free(s);

	s = answer("m=video 30000 RTP/AVP 96 31\r\na=rtpmap:96 H264/90000\r\n"
	    "m=audio 30002 RTP/AVP 0\r\nm=image 30004 udptl t38\r\n"
	    "m=x-foo 30006 TCP/X bar baz\r\n", &opt, &k, &warn, &why);
	ok(has_line(s, "m=video 0 RTP/AVP 96 31") &&
	    has_line(s, "a=rtpmap:96 H264/90000"),
	    "video refused with its formats and their rtpmaps");
	ok(has_line(s, "m=image 0 udptl t38"), "T.38 refused with its format");
	ok(has_line(s, "m=x-foo 0 TCP/X bar baz"), "an unknown type too");
	ok(s != NULL && strstr(s, "m=video") < strstr(s, "m=audio") &&
	    strstr(s, "m=audio") < strstr(s, "m=image") &&
	    strstr(s, "m=image") < strstr(s, "m=x-foo"), "all in the offer's order");
	is_int(count_lines(s, "a=sendrecv"), 1, "only our stream has a direction");
	free(s);
}

/* Why an offer is refused, and the warn-code that says it. */
static void
test_answer_refusals(void)
{
	struct conf_account	 opt = account(CONF_SRTP_OPTIONAL, 2, CONF_CODEC_PCMU,
	    CONF_CODEC_OPUS);
	static const struct {
		const char	*media;
		int		 warn;
		const char	*why;
	} cases[] = {
		{ "m=video 30000 RTP/AVP 96\r\n", 304, "no audio stream" },
		{ "", 304, "no audio stream" },
		{ "m=audio 0 RTP/AVP 0\r\n", 399, "disabled (port 0)" },
		{ "m=audio 30000 UDP/TLS/RTP/SAVPF 111\r\n", 302,
		  "unsupported media profile UDP/TLS/RTP/SAVPF" },
		{ "m=audio 30000 RTP/AVP 18\r\n", 305,
		  "no common codec (offered: G729/8000)" },
		{ "m=audio 30000 RTP/AVP 0\r\nc=IN IP4 pbx.example.com\r\n", 301,
		  "not a numeric IPv4 address" },
		{ "m=audio 30000 RTP/AVP 0\r\nc=IN IP4 239.1.2.3/127\r\n", 330,
		  "multicast" },
		{ "m=audio 70000 RTP/AVP 0\r\n", 301, "bad port 70000" },
		{ "m=audio 30000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 " KEY "\r\n",
		  399, "no SRTP crypto suite in common" },
		/* The stream that got furthest says why. */
		{ "m=audio 30000 UDP/TLS/RTP/SAVPF 111\r\nm=audio 30002 RTP/AVP 18\r\n",
		  305, "stream 2: no common codec" },
	};
	struct sip_sdp_keys	 k;
	char			*s, *why;
	size_t			 i;
	int			 warn;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = answer(cases[i].media, &opt, &k, &warn, &why);
		ok(s == NULL && why != NULL && strstr(why, cases[i].why) != NULL,
		    "refused: \"%s\" (%s)", cases[i].why, why != NULL ? why : "taken");
		is_int(warn, cases[i].warn, "warn-code %d", cases[i].warn);
		free(s);
		free(why);
	}
}

/* Between RTP/SAVP and RTP/AVP streams, srtp picks. */
static void
test_answer_srtp(void)
{
	struct conf_account	 off = account(CONF_SRTP_OFF, 1, CONF_CODEC_PCMU,
	    CONF_CODEC_PCMU);
	struct conf_account	 opt = off, man = off;
	static const char	 alt[] =
	    "m=audio 30000 RTP/AVP 0\r\n"
	    "m=audio 30002 RTP/SAVP 0\r\na=crypto:5 AES_CM_128_HMAC_SHA1_80 " KEY "\r\n";
	static const char	 badsavp[] =
	    "m=audio 30000 RTP/SAVP 0\r\na=crypto:5 F8_128_HMAC_SHA1_80 " KEY "\r\n"
	    "m=audio 30002 RTP/AVP 0\r\n";
	static const char	 sdes[] =
	    "m=audio 30000 RTP/AVP 0\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 " KEY "\r\n"
	    "m=audio 30002 RTP/SAVP 0\r\na=crypto:5 AES_CM_128_HMAC_SHA1_80 " KEY "\r\n";
	struct sip_sdp_keys	 k;
	char			*s, *why;
	int			 warn;

	opt.srtp = CONF_SRTP_OPTIONAL;
	man.srtp = CONF_SRTP_MANDATORY;

	s = answer(alt, &off, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0") && has_line(s, "m=audio 0 RTP/SAVP 0") &&
	    k.n == 0 && strstr(s, "a=crypto") == NULL, "AVP or SAVP, srtp off: AVP");
	free(s);
	s = answer(alt, &opt, &k, &warn, &why);
	ok(has_line(s, "m=audio 0 RTP/AVP 0") && has_line(s, "m=audio 4000 RTP/SAVP 0") &&
	    k.n == 1 && k.c[0].tag == 5, "AVP or SAVP, srtp optional: SAVP");
	sip_sdp_keys_wipe(&k);
	free(s);
	s = answer(alt, &man, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/SAVP 0") && k.n == 1,
	    "AVP or SAVP, srtp mandatory: SAVP");
	sip_sdp_keys_wipe(&k);
	free(s);

	s = answer(badsavp, &opt, &k, &warn, &why);
	ok(has_line(s, "m=audio 0 RTP/SAVP 0") && has_line(s, "m=audio 4000 RTP/AVP 0") &&
	    k.n == 0, "SAVP with no suite we have, srtp optional: AVP");
	free(s);
	s = answer(badsavp, &man, &k, &warn, &why);
	ok(s == NULL && why != NULL && strstr(why, "stream 1: no SRTP crypto suite") != NULL,
	    "the same, srtp mandatory: refused (%s)", why != NULL ? why : "taken");
	is_int(warn, 399, "with 399");
	free(why);
	s = answer(badsavp, &off, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0"), "the same, srtp off: AVP");
	free(s);

	s = answer(sdes, &opt, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/SAVP 0") && k.n == 1 && k.c[0].tag == 5,
	    "keys on AVP or SAVP: SAVP is preferred");
	sip_sdp_keys_wipe(&k);
	free(s);
	s = answer("m=audio 30000 RTP/AVP 0\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 "
	    KEY "\r\n", &man, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0") && k.n == 1 && k.c[0].tag == 2,
	    "keys on RTP/AVP still do for srtp mandatory");
	sip_sdp_keys_wipe(&k);
	free(s);
	s = answer("m=audio 30000 RTP/AVP 0\r\n", &man, &k, &warn, &why);
	ok(s == NULL && why != NULL && strstr(why, "offers no SRTP") != NULL,
	    "plain RTP/AVP, srtp mandatory: refused");
	is_int(warn, 399, "with 399");
	free(why);
}

/* RFC 4568: suites by name in any case; bad lines skipped one by one. */
static void
test_answer_sdes(void)
{
	struct conf_account	 opt = account(CONF_SRTP_OPTIONAL, 1, CONF_CODEC_PCMU,
	    CONF_CODEC_PCMU);
	struct conf_account	 man = opt;
	struct sip_sdp_keys	 k, reuse;
	char			*s, *o, *why;
	int			 warn;

	man.srtp = CONF_SRTP_MANDATORY;
	s = answer("m=audio 30000 RTP/SAVP 0\r\na=crypto:3 aes_cm_128_hmac_sha1_32 "
	    "INLINE:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n", &opt, &k, &warn, &why);
	ok(s != NULL && strstr(s, "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:") != NULL,
	    "a lower-case suite and INLINE: are taken (%s)", why != NULL ? why : "ok");
	sip_sdp_keys_wipe(&k);
	free(s);

	s = answer("m=audio 30000 RTP/SAVP 0\r\n"
	    "a=crypto:1 NO_SUCH_SUITE " KEY "\r\n"
	    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=\r\n"
	    "a=crypto:x AES_CM_128_HMAC_SHA1_80 " KEY "\r\n"
	    "a=crypto:4 AES_CM_128_HMAC_SHA1_80 " KEY "|2^20|1:4\r\n"
	    "a=crypto:5 AES_CM_128_HMAC_SHA1_80 " KEY "\r\n", &opt, &k, &warn, &why);
	ok(k.n == 1 && k.c[0].tag == 5,
	    "unknown suite, short key, bad tag, MKI: skipped; tag 5 taken");
	is_int(count_lines(s, "a=crypto:"), 1, "one a=crypto in the answer");
	sip_sdp_keys_wipe(&k);
	free(s);

	s = answer("m=audio 30000 RTP/SAVP 0\r\na=crypto:1 NO_SUCH_SUITE " KEY "\r\n"
	    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=\r\n", &man, &k,
	    &warn, &why);
	ok(s == NULL && why != NULL && strstr(why, "no SRTP crypto suite") != NULL &&
	    strstr(why, "bad key length") != NULL,
	    "none usable, srtp mandatory: refused with the last line's fault (%s)",
	    why != NULL ? why : "taken");
	is_int(warn, 399, "399");
	free(why);

	/* A re-offer with the same tag and suite keeps our key. */
	o = offer_of("m=audio 30000 RTP/SAVP 0\r\na=crypto:7 AES_CM_128_HMAC_SHA1_80 "
	    KEY "\r\n");
	s = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, NULL, &reuse, &warn, &why);
	free(s);
	s = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, &reuse, &k, &warn, &why);
	ok(k.n == 1 && memcmp(k.c[0].key, reuse.c[0].key, sizeof k.c[0].key) == 0,
	    "a re-offer with the same tag and suite keeps our key");
	free(s);
	free(o);
	o = offer_of("m=audio 30000 RTP/SAVP 0\r\na=crypto:8 AES_CM_128_HMAC_SHA1_80 "
	    KEY "\r\n");
	s = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, &reuse, &k, &warn, &why);
	ok(k.n == 1 && k.c[0].tag == 8 &&
	    memcmp(k.c[0].key, reuse.c[0].key, sizeof k.c[0].key) != 0,
	    "another tag: a fresh key");
	sip_sdp_keys_wipe(&k);
	sip_sdp_keys_wipe(&reuse);
	free(s);
	free(o);
}

/* RFC 4733: telephone-event only as offered, at the codec's rate first. */
static void
test_answer_te(void)
{
	struct conf_account	 opus = account(CONF_SRTP_OFF, 2, CONF_CODEC_OPUS,
	    CONF_CODEC_PCMU);
	struct conf_account	 pcmu = account(CONF_SRTP_OFF, 1, CONF_CODEC_PCMU,
	    CONF_CODEC_PCMU);
	struct sip_sdp_keys	 k;
	char			*s, *why;
	int			 warn;

	s = answer("m=audio 30000 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\n", &opus, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 96 101"),
	    "Opus with telephone-event/8000 offered: answered as offered");
	ok(has_line(s, "a=rtpmap:101 telephone-event/8000") &&
	    strstr(s, "telephone-event/48000") == NULL,
	    "no telephone-event/48000 that was never offered");
	free(s);

	s = answer("m=audio 30000 RTP/AVP 96 0 101 100\r\na=rtpmap:96 opus/48000/2\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\na=rtpmap:100 telephone-event/48000\r\n",
	    &opus, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 96 100") &&
	    has_line(s, "a=rtpmap:100 telephone-event/48000"),
	    "both rates offered, Opus: the 48 kHz one");
	free(s);
	s = answer("m=audio 30000 RTP/AVP 96 0 101 100\r\na=rtpmap:96 opus/48000/2\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\na=rtpmap:100 telephone-event/48000\r\n",
	    &pcmu, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0 101"),
	    "both rates offered, PCMU: the 8 kHz one");
	free(s);
	s = answer("m=audio 30000 RTP/AVP 0 101\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-11\r\n",
	    &pcmu, &k, &warn, &why);
	ok(has_line(s, "a=fmtp:101 0-11"), "its events as offered");
	free(s);
	s = answer("m=audio 30000 RTP/AVP 0 101\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\n", &pcmu, &k, &warn, &why);
	ok(s != NULL && strstr(s, "a=fmtp:101") == NULL,
	    "none offered: none answered (0-15 by default)");
	free(s);
	s = answer("m=audio 30000 RTP/AVP 0\r\n", &pcmu, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0") &&
	    strstr(s, "telephone-event") == NULL, "none offered: none answered");
	free(s);
	s = answer("m=audio 30000 RTP/AVP 0 8 18\r\n", &opus, &k, &warn, &why);
	ok(has_line(s, "m=audio 4000 RTP/AVP 0"),
	    "our first codec the offer has (the account's order)");
	free(s);
}

static void
test_check(void)
{
	char	*cause = NULL;

	is_int(sip_sdp_check("v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\n"
	    "t=0 0\nm=audio 30000 RTP/AVP 0\n", &cause), 0,
	    "LF-only SDP parses (RFC 4566 5)");
	is_int(sip_sdp_check("v=0\r\nm=audio 4000 RTP/AVP 0 x 300\r\n", &cause), -1,
	    "a bad format list does not");
	ok(cause != NULL && strstr(cause, "bad offered SDP: m= invalid format") != NULL,
	    "and says why: %s", cause != NULL ? cause : "nothing");
	free(cause);
	cause = NULL;
	is_int(sip_sdp_check("v=0\r\nm=video 4002 X/Y 96 @\r\n", &cause), -1,
	    "what the guard refuses does not either");
	ok(cause != NULL && strstr(cause, "a bad format in an m= line") != NULL,
	    "the guard's reason: %s", cause != NULL ? cause : "nothing");
	free(cause);
}

/* Exchanges of several streams pair the answer's audio with its offer. */
static void
test_params_streams(void)
{
	struct conf_account	 opt = account(CONF_SRTP_OPTIONAL, 2, CONF_CODEC_PCMU,
	    CONF_CODEC_OPUS);
	struct media_params	 p;
	struct sip_sdp_keys	 k;
	char			*o, *a, *cause = NULL;
	int			 warn;

	o = offer_of("m=audio 0 RTP/AVP 0\r\nm=video 30000 RTP/AVP 96\r\n"
	    "a=rtpmap:96 H264/90000\r\nm=audio 30002 RTP/SAVP 0 101\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 " KEY "\r\n");
	a = sip_sdp_answer(o, &opt, "192.0.2.1", 4000, NULL, &k, &warn, &cause);
	ok(a != NULL, "answered");
	is_int(sip_sdp_params(a, o, true, &k, &p, &cause), 0,
	    "our user SDP (no line for the disabled stream) pairs with the offer");
	is_int(p.remote_port, 30002, "the third offered stream");
	ok(p.srtp && p.srtp_rx.tag == 1, "its SRTP keys");
	is_int(p.send_te_pt, 101, "its telephone-event");
	free(a);

	/* soa's answer has a line for each offered one. */
	a = offer_of("m=audio 0 RTP/AVP 19\r\nm=video 0 RTP/AVP 96\r\n"
	    "m=audio 4000 RTP/SAVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 " KEY "\r\n");
	is_int(sip_sdp_params(a, o, true, &k, &p, &cause), 0, "soa's answer pairs too");
	is_int(p.remote_port, 30002, "with the same stream");
	sip_sdp_keys_wipe(&k);
	free(a);
	free(o);

	/* We offered one stream; the answer's telephone-event is what we
	 * send, at the codec's rate. */
	o = offer("RTP/AVP", "96 0 102 101", "a=rtpmap:96 opus/48000/2\r\n"
	    "a=rtpmap:102 telephone-event/48000\r\na=rtpmap:101 telephone-event/8000\r\n");
	a = offer("RTP/AVP", "0 101", "a=rtpmap:101 telephone-event/8000\r\n");
	is_int(sip_sdp_params(o, a, false, NULL, &p, &cause), 0, "PCMU answered");
	ok(p.send_te_pt == 101 && p.send_te_rate == 8000,
	    "telephone-event/8000 as answered (pt %d, %d Hz)", p.send_te_pt,
	    p.send_te_rate);
	free(a);
	a = offer("RTP/AVP", "96 101", "a=rtpmap:96 opus/48000/2\r\n"
	    "a=rtpmap:101 telephone-event/8000\r\n");
	is_int(sip_sdp_params(o, a, false, NULL, &p, &cause), 0, "Opus answered");
	ok(p.send_te_pt == 101 && p.send_te_rate == 8000,
	    "only telephone-event/8000 answered: that one, not ours at 48 kHz");
	free(a);
	free(o);
	free(cause);
}

int
main(void)
{
	test_offer();
	test_answer();
	test_answer_streams();
	test_answer_refusals();
	test_answer_srtp();
	test_answer_sdes();
	test_answer_te();
	test_check();
	test_params();
	test_params_streams();
	test_guard();
	test_rtcp();
	return done_testing();
}
