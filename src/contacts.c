/*
 * contacts.c: the address book: reading the contacts file and vCards,
 * finding a contact by name or by the address of a call, and keeping the
 * phone's set in step with the files.
 *
 * The one-a-line file is what baresip users already have:
 *
 *	# comment
 *	Alice <sip:alice@example.com>
 *	"Bob, the plumber" <sip:bob@example.com>;presence=yes
 *
 * vCards come from address books, which put a person's numbers under TEL
 * and SIP addresses under IMPP. A card is one contact: its IMPP sip:
 * address if it has one (the phone's own kind of address), else its
 * preferred TEL, else its first TEL. A card with neither is not a phone
 * contact and is skipped without a word: exports are full of those.
 *
 * A bad line never stops the phone: it is skipped, and its file and line
 * are reported the way configuration errors are.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "contacts.h"
#include "event.h"
#include "log.h"
#include "loop.h"
#include "util.h"

/* Names listed in an "ambiguous" message before "...". */
#define CONTACTS_AMBIGUOUS_LIST	8
/* Editors write a file in steps: read once they are done. */
#define CONTACTS_SETTLE_MS	150
/* Without inotify, how often the files' times are looked at. */
#define CONTACTS_POLL_MS	2000

static struct contacts	*contacts_set;
static char		*contacts_dir;
static struct loop_timer *contacts_timer;
static int		 contacts_fd = -1;
static int		 contacts_fd_id;
static int		 contacts_wd_d = -1;	/* contacts.d/, if watched */
static char		*contacts_stamp;	/* the files' times, polling */
static struct contacts_hooks contacts_hooks;

struct contacts *
contacts_new(void)
{
	return xcalloc(1, sizeof(struct contacts));
}

void
contacts_free(struct contacts *cs)
{
	int	 i;

	if (cs == NULL)
		return;
	for (i = 0; i < cs->n; i++) {
		free(cs->v[i].name);
		free(cs->v[i].uri);
		free(cs->v[i].params);
	}
	free(cs->v);
	for (i = 0; i < cs->nerrors; i++)
		free(cs->errors[i]);
	free(cs->errors);
	free(cs);
}

static void __attribute__((format(printf, 4, 5)))
contacts_error(struct contacts *cs, const char *file, int line,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *s;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		xasprintf(&s, "%s:%d: %s", file, line, msg);
	else
		xasprintf(&s, "%s: %s", file, msg);
	free(msg);
	cs->errors = xrealloc(cs->errors, sizeof *cs->errors *
	    (size_t)(cs->nerrors + 1));
	cs->errors[cs->nerrors++] = s;
}

static const struct contact *
contacts_find_name(const struct contacts *cs, const char *name)
{
	int	 i;

	for (i = 0; i < cs->n; i++) {
		if (strcasecmp(cs->v[i].name, name) == 0)
			return &cs->v[i];
	}
	return NULL;
}

/* Add a contact unless its name is taken: a second "Alice" could never
 * be dialled by name, so it is an error rather than a surprise later. */
static int
contacts_add(struct contacts *cs, const char *file, int line,
    const char *name, const char *uri, const char *params)
{
	struct contact	*c;

	if (contacts_find_name(cs, name) != NULL) {
		contacts_error(cs, file, line, "\"%s\" is already a contact",
		    name);
		return 0;
	}
	cs->v = xrealloc(cs->v, sizeof *cs->v * (size_t)(cs->n + 1));
	c = &cs->v[cs->n++];
	c->name = xstrdup(name);
	c->uri = xstrdup(uri);
	c->params = xstrdup(params != NULL ? params : "");
	return 1;
}

static char *
contacts_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static bool
contacts_scheme(const char *uri, const char *scheme)
{
	return strncasecmp(uri, scheme, strlen(scheme)) == 0;
}

/* Control characters would reach the screen and the log as they are. */
static bool
contacts_printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

