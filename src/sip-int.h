/*
 * sip-int.h: what the sip-*.c files share among themselves: the Sofia
 * magic types, the tagged handle context and the handle registry. Only
 * sip-*.c include it.
 */
#ifndef TSP_SIP_INT_H
#define TSP_SIP_INT_H

#include <stdbool.h>
#include <stddef.h>

struct sip_handle;

#define NUA_MAGIC_T		void
#define NUA_HMAGIC_T		struct sip_handle
#define SU_ROOT_MAGIC_T		void

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag.h>

enum sip_handle_kind {
	SIP_HANDLE_REG,
	SIP_HANDLE_CALL,
	SIP_HANDLE_ORPHAN,	/* a request nobody owns: answered, then freed */
	SIP_HANDLE_PUB,		/* our PUBLISH (sip-pub.c) */
	SIP_HANDLE_PRES,	/* a watcher subscribed to us (sip-pres.c) */
	SIP_HANDLE_SUB,		/* a subscription of ours (sip-sub.c) */
	SIP_HANDLE_KA,		/* a registration's keep-alive (sip-reg.c) */
};

/*
 * Every handle we hold is bound to one of these (first member of its
 * owner's struct), so the callback can dispatch, and is on the registry,
 * so it is counted and destroyed exactly once.
 */
struct sip_handle {
	enum sip_handle_kind	 kind;
	nua_handle_t		*nh;		/* NULL once destroyed */
	bool			 reap;		/* orphan: destroy when deferred */
	struct sip_handle	*prev, *next;
};

struct conf_account;
struct sip_cred;

nua_t	*sip_ua_nua(void);
/* The configured listen host ("0.0.0.0" for any). */
const char *sip_ua_listen_host(void);
/* True when TLS servers are verified; *CA_FILE is the CA bundle (NULL:
 * the system store). */
bool	 sip_ua_tls_verifying(const char **ca_file);

/* Registry: H takes NH (binds it, counts it). */
void	 sip_ua_handle_add(struct sip_handle *, nua_handle_t *);
/* Unbind and destroy H's handle, once; never from a callback for it. */
void	 sip_ua_handle_destroy(struct sip_handle *);

/* At shutdown: H's handle was destroyed; free its owner if let go. */
void	 sip_call_gone(struct sip_handle *);
void	 sip_reg_gone(struct sip_handle *);
void	 sip_pub_gone(struct sip_handle *);
void	 sip_pres_gone(struct sip_handle *);

void	 sip_pub_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);
/*
 * SUBSCRIBE to us and what follows (our NOTIFYs' answers), on a watcher's
 * handle or, for a new SUBSCRIBE, H NULL: then it binds the handle when
 * it takes the subscription (else the caller makes it an orphan).
 */
void	 sip_pres_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);
void	 sip_sub_gone(struct sip_handle *);

/* The ";transport=" value for ACCOUNT's requests, NULL for UDP. */
const char *sip_reg_transport(const struct conf_account *);
/* "Display" <uri> for From headers. Caller frees. */
char	*sip_reg_from(const struct conf_account *);
/* Did the stack make this answer up (timeout, transport error)? */
bool	 sip_reg_local(sip_t const *);
/*
 * Where ACCOUNT's requests other than REGISTER go first (its proxy, or a
 * registrar apart from its domain), as a URI, or NULL. Caller frees.
 */
char	*sip_call_route(const struct conf_account *);

void	 sip_reg_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);
/* The answers to a registration's keep-alive OPTIONS. */
void	 sip_reg_ka_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);
/* At shutdown: the keep-alive handle was destroyed. */
void	 sip_reg_ka_gone(struct sip_handle *);
void	 sip_sub_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);
/* Where ACCOUNT's requests outside a dialog go first (a URI with the
 * account's transport), or NULL: straight to the request URI. */
char	*sip_call_route(const struct conf_account *);

/*
 * A MESSAGE, or a NOTIFY the stack left to us (status < 200: no
 * subscription of ours), on any handle: answered and reported here.
 */
void	 sip_msg_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, sip_t const *);
/* "Name" <sip:uri> or sip:uri, from a From/To header, into OUT. */
void	 sip_call_party(sip_addr_t const *, char *out, size_t len);

/* Call handles, and new incoming INVITEs (H == NULL). */
void	 sip_call_event(nua_event_t, int status, char const *phrase,
	    nua_handle_t *, struct sip_handle *, sip_t const *, tagi_t *tags);

/*
 * What a request's body offers (sip-body.c): the session description (a
 * part of it, for a multipart body), or a reason to refuse the request.
 */
struct sip_body {
	int		 code;		/* 0: go on; else answer it (400, 415) */
	char		 why[160];	/* the reason, in words */
	const char	*sdp;		/* the offer (not NUL-terminated), */
	size_t		 sdp_len;	/* or NULL: there is none */
};
/* Read SIP's body; parts parsed here are allocated in HOME. */
void	 sip_body_read(su_home_t *, sip_t const *, struct sip_body *);

/*
 * Answer a 401/407 on NH with CRED. Returns 0 when credentials were
 * sent, or -1 with *cause (no secret, no usable challenge).
 */
int	 sip_auth_answer(nua_handle_t *, sip_t const *, const struct sip_cred *,
	    char **cause);

#endif
