/*
 * fuzz-cmd.c: command lines (src/cmd.c) as typed in line mode, at the ':'
 * prompt or read from a script: the word splitter and the dispatcher.
 *
 * The core is not started here (stubs.c stands in for phone.c and call.c
 * and says so), so commands that need a running phone fail, as they do
 * before registration or while quitting; help and argument checking run
 * for real. Each input line is split and executed. Events go to a sink
 * that checks them and drops them.
 *
 * Promises checked: a split gives a NULL-terminated vector of argc words
 * or an error with a cause; cmd_execute returns 0 or -1, and -1 always
 * comes with exactly one EVENT_ERROR.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cmd.h"
#include "event.h"

#include "fuzz.h"

static int	 fuzz_cmd_errors;

static void
fuzz_cmd_sink(const struct event *ev, void *arg)
{
	(void)arg;
	switch (ev->kind) {
	case EVENT_ERROR:
		FUZZ_CHECK_STR(ev->u.error.command);
		FUZZ_CHECK_STR(ev->u.error.message);
		FUZZ_CHECK(ev->u.error.message[0] != '\0');
		fuzz_cmd_errors++;
		break;
	case EVENT_LOG:
		FUZZ_CHECK_STR(ev->u.log.text);
		break;
	default:
		break;
	}
}

static void
fuzz_cmd_line(const char *line)
{
	char	**argv = NULL, *cause = NULL;
	int	  argc = -1, i, rc;

	if (cmd_split(line, &argc, &argv, &cause) == 0) {
		FUZZ_CHECK(cause == NULL && argv != NULL && argc >= 0);
		for (i = 0; i < argc; i++)
			FUZZ_CHECK(argv[i] != NULL);
		FUZZ_CHECK(argv[argc] == NULL);
		if (argc > 0)
			(void)cmd_find_bindable(argv[0]);
		cmd_free_argv(argc, argv);
	} else {
		FUZZ_CHECK(cause != NULL && *cause != '\0');
		free(cause);
	}

	fuzz_cmd_errors = 0;
	rc = cmd_execute(line);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(fuzz_cmd_errors == (rc == -1 ? 1 : 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 observing;
	char		*text, *line, *nl;

	/* stubs.c's loop_defer delivers at once, so the count is exact. */
	if (!observing)
		observing = event_observe(fuzz_cmd_sink, NULL);
	text = fuzz_str(data, size);
	for (line = text; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		fuzz_cmd_line(line);
	}
	free(text);
	return 0;
}