/* One line of the contacts file; LINE is modified. */
static int
contacts_list_line(struct contacts *cs, const char *file, int lineno,
    char *line)
{
	char	*p = contacts_trim(line), *name, *uri, *end, *params, *o;

	if (*p == '\0' || *p == '#')
		return 0;
	if (!contacts_printable(p)) {
		contacts_error(cs, file, lineno, "control character");
		return 0;
	}
	if (*p == '"') {
		/* "Quoted Name": backslash keeps the next character. */
		name = o = ++p;
		while (*p != '"') {
			if (*p == '\0') {
				contacts_error(cs, file, lineno,
				    "missing closing quote");
				return 0;
			}
			if (*p == '\\' && p[1] != '\0')
				p++;
			*o++ = *p++;
		}
		*o = '\0';
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '<') {
			contacts_error(cs, file, lineno, "expected <URI> "
			    "after the name");
			return 0;
		}
	} else {
		name = p;
		if ((p = strchr(p, '<')) == NULL) {
			contacts_error(cs, file, lineno, "expected "
			    "Name <sip:user@host>");
			return 0;
		}
		*p = '\0';
	}
	name = contacts_trim(name);
	uri = p + 1;
	if ((end = strchr(uri, '>')) == NULL) {
		contacts_error(cs, file, lineno, "missing '>' after the URI");
		return 0;
	}
	*end = '\0';
	uri = contacts_trim(uri);
	params = contacts_trim(end + 1);
	if (*params == '#')
		*params = '\0';
	else if ((o = strstr(params, " #")) != NULL ||
	    (o = strstr(params, "\t#")) != NULL) {
		*o = '\0';
		params = contacts_trim(params);
	}
	if (*name == '\0') {
		contacts_error(cs, file, lineno, "a contact needs a name");
		return 0;
	}
	if (!contacts_scheme(uri, "sip:") && !contacts_scheme(uri, "sips:") &&
	    !contacts_scheme(uri, "tel:")) {
		contacts_error(cs, file, lineno, "\"%s\" is not a sip:, sips: "
		    "or tel: URI", uri);
		return 0;
	}
	if (strchr(uri, ' ') != NULL || strchr(uri, '\t') != NULL ||
	    uri[strcspn(uri, ":") + 1] == '\0') {
		contacts_error(cs, file, lineno, "bad URI \"%s\"", uri);
		return 0;
	}
	if (*params != '\0' && *params != ';') {
		contacts_error(cs, file, lineno, "unexpected \"%s\" after "
		    "the URI", params);
		return 0;
	}
	return contacts_add(cs, file, lineno, name, uri, params);
}

int
contacts_parse_list(struct contacts *cs, const char *file, const char *text)
{
	const char	*p = text, *nl;
	char		*line;
	int		 lineno = 0, added = 0;

	while (*p != '\0') {
		lineno++;
		nl = strchr(p, '\n');
		line = nl != NULL ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		added += contacts_list_line(cs, file, lineno, line);
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return added;
}

/* --- vCard (RFC 2426, RFC 6350) -------------------------------------- */

struct contacts_card {
	int	 line;		/* of BEGIN */
	char	*fn;
	char	*n;		/* "Given Family", from N, if no FN */
	char	*impp;		/* the first sip: IMPP */
	char	*tel;		/* the preferred TEL */
	bool	 tel_pref;
};

static void
contacts_card_clear(struct contacts_card *cd)
{
	free(cd->fn);
	free(cd->n);
	free(cd->impp);
	free(cd->tel);
	memset(cd, 0, sizeof *cd);
}

/* A text value without its escapes (\\ \, \; \n); the components of a
 * structured value (N) stay apart where SEP is not '\0'. */
static char *
contacts_vcard_unescape(const char *v, char sep)
{
	char	*out = xmalloc(strlen(v) + 1), *o = out;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0') {
			v++;
			*o++ = *v == 'n' || *v == 'N' ? ' ' : *v;
		} else if (sep != '\0' && *v == ';')
			*o++ = sep;
		else
			*o++ = *v;
	}
	*o = '\0';
	return out;
}

