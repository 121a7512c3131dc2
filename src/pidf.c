/*
 * pidf.c: reading a presence document (PIDF, RFC 3863, with the RPID
 * activities of RFC 4480) into one of the states the phone shows.
 *
 * Not an XML parser: a tolerant scan of the tags, by local name, since
 * every server and phone spells the namespaces its own way (Kamailio
 * writes bare <tuple> in the default namespace, linphone "pidf:" and
 * "rpid:" prefixes, baresip and SIP.js "dm:" and "rpid:", some "ns0:").
 * What counts:
 *
 *   <presence>                     the document must be one
 *   <tuple><status><basic>         open or closed; any open tuple wins
 *   <activities><X/>               RPID: on-the-phone, busy, meeting,
 *                                  presentation, performance -> busy;
 *                                  away, meals, holiday, vacation,
 *                                  sleeping, travel... -> away;
 *                                  <other>ringing</other> -> ringing
 *   <status><im:im>busy|away       the older IM status some servers send
 *   <note>                         the first non-empty one (tuple, person
 *                                  or document); "Ringing" there too
 *
 * Comments, processing instructions and CDATA are skipped or read as
 * text; entities are decoded in notes; nothing is allocated.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "pidf.h"
#include "util.h"

#define PIDF_DEPTH	32	/* deeper elements are skipped, not misread */
#define PIDF_NAME_MAX	32

struct pidf_scan {
	const char	*p;
	const char	*end;
	char		 stack[PIDF_DEPTH][PIDF_NAME_MAX];
	int		 depth;		/* elements open (may exceed PIDF_DEPTH) */
	bool		 presence;	/* a <presence> element was seen */
	bool		 open;
	bool		 closed;
	bool		 busy;
	bool		 away;
	bool		 ringing;
	char		 note[EVENT_TEXT_MAX];
};

static const char *const pidf_busy[] = {
	"on-the-phone", "busy", "meeting", "presentation", "performance",
	NULL
};
static const char *const pidf_away[] = {
	"away", "appointment", "breakfast", "dinner", "holiday", "in-transit",
	"lunch", "meal", "permanent-absence", "shopping", "sleeping",
	"steering", "travel", "vacation", NULL
};

static bool
pidf_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcasecmp(name, *list) == 0)
			return true;
	}
	return false;
}

/* The local name of the element open at LEVEL from the top (0: itself). */
static const char *
pidf_parent(const struct pidf_scan *ps, int level)
{
	int	 i = ps->depth - 1 - level;

	if (i < 0 || i >= PIDF_DEPTH)
		return "";
	return ps->stack[i];
}

/* Find S (LEN bytes) from P before END, or NULL. */
static const char *
pidf_find(const char *p, const char *end, const char *s)
{
	size_t	 len = strlen(s);

	for (; p + len <= end; p++) {
		if (memcmp(p, s, len) == 0)
			return p;
	}
	return NULL;
}

/* Append one code point C as UTF-8 to OUT (SIZE, with *N used). */
static void
pidf_put_utf8(char *out, size_t size, size_t *n, unsigned long c)
{
	char	 b[4];
	size_t	 k, len;

	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = '?';
	if (c < 0x80) {
		b[0] = (char)c;
		len = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3f));
		len = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		len = 3;
	} else {
		b[0] = (char)(0xf0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		len = 4;
	}
	if (*n + len >= size)
		return;
	for (k = 0; k < len; k++)
		out[(*n)++] = b[k];
}

