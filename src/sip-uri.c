/*
 * sip-uri.c: URI checks for the config and the command parser, using
 * Sofia's url_d() so that what we accept is what the stack will accept.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "conf.h"
#include "sip-uri.h"
#include "util.h"

/* Parse into a scratch home; returns NULL (and *cause) when unusable. */
static url_t *
sip_uri_parse(su_home_t *home, const char *s, char **cause)
{
	url_t	*url;
	char	*copy;

	if (s == NULL || *s == '\0') {
		if (cause != NULL)
			*cause = xstrdup("empty URI");
		return NULL;
	}
	if (strpbrk(s, " \t\r\n<>\"") != NULL) {
		if (cause != NULL)
			xasprintf(cause, "bad URI \"%s\": contains spaces, quotes or angle brackets", s);
		return NULL;
	}
	copy = su_strdup(home, s);
	url = url_make(home, copy);
	if (url == NULL || (url->url_type != url_sip && url->url_type != url_sips)) {
		if (cause != NULL)
			xasprintf(cause, "bad URI \"%s\": expected sip:user@host or sips:user@host", s);
		return NULL;
	}
	if (url->url_host == NULL || *url->url_host == '\0') {
		if (cause != NULL)
			xasprintf(cause, "bad URI \"%s\": no host", s);
		return NULL;
	}
	if (url->url_port != NULL) {
		char	*end;
		long	 port = strtol(url->url_port, &end, 10);

		if (*url->url_port == '\0' || *end != '\0' || port < 1 || port > 65535) {
			if (cause != NULL)
				xasprintf(cause, "bad URI \"%s\": bad port", s);
			return NULL;
		}
	}
	return url;
}

int
sip_uri_check(const char *s, char **cause)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	int		 rc = sip_uri_parse(home, s, cause) != NULL ? 0 : -1;

	su_home_deinit(home);
	return rc;
}

char *
sip_uri_user(const char *s)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*url = sip_uri_parse(home, s, NULL);
	char		*user = NULL;

	if (url != NULL && url->url_user != NULL && *url->url_user != '\0')
		user = xstrdup(url->url_user);
	su_home_deinit(home);
	return user;
}

char *
sip_uri_domain(const char *s)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*url = sip_uri_parse(home, s, NULL);
	char		*out = NULL;

	if (url != NULL) {
		const char *scheme = url->url_type == url_sips ? "sips" : "sip";

		if (url->url_port != NULL)
			xasprintf(&out, "%s:%s:%s", scheme, url->url_host, url->url_port);
		else
			xasprintf(&out, "%s:%s", scheme, url->url_host);
	}
	su_home_deinit(home);
	return out;
}

char *
sip_uri_with_transport(const char *s, const char *transport)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*url = sip_uri_parse(home, s, NULL);
	char		*out;

	if (url == NULL || transport == NULL ||
	    url_has_param(url, "transport"))
		out = xstrdup(s);
	else
		xasprintf(&out, "%s;transport=%s", s, transport);
	su_home_deinit(home);
	return out;
}

char *
sip_uri_route(const char *s)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	url_t		*url = sip_uri_parse(home, s, NULL);
	char		*out;

	if (url != NULL && !url_has_param(url, "lr"))
		xasprintf(&out, "<%s;lr>", s);
	else
		xasprintf(&out, "<%s>", s);
	su_home_deinit(home);
	return out;
}

/*
 * RFC 3261 25.1: an hvalue (the value of a header carried in a URI, as
 * "?Replaces=...") may hold only unreserved characters and
 * hnv-unreserved ones; everything else, ';' and '=' and '@' of a
 * Call-ID included, is %HH-escaped.
 */
char *
sip_uri_header_escape(const char *s)
{
	static const char	 keep[] = "-_.!~*'()[]/?:+$";
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out = xmalloc(strlen(s) * 3 + 1), *q = out;
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL)
			*q++ = (char)*p;
		else {
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 15];
		}
	}
	*q = '\0';
	return out;
}

/*
 * Dial strings as people type them. Three shapes:
 *
 *   sip:/sips:  a URI, taken as it is once it parses with a host;
 *   tel:        RFC 3966, dialled at the account's domain with
 *               ";user=phone" (RFC 3261 19.1.6);
 *   user@host   a URI without its scheme;
 *   a number    (+, digits, * and #, with the blanks, dashes, dots and
 *               parentheses people write between groups) or a user
 *               name, at the account's domain.
 *
 * Only what looks like a phone number loses its separators: "alice.smith"
 * and "sip:a.b@x" stay as they are.
 */

/* Separators people put between groups of digits (RFC 3966 visual
 * separators, plus blanks). */
static bool
sip_uri_separator(char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' ||
	    c == ')';
}

