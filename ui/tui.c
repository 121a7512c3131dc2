/*
 * tui.c: the life of the full-screen front end: taking the terminal and
 * giving it back, standard error sent to the log file while curses runs
 * (libraries print there, and the screen belongs to curses alone), the
 * event sink, keys from standard input, resizes, the once-a-second tick
 * and redraws.
 *
 * Nothing is drawn from inside an event: events mark the screen changed
 * and a short timer draws once for the whole burst, so a call set-up that
 * brings ten events costs one redraw. When nothing happens, the tick on
 * each second (clock, call timers, countdowns) is the only work.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "event.h"
#include "history.h"
#include "key-string.h"
#include "loop.h"
#include "messages-store.h"
#include "phone.h"
#include "tui.h"
#include "tui-int.h"
#include "util.h"

#define TUI_REDRAW_MS		2	/* events of one burst share a draw */
#define TUI_METER_MS		200	/* level meters, while a call talks */
#define TUI_ESCDELAY_MS		25	/* Escape alone vs. an escape sequence */
#define TUI_EOF_WAKEUPS		3	/* readable but no key: the tty is gone */

struct tui		 tui;

static bool		 tui_running;
static SCREEN		*tui_screen;
static int		 tui_saved_stderr = -1;
static int		 tui_fd_id;
static int		 tui_observer;
static int		 tui_empty_wakeups;
static bool		 tui_winch_set;
static struct loop_timer *tui_redraw_timer;
static struct loop_timer *tui_tick_timer;
static struct loop_timer *tui_meter_timer;

static void
tui_redraw(void *arg)
{
	(void)arg;
	if (tui_running)
		tui_draw();
}

void
tui_changed(void)
{
	if (tui_running && !loop_timer_pending(tui_redraw_timer))
		loop_timer_start(tui_redraw_timer, TUI_REDRAW_MS);
}

/* On each second of the wall clock, so the clock on screen ticks true. */
static void
tui_tick_arm(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	loop_timer_start(tui_tick_timer,
	    1000 - (unsigned int)(ts.tv_nsec / 1000000) + 5);
}

/* Meters move only while a call (or the echo test) has the device. */
static bool
tui_meters_wanted(void)
{
	int	 i;

	if (tui.echotest)
		return true;
	for (i = 0; i < tui.ncalls; i++) {
		if (tui.calls[i].current && tui.calls[i].ended_ms == 0 &&
		    tui.calls[i].state == CALL_ESTABLISHED)
			return true;
	}
	return false;
}

static void
tui_meter(void *arg)
{
	char	 a[64], b[64], c[64], d[64];
	float	 mic, spk;

	(void)arg;
	if (!tui_meters_wanted()) {
		tui.mic_dbfs = tui.spk_dbfs = -90;
		return;
	}
	phone_levels(&mic, &spk);
	/* Redraw only when a meter shows something else. */
	tui_calls_meter(mic, a, sizeof a);
	tui_calls_meter(tui.mic_dbfs, b, sizeof b);
	tui_calls_meter(spk, c, sizeof c);
	tui_calls_meter(tui.spk_dbfs, d, sizeof d);
	tui.mic_dbfs = mic;
	tui.spk_dbfs = spk;
	if (strcmp(a, b) != 0 || strcmp(c, d) != 0)
		tui_changed();
	loop_timer_start(tui_meter_timer, TUI_METER_MS);
}

static void
tui_tick(void *arg)
{
	uint64_t	 now = util_now_ms();

	(void)arg;
	tui_model_tick(now);
	if (tui_meters_wanted() && !loop_timer_pending(tui_meter_timer))
		loop_timer_start(tui_meter_timer, TUI_METER_MS);
	if (tui.message[0] != '\0' && now - tui.message_ms > TUI_MESSAGE_MS)
		tui.message[0] = '\0';
	tui_draw();
	tui_tick_arm();
}

void
tui_message(bool error, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(tui.message, sizeof tui.message, fmt, ap);
	va_end(ap);
	tui.message_error = error;
	tui.message_ms = util_now_ms();
	tui_changed();
}

static void
tui_event(const struct event *ev, void *arg)
{
	(void)arg;
	tui_model_event(ev);
	if (ev->kind == EVENT_MESSAGE)
		tui_messages_event(&ev->u.message);
	if (ev->kind == EVENT_ERROR) {
		if (ev->u.error.command[0] != '\0')
			tui_message(true, "%s: %s", ev->u.error.command,
			    ev->u.error.message);
		else
			tui_message(true, "%s", ev->u.error.message);
	}
	tui_changed();
}

