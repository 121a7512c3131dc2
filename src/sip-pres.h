/*
 * sip-pres.h: our presence served directly to peers that subscribe to us
 * (RFC 3856 notifier, RFC 6665), with no presence server in between
 * (Sofia-free interface).
 *
 * The SIP layer takes a SUBSCRIBE for "presence" at once (200), and
 * reports it, after Sofia's callback has returned, as a new watcher for
 * the core to serve: the core says which account it is for (a numeric
 * key) and gives the first document; later documents go to every watcher
 * of that key. Refreshes are answered by the SIP layer (the stack repeats
 * the last NOTIFY); an un-SUBSCRIBE or an expiry gets a terminated NOTIFY
 * and the watcher goes. SUBSCRIBEs for any other event package get 489
 * Bad Event with Allow-Events: presence (we are not a voicemail server).
 * More than 64 watchers at once are refused with 503 (a flood).
 * Watchers are the SIP layer's: the core knows them only by id and key.
 */
#ifndef TSP_SIP_PRES_H
#define TSP_SIP_PRES_H

#include "event.h"

enum sip_pres_report_kind {
	SIP_PRES_NEW,		/* a SUBSCRIBE to us: serve it (id) */
	SIP_PRES_ENDED,		/* a watcher is gone (id, key) */
};

struct sip_pres_report {
	enum sip_pres_report_kind kind;
	int		 id;		/* the watcher */
	int		 key;		/* ENDED: what it was served for, or -1 */
	char		 ruri_user[EVENT_NAME_MAX];	/* Request-URI user */
	char		 to_user[EVENT_NAME_MAX];
	char		 watcher[EVENT_TEXT_MAX];	/* "Name" <sip:...> */
	int		 expires;	/* NEW: seconds the SUBSCRIBE asked */
};

typedef void (*sip_pres_h)(const struct sip_pres_report *, void *arg);

/* Where reports go (set before sip_ua_start). */
void	 sip_pres_set_handler(sip_pres_h, void *arg);
/* Once the stack runs: take SUBSCRIBEs for presence. */
void	 sip_pres_start(void);
/*
 * Serve the new watcher ID for KEY with DOC (application/pidf+xml): its
 * first NOTIFY. Returns 0, or -1 when the watcher is gone already.
 */
int	 sip_pres_serve(int id, int key, const char *doc);
/* NOTIFY DOC to every watcher of KEY; returns how many there are. */
int	 sip_pres_update(int key, const char *doc);
/*
 * End every subscription of KEY with a terminated NOTIFY carrying DOC
 * (quit); returns how many answers are awaited.
 */
int	 sip_pres_end(int key, const char *doc);
/* Watchers of KEY (-1: all), and final NOTIFYs not answered yet. */
int	 sip_pres_watchers(int key);
int	 sip_pres_ending(void);

#endif