/* The length of the UTF-8 character at P (before END), 0 if malformed. */
static size_t
pidf_utf8_len(const char *p, const char *end)
{
	const unsigned char	*u = (const unsigned char *)p;
	unsigned long		 c;
	size_t			 len, i;

	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, c = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, c = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, c = u[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/*
 * The text from P to END into OUT (SIZE), entities decoded, blanks run
 * together and trimmed, control characters as blanks, cut whole
 * characters short of SIZE.
 */
static void
pidf_text(const char *p, const char *end, char *out, size_t size)
{
	size_t		 n = 0, k;
	unsigned long	 c;
	const char	*semi;
	bool		 blank = false;
	static const struct {
		const char	*name;
		char		 c;
	} ents[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' },
		{ "quot", '"' }, { "apos", '\'' },
	};

	while (p < end && n + 1 < size) {
		unsigned char	 u = (unsigned char)*p;

		if (u < 0x20 || u == 0x7f || u == ' ') {
			blank = n > 0;
			p++;
			continue;
		}
		if (blank && n + 2 < size)
			out[n++] = ' ';
		blank = false;
		if (*p != '&') {
			/* A whole, well-formed UTF-8 sequence, or '?'. */
			size_t len = pidf_utf8_len(p, end);

			if (len == 0) {
				out[n++] = '?';
				p++;
				continue;
			}
			if (n + len >= size)
				break;
			memcpy(out + n, p, len);
			n += len;
			p += len;
			continue;
		}
		semi = memchr(p, ';', (size_t)(end - p) < 12 ?
		    (size_t)(end - p) : 12);
		if (semi == NULL) {
			out[n++] = '&';
			p++;
			continue;
		}
		if (p[1] == '#') {
			const char	*q = p + 2;
			int		 base = 10;

			if (q < semi && (*q == 'x' || *q == 'X')) {
				base = 16;
				q++;
			}
			c = 0;
			for (; q < semi; q++) {
				int	 d;

				if (*q >= '0' && *q <= '9')
					d = *q - '0';
				else if (base == 16 && *q >= 'a' && *q <= 'f')
					d = *q - 'a' + 10;
				else if (base == 16 && *q >= 'A' && *q <= 'F')
					d = *q - 'A' + 10;
				else
					break;
				c = c * (unsigned long)base + (unsigned long)d;
				if (c > 0x10ffff)
					break;
			}
			if (c < 0x20)
				c = ' ';
			pidf_put_utf8(out, size, &n, q == semi ? c : '?');
		} else {
			for (k = 0; k < nitems(ents); k++) {
				size_t	 l = strlen(ents[k].name);

				if ((size_t)(semi - p - 1) == l &&
				    memcmp(p + 1, ents[k].name, l) == 0)
					break;
			}
			out[n++] = k < nitems(ents) ? ents[k].c : '?';
		}
		p = semi + 1;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Text up to the next tag, as an element's content. */
static void
pidf_content(struct pidf_scan *ps, const char *name)
{
	const char	*start = ps->p, *end;
	char		 text[EVENT_TEXT_MAX];
	const char	*parent = pidf_parent(ps, 1);

	end = memchr(start, '<', (size_t)(ps->end - start));
	if (end == NULL)
		end = ps->end;
	/* CDATA is text too. */
	if (end + 9 <= ps->end && memcmp(end, "<![CDATA[", 9) == 0) {
		const char *close = pidf_find(end + 9, ps->end, "]]>");

		if (close != NULL) {
			start = end + 9;
			end = close;
		}
	}
	pidf_text(start, end, text, sizeof text);
	if (text[0] == '\0')
		return;
	if (strcasecmp(name, "basic") == 0) {
		if (strcasecmp(text, "open") == 0)
			ps->open = true;
		else if (strcasecmp(text, "closed") == 0)
			ps->closed = true;
	} else if (strcasecmp(name, "note") == 0) {
		if (ps->note[0] == '\0')
			util_strlcpy(ps->note, text, sizeof ps->note);
		if (strcasestr(text, "ringing") != NULL)
			ps->ringing = true;
	} else if (strcasecmp(name, "other") == 0 &&
	    strcasecmp(parent, "activities") == 0) {
		if (strcasestr(text, "ringing") != NULL)
			ps->ringing = true;
		else if (strcasestr(text, "phone") != NULL ||
		    strcasestr(text, "busy") != NULL)
			ps->busy = true;
	} else if (strcasecmp(name, "im") == 0 &&
	    strcasecmp(parent, "status") == 0) {
		if (strcasecmp(text, "busy") == 0 ||
		    strcasecmp(text, "on-the-phone") == 0)
			ps->busy = true;
		else if (strcasecmp(text, "away") == 0)
			ps->away = true;
	}
}

/* A start tag's local name, from P (just after '<') into NAME. */
static void
pidf_name(const char *p, const char *end, char *name, size_t size)
{
	const char	*s = p, *colon = NULL;
	size_t		 len;

	while (p < end && *p != '>' && *p != '/' && *p != ' ' &&
	    *p != '\t' && *p != '\r' && *p != '\n') {
		if (*p == ':')
			colon = p;
		p++;
	}
	if (colon != NULL)
		s = colon + 1;
	len = (size_t)(p - s);
	if (len >= size)
		len = size - 1;
	memcpy(name, s, len);
	name[len] = '\0';
}

static void
pidf_element(struct pidf_scan *ps, const char *name, bool empty)
{
	const char	*parent = pidf_parent(ps, 0);

	if (strcasecmp(name, "presence") == 0)
		ps->presence = true;
	if (strcasecmp(parent, "activities") == 0) {
		if (pidf_in(name, pidf_busy))
			ps->busy = true;
		else if (pidf_in(name, pidf_away))
			ps->away = true;
	}
	if (empty)
		return;
	if (ps->depth < PIDF_DEPTH)
		util_strlcpy(ps->stack[ps->depth], name, PIDF_NAME_MAX);
	ps->depth++;
	pidf_content(ps, name);
}

int
pidf_parse(const char *body, size_t len, struct pidf_status *st)
{
	struct pidf_scan	 ps;
	const char		*lt, *gt, *q;
	char			 name[PIDF_NAME_MAX];
	char			 quote;

	memset(st, 0, sizeof *st);
	st->state = PRESENCE_UNKNOWN;
	if (body == NULL)
		return -1;
	memset(&ps, 0, sizeof ps);
	ps.p = body;
	ps.end = body + len;
	while (ps.p < ps.end &&
	    (lt = memchr(ps.p, '<', (size_t)(ps.end - ps.p))) != NULL) {
		if (lt + 4 <= ps.end && memcmp(lt, "<!--", 4) == 0) {
			q = pidf_find(lt + 4, ps.end, "-->");
			ps.p = q != NULL ? q + 3 : ps.end;
			continue;
		}
		if (lt + 9 <= ps.end && memcmp(lt, "<![CDATA[", 9) == 0) {
			q = pidf_find(lt + 9, ps.end, "]]>");
			ps.p = q != NULL ? q + 3 : ps.end;
			continue;
		}
		/* The tag's end, past quoted attribute values. */
		quote = 0;
		for (gt = lt + 1; gt < ps.end; gt++) {
			if (quote != 0) {
				if (*gt == quote)
					quote = 0;
			} else if (*gt == '"' || *gt == '\'')
				quote = *gt;
			else if (*gt == '>')
				break;
		}
		if (gt >= ps.end)
			break;		/* cut short: what was read stands */
		ps.p = gt + 1;
		if (lt[1] == '?' || lt[1] == '!')
			continue;
		if (lt[1] == '/') {
			if (ps.depth > 0)
				ps.depth--;
			continue;
		}
		pidf_name(lt + 1, gt, name, sizeof name);
		if (name[0] == '\0')
			continue;
		pidf_element(&ps, name, gt[-1] == '/');
	}

	util_strlcpy(st->note, ps.note, sizeof st->note);
	if (!ps.presence || (!ps.open && !ps.closed))
		return -1;
	if (!ps.open)
		st->state = PRESENCE_OFFLINE;
	else if (ps.ringing)
		st->state = PRESENCE_RINGING;
	else if (ps.busy)
		st->state = PRESENCE_BUSY;
	else if (ps.away)
		st->state = PRESENCE_AWAY;
	else
		st->state = PRESENCE_ONLINE;
	return 0;
}
