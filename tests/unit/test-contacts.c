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
#include "fakes.h"
#include "tap.h"
#include "util.h"

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
	xasprintf(&p, "%s/contacts", dir);
	write_file(p, "Carol <sip:carol@example.com>\n");
	free(p);
	contacts_reload();
	cs = contacts_current();
	ok(cs->n == 3 && strcmp(cs->v[0].name, "Carol") == 0,
	    "read again after a change");
	contacts_stop();
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

int
main(void)
{
	test_list();
	test_vcard();
	test_lookup();
	test_dir();
	return done_testing();
}
