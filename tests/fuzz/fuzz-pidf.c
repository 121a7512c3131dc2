/*
 * fuzz-pidf.c: presence documents from a NOTIFY (src/pidf.c), as any
 * notifier may send them: the whole input is the body.
 *
 * Promises checked: the result is 0 or -1; -1 leaves the state unknown;
 * the note is NUL-terminated within its buffer, well-formed UTF-8 and
 * free of control characters.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "pidf.h"

#include "fuzz.h"

static void
fuzz_pidf_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 n, i;

	while (*p != '\0') {
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
		if (*p < 0x80) {
			p++;
			continue;
		}
		n = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;
		FUZZ_CHECK(*p >= 0xc2 && *p <= 0xf4);
		for (i = 1; i <= n; i++)
			FUZZ_CHECK((p[i] & 0xc0) == 0x80);
		p += n + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pidf_status	 st;
	char			*body = malloc(size > 0 ? size : 1);
	int			 rc;

	/* An exact-size copy: ASan sees a read past the body's end. */
	if (size > 0)
		memcpy(body, data, size);
	memset(&st, 0xa5, sizeof st);
	rc = pidf_parse(body, size, &st);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(rc == 0 || st.state == PRESENCE_UNKNOWN);
	FUZZ_CHECK(st.state >= PRESENCE_UNKNOWN &&
	    st.state <= PRESENCE_OFFLINE);
	FUZZ_CHECK(memchr(st.note, '\0', sizeof st.note) != NULL);
	fuzz_pidf_utf8(st.note);
	free(body);
	return 0;
}