/* A command line from the prompt or a key: remembered, then run. */
void
tui_run(const char *line)
{
	char	**argv = NULL, *cause = NULL;
	int	  argc = 0;

	tui.message[0] = '\0';
	if (cmd_split(line, &argc, &argv, &cause) != 0) {
		free(cause);
		cmd_execute(line);	/* says what is wrong */
		return;
	}
	/* The screen shows the history; line mode prints it. */
	if (argc >= 1 && strcmp(argv[0], "history") == 0) {
		cmd_free_argv(argc, argv);
		if (tui.view != TUI_VIEW_HISTORY)
			tui_history_toggle();
		return;
	}
	/* And the conversations, or the one with PEER. */
	if (argc >= 1 && strcmp(argv[0], "messages") == 0) {
		char	 peer[EVENT_TEXT_MAX];

		if (argc == 1)
			tui_messages_toggle();
		else if (messages_store_find_peer(argv[1], peer, sizeof peer,
		    &cause) == 0)
			tui_messages_open(peer);
		else {
			tui_message(true, "messages: %s", cause);
			free(cause);
		}
		cmd_free_argv(argc, argv);
		return;
	}
	if (argc == 1 && strcmp(argv[0], "quit") == 0) {
		cmd_free_argv(argc, argv);
		tui_quit();
		return;
	}
	if (argc >= 2 && (strcmp(argv[0], "dial") == 0 ||
	    strcmp(argv[0], "transfer") == 0))
		tui_prompt_add_uri(argv[1]);
	else if (argc >= 3 && strcmp(argv[0], "message") == 0)
		tui_prompt_add_uri(strcmp(argv[1], "-a") == 0 && argc >= 4 ?
		    argv[3] : argv[1]);
	cmd_free_argv(argc, argv);
	cmd_execute(line);
	tui_changed();
}

/* Quitting hangs up every call, so with calls up it asks first. */
void
tui_quit(void)
{
	if (tui_model_live_calls() > 0 && !tui.confirm_quit) {
		tui.confirm_quit = true;
		tui_changed();
		return;
	}
	tui.confirm_quit = false;
	tui_message(false, "quitting: hanging up and unregistering...");
	cmd_execute("quit");
}

/* SIGWINCH: the new size, then a whole redraw. */
static void
tui_resize(void)
{
	struct winsize	 ws;

	if (!tui_running)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	tui_draw();
}

static void
tui_winch(int sig, void *arg)
{
	(void)sig;
	(void)arg;
	tui_resize();
}

static void
tui_input(int fd, void *arg)
{
	wint_t	 ch;
	int	 rc, key, n = 0, avail = 0;

	(void)arg;
	while ((rc = wget_wch(stdscr, &ch)) != ERR) {
		n++;
		/* resizeterm() queues this after tui_resize() has drawn. */
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		key = tui_keys_from_curses(rc, ch);
		if (key != KEYC_NONE)
			tui_keys_handle(key);
	}
	if (n > 0) {
		tui_empty_wakeups = 0;
		tui_changed();
		return;
	}
	/*
	 * Readable, yet no key and nothing to read: end of file on a
	 * terminal that went away. Stop watching it (it would wake the loop
	 * forever) and quit as a hang-up does.
	 */
	if (ioctl(fd, FIONREAD, &avail) == 0 && avail > 0)
		return;
	if (++tui_empty_wakeups < TUI_EOF_WAKEUPS)
		return;
	loop_fd_remove(tui_fd_id);
	tui_fd_id = 0;
	cmd_execute("quit");
}

/* The accounts are known before their first event: names, for the
 * screen and for completion. */
static void
tui_accounts_init(const struct conf *conf)
{
	const struct conf_account	*ca;
	struct tui_account		*a;

	for (ca = conf->accounts; ca != NULL && tui.naccounts <
	    TUI_MAX_ACCOUNTS; ca = ca->next) {
		a = &tui.accounts[tui.naccounts++];
		memset(a, 0, sizeof *a);
		util_strlcpy(a->name, ca->name, sizeof a->name);
		a->state = REG_UNREGISTERED;
	}
}

