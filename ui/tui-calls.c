/*
 * tui-calls.c: the call list, one row per call, in columns that line up
 * from row to row whatever the remote parties are called:
 *
 *   > 12 ← Carol <sip:carol@example.com>   work  established  3:07  MUTE  opus
 *   mark, id, direction, party (the contact's name, else the name it gave,
 *   the remote's presence when it is watched, and its URI; cut with an
 *   ellipsis), account (when there are several),
 *   state, timer, flags, codec, RTCP quality
 *
 * The mark is '>' on the current call and '+' on the call in a conference
 * with it (both have the audio); both say CONF among the flags.
 *
 * The columns are laid out once per draw over every row, so a flag on one
 * call moves the codec column of all of them, never the state or timer.
 * The timer runs from the answer, and before it from when the call rang
 * in or was dialled. An ended call keeps its row, dimmed, with how long it
 * lasted and why it ended, until the user clears it (tui-model.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "key-string.h"
#include "tui-int.h"
#include "util.h"

#define TUI_CALLS_STATE_W	11	/* "early media", "established" */
#define TUI_CALLS_ACCOUNT_MAX	12
#define TUI_CALLS_GAP		2
#define TUI_CALLS_QUALITY_COLS	100	/* the narrowest screen showing it */
#define TUI_CALLS_METERS_W	27	/* "mic ######## spk ########  " */
#define TUI_CALLS_WHY_MAX	30	/* columns kept for why a call ended */

/* The words and looks of a call's state. */
const char *
tui_calls_state(const struct tui_call *c, enum tui_style *style)
{
	*style = TUI_S_NORMAL;
	if (c->ended_ms != 0 || c->state == CALL_TERMINATED) {
		*style = TUI_S_DIM;
		if (c->outcome == CALL_OUTCOME_MISSED) {
			*style = TUI_S_BAD;	/* until seen */
			return "missed";
		}
		if (c->outcome == CALL_OUTCOME_REJECTED)
			return "rejected";
		/* We send the final answer to a call that rings in: 486
		 * or 603 is our reject, anything else (487: the caller
		 * gave up) a call nobody took. */
		if (!c->outgoing && c->answered_ms == 0)
			return c->code == 486 || c->code == 603 ? "rejected" :
			    "missed";
		return "ended";
	}
	switch (c->state) {
	case CALL_INCOMING:
		*style = TUI_S_RING;
		return "incoming";
	case CALL_CALLING:
		*style = TUI_S_BUSY;
		return "calling";
	case CALL_RINGING:
		*style = TUI_S_BUSY;
		return "ringing";
	case CALL_EARLY:
		*style = TUI_S_BUSY;
		return "early media";
	case CALL_ESTABLISHED:
		*style = TUI_S_GOOD;
		return "established";
	case CALL_HELD:
		*style = TUI_S_BUSY;
		return "on hold";
	case CALL_TERMINATED:
		break;
	}
	return "?";
}

static void
tui_calls_cat(char *buf, const char *s, size_t len)
{
	size_t	 n = strlen(buf);

	if (n < len)
		util_strlcpy(buf + n, s, len - n);
}

/*
 * HOLD is our hold, HELD-BY-REMOTE the other end's: two different words,
 * so "we hold" and "they hold" are never read one for the other.
 */
