/*
 * inbox.c: what the SIP layer answered outside calls (sip-msg.c): text
 * messages go to message.c; voicemail notices become a line in the log
 * and an event on the bus, and the last count of an account is kept.
 */
#include "config.h"

#include <string.h>

#include "account.h"
#include "conf.h"
#include "event.h"
#include "inbox.h"
#include "log.h"
#include "message.h"
#include "sip-msg.h"
#include "util.h"

void
inbox_emit_mwi(const struct account *a)
{
	struct event	 ev;

	if (a == NULL || !a->mwi_known)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_MWI;
	ev.u.mwi = a->mwi;
	util_strlcpy(ev.u.mwi.account, a->conf->name, sizeof ev.u.mwi.account);
	event_emit(&ev);
}

static void
inbox_mwi(struct account *a, const struct sip_msg_report *r)
{
	if (a == NULL) {
		log_warn("voicemail notice from %s for no account", r->peer);
		return;
	}
	a->mwi_known = true;
	a->mwi.waiting = r->mwi.waiting;
	a->mwi.new_msgs = r->mwi.new_msgs;
	a->mwi.old_msgs = r->mwi.old_msgs;
	log_info("voicemail for %s: %s, %d new, %d old", a->conf->name,
	    r->mwi.waiting ? "messages waiting" : "none waiting",
	    r->mwi.new_msgs, r->mwi.old_msgs);
	inbox_emit_mwi(a);
}

void
inbox_report(struct account *a, const struct sip_msg_report *r)
{
	switch (r->kind) {
	case SIP_MSG_TEXT:
		message_received(a, r);
		break;
	case SIP_MSG_MWI:
		inbox_mwi(a, r);
		break;
	}
}
