/*
 * tui-prompt.c: the ':' input line. Every command of the command table
 * can be typed here; Up and Down recall earlier lines, Tab completes
 * command names, account names, call ids and the URIs dialled or seen,
 * and the usual readline keys edit (C-a, C-e, C-u, C-k, C-w).
 *
 * After "dial", what is typed is also looked for anywhere in the names
 * of the contacts (so "dial smi" offers "Anna Smith"); names may have
 * blanks, so the whole rest of the line is the text matched. Such
 * candidates share no prefix: Tab puts in the first, then the next,
 * while the hint line keeps showing them all.
 *
 * The line is kept as wide characters so that the cursor moves by
 * characters and the display by columns, whatever the names are made of.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "contacts.h"
#include "key-string.h"
#include "tui-int.h"
#include "util.h"

#define TUI_CTRL(c)		((c) - 'a' + 1)

static void
tui_prompt_set(const wchar_t *w)
{
	struct tui_prompt	*p = &tui.prompt;
	size_t			 n = wcslen(w);

	if (n > TUI_PROMPT_MAX)
		n = TUI_PROMPT_MAX;
	wmemcpy(p->buf, w, n);
	p->buf[n] = L'\0';
	p->len = p->pos = n;
}

static void
tui_prompt_set_utf8(const char *s)
{
	wchar_t		 w[TUI_PROMPT_MAX + 1];
	mbstate_t	 ps;
	size_t		 n, k = 0;
	wchar_t		 wc;

	memset(&ps, 0, sizeof ps);
	while (*s != '\0' && k < TUI_PROMPT_MAX) {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			wc = L'?';
			n = 1;
		}
		w[k++] = wc;
		s += n;
	}
	w[k] = L'\0';
	tui_prompt_set(w);
}

/* The first N characters of the line as UTF-8 (or the locale's). */
static char *
tui_prompt_utf8(const wchar_t *w, size_t n)
{
	char		*out = xmalloc(n * MB_CUR_MAX + 1), *o = out;
	mbstate_t	 ps;
	size_t		 i, k;

	memset(&ps, 0, sizeof ps);
	for (i = 0; i < n; i++) {
		k = wcrtomb(o, w[i], &ps);
		if (k == (size_t)-1) {
			memset(&ps, 0, sizeof ps);
			*o = '?';
			k = 1;
		}
		o += k;
	}
	*o = '\0';
	return out;
}

void
tui_prompt_open(const char *text)
{
	struct tui_prompt	*p = &tui.prompt;

	p->active = true;
	p->hist = p->nhistory;
	tui_prompt_set_utf8(text);
	tui_changed();
}

static void
tui_prompt_close(void)
{
	tui.prompt.active = false;
	tui.prompt.cycling = false;
	tui.prompt.len = tui.prompt.pos = 0;
	tui.prompt.buf[0] = L'\0';
	tui_changed();
}

void
tui_prompt_remember(const char *line)
{
	struct tui_prompt	*p = &tui.prompt;

	if (*line == '\0' || (p->nhistory > 0 &&
	    strcmp(p->history[p->nhistory - 1], line) == 0))
		return;
	if (p->nhistory == TUI_HISTORY_MAX) {
		free(p->history[0]);
		memmove(p->history, p->history + 1,
		    sizeof p->history[0] * (TUI_HISTORY_MAX - 1));
		p->nhistory--;
	}
	p->history[p->nhistory++] = xstrdup(line);
}

/* URIs and numbers for completion, newest first, each once. */
void
tui_prompt_add_uri(const char *uri)
{
	struct tui_prompt	*p = &tui.prompt;
	char			*s;
	int			 i;

	if (*uri == '\0')
		return;
	for (i = 0; i < p->nuris; i++) {
		if (strcmp(p->uris[i], uri) == 0)
			break;
	}
	if (i < p->nuris)
		s = p->uris[i];
	else if (p->nuris == TUI_URIS_MAX) {
		free(p->uris[--p->nuris]);
		s = xstrdup(uri);
		i = p->nuris;
	} else {
		s = xstrdup(uri);
		i = p->nuris;
	}
	memmove(p->uris + 1, p->uris, sizeof p->uris[0] * (size_t)i);
	p->uris[0] = s;
	if (i == p->nuris)
		p->nuris++;
}

