/*
 * test-body.c: the body of an INVITE (src/sip-body.c): which part is the
 * offer in multipart/mixed and multipart/alternative bodies (RFC 3261
 * 7.4, RFC 2046 5.1.4, RFC 5621), which bodies and parts get 415, and
 * the guard in front of Sofia's multipart parser (bodies that made it
 * assert, read past the end or leak get 400 instead; its own shortening
 * of the body is undone).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip-int.h"

#include <sofia-sip/msg_mime.h>
#include <sofia-sip/sip_parser.h>

#include "tap.h"

#define SDP	"v=0\r\no=x 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n" \
		"t=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"
#define SDP2	"v=0\r\no=y 2 2 IN IP4 192.0.2.7\r\ns=-\r\nc=IN IP4 192.0.2.7\r\n" \
		"t=0 0\r\nm=audio 40000 RTP/AVP 8\r\n"

struct read {
	int	 code;
	char	 why[160];
	char	*sdp;		/* a copy, or NULL */
	size_t	 len;		/* the payload's length after the read */
};

/*
 * Read the body of an INVITE with HEADERS (Content-* lines) and BODY, as
 * sip_body_read sees it; AS_NUA: parse a multipart body first as nua
 * does (into sip_multipart, through our msg_multipart_parse).
 */
static struct read
body(const char *headers, const char *bodytext, size_t blen, bool as_nua)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	struct sip_body	 b;
	struct read	 r;
	msg_t		*msg;
	sip_t		*sip;
	char		*text;
	int		 n;

	memset(&r, 0, sizeof r);
	n = asprintf(&text, "INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-1\r\n"
	    "From: <sip:a@192.0.2.9>;tag=1\r\nTo: <sip:bob@192.0.2.1>\r\n"
	    "Call-ID: 1@x\r\nCSeq: 1 INVITE\r\n%sContent-Length: %zu\r\n\r\n",
	    headers, blen);
	if (n < 0 || (text = realloc(text, (size_t)n + blen)) == NULL)
		abort();
	memcpy(text + n, bodytext, blen);
	msg = msg_make(sip_default_mclass(), 0, text, (issize_t)((size_t)n + blen));
	sip = sip_object(msg);
	if (sip == NULL) {
		r.code = -1;
		goto out;
	}
	if (as_nua && sip->sip_content_type != NULL &&
	    strncasecmp(sip->sip_content_type->c_type, "multipart/", 10) == 0) {
		sip->sip_multipart = msg_multipart_parse(msg_home(msg),
		    sip->sip_content_type, sip->sip_payload);
		if (sip->sip_multipart == NULL)
			r.code = -400;	/* nua answers 400 Bad multipart body */
	}
	r.len = sip->sip_payload != NULL ? sip->sip_payload->pl_len : 0;
	if (r.code == 0) {
		sip_body_read(home, sip, &b);
		r.code = b.code;
		memcpy(r.why, b.why, sizeof r.why);
		if (b.sdp != NULL) {
			r.sdp = malloc(b.sdp_len + 1);
			memcpy(r.sdp, b.sdp, b.sdp_len);
			r.sdp[b.sdp_len] = '\0';
		}
	}
out:
	msg_destroy(msg);
	su_home_deinit(home);
	free(text);
	return r;
}

#define CT_SDP	"Content-Type: application/sdp\r\n"
#define MIXED	"Content-Type: multipart/mixed;boundary=b1\r\n"
#define ALT	"Content-Type: multipart/alternative;boundary=b1\r\n"

static struct read
body_s(const char *headers, const char *text, bool as_nua)
{
	return body(headers, text, strlen(text), as_nua);
}