/* "Family;Given;Middle;Prefix;Suffix" as "Given Family". */
static char *
contacts_vcard_n(const char *v)
{
	char	*s = contacts_vcard_unescape(v, '\x1f'), *given, *out;
	char	*family = s;

	if ((given = strchr(s, '\x1f')) != NULL) {
		*given++ = '\0';
		given[strcspn(given, "\x1f")] = '\0';
	} else
		given = s + strlen(s);
	family = contacts_trim(family);
	given = contacts_trim(given);
	if (*given != '\0' && *family != '\0')
		xasprintf(&out, "%s %s", given, family);
	else
		out = xstrdup(*given != '\0' ? given : family);
	free(s);
	return out;
}

/* Whether the parameters (";TYPE=cell,pref;PREF=1") say "preferred". */
static bool
contacts_vcard_pref(const char *params)
{
	const char	*p;

	for (p = params; (p = strcasestr(p, "pref")) != NULL; p += 4) {
		if ((p > params && (p[-1] == '=' || p[-1] == ',' ||
		    p[-1] == ';')) && (p[4] == '\0' || p[4] == ',' ||
		    p[4] == ';' || p[4] == '='))
			return true;
	}
	return false;
}

static void
contacts_vcard_property(struct contacts_card *cd, const char *name,
    const char *params, const char *value)
{
	char	*v;

	if (strcasecmp(name, "FN") == 0 && cd->fn == NULL) {
		v = contacts_vcard_unescape(value, '\0');
		cd->fn = xstrdup(contacts_trim(v));
		free(v);
	} else if (strcasecmp(name, "N") == 0 && cd->n == NULL)
		cd->n = contacts_vcard_n(value);
	else if (strcasecmp(name, "IMPP") == 0 && cd->impp == NULL) {
		if (contacts_scheme(value, "sip:") ||
		    contacts_scheme(value, "sips:"))
			cd->impp = contacts_vcard_unescape(value, '\0');
	} else if (strcasecmp(name, "TEL") == 0 && *value != '\0') {
		bool	 pref = contacts_vcard_pref(params);

		if (cd->tel != NULL && (cd->tel_pref || !pref))
			return;
		free(cd->tel);
		cd->tel = contacts_vcard_unescape(value, '\0');
		cd->tel_pref = pref;
	}
}

static int
contacts_vcard_end(struct contacts *cs, const char *file,
    struct contacts_card *cd)
{
	const char	*name = cd->fn != NULL && *cd->fn != '\0' ? cd->fn :
			    cd->n;
	const char	*uri = cd->impp != NULL ? cd->impp : cd->tel;
	int		 added = 0;

	if (uri == NULL)
		;	/* not a phone contact */
	else if (name == NULL || *name == '\0')
		contacts_error(cs, file, cd->line, "a card with a number but "
		    "no FN or N");
	else if (!contacts_printable(name) || !contacts_printable(uri))
		contacts_error(cs, file, cd->line, "control character");
	else
		added = contacts_add(cs, file, cd->line, name, uri, NULL);
	contacts_card_clear(cd);
	return added;
}

/* One unfolded content line "[group.]NAME[;params]:value". */
static int
contacts_vcard_line(struct contacts *cs, const char *file, int lineno,
    char *line, struct contacts_card *cd, bool *in_card)
{
	char	*colon, *name, *params, *dot, *value;

	line = contacts_trim(line);
	if (*line == '\0')
		return 0;
	/* The value starts at the first colon outside a quoted parameter. */
	for (colon = line; *colon != '\0' && *colon != ':'; colon++) {
		if (*colon == '"' && (colon = strchr(colon + 1, '"')) == NULL)
			break;
	}
	if (colon == NULL || *colon != ':') {
		contacts_error(cs, file, lineno, "expected NAME:VALUE");
		return 0;
	}
	*colon = '\0';
	value = colon + 1;
	name = line;
	params = name + strcspn(name, ";");
	if (*params == ';')
		*params++ = '\0';
	if ((dot = strchr(name, '.')) != NULL)
		name = dot + 1;

	if (strcasecmp(name, "BEGIN") == 0 && strcasecmp(value, "VCARD") == 0) {
		if (*in_card) {
			contacts_error(cs, file, cd->line, "card not closed "
			    "(no END:VCARD)");
			contacts_card_clear(cd);
		}
		*in_card = true;
		cd->line = lineno;
		return 0;
	}
	if (strcasecmp(name, "END") == 0 && strcasecmp(value, "VCARD") == 0) {
		if (!*in_card) {
			contacts_error(cs, file, lineno, "END:VCARD without "
			    "BEGIN:VCARD");
			return 0;
		}
		*in_card = false;
		return contacts_vcard_end(cs, file, cd);
	}
	if (!*in_card) {
		contacts_error(cs, file, lineno, "%s outside a card "
		    "(BEGIN:VCARD)", name);
		return 0;
	}
	contacts_vcard_property(cd, name, params, value);
	return 0;
}