void
tui_prompt_free(void)
{
	struct tui_prompt	*p = &tui.prompt;
	int			 i;

	for (i = 0; i < p->nhistory; i++)
		free(p->history[i]);
	for (i = 0; i < p->nuris; i++)
		free(p->uris[i]);
	p->nhistory = p->nuris = 0;
}

static void
tui_prompt_history(int dir)
{
	struct tui_prompt	*p = &tui.prompt;
	int			 to = p->hist + dir;

	if (to < 0 || to > p->nhistory)
		return;
	if (p->hist == p->nhistory)
		wcscpy(p->saved, p->buf);
	p->hist = to;
	if (to == p->nhistory)
		tui_prompt_set(p->saved);
	else
		tui_prompt_set_utf8(p->history[to]);
}

static void
tui_prompt_insert(const wchar_t *w, size_t n)
{
	struct tui_prompt	*p = &tui.prompt;

	if (p->len + n > TUI_PROMPT_MAX)
		n = TUI_PROMPT_MAX - p->len;
	wmemmove(p->buf + p->pos + n, p->buf + p->pos, p->len - p->pos + 1);
	wmemcpy(p->buf + p->pos, w, n);
	p->len += n;
	p->pos += n;
}

static void
tui_prompt_delete(size_t from, size_t to)
{
	struct tui_prompt	*p = &tui.prompt;

	if (from >= to)
		return;
	wmemmove(p->buf + from, p->buf + to, p->len - to + 1);
	p->len -= to - from;
	p->pos = from;
}

/* What may follow in word WORD of a line whose first word is CMD. */
static int
tui_prompt_candidates(const char *cmd, int word, const char **v,
    char ids[][16])
{
	const struct cmd_entry	*ce;
	int			 n = 0, i, nc;
	enum { NONE, CMDS, URIS, ACCOUNTS, CALLS } what = NONE;

	if (word == 0 || (strcmp(cmd, "help") == 0 && word == 1))
		what = CMDS;
	else if (strcmp(cmd, "dial") == 0)
		what = word == 1 ? URIS : word == 2 ? ACCOUNTS : NONE;
	else if (strcmp(cmd, "transfer") == 0)
		what = word == 1 ? URIS : word == 2 ? CALLS : NONE;
	else if (strcmp(cmd, "register") == 0 ||
	    strcmp(cmd, "unregister") == 0 || strcmp(cmd, "account") == 0)
		what = word == 1 ? ACCOUNTS : NONE;
	else if (strcmp(cmd, "dtmf") == 0)
		what = word == 2 ? CALLS : NONE;
	else if ((ce = cmd_find(cmd)) != NULL && strncmp(ce->args, "[ID]", 4) == 0)
		what = word == 1 ? CALLS : NONE;

	switch (what) {
	case CMDS:
		ce = cmd_table(&nc);
		for (i = 0; i < nc && n < TUI_PROMPT_CANDIDATES; i++)
			v[n++] = ce[i].name;
		break;
	case URIS:
		for (i = 0; i < tui.prompt.nuris && n < TUI_PROMPT_CANDIDATES; i++)
			v[n++] = tui.prompt.uris[i];
		break;
	case ACCOUNTS:
		for (i = 0; i < tui.naccounts && n < TUI_PROMPT_CANDIDATES; i++)
			v[n++] = tui.accounts[i].name;
		break;
	case CALLS:
		for (i = 0; i < tui.ncalls && n < TUI_MAX_CALLS; i++) {
			if (tui.calls[i].ended_ms != 0)
				continue;
			snprintf(ids[n], sizeof ids[n], "%d", tui.calls[i].id);
			v[n] = ids[n];
			n++;
		}
		break;
	case NONE:
		break;
	}
	return n;
}

/*
 * The contacts whose names contain TEXT (the rest of a dial line), after
 * the N candidates already in MATCH; returns the new count.
 */
static int
tui_prompt_contacts(const char *text, const char **match, int n)
{
	const struct contact	*v[TUI_PROMPT_CANDIDATES];
	int			 k, i;

	k = contacts_match(contacts_current(), text, v, TUI_PROMPT_CANDIDATES);
	for (i = 0; i < k && i < TUI_PROMPT_CANDIDATES &&
	    n < TUI_PROMPT_CANDIDATES; i++)
		match[n++] = v[i]->name;
	return n;
}

