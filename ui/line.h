/*
 * line.h: line mode (--line), the scripting front end: commands on
 * standard input, one JSON object per event on standard output.
 */
#ifndef TSP_LINE_H
#define TSP_LINE_H

/* Install the event sink and start reading stdin. Returns 0 or -errno. */
int	 line_start(void);
void	 line_stop(void);

#endif
