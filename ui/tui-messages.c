/*
 * tui-messages.c: the messages view, in place of the log pane: the
 * conversations (one line a peer, the latest first, with its unread
 * count and the start of its last text), and one conversation opened
 * from them (its messages, the newest at the bottom, ours with their
 * state: sending, sent, or failed and why). Opening a conversation is
 * reading it: its messages stop counting on the title line. Enter in a
 * conversation opens the prompt with a reply to it, which goes through
 * the command table like every other action.
 *
 * Everything shown is read from the store a screenful at a time
 * (messages-store.h), as the history view does: nothing is copied here
 * but the peer of the open conversation.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "key-string.h"
#include "messages-store.h"
#include "tui-int.h"
#include "util.h"

/* Lines one message may take in a conversation, at most. */
#define TUI_MESSAGES_LINES	64

/* The conversation with PEER (NULL: the list of them). */
void
tui_messages_open(const char *peer)
{
	tui.view = TUI_VIEW_MESSAGES;
	tui.msg_scroll = 0;
	if (peer == NULL) {
		tui.msg_peer[0] = '\0';
	} else {
		util_strlcpy(tui.msg_peer, peer, sizeof tui.msg_peer);
		messages_store_read(peer);
	}
	tui_changed();
}

/* Open the view, or close it when open. */
void
tui_messages_toggle(void)
{
	if (tui.view == TUI_VIEW_MESSAGES) {
		tui.view = TUI_VIEW_LOG;
		tui.scroll = 0;
		tui_changed();
		return;
	}
	tui.msg_sel = 0;
	tui.msg_top = 0;
	tui_messages_open(NULL);
}

/* A message event: the bell for a new one; read at once if its
 * conversation is open. */
void
tui_messages_event(const struct event_message *m)
{
	char	 peer[EVENT_TEXT_MAX];

	if (m->stored)
		return;
	if (m->state == MESSAGE_RECEIVED) {
		messages_store_key(m->peer, peer, sizeof peer);
		if (tui.view == TUI_VIEW_MESSAGES &&
		    strcmp(peer, tui.msg_peer) == 0)
			messages_store_read(peer);
		else
			beep();
	}
	tui_changed();
}

/* The reply prompt for the open conversation, from the account of its
 * newest message when there are several accounts. */
static void
tui_messages_reply(void)
{
	struct event_message	*m = xcalloc(1, sizeof *m);
	char			 line[EVENT_TEXT_MAX + EVENT_NAME_MAX + 32];
	char			*cause = NULL;

	if (tui.naccounts > 1 &&
	    messages_store_list(tui.msg_peer, 0, 1, m, &cause) == 1 &&
	    m->account[0] != '\0')
		snprintf(line, sizeof line, "message -a %s %s ", m->account,
		    tui.msg_peer);
	else
		snprintf(line, sizeof line, "message %s ", tui.msg_peer);
	free(cause);
	free(m);
	tui_prompt_open(line);
}

/* The keys that move in the view, open and answer; false: not ours. */
bool
tui_messages_key(int key)
{
	struct messages_peer	 p;
	long long		 n, page;
	char			*cause = NULL;

	page = tui.pane_rows > 1 ? tui.pane_rows - 1 : 1;
	if (tui.msg_peer[0] != '\0') {
		/* A conversation: scroll, reply, back to the list. */
		switch (key) {
		case KEYC_UP:
			tui.msg_scroll++;
			break;
		case KEYC_DOWN:
			tui.msg_scroll--;
			break;
		case KEYC_PPAGE:
			tui.msg_scroll += page;
			break;
		case KEYC_NPAGE:
			tui.msg_scroll -= page;
			break;
		case KEYC_END:
			tui.msg_scroll = 0;
			break;
		case KEYC_ENTER:
			tui_messages_reply();
			return true;
		case KEYC_ESCAPE:
		case KEYC_LEFT:
		case KEYC_BSPACE:
			tui_messages_open(NULL);
			return true;
		default:
			return false;
		}
		if (tui.msg_scroll < 0)
			tui.msg_scroll = 0;
		tui_changed();
		return true;
	}
	n = messages_store_npeers();
	switch (key) {
	case KEYC_UP:
		tui.msg_sel--;
		break;
	case KEYC_DOWN:
		tui.msg_sel++;
		break;
	case KEYC_PPAGE:
		tui.msg_sel -= page;
		break;
	case KEYC_NPAGE:
		tui.msg_sel += page;
		break;
	case KEYC_HOME:
		tui.msg_sel = 0;
		break;
	case KEYC_END:
		tui.msg_sel = n - 1;
		break;
	case KEYC_ENTER:
	case KEYC_RIGHT:
		if (messages_store_peers(tui.msg_sel, 1, &p, &cause) != 1) {
			tui_message(true, "messages: %s", cause != NULL ?
			    cause : "no conversation yet");
			free(cause);
			return true;
		}
		tui_messages_open(p.peer);
		return true;
	default:
		return false;
	}
	if (tui.msg_sel >= n)
		tui.msg_sel = n - 1;
	if (tui.msg_sel < 0)
		tui.msg_sel = 0;
	tui_changed();
	return true;
}

