/*
 * sip-dns.h: where a SIP request goes first (RFC 3263), found by us
 * rather than by Sofia's resolver, off the loop thread (Sofia-free).
 *
 * A lookup's result comes back through the handler given, on the loop
 * thread and never from inside sip_dns_resolve. The SIP layer then hands
 * Sofia a route whose host is an IP literal, so Sofia never resolves.
 */
#ifndef TSP_SIP_DNS_H
#define TSP_SIP_DNS_H

#include <stdbool.h>

#define SIP_DNS_WHY_MAX		400

struct sip_dns_result {
	int	 error;			/* 0, or -1 with why */
	char	 why[SIP_DNS_WHY_MAX];	/* "cannot resolve HOST: ..." */
	char	 name[256];		/* the host the route names */
	char	 addr[64];		/* its address: numeric, no brackets */
	int	 port;
	char	 transport[8];		/* "udp", "tcp" or "tls" */
};

typedef void (*sip_dns_h)(const struct sip_dns_result *, void *arg);

struct sip_dns;

/*
 * Does URI (a sip: or sips: URI) need a lookup, i.e. is its host a name
 * rather than an IP literal? False for what cannot be parsed.
 */
bool	 sip_dns_needed(const char *uri);

/*
 * Resolve the next hop for URI. TRANSPORT ("udp", "tcp", "tls" or NULL)
 * is the account's transport when it is not UDP; a ";transport=" in URI
 * wins. Returns the lookup, or NULL with *cause when URI is unusable.
 */
struct sip_dns *sip_dns_resolve(const char *uri, const char *transport,
	    sip_dns_h, void *arg, char **cause);
/* Forget a lookup: its handler will not be called. NULL is fine. */
void	 sip_dns_cancel(struct sip_dns *);

/*
 * "<sip:ADDR:PORT;transport=T;lr>" for a preloaded Route to RESULT: an
 * IP literal, so Sofia never asks its own resolver. For TLS the host
 * stays the name (which Sofia checks the certificate against) and the
 * address goes in maddr. Caller frees.
 */
char	*sip_dns_route(const struct sip_dns_result *);

/* At exit: cancel every lookup; the threads still running are left. */
void	 sip_dns_shutdown(void);

#endif