void
tui_calls_flags(const struct tui_call *c, char *buf, size_t len)
{
	size_t	 n;

	*buf = '\0';
	if (c->ended_ms == 0) {
		if (c->state == CALL_HELD)
			tui_calls_cat(buf, "HOLD ", len);
		if (c->held_by_remote)
			tui_calls_cat(buf, "HELD-BY-REMOTE ", len);
		if (c->conference)
			tui_calls_cat(buf, "CONF ", len);
		if (c->muted)
			tui_calls_cat(buf, "MUTE ", len);
		if (c->recording)
			tui_calls_cat(buf, "REC ", len);
		/* Our transfer of it, one asked of us, or whom it replaces. */
		if (c->transfer == TRANSFER_TRYING ||
		    c->transfer == TRANSFER_RINGING)
			tui_calls_cat(buf, c->transfer == TRANSFER_TRYING ?
			    "XFER-TRYING " : "XFER-RINGING ", len);
		else if (c->transfer == TRANSFER_FAILED)
			tui_calls_cat(buf, "XFER-FAILED ", len);
		if (c->refer_to[0] != '\0')
			tui_calls_cat(buf, "XFER? ", len);
		if (c->replaces != 0) {
			char	 r[32];

			snprintf(r, sizeof r, "REPLACES-%d ", c->replaces);
			tui_calls_cat(buf, r, len);
		}
	}
	if (c->srtp)
		tui_calls_cat(buf, "SRTP ", len);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

/* The timer: since the answer, or since it rang; frozen when it ends. */
long
tui_calls_secs(const struct tui_call *c, uint64_t now)
{
	uint64_t	 from = c->answered_ms != 0 ? c->answered_ms :
			    c->started_ms;
	uint64_t	 to = c->ended_ms != 0 ? c->ended_ms : now;

	if (from == 0 || to < from)
		return 0;
	return (long)((to - from) / 1000);
}

static void
tui_calls_quality(const struct tui_call *c, char *buf, size_t len)
{
	double	 lost, expected;
	int	 n;

	*buf = '\0';
	if (!c->have_stats || c->ended_ms != 0)
		return;
	/* Lost over expected, as RTCP reports it. */
	lost = c->lost > 0 ? (double)c->lost : 0;
	expected = (double)c->rx_packets + lost;
	n = 0;
	if (c->rtt_ms >= 0)
		n = snprintf(buf, len, "rtt %.0fms ", c->rtt_ms);
	if (n < 0 || (size_t)n >= len)
		n = 0;
	snprintf(buf + n, len - (size_t)n, "loss %.1f%% jit %.0fms MOS %.1f",
	    expected > 0 ? 100 * lost / expected : 0, c->jitter_ms, c->mos);
}

/*
 * A level meter: eight steps from -60 to 0 dBFS, one every 7.5 dB, so
 * speech at a normal level (-30 to -15) lights about half of it.
 */
#define TUI_METER_STEPS	8

void
tui_calls_meter(float dbfs, char *buf, size_t len)
{
	static const char *const blocks[] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	int	 lit, i;

	lit = dbfs <= -60 ? 0 : dbfs >= 0 ? TUI_METER_STEPS :
	    (int)((dbfs + 60) / (60.0 / TUI_METER_STEPS)) + 1;
	if (lit > TUI_METER_STEPS)
		lit = TUI_METER_STEPS;
	*buf = '\0';
	for (i = 0; i < TUI_METER_STEPS; i++) {
		if (tui.utf8)
			tui_calls_cat(buf, i < lit ? blocks[i] : " ", len);
		else
			tui_calls_cat(buf, i < lit ? "|" : ".", len);
	}
}

static void
tui_calls_why(const struct tui_call *c, char *buf, size_t len)
{
	if (c->code > 0)
		snprintf(buf, len, "%d %s", c->code, c->reason);
	else
		snprintf(buf, len, "%s", c->reason);
}

static int
tui_calls_max(int a, int b)
{
	return a > b ? a : b;
}

/*
 * Columns for the N calls of V on a screen COLS wide. Everything right of
 * the party has the width its widest row needs; the party takes the rest,
 * so the columns are where they are whatever the parties are called.
 * When that leaves the party fewer than TUI_CALLS_PARTY_MIN columns, the
 * quality goes first, then the codec, then why calls ended and the
 * account narrow.
 */
void
tui_calls_layout(int cols, const struct tui_call *v, int n, int naccounts,
    struct tui_calls_cols *l)
{
	char	 buf[EVENT_TEXT_MAX + 16];
	int	 i, right, tail, why = 0, flagsw, x;

	memset(l, 0, sizeof *l);
	l->idw = 2;
	l->statew = TUI_CALLS_STATE_W;
	l->timerw = 5;			/* mm:ss */
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%d", v[i].id);
		l->idw = tui_calls_max(l->idw, (int)strlen(buf));
		tui_draw_duration(tui_calls_secs(&v[i], util_now_ms()), buf,
		    sizeof buf);
		l->timerw = tui_calls_max(l->timerw, (int)strlen(buf));
		tui_calls_flags(&v[i], buf, sizeof buf);
		l->flagsw = tui_calls_max(l->flagsw, tui_draw_width(buf));
		if (v[i].ended_ms == 0)
			l->codecw = tui_calls_max(l->codecw,
			    tui_draw_width(v[i].codec));
		tui_calls_quality(&v[i], buf, sizeof buf);
		l->qualityw = tui_calls_max(l->qualityw, tui_draw_width(buf));
		if (naccounts > 1)
			l->accountw = tui_calls_max(l->accountw,
			    tui_draw_width(v[i].account));
		if (v[i].ended_ms != 0) {
			tui_calls_why(&v[i], buf, sizeof buf);
			why = tui_calls_max(why, tui_draw_width(buf));
		}
	}
	if (l->accountw > TUI_CALLS_ACCOUNT_MAX)
		l->accountw = TUI_CALLS_ACCOUNT_MAX;
	/* The quality only on a wide screen: at 80 columns the party
	 * needs the room more. */
	if (cols < TUI_CALLS_QUALITY_COLS)
		l->qualityw = 0;
	if (why > TUI_CALLS_WHY_MAX)
		why = TUI_CALLS_WHY_MAX;
	/* "> 12 ← ": the arrow is two columns without UTF-8. */
	l->party = 1 + l->idw + (tui.utf8 ? 3 : 4);
	flagsw = l->flagsw;
	for (;;) {
		l->flagsw = flagsw;
		/* Why an ended call ended is written across the flags,
		 * codec and quality columns: they make room for it. */
		tail = (l->flagsw > 0 ? TUI_CALLS_GAP + l->flagsw : 0) +
		    (l->codecw > 0 ? TUI_CALLS_GAP + l->codecw : 0) +
		    (l->qualityw > 0 ? TUI_CALLS_GAP + l->qualityw : 0);
		if (why > 0 && tail < TUI_CALLS_GAP + why) {
			l->flagsw += TUI_CALLS_GAP + why - tail -
			    (l->flagsw > 0 ? 0 : TUI_CALLS_GAP);
			tail = TUI_CALLS_GAP + why;
		}
		right = (l->accountw > 0 ? l->accountw + TUI_CALLS_GAP : 0) +
		    l->statew + 1 + l->timerw + tail;
		l->partyw = cols - 1 - l->party - TUI_CALLS_GAP - right;
		if (l->partyw >= TUI_CALLS_PARTY_MIN)
			break;
		if (l->qualityw > 0)
			l->qualityw = 0;
		else if (l->codecw > 0)
			l->codecw = 0;
		else if (why > 12)
			why = 12;
		else if (l->accountw > 6)
			l->accountw = 6;
		else
			break;
	}
	if (l->partyw < TUI_CALLS_PARTY_MIN)
		l->partyw = TUI_CALLS_PARTY_MIN;
	x = l->party + l->partyw + TUI_CALLS_GAP;
	if (l->accountw > 0) {
		l->account = x;
		x += l->accountw + TUI_CALLS_GAP;
	}
	l->state = x;
	x += l->statew + 1;
	l->timer = x;
	x += l->timerw;
	l->flags = x + TUI_CALLS_GAP;
	if (l->flagsw > 0)
		x += TUI_CALLS_GAP + l->flagsw;
	l->codec = x + TUI_CALLS_GAP;
	if (l->codecw > 0)
		x += TUI_CALLS_GAP + l->codecw;
	l->quality = x + TUI_CALLS_GAP;
}

