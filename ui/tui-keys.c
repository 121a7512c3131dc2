/*
 * tui-keys.c: keys to actions. The bindings are the command table's
 * default keys (cmd.c) with the [keys] section of the configuration laid
 * over them, so the help overlay, --dump-keys and the man page check all
 * read one table.
 *
 * Each key means one thing in every state. When it cannot apply (answer
 * with nothing ringing) the message line says why instead of the key
 * quietly doing something else. The one key family whose effect depends
 * on state is the digits: DTMF during a call, a number to dial without
 * one; the hint bar always says which.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "key-string.h"
#include "tui.h"
#include "tui-int.h"
#include "util.h"

static const struct {
	int	 code;		/* curses */
	int	 key;		/* key-string.h */
} tui_keys_map[] = {
	{ KEY_UP,	 KEYC_UP },
	{ KEY_DOWN,	 KEYC_DOWN },
	{ KEY_LEFT,	 KEYC_LEFT },
	{ KEY_RIGHT,	 KEYC_RIGHT },
	{ KEY_HOME,	 KEYC_HOME },
	{ KEY_END,	 KEYC_END },
	{ KEY_PPAGE,	 KEYC_PPAGE },
	{ KEY_NPAGE,	 KEYC_NPAGE },
	{ KEY_IC,	 KEYC_IC },
	{ KEY_DC,	 KEYC_DC },
	{ KEY_BTAB,	 KEYC_BTAB },
	{ KEY_BACKSPACE, KEYC_BSPACE },
	{ KEY_ENTER,	 KEYC_ENTER },
};

int
tui_keys_from_curses(int rc, wint_t ch)
{
	size_t	 i;

	if (rc == KEY_CODE_YES) {
		if ((int)ch >= KEY_F(1) && (int)ch <= KEY_F(12))
			return KEYC_F1 + (int)ch - KEY_F(1);
		for (i = 0; i < nitems(tui_keys_map); i++) {
			if (tui_keys_map[i].code == (int)ch)
				return tui_keys_map[i].key;
		}
		return KEYC_NONE;
	}
	if (ch == '\n')
		return KEYC_ENTER;
	if (ch > 0x10ffff)
		return KEYC_NONE;
	return (int)ch;
}

/* The key of ENTRY: CONF's [keys] if it says, else the default. */
static int
tui_keys_effective(const struct cmd_entry *ce, const struct conf *conf)
{
	int	 i, key;

	for (i = 0; conf != NULL && i < conf->nbindings; i++) {
		if (strcmp(conf->bindings[i].name, ce->name) == 0)
			return conf->bindings[i].key;
	}
	if (ce->key == NULL || key_string_parse(ce->key, &key) != 0)
		return KEYC_NONE;
	return key;
}

void
tui_keys_init(const struct conf *conf)
{
	const struct cmd_entry	*tables[2];
	int			 n[2], t, i, key;

	tables[0] = cmd_table(&n[0]);
	tables[1] = cmd_actions(&n[1]);
	tui.nbindings = 0;
	for (t = 0; t < 2; t++) {
		for (i = 0; i < n[t] && tui.nbindings < TUI_MAX_BINDINGS; i++) {
			key = tui_keys_effective(&tables[t][i], conf);
			if (key == KEYC_NONE)
				continue;
			tui.bindings[tui.nbindings].key = key;
			tui.bindings[tui.nbindings].ce = &tables[t][i];
			tui.nbindings++;
		}
	}
}

void
tui_keys_dump(FILE *f, const struct conf *conf)
{
	const struct cmd_entry	*tables[2];
	char			 k[KEY_STRING_MAX];
	int			 n[2], t, i;

	tables[0] = cmd_table(&n[0]);
	tables[1] = cmd_actions(&n[1]);
	for (t = 0; t < 2; t++) {
		for (i = 0; i < n[t]; i++) {
			key_string_name(tui_keys_effective(&tables[t][i], conf),
			    k, sizeof k);
			fprintf(f, "%-10s %-12s %s\n", k, tables[t][i].name,
			    tables[t][i].help);
		}
	}
}

const char *
tui_keys_for(const char *name, char *buf, size_t len)
{
	int	 i;

	for (i = 0; i < tui.nbindings; i++) {
		if (strcmp(tui.bindings[i].ce->name, name) == 0)
			return key_string_name(tui.bindings[i].key, buf, len);
	}
	return NULL;
}

static const struct cmd_entry *
tui_keys_lookup(int key)
{
	int	 i;

	for (i = 0; i < tui.nbindings; i++) {
		if (tui.bindings[i].key == key)
			return tui.bindings[i].ce;
	}
	return NULL;
}

/* The live call next to the current one (DIR 1 below, -1 above). */
static int
tui_keys_neighbour(int dir)
{
	int	 i, cur = -1, n = tui.ncalls, j;

	for (i = 0; i < n; i++) {
		if (tui.calls[i].current && tui.calls[i].ended_ms == 0)
			cur = i;
	}
	for (j = 1; j <= n; j++) {
		i = cur < 0 ? (dir > 0 ? j - 1 : n - j) :
		    ((cur + dir * j) % n + n) % n;
		if (tui.calls[i].ended_ms == 0 && i != cur)
			return tui.calls[i].id;
	}
	return 0;
}

/* The call whose transfer waits for the user: the current one first. */
static int
tui_keys_asked(void)
{
	struct tui_call	*c = tui_model_current();
	int		 i;

	if (c != NULL && c->ended_ms == 0 && c->refer_to[0] != '\0')
		return c->id;
	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].ended_ms == 0 && tui.calls[i].refer_to[0] != '\0')
			return tui.calls[i].id;
	}
	return 0;
}

