/*
 * test-contacts.c: the address book: the one-a-line file and vCards
 * (folding, escapes, several cards, TEL parameters), errors with their
 * file and line, name lookups (anywhere in the name, exact name first,
 * ambiguity) and matching a call's address to a contact. Also the files
 * of a directory, read again by contacts_reload.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contacts.h"
#include "event.h"
#include "fakes.h"
#include "tap.h"
#include "util.h"

/* S ends with END. */
#define like_end(s, end) do {						\
	const char	*s_ = (s), *e_ = (end);				\
	size_t		 ls_ = strlen(s_), le_ = strlen(e_);		\
									\
	ok(ls_ >= le_ && strcmp(s_ + ls_ - le_, e_) == 0,		\
	    "error: %s", e_);						\
	if (ls_ < le_ || strcmp(s_ + ls_ - le_, e_) != 0)		\
		printf("#   got: %s\n", s_);				\
} while (0)

static const char *
err(const struct contacts *cs, int i)
{
	return i < cs->nerrors ? cs->errors[i] : "(none)";
}

static void
test_list(void)
{
	struct contacts	*cs = contacts_new();
	int		 n;

	n = contacts_parse_list(cs, "c",
	    "# my contacts\n"
	    "\n"
	    "Alice <sip:alice@example.com>\n"
	    "  \"Bob \\\"the\\\" Builder\" <sip:bob@example.com>;presence=yes\n"
	    "Carol Smith<sips:carol@example.org:5061;transport=tls> # work\n"
	    "Dave <tel:+49-30-1234>\r\n"
	    "no uri here\n"
	    "Eve <http://eve>\n"
	    "\"Unclosed <sip:x@y>\n"
	    "<sip:nameless@example.com>\n"
	    "Frank <sip:frank@example.com> junk\n"
	    "alice <sip:other@example.com>\n"
	    "Gina <sip:gina@example.com");
	is_int(n, 4, "four good lines of the list are contacts");
	is_int(cs->n, 4, "and only those");
	is_str(cs->v[0].name, "Alice", "plain name");
	is_str(cs->v[0].uri, "sip:alice@example.com", "its URI");
	is_str(cs->v[0].params, "", "no parameters");
	is_str(cs->v[1].name, "Bob \"the\" Builder", "quoted name, escapes");
	is_str(cs->v[1].params, ";presence=yes", "parameters kept");
	is_str(cs->v[2].name, "Carol Smith", "name without a blank before <");
	is_str(cs->v[2].uri, "sips:carol@example.org:5061;transport=tls",
	    "sips URI with port and parameters");
	is_str(cs->v[2].params, "", "a trailing comment is no parameter");
	is_str(cs->v[3].uri, "tel:+49-30-1234", "tel: URI, CR stripped");
	is_int(cs->nerrors, 7, "seven bad lines reported");
	is_str(err(cs, 0), "c:7: expected Name <sip:user@host>", "no URI");
	is_str(err(cs, 1), "c:8: \"http://eve\" is not a sip:, sips: or "
	    "tel: URI", "wrong scheme");
	is_str(err(cs, 2), "c:9: missing closing quote", "open quote");
	is_str(err(cs, 3), "c:10: a contact needs a name", "no name");
	is_str(err(cs, 4), "c:11: unexpected \"junk\" after the URI",
	    "junk after the URI");
	is_str(err(cs, 5), "c:12: \"alice\" is already a contact",
	    "a name twice, ignoring case");
	is_str(err(cs, 6), "c:13: missing '>' after the URI",
	    "unclosed <, last line without newline");
	contacts_free(cs);
}

