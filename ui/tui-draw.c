/*
 * tui-draw.c: the screen, drawn whole from the model on every redraw
 * (curses sends only what changed). From the top:
 *
 *   title bar: program, what is going on, clock
 *   accounts: name, registration state in words, countdowns, why it failed
 *   -- Calls --
 *   calls: current mark, id, direction, party, state, timer, flags, codec,
 *          quality
 *   -- Log -- (or -- SIP trace --)
 *   the log, newest at the bottom, scrollable
 *   key-hint bar (the incoming-call banner while a call rings)
 *   input line: the ':' prompt, a question, or the last message
 *
 * Text from the network (names, reasons, SIP messages) is drawn through
 * tui_draw_text, which replaces control characters: a display name must
 * not be able to send escape sequences to the terminal.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "history.h"
#include "messages-store.h"
#include "key-string.h"
#include "trace.h"
#include "tui-int.h"
#include "util.h"

#define TUI_MIN_COLS	40
#define TUI_MIN_ROWS	10

enum {
	TUI_PAIR_GOOD = 1,
	TUI_PAIR_BUSY,
	TUI_PAIR_BAD,
	TUI_PAIR_RING,
	TUI_PAIR_BAR,
	TUI_PAIR_HEADING,
	TUI_PAIR_KEY,
};

/* One line of the log or trace pane, wrapped when drawn. */
struct tui_draw_line {
	char		*text;
	const char	*when;		/* drawn dim before the text, or NULL */
	attr_t		 attr;
};

void
tui_draw_init(void)
{
	short	 bg = -1;

	if (!tui.color)
		return;
	start_color();
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(TUI_PAIR_GOOD, COLOR_GREEN, bg);
	init_pair(TUI_PAIR_BUSY, COLOR_YELLOW, bg);
	init_pair(TUI_PAIR_BAD, COLOR_RED, bg);
	init_pair(TUI_PAIR_RING, COLOR_BLACK, COLOR_YELLOW);
	init_pair(TUI_PAIR_BAR, COLOR_WHITE, COLOR_BLUE);
	init_pair(TUI_PAIR_HEADING, COLOR_CYAN, bg);
	init_pair(TUI_PAIR_KEY, COLOR_YELLOW, COLOR_BLUE);
}

/* Without colour every look is an attribute, so meaning survives. */
attr_t
tui_draw_attr(enum tui_style s)
{
	if (!tui.color) {
		switch (s) {
		case TUI_S_BAR:		return A_REVERSE;
		case TUI_S_HEADING:	return A_BOLD;
		case TUI_S_GOOD:	return A_BOLD;
		case TUI_S_BUSY:	return A_NORMAL;
		case TUI_S_BAD:		return A_BOLD | A_UNDERLINE;
		case TUI_S_RING:	return A_REVERSE | A_BOLD;
		case TUI_S_CURRENT:	return A_REVERSE;
		case TUI_S_DIM:		return A_DIM;
		case TUI_S_KEY:		return A_REVERSE | A_BOLD;
		default:		return A_NORMAL;
		}
	}
	switch (s) {
	case TUI_S_BAR:		return COLOR_PAIR(TUI_PAIR_BAR);
	case TUI_S_HEADING:	return COLOR_PAIR(TUI_PAIR_HEADING) | A_BOLD;
	case TUI_S_GOOD:	return COLOR_PAIR(TUI_PAIR_GOOD) | A_BOLD;
	case TUI_S_BUSY:	return COLOR_PAIR(TUI_PAIR_BUSY);
	case TUI_S_BAD:		return COLOR_PAIR(TUI_PAIR_BAD) | A_BOLD;
	case TUI_S_RING:	return COLOR_PAIR(TUI_PAIR_RING) | A_BOLD;
	case TUI_S_CURRENT:	return A_REVERSE;
	case TUI_S_DIM:		return A_DIM;
	case TUI_S_KEY:		return COLOR_PAIR(TUI_PAIR_KEY) | A_BOLD;
	default:		return A_NORMAL;
	}
}