static void
tui_keys_action(const char *name)
{
	struct tui_call	*c = tui_model_current();
	char		 line[64];
	int		 id;

	if (strcmp(name, "hold_toggle") == 0 ||
	    strcmp(name, "mute_toggle") == 0) {
		if (c == NULL) {
			tui_message(true, "%s: no current call", name);
			return;
		}
		if (name[0] == 'h')
			snprintf(line, sizeof line, "%s %d",
			    c->state == CALL_HELD ? "resume" : "hold", c->id);
		else
			snprintf(line, sizeof line, "%s %d",
			    c->muted ? "unmute" : "mute", c->id);
		tui_run(line);
	} else if (strcmp(name, "conference_toggle") == 0) {
		if (c == NULL) {
			tui_message(true, "%s: no current call", name);
			return;
		}
		snprintf(line, sizeof line, "%s", c->conference ?
		    "split" : "conference");
		tui_run(line);
	} else if (strcmp(name, "prev_call") == 0 ||
	    strcmp(name, "next_call") == 0) {
		id = tui_keys_neighbour(name[0] == 'n' ? 1 : -1);
		if (id == 0) {
			tui_message(true, "%s: no other call", name);
			return;
		}
		snprintf(line, sizeof line, "switch %d", id);
		tui_run(line);
	} else if (strcmp(name, "refer_accept") == 0 ||
	    strcmp(name, "refer_refuse") == 0) {
		id = tui_keys_asked();
		if (id == 0) {
			tui_message(true, "%s: no transfer is waiting for an "
			    "answer", name);
			return;
		}
		snprintf(line, sizeof line, "refer %s %d", name[6] == 'a' ?
		    "accept" : "refuse", id);
		tui_run(line);
	} else if (strcmp(name, "volume_up") == 0)
		tui_run("volume out +3");
	else if (strcmp(name, "volume_down") == 0)
		tui_run("volume out -3");
	else if (strcmp(name, "mic_up") == 0)
		tui_run("volume in +3");
	else if (strcmp(name, "mic_down") == 0)
		tui_run("volume in -3");
	else if (strcmp(name, "prompt") == 0)
		tui_prompt_open("");
	else if (strcmp(name, "scroll_up") == 0)
		tui.scroll += tui.pane_rows > 2 ? tui.pane_rows - 1 : 1;
	else if (strcmp(name, "scroll_down") == 0) {
		tui.scroll -= tui.pane_rows > 2 ? tui.pane_rows - 1 : 1;
		if (tui.scroll < 0)
			tui.scroll = 0;
	} else if (strcmp(name, "trace") == 0) {
		tui.view = tui.view == TUI_VIEW_LOG ? TUI_VIEW_TRACE :
		    TUI_VIEW_LOG;
		tui.scroll = 0;
	} else if (strcmp(name, "redraw") == 0)
		clearok(curscr, TRUE);
	else if (strcmp(name, "clear") == 0 && tui_model_clear_ended(true) == 0)
		tui_message(true, "clear: no ended calls");
	tui_changed();
}

static void
tui_keys_help(int key)
{
	switch (key) {
	case KEYC_UP:
		tui.help_scroll--;
		break;
	case KEYC_DOWN:
		tui.help_scroll++;
		break;
	case KEYC_PPAGE:
		tui.help_scroll -= 10;
		break;
	case KEYC_NPAGE:
	case KEYC_SPACE:
		tui.help_scroll += 10;
		break;
	default:
		tui.help = false;
		break;
	}
	tui_changed();
}

void
tui_keys_handle(int key)
{
	const struct cmd_entry	*ce;
	char			 line[64], k[KEY_STRING_MAX];

	if (tui.prompt.active) {
		tui_prompt_key(key);
		return;
	}
	if (tui.confirm_quit) {
		if (key == 'y' || key == 'Y')
			tui_quit();
		else {
			tui.confirm_quit = false;
			tui_message(false, "not quitting");
		}
		tui_changed();
		return;
	}
	if (tui.help) {
		tui_keys_help(key);
		return;
	}
	tui.message[0] = '\0';
	tui_changed();
	if (tui.view == TUI_VIEW_HISTORY && tui_history_key(key))
		return;
	if (tui.view == TUI_VIEW_MESSAGES && tui_messages_key(key))
		return;
	if (key == KEYC_ESCAPE) {
		tui.view = TUI_VIEW_LOG;
		tui.scroll = 0;
		return;
	}
	if ((key >= '0' && key <= '9') || key == '*' || key == '#' ||
	    key == '+') {
		if (tui_model_live_calls() > 0 && key != '+') {
			snprintf(line, sizeof line, "dtmf %c", key);
			cmd_execute(line);
		} else if (tui_model_live_calls() > 0)
			tui_message(true, "+ starts a number to dial when there "
			    "is no call; use :dial during one");
		else {
			snprintf(line, sizeof line, "dial %c", key);
			tui_prompt_open(line);
		}
		return;
	}
	if ((ce = tui_keys_lookup(key)) == NULL) {
		tui_message(true, "%s: no such key (%s shows the keys)",
		    key_string_name(key, line, sizeof line),
		    tui_keys_for("help", k, sizeof k) != NULL ? k : ":help");
		return;
	}
	if (ce->handler == NULL)
		tui_keys_action(ce->name);
	else if (strcmp(ce->name, "history") == 0)
		tui_history_toggle();
	else if (strcmp(ce->name, "messages") == 0)
		tui_messages_toggle();
	else if (strcmp(ce->name, "help") == 0) {
		tui.help = true;
		tui.help_scroll = 0;
	} else if (strcmp(ce->name, "quit") == 0)
		tui_quit();
	else if (ce->min_args > 0) {
		snprintf(line, sizeof line, "%s ", ce->name);
		tui_prompt_open(line);
	} else
		cmd_execute(ce->name);
}
