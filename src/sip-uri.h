/*
 * sip-uri.h: URI checks and helpers backed by Sofia's URL parser, for the
 * parts of the core (config, commands) that must not include Sofia.
 */
#ifndef TSP_SIP_URI_H
#define TSP_SIP_URI_H

/*
 * Check that S is a usable sip: or sips: URI with a host. Returns 0, or -1
 * with *cause set to a message for the user (caller frees).
 */
int	 sip_uri_check(const char *s, char **cause);
/* The user part of a sip: URI, or NULL. Caller frees. */
char	*sip_uri_user(const char *s);
/* "sip:HOST[:PORT]" (or sips:) of a URI, or NULL. Caller frees. */
char	*sip_uri_domain(const char *s);

/*
 * URI with ";transport=T" appended when it has no transport parameter
 * and T is not NULL. Caller frees.
 */
char	*sip_uri_with_transport(const char *s, const char *transport);

/* "<URI;lr>" for a preloaded Route header (";lr" added if missing). */
char	*sip_uri_route(const char *s);

/*
 * S without the separators people type between groups of digits (blanks,
 * dashes, dots, parentheses), keeping a leading '+', when S looks like a
 * phone number (digits, '*', '#', those separators, and a '+' in front
 * only); NULL otherwise. Caller frees.
 */
char	*sip_uri_number(const char *s);

/* S escaped as the value of a header in a URI ("?Replaces=..."). Caller
 * frees. */
char	*sip_uri_header_escape(const char *s);

struct conf_account;
/*
 * A dial string as people type it (a sip:/sips: URI, user@host, a tel:
 * URI, or a number or user name at account CA's domain) as a checked
 * request URI. Numbers lose their separators; a tel: URI becomes
 * sip:NUMBER@DOMAIN;user=phone. Caller frees; NULL with *cause (saying
 * what is wrong with S) when it is not usable: it is never dialled.
 */
char	*sip_uri_target(const struct conf_account *, const char *s,
	    char **cause);

#endif
