/*
 * test-wrap.c: long lines of the log pane wrap at blanks, never inside a
 * word, unless the word alone is wider than the pane; columns are
 * counted for wide characters, not bytes.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tui-int.h"

#define MAX	64

/* The pieces of TEXT at WIDTH, joined by "|". */
static const char *
wrap(const char *text, int width)
{
	static char	 out[1024];
	size_t		 starts[MAX], lens[MAX], o = 0;
	int		 i, n;

	n = tui_draw_wrap_text(text, width, starts, lens, MAX);
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%.*s",
		    i > 0 ? "|" : "", (int)lens[i], text + starts[i]);
	}
	return out;
}

int
main(void)
{
	size_t	 starts[MAX], lens[MAX];

	is_str(wrap("account alice: registration failed: cannot reach the "
	    "registrar", 20), "account alice:|registration failed:|cannot "
	    "reach the|registrar", "breaks at blanks");
	is_str(wrap("short line", 20), "short line", "a short line is one piece");
	is_str(wrap("exactly twenty chars next", 20),
	    "exactly twenty chars|next", "a word ending at the edge stays");
	is_str(wrap("call 1: sip:averyveryverylongusername@example.com ended",
	    20), "call 1:|sip:averyveryverylon|gusername@example.co|m ended",
	    "only a word wider than the line is cut");
	is_str(wrap("a   b      c", 3), "a|b|c",
	    "blanks at a break are not drawn and begin no line");
	is_str(wrap("    indented text that wraps", 12),
	    "    indented|text that|wraps", "the first piece keeps its indent");
	is_str(wrap("", 10), "", "an empty line is one empty piece");
	ok(tui_draw_wrap_text("w w w w w w w w", 1, starts, lens, 3) == 3,
	    "at most MAX pieces");

	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) {
		/* Each of these is two columns wide. */
		is_str(wrap("Jürgen 日本語 日本語日本語", 10),
		    "Jürgen|日本語|日本語日本|語", "wide characters: by columns");
	} else
		printf("ok %d - # SKIP no C.UTF-8 locale\n", ++tap_n);
	return done_testing();
}
