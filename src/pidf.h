/*
 * pidf.h: presence documents (PIDF, RFC 3863, with the RPID activities of
 * RFC 4480 that SIP phones and Kamailio use), read from a NOTIFY and
 * written for PUBLISH and for the NOTIFYs we send as a notifier. Plain
 * strings in and out: no SIP, no XML library.
 *
 * Reading maps a document to one of the states the phone shows:
 *   basic closed                           -> offline
 *   basic open, activity on-the-phone/busy  -> busy
 *   basic open, activity away/...           -> away
 *   basic open, "ringing" in the note/dialog -> ringing
 *   basic open otherwise                    -> online
 *   no tuple or unreadable                  -> unknown (and -1)
 */
#ifndef TSP_PIDF_H
#define TSP_PIDF_H

#include <stddef.h>

#include "event.h"

struct pidf_status {
	enum presence_state	 state;
	char			 note[EVENT_TEXT_MAX];	/* UTF-8, or "" */
};

/* Read BODY (LEN bytes, need not be NUL-terminated): 0, or -1. (pidf.c) */
int	 pidf_parse(const char *body, size_t len, struct pidf_status *);
/*
 * Write the document for ENTITY (our address of record) in STATE with
 * NOTE (may be NULL) into OUT (SIZE); text is escaped for XML. Returns
 * its length, or -1 if it does not fit. (pidf-write.c)
 */
int	 pidf_write(char *out, size_t size, const char *entity,
	    enum presence_state state, const char *note);

#endif
