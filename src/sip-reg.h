/*
 * sip-reg.h: REGISTER transactions for an account (Sofia-free interface).
 */
#ifndef TSP_SIP_REG_H
#define TSP_SIP_REG_H

#include <stdbool.h>

struct account;

/* Send (or refresh) the registration. Returns 0, or -1 with *cause. */
int	 sip_reg_send(struct account *, char **cause);
/* Send an un-REGISTER if there is a binding or one may be forming;
 * returns true when its answer is awaited. */
bool	 sip_reg_unsend(struct account *);
/* Forget the registration handle without sending anything. */
void	 sip_reg_drop(struct account *);

#endif