int
contacts_parse_vcard(struct contacts *cs, const char *file, const char *text)
{
	struct contacts_card	 cd;
	const char		*p = text, *nl;
	char			*line = NULL;
	size_t			 len = 0, n;
	int			 lineno = 0, start = 0, added = 0;
	bool			 in_card = false;

	memset(&cd, 0, sizeof cd);
	/*
	 * Unfold as we go: a physical line that starts with a blank or a
	 * tab continues the one before (the blank is dropped). A logical
	 * line is handled once the next one begins.
	 */
	for (;;) {
		nl = *p != '\0' ? strchr(p, '\n') : NULL;
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (*p != '\0')
			lineno++;
		if (*p != '\0' && (*p == ' ' || *p == '\t') && line != NULL) {
			line = xrealloc(line, len + n);
			memcpy(line + len, p + 1, n - 1);
			len += n - 1;
			line[len] = '\0';
		} else {
			if (line != NULL)
				added += contacts_vcard_line(cs, file, start,
				    line, &cd, &in_card);
			free(line);
			line = NULL;
			if (*p == '\0')
				break;
			line = xstrndup(p, n);
			len = n;
			start = lineno;
		}
		if (nl == NULL)
			p += strlen(p);
		else
			p = nl + 1;
	}
	if (in_card) {
		contacts_error(cs, file, cd.line, "card not closed "
		    "(no END:VCARD)");
		contacts_card_clear(&cd);
	}
	return added;
}

/* --- files ------------------------------------------------------------ */

/* The contents of PATH, or NULL (ENOENT silently, else an error). */
static char *
contacts_slurp(struct contacts *cs, const char *path)
{
	FILE		*fp;
	struct stat	 st;
	char		*buf;
	size_t		 n;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			contacts_error(cs, path, 0, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		contacts_error(cs, path, 0, "not a regular file");
		fclose(fp);
		return NULL;
	}
	if (st.st_size > CONTACTS_FILE_MAX) {
		contacts_error(cs, path, 0, "larger than %d bytes",
		    CONTACTS_FILE_MAX);
		fclose(fp);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, fp);
	buf[n] = '\0';
	if (ferror(fp)) {
		contacts_error(cs, path, 0, "%s", strerror(errno));
		free(buf);
		buf = NULL;
	} else if (strlen(buf) != n) {
		contacts_error(cs, path, 0, "not a text file (NUL byte)");
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static bool
contacts_is_vcf(const char *name)
{
	size_t	 n = strlen(name);

	return name[0] != '.' && n > 4 && strcasecmp(name + n - 4, ".vcf") == 0;
}

static int
contacts_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.vcf files of DIR, sorted; returns how many. */
static int
contacts_vcf_files(const char *dir, char ***out)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!contacts_is_vcf(de->d_name))
			continue;
		v = xrealloc(v, sizeof *v * (size_t)(n + 1));
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(v, (size_t)n, sizeof *v, contacts_name_cmp);
	*out = v;
	return n;
}

