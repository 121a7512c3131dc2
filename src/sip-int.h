/*
 * sip-int.h: what the sip-*.c files share among themselves: the Sofia
 * magic types and the tagged handle context. Only sip-*.c include it.
 */
#ifndef TSP_SIP_INT_H
#define TSP_SIP_INT_H

#include <stdbool.h>

struct sip_handle;

#define NUA_MAGIC_T		void
#define NUA_HMAGIC_T		struct sip_handle
#define SU_ROOT_MAGIC_T		void

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag.h>

struct account;

enum sip_handle_kind {
	SIP_HANDLE_REG,
	SIP_HANDLE_CALL,
};

/* Every handle we bind starts with this, so the callback can dispatch. */
struct sip_handle {
	enum sip_handle_kind	 kind;
};

struct conf_account;

nua_t	*sip_ua_nua(void);
/* The configured listen host ("0.0.0.0" for any). */
const char *sip_ua_listen_host(void);
/* True when TLS servers are verified; *CA_FILE is the CA bundle (NULL:
 * the system store). */
bool	 sip_ua_tls_verifying(const char **ca_file);

/* The ";transport=" value for ACCOUNT's requests, NULL for UDP. */
const char *sip_reg_transport(const struct conf_account *);
/* "Display" <uri> for From headers. Caller frees. */
char	*sip_reg_from(const struct conf_account *);

void	 sip_reg_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);

/* Call handles, and new incoming INVITEs (H == NULL). */
void	 sip_call_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);

/*
 * Answer a 401/407 on NH with the account's credentials. Returns 0 when
 * credentials were sent, or -1 with *cause (no secret, no usable
 * challenge).
 */
int	 sip_auth_answer(nua_handle_t *, sip_t const *, const struct account *,
	    char **cause);

#endif
