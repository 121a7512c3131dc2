/*
 * sip-reg.h: REGISTER transactions for one account (Sofia-free).
 *
 * A registration handle is created for an attempt and freed after a
 * failure or an un-REGISTER, so every attempt starts with clean
 * authentication state. Results are reported, after Sofia's callback has
 * returned, through the handler given at creation; what a result means
 * (retry, backoff, giving up) is account.c's business.
 */
#ifndef TSP_SIP_REG_H
#define TSP_SIP_REG_H

#include <stdbool.h>

struct conf_account;
struct sip_cred;
struct sip_reg;

enum sip_reg_result_kind {
	SIP_REG_OK,		/* registered or refreshed */
	SIP_REG_FAILED,		/* the attempt failed */
	SIP_REG_UNREGISTERED,	/* the un-REGISTER was answered */
};

struct sip_reg_result {
	enum sip_reg_result_kind kind;
	int		 code;		/* final SIP status */
	const char	*phrase;	/* its reason phrase */
	const char	*why;		/* our explanation, or NULL */
	bool		 local;		/* made up by the stack, not the server */
	int		 expires;	/* granted, on success */
	int		 retry_after;	/* seconds from Retry-After, or 0 */
};

typedef void (*sip_reg_h)(const struct sip_reg_result *, void *arg);

struct sip_reg *sip_reg_new(const struct conf_account *,
	    const struct sip_cred *, sip_reg_h, void *arg, char **cause);
/* Send (or refresh) the registration. Returns 0, or -1 with *cause. */
int	 sip_reg_send(struct sip_reg *, char **cause);
/* Send an un-REGISTER; true when its answer is awaited. */
bool	 sip_reg_unsend(struct sip_reg *);
/* Done with it: nothing more is reported; the handle goes after. */
void	 sip_reg_free(struct sip_reg *);

#endif
