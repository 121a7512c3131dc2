/*
 * test-cmd.c: the command splitter, the command table and the errors a
 * bad command line produces (as events, the way a front end sees them).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "event.h"
#include "tap.h"

static struct event	 last;
static int		 nevents;

static void
sink(const struct event *ev, void *arg)
{
	(void)arg;
	last = *ev;
	nevents++;
}

/* Run a command line and deliver what it emitted (the bus defers). */
static int
run(const char *line)
{
	int	 rc = cmd_execute(line);

	event_flush();
	return rc;
}

static void
split_is(const char *line, int want_argc, const char *const *want)
{
	char	**argv, *cause = NULL, shown[128];
	int	 argc, i, same;

	/* Keep the TAP line on one line: show control characters as '.'. */
	for (i = 0; line[i] != '\0' && i < (int)sizeof shown - 1; i++)
		shown[i] = (unsigned char)line[i] < 0x20 ? '.' : line[i];
	shown[i] = '\0';
	if (cmd_split(line, &argc, &argv, &cause) != 0) {
		ok(0, "split [%s]: %s", shown, cause);
		free(cause);
		return;
	}
	same = argc == want_argc && argv[argc] == NULL;
	for (i = 0; same && i < argc; i++)
		same = strcmp(argv[i], want[i]) == 0;
	ok(same, "split [%s] into %d words", shown, want_argc);
	cmd_free_argv(argc, argv);
}

static void
error_is(const char *line, const char *command, const char *message)
{
	nevents = 0;
	memset(&last, 0, sizeof last);
	is_int(run(line), -1, "[%s] fails", line);
	ok(nevents == 1 && last.kind == EVENT_ERROR, "[%s] emits one error event",
	    line);
	is_str(last.u.error.command, command, "[%s] error names the command", line);
	ok(strstr(last.u.error.message, message) != NULL,
	    "[%s] error says \"%s\" (got \"%s\")", line, message,
	    last.u.error.message);
}

int
main(void)
{
	const struct cmd_entry	*t;
	char			**argv, *cause = NULL;
	int			 n, i, argc;

	event_observe(sink, NULL);

	split_is("", 0, NULL);
	split_is("   \t ", 0, NULL);
	split_is("status", 1, (const char *const[]){ "status" });
	split_is("  register   alice  ", 2,
	    (const char *const[]){ "register", "alice" });
	split_is("dial \"sip:a b@x\" work", 3,
	    (const char *const[]){ "dial", "sip:a b@x", "work" });
	split_is("x \"q\\\"uote\\\\\"", 2,
	    (const char *const[]){ "x", "q\"uote\\" });
	split_is("a\"b c\"d", 1, (const char *const[]){ "ab cd" });
	split_is("a \"\" b", 3, (const char *const[]){ "a", "", "b" });
	split_is("quit\r\n", 1, (const char *const[]){ "quit" });

	is_int(cmd_split("dial \"open", &argc, &argv, &cause), -1,
	    "unterminated quote is refused");
	is_str(cause, "missing closing quote", "unterminated quote says why");
	free(cause);

	t = cmd_table(&n);
	ok(n >= 5, "the table has the commands");
	for (i = 0; i < n; i++) {
		ok(t[i].name != NULL && t[i].help != NULL && *t[i].help != '\0' &&
		    t[i].handler != NULL && t[i].min_args <= t[i].max_args,
		    "entry %s is complete", t[i].name);
		ok(cmd_find(t[i].name) == &t[i], "cmd_find(%s)", t[i].name);
	}
	ok(cmd_find("registe") == NULL, "no prefix matching");
	ok(cmd_find("quit") != NULL, "quit exists");
	ok(cmd_find("register") != NULL, "register exists");
	ok(cmd_find("unregister") != NULL, "unregister exists");
	ok(cmd_find("status") != NULL, "status exists");

	nevents = 0;
	is_int(run(""), 0, "empty line does nothing");
	is_int(run("   # a comment"), 0, "comment does nothing");
	is_int(nevents, 0, "no events for blanks and comments");

	error_is("frobnicate now", "frobnicate", "unknown command");
	error_is("status extra", "status", "usage: status");
	error_is("register a b", "register", "usage: register [ACCOUNT]");
	error_is("register \"a", "", "missing closing quote");
	/* The core is not started in this test: commands say so. */
	error_is("register alice", "register", "not running");
	error_is("help nosuch", "help", "unknown command \"nosuch\"");
	error_is("account", "account", "usage: account NAME");
	error_is("account work", "account", "not running");
	/* A number typed with blanks is one target; other words are not. */
	error_is("dial +49 30 1234-56", "dial", "not running");
	error_is("dial (030) 123 456", "dial", "not running");
	error_is("dial alice bob carol", "dial",
	    "bad target \"alice bob carol\": only a phone number may have blanks");
	error_is("dial +49 30 x 56", "dial", "only a phone number");
	/* A message's text is the line's rest: a lone quote is text. */
	error_is("message bob say \"hi", "message", "not running");
	error_is("message bob", "message", "usage: message");
	error_is("message -a work bob", "message", "no text");
	error_is("message -a work", "message", "usage: message");
	error_is("messages", "messages", "not kept");

	nevents = 0;
	is_int(run("help"), 0, "help succeeds");
	is_int(nevents, n, "help describes every command");
	ok(last.kind == EVENT_LOG && strstr(last.u.log.text, "quit") != NULL,
	    "help lines are log events");

	return done_testing();
}