/* S in WIDTH columns, its end replaced by an ellipsis when cut. */
void
tui_calls_cut(const char *s, int width, char *buf, size_t len)
{
	const char	*dots = tui.utf8 ? "\xe2\x80\xa6" : "~";
	size_t		 n;

	if (width <= 0) {
		*buf = '\0';
		return;
	}
	if (tui_draw_width(s) <= width) {
		util_strlcpy(buf, s, len);
		return;
	}
	n = tui_draw_fit(s, width - 1);
	if (n + strlen(dots) + 1 > len)
		n = len - strlen(dots) - 1;
	memcpy(buf, s, n);
	memcpy(buf + n, dots, strlen(dots) + 1);
}

/* '>' for the current call, '+' for the one in a conference with it. */
char
tui_calls_mark(const struct tui_call *c)
{
	const struct tui_call	*cur;

	if (c->ended_ms != 0)
		return ' ';
	if (c->current)
		return '>';
	cur = tui_model_current();
	return c->conference && cur != NULL && cur->conference ? '+' : ' ';
}

static void
tui_calls_row(int y, int cols, const struct tui_call *c,
    const struct tui_calls_cols *l)
{
	char		 name[EVENT_TEXT_MAX], uri[EVENT_TEXT_MAX];
	char		 party[2 * EVENT_TEXT_MAX + 4], cut[2 * EVENT_TEXT_MAX + 8];
	char		 head[32], timer[32], buf[EVENT_TEXT_MAX + 16], st[16];
	const struct tui_presence *pr;
	const char	*state;
	enum tui_style	 style;
	attr_t		 row = A_NORMAL, a;
	const char	*p;
	int		 w, x;

	state = tui_calls_state(c, &style);
	if (c->ended_ms == 0 && c->state == CALL_INCOMING)
		row = tui_draw_attr(TUI_S_RING);
	else if (c->current && c->ended_ms == 0)
		row = tui_draw_attr(TUI_S_CURRENT);
	else if (c->ended_ms != 0)
		row = tui_draw_attr(TUI_S_DIM);
	/* The state keeps its colour on a plain row; on a highlighted one
	 * the row's look wins, so the highlight reads as one bar. */
	a = row == A_NORMAL ? tui_draw_attr(style) : row;
	tui_draw_fill(y, 0, cols, row);

	snprintf(head, sizeof head, "%c%*d %s ", tui_calls_mark(c),
	    l->idw, c->id, c->outgoing ?
	    (tui.utf8 ? "\xe2\x86\x92" : "->") : (tui.utf8 ? "\xe2\x86\x90" :
	    "<-"));
	tui_draw_text(y, 0, l->party, head, row | A_BOLD);
	tui_model_call_party(c, name, sizeof name, uri, sizeof uri);
	/* A watched remote's state, after its name: "Bob (busy) <sip:...>". */
	pr = c->ended_ms == 0 ? tui_model_presence(c->remote) : NULL;
	if (pr != NULL)
		snprintf(st, sizeof st, " (%s)",
		    event_presence_state_name(pr->state));
	else
		st[0] = '\0';
	if (name[0] != '\0')
		snprintf(party, sizeof party, "%s%s <%s>", name, st, uri);
	else
		snprintf(party, sizeof party, "%s%s", uri, st);
	tui_calls_cut(party, l->partyw, cut, sizeof cut);
	tui_draw_text(y, l->party, l->partyw, cut, row);
	if (l->accountw > 0) {
		tui_calls_cut(c->account, l->accountw, cut, sizeof cut);
		tui_draw_text(y, l->account, l->accountw, cut,
		    row == A_NORMAL ? tui_draw_attr(TUI_S_DIM) : row);
	}
	tui_draw_text(y, l->state, cols - l->state, state, a);
	tui_draw_duration(tui_calls_secs(c, util_now_ms()), timer,
	    sizeof timer);
	w = tui_draw_width(timer);
	tui_draw_text(y, l->timer + l->timerw - w, cols - l->timer, timer, row);
	if (c->ended_ms != 0) {
		/* Why it ended, across the flags and codec columns. */
		tui_calls_why(c, buf, sizeof buf);
		tui_calls_cut(buf, cols - 1 - l->flags, cut, sizeof cut);
		tui_draw_text(y, l->flags, cols - 1 - l->flags, cut, row);
		return;
	}
	tui_calls_flags(c, buf, sizeof buf);
	tui_draw_text(y, l->flags, l->flagsw, buf, row);
	/* Muted is what people forget: it stands out on any row. */
	if ((p = strstr(buf, "MUTE")) != NULL)
		tui_draw_text(y, l->flags + (int)(p - buf), 4, "MUTE",
		    tui_draw_attr(TUI_S_BAD) | A_REVERSE | A_BOLD);
	if (l->codecw > 0)
		tui_draw_text(y, l->codec, l->codecw, c->codec, row);
	x = l->quality;
	if (c->current && c->state == CALL_ESTABLISHED &&
	    x + TUI_CALLS_METERS_W < cols) {
		char	 mic[64], spk[64];

		tui_calls_meter(tui.mic_dbfs, mic, sizeof mic);
		tui_calls_meter(tui.spk_dbfs, spk, sizeof spk);
		snprintf(buf, sizeof buf, "mic %s spk %s", mic, spk);
		tui_draw_text(y, x, cols - 1 - x, buf, row);
		x += TUI_CALLS_METERS_W;
	}
	if (l->qualityw > 0) {
		tui_calls_quality(c, buf, sizeof buf);
		tui_draw_text(y, x, cols - 1 - x, buf, row);
	}
}