/* The next character of S as a printable wide character and its width. */
static size_t
tui_draw_next(const char *s, mbstate_t *ps, wchar_t *wc, int *w)
{
	size_t	 n = mbrtowc(wc, s, MB_CUR_MAX, ps);

	if (n == (size_t)-1 || n == (size_t)-2) {
		memset(ps, 0, sizeof *ps);
		*wc = L'?';
		n = 1;
	} else if (n == 0)
		return 0;
	if (*wc < 0x20 || *wc == 0x7f || (*wc >= 0x80 && *wc < 0xa0))
		*wc = L'?';
	if ((*w = wcwidth(*wc)) < 0) {
		*wc = L'?';
		*w = 1;
	}
	return n;
}

int
tui_draw_width(const char *s)
{
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 n;
	int		 w, total = 0;

	memset(&ps, 0, sizeof ps);
	while ((n = tui_draw_next(s, &ps, &wc, &w)) != 0) {
		total += w;
		s += n;
	}
	return total;
}

/* Bytes of S that fit in WIDTH columns. */
size_t
tui_draw_fit(const char *s, int width)
{
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 n, used = 0;
	int		 w, cols = 0;

	memset(&ps, 0, sizeof ps);
	while ((n = tui_draw_next(s + used, &ps, &wc, &w)) != 0) {
		if (cols + w > width)
			break;
		cols += w;
		used += n;
	}
	return used;
}

/* Draw at most LEN bytes of S at Y,X in at most WIDTH columns; returns
 * the columns used. */
static int
tui_draw_ntext(int y, int x, int width, const char *s, size_t len,
    attr_t attr)
{
	const char	*end = s + len;
	wchar_t		 buf[256], wc;
	mbstate_t	 ps;
	size_t		 n;
	int		 w, used = 0, k = 0;

	if (width <= 0)
		return 0;
	memset(&ps, 0, sizeof ps);
	move(y, x);
	attrset(attr);
	while (s < end && (n = tui_draw_next(s, &ps, &wc, &w)) != 0) {
		if (used + w > width)
			break;
		buf[k++] = wc;
		used += w;
		s += n;
		if (k == (int)nitems(buf)) {
			addnwstr(buf, k);
			k = 0;
		}
	}
	if (k > 0)
		addnwstr(buf, k);
	attrset(A_NORMAL);
	return used;
}

/* Draw S at Y,X in at most WIDTH columns; returns the columns used. */
int
tui_draw_text(int y, int x, int width, const char *s, attr_t attr)
{
	return tui_draw_ntext(y, x, width, s, strlen(s), attr);
}

void
tui_draw_fill(int y, int x, int width, attr_t attr)
{
	if (width <= 0)
		return;
	/* Lines take their look from the character, not from attrset(). */
	mvhline(y, x, ' ' | attr, width);
}

/* m:ss, then h:mm:ss. */
void
tui_draw_duration(long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 3600)
		snprintf(buf, len, "%02ld:%02ld", secs / 60, secs % 60);
	else
		snprintf(buf, len, "%ld:%02ld:%02ld", secs / 3600,
		    (secs / 60) % 60, secs % 60);
}

/* A rule across the screen with a title: "── Calls ─────". */
static void
tui_draw_rule(int y, int cols, const char *title)
{
	attr_t	 a = tui_draw_attr(TUI_S_HEADING);

	mvhline(y, 0, ACS_HLINE | a, cols);
	if (title != NULL && *title != '\0') {
		mvaddch(y, 2, ' ' | a);
		tui_draw_text(y, 3, cols - 6, title, a);
		addch(' ' | a);
	}
}

static void
tui_draw_cat(char *buf, const char *s, size_t len)
{
	size_t	 n = strlen(buf);

	if (n < len)
		util_strlcpy(buf + n, s, len - n);
}

