/*
 * tui-history.c: the history view, in place of the log pane: one line a
 * call, newest at the top, a selection to move and call back (Enter).
 * Opening it is the user looking at the missed calls: the counter on the
 * title line and the ended rows of the call list go.
 *
 * The entries are read from the store a screenful at a time (history.h):
 * the history can be long and the screen shows a few dozen lines, so
 * nothing is copied here. Calling back goes through the command table
 * like every other action.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "key-string.h"
#include "tui-int.h"
#include "util.h"

/* Open the view, or close it when open. */
void
tui_history_toggle(void)
{
	if (tui.view == TUI_VIEW_HISTORY) {
		tui.view = TUI_VIEW_LOG;
		tui.scroll = 0;
		tui_changed();
		return;
	}
	tui.view = TUI_VIEW_HISTORY;
	tui.hist_sel = 0;
	tui.hist_top = 0;
	history_seen();
	tui_model_clear_ended(true);
	tui_changed();
}

/* The keys that move in the view and call back; false: not ours. */
bool
tui_history_key(int key)
{
	long long	 n = history_count(), page;
	struct event_history h;
	char		 line[64], *cause = NULL;

	page = tui.pane_rows > 1 ? tui.pane_rows - 1 : 1;
	switch (key) {
	case KEYC_UP:
		tui.hist_sel--;
		break;
	case KEYC_DOWN:
		tui.hist_sel++;
		break;
	case KEYC_PPAGE:
		tui.hist_sel -= page;
		break;
	case KEYC_NPAGE:
		tui.hist_sel += page;
		break;
	case KEYC_HOME:
		tui.hist_sel = 0;
		break;
	case KEYC_END:
		tui.hist_sel = n - 1;
		break;
	case KEYC_ENTER:
		if (history_list(tui.hist_sel, 1, &h, &cause) != 1) {
			tui_message(true, "history: %s", cause != NULL ? cause :
			    "nothing to call back");
			free(cause);
			return true;
		}
		snprintf(line, sizeof line, "callback %lld", h.n);
		tui.view = TUI_VIEW_LOG;
		tui_run(line);
		return true;
	default:
		return false;
	}
	if (tui.hist_sel >= n)
		tui.hist_sel = n - 1;
	if (tui.hist_sel < 0)
		tui.hist_sel = 0;
	tui_changed();
	return true;
}

void
tui_history_title(char *buf, size_t len)
{
	char		 k[KEY_STRING_MAX];
	const char	*close;

	close = tui_keys_for("history", k, sizeof k) != NULL ? k : "Esc";
	snprintf(buf, len, "History: %lld call%s (Enter: call back, %s: log)",
	    history_count(), history_count() == 1 ? "" : "s", close);
}

/* One entry: "  12  2026-12-05 14:30  in   missed     0:00  Bob <sip:..>" */
static void
tui_history_line(const struct event_history *h, char *buf, size_t len)
{
	char		 when[32], dur[16], uri[EVENT_TEXT_MAX];
	char		 name[EVENT_TEXT_MAX];
	struct tm	 tm;

	localtime_r(&h->time, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	tui_draw_duration(h->duration, dur, sizeof dur);
	history_split(h->remote, uri, sizeof uri, name, sizeof name);
	if (h->display[0] != '\0')
		snprintf(buf, len, "%5lld  %s  %-3s  %-9s %6s  %s <%s>", h->n,
		    when, h->outgoing ? "out" : "in",
		    h->outcome == CALL_OUTCOME_NONE ? "under way" :
		    event_call_outcome_name(h->outcome), dur, h->display, uri);
	else
		snprintf(buf, len, "%5lld  %s  %-3s  %-9s %6s  %s", h->n,
		    when, h->outgoing ? "out" : "in",
		    h->outcome == CALL_OUTCOME_NONE ? "under way" :
		    event_call_outcome_name(h->outcome), dur, uri);
}

void
tui_history_draw(int y, int rows, int cols)
{
	struct event_history	*v;
	char			 line[EVENT_TEXT_MAX * 2 + 96], *cause = NULL;
	attr_t			 a;
	int			 n, i;

	if (history_error() != NULL) {
		snprintf(line, sizeof line, "The history is off: %s",
		    history_error());
		tui_draw_text(y, 1, cols - 2, line, tui_draw_attr(TUI_S_BAD));
		return;
	}
	if (rows <= 0)
		return;
	/* The selection stays in view. */
	if (tui.hist_sel < tui.hist_top)
		tui.hist_top = tui.hist_sel;
	if (tui.hist_sel >= tui.hist_top + rows)
		tui.hist_top = tui.hist_sel - rows + 1;
	v = xcalloc((size_t)rows, sizeof *v);
	if ((n = history_list(tui.hist_top, rows, v, &cause)) < 0) {
		tui_draw_text(y, 1, cols - 2, cause, tui_draw_attr(TUI_S_BAD));
		free(cause);
		free(v);
		return;
	}
	if (n == 0)
		tui_draw_text(y, 1, cols - 2, "No calls yet.",
		    tui_draw_attr(TUI_S_DIM));
	for (i = 0; i < n; i++) {
		tui_history_line(&v[i], line, sizeof line);
		a = v[i].outcome == CALL_OUTCOME_MISSED ?
		    tui_draw_attr(TUI_S_BAD) : A_NORMAL;
		if (tui.hist_top + i == tui.hist_sel) {
			a |= A_REVERSE;
			tui_draw_fill(y + i, 0, cols, a);
		}
		tui_draw_text(y + i, 0, cols, line, a);
	}
	free(v);
}