/* A dotted-quad IPv4 address (dialled as a host, not as a number). */
static bool
sip_uri_ipv4(const char *s)
{
	int	 groups = 0, digits = 0, value = 0;

	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			value = value * 10 + (*s - '0');
			if (++digits > 3 || value > 255)
				return false;
		} else if (*s == '.' || *s == '\0') {
			if (digits == 0)
				return false;
			groups++;
			digits = value = 0;
			if (*s == '\0')
				break;
		} else
			return false;
	}
	return groups == 4;
}

char *
sip_uri_number(const char *s)
{
	const char	*p;
	char		*out, *q;
	int		 digits = 0, open = 0;
	bool		 plus = false;

	if (s == NULL || sip_uri_ipv4(s))
		return NULL;
	for (p = s; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '+') {
			/* Only in front, before any digit. */
			if (plus || digits > 0 || open > 0)
				return NULL;
			plus = true;
		} else if (*p == '(')
			open++;
		else if (*p == ')') {
			if (--open < 0)
				return NULL;
		} else if (*p != '*' && *p != '#' && !sip_uri_separator(*p))
			return NULL;
	}
	if (digits == 0 || open != 0)
		return NULL;
	out = q = xmalloc(strlen(s) + 1);
	for (p = s; *p != '\0'; p++) {
		/* "+49 (0)30 ...": the trunk prefix in brackets is not
		 * dialled after a country code. */
		if (plus && strncmp(p, "(0)", 3) == 0) {
			p += 2;
			continue;
		}
		if (!sip_uri_separator(*p))
			*q++ = *p;
	}
	*q = '\0';
	return out;
}

/* The user part of a request URI: '#' must be escaped (RFC 3261 25.1). */
static char *
sip_uri_escape_user(const char *user)
{
	char	*out = xmalloc(strlen(user) * 3 + 1), *q = out;

	for (; *user != '\0'; user++) {
		if (*user == '#') {
			memcpy(q, "%23", 3);
			q += 3;
		} else
			*q++ = *user;
	}
	*q = '\0';
	return out;
}

/* The host[:port] of account CA's URI, or NULL with *cause. */
static char *
sip_uri_account_host(const struct conf_account *ca, char **cause)
{
	char	*domain, *host;

	if (ca == NULL || (domain = sip_uri_domain(ca->uri)) == NULL) {
		xasprintf(cause, "account %s has no domain",
		    ca != NULL ? ca->name : "(none)");
		return NULL;
	}
	host = xstrdup(domain + (strncmp(domain, "sips:", 5) == 0 ? 5 : 4));
	free(domain);
	return host;
}

/*
 * "tel:+49-30-123456;ext=22" as "+4930123456;ext=22": the number without
 * its visual separators, and the parameters worth keeping at a SIP domain
 * (ext and isub, as user parameters, RFC 3261 19.1.6). phone-context is
 * dropped (the account's domain is the context) and so is anything else.
 */
static char *
sip_uri_tel_user(const char *s, char **cause)
{
	const char	*body = s + 4, *semi, *p;
	char		*number, *num, *user, *out, *param;
	size_t		 nlen;

	if (*body == '\0') {
		xasprintf(cause, "bad target \"%s\": no number after tel:", s);
		return NULL;
	}
	if (strpbrk(body, " \t\r\n<>\"@") != NULL) {
		xasprintf(cause, "bad target \"%s\": a tel: URI holds only a "
		    "number and parameters", s);
		return NULL;
	}
	semi = strchr(body, ';');
	nlen = semi != NULL ? (size_t)(semi - body) : strlen(body);
	number = xstrndup(body, nlen);
	/* The same digits and visual separators as a typed number (the
	 * blanks were refused above). */
	num = sip_uri_number(number);
	if (num == NULL || (num[0] == '+' && num[1] == '\0')) {
		xasprintf(cause, "bad target \"%s\": \"%s\" is not a phone "
		    "number", s, number);
		free(number);
		free(num);
		return NULL;
	}
	free(number);
	user = sip_uri_escape_user(num);
	free(num);
	for (p = semi; p != NULL && *p == ';'; p = strchr(p + 1, ';')) {
		size_t	 len = strcspn(p + 1, ";");
		char	*value;

		if (strncasecmp(p + 1, "ext=", 4) != 0 &&
		    strncasecmp(p + 1, "isub=", 5) != 0)
			continue;
		param = xstrndup(p + 1, len);
		value = strchr(param, '=') + 1;
		/* Visual separators go from an extension too. */
		if (strncasecmp(param, "ext=", 4) == 0) {
			char *v = sip_uri_number(value);

			if (v == NULL || *v == '\0') {
				xasprintf(cause, "bad target \"%s\": bad "
				    "extension \"%s\"", s, value);
				free(v);
				free(param);
				free(user);
				return NULL;
			}
			value[0] = '\0';
			xasprintf(&out, "%s;%s%s", user, param, v);
			free(v);
		} else
			xasprintf(&out, "%s;%s", user, param);
		free(param);
		free(user);
		user = out;
	}
	return user;
}