static void
test_vcard(void)
{
	struct contacts	*cs = contacts_new();
	int		 n;

	n = contacts_parse_vcard(cs, "a.vcf",
	    "BEGIN:VCARD\r\n"
	    "VERSION:3.0\r\n"
	    "FN:Anna\r\n"
	    "  Maria Kowalski\r\n"		/* folded: one blank dropped */
	    "N:Kowalski;Anna;;;\r\n"
	    "TEL;TYPE=work,voice:+48 22 555 0100\r\n"
	    "TEL;TYPE=cell,pref:+48 600 100 200\r\n"
	    "TEL;TYPE=home:+48 22 555 0199\r\n"
	    "END:VCARD\r\n"
	    "begin:vcard\n"
	    "version:4.0\n"
	    "fn:Smith\\, John\n"
	    "item1.IMPP;PREF=1:sip:john@example.\n"
	    "\tcom\n"
	    "TEL;VALUE=uri;TYPE=\"voice,cell\":tel:+1-555-0100\n"
	    "end:vcard\n"
	    "BEGIN:VCARD\n"
	    "VERSION:3.0\n"
	    "FN:No Number\n"
	    "EMAIL:nn@example.com\n"
	    "END:VCARD\n"
	    "BEGIN:VCARD\n"
	    "N:Doe;Jane;;;\n"
	    "IMPP:xmpp:jane@example.com\n"
	    "TEL:+1 555 0199\n"
	    "END:VCARD\n"
	    "BEGIN:VCARD\n"
	    "TEL:123\n"
	    "END:VCARD\n"
	    "garbage line\n"
	    "END:VCARD\n"
	    "FN:Outside\n"
	    "BEGIN:VCARD\n"
	    "FN:Never Closed\n"
	    "TEL:1\n"
	    "BEGIN:VCARD\n"
	    "FN:Last\n"
	    "TEL:2\n");
	is_int(n, 3, "three cards with a number or a SIP address");
	is_int(cs->n, 3, "and only those");
	is_str(cs->v[0].name, "Anna Maria Kowalski", "FN unfolded");
	is_str(cs->v[0].uri, "+48 600 100 200", "the preferred TEL");
	is_str(cs->v[1].name, "Smith, John", "escaped comma");
	is_str(cs->v[1].uri, "sip:john@example.com",
	    "IMPP sip: (folded with a tab, grouped) wins over TEL");
	is_str(cs->v[2].name, "Jane Doe", "N when there is no FN");
	is_str(cs->v[2].uri, "+1 555 0199", "xmpp IMPP ignored, TEL taken");
	is_int(cs->nerrors, 6, "six errors");
	is_str(err(cs, 0), "a.vcf:27: a card with a number but no FN or N",
	    "nameless card, at its BEGIN");
	is_str(err(cs, 1), "a.vcf:30: expected NAME:VALUE", "not a property");
	is_str(err(cs, 2), "a.vcf:31: END:VCARD without BEGIN:VCARD",
	    "END alone");
	is_str(err(cs, 3), "a.vcf:32: FN outside a card (BEGIN:VCARD)",
	    "property outside a card");
	is_str(err(cs, 4), "a.vcf:33: card not closed (no END:VCARD)",
	    "BEGIN inside a card");
	is_str(err(cs, 5), "a.vcf:36: card not closed (no END:VCARD)",
	    "end of file inside a card");
	contacts_free(cs);
}

