/*
 * test-pidf.c: reading presence documents (pidf.c) as the servers and
 * phones in the field write them, each with its own namespace prefixes:
 * a bare default namespace (Kamailio), "pidf:"/"rpid:" prefixes
 * (linphone), a person element with RPID activities (baresip, SIP.js),
 * the older im:im status; notes with entities, CDATA and UTF-8; and
 * what must not be taken for presence (comments, no <presence>, no
 * basic status, a document cut short, empty input).
 */
#include "config.h"

#include <string.h>

#include "pidf.h"
#include "tap.h"

#define NS	"xmlns=\"urn:ietf:params:xml:ns:pidf\" "
#define NS_RPID	"xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" "
#define NS_DM	"xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "

static int
parse(const char *doc, struct pidf_status *st)
{
	return pidf_parse(doc, strlen(doc), st);
}

/* As event.c names them (not linked here: it needs the loop). */
static const char *const names[] = {
	"unknown", "online", "busy", "ringing", "away", "offline",
};

static void
state_is(const char *doc, enum presence_state want, const char *what)
{
	struct pidf_status	 st;
	int			 rc = parse(doc, &st);

	ok(rc == 0 && st.state == want, "%s: %s (got %d, %s)", what,
	    names[want], rc, names[st.state]);
}

static void
test_states(void)
{
	struct pidf_status	 st;

	/* Kamailio (presence_xml) passes on what was published; a bare
	 * PIDF in the default namespace. */
	state_is("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<presence " NS "entity=\"sip:bob@example.com\">\n"
	    "  <tuple id=\"0x1\">\n    <status>\n      <basic>open</basic>\n"
	    "    </status>\n    <note>Available</note>\n  </tuple>\n"
	    "</presence>\n", PRESENCE_ONLINE, "bare open");
	parse("<presence " NS "><tuple id=\"a\"><status><basic>open</basic>"
	    "</status><note>Available</note></tuple></presence>", &st);
	is_str(st.note, "Available", "its note");
	state_is("<presence " NS "><tuple id=\"a\"><status><basic>closed"
	    "</basic></status></tuple></presence>", PRESENCE_OFFLINE,
	    "bare closed");

	/* linphone: prefixed elements, activities under a person. */
	state_is("<?xml version=\"1.0\"?><pidf:presence "
	    "xmlns:pidf=\"urn:ietf:params:xml:ns:pidf\" " NS_DM NS_RPID
	    "entity=\"sip:bob@x\"><pidf:tuple id=\"q\"><pidf:status>"
	    "<pidf:basic>open</pidf:basic></pidf:status><pidf:contact "
	    "priority=\"0.8\">sip:bob@10.0.0.1</pidf:contact></pidf:tuple>"
	    "<dm:person id=\"p\"><rpid:activities><rpid:away/>"
	    "</rpid:activities></dm:person></pidf:presence>",
	    PRESENCE_AWAY, "linphone away");
	state_is("<presence " NS NS_DM NS_RPID "><tuple id=\"t\"><status>"
	    "<basic>open</basic></status></tuple><dm:person id=\"p\">"
	    "<rpid:activities><rpid:on-the-phone/></rpid:activities>"
	    "</dm:person></presence>", PRESENCE_BUSY, "on-the-phone");
	/* baresip: an empty activities element when online, busy else. */
	state_is("<presence " NS NS_DM NS_RPID "entity=\"sip:b@h\">"
	    "<dm:person id=\"p1\"><rpid:activities/></dm:person>"
	    "<tuple id=\"t1\"><status><basic>open</basic></status>"
	    "<contact>sip:b@h</contact></tuple></presence>",
	    PRESENCE_ONLINE, "baresip online");
	state_is("<presence " NS NS_DM NS_RPID "><dm:person id=\"p1\">"
	    "<rpid:activities><rpid:busy/></rpid:activities></dm:person>"
	    "<tuple id=\"t1\"><status><basic>open</basic></status></tuple>"
	    "</presence>", PRESENCE_BUSY, "baresip busy");
	/* Other prefixes, other activities. */
	state_is("<ns0:presence xmlns:ns0=\"urn:ietf:params:xml:ns:pidf\" "
	    "xmlns:ns1=\"urn:ietf:params:xml:ns:pidf:rpid\"><ns0:tuple "
	    "id=\"x\"><ns0:status><ns0:basic>open</ns0:basic></ns0:status>"
	    "</ns0:tuple><ns1:activities><ns1:meeting/></ns1:activities>"
	    "</ns0:presence>", PRESENCE_BUSY, "ns0/ns1, meeting");
	state_is("<presence " NS NS_RPID "><tuple id=\"t\"><status><basic>"
	    "open</basic></status></tuple><rpid:activities><rpid:lunch/>"
	    "</rpid:activities></presence>", PRESENCE_AWAY, "lunch: away");
	state_is("<presence " NS "xmlns:im=\"urn:ietf:params:xml:ns:pidf:im\">"
	    "<tuple id=\"t\"><status><basic>open</basic><im:im>busy</im:im>"
	    "</status></tuple></presence>", PRESENCE_BUSY, "im:im busy");
	state_is("<presence " NS NS_RPID "><tuple id=\"t\"><status><basic>"
	    "open</basic></status></tuple><rpid:activities><rpid:other>"
	    "Ringing</rpid:other></rpid:activities></presence>",
	    PRESENCE_RINGING, "other: ringing");
	state_is("<presence " NS "><tuple id=\"t\"><status><basic>open"
	    "</basic></status><note>Ringing</note></tuple></presence>",
	    PRESENCE_RINGING, "a note saying ringing");
	/* Closed wins over what a device says it does. */
	state_is("<presence " NS NS_RPID "><tuple id=\"t\"><status><basic>"
	    "closed</basic></status></tuple><rpid:activities>"
	    "<rpid:on-the-phone/></rpid:activities></presence>",
	    PRESENCE_OFFLINE, "closed and on the phone: offline");
	/* Two devices: one open is enough. */
	state_is("<presence " NS "><tuple id=\"a\"><status><basic>closed"
	    "</basic></status></tuple><tuple id=\"b\"><status><basic> open "
	    "</basic></status></tuple></presence>", PRESENCE_ONLINE,
	    "one of two tuples open");
	/* An activity outside <activities> is no activity. */
	state_is("<presence " NS "><tuple id=\"t\"><status><basic>open"
	    "</basic></status><busy/></tuple></presence>", PRESENCE_ONLINE,
	    "a stray <busy/> is not an activity");
}

