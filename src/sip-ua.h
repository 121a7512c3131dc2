/*
 * sip-ua.h: the SIP user agent (Sofia nua) as the core sees it: start,
 * orderly shutdown, free, and a count of the handles it holds.
 * Sofia-free on purpose.
 */
#ifndef TSP_SIP_UA_H
#define TSP_SIP_UA_H

#include <stdbool.h>

struct conf;

/* Bind transports and start the stack. Returns 0, or -1 with *cause. */
int	 sip_ua_start(const struct conf *, bool trace, char **cause);
/*
 * Destroy every handle left and start nua's shutdown; DONE(ARG) is called
 * (deferred, on the loop thread) when the stack has finished.
 */
void	 sip_ua_shutdown(void (*done)(void *), void *arg);
/* Free the stack; if its shutdown never finished, leave it be (its thread
 * may be stuck) rather than abort in nua_destroy. */
void	 sip_ua_free(void);
/* Live nua handles we own (a leak check for tests: status "handles"). */
int	 sip_ua_handles(void);

#endif