static void
test_lookup(void)
{
	struct contacts		*cs = contacts_new();
	const struct contact	*c, *v[4];
	char			*cause = NULL;

	contacts_parse_list(cs, "c",
	    "Alice <sip:alice@example.com>\n"
	    "Albert <sip:albert@example.com>\n"
	    "Al <sip:al@example.com>\n"
	    "Bob Marley <sip:bob@Example.COM;transport=tcp>\n"
	    "Office <tel:+49-30-1234-56>\n"
	    "Hal <sip:+4930999@example.com>\n");

	is_int(contacts_match(cs, "AL", v, 4), 4, "AL is in four names");
	ok(v[0] == &cs->v[0] && v[3] == &cs->v[5], "in file order");
	is_int(contacts_match(cs, "", v, 2), 6, "empty text: all, counted");
	is_int(contacts_match(cs, "zzz", v, 4), 0, "no match");

	c = contacts_resolve(cs, "al", &cause);
	ok(c == &cs->v[2] && cause == NULL, "the exact name wins over "
	    "names containing it");
	c = contacts_resolve(cs, "marl", &cause);
	ok(c == &cs->v[3], "one name contains it: that one");
	c = contacts_resolve(cs, "li", &cause);
	ok(c == &cs->v[0], "anywhere in the name");
	c = contacts_resolve(cs, "Alb", &cause);
	ok(c == &cs->v[1], "Alb is Albert");
	c = contacts_resolve(cs, "nobody", &cause);
	ok(c == NULL && cause == NULL, "no contact: NULL, no cause");
	c = contacts_resolve(cs, "l", &cause);
	ok(c == NULL, "ambiguous: NULL");
	is_str(cause, "ambiguous: Alice, Albert, Al, Bob Marley, Hal",
	    "the candidates named");
	free(cause);
	cause = NULL;
	c = contacts_resolve(cs, "", &cause);
	ok(c == NULL && cause == NULL, "empty name is no contact");

	c = contacts_find_remote(cs, "\"Someone\" <sip:alice@EXAMPLE.com;"
	    "transport=udp>;tag=1");
	ok(c == &cs->v[0], "remote: same user, host ignoring case");
	c = contacts_find_remote(cs, "sip:bob@example.com:5060");
	ok(c == &cs->v[3], "bare URI with a port");
	c = contacts_find_remote(cs, "<sip:ALICE@example.com>");
	ok(c == NULL, "the user part is case-sensitive");
	c = contacts_find_remote(cs, "<sip:+4930x123456@pbx.example>");
	ok(c == NULL, "a letter makes it no number");
	c = contacts_find_remote(cs, "<sip:+4930123456@pbx.example>");
	ok(c == &cs->v[4], "a number contact by its digits, any host");
	c = contacts_find_remote(cs, "<sip:4930123456@pbx.example>");
	ok(c == NULL, "digits without the + differ");
	c = contacts_find_remote(cs, "<sip:+4930999@example.com>");
	ok(c == &cs->v[5], "sip: contact with a number user");
	c = contacts_find_remote(cs, "tel:+4930123456");
	ok(c == NULL, "not a sip URI");
	contacts_free(cs);
}

static void
test_more_errors(void)
{
	struct contacts		*cs = contacts_new();
	const struct contact	*c;
	char			*cause = NULL;

	contacts_parse_list(cs, "x",
	    "Ctl\x01 <sip:a@b>\n"
	    "\"Quoted\" sip:q@example.com\n"
	    "Empty <sip:>\n"
	    "Blank <sip:a b@c>\n"
	    "Pres <sip:p@example.com>;presence=yes # watched\n");
	is_int(cs->n, 1, "one good line");
	is_str(cs->v[0].params, ";presence=yes", "comment after parameters");
	is_str(err(cs, 0), "x:1: control character", "control character");
	is_str(err(cs, 1), "x:2: expected <URI> after the name",
	    "quoted name without <URI>");
	is_str(err(cs, 2), "x:3: bad URI \"sip:\"", "scheme only");
	is_str(err(cs, 3), "x:4: bad URI \"sip:a b@c\"", "blank in URI");
	contacts_free(cs);

	cs = contacts_new();
	contacts_parse_vcard(cs, "y.vcf",
	    "BEGIN:VCARD\nN:Solo\nTEL:1\nEND:VCARD\n"
	    "BEGIN:VCARD\nN:;Given;;;\nTEL;TYPE=prefix:2\nTEL:3\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Bad\x02\nTEL:4\nEND:VCARD\n"
	    "BEGIN:VCARD\nFN:Multi\\nLine\nTEL:5\nEND:VCARD");
	ok(cs->n == 3 && strcmp(cs->v[0].name, "Solo") == 0,
	    "N with a family name only");
	ok(cs->n == 3 && strcmp(cs->v[1].name, "Given") == 0 &&
	    strcmp(cs->v[1].uri, "2") == 0,
	    "N with a given name only; TYPE=prefix is not pref");
	ok(cs->n == 3 && strcmp(cs->v[2].name, "Multi Line") == 0,
	    "escaped newline as a blank, no newline at the end");
	is_str(err(cs, 0), "y.vcf:10: control character", "control character");
	contacts_free(cs);

	cs = contacts_new();
	contacts_parse_list(cs, "z", "A1 <sip:1@h>\nA2 <sip:2@h>\nA3 <sip:3@h>\n"
	    "A4 <sip:4@h>\nA5 <sip:5@h>\nA6 <sip:6@h>\nA7 <sip:7@h>\n"
	    "A8 <sip:8@h>\nA9 <sip:9@h>\n"
	    "Host <sips:example.com>\n");
	c = contacts_resolve(cs, "a", &cause);
	ok(c == NULL, "nine names with a");
	is_str(cause, "ambiguous: A1, A2, A3, A4, A5, A6, A7, A8, ...",
	    "eight named, then ...");
	free(cause);
	c = contacts_find_remote(cs, " <sips:example.com>");
	ok(c == &cs->v[9], "a URI without a user, sips:");
	contacts_free(cs);
}

