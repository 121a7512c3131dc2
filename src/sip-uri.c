/*
 * sip-uri.c: URI checks for the config and the command parser, using
 * Sofia's url_d() so that what we accept is what the stack will accept.
 */
#include "config.h"

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

char *
sip_uri_target(const struct conf_account *ca, const char *s, char **cause)
{
	char	*uri, *domain;

	if (strncasecmp(s, "sip:", 4) == 0 || strncasecmp(s, "sips:", 5) == 0)
		uri = xstrdup(s);
	else if (strchr(s, '@') != NULL)
		xasprintf(&uri, "sip:%s", s);
	else {
		domain = sip_uri_domain(ca->uri);
		if (domain == NULL) {
			xasprintf(cause, "account %s has no domain", ca->name);
			return NULL;
		}
		xasprintf(&uri, "sip:%s@%s", s, domain +
		    (strncmp(domain, "sips:", 5) == 0 ? 5 : 4));
		free(domain);
	}
	if (sip_uri_check(uri, cause) != 0) {
		free(uri);
		return NULL;
	}
	return uri;
}