static void
tui_draw_title(int y, int cols)
{
	attr_t		 bar = tui_draw_attr(TUI_S_BAR);
	char		 left[384], clock[16], divert[192];
	struct tm	 tm;
	time_t		 t = time(NULL);
	int		 live = tui_model_live_calls(), n, missed, unread;

	localtime_r(&t, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	n = snprintf(left, sizeof left, " %s", PACKAGE_STRING);
	if (live > 0)
		snprintf(left + n, sizeof left - (size_t)n, "  |  %d call%s",
		    live, live == 1 ? "" : "s");
	/* Until the user opens the history. */
	if ((missed = history_missed()) > 0) {
		char	 m[32];

		snprintf(m, sizeof m, "  |  %d missed", missed);
		tui_draw_cat(left, m, sizeof left);
	}
	/* Until the user opens their conversations. */
	if ((unread = messages_store_unread()) > 0) {
		char	 m[32];

		snprintf(m, sizeof m, "  |  %d unread", unread);
		tui_draw_cat(left, m, sizeof left);
	}
	if (tui.echotest)
		tui_draw_cat(left, "  |  echo test", sizeof left);
	tui_model_divert(divert, sizeof divert, tui.utf8);
	if (divert[0] != '\0') {
		tui_draw_cat(left, "  |  ", sizeof left);
		tui_draw_cat(left, divert, sizeof left);
	}
	if (tui.in_volume != 0 || tui.out_volume != 0) {
		char	 v[48];

		snprintf(v, sizeof v, "  |  mic %+d dB, spk %+d dB",
		    tui.in_volume, tui.out_volume);
		tui_draw_cat(left, v, sizeof left);
	}
	tui_draw_fill(y, 0, cols, bar);
	tui_draw_text(y, 0, cols - 10, left, bar | A_BOLD);
	/* A muted current call, where the eye goes first. */
	for (n = 0; n < tui.ncalls; n++) {
		const struct tui_call *c = &tui.calls[n];

		if (c->current && c->ended_ms == 0 && c->muted) {
			int	 x = tui_draw_width(left) + 2;

			if (x + 7 < cols - 10)
				tui_draw_text(y, x, 7, " MUTED ",
				    tui_draw_attr(TUI_S_BAD) | A_REVERSE |
				    A_BOLD);
		}
	}
	tui_draw_text(y, cols - 9, 9, clock, bar | A_BOLD);
}

static void
tui_draw_account(int y, int cols, const struct tui_account *a, int namew)
{
	uint64_t	 now = util_now_ms();
	long		 left;
	char		 buf[EVENT_TEXT_MAX + 64], t[32];
	int		 x;

	/* The account dial uses without one named: '*' before its name. */
	if (a->is_default)
		tui_draw_text(y, 0, 1, "*", A_BOLD);
	/* Voicemail, at the right end of the line: bold while messages
	 * wait, dim when only old ones are kept. */
	if (a->mwi_known && (a->mwi.waiting || a->mwi.new_msgs > 0 ||
	    a->mwi.old_msgs > 0)) {
		bool	 news = a->mwi.waiting || a->mwi.new_msgs > 0;
		int	 w;

		snprintf(buf, sizeof buf, "voicemail: %d new, %d old ",
		    a->mwi.new_msgs, a->mwi.old_msgs);
		w = (int)strlen(buf);
		if (w < cols / 2) {
			tui_draw_text(y, cols - w, w, buf, news ?
			    tui_draw_attr(TUI_S_BUSY) | A_BOLD :
			    tui_draw_attr(TUI_S_DIM));
			cols -= w;
		}
	}
	/* Our presence, left of it, when it is not the plain "online"
	 * everyone starts with. */
	if (a->own_known && (a->own != PRESENCE_ONLINE ||
	    a->own_note[0] != '\0')) {
		int	 w;

		snprintf(buf, sizeof buf, "%s%s%s  ",
		    event_presence_state_name(a->own),
		    a->own_note[0] != '\0' ? ": " : "", a->own_note);
		w = tui_draw_width(buf);
		if (w > cols / 3)
			w = cols / 3;
		if (w > 4) {
			tui_draw_text(y, cols - w, w, buf, a->own == PRESENCE_BUSY ?
			    tui_draw_attr(TUI_S_BUSY) : tui_draw_attr(TUI_S_DIM));
			cols -= w;
		}
	}
	tui_draw_text(y, 1, namew, a->name, A_BOLD);
	x = 2 + namew;
	switch (a->state) {
	case REG_REGISTERED:
		x += tui_draw_text(y, x, cols - x, "registered",
		    tui_draw_attr(TUI_S_GOOD));
		if (a->expires > 0) {
			left = a->expires - (long)((now - a->at_ms) / 1000);
			if (left > 0) {
				tui_draw_duration(left, t, sizeof t);
				snprintf(buf, sizeof buf, "  expires in %s", t);
			} else
				snprintf(buf, sizeof buf, "  refreshing");
			tui_draw_text(y, x, cols - x, buf,
			    tui_draw_attr(TUI_S_DIM));
		}
		break;
	case REG_REGISTERING:
		tui_draw_text(y, x, cols - x, "registering...",
		    tui_draw_attr(TUI_S_BUSY));
		break;
	case REG_UNREGISTERED:
		x += tui_draw_text(y, x, cols - x, "unregistered",
		    tui_draw_attr(TUI_S_DIM));
		if (a->reason[0] != '\0' && a->code != 200 && a->code != 0) {
			snprintf(buf, sizeof buf, ": %s", a->reason);
			tui_draw_text(y, x, cols - x, buf,
			    tui_draw_attr(TUI_S_DIM));
		}
		break;
	case REG_FAILED:
		snprintf(buf, sizeof buf, "failed: %s", a->reason[0] != '\0' ?
		    a->reason : "no reason given");
		x += tui_draw_text(y, x, cols - x, buf,
		    tui_draw_attr(TUI_S_BAD));
		if (a->retry_in > 0) {
			left = a->retry_in - (long)((now - a->at_ms) / 1000);
			if (left > 0) {
				tui_draw_duration(left, t, sizeof t);
				snprintf(buf, sizeof buf, "  retry in %s", t);
			} else
				snprintf(buf, sizeof buf, "  retrying");
			tui_draw_text(y, x, cols - x, buf,
			    tui_draw_attr(TUI_S_DIM));
		}
		break;
	}
}

static int
tui_draw_accounts(int y, int cols, int rows)
{
	int	 i, namew = 4, w;

	for (i = 0; i < tui.naccounts; i++) {
		w = tui_draw_width(tui.accounts[i].name);
		if (w > namew)
			namew = w;
	}
	if (namew > cols / 4)
		namew = cols / 4;
	if (tui.naccounts == 0) {
		tui_draw_text(y, 1, cols - 2, "no accounts",
		    tui_draw_attr(TUI_S_DIM));
		return y + 1;
	}
	for (i = 0; i < tui.naccounts && i < rows; i++) {
		if (i == rows - 1 && tui.naccounts > rows) {
			char	 more[32];

			snprintf(more, sizeof more, "... and %d more",
			    tui.naccounts - i);
			tui_draw_text(y + i, 1, cols - 2, more,
			    tui_draw_attr(TUI_S_DIM));
			break;
		}
		tui_draw_account(y + i, cols, &tui.accounts[i], namew);
	}
	return y + (i < rows ? i : rows);
}

/*
 * TEXT cut into pieces of at most WIDTH columns, at blanks: a word goes
 * whole to the next line, and only a word wider than a line is cut.
 * STARTS and LENS get where each piece begins and how many bytes it
 * draws (trailing blanks left out); returns how many, 1 to MAX.
 */
int
tui_draw_wrap_text(const char *text, int width, size_t *starts, size_t *lens,
    int max)
{
	const char	*s = text;
	size_t		 fit, cut, lead, j;
	int		 n = 0;

	do {
		fit = tui_draw_fit(s, width);
		if (fit == 0 && *s != '\0')
			fit = 1;
		cut = fit;
		if (s[fit] != '\0' && s[fit] != ' ') {
			/* The last blank that fits, after the indent. */
			lead = strspn(s, " ");
			for (j = fit; j > lead + 1 && s[j - 1] != ' '; j--)
				;
			if (j > lead + 1)
				cut = j;
		}
		starts[n] = (size_t)(s - text);
		for (j = cut; j > 0 && s[j - 1] == ' '; j--)
			;
		lens[n++] = j > 0 ? j : cut;
		s += cut;
		s += strspn(s, " ");	/* no piece but the first is indented */
	} while (*s != '\0' && n < max);
	return n;
}

#define TUI_DRAW_MAX_SEGS	64	/* a longer line is cut */

/* Where the wrapped pieces of V start and their lengths; how many. */
static int
tui_draw_wrap(const struct tui_draw_line *v, int cols, size_t *starts,
    size_t *lens)
{
	int	 w;

	w = cols - (v->when != NULL ? (int)strlen(v->when) + 1 : 0);
	if (w < 10)
		w = 10;
	return tui_draw_wrap_text(v->text, w, starts, lens, TUI_DRAW_MAX_SEGS);
}

/*
 * Lines from the bottom of the pane up, wrapped to the width, the newest
 * *SCROLL screen lines skipped; *SCROLL is clamped so that the oldest
 * line stops at the top of the pane.
 */
static void
tui_draw_pane(int y, int rows, int cols, struct tui_draw_line *v, int n,
    int *scroll)
{
	size_t	 starts[TUI_DRAW_MAX_SEGS], lens[TUI_DRAW_MAX_SEGS];
	int	 i, k, nseg, skip, row = y + rows - 1, total = 0, tw;

	for (i = 0; i < n && total < *scroll + rows; i++)
		total += tui_draw_wrap(&v[n - 1 - i], cols, starts, lens);
	if (*scroll > total - rows)
		*scroll = total - rows > 0 ? total - rows : 0;
	skip = *scroll;
	for (i = n - 1; i >= 0 && row >= y; i--) {
		tw = v[i].when != NULL ? (int)strlen(v[i].when) + 1 : 0;
		nseg = tui_draw_wrap(&v[i], cols, starts, lens);
		for (k = nseg - 1; k >= 0 && row >= y; k--) {
			if (skip > 0) {
				skip--;
				continue;
			}
			if (k == 0 && tw > 0)
				tui_draw_text(row, 0, tw, v[i].when,
				    tui_draw_attr(TUI_S_DIM));
			tui_draw_ntext(row, tw, cols - tw, v[i].text + starts[k],
			    lens[k], v[i].attr);
			row--;
		}
	}
}

static void
tui_draw_log(int y, int rows, int cols)
{
	struct tui_draw_line	*v;
	const struct tui_line	*l;
	int			 i;

	if (tui.log_count == 0)
		return;
	v = xcalloc((size_t)tui.log_count, sizeof *v);
	for (i = 0; i < tui.log_count; i++) {
		l = tui_model_line(i);
		v[i].text = (char *)l->text;
		v[i].when = l->when;
		v[i].attr = l->kind == TUI_LINE_ERROR ? tui_draw_attr(TUI_S_BAD) :
		    l->kind == TUI_LINE_WARN ? tui_draw_attr(TUI_S_BUSY) :
		    A_NORMAL;
	}
	tui_draw_pane(y, rows, cols, v, tui.log_count, &tui.scroll);
	free(v);
}

/* Which call the trace view is about: the current one, else the last
 * that ended (the one that just failed), else none (every message). */
static const struct tui_call *
tui_draw_trace_call(void)
{
	const struct tui_call	*c = tui_model_current();

	if (c != NULL && c->call_id[0] != '\0')
		return c;
	if (tui.last_ended.id != 0 && tui.last_ended.call_id[0] != '\0')
		return &tui.last_ended;
	return NULL;
}

static void
tui_draw_trace_title(char *buf, size_t len)
{
	const struct tui_call	*c = tui_draw_trace_call();
	char			 name[EVENT_TEXT_MAX], uri[EVENT_TEXT_MAX];
	char			 k[KEY_STRING_MAX];
	const char		*close;

	close = tui_keys_for("trace", k, sizeof k) != NULL ? k : "Esc";
	if (c == NULL) {
		snprintf(buf, len, "SIP trace: every recent message (%s: log)",
		    close);
		return;
	}
	tui_model_party(c->remote, name, sizeof name, uri, sizeof uri);
	snprintf(buf, len, "SIP trace of call %d, %s%s (%s: log)", c->id,
	    name[0] != '\0' ? name : uri, c->ended_ms != 0 ? ", ended" : "",
	    close);
}

static void
tui_draw_trace(int y, int rows, int cols)
{
	const struct tui_call	*c = tui_draw_trace_call();
	struct trace_msg	*m = NULL;
	struct tui_draw_line	*v = NULL;
	char			*p, *nl;
	int			 n, i, nv = 0, cap = 0;

	n = trace_get(c != NULL ? c->call_id : NULL, &m);
	if (n == 0) {
		tui_draw_text(y, 1, cols - 2, trace_enabled() ?
		    "No SIP messages for this call (yet)." :
		    "The SIP trace is not being captured.",
		    tui_draw_attr(TUI_S_DIM));
		return;
	}
	for (i = 0; i < n; i++) {
		for (p = m[i].text; ; p = nl + 1) {
			if (nv + 2 > cap) {
				cap = cap == 0 ? 256 : cap * 2;
				v = xrealloc(v, sizeof *v * (size_t)cap);
			}
			if (p == m[i].text) {
				xasprintf(&v[nv].text, "%s %s %s %s", m[i].when,
				    m[i].sent ? "sent to" : "received from",
				    m[i].peer, tui.utf8 ?
				    "\xe2\x94\x80\xe2\x94\x80" : "--");
				v[nv].when = NULL;
				v[nv++].attr = tui_draw_attr(TUI_S_HEADING);
			}
			if ((nl = strchr(p, '\n')) == NULL) {
				if (*p != '\0') {
					v[nv].text = xstrdup(p);
					v[nv].when = NULL;
					v[nv++].attr = A_NORMAL;
				}
				break;
			}
			v[nv].text = xstrndup(p, (size_t)(nl - p));
			v[nv].when = NULL;
			v[nv++].attr = A_NORMAL;
		}
	}
	tui_draw_pane(y, rows, cols, v, nv, &tui.scroll);
	for (i = 0; i < nv; i++)
		free(v[i].text);
	free(v);
	trace_msgs_free(m, n);
}

static void
tui_draw_input(int y, int cols)
{
	char	 buf[EVENT_TEXT_MAX + 64];
	int	 n;

	if (tui.prompt.active) {
		curs_set(1);
		tui_prompt_draw(y, cols);
		return;
	}
	curs_set(0);
	if (tui.confirm_quit) {
		n = tui_model_live_calls();
		snprintf(buf, sizeof buf, "%d call%s up: hang up and quit? "
		    "(y/n)", n, n == 1 ? " is" : "s are");
		tui_draw_text(y, 0, cols, buf, tui_draw_attr(TUI_S_BAD));
		return;
	}
	if (tui.message[0] != '\0')
		tui_draw_text(y, 0, cols, tui.message, tui.message_error ?
		    tui_draw_attr(TUI_S_BAD) : A_NORMAL);
}

/* The help overlay's lines, built once per draw. */
struct tui_draw_help {
	char	**v;
	int	  n;
	int	  cap;
};

static void
tui_draw_help_add(struct tui_draw_help *h, char *line)
{
	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 64 : h->cap * 2;
		h->v = xrealloc(h->v, sizeof *h->v * (size_t)h->cap);
	}
	h->v[h->n++] = line;
}

