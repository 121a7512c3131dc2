/*
 * pidf-write.c: our presence as a PIDF document (RFC 3863) for PUBLISH
 * and for the NOTIFYs we send as a notifier.
 *
 * One tuple carries the basic status (open, or closed for offline) and
 * the note; a person element carries what the state means in RPID terms
 * (RFC 4480): on-the-phone for busy, away for away. The note goes in
 * both places, because watchers differ in which one they show. No
 * timestamp: the same state gives the same document, so a NOTIFY or a
 * PUBLISH that changes nothing can be recognised and tests can compare.
 * Plain string code: no SIP, no XML library.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pidf.h"

/* A cursor over the output buffer; once full, it stays full. */
struct pidf_out {
	char	*p;
	size_t	 size;
	size_t	 len;
	bool	 full;
};

static void
pidf_write_raw(struct pidf_out *o, const char *s, size_t n)
{
	if (o->full || o->len + n >= o->size) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
pidf_write_str(struct pidf_out *o, const char *s)
{
	pidf_write_raw(o, s, strlen(s));
}

/*
 * S escaped for XML text and attribute values. Control characters that
 * XML 1.0 does not allow (all below 0x20 but tab, newline and return)
 * become a blank rather than breaking the document; bytes of UTF-8 pass
 * as they are.
 */
static void
pidf_write_escaped(struct pidf_out *o, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			pidf_write_str(o, "&amp;");
			break;
		case '<':
			pidf_write_str(o, "&lt;");
			break;
		case '>':
			pidf_write_str(o, "&gt;");
			break;
		case '"':
			pidf_write_str(o, "&quot;");
			break;
		case '\'':
			pidf_write_str(o, "&apos;");
			break;
		case '\t':
		case '\n':
		case '\r':
			pidf_write_raw(o, (const char *)p, 1);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				pidf_write_raw(o, " ", 1);
			else
				pidf_write_raw(o, (const char *)p, 1);
			break;
		}
	}
}

/* The RPID activity of STATE, or NULL when it has none. */
static const char *
pidf_write_activity(enum presence_state state)
{
	switch (state) {
	case PRESENCE_BUSY:
		return "on-the-phone";
	case PRESENCE_AWAY:
		return "away";
	default:
		return NULL;
	}
}

int
pidf_write(char *out, size_t size, const char *entity,
    enum presence_state state, const char *note)
{
	struct pidf_out	 o = { out, size, 0, false };
	const char	*activity;
	bool		 open;

	if (out == NULL || size == 0 || entity == NULL)
		return -1;
	out[0] = '\0';
	if (state < PRESENCE_UNKNOWN || state > PRESENCE_OFFLINE)
		return -1;
	/* Unknown is not a state anyone publishes: say closed, as for
	 * offline, rather than claim we can be reached. */
	open = state != PRESENCE_OFFLINE && state != PRESENCE_UNKNOWN;
	activity = pidf_write_activity(state);
	/* Ringing has no RPID activity; pidf.h reads it from the note. */
	if (state == PRESENCE_RINGING && (note == NULL || *note == '\0'))
		note = "ringing";
	if (note != NULL && *note == '\0')
		note = NULL;

	pidf_write_str(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\n"
	    " xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"\n"
	    " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"\n"
	    " entity=\"");
	pidf_write_escaped(&o, entity);
	pidf_write_str(&o, "\">\n<tuple id=\"tsphone\">\n<status><basic>");
	pidf_write_str(&o, open ? "open" : "closed");
	pidf_write_str(&o, "</basic></status>\n");
	if (note != NULL) {
		pidf_write_str(&o, "<note>");
		pidf_write_escaped(&o, note);
		pidf_write_str(&o, "</note>\n");
	}
	pidf_write_str(&o, "</tuple>\n");
	if (activity != NULL || note != NULL) {
		pidf_write_str(&o, "<dm:person id=\"me\">\n");
		if (activity != NULL) {
			pidf_write_str(&o, "<rpid:activities><rpid:");
			pidf_write_str(&o, activity);
			pidf_write_str(&o, "/></rpid:activities>\n");
		}
		if (note != NULL) {
			pidf_write_str(&o, "<dm:note>");
			pidf_write_escaped(&o, note);
			pidf_write_str(&o, "</dm:note>\n");
		}
		pidf_write_str(&o, "</dm:person>\n");
	}
	pidf_write_str(&o, "</presence>\n");
	if (o.full) {
		out[0] = '\0';
		return -1;
	}
	return (int)o.len;
}
