/*
 * sip-ua.h: the SIP user agent (Sofia nua) as seen by the rest of the
 * core: start, orderly shutdown, free. Sofia-free on purpose.
 */
#ifndef TSP_SIP_UA_H
#define TSP_SIP_UA_H

#include <stdbool.h>

struct conf;

/* Bind transports and start the stack. Returns 0, or -1 with *cause. */
int	 sip_ua_start(const struct conf *, bool trace, char **cause);
/* Start nua shutdown; DONE is called on the loop thread when finished. */
void	 sip_ua_shutdown(void (*done)(void));
void	 sip_ua_free(void);

#endif
