/*
 * sip-auth.c: answering digest challenges (RFC 2617/3261 MD5, qop=auth).
 *
 * Credentials always go to Sofia in its "HA1+Digest" form: the plain form
 * splits on ':' and silently breaks passwords containing one, and the HA1
 * form lets users store only the hash (ha1 = ...). Sofia 1.12 has no
 * SHA-256 digest (RFC 8760), so a challenge set without MD5 is reported
 * as such rather than failing obscurely.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sip-int.h"

#include <sofia-sip/auth_digest.h>
#include <sofia-sip/msg_header.h>

#include "sip-call.h"
#include "util.h"

/* Is AU a Digest challenge with an algorithm we can answer? */
static int
sip_auth_usable(msg_auth_t const *au)
{
	char const	*alg;

	if (au->au_scheme == NULL || strcasecmp(au->au_scheme, "Digest") != 0)
		return 0;
	alg = msg_params_find(au->au_params, "algorithm=");
	if (alg == NULL)
		return 1;
	if (*alg == '"')
		alg++;
	return strncasecmp(alg, "MD5", 3) == 0;
}

int
sip_auth_answer(nua_handle_t *nh, sip_t const *sip, const struct sip_cred *a,
    char **cause)
{
	msg_auth_t const	*au = NULL, *list;
	char const		*realm;
	auth_hexmd5_t		 ha1;
	char			 cred[1024];
	const char		*user = a->username;

	if (a->password == NULL && a->ha1 == NULL) {
		*cause = xstrdup(a->error != NULL ? a->error :
		    "the server asks for a password and none is configured");
		return -1;
	}
	list = sip != NULL ? sip->sip_www_authenticate : NULL;
	if (list == NULL && sip != NULL)
		list = sip->sip_proxy_authenticate;
	for (; list != NULL; list = list->au_next) {
		if (sip_auth_usable(list)) {
			au = list;
			break;
		}
	}
	if (au == NULL) {
		int	 any = sip != NULL && (sip->sip_www_authenticate != NULL ||
		    sip->sip_proxy_authenticate != NULL);

		*cause = xstrdup(any ?
		    "the server offers no MD5 digest challenge (SHA-256 is not supported)" :
		    "challenge without an authenticate header");
		return -1;
	}
	realm = msg_params_find(au->au_params, "realm=");
	if (realm == NULL) {
		*cause = xstrdup("digest challenge without a realm");
		return -1;
	}
	if (strchr(user, ':') != NULL || strchr(realm, ':') != NULL) {
		*cause = xstrdup("user name or realm contains ':', which Sofia-SIP credentials cannot carry");
		return -1;
	}
	if (a->ha1 != NULL)
		util_strlcpy(ha1, a->ha1, sizeof ha1);
	else
		auth_digest_ha1(ha1, user, realm, a->password);
	snprintf(cred, sizeof cred, "HA1+Digest:%s:%s:HA1+%s", realm, user, ha1);
	nua_authenticate(nh, NUTAG_AUTH(cred), TAG_END());
	util_wipe(cred, sizeof cred);
	util_wipe(ha1, sizeof ha1);
	return 0;
}