/*
 * The completions of the word before the cursor, in MATCH (pointers into
 * the model, the contacts, the command table or IDS; valid until the
 * model changes or the contacts are read again). The line's first word
 * goes to CMD, the index of the word being typed to *WORD, and where the
 * text a candidate replaces starts to *FROM. While Tab cycles, they are
 * those of the line as it was typed. The hint line shows these as the
 * user types; Tab completes.
 */
int
tui_prompt_matches(const char **match, char ids[][16], char *cmd,
    size_t cmdlen, int *word, size_t *from)
{
	struct tui_prompt	*p = &tui.prompt;
	const wchar_t		*buf = p->cycling ? p->cycle_buf : p->buf;
	size_t			 len = p->cycling ? p->cycle_len : p->len;
	size_t			 pos = p->cycling ? p->cycle_pos : p->pos;
	const char		*v[TUI_PROMPT_CANDIDATES];
	char			*prefix, *first, *rest;
	size_t			 ws = pos, fe, rs, plen, i;
	int			 n, m = 0, j;
	bool			 in_word = false;

	*word = 0;
	while (ws > 0 && buf[ws - 1] != L' ')
		ws--;
	for (i = 0; i < ws; i++) {
		if (buf[i] != L' ' && !in_word)
			(*word)++;
		in_word = buf[i] != L' ';
	}
	for (fe = 0; fe < len && buf[fe] == L' '; fe++)
		;
	i = fe;
	while (fe < len && buf[fe] != L' ')
		fe++;
	first = tui_prompt_utf8(buf + i, fe - i);
	prefix = tui_prompt_utf8(buf + ws, pos - ws);
	plen = strlen(prefix);
	util_strlcpy(cmd, first, cmdlen);
	*from = ws;

	if (*word >= 1 && strcmp(first, "dial") == 0) {
		for (rs = fe; rs < pos && buf[rs] == L' '; rs++)
			;
		rest = tui_prompt_utf8(buf + rs, pos - rs);
		if (*rest != '\0' || *word == 1)
			m = tui_prompt_contacts(rest, match, 0);
		free(rest);
		if (m > 0 && *word > 1) {
			/* "dial Anna Sm": the name is all of it. */
			*from = rs;
			goto out;
		}
		if (m > 0)
			*from = rs;
	}
	n = tui_prompt_candidates(first, *word, v, ids);
	for (j = 0; j < n && m < TUI_PROMPT_CANDIDATES; j++) {
		if (strncmp(v[j], prefix, plen) == 0)
			match[m++] = v[j];
	}
out:
	free(first);
	free(prefix);
	return m;
}

/* Replace FROM..cursor with the UTF-8 string S. */
static void
tui_prompt_replace(size_t from, const char *s)
{
	wchar_t		 add[TUI_PROMPT_MAX + 1];
	size_t		 nw;

	tui_prompt_delete(from, tui.prompt.pos);
	nw = mbstowcs(add, s, TUI_PROMPT_MAX);
	if (nw != (size_t)-1)
		tui_prompt_insert(add, nw);
}

static void
tui_prompt_complete(void)
{
	struct tui_prompt	*p = &tui.prompt;
	const char		*match[TUI_PROMPT_CANDIDATES];
	char			 ids[TUI_MAX_CALLS][16], cmd[64], *typed;
	size_t			 from, tlen, common, k;
	int			 word, m, j;
	bool			 prefixed = true;

	m = tui_prompt_matches(match, ids, cmd, sizeof cmd, &word, &from);
	if (m == 0)
		return;		/* the hint line says there is nothing */
	if (p->cycling) {
		/* Next candidate, into the line as it was typed. */
		p->cycle_sel = (p->cycle_sel + 1) % m;
		wmemcpy(p->buf, p->cycle_buf, p->cycle_len + 1);
		p->len = p->cycle_len;
		p->pos = p->cycle_pos;
		tui_prompt_replace(from, match[p->cycle_sel]);
		return;
	}
	typed = tui_prompt_utf8(p->buf + from, p->pos - from);
	tlen = strlen(typed);
	for (j = 0; j < m; j++) {
		if (strncmp(match[j], typed, tlen) != 0)
			prefixed = false;
	}
	free(typed);
	common = strlen(match[0]);
	for (j = 1; j < m; j++) {
		for (k = 0; k < common && match[j][k] == match[0][k]; k++)
			;
		common = k;
	}
	if (m == 1) {
		tui_prompt_replace(from, match[0]);
		if (p->pos == p->len)
			tui_prompt_insert(L" ", 1);
	} else if (prefixed && common > tlen) {
		char	*head = xstrndup(match[0], common);

		tui_prompt_replace(from, head);
		free(head);
	} else {
		/* Nothing more to add by prefix: go through them. */
		wmemcpy(p->cycle_buf, p->buf, p->len + 1);
		p->cycle_len = p->len;
		p->cycle_pos = p->pos;
		p->cycling = true;
		p->cycle_sel = 0;
		tui_prompt_replace(from, match[0]);
	}
}

