/*
 * test-uri.c: dial strings as people type them, through the real
 * sip-uri.c (and Sofia's URL parser under it): what is refused and why,
 * how numbers lose their separators, and how tel: URIs are dialled at the
 * account's domain.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "sip-uri.h"
#include "tap.h"

static struct conf_account	 acct = {
	.name = "work",
	.uri = "sip:alice@example.com",
};
static struct conf_account	 acct_port = {
	.name = "pbx",
	.uri = "sip:100@10.0.0.1:5080",
};

/* S becomes WANT. */
static void
target_is(const struct conf_account *ca, const char *s, const char *want)
{
	char	*cause = NULL, *got = sip_uri_target(ca, s, &cause);

	is_str(got, want, "\"%s\" is dialled as %s", s, want);
	if (cause != NULL)
		printf("#   cause: %s\n", cause);
	free(got);
	free(cause);
}

/* S is refused, and the cause contains WHY. */
static void
refused(const char *s, const char *why)
{
	char	*cause = NULL, *got = sip_uri_target(&acct, s, &cause);

	ok(got == NULL && cause != NULL && strstr(cause, why) != NULL,
	    "\"%s\" is refused: %s", s, why);
	if (got != NULL)
		printf("#   dialled as %s\n", got);
	if (cause != NULL && strstr(cause, why) == NULL)
		printf("#   cause: %s\n", cause);
	free(got);
	free(cause);
}

static void
number_is(const char *s, const char *want)
{
	char	*got = sip_uri_number(s);

	is_str(got, want, "number \"%s\" -> %s", s,
	    want != NULL ? want : "(not a number)");
	free(got);
}

int
main(void)
{
	/* Malformed targets: never dialled, and the cause says why. */
	refused("bob@@host", "more than one @");
	refused("sip:bob@@host", "more than one @");
	refused("sip:", "nothing after the scheme");
	refused("sips:", "nothing after the scheme");
	refused("@host", "no user before @");
	refused("sip:@host", "no user before @");
	refused("bob@", "no host after @");
	refused("sip:bob@", "no host after @");
	refused("sip:bob@;transport=tcp", "no host after @");
	refused("sip:bob smith@example.com", "spaces");
	refused("bob smith@example.com", "spaces");
	refused("sip:bob@exa mple.com", "spaces");
	refused("alice smith", "spaces");
	refused("<sip:bob@example.com>", "angle brackets");
	refused("sip:bob@ex!ample.com", "'!' in the host");
	refused("sip:bob@[::1", "bad IPv6 address");
	refused("sip:bob@example.com:99999", "bad port");
	refused("", "no target");
	refused("   ", "no target");
	refused("tel:", "no number");
	refused("tel:+", "not a phone number");
	refused("tel:+49 30 123", "only a number");
	refused("tel:alice", "not a phone number");
	refused("tel:+49-30-123@example.com", "only a number");
	refused("tel:+4930;ext=abc", "bad extension");
	refused("tel:+49(30", "not a phone number");

	/* URIs and names stay as they are. */
	target_is(&acct, "sip:bob@example.org", "sip:bob@example.org");
	target_is(&acct, "sips:bob@example.org:5061", "sips:bob@example.org:5061");
	target_is(&acct, "sip:a.b@x", "sip:a.b@x");
	target_is(&acct, "sip:bob@example.org;transport=tcp",
	    "sip:bob@example.org;transport=tcp");
	target_is(&acct, "sip:bob@[::1]:5060", "sip:bob@[::1]:5060");
	target_is(&acct, "sip:example.org", "sip:example.org");
	target_is(&acct, "bob@example.org", "sip:bob@example.org");
	target_is(&acct, "030.123@example.org", "sip:030.123@example.org");
	target_is(&acct, "alice.smith", "sip:alice.smith@example.com");
	target_is(&acct, "bob", "sip:bob@example.com");
	target_is(&acct, "  bob  ", "sip:bob@example.com");
	target_is(&acct, "127.0.0.1", "sip:127.0.0.1");
	target_is(&acct, "0800-FLOWERS", "sip:0800-FLOWERS@example.com");

	/* A Replaces value in a Refer-To URI (RFC 3891 example): ';', '='
	 * and '@' are escaped, what an hvalue may hold is not. */
	{
		char *e = sip_uri_header_escape(
		    "12345600@atlanta.example.com;from-tag=314159;to-tag=1234567");

		is_str(e, "12345600%40atlanta.example.com%3Bfrom-tag%3D314159"
		    "%3Bto-tag%3D1234567", "Replaces value escaped");
		free(e);
		e = sip_uri_header_escape("a b%c\"<>&[x]/?:+$-_.!~*'()");
		is_str(e, "a%20b%25c%22%3C%3E%26[x]/?:+$-_.!~*'()",
		    "hnv-unreserved kept, the rest escaped");
		free(e);
	}

	/* Numbers lose their separators, and keep a leading +. */
	number_is("+49 30 1234-56", "+4930123456");
	number_is("(030) 123 456", "030123456");
	number_is("030.123.456", "030123456");
	number_is("*97", "*97");
	number_is("1234#", "1234#");
	number_is("alice.smith", NULL);
	number_is("sip:a.b@x", NULL);
	number_is("49+30", NULL);
	number_is("++49", NULL);
	number_is("(030 123", NULL);
	number_is("030) 123", NULL);
	number_is("- . ()", NULL);
	number_is("10.0.0.1", NULL);
	target_is(&acct, "+49 30 1234-56", "sip:+4930123456@example.com");
	target_is(&acct, "(030) 123 456", "sip:030123456@example.com");
	target_is(&acct, "030.123.456", "sip:030123456@example.com");
	target_is(&acct, "1234", "sip:1234@example.com");
	target_is(&acct, "*97", "sip:*97@example.com");
	target_is(&acct, "12#", "sip:12%23@example.com");
	number_is("+49 (0)30 1234", "+49301234");
	number_is("(0)30 1234", "0301234");
	target_is(&acct_port, "+49 (0)30 12", "sip:+493012@10.0.0.1:5080");

	/* tel: (RFC 3966) at the account's domain, with user=phone. */
	target_is(&acct, "tel:+49-30-123456",
	    "sip:+4930123456@example.com;user=phone");
	target_is(&acct, "TEL:+49.30.123456",
	    "sip:+4930123456@example.com;user=phone");
	target_is(&acct, "tel:+49-30-123456;phone-context=example.com",
	    "sip:+4930123456@example.com;user=phone");
	target_is(&acct, "tel:(030)123", "sip:030123@example.com;user=phone");
	target_is(&acct, "tel:1234;phone-context=+49-30",
	    "sip:1234@example.com;user=phone");
	target_is(&acct, "tel:+49-30-123456;ext=2-2",
	    "sip:+4930123456;ext=22@example.com;user=phone");
	target_is(&acct, "tel:+49-30-123456;isub=12;foo=bar",
	    "sip:+4930123456;isub=12@example.com;user=phone");
	target_is(&acct_port, "tel:+49-30-123456",
	    "sip:+4930123456@10.0.0.1:5080;user=phone");

	return done_testing();
}
