/*
 * test-msg.c: what sip-msg.c reads itself: message-summary bodies (RFC
 * 3842) and the UTF-8 check a MESSAGE's text must pass.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sip-msg.h"
#include "tap.h"

static void
mwi_is(const char *body, int rc, bool waiting, int n, int o)
{
	struct sip_mwi	 m;
	int		 got = sip_msg_mwi_parse(body, strlen(body), &m);
	char		 label[40];
	size_t		 i;

	/* The body's first bytes, on one TAP line. */
	snprintf(label, sizeof label, "%s", body);
	for (i = 0; label[i] != '\0'; i++) {
		if (label[i] == '\r' || label[i] == '\n')
			label[i] = '|';
	}
	is_int(got, rc, "parse [%s]", label);
	if (rc == 0)
		ok(m.waiting == waiting && m.new_msgs == n && m.old_msgs == o,
		    "waiting %d, %d new, %d old (got %d, %d, %d)", waiting, n, o,
		    m.waiting, m.new_msgs, m.old_msgs);
}

int
main(void)
{
	/* RFC 3842's example, and what Asterisk sends. */
	mwi_is("Messages-Waiting: yes\r\n"
	    "Message-Account: sip:alice@vmail.example.com\r\n"
	    "Voice-Message: 2/8 (0/2)\r\n", 0, true, 2, 8);
	mwi_is("Messages-Waiting: no\r\nMessage-Account: sip:*97@pbx\r\n"
	    "Voice-Message: 0/3 (0/0)\r\n", 0, false, 0, 3);
	mwi_is("messages-waiting:yes\nvoice-message:  12/345\n", 0, true, 12, 345);
	mwi_is("Messages-Waiting: yes\r\n", 0, true, 0, 0);
	mwi_is("Messages-Waiting: yes\r\nFax-Message: 1/0\r\n"
	    "Voice-Message: 4/1 (1/0)", 0, true, 4, 1);
	mwi_is("Messages-Waiting: yes\r\nVoice-Message: x/y\r\n", 0, true, 0, 0);
	mwi_is("Messages-Waiting: yes\r\nVoice-Message: 7\r\n", 0, true, 0, 0);
	mwi_is("Voice-Message: 2/8 (0/2)\r\n", -1, false, 0, 0);
	mwi_is("Messages-Waiting: maybe\r\n", -1, false, 0, 0);
	mwi_is("", -1, false, 0, 0);
	mwi_is("Messages-Waiting-Not: yes\r\n", -1, false, 0, 0);
	{
		struct sip_mwi m;

		is_int(sip_msg_mwi_parse(NULL, 0, &m), -1, "no body");
		/* Not NUL-terminated: only LEN bytes are read. */
		is_int(sip_msg_mwi_parse("Messages-Waiting: yesXXX", 21, &m), 0,
		    "only LEN bytes are read");
		ok(m.waiting, "and yes is seen");
	}

	ok(sip_msg_utf8("", 0), "empty is UTF-8");
	ok(sip_msg_utf8("hello", 5), "ASCII is UTF-8");
	ok(sip_msg_utf8("Gr\xc3\xbc\xc3\x9f \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
	    18), "2-, 3- and 4-byte sequences");
	ok(!sip_msg_utf8("Gr\xfc\xdf", 4), "Latin-1 is not");
	ok(!sip_msg_utf8("\xc0\xaf", 2), "overlong forms are not");
	ok(!sip_msg_utf8("\xed\xa0\x80", 3), "surrogates are not");
	ok(!sip_msg_utf8("\xe6\x97", 2), "a cut sequence is not");
	ok(!sip_msg_utf8("\xf4\x90\x80\x80", 4), "beyond U+10FFFF is not");
	return done_testing();
}