void
tui_messages_title(char *buf, size_t len)
{
	char		 k[KEY_STRING_MAX];
	const char	*close;
	long long	 n;

	close = tui_keys_for("messages", k, sizeof k) != NULL ? k : "Esc";
	if (tui.msg_peer[0] != '\0') {
		n = messages_store_count(tui.msg_peer);
		snprintf(buf, len, "Messages with %s: %lld (Enter: reply, "
		    "Esc: conversations)", tui.msg_peer, n);
		return;
	}
	n = messages_store_npeers();
	snprintf(buf, len, "Messages: %lld conversation%s (Enter: open, %s: "
	    "log)", n, n == 1 ? "" : "s", close);
}

/* "14:30" today, else "2026-12-05 14:30". */
static void
tui_messages_when(time_t t, char *buf, size_t len)
{
	struct tm	 tm, now;
	time_t		 n = time(NULL);

	localtime_r(&t, &tm);
	localtime_r(&n, &now);
	if (tm.tm_year == now.tm_year && tm.tm_yday == now.tm_yday)
		strftime(buf, len, "%H:%M", &tm);
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* TEXT for the screen: control characters (line ends, escapes) as
 * blanks, so that a message can neither break the layout nor drive the
 * terminal. */
static void
tui_messages_flat(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}

static void
tui_messages_draw_peers(int y, int rows, int cols)
{
	struct messages_peer	*v;
	char			 line[EVENT_TEXT_MAX * 2 + 256], when[32];
	char			 name[EVENT_TEXT_MAX + 8], unread[24];
	char			*cause = NULL;
	attr_t			 a;
	int			 n, i;

	if (tui.msg_sel < tui.msg_top)
		tui.msg_top = tui.msg_sel;
	if (tui.msg_sel >= tui.msg_top + rows)
		tui.msg_top = tui.msg_sel - rows + 1;
	v = xcalloc((size_t)rows, sizeof *v);
	if ((n = messages_store_peers(tui.msg_top, rows, v, &cause)) < 0) {
		tui_draw_text(y, 1, cols - 2, cause, tui_draw_attr(TUI_S_BAD));
		free(cause);
		free(v);
		return;
	}
	if (n == 0)
		tui_draw_text(y, 1, cols - 2, "No messages yet (:message "
		    "TARGET TEXT sends one).", tui_draw_attr(TUI_S_DIM));
	for (i = 0; i < n; i++) {
		tui_messages_when(v[i].time, when, sizeof when);
		if (v[i].display[0] != '\0')
			snprintf(name, sizeof name, "%s <%s>", v[i].display,
			    v[i].peer);
		else
			snprintf(name, sizeof name, "%s", v[i].peer);
		snprintf(unread, sizeof unread, v[i].unread > 0 ?
		    "%d new" : "", v[i].unread);
		tui_messages_flat(v[i].preview);
		snprintf(line, sizeof line, " %-7s %16s  %s  %s %s", unread,
		    when, name, v[i].outgoing ? "<" : ">", v[i].preview);
		a = v[i].unread > 0 ? A_BOLD : A_NORMAL;
		if (v[i].outgoing && v[i].state == MESSAGE_FAILED)
			a |= tui_draw_attr(TUI_S_BAD);
		if (tui.msg_top + i == tui.msg_sel) {
			a |= A_REVERSE;
			tui_draw_fill(y + i, 0, cols, a);
		}
		tui_draw_text(y + i, 0, cols, line, a);
	}
	free(v);
}

/*
 * One message as screen lines: "14:30 > text" (theirs) or "14:30 < text"
 * (ours), wrapped under its text; ours that did not go say so after it.
 * Returns the lines it takes; drawn only when DRAW, from row Y.
 */
static int
tui_messages_draw_one(const struct event_message *m, int y, int top,
    int bottom, int cols, bool draw)
{
	size_t		 starts[TUI_MESSAGES_LINES], lens[TUI_MESSAGES_LINES];
	char		*text, when[32], head[48], state[EVENT_TEXT_MAX + 16];
	int		 n, i, hw, w;
	attr_t		 a = A_NORMAL;

	tui_messages_when(m->time, when, sizeof when);
	snprintf(head, sizeof head, " %s %s ", when, m->outgoing ? "<" : ">");
	hw = tui_draw_width(head);
	w = cols - hw - 1 > 8 ? cols - hw - 1 : 8;
	text = xstrdup(m->text);
	tui_messages_flat(text);
	n = tui_draw_wrap_text(text, w, starts, lens, TUI_MESSAGES_LINES);
	state[0] = '\0';
	if (m->outgoing && m->state == MESSAGE_FAILED) {
		snprintf(state, sizeof state, "   not sent: %s", m->reason);
		a = tui_draw_attr(TUI_S_BAD);
	} else if (m->outgoing && m->state == MESSAGE_SENDING)
		snprintf(state, sizeof state, "   sending...");
	else if (!m->outgoing && m->state == MESSAGE_FAILED)
		snprintf(state, sizeof state, "   refused: %s", m->reason);
	if (draw) {
		for (i = 0; i < n; i++) {
			if (y + i < top || y + i >= bottom)
				continue;
			if (i == 0)
				tui_draw_text(y, 0, hw, head, m->outgoing ?
				    tui_draw_attr(TUI_S_DIM) : A_BOLD);
			text[starts[i] + lens[i]] = '\0';
			tui_draw_text(y + i, hw, w, text + starts[i],
			    m->outgoing ? A_NORMAL : A_BOLD);
		}
		if (state[0] != '\0' && y + n >= top && y + n < bottom)
			tui_draw_text(y + n, hw, w, state, a |
			    tui_draw_attr(TUI_S_DIM));
	}
	free(text);
	return n + (state[0] != '\0');
}

static void
tui_messages_draw_talk(int y, int rows, int cols)
{
	struct event_message	*v;
	char			*cause = NULL;
	int			 n, i, row, h;

	/* A screenful of messages is enough: each takes a line or more. */
	v = xcalloc((size_t)rows, sizeof *v);
	n = messages_store_list(tui.msg_peer, tui.msg_scroll, rows, v,
	    &cause);
	if (n < 0) {
		tui_draw_text(y, 1, cols - 2, cause, tui_draw_attr(TUI_S_BAD));
		free(cause);
		free(v);
		return;
	}
	if (n == 0 && tui.msg_scroll > 0) {
		tui.msg_scroll--;
		free(v);
		return;
	}
	/* From the bottom up, the newest last. */
	row = y + rows;
	for (i = 0; i < n && row > y; i++) {
		h = tui_messages_draw_one(&v[i], 0, 0, 0, cols, false);
		row -= h;
		tui_messages_draw_one(&v[i], row, y, y + rows, cols, true);
	}
	free(v);
}

void
tui_messages_draw(int y, int rows, int cols)
{
	char	 line[EVENT_TEXT_MAX + 64];

	if (messages_store_error() != NULL) {
		snprintf(line, sizeof line, "Messages are not kept: %s",
		    messages_store_error());
		tui_draw_text(y, 1, cols - 2, line, tui_draw_attr(TUI_S_BAD));
		return;
	}
	if (rows <= 0)
		return;
	if (tui.msg_peer[0] != '\0')
		tui_messages_draw_talk(y, rows, cols);
	else
		tui_messages_draw_peers(y, rows, cols);
}