static void
test_single(void)
{
	struct read	 r;

	r = body_s(CT_SDP, SDP, true);
	ok(r.code == 0 && r.sdp != NULL && strcmp(r.sdp, SDP) == 0,
	    "application/sdp: the offer");
	free(r.sdp);
	r = body_s(CT_SDP, "", true);
	ok(r.code == 0 && r.sdp == NULL, "no body: no offer");
	r = body_s("", SDP, true);
	ok(r.code == 0 && r.sdp != NULL, "no Content-Type, but it is SDP (as nua guesses)");
	free(r.sdp);
	r = body_s("Content-Type: text/plain\r\n", "hello", true);
	is_int(r.code, 415, "a text/plain body: 415 (%s)", r.why);
	r = body_s("Content-Type: text/plain\r\n"
	    "Content-Disposition: render;handling=optional\r\n", "hello", true);
	ok(r.code == 0 && r.sdp == NULL, "an optional text/plain body is ignored");
	r = body_s(CT_SDP "Content-Disposition: early-session\r\n", SDP, true);
	is_int(r.code, 415, "SDP that is not the session's: 415 (%s)", r.why);
	r = body_s(CT_SDP, "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nt=0 0\n", true);
	ok(r.code == 0 && r.sdp != NULL && strchr(r.sdp, '\r') == NULL,
	    "LF-only SDP is the offer as it is");
	free(r.sdp);
}

static void
test_mixed(void)
{
	static const char	 isup[] = "--b1\r\n" CT_SDP "\r\n" SDP "\r\n"
	    "--b1\r\nContent-Type: application/isup;version=itu-t92+\r\n"
	    "Content-Disposition: signal;handling=optional\r\n\r\n\x01\x00\x10\r\n"
	    "--b1--\r\n";
	struct read		 r;

	r = body(MIXED, isup, sizeof isup - 1, true);
	ok(r.code == 0 && r.sdp != NULL && strcmp(r.sdp, SDP) == 0,
	    "SDP and optional ISUP (with a NUL byte): the SDP (%s)", r.why);
	ok(r.len > 100, "the payload keeps its length (%zu), no preamble or not",
	    r.len);
	free(r.sdp);

	r = body_s(MIXED, "--b1\r\nContent-Type: application/pidf+xml\r\n\r\n<x/>\r\n"
	    "--b1\r\n" CT_SDP "\r\n" SDP "\r\n--b1--\r\n", true);
	is_int(r.code, 415, "a part we cannot use, required by default: 415");
	ok(strstr(r.why, "an application/pidf+xml part is required") != NULL,
	    "  which part: %s", r.why);

	r = body_s(MIXED, "--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1--\r\n",
	    true);
	is_int(r.code, 415, "no SDP part: 415");
	ok(strstr(r.why, "no session description") != NULL, "  says so: %s", r.why);

	r = body_s(MIXED, "--b1\r\nContent-Type: text/plain\r\n"
	    "Content-Disposition: render;handling=optional\r\n\r\nhi\r\n--b1--\r\n", true);
	ok(r.code == 0 && r.sdp == NULL,
	    "only optional parts, none SDP: no offer, no refusal");

	r = body_s(MIXED, "--b1\r\n" CT_SDP
	    "Content-Disposition: early-session;handling=optional\r\n\r\n" SDP2 "\r\n"
	    "--b1\r\n" CT_SDP "Content-Disposition: session\r\n\r\n" SDP "\r\n--b1--\r\n",
	    true);
	ok(r.code == 0 && r.sdp != NULL && strcmp(r.sdp, SDP) == 0,
	    "an optional early-session SDP first: the session's is the offer");
	free(r.sdp);
	r = body_s(MIXED, "--b1\r\n" CT_SDP
	    "Content-Disposition: early-session\r\n\r\n" SDP2 "\r\n"
	    "--b1\r\n" CT_SDP "\r\n" SDP "\r\n--b1--\r\n", true);
	is_int(r.code, 415, "the same, early-session required: 415 (%s)", r.why);

	r = body_s(MIXED, "--b1\r\n" CT_SDP "\r\n" SDP "\r\n--b1\r\n" CT_SDP "\r\n"
	    SDP2 "\r\n--b1--\r\n", true);
	is_int(r.code, 415, "two session descriptions: 415 (%s)", r.why);

	r = body_s(MIXED, "--b1\r\nContent-Type: multipart/alternative;boundary=b2\r\n"
	    "\r\n--b2\r\n" CT_SDP "\r\n" SDP "\r\n--b2--\r\n\r\n--b1--\r\n", true);
	is_int(r.code, 415, "SDP in a nested multipart: 415");
	ok(strstr(r.why, "nested multipart") != NULL, "  says so: %s", r.why);

	r = body_s(MIXED, "preamble\r\n--b1\r\n" CT_SDP "\r\n" SDP "\r\n--b1--\r\n",
	    true);
	ok(r.code == 0 && r.sdp != NULL && strcmp(r.sdp, SDP) == 0,
	    "a preamble is skipped");
	free(r.sdp);
	r = body_s(MIXED, "--b1\n" CT_SDP "\n" SDP "\n--b1--\n", true);
	ok(r.code == 0 && r.sdp != NULL, "delimiters on LF-only lines are read too");
	free(r.sdp);
	r = body_s(MIXED, "--b1\r\n" CT_SDP "\r\n" SDP "\r\n--b1--\r\n", false);
	ok(r.code == 0 && r.sdp != NULL, "read without nua's parse (it parses itself)");
	free(r.sdp);
}

