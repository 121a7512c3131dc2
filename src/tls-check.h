/*
 * tls-check.h: check a TLS server's certificate the way a careful client
 * would (chain to a trusted CA, validity dates, host name or IP address),
 * off the loop thread, and report in plain words.
 *
 * Sofia-SIP drops a TLS connection whose certificate fails verification
 * without telling the application, which then sees a 408 half a minute
 * later; and it cannot match IP-address names. The phone runs this check
 * alongside its first TLS request to say at once what is wrong.
 */
#ifndef TSP_TLS_CHECK_H
#define TSP_TLS_CHECK_H

#include <stdbool.h>

/* What a check found. */
#define TLS_CHECK_OK		0	/* the certificate is good */
#define TLS_CHECK_BAD		(-1)	/* the certificate is refused: REASON */
#define TLS_CHECK_UNREACHABLE	(-2)	/* no TLS server to ask: REASON */

typedef void (*tls_check_h)(void *arg, int result, const char *reason);

struct tls_check;

/*
 * Check HOST:PORT (a DNS name or an IP literal) against the CA bundle
 * CA_FILE (NULL: the system store). DONE runs on the loop thread, unless
 * the check is cancelled first. Returns NULL with *cause on failure to
 * start.
 */
struct tls_check *tls_check_start(const char *host, int port,
	    const char *ca_file, tls_check_h done, void *arg, char **cause);
/* Forget a check; DONE will not be called. */
void	 tls_check_cancel(struct tls_check *);

/* Wait for the checks still running (at exit) and free them. */
void	 tls_check_shutdown(void);

/* Synchronous form, for tests and the checker thread: one of the
 * TLS_CHECK_ results, with REASON filled in unless it is OK. */
int	 tls_check_run(const char *host, int port, const char *ca_file,
	    int timeout_ms, char *reason, size_t len);

#endif
