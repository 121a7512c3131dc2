/*
 * tui-hints.c: the line above the input line. It is one of three things:
 *
 *   - the keys that work now, and only those (no "hold" before a call is
 *     up, no "DTMF" while it is on hold), with the help key at the right;
 *   - while a call rings, a banner naming the caller and how to answer:
 *     with the ':' prompt open a letter would be typed into the line, so
 *     the banner says to leave the prompt first, or to type the command;
 *   - while the prompt is open, what Tab would complete, as it is typed
 *     (with a call ringing this goes on the line above the banner).
 *
 * Which keys are offered is decided by tui_hints_list, a function of the
 * current call alone, so the rules read in one place.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "key-string.h"
#include "tui-int.h"
#include "util.h"

static int
tui_hints_add(struct tui_hint *v, int n, int max, const char *name,
    const char *fixed, const char *label)
{
	if (n == max)
		return n;
	v[n].name = name;
	v[n].fixed = fixed;
	v[n].label = label;
	return n + 1;
}

/*
 * The keys that work with CUR the current call (or NULL), LIVE calls up
 * and ENDED rows in the list, most useful first; the core's rules are
 * in call.c: hold and transfer need an answered call, DTMF an answered
 * or early one that is not on hold, a conference an answered call and
 * another one.
 */
int
tui_hints_list(const struct tui_call *cur, int live, int ended,
    enum tui_view view, struct tui_hint *v, int max)
{
	int	 n = 0;
	bool	 up, talk;

	if (cur != NULL && cur->refer_to[0] != '\0') {
		n = tui_hints_add(v, n, max, "refer_accept", NULL,
		    "accept transfer");
		n = tui_hints_add(v, n, max, "refer_refuse", NULL,
		    "refuse transfer");
	}
	if (cur != NULL) {
		up = cur->state == CALL_ESTABLISHED || cur->state == CALL_HELD;
		talk = cur->state == CALL_ESTABLISHED ||
		    cur->state == CALL_EARLY;
		n = tui_hints_add(v, n, max, "hangup", NULL, up ||
		    cur->state == CALL_INCOMING ? "hang up" : "cancel");
		if (up)
			n = tui_hints_add(v, n, max, "hold_toggle", NULL,
			    cur->state == CALL_HELD ? "resume" : "hold");
		n = tui_hints_add(v, n, max, "mute_toggle", NULL,
		    cur->muted ? "unmute" : "mute");
		if (talk)
			n = tui_hints_add(v, n, max, NULL, "0-9*#", "DTMF");
		if (up)
			n = tui_hints_add(v, n, max, "transfer", NULL,
			    "transfer");
		if (cur->conference)
			n = tui_hints_add(v, n, max, "conference_toggle", NULL,
			    "split");
		else if (up && live > 1)
			n = tui_hints_add(v, n, max, "conference_toggle", NULL,
			    "conference");
	}
	if (live > 1 || (live == 1 && cur == NULL))
		n = tui_hints_add(v, n, max, "switch", NULL, "next call");
	if (live == 0) {
		n = tui_hints_add(v, n, max, NULL, "0-9", "dial a number");
		n = tui_hints_add(v, n, max, "dial", NULL, "dial a URI");
	}
	if (ended > 0)
		n = tui_hints_add(v, n, max, "clear", NULL, "clear ended");
	if (cur == NULL)
		n = tui_hints_add(v, n, max, "prompt", NULL, "command");
	if (view == TUI_VIEW_HISTORY)
		n = tui_hints_add(v, n, max, NULL, "Enter", "call back");
	if (view == TUI_VIEW_MESSAGES)
		n = tui_hints_add(v, n, max, NULL, "Enter",
		    tui.msg_peer[0] != '\0' ? "reply" : "open");
	if (live == 0 || view == TUI_VIEW_MESSAGES)
		n = tui_hints_add(v, n, max, "messages", NULL,
		    view == TUI_VIEW_MESSAGES ? "log" : "messages");
	n = tui_hints_add(v, n, max, "history", NULL,
	    view == TUI_VIEW_HISTORY ? "log" : "history");
	n = tui_hints_add(v, n, max, "trace", NULL, view == TUI_VIEW_TRACE ?
	    "log" : "SIP trace");
	n = tui_hints_add(v, n, max, "quit", NULL, "quit");
	return n;
}

