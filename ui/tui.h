/*
 * tui.h: the full-screen front end, as main() sees it. Curses stays
 * behind this header (tui-int.h is the one that includes it), so main.c
 * and the core never see a curses type.
 */
#ifndef TSP_TUI_H
#define TSP_TUI_H

#include <stdio.h>

struct conf;

/*
 * Take the terminal: send standard error to STDERR_PATH (the log file),
 * start curses, install the event sink and watch standard input. The
 * key bindings come from CONF's [keys]. Returns 0, or -1 with *cause and
 * the terminal as it was (the caller may fall back to line mode).
 */
int	 tui_start(const struct conf *, const char *stderr_path, char **cause);
/* Give the terminal back (idempotent); standard error is restored. */
void	 tui_stop(void);
/* Print the key table with CONF's [keys] applied: KEY NAME HELP. */
void	 tui_keys_dump(FILE *, const struct conf *);

#endif