char *
contacts_dir_for(const char *conf_path)
{
	char	*dir, *slash;

	if (conf_path == NULL)
		return util_xdg_dir("XDG_CONFIG_HOME", ".config");
	dir = xstrdup(conf_path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

int
contacts_read_dir(struct contacts *cs, const char *dir)
{
	char	*path, *text, *sub, **files = NULL;
	int	 added = 0, n, i;

	xasprintf(&path, "%s/contacts", dir);
	if ((text = contacts_slurp(cs, path)) != NULL)
		added += contacts_parse_list(cs, path, text);
	free(text);
	free(path);

	xasprintf(&sub, "%s/contacts.d", dir);
	n = contacts_vcf_files(sub, &files);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", sub, files[i]);
		if ((text = contacts_slurp(cs, path)) != NULL)
			added += contacts_parse_vcard(cs, path, text);
		free(text);
		free(path);
		free(files[i]);
	}
	free(files);
	free(sub);
	return added;
}

/* --- lookups ---------------------------------------------------------- */

int
contacts_match(const struct contacts *cs, const char *text,
    const struct contact **out, int max)
{
	int	 i, n = 0;

	for (i = 0; i < cs->n; i++) {
		if (*text != '\0' && strcasestr(cs->v[i].name, text) == NULL)
			continue;
		if (n < max)
			out[n] = &cs->v[i];
		n++;
	}
	return n;
}

const struct contact *
contacts_resolve(const struct contacts *cs, const char *name, char **cause)
{
	const struct contact	*c, *v[CONTACTS_AMBIGUOUS_LIST];
	char			*list;
	size_t			 len = 0;
	int			 n, i;

	if (*name == '\0')
		return NULL;
	if ((c = contacts_find_name(cs, name)) != NULL)
		return c;
	n = contacts_match(cs, name, v, CONTACTS_AMBIGUOUS_LIST);
	if (n == 1)
		return v[0];
	if (n == 0)
		return NULL;
	for (i = 0; i < n && i < CONTACTS_AMBIGUOUS_LIST; i++)
		len += strlen(v[i]->name) + 2;
	list = xcalloc(1, len + 8);
	for (i = 0; i < n && i < CONTACTS_AMBIGUOUS_LIST; i++) {
		if (i > 0)
			strcat(list, ", ");
		strcat(list, v[i]->name);
	}
	if (n > CONTACTS_AMBIGUOUS_LIST)
		strcat(list, ", ...");
	xasprintf(cause, "ambiguous: %s", list);
	free(list);
	return NULL;
}

/*
 * The user and host of a URI (inside <> when there are brackets), without
 * scheme, port and parameters; false for what is not a sip:/sips: URI.
 */
static bool
contacts_user_host(const char *s, char *user, size_t ulen, char *host,
    size_t hlen)
{
	const char	*p, *at, *end;
	size_t		 n;

	if ((p = strchr(s, '<')) != NULL)
		s = p + 1;
	while (*s == ' ')
		s++;
	if (contacts_scheme(s, "sip:"))
		s += 4;
	else if (contacts_scheme(s, "sips:"))
		s += 5;
	else
		return false;
	end = s + strcspn(s, ";?>");
	if ((at = memchr(s, '@', (size_t)(end - s))) == NULL) {
		*user = '\0';
		at = s - 1;
	} else {
		n = (size_t)(at - s);
		if (n >= ulen)
			n = ulen - 1;
		memcpy(user, s, n);
		user[n] = '\0';
	}
	p = at + 1;
	n = strcspn(p, ":;?>");
	if (n >= hlen)
		n = hlen - 1;
	memcpy(host, p, n);
	host[n] = '\0';
	return *host != '\0';
}

/* The digits of a number (and a leading '+'), or "" for what is not one. */
static void
contacts_digits(const char *s, char *out, size_t size)
{
	size_t	 k = 0;

	if (contacts_scheme(s, "tel:"))
		s += 4;
	for (; *s != '\0' && *s != ';' && k + 1 < size; s++) {
		if (isdigit((unsigned char)*s) || (*s == '+' && k == 0))
			out[k++] = *s;
		else if (strchr(" -.()/", *s) == NULL) {
			k = 0;
			break;
		}
	}
	out[k] = '\0';
}

const struct contact *
contacts_find_remote(const struct contacts *cs, const char *remote)
{
	char	 ru[256], rh[256], cu[256], ch[256], rd[64], cd[64];
	int	 i;

	if (!contacts_user_host(remote, ru, sizeof ru, rh, sizeof rh))
		return NULL;
	contacts_digits(ru, rd, sizeof rd);
	for (i = 0; i < cs->n; i++) {
		const char	*uri = cs->v[i].uri;

		if (contacts_user_host(uri, cu, sizeof cu, ch, sizeof ch)) {
			if (strcmp(ru, cu) == 0 && strcasecmp(rh, ch) == 0)
				return &cs->v[i];
			continue;
		}
		contacts_digits(uri, cd, sizeof cd);
		if (cd[0] != '\0' && strcmp(rd, cd) == 0)
			return &cs->v[i];
	}
	return NULL;
}

/* --- the phone's set -------------------------------------------------- */

const struct contacts *
contacts_current(void)
{
	if (contacts_set == NULL)
		contacts_set = contacts_new();
	return contacts_set;
}

int
contacts_emit(const char *text)
{
	const struct contacts	*cs = contacts_current();
	struct event		 ev;
	const char		*presence;
	int			 i, n = 0;

	for (i = 0; i < cs->n; i++) {
		if (*text != '\0' && strcasestr(cs->v[i].name, text) == NULL)
			continue;
		memset(&ev, 0, sizeof ev);
		ev.kind = EVENT_CONTACT;
		util_strlcpy(ev.u.contact.name, cs->v[i].name,
		    sizeof ev.u.contact.name);
		util_strlcpy(ev.u.contact.uri, cs->v[i].uri,
		    sizeof ev.u.contact.uri);
		presence = contacts_hooks.presence != NULL ?
		    contacts_hooks.presence(cs->v[i].uri, contacts_hooks.arg) :
		    NULL;
		util_strlcpy(ev.u.contact.presence, presence != NULL ?
		    presence : "unknown", sizeof ev.u.contact.presence);
		event_emit(&ev);
		n++;
	}
	return n;
}

void
contacts_reload(void)
{
	struct contacts	*cs = contacts_new();
	int		 i;

	if (contacts_dir != NULL)
		contacts_read_dir(cs, contacts_dir);
	for (i = 0; i < cs->nerrors; i++)
		log_warn("contacts: %s", cs->errors[i]);
	if (contacts_dir != NULL)
		log_info("contacts: %d read from %s (%d error%s)", cs->n,
		    contacts_dir, cs->nerrors, cs->nerrors == 1 ? "" : "s");
	contacts_free(contacts_set);
	contacts_set = cs;
	if (contacts_hooks.changed != NULL)
		contacts_hooks.changed(contacts_hooks.arg);
}

void
contacts_set_hooks(const struct contacts_hooks *h)
{
	if (h != NULL)
		contacts_hooks = *h;
	else
		memset(&contacts_hooks, 0, sizeof contacts_hooks);
}

/* Is ";presence=yes" (any case, yes/true/on/1) among C's parameters? */
bool
contacts_watched(const struct contact *c)
{
	const char	*p = c->params;
	size_t		 n;

	while (p != NULL && (p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "presence", 8) != 0)
			continue;
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "; \t");
		if ((n == 3 && strncasecmp(p, "yes", 3) == 0) ||
		    (n == 4 && strncasecmp(p, "true", 4) == 0) ||
		    (n == 2 && strncasecmp(p, "on", 2) == 0) ||
		    (n == 1 && *p == '1'))
			return true;
	}
	return false;
}