/* "  LEFT  text", TEXT wrapped at blanks to WIDTH columns. */
static void
tui_draw_help_entry(struct tui_draw_help *h, const char *left, int lw,
    const char *text, int width)
{
	const char	*p = text, *end, *cut;
	char		 first[64];
	int		 w = width - lw - 3;

	snprintf(first, sizeof first, "  %-*s ", lw, left);
	if (w < 20)
		w = 20;
	do {
		end = p + tui_draw_fit(p, w);
		cut = end;
		if (*end != '\0') {
			while (cut > p && *cut != ' ')
				cut--;
			if (cut == p)
				cut = end;
		}
		tui_draw_help_add(h, NULL);
		xasprintf(&h->v[h->n - 1], "%-*s%.*s", lw + 3,
		    p == text ? first : "", (int)(cut - p), p);
		p = cut;
		while (*p == ' ')
			p++;
	} while (*p != '\0');
}

/* The help overlay: the key table, then the commands, from cmd.c. */
static void
tui_draw_help(int rows, int cols)
{
	const struct cmd_entry	*ce;
	struct tui_draw_help	 hl = { NULL, 0, 0 };
	char			 k[KEY_STRING_MAX], usage[96];
	const char		*l;
	attr_t			 a;
	int			 i, nc, w, h, x0, y0, top, body;

	w = cols - 4 < 100 ? cols - 4 : 100;
	tui_draw_help_add(&hl, xstrdup("Keys"));
	for (i = 0; i < tui.nbindings; i++) {
		key_string_name(tui.bindings[i].key, k, sizeof k);
		tui_draw_help_entry(&hl, k, 8, tui.bindings[i].ce->help, w - 4);
	}
	tui_draw_help_entry(&hl, "0-9 * #", 8, "send DTMF during a call; with "
	    "no call, start a number to dial", w - 4);
	tui_draw_help_entry(&hl, "Esc", 8, "close the SIP trace, cancel the "
	    "prompt or a question", w - 4);
	tui_draw_help_add(&hl, xstrdup(""));
	tui_draw_help_add(&hl, xstrdup("Commands (type : first; Tab "
	    "completes, Up/Down recall)"));
	ce = cmd_table(&nc);
	for (i = 0; i < nc; i++) {
		snprintf(usage, sizeof usage, "%s%s%s", ce[i].name,
		    ce[i].args[0] != '\0' ? " " : "", ce[i].args);
		tui_draw_help_entry(&hl, usage, 20, ce[i].help, w - 4);
	}

	h = rows - 2 < hl.n + 3 ? rows - 2 : hl.n + 3;
	x0 = (cols - w) / 2;
	y0 = (rows - h) / 2;
	body = h - 3;
	if (tui.help_scroll > hl.n - body)
		tui.help_scroll = hl.n - body;
	if (tui.help_scroll < 0)
		tui.help_scroll = 0;
	top = tui.help_scroll;

	for (i = 0; i < h; i++)
		tui_draw_fill(y0 + i, x0, w, A_NORMAL);
	a = tui_draw_attr(TUI_S_HEADING);
	mvhline(y0, x0 + 1, ACS_HLINE | a, w - 2);
	mvhline(y0 + h - 1, x0 + 1, ACS_HLINE | a, w - 2);
	mvvline(y0 + 1, x0, ACS_VLINE | a, h - 2);
	mvvline(y0 + 1, x0 + w - 1, ACS_VLINE | a, h - 2);
	mvaddch(y0, x0, ACS_ULCORNER | a);
	mvaddch(y0, x0 + w - 1, ACS_URCORNER | a);
	mvaddch(y0 + h - 1, x0, ACS_LLCORNER | a);
	mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER | a);
	tui_draw_text(y0, x0 + 2, w - 4, " tsphone help ",
	    tui_draw_attr(TUI_S_HEADING));
	for (i = 0; i < body && top + i < hl.n; i++) {
		l = hl.v[top + i];
		tui_draw_text(y0 + 1 + i, x0 + 2, w - 4, l, l[0] != ' ' ?
		    tui_draw_attr(TUI_S_HEADING) : A_NORMAL);
	}
	tui_draw_text(y0 + h - 2, x0 + 2, w - 4, top + body < hl.n ?
	    "Down, PageDown: more; any other key closes" :
	    "Any key closes this help", tui_draw_attr(TUI_S_DIM));
	for (i = 0; i < hl.n; i++)
		free(hl.v[i]);
	free(hl.v);
}