/* The call list in ROWS lines from Y; returns the line after it. */
int
tui_calls_draw(int y, int cols, int rows)
{
	struct tui_calls_cols	 l;
	char			 hint[256], d[KEY_STRING_MAX], h[KEY_STRING_MAX];
	int			 i, first = 0, focus = -1;

	if (tui.ncalls == 0) {
		bool	 dial = tui_keys_for("dial", d, sizeof d) != NULL;

		snprintf(hint, sizeof hint, " No calls. Type a number%s%s to "
		    "dial; %s shows the keys.", dial ? " or press " : "",
		    dial ? d : "",
		    tui_keys_for("help", h, sizeof h) != NULL ? h : ":help");
		tui_draw_text(y, 0, cols, hint, tui_draw_attr(TUI_S_DIM));
		return y + 1;
	}
	/* The current call in view, else one ringing, else the newest. */
	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].current && tui.calls[i].ended_ms == 0)
			focus = i;
	}
	for (i = 0; i < tui.ncalls && focus == -1; i++) {
		if (tui.calls[i].state == CALL_INCOMING &&
		    tui.calls[i].ended_ms == 0)
			focus = i;
	}
	if (focus == -1)
		focus = tui.ncalls - 1;
	if (focus >= rows)
		first = focus - rows + 1;
	tui_calls_layout(cols, tui.calls + first, tui.ncalls - first <
	    rows ? tui.ncalls - first : rows, tui.naccounts, &l);
	for (i = first; i < tui.ncalls && i - first < rows; i++)
		tui_calls_row(y + i - first, cols, &tui.calls[i], &l);
	return y + (i - first);
}