/* The candidate Tab put in last while cycling, or -1. */
int
tui_prompt_selected(void)
{
	return tui.prompt.cycling ? tui.prompt.cycle_sel : -1;
}

static void
tui_prompt_enter(void)
{
	struct tui_prompt	*p = &tui.prompt;
	char			*line = tui_prompt_utf8(p->buf, p->len);

	tui_prompt_close();
	if (line[strspn(line, " ")] != '\0') {
		tui_prompt_remember(line);
		tui_run(line);
	}
	free(line);
}

void
tui_prompt_key(int key)
{
	struct tui_prompt	*p = &tui.prompt;
	wchar_t			 wc;
	size_t			 i;

	if (key != KEYC_TAB)
		p->cycling = false;
	switch (key) {
	case KEYC_ENTER:
		tui_prompt_enter();
		return;
	case KEYC_ESCAPE:
	case TUI_CTRL('g'):
		tui_prompt_close();
		return;
	case KEYC_TAB:
		tui_prompt_complete();
		break;
	case KEYC_BSPACE:
	case TUI_CTRL('h'):
		if (p->len == 0) {
			/* Backspace on an empty line leaves, as in vi. */
			tui_prompt_close();
			return;
		}
		if (p->pos > 0)
			tui_prompt_delete(p->pos - 1, p->pos);
		break;
	case KEYC_DC:
	case TUI_CTRL('d'):
		if (p->pos < p->len)
			tui_prompt_delete(p->pos, p->pos + 1);
		break;
	case KEYC_LEFT:
	case TUI_CTRL('b'):
		if (p->pos > 0)
			p->pos--;
		break;
	case KEYC_RIGHT:
	case TUI_CTRL('f'):
		if (p->pos < p->len)
			p->pos++;
		break;
	case KEYC_HOME:
	case TUI_CTRL('a'):
		p->pos = 0;
		break;
	case KEYC_END:
	case TUI_CTRL('e'):
		p->pos = p->len;
		break;
	case TUI_CTRL('u'):
		tui_prompt_delete(0, p->pos);
		break;
	case TUI_CTRL('k'):
		p->buf[p->pos] = L'\0';
		p->len = p->pos;
		break;
	case TUI_CTRL('w'):
		i = p->pos;
		while (i > 0 && p->buf[i - 1] == L' ')
			i--;
		while (i > 0 && p->buf[i - 1] != L' ')
			i--;
		tui_prompt_delete(i, p->pos);
		break;
	case KEYC_UP:
	case TUI_CTRL('p'):
		tui_prompt_history(-1);
		break;
	case KEYC_DOWN:
	case TUI_CTRL('n'):
		tui_prompt_history(1);
		break;
	default:
		if (key < ' ' || key == 0x7f || key >= KEYC_BASE ||
		    (key >= 0x80 && key < 0xa0))
			break;
		wc = (wchar_t)key;
		tui_prompt_insert(&wc, 1);
		break;
	}
	tui_changed();
}

void
tui_prompt_draw(int y, int width)
{
	struct tui_prompt	*p = &tui.prompt;
	size_t			 start = p->pos, i;
	int			 avail = width - 2, used = 0, w, cx;

	/* Scroll so the cursor is visible, keeping what is before it. */
	while (start > 0) {
		w = wcwidth(p->buf[start - 1]);
		if (used + (w > 0 ? w : 1) >= avail)
			break;
		used += w > 0 ? w : 1;
		start--;
	}
	attrset(A_BOLD);
	mvaddch(y, 0, ':');
	attrset(A_NORMAL);
	cx = 1 + used;
	used = 0;
	move(y, 1);
	for (i = start; i < p->len; i++) {
		w = wcwidth(p->buf[i]);
		if (w < 0)
			w = 1;
		if (used + w > avail)
			break;
		addnwstr(&p->buf[i], 1);
		used += w;
	}
	move(y, cx);
}
