/*
 * cmd.h: the command table, the one way a front end acts on the core.
 * The same table feeds line mode, the ':' prompt, the default keymap, the
 * help overlay and the man page check, so a command exists once.
 */
#ifndef TSP_CMD_H
#define TSP_CMD_H

/* Handlers return 0, or -1 with *cause set (the caller frees it). */
typedef int (*cmd_h)(int argc, char **argv, char **cause);

struct cmd_entry {
	const char	*name;
	const char	*args;		/* usage, e.g. "[ACCOUNT]" */
	int		 min_args;
	int		 max_args;
	const char	*help;		/* one line, for ? and the man page */
	cmd_h		 handler;	/* NULL for a key-only action */
	/*
	 * Default key in the full-screen interface (a key-string.h name),
	 * NULL for none. A command that needs arguments opens the ':'
	 * prompt with its name typed; one that does not runs at once.
	 */
	const char	*key;
};

/* The commands: line mode, the ':' prompt, tsphone(1) COMMANDS. */
const struct cmd_entry	*cmd_table(int *n);
const struct cmd_entry	*cmd_find(const char *name);
/*
 * Key-only actions of the full-screen interface (toggle hold, scroll the
 * log, ...): bound, remapped in [keys] and documented like commands, but
 * not commands (handler NULL).
 */
const struct cmd_entry	*cmd_actions(int *n);
/* A command or an action: what a [keys] line may bind. */
const struct cmd_entry	*cmd_find_bindable(const char *name);

/*
 * Split LINE into words: blanks separate, double quotes group, backslash
 * escapes the next character inside quotes. Returns 0 and a NULL-terminated
 * vector (free with cmd_free_argv), or -1 with *cause.
 */
int	 cmd_split(const char *line, int *argc, char ***argv, char **cause);
void	 cmd_free_argv(int argc, char **argv);

/*
 * Run one command line. Empty lines and '#' comments do nothing. Returns
 * 0, or -1 after emitting an EVENT_ERROR that names the command and says
 * why.
 */
int	 cmd_execute(const char *line);

#endif