void
tui_draw(void)
{
	char	 title[EVENT_TEXT_MAX + 64];
	int	 rows = LINES, cols = COLS, y = 0, acc, calls, fixed = 5;

	erase();
	tui.rows = rows;
	if (rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS) {
		tui_draw_text(0, 0, cols, "tsphone: the terminal is too small",
		    A_BOLD);
		curs_set(0);
		refresh();
		return;
	}
	acc = tui.naccounts > 0 ? tui.naccounts : 1;
	if (acc > (rows - fixed) / 5)
		acc = (rows - fixed) / 5 > 0 ? (rows - fixed) / 5 : 1;
	calls = tui.ncalls > 0 ? tui.ncalls : 1;
	if (calls > (rows - fixed - acc) / 2)
		calls = (rows - fixed - acc) / 2;

	tui_draw_title(y++, cols);
	y = tui_draw_accounts(y, cols, acc);
	tui_draw_rule(y++, cols, "Calls");
	y = tui_calls_draw(y, cols, calls);
	if (tui.view == TUI_VIEW_TRACE)
		tui_draw_trace_title(title, sizeof title);
	else if (tui.view == TUI_VIEW_HISTORY)
		tui_history_title(title, sizeof title);
	else if (tui.view == TUI_VIEW_MESSAGES)
		tui_messages_title(title, sizeof title);
	else
		snprintf(title, sizeof title, "Log%s", tui.scroll > 0 ?
		    " (scrolled back)" : "");
	tui_draw_rule(y++, cols, title);
	tui.pane_rows = rows - 2 - y - tui_hints_extra();
	if (tui.view == TUI_VIEW_TRACE)
		tui_draw_trace(y, tui.pane_rows, cols);
	else if (tui.view == TUI_VIEW_HISTORY)
		tui_history_draw(y, tui.pane_rows, cols);
	else if (tui.view == TUI_VIEW_MESSAGES)
		tui_messages_draw(y, tui.pane_rows, cols);
	else
		tui_draw_log(y, tui.pane_rows, cols);
	tui_hints_draw(rows - 2, cols);
	if (tui.help)
		tui_draw_help(rows, cols);
	tui_draw_input(rows - 1, cols);
	refresh();
}