/*
 * "KEY label" in the hint bar at X, only if it fits whole before LIMIT;
 * returns the new x. KEY is the key bound to NAME, or FIXED.
 */
static int
tui_hints_item(int y, int x, int limit, const char *name, const char *fixed,
    const char *label)
{
	char		 k[KEY_STRING_MAX];
	const char	*key = fixed;
	attr_t		 bar = tui_draw_attr(TUI_S_BAR);

	if (name != NULL && (key = tui_keys_for(name, k, sizeof k)) == NULL)
		return x;
	if (x + tui_draw_width(key) + 1 + tui_draw_width(label) > limit)
		return x;
	x += tui_draw_text(y, x, limit - x, key, tui_draw_attr(TUI_S_KEY));
	x += tui_draw_text(y, x, limit - x, " ", bar);
	x += tui_draw_text(y, x, limit - x, label, bar);
	return x + 2;
}

/* How to answer RING from where the user is, in the key table's words. */
static void
tui_hints_how(const struct tui_call *ring, bool prompt, bool brief,
    char *buf, size_t len)
{
	char	 a[KEY_STRING_MAX], r[KEY_STRING_MAX];
	bool	 ka = tui_keys_for("answer", a, sizeof a) != NULL;
	bool	 kr = tui_keys_for("reject", r, sizeof r) != NULL;

	if (prompt && ka && !brief)
		snprintf(buf, len, "Esc closes the prompt, then %s answers; "
		    "or type answer %d", a, ring->id);
	else if (prompt && ka)
		snprintf(buf, len, "Esc, then %s answers; or type answer %d", a,
		    ring->id);
	else if (prompt)
		snprintf(buf, len, "type answer %d", ring->id);
	else if (ka && kr)
		snprintf(buf, len, "press %s to answer, %s to reject", a, r);
	else if (ka)
		snprintf(buf, len, "press %s to answer", a);
	else
		snprintf(buf, len, "type :answer");
}

/* The banner for RING, the longest form that fits in COLS. */
void
tui_hints_ring(const struct tui_call *ring, bool prompt, int cols, char *buf,
    size_t len)
{
	char	 name[EVENT_TEXT_MAX], uri[EVENT_TEXT_MAX], how[128];
	int	 brief, form;

	tui_model_call_party(ring, name, sizeof name, uri, sizeof uri);
	/* The key to press must show even when the party is long. */
	for (brief = 0; brief < 2; brief++) {
		tui_hints_how(ring, prompt, brief, how, sizeof how);
		for (form = 0; form < 3; form++) {
			if (form == 0)
				snprintf(buf, len, " INCOMING CALL %d from "
				    "%s%s%s%s: %s", ring->id, name,
				    name[0] != '\0' ? " <" : "", uri,
				    name[0] != '\0' ? ">" : "", how);
			else if (form == 1 && name[0] != '\0')
				snprintf(buf, len, " INCOMING CALL %d from "
				    "%s: %s", ring->id, name, how);
			else
				snprintf(buf, len, " INCOMING CALL %d: %s, "
				    "from %s", ring->id, how, name[0] != '\0' ?
				    name : uri);
			if (tui_draw_width(buf) <= cols)
				return;
		}
	}
}

/* With a call ringing, the completions need a line of their own. */
int
tui_hints_extra(void)
{
	return tui.prompt.active && !tui.help &&
	    tui_model_ringing() != NULL ? 1 : 0;
}

/*
 * What Tab would do with the word being typed: the usage of the command,
 * then the completions; or, with none, the command's help.
 */