/* The files' sizes and times, to notice a change without inotify. */
static char *
contacts_stamp_now(void)
{
	const char	*names[] = { "contacts", "contacts.d" };
	struct stat	 st;
	char		*s = xstrdup(""), *t, *path, **files = NULL, *sub;
	size_t		 i;
	int		 n, k;

	for (i = 0; i < nitems(names); i++) {
		xasprintf(&path, "%s/%s", contacts_dir, names[i]);
		if (stat(path, &st) == 0) {
			xasprintf(&t, "%s%s:%lld.%ld:%lld;", s, names[i],
			    (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec, (long long)st.st_size);
			free(s);
			s = t;
		}
		free(path);
	}
	xasprintf(&sub, "%s/contacts.d", contacts_dir);
	n = contacts_vcf_files(sub, &files);
	for (k = 0; k < n; k++) {
		xasprintf(&path, "%s/%s", sub, files[k]);
		if (stat(path, &st) == 0) {
			xasprintf(&t, "%s%s:%lld.%ld:%lld;", s, files[k],
			    (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec, (long long)st.st_size);
			free(s);
			s = t;
		}
		free(path);
		free(files[k]);
	}
	free(files);
	free(sub);
	return s;
}

static void
contacts_watch_sub(void)
{
#ifdef __linux__
	char	*sub;

	if (contacts_fd < 0)
		return;
	xasprintf(&sub, "%s/contacts.d", contacts_dir);
	contacts_wd_d = inotify_add_watch(contacts_fd, sub, IN_CLOSE_WRITE |
	    IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE);
	free(sub);
#endif
}

static void
contacts_timer_fired(void *arg)
{
	char	*now;

	(void)arg;
	if (contacts_fd >= 0) {
		contacts_watch_sub();	/* contacts.d/ may be new */
		contacts_reload();
		return;
	}
	now = contacts_stamp_now();
	if (contacts_stamp == NULL || strcmp(now, contacts_stamp) != 0) {
		if (contacts_stamp != NULL)
			contacts_reload();
		free(contacts_stamp);
		contacts_stamp = now;
	} else
		free(now);
	loop_timer_start(contacts_timer, CONTACTS_POLL_MS);
}

#ifdef __linux__
static void
contacts_inotify(int fd, void *arg)
{
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ie;
	ssize_t				 n;
	char				*p;
	bool				 ours = false;

	(void)arg;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + n; p += sizeof *ie + ie->len) {
			ie = (const struct inotify_event *)p;
			if (ie->wd == contacts_wd_d ||
			    (ie->len > 0 && (strcmp(ie->name, "contacts") == 0 ||
			    strcmp(ie->name, "contacts.d") == 0)))
				ours = true;
		}
	}
	if (ours)
		loop_timer_start(contacts_timer, CONTACTS_SETTLE_MS);
}
#endif