static void
test_notes(void)
{
	struct pidf_status	 st;
	char			 doc[2048], *p;
	size_t			 i;

	parse("<presence " NS "><tuple id=\"t\"><status><basic>open</basic>"
	    "</status></tuple><note xml:lang=\"de\">Gr&#xFC;&#223;e &amp; "
	    "&lt;Tsch&#252;ss&gt;</note></presence>", &st);
	is_str(st.note, "Grüße & <Tschüss>", "entities decoded");
	parse("<presence " NS "><tuple id=\"t\"><status><basic>open</basic>"
	    "</status><note>\n   out   to\tlunch \n</note></tuple></presence>",
	    &st);
	is_str(st.note, "out to lunch", "blanks run together, trimmed");
	parse("<presence " NS "><tuple id=\"t\"><status><basic>open</basic>"
	    "</status><note><![CDATA[a <b> c]]></note></tuple></presence>",
	    &st);
	is_str(st.note, "a <b> c", "CDATA is text");
	parse("<presence " NS "><tuple id=\"t\"><status><basic>open</basic>"
	    "</status><note></note><note>second</note></tuple></presence>",
	    &st);
	is_str(st.note, "second", "the first note that says something");
	parse("<presence " NS "><tuple id=\"t\"><status><basic>open</basic>"
	    "</status><note>bad \xff\xfe byte &#0; &#x110000; &bogus;</note>"
	    "</tuple></presence>", &st);
	is_str(st.note, "bad ?? byte   ? ?", "bad bytes and entities: '?'");
	parse("<presence " NS "><tuple id=\"t\"><status><basic>open</basic>"
	    "</status><note>你好</note></tuple></presence>", &st);
	is_str(st.note, "你好", "UTF-8 kept");

	/* A long note is cut on a character boundary. */
	p = doc + snprintf(doc, sizeof doc, "<presence " NS "><tuple id=\"t\">"
	    "<status><basic>open</basic></status><note>");
	for (i = 0; i < 400; i++)
		p += sprintf(p, "é");
	strcpy(p, "</note></tuple></presence>");
	ok(parse(doc, &st) == 0, "a long note");
	ok(strlen(st.note) < sizeof st.note && strlen(st.note) % 2 == 0,
	    "cut whole (%zu bytes)", strlen(st.note));
}

static void
test_refused(void)
{
	struct pidf_status	 st;
	const char		*doc;

	ok(pidf_parse(NULL, 0, &st) == -1 && st.state == PRESENCE_UNKNOWN,
	    "no body: -1, unknown");
	ok(parse("", &st) == -1, "empty: -1");
	ok(parse("garbage", &st) == -1, "text: -1");
	ok(parse("<tuple><status><basic>open</basic></status></tuple>", &st)
	    == -1, "no <presence>: -1");
	ok(parse("<presence " NS "><tuple id=\"t\"><status/></tuple>"
	    "</presence>", &st) == -1 && st.state == PRESENCE_UNKNOWN,
	    "no basic status: -1, unknown");
	ok(parse("<presence " NS "><!-- <tuple><status><basic>open</basic>"
	    "</status></tuple> --></presence>", &st) == -1,
	    "a tuple in a comment is no tuple");
	ok(parse("<presence " NS "><tuple id=\"t\"><status><basic>maybe"
	    "</basic></status></tuple></presence>", &st) == -1,
	    "basic neither open nor closed: -1");
	ok(parse("<presence " NS "><tuple id=\"a>b\"><status><basic>open"
	    "</basic></status></tuple></presence>", &st) == 0 &&
	    st.state == PRESENCE_ONLINE, "'>' in an attribute value");
	doc = "<presence " NS "><tuple id=\"t\"><status><basic>open</basic>"
	    "</status></tuple></presence>";
	ok(pidf_parse(doc, strlen(doc) - 30, &st) == 0 &&
	    st.state == PRESENCE_ONLINE, "cut after the status: still read");
	ok(pidf_parse(doc, 40, &st) == -1, "cut before it: -1");
}

int
main(void)
{
	test_states();
	test_notes();
	test_refused();
	return done_testing();
}