static int	 contact_events;
static char	 contact_last[3 * EVENT_TEXT_MAX];

static void
count_contacts(const struct event *ev, void *arg)
{
	(void)arg;
	if (ev->kind != EVENT_CONTACT)
		return;
	contact_events++;
	snprintf(contact_last, sizeof contact_last, "%s|%s|%s",
	    ev->u.contact.name, ev->u.contact.uri, ev->u.contact.presence);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	if (fp == NULL)
		return;
	fputs(text, fp);
	fclose(fp);
}

static void
test_dir(void)
{
	char			 dir[] = "/tmp/test-contacts.XXXXXX";
	char			*p;
	const struct contacts	*cs;
	struct contacts		*rd;
	int			 obs;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	xasprintf(&p, "%s/contacts", dir);
	write_file(p, "Alice <sip:alice@example.com>\nbad\n");
	free(p);
	xasprintf(&p, "%s/contacts.d", dir);
	mkdir(p, 0700);
	free(p);
	xasprintf(&p, "%s/contacts.d/b.vcf", dir);
	write_file(p, "BEGIN:VCARD\nFN:Bob\nTEL:100\nEND:VCARD\n");
	free(p);
	xasprintf(&p, "%s/contacts.d/a.vcf", dir);
	write_file(p, "BEGIN:VCARD\nFN:Ann\nTEL:200\nEND:VCARD\n");
	free(p);
	xasprintf(&p, "%s/contacts.d/notes.txt", dir);
	write_file(p, "BEGIN:VCARD\nFN:Not Read\nTEL:300\nEND:VCARD\n");
	free(p);

	rd = contacts_new();
	is_int(contacts_read_dir(rd, dir), 3, "contacts, then two .vcf files");
	ok(rd->n == 3 && strcmp(rd->v[1].name, "Ann") == 0 &&
	    strcmp(rd->v[2].name, "Bob") == 0, "vCard files in name order");
	xasprintf(&p, "%s/contacts:2: expected Name <sip:user@host>", dir);
	is_str(err(rd, 0), p, "error names the file's path and line");
	free(p);
	contacts_free(rd);

	contacts_start(dir);
	cs = contacts_current();
	is_int(cs->n, 3, "the phone's set read at start");
	obs = event_observe(count_contacts, NULL);
	is_int(contacts_emit("b"), 1, "one name with b");
	fake_loop_run();
	is_int(contact_events, 1, "one contact event");
	is_str(contact_last, "Bob|100|unknown", "name, number, presence");
	event_unobserve(obs);

	xasprintf(&p, "%s/contacts", dir);
	write_file(p, "Carol <sip:carol@example.com>\n");
	free(p);
	ok(fake_loop_fd_ready(), "the directory is watched");
	ok(contacts_current()->n == 3 &&
	    strcmp(contacts_current()->v[0].name, "Alice") == 0,
	    "not read again before the writer has settled");
	fake_loop_advance(200);
	cs = contacts_current();
	ok(cs->n == 3 && strcmp(cs->v[0].name, "Carol") == 0,
	    "read again after a change (inotify)");
	fake_loop_fd_ready();
	fake_loop_advance(200);
	ok(contacts_current()->n == 3, "nothing new, nothing read");
	xasprintf(&p, "%s/contacts.d/c.vcf", dir);
	write_file(p, "BEGIN:VCARD\nFN:Cy\nTEL:9\nEND:VCARD\n");
	free(p);
	fake_loop_fd_ready();
	fake_loop_advance(200);
	is_int(contacts_current()->n, 4, "a new vCard in contacts.d/ is read");
	contacts_stop();

	/* No directory yet: looked at now and then, until it is there. */
	xasprintf(&p, "%s/later", dir);
	contacts_start(p);
	is_int(contacts_current()->n, 0, "no directory: no contacts");
	ok(!fake_loop_fd_ready(), "nothing to watch");
	mkdir(p, 0700);
	free(p);
	xasprintf(&p, "%s/later/contacts", dir);
	write_file(p, "Dora <sip:dora@example.com>\n");
	free(p);
	fake_loop_advance(2000);
	is_int(contacts_current()->n, 1, "the new file is read on the next look");
	fake_loop_advance(2000);
	is_int(contacts_current()->n, 1, "and kept");
	contacts_stop();

	xasprintf(&p, "%s/odd", dir);
	mkdir(p, 0700);
	free(p);
	xasprintf(&p, "%s/odd/contacts", dir);
	mkdir(p, 0700);
	free(p);
	xasprintf(&p, "%s/odd/contacts.d", dir);
	mkdir(p, 0700);
	free(p);
	xasprintf(&p, "%s/odd/contacts.d/nul.vcf", dir);
	{
		FILE	*fp = fopen(p, "w");

		if (fp != NULL) {
			fwrite("BEGIN\0x", 1, 7, fp);
			fclose(fp);
		}
	}
	free(p);
	rd = contacts_new();
	xasprintf(&p, "%s/odd", dir);
	contacts_read_dir(rd, p);
	free(p);
	is_int(rd->nerrors, 2, "two unreadable files");
	like_end(err(rd, 0), "/odd/contacts: not a regular file");
	like_end(err(rd, 1), "/odd/contacts.d/nul.vcf: not a text file (NUL byte)");
	contacts_free(rd);

	is_int(contacts_current()->n, 0, "empty once stopped");
	contacts_stop();

	rd = contacts_new();
	is_int(contacts_read_dir(rd, "/nonexistent/dir"), 0,
	    "a missing directory: nothing, no error");
	is_int(rd->nerrors, 0, "no error");
	contacts_free(rd);

	xasprintf(&p, "rm -rf '%s'", dir);
	if (system(p) != 0)
		ok(0, "cleanup");
	free(p);
}

/* Which contacts are watched: ";presence=yes" among the parameters. */
static void
test_watched(void)
{
	static const struct {
		const char	*params;
		bool		 want;
	} t[] = {
		{ "", false },
		{ ";presence=yes", true },
		{ ";presence=YES", true },
		{ "; presence = on", true },
		{ ";x=1;presence=true;y", true },
		{ ";presence=1", true },
		{ ";presence=no", false },
		{ ";presence", false },
		{ ";presences=yes", false },
		{ ";presence=yesno", false },
		{ ";nopresence=yes", false },
	};
	struct contact	 c;
	size_t		 i;

	memset(&c, 0, sizeof c);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		c.params = (char *)t[i].params;
		ok(contacts_watched(&c) == t[i].want, "watched \"%s\": %s",
		    t[i].params, t[i].want ? "yes" : "no");
	}
}

int
main(void)
{
	test_watched();
	test_list();
	test_vcard();
	test_lookup();
	test_more_errors();
	test_dir();
	return done_testing();
}