void
contacts_start(const char *dir)
{
	contacts_stop();
	if (dir == NULL) {
		contacts_set = contacts_new();
		return;
	}
	contacts_dir = xstrdup(dir);
	contacts_reload();
	contacts_timer = loop_timer_new(contacts_timer_fired, NULL);
#ifdef __linux__
	contacts_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (contacts_fd >= 0 && inotify_add_watch(contacts_fd, dir,
	    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
	    IN_CREATE) < 0) {
		log_debug("contacts: cannot watch %s: %s", dir,
		    strerror(errno));
		close(contacts_fd);
		contacts_fd = -1;
	}
	if (contacts_fd >= 0 && (contacts_fd_id = loop_fd_add(contacts_fd,
	    contacts_inotify, NULL)) <= 0) {
		close(contacts_fd);
		contacts_fd = -1;
		contacts_fd_id = 0;
	}
	contacts_watch_sub();
#endif
	if (contacts_fd < 0) {
		/* No inotify (or no directory yet): look now and then. */
		contacts_stamp = contacts_stamp_now();
		loop_timer_start(contacts_timer, CONTACTS_POLL_MS);
	}
}

void
contacts_stop(void)
{
	if (contacts_fd_id > 0)
		loop_fd_remove(contacts_fd_id);
	contacts_fd_id = 0;
	if (contacts_fd >= 0)
		close(contacts_fd);
	contacts_fd = -1;
	contacts_wd_d = -1;
	if (contacts_timer != NULL)
		loop_timer_free(contacts_timer);
	contacts_timer = NULL;
	free(contacts_stamp);
	contacts_stamp = NULL;
	free(contacts_dir);
	contacts_dir = NULL;
	contacts_free(contacts_set);
	contacts_set = NULL;
}