static void
tui_hints_completions(int y, int cols)
{
	const struct cmd_entry	*ce;
	const char		*match[TUI_PROMPT_CANDIDATES];
	char			 ids[TUI_MAX_CALLS][16], cmd[64];
	char			 left[256], list[1024], cut[1100];
	attr_t			 bar = tui_draw_attr(TUI_S_BAR);
	size_t			 k = 0, from;
	int			 word, m, j, x = 1, sel = tui_prompt_selected();

	m = tui_prompt_matches(match, ids, cmd, sizeof cmd, &word, &from);
	ce = word > 0 ? cmd_find(cmd) : NULL;
	left[0] = list[0] = '\0';
	if (word > 0 && ce == NULL)
		snprintf(left, sizeof left, "%s: no such command", cmd);
	else if (ce != NULL && m == 0)
		snprintf(left, sizeof left, "%s%s%s: %s", ce->name,
		    ce->args[0] != '\0' ? " " : "", ce->args, ce->help);
	else if (ce != NULL)
		snprintf(left, sizeof left, "%s%s%s", ce->name,
		    ce->args[0] != '\0' ? " " : "", ce->args);
	else if (m == 0)
		snprintf(left, sizeof left, "no such command");
	for (j = 0; j < m && k + 1 < sizeof list; j++)
		k += (size_t)snprintf(list + k, sizeof list - k, "%s%s%s%s",
		    j > 0 ? "  " : "", j == sel ? "[" : "", match[j],
		    j == sel ? "]" : "");

	tui_draw_fill(y, 0, cols, bar);
	if (left[0] != '\0') {
		tui_calls_cut(left, cols - 2, cut, sizeof cut);
		x += tui_draw_text(y, x, cols - 1 - x, cut, bar) + 2;
	}
	if (m > 0 && x + 6 < cols) {
		x += tui_draw_text(y, x, cols - 1 - x, "Tab", tui_draw_attr(
		    TUI_S_KEY));
		x += tui_draw_text(y, x, cols - 1 - x, " ", bar);
		tui_calls_cut(list, cols - 1 - x, cut, sizeof cut);
		tui_draw_text(y, x, cols - 1 - x, cut, bar);
	}
}

static void
tui_hints_keys(int y, int cols)
{
	struct tui_hint	 v[TUI_HINTS_MAX];
	char		 h[KEY_STRING_MAX];
	int		 i, n, x = 1, limit = cols;

	tui_draw_fill(y, 0, cols, tui_draw_attr(TUI_S_BAR));
	/* The way to the help is always in view, at the right end. */
	if (tui_keys_for("help", h, sizeof h) != NULL) {
		limit = cols - 1 - tui_draw_width(h) - 1 - tui_draw_width("keys");
		tui_hints_item(y, limit, cols, "help", NULL, "keys");
		limit--;
	}
	n = tui_hints_list(tui_model_current(), tui_model_live_calls(),
	    tui_model_ended_calls(), tui.view, v, TUI_HINTS_MAX);
	for (i = 0; i < n; i++)
		x = tui_hints_item(y, x, limit, v[i].name, v[i].fixed,
		    v[i].label);
}

void
tui_hints_draw(int y, int cols)
{
	const struct tui_call	*ring = tui_model_ringing();
	char			 buf[3 * EVENT_TEXT_MAX + 128];

	if (ring != NULL) {
		tui_hints_ring(ring, tui.prompt.active, cols, buf, sizeof buf);
		tui_draw_fill(y, 0, cols, tui_draw_attr(TUI_S_RING));
		tui_draw_text(y, 0, cols, buf, tui_draw_attr(TUI_S_RING));
		if (tui_hints_extra())
			tui_hints_completions(y - 1, cols);
		return;
	}
	if (tui.prompt.active)
		tui_hints_completions(y, cols);
	else
		tui_hints_keys(y, cols);
}