/*
 * Check the parts of "[scheme:]user@host...": one '@' at most, with
 * something on both sides, and a host of host characters.
 */
static int
sip_uri_check_parts(const char *s, const char *rest, char **cause)
{
	size_t		 ulen = strcspn(rest, "?");	/* not the headers */
	const char	*at = memchr(rest, '@', ulen), *host = rest, *end;
	size_t		 len;

	if (at != NULL) {
		if (memchr(at + 1, '@', ulen - (size_t)(at + 1 - rest)) != NULL) {
			xasprintf(cause, "bad target \"%s\": more than one @", s);
			return -1;
		}
		if (at == rest) {
			xasprintf(cause, "bad target \"%s\": no user before @", s);
			return -1;
		}
		host = at + 1;
	}
	len = strcspn(host, ";?");
	if (len == 0) {
		xasprintf(cause, "bad target \"%s\": no host%s", s,
		    at != NULL ? " after @" : "");
		return -1;
	}
	if (*host == '[') {
		end = memchr(host, ']', len);
		if (end == NULL || end == host + 1) {
			xasprintf(cause, "bad target \"%s\": bad IPv6 address", s);
			return -1;
		}
		len -= (size_t)(end + 1 - host);
		host = end + 1;
		if (len > 0 && *host != ':') {
			xasprintf(cause, "bad target \"%s\": bad host", s);
			return -1;
		}
	}
	for (; len > 0; host++, len--) {
		if ((*host >= 'a' && *host <= 'z') ||
		    (*host >= 'A' && *host <= 'Z') ||
		    (*host >= '0' && *host <= '9') ||
		    *host == '-' || *host == '.' || *host == ':')
			continue;
		xasprintf(cause, "bad target \"%s\": '%c' in the host", s, *host);
		return -1;
	}
	return 0;
}

char *
sip_uri_target(const struct conf_account *ca, const char *s, char **cause)
{
	char		*uri = NULL, *host, *user, *trimmed;
	const char	*rest = NULL;
	size_t		 len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	trimmed = xstrndup(s, len);
	s = trimmed;
	if (*s == '\0') {
		*cause = xstrdup("no target");
		goto out;
	}

	if (strncasecmp(s, "tel:", 4) == 0) {
		if ((user = sip_uri_tel_user(s, cause)) == NULL)
			goto out;
		if ((host = sip_uri_account_host(ca, cause)) == NULL) {
			free(user);
			goto out;
		}
		xasprintf(&uri, "sip:%s@%s;user=phone", user, host);
		free(user);
		free(host);
	} else if (strncasecmp(s, "sip:", 4) == 0)
		rest = s + 4;
	else if (strncasecmp(s, "sips:", 5) == 0)
		rest = s + 5;
	else if (strchr(s, '@') != NULL || sip_uri_ipv4(s)) {
		rest = s;
	} else if ((user = sip_uri_number(s)) != NULL) {
		char *esc = sip_uri_escape_user(user);

		free(user);
		if ((host = sip_uri_account_host(ca, cause)) == NULL) {
			free(esc);
			goto out;
		}
		xasprintf(&uri, "sip:%s@%s", esc, host);
		free(esc);
		free(host);
	} else {
		if (strpbrk(s, " \t\r\n<>\"") != NULL) {
			xasprintf(cause, "bad target \"%s\": spaces, quotes or "
			    "angle brackets in a name", s);
			goto out;
		}
		if ((host = sip_uri_account_host(ca, cause)) == NULL)
			goto out;
		xasprintf(&uri, "sip:%s@%s", s, host);
		free(host);
	}

	if (rest != NULL) {
		if (strpbrk(s, " \t\r\n<>\"") != NULL) {
			xasprintf(cause, "bad target \"%s\": spaces, quotes or "
			    "angle brackets in a URI", s);
			goto out;
		}
		if (*rest == '\0') {
			xasprintf(cause, "bad target \"%s\": nothing after the "
			    "scheme", s);
			goto out;
		}
		if (sip_uri_check_parts(s, rest, cause) != 0)
			goto out;
		if (rest == s)
			xasprintf(&uri, "sip:%s", s);
		else
			uri = xstrdup(s);
	}
	if (sip_uri_check(uri, cause) != 0) {
		free(uri);
		uri = NULL;
	}
out:
	free(trimmed);
	return uri;
}
