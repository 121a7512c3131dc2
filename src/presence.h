/*
 * presence.h: our own presence, per account: the state the user chose
 * ("presence online|busy|away|offline [NOTE]", online at start), busy
 * while a call of the account is under way, published to the server with
 * PUBLISH when the account says presence = yes (sip-pub.c), and served to
 * peers that subscribe to us (sip-pres.c). Every change of what an
 * account shows is an EVENT_PRESENCE with own = true. No Sofia type here;
 * calls are learned from the bus, never asked.
 */
#ifndef TSP_PRESENCE_H
#define TSP_PRESENCE_H

#include <stdbool.h>

#include "event.h"

struct account;

/*
 * Start with the phone's accounts LIST (kept, not owned): join the bus,
 * take SUBSCRIBEs (sip_pres_set_handler must come before the stack runs:
 * presence_init), publish for accounts with presence = yes.
 */
void	 presence_init(void);
void	 presence_start(struct account *list);
void	 presence_free(void);

/*
 * The user's state for every account: STATE is online, busy, away or
 * offline; NOTE (NULL or "": none) goes with it. Returns 0, or -1 with
 * *cause.
 */
int	 presence_set(const char *state, const char *note, char **cause);
/* The state the user chose (status). */
enum presence_state presence_chosen(void);
/* What account A shows now. */
enum presence_state presence_of(const struct account *);
/* Every account's presence again (status). */
void	 presence_emit_all(void);

/*
 * Quit: nothing changes any more; every publication is removed (PUBLISH
 * Expires 0) and every watcher gets a terminated NOTIFY saying offline.
 * DONE(ARG) is called (deferred) once all of that is answered, at once
 * when nothing was out.
 */
void	 presence_quit(void (*done)(void *), void *arg);
/* Removals or final NOTIFYs not answered yet. */
bool	 presence_pending(void);
/* Quit gave up waiting: forget them. */
void	 presence_abandon(void);

#endif
