/*
 * cmd.c: the command table and the command-line splitter. Handlers check
 * their arguments and call into phone.c; failures come back as a cause
 * string and leave as an EVENT_ERROR naming the command.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "event.h"
#include "log.h"
#include "phone.h"
#include "util.h"

static int	 cmd_register(int, char **, char **);
static int	 cmd_unregister(int, char **, char **);
static int	 cmd_status(int, char **, char **);
static int	 cmd_quit(int, char **, char **);
static int	 cmd_help(int, char **, char **);

static const struct cmd_entry cmd_entries[] = {
	{ "register", "[ACCOUNT]", 0, 1,
	  "register ACCOUNT (default: every account), resetting its retry backoff",
	  cmd_register },
	{ "unregister", "[ACCOUNT]", 0, 1,
	  "remove the registration of ACCOUNT (default: every account)",
	  cmd_unregister },
	{ "status", "", 0, 0,
	  "report the state of every account and call as events",
	  cmd_status },
	{ "help", "[COMMAND]", 0, 1,
	  "list the commands, or describe one",
	  cmd_help },
	{ "quit", "", 0, 0,
	  "hang up, unregister (waiting briefly for the registrar) and exit",
	  cmd_quit },
};

const struct cmd_entry *
cmd_table(int *n)
{
	*n = (int)nitems(cmd_entries);
	return cmd_entries;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(cmd_entries); i++) {
		if (strcmp(cmd_entries[i].name, name) == 0)
			return &cmd_entries[i];
	}
	return NULL;
}

void
cmd_free_argv(int argc, char **argv)
{
	int	 i;

	if (argv == NULL)
		return;
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int
cmd_split(const char *line, int *argc, char ***argv, char **cause)
{
	const char	*p = line;
	char		**v = NULL, *word;
	size_t		 len;
	int		 n = 0;

	word = xmalloc(strlen(line) + 1);
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		len = 0;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n') {
			if (*p != '"') {
				word[len++] = *p++;
				continue;
			}
			p++;
			while (*p != '"') {
				if (*p == '\0') {
					*cause = xstrdup("missing closing quote");
					free(word);
					cmd_free_argv(n, v);
					return -1;
				}
				if (*p == '\\' && p[1] != '\0')
					p++;
				word[len++] = *p++;
			}
			p++;
		}
		word[len] = '\0';
		v = xrealloc(v, sizeof *v * (size_t)(n + 2));
		v[n++] = xstrdup(word);
		v[n] = NULL;
	}
	free(word);
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	*argc = n;
	*argv = v;
	return 0;
}

int
cmd_execute(const char *line)
{
	const struct cmd_entry	*ce;
	char			**argv = NULL, *cause = NULL;
	const char		*p = line;
	int			 argc = 0, rc = -1;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || *p == '\r' || *p == '\n')
		return 0;
	if (cmd_split(line, &argc, &argv, &cause) != 0) {
		event_error("", "%s", cause);
		goto out;
	}
	if (argc == 0) {
		rc = 0;
		goto out;
	}
	ce = cmd_find(argv[0]);
	if (ce == NULL) {
		event_error(argv[0], "unknown command \"%s\" (try: help)", argv[0]);
		goto out;
	}
	if (argc - 1 < ce->min_args || argc - 1 > ce->max_args) {
		event_error(ce->name, "usage: %s%s%s", ce->name,
		    *ce->args != '\0' ? " " : "", ce->args);
		goto out;
	}
	rc = ce->handler(argc - 1, argv + 1, &cause);
	if (rc != 0) {
		event_error(ce->name, "%s", cause != NULL ? cause : "failed");
		rc = -1;
	}
out:
	free(cause);
	cmd_free_argv(argc, argv);
	return rc;
}

static int
cmd_register(int argc, char **argv, char **cause)
{
	return phone_register(argc > 0 ? argv[0] : NULL, cause);
}

static int
cmd_unregister(int argc, char **argv, char **cause)
{
	return phone_unregister(argc > 0 ? argv[0] : NULL, cause);
}

static int
cmd_status(int argc, char **argv, char **cause)
{
	phone_status();
	return 0;
}

/* Help goes out as log events so every front end shows it. */
static void
cmd_help_one(const struct cmd_entry *ce)
{
	log_info("%s%s%s: %s", ce->name, *ce->args != '\0' ? " " : "",
	    ce->args, ce->help);
}

static int
cmd_help(int argc, char **argv, char **cause)
{
	const struct cmd_entry	*ce;
	size_t			 i;

	if (argc > 0) {
		if ((ce = cmd_find(argv[0])) == NULL) {
			xasprintf(cause, "unknown command \"%s\"", argv[0]);
			return -1;
		}
		cmd_help_one(ce);
		return 0;
	}
	for (i = 0; i < nitems(cmd_entries); i++)
		cmd_help_one(&cmd_entries[i]);
	return 0;
}

static int
cmd_quit(int argc, char **argv, char **cause)
{
	phone_quit();
	return 0;
}