static void
tui_restore_stderr(void)
{
	if (tui_saved_stderr == -1)
		return;
	fflush(stderr);
	dup2(tui_saved_stderr, STDERR_FILENO);
	close(tui_saved_stderr);
	tui_saved_stderr = -1;
}

static bool
tui_no_cursor(void)
{
	char	*cup = tigetstr("cup");

	return cup == NULL || cup == (char *)-1;
}

static void
tui_seed_uri(const char *uri, const char *display, void *arg)
{
	char	**v = arg;
	int	  i;

	(void)display;
	for (i = 0; i < TUI_URIS_MAX && v[i] != NULL; i++)
		;
	if (i < TUI_URIS_MAX)
		v[i] = xstrdup(uri);
}

/* Completion starts with the addresses of the history, newest first. */
static void
tui_seed_uris(void)
{
	char	*v[TUI_URIS_MAX] = { NULL };
	int	 i;

	if (history_targets("", TUI_URIS_MAX, tui_seed_uri, v) <= 0)
		return;
	for (i = TUI_URIS_MAX - 1; i >= 0; i--) {
		if (v[i] != NULL)
			tui_prompt_add_uri(v[i]);
		free(v[i]);
	}
}

int
tui_start(const struct conf *conf, const char *stderr_path, char **cause)
{
	const char	*nc;
	int		 fd, id;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*cause = xstrdup("standard input and output are not a terminal");
		return -1;
	}
	/* LC_CTYPE only: UTF-8 on screen without changing how numbers
	 * are written in the log and in JSON. */
	setlocale(LC_CTYPE, "");
	memset(&tui, 0, sizeof tui);
	tui.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	/* From here on, nothing but curses may write to the terminal. */
	fflush(stderr);
	tui_saved_stderr = dup(STDERR_FILENO);
	fd = open(stderr_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd != -1) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	tui_screen = newterm(NULL, stdout, stdin);
	if (tui_screen == NULL) {
		tui_restore_stderr();
		xasprintf(cause, "cannot drive the terminal (TERM=%s)",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	set_term(tui_screen);
	/* A terminal that cannot place the cursor (TERM=dumb) cannot show
	 * a screen; line mode serves it better. */
	if (tui_no_cursor()) {
		endwin();
		delscreen(tui_screen);
		tui_screen = NULL;
		tui_restore_stderr();
		xasprintf(cause, "the terminal cannot place the cursor (TERM=%s)",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(TUI_ESCDELAY_MS);
	curs_set(0);
	/* no-color.org: set and not empty means no colour. */
	nc = getenv("NO_COLOR");
	tui.color = has_colors() && (nc == NULL || *nc == '\0');
	tui_draw_init();
	tui_keys_init(conf);
	tui_seed_uris();
	tui_accounts_init(conf);
	tui.prompt.hist = 0;

	tui_redraw_timer = loop_timer_new(tui_redraw, NULL);
	tui_tick_timer = loop_timer_new(tui_tick, NULL);
	tui_meter_timer = loop_timer_new(tui_meter, NULL);
	tui.mic_dbfs = tui.spk_dbfs = -90;
	id = loop_fd_add(STDIN_FILENO, tui_input, NULL);
	if (id < 0) {
		xasprintf(cause, "cannot watch standard input: %s", strerror(-id));
		tui_running = true;
		tui_stop();
		return -1;
	}
	tui_fd_id = id;
	/* After newterm, so that ours replaces curses' handler: the loop
	 * must wake up to redraw, not wait for the next key. */
	if (!tui_winch_set && loop_signal(SIGWINCH, tui_winch, NULL) == 0)
		tui_winch_set = true;
	tui_observer = event_observe(tui_event, NULL);
	tui_running = true;
	tui_draw();
	tui_tick_arm();
	return 0;
}

void
tui_stop(void)
{
	if (!tui_running)
		return;
	tui_running = false;
	if (tui_observer != 0)
		event_unobserve(tui_observer);
	tui_observer = 0;
	if (tui_fd_id > 0)
		loop_fd_remove(tui_fd_id);
	tui_fd_id = 0;
	loop_timer_free(tui_redraw_timer);
	loop_timer_free(tui_tick_timer);
	loop_timer_free(tui_meter_timer);
	tui_redraw_timer = tui_tick_timer = tui_meter_timer = NULL;
	curs_set(1);
	endwin();
	delscreen(tui_screen);
	tui_screen = NULL;
	tui_restore_stderr();
	tui_prompt_free();
}
