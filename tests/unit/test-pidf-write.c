/*
 * test-pidf-write.c: our presence as PIDF (pidf-write.c): each state's
 * basic status and RPID activity, the note in the tuple and the person,
 * text escaped for XML (markup, quotes, control characters) with UTF-8
 * kept, the exact buffer size it needs and -1 (an empty string) below
 * it, and the same document for the same state.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pidf.h"
#include "tap.h"

#define ENTITY	"sip:alice@example.com"

static char	 doc[4096];

static int
count(const char *s, const char *what)
{
	int	 n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* Every '&' starts one of the five entities we write. */
static int
ampersands_ok(const char *s)
{
	static const char *ents[] = { "&amp;", "&lt;", "&gt;", "&quot;",
	    "&apos;" };
	size_t	 i;

	for (; (s = strchr(s, '&')) != NULL; s++) {
		for (i = 0; i < sizeof ents / sizeof ents[0]; i++) {
			if (strncmp(s, ents[i], strlen(ents[i])) == 0)
				break;
		}
		if (i == sizeof ents / sizeof ents[0])
			return 0;
	}
	return 1;
}

static void
test_states(void)
{
	int	 n;

	n = pidf_write(doc, sizeof doc, ENTITY, PRESENCE_ONLINE, NULL);
	ok(n > 0 && (size_t)n == strlen(doc), "online: returns the length (%d)", n);
	ok(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0,
	    "an XML declaration in UTF-8");
	ok(strstr(doc, "xmlns=\"urn:ietf:params:xml:ns:pidf\"") != NULL,
	    "the PIDF namespace");
	ok(strstr(doc, "entity=\"" ENTITY "\"") != NULL, "the entity");
	ok(strstr(doc, "<basic>open</basic>") != NULL, "online is open");
	ok(strstr(doc, "rpid:activities") == NULL, "online has no activity");
	ok(strstr(doc, "<note>") == NULL, "and no note without one");
	is_int(count(doc, "<tuple "), 1, "one tuple");
	ok(strstr(doc, "</presence>\n") != NULL, "the document is closed");

	pidf_write(doc, sizeof doc, ENTITY, PRESENCE_BUSY, NULL);
	ok(strstr(doc, "<basic>open</basic>") != NULL, "busy is open");
	ok(strstr(doc, "<rpid:activities><rpid:on-the-phone/></rpid:activities>")
	    != NULL, "busy is the RPID activity on-the-phone (RFC 4480)");
	ok(strstr(doc, "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"") != NULL,
	    "with the RPID namespace");
	ok(strstr(doc, "<dm:person id=\"me\">") != NULL, "in a person element");

	pidf_write(doc, sizeof doc, ENTITY, PRESENCE_AWAY, "back at 3");
	ok(strstr(doc, "<basic>open</basic>") != NULL, "away is open");
	ok(strstr(doc, "<rpid:away/>") != NULL, "away is the activity away");
	ok(strstr(doc, "<note>back at 3</note>") != NULL, "the note in the tuple");
	ok(strstr(doc, "<dm:note>back at 3</dm:note>") != NULL,
	    "and in the person");

	pidf_write(doc, sizeof doc, ENTITY, PRESENCE_OFFLINE, "gone");
	ok(strstr(doc, "<basic>closed</basic>") != NULL, "offline is closed");
	ok(strstr(doc, "rpid:activities") == NULL, "offline has no activity");
	ok(strstr(doc, "<note>gone</note>") != NULL, "but keeps its note");

	pidf_write(doc, sizeof doc, ENTITY, PRESENCE_UNKNOWN, NULL);
	ok(strstr(doc, "<basic>closed</basic>") != NULL,
	    "unknown claims nothing: closed");

	pidf_write(doc, sizeof doc, ENTITY, PRESENCE_RINGING, NULL);
	ok(strstr(doc, "<basic>open</basic>") != NULL &&
	    strstr(doc, "<note>ringing</note>") != NULL,
	    "ringing is open with the note \"ringing\"");
	pidf_write(doc, sizeof doc, ENTITY, PRESENCE_RINGING, "call me");
	ok(strstr(doc, "<note>call me</note>") != NULL, "or the note given");

	pidf_write(doc, sizeof doc, ENTITY, PRESENCE_ONLINE, "");
	ok(strstr(doc, "<note>") == NULL, "an empty note is no note");
	is_int(pidf_write(doc, sizeof doc, ENTITY, (enum presence_state)99, NULL),
	    -1, "a state out of range: -1");
	is_int(pidf_write(doc, sizeof doc, NULL, PRESENCE_ONLINE, NULL), -1,
	    "no entity: -1");
}

static void
test_escape(void)
{
	pidf_write(doc, sizeof doc, "sip:a&b@example.com\"><x",
	    PRESENCE_AWAY, "<b>lunch</b> & \"tea\" 'n' \x01\x1f\x7f tab\there "
	    "Grüße, 你好");
	ok(strstr(doc, "entity=\"sip:a&amp;b@example.com&quot;&gt;&lt;x\"") != NULL,
	    "the entity is escaped as an attribute");
	ok(strstr(doc, "<note>&lt;b&gt;lunch&lt;/b&gt; &amp; &quot;tea&quot; "
	    "&apos;n&apos;     tab\there Grüße, 你好</note>") != NULL,
	    "the note: markup and quotes escaped, control characters blanked, "
	    "tab and UTF-8 kept");
	ok(ampersands_ok(doc), "every & starts an entity");
	is_int(count(doc, "<b>"), 0, "no markup of the user's gets through");
	is_int(count(doc, "<"), count(doc, ">"), "as many < as >");
}

static void
test_size(void)
{
	char	 small[2048], want[2048];
	int	 n, m;

	n = pidf_write(want, sizeof want, ENTITY, PRESENCE_BUSY, "in a meeting");
	ok(n > 0, "a document of %d bytes", n);
	m = pidf_write(small, (size_t)n + 1, ENTITY, PRESENCE_BUSY, "in a meeting");
	is_int(m, n, "it fits in exactly its length + 1");
	is_str(small, want, "the same document");
	memset(small, 'x', sizeof small);
	m = pidf_write(small, (size_t)n, ENTITY, PRESENCE_BUSY, "in a meeting");
	is_int(m, -1, "one byte less: -1");
	is_str(small, "", "and the buffer holds an empty string");
	is_int(pidf_write(small, 0, ENTITY, PRESENCE_BUSY, NULL), -1,
	    "a size of 0: -1");
	m = pidf_write(small, sizeof small, ENTITY, PRESENCE_BUSY, "in a meeting");
	is_str(small, want, "the same state gives the same document");
}

int
main(void)
{
	test_states();
	test_escape();
	test_size();
	return done_testing();
}
