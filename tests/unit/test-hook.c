/*
 * test-hook.c: the [hooks] runner against the real loop and real child
 * processes: the command line split once (util_argv_split), the remote
 * split into URI and display name, the TSPHONE_* variables (a hostile
 * display name stays text), one run per call, the missed hook on the
 * outcome alone, the timeout with SIGTERM, the cap on hooks at once, the
 * cap on output, and failures that are logged.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "event.h"
#include "hook.h"
#include "loop.h"
#include "tap.h"
#include "util.h"

/* The log lines seen on the bus, newline-separated. */
static char	*logged;
static size_t	 logged_len;

static void
observe(const struct event *ev, void *arg)
{
	size_t	 n;

	(void)arg;
	if (ev->kind != EVENT_LOG)
		return;
	n = strlen(ev->u.log.text);
	logged = xrealloc(logged, logged_len + n + 2);
	memcpy(logged + logged_len, ev->u.log.text, n);
	logged_len += n;
	logged[logged_len++] = '\n';
	logged[logged_len] = '\0';
}

static void
clear_log(void)
{
	free(logged);
	logged = NULL;
	logged_len = 0;
}

static bool
log_has(const char *s)
{
	event_flush();
	return logged != NULL && strstr(logged, s) != NULL;
}

static int
log_count(const char *s)
{
	const char	*p;
	int		 n = 0;

	event_flush();
	p = logged;
	while (p != NULL && (p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* Run the loop until COND holds or MS have passed; true if it held. */
static bool		(*until_cond)(void);
static uint64_t		 until_end;
static struct loop_timer *until_timer;

static void
until_check(void *arg)
{
	(void)arg;
	if (until_cond() || util_now_ms() >= until_end)
		loop_break();
	else
		loop_timer_start(until_timer, 10);
}

static bool
run_until(bool (*cond)(void), unsigned int ms)
{
	until_cond = cond;
	until_end = util_now_ms() + ms;
	loop_timer_start(until_timer, 1);
	loop_run();
	return cond();
}

static bool
none_running(void)
{
	event_flush();
	return hook_running() == 0;
}

static void
call_event(int id, enum call_state state, enum call_outcome outcome,
    const char *remote, const char *display)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_CALL;
	ev.u.call.id = id;
	util_strlcpy(ev.u.call.account, "home", sizeof ev.u.call.account);
	util_strlcpy(ev.u.call.remote, remote, sizeof ev.u.call.remote);
	util_strlcpy(ev.u.call.display, display, sizeof ev.u.call.display);
	snprintf(ev.u.call.call_id, sizeof ev.u.call.call_id, "cid-%d", id);
	ev.u.call.state = state;
	ev.u.call.outcome = outcome;
	event_emit(&ev);
	event_flush();
}

static void
split_is(const char *in, const char *want, const char *what)
{
	char	**argv, *cause = NULL, buf[512] = "";
	int	  argc, i;

	if (util_argv_split(in, &argv, &argc, &cause) != 0) {
		is_str(cause, want, "split: %s", what);
		free(cause);
		return;
	}
	for (i = 0; i < argc; i++) {
		strncat(buf, "[", sizeof buf - strlen(buf) - 1);
		strncat(buf, argv[i], sizeof buf - strlen(buf) - 1);
		strncat(buf, "]", sizeof buf - strlen(buf) - 1);
	}
	ok(argv[argc] == NULL, "split: %s: NULL-terminated", what);
	is_str(buf, want, "split: %s", what);
	util_argv_free(argv);
}

static void
test_split(void)
{
	split_is("notify-send hello", "[notify-send][hello]", "words");
	split_is("  a\t b  ", "[a][b]", "blanks around");
	split_is("a 'b c' \"d e\"", "[a][b c][d e]", "quotes");
	split_is("a 'it''s'", "[a][its]", "quotes next to each other");
	split_is("a \"say \\\"hi\\\" \\\\ \\n\"", "[a][say \"hi\" \\ \\n]",
	    "escapes in double quotes: only \\\" and \\\\");
	split_is("a 'no \\ escape'", "[a][no \\ escape]",
	    "nothing escapes in single quotes");
	split_is("a b\\ c", "[a][b c]", "a backslash outside quotes");
	split_is("a '$(touch pwned)' $HOME *", "[a][$(touch pwned)][$HOME][*]",
	    "no substitution, variable or glob");
	split_is("a \"\" b", "[a][][b]", "an empty word");
	split_is("a # comment", "[a]", "a comment");
	split_is("a#b", "[a#b]", "# inside a word");
	split_is("a 'unterminated", "unterminated ' quote", "unterminated '");
	split_is("a \"unterminated", "unterminated \" quote", "unterminated \"");
	split_is("a \\", "a backslash ends the command", "a trailing backslash");
	split_is("", "no command", "empty");
	split_is("   # only a comment", "no command", "only a comment");
}

static void
remote_is(const char *in, const char *uri, const char *display)
{
	char	 u[64], d[64];

	hook_split_remote(in, u, sizeof u, d, sizeof d);
	is_str(u, uri, "remote %s: uri", in);
	is_str(d, display, "remote %s: display", in);
}

static void
test_remote(void)
{
	remote_is("sip:a@b", "sip:a@b", "");
	remote_is("<sip:a@b>", "sip:a@b", "");
	remote_is("Alice <sip:a@b>", "sip:a@b", "Alice");
	remote_is("\"Alice Smith\" <sip:a@b;transport=tcp>",
	    "sip:a@b;transport=tcp", "Alice Smith");
	remote_is("\"\\\"; rm -rf ~\" <sip:x@y>", "sip:x@y", "\"; rm -rf ~");
	remote_is("\"$(touch pwned)\" <sip:x@y>", "sip:x@y", "$(touch pwned)");
}

static void
start(const char *incoming, const char *missed, int timeout)
{
	struct conf	*c = conf_default();
	char		*cause = NULL;

	c->hook_incoming = incoming != NULL ? xstrdup(incoming) : NULL;
	c->hook_missed = missed != NULL ? xstrdup(missed) : NULL;
	c->hook_timeout = timeout;
	ok(hook_start(c, &cause) == 0, "hook_start: %s",
	    cause != NULL ? cause : "ok");
	free(cause);
	conf_free(c);
	clear_log();
}

static void
test_vars(void)
{
	char	 pwned[64];

	start("printenv TSPHONE_EVENT TSPHONE_ACCOUNT TSPHONE_REMOTE "
	    "TSPHONE_DISPLAY TSPHONE_CALL_ID", "printenv TSPHONE_EVENT "
	    "TSPHONE_DISPLAY", 10);
	/* the hook's own working directory is ours: "pwned" would be here */
	snprintf(pwned, sizeof pwned, "pwned");
	unlink(pwned);
	setenv("TSPHONE_DISPLAY", "from our own environment", 1);
	call_event(1, CALL_INCOMING, CALL_OUTCOME_NONE,
	    "\"$(touch pwned)\" <sip:eve@example.com>", "");
	ok(run_until(none_running, 5000), "incoming: the hook ran and ended");
	ok(log_has("hook incoming: incoming\n"), "TSPHONE_EVENT=incoming");
	ok(log_has("hook incoming: home\n"), "TSPHONE_ACCOUNT");
	ok(log_has("hook incoming: sip:eve@example.com\n"), "TSPHONE_REMOTE: "
	    "the URI alone");
	ok(log_has("hook incoming: $(touch pwned)\n"), "TSPHONE_DISPLAY: the "
	    "hostile name, as text");
	ok(log_has("hook incoming: cid-1\n"), "TSPHONE_CALL_ID");
	ok(!log_has("from our own environment"), "our own TSPHONE_* are not "
	    "passed on");
	ok(access(pwned, F_OK) != 0, "nothing was executed: no file pwned");
	unsetenv("TSPHONE_DISPLAY");

	clear_log();
	call_event(1, CALL_INCOMING, CALL_OUTCOME_NONE,
	    "\"$(touch pwned)\" <sip:eve@example.com>", "");
	call_event(1, CALL_TERMINATED, CALL_OUTCOME_REJECTED,
	    "\"$(touch pwned)\" <sip:eve@example.com>", "");
	call_event(2, CALL_TERMINATED, CALL_OUTCOME_MISSED,
	    "\"\\\"; rm -rf ~\" <sip:mallory@example.com>", "");
	call_event(2, CALL_TERMINATED, CALL_OUTCOME_MISSED,
	    "\"\\\"; rm -rf ~\" <sip:mallory@example.com>", "");
	ok(run_until(none_running, 5000), "the hooks ran and ended");
	is_int(log_count("hook incoming:"), 0, "a call shown again does not "
	    "run incoming again");
	is_int(log_count("hook missed: missed\n"), 1, "missed: once, on the "
	    "outcome (not on a rejected call)");
	ok(log_has("hook missed: \"; rm -rf ~\n"), "missed: the quote and "
	    "semicolon are text");

	clear_log();
	call_event(3, CALL_INCOMING, CALL_OUTCOME_NONE, "Bob <sip:bob@b>",
	    "Bob from the contacts");
	ok(run_until(none_running, 5000), "a contact's name: ran");
	ok(log_has("hook incoming: Bob from the contacts\n"),
	    "TSPHONE_DISPLAY: the event's display name first");
	call_event(4, CALL_INCOMING, CALL_OUTCOME_NONE, "<sip:x@y>", "");
	ok(run_until(none_running, 5000), "no display name: ran");
	hook_stop();
}

static void
test_bounds(void)
{
	struct hook_vars	 v = { "home", "sip:a@b", "A", "c", NULL };
	uint64_t		 t0;
	int			 i;

	/* the timeout: SIGTERM to the group, logged */
	start("sleep 60", NULL, 1);
	t0 = util_now_ms();
	is_int(hook_run(HOOK_INCOMING, &v), 0, "a hanging hook starts");
	is_int(hook_run(HOOK_MISSED, &v), 1, "no missed hook: nothing to run");
	ok(run_until(none_running, 5000), "the hanging hook is killed");
	ok(util_now_ms() - t0 >= 1000 && util_now_ms() - t0 < 3000,
	    "after the 1 s timeout (%lu ms)",
	    (unsigned long)(util_now_ms() - t0));
	ok(log_has("hook incoming: still running after 1 s: killed"),
	    "the kill is logged");
	hook_stop();

	/* at most HOOK_MAX_RUNNING at once */
	start("sleep 60", NULL, 10);
	for (i = 0; i < HOOK_MAX_RUNNING; i++)
		is_int(hook_run(HOOK_INCOMING, &v), 0, "hook %d starts", i + 1);
	is_int(hook_run(HOOK_INCOMING, &v), -1, "one more is dropped");
	ok(log_has("not run: 4 hooks are running already"), "and logged");
	is_int(hook_running(), HOOK_MAX_RUNNING, "four run");
	hook_stop();
	is_int(hook_running(), 0, "hook_stop lets them go");

	/* output: line by line, bounded */
	start("seq 1 3000", NULL, 10);
	is_int(hook_run(HOOK_INCOMING, &v), 0, "a chatty hook starts");
	ok(run_until(none_running, 5000), "it ends");
	ok(log_has("hook incoming: 1\n") && log_has("hook incoming: 100\n"),
	    "its output is logged line by line");
	ok(log_has("more output than 4096 bytes"), "up to a bound");
	ok(!log_has("hook incoming: 3000\n"), "the rest is dropped");
	hook_stop();

	/* failures */
	start("/nonexistent/hook", "false", 10);
	is_int(hook_run(HOOK_INCOMING, &v), -1, "a missing program: -1");
	ok(log_has("hook incoming: cannot run /nonexistent/hook"), "logged");
	is_int(hook_run(HOOK_MISSED, &v), 0, "false starts");
	ok(run_until(none_running, 5000), "and ends");
	ok(log_has("hook missed: exit status 1"), "its exit status is logged");
	hook_stop();

	/* a hook that hands its output to a child and exits at once */
	start("sh -c 'sleep 3 & echo parent done'", NULL, 10);
	t0 = util_now_ms();
	is_int(hook_run(HOOK_INCOMING, &v), 0, "a forking hook starts");
	ok(run_until(none_running, 2500), "it is done when it exits, "
	    "not when its child does");
	ok(log_has("hook incoming: parent done\n"), "its output is logged");
	hook_stop();
}

int
main(void)
{
	char	*cause = NULL;
	int	 id;

	test_split();
	test_remote();
	if (loop_init(&cause) != 0) {
		printf("Bail out! loop_init: %s\n", cause);
		return 99;
	}
	until_timer = loop_timer_new(until_check, NULL);
	id = event_observe(observe, NULL);
	test_vars();
	test_bounds();
	event_unobserve(id);
	loop_timer_free(until_timer);
	loop_free();
	clear_log();
	return done_testing();
}
