/*
 * fuzz-contacts.c: the contacts file and vCards (src/contacts.c), as a
 * user's editor or an address book's export leaves them: the first byte
 * says which parser reads the rest (or both, into one set), which is
 * then looked up by name and by address.
 *
 * Promises checked: every contact has a name and a URI, neither empty nor
 * holding control characters; names are unique ignoring case, and each
 * resolves to its own contact; every error names the file; contacts_match
 * with "" counts them all; lookups of arbitrary text never crash.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "contacts.h"
#include "util.h"

#include "fuzz.h"

static void
fuzz_contacts_clean(const char *s)
{
	FUZZ_CHECK(*s != '\0');
	for (; *s != '\0'; s++)
		FUZZ_CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contacts		*cs;
	const struct contact	*c, *v[4];
	char			*text, *cause = NULL, *probe;
	uint8_t			 how = size > 0 ? data[0] : 0;
	int			 i, j;

	if (size > 0) {
		data++;
		size--;
	}
	text = xmalloc(size + 1);
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	cs = contacts_new();
	if ((how & 1) == 0)
		contacts_parse_list(cs, "f", text);
	if ((how & 3) != 0)
		contacts_parse_vcard(cs, "f", text);

	for (i = 0; i < cs->n; i++) {
		fuzz_contacts_clean(cs->v[i].name);
		fuzz_contacts_clean(cs->v[i].uri);
		FUZZ_CHECK(cs->v[i].params != NULL);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcasecmp(cs->v[i].name, cs->v[j].name) != 0);
		c = contacts_resolve(cs, cs->v[i].name, &cause);
		FUZZ_CHECK(c != NULL && cause == NULL);
		FUZZ_CHECK(strcasecmp(c->name, cs->v[i].name) == 0);
		c = contacts_find_remote(cs, cs->v[i].uri);
		(void)c;
	}
	for (i = 0; i < cs->nerrors; i++)
		FUZZ_CHECK(strncmp(cs->errors[i], "f:", 2) == 0);
	FUZZ_CHECK(contacts_match(cs, "", v, 4) == cs->n);

	/* The input's first line as a name and as an address. */
	probe = xstrndup(text, strcspn(text, "\n"));
	c = contacts_resolve(cs, probe, &cause);
	FUZZ_CHECK(c == NULL || cause == NULL);
	free(cause);
	contacts_match(cs, probe, v, 4);
	contacts_find_remote(cs, probe);
	free(probe);

	contacts_free(cs);
	free(text);
	return 0;
}