static void
test_alternative(void)
{
	struct read	 r;

	r = body_s(ALT, "--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
	    "--b1\r\n" CT_SDP "\r\n" SDP "\r\n--b1--\r\n", true);
	ok(r.code == 0 && r.sdp != NULL && strcmp(r.sdp, SDP) == 0,
	    "text or SDP: the SDP, the other alternative is no bar (%s)", r.why);
	free(r.sdp);
	r = body_s(ALT, "--b1\r\n" CT_SDP "\r\n" SDP2 "\r\n--b1\r\n" CT_SDP "\r\n" SDP
	    "\r\n--b1--\r\n", true);
	ok(r.code == 0 && r.sdp != NULL && strcmp(r.sdp, SDP) == 0,
	    "two SDP alternatives: the last, the one preferred (RFC 2046 5.1.4)");
	free(r.sdp);
	r = body_s(ALT, "--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1--\r\n", true);
	is_int(r.code, 415, "no SDP alternative: 415 (%s)", r.why);
}

/* Bodies that made Debian's Sofia parser assert, over-read or leak. */
static void
test_guard(void)
{
	static const char	 nul_header[] = "--b1\r\nContent-Type: app\0x\r\n\r\nhi\r\n--b1--\r\n";
	static const char	 nul_after_close[] = "\r\n--b1--\r\nX: 1\r\na\0b\r\n\r\n--b1--\r\n";
	static const char	 lf_start[] = "\n--b1\r\nA: \0\r\n\r\nx\r\n--b1--\r\n";
	struct read		 r;

	r = body(MIXED, nul_header, sizeof nul_header - 1, true);
	is_int(r.code, -400, "a NUL in a part's headers: refused before Sofia asserts");
	r = body(MIXED, nul_after_close, sizeof nul_after_close - 1, true);
	is_int(r.code, -400, "  also after a first delimiter that looks closing");
	r = body(MIXED, lf_start, sizeof lf_start - 1, true);
	is_int(r.code, -400, "  also after a \\n--delimiter at the very start");
	r = body_s("Content-Type: multipart/mixed\r\n", "--b1\r\n" CT_SDP "\r\n" SDP
	    "\r\n--b1--\r\n", true);
	is_int(r.code, -400, "no boundary parameter: refused (Sofia's guess leaks)");
	r = body_s(MIXED, "--b1\r\n" CT_SDP "\r\n" SDP "\r\n--b1\r", true);
	ok(r.code == -400 || r.code == 0,
	    "a body ending in a delimiter and a CR is parsed within its bytes (%d)",
	    r.code);
	free(r.sdp);
}

int
main(void)
{
	test_single();
	test_mixed();
	test_alternative();
	test_guard();
	return done_testing();
}
