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
	cmd_h		 handler;
};

const struct cmd_entry	*cmd_table(int *n);
const struct cmd_entry	*cmd_find(const char *name);

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
