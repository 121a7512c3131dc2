/*
 * key-string.c: key names to numbers and back. The names follow tmux
 * (C-x, BSpace, PageUp, F1) because people who live in terminals already
 * know them. UTF-8 is decoded here rather than through the locale so that
 * a configuration means the same thing whatever LANG says.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "key-string.h"
#include "util.h"

static const struct {
	const char	*name;
	int		 key;
} key_string_names[] = {
	/* Canonical names first: key_string_name prints the first match. */
	{ "Tab",	KEYC_TAB },
	{ "Enter",	KEYC_ENTER },
	{ "Escape",	KEYC_ESCAPE },
	{ "Space",	KEYC_SPACE },
	{ "BSpace",	KEYC_BSPACE },
	{ "Up",		KEYC_UP },
	{ "Down",	KEYC_DOWN },
	{ "Left",	KEYC_LEFT },
	{ "Right",	KEYC_RIGHT },
	{ "Home",	KEYC_HOME },
	{ "End",	KEYC_END },
	{ "PageUp",	KEYC_PPAGE },
	{ "PageDown",	KEYC_NPAGE },
	{ "Insert",	KEYC_IC },
	{ "Delete",	KEYC_DC },
	{ "BTab",	KEYC_BTAB },
	/* Aliases. */
	{ "Esc",	KEYC_ESCAPE },
	{ "Return",	KEYC_ENTER },
	{ "Backspace",	KEYC_BSPACE },
	{ "PgUp",	KEYC_PPAGE },
	{ "PPage",	KEYC_PPAGE },
	{ "PgDn",	KEYC_NPAGE },
	{ "NPage",	KEYC_NPAGE },
	{ "IC",		KEYC_IC },
	{ "DC",		KEYC_DC },
	{ "S-Tab",	KEYC_BTAB },
};

/* One UTF-8 character making up all of S, or -1. */
static int
key_string_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 cp, n, i, min;

	if (p[0] < 0x80)
		return p[0] != '\0' && p[1] == '\0' ? p[0] : -1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		cp = p[0] & 0x1f;
		n = 1;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		cp = p[0] & 0x0f;
		n = 2;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		cp = p[0] & 0x07;
		n = 3;
		min = 0x10000;
	} else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (p[n + 1] != '\0' || cp < min || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
		return -1;
	return cp;
}

int
key_string_parse(const char *name, int *key)
{
	size_t	 i;
	int	 c;

	if (strcasecmp(name, "none") == 0) {
		*key = KEYC_NONE;
		return 0;
	}
	for (i = 0; i < nitems(key_string_names); i++) {
		if (strcasecmp(name, key_string_names[i].name) == 0) {
			*key = key_string_names[i].key;
			return 0;
		}
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' &&
	    name[1] <= '9') {
		c = name[1] - '0';
		if (name[2] >= '0' && name[2] <= '9' && name[3] == '\0')
			c = c * 10 + name[2] - '0';
		else if (name[2] != '\0')
			return -1;
		if (c < 1 || c > 12)
			return -1;
		*key = KEYC_F1 + c - 1;
		return 0;
	}
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' &&
	    name[2] != '\0' && name[3] == '\0') {
		c = name[2];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c < 'a' || c > 'z')
			return -1;
		*key = c - 'a' + 1;
		return 0;
	}
	c = key_string_utf8(name);
	/* A lone control character or blank must be named, not typed. */
	if (c <= ' ' || c == 0x7f)
		return -1;
	*key = c;
	return 0;
}

const char *
key_string_name(int key, char *buf, size_t len)
{
	size_t	 i;

	if (key == KEYC_NONE) {
		util_strlcpy(buf, "none", len);
		return buf;
	}
	for (i = 0; i < nitems(key_string_names); i++) {
		if (key_string_names[i].key == key) {
			util_strlcpy(buf, key_string_names[i].name, len);
			return buf;
		}
	}
	if (key >= KEYC_F1 && key <= KEYC_F12)
		snprintf(buf, len, "F%d", key - KEYC_F1 + 1);
	else if (key >= 1 && key <= 26)
		snprintf(buf, len, "C-%c", 'a' + key - 1);
	else if (key > ' ' && key < 0x80)
		snprintf(buf, len, "%c", key);
	else if (key >= 0xa0 && key < 0x800)
		snprintf(buf, len, "%c%c", 0xc0 | (key >> 6), 0x80 | (key & 0x3f));
	else if (key >= 0x800 && key < 0x10000)
		snprintf(buf, len, "%c%c%c", 0xe0 | (key >> 12),
		    0x80 | ((key >> 6) & 0x3f), 0x80 | (key & 0x3f));
	else if (key >= 0x10000 && key <= 0x10ffff)
		snprintf(buf, len, "%c%c%c%c", 0xf0 | (key >> 18),
		    0x80 | ((key >> 12) & 0x3f), 0x80 | ((key >> 6) & 0x3f),
		    0x80 | (key & 0x3f));
	else
		snprintf(buf, len, "0x%x", (unsigned int)key);
	return buf;
}

bool
key_string_reserved(int key)
{
	return (key >= '0' && key <= '9') || key == '*' || key == '#' ||
	    key == '+' || key == KEYC_ESCAPE;
}

const char *
key_string_expected(void)
{
	return "one character, C-a to C-z, Tab, Enter, Space, BSpace, Up, "
	    "Down, Left, Right, Home, End, PageUp, PageDown, Insert, Delete, "
	    "BTab, F1 to F12, or none";
}
