/*
 * key-string.h: keys of the full-screen interface as plain numbers and
 * their names ("a", "?", "Tab", "C-l", "PageUp", "F1"), so that the
 * command table, the [keys] section of the configuration and the man page
 * check can speak of keys without curses.
 *
 * A key is a Unicode code point (control characters included: C-a is 1,
 * Tab 9, Enter 13, Escape 27, BSpace 127) or one of the KEYC_ values
 * above the Unicode range for keys that have no character.
 */
#ifndef TSP_KEY_STRING_H
#define TSP_KEY_STRING_H

#include <stdbool.h>
#include <stddef.h>

#define KEYC_NONE	(-1)		/* unbound */

#define KEYC_TAB	9
#define KEYC_ENTER	13
#define KEYC_ESCAPE	27
#define KEYC_SPACE	32
#define KEYC_BSPACE	127

enum {
	KEYC_BASE = 0x200000,		/* above every code point */
	KEYC_UP = KEYC_BASE,
	KEYC_DOWN,
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_HOME,
	KEYC_END,
	KEYC_PPAGE,
	KEYC_NPAGE,
	KEYC_IC,
	KEYC_DC,
	KEYC_BTAB,
	KEYC_F1,
	KEYC_F12 = KEYC_F1 + 11,
	KEYC_LAST
};

/* Longest name key_string_name writes, with its NUL. */
#define KEY_STRING_MAX	16

/*
 * Parse NAME: one character, C-a to C-z, a special name (Tab, Enter,
 * Escape, Space, BSpace, Up, Down, Left, Right, Home, End, PageUp,
 * PageDown, Insert, Delete, BTab, F1 to F12; case does not matter) or
 * "none" (*key = KEYC_NONE). Returns 0, or -1 when NAME is not a key.
 */
int		 key_string_parse(const char *name, int *key);
/* The canonical name of KEY in BUF (at least KEY_STRING_MAX bytes). */
const char	*key_string_name(int key, char *buf, size_t len);
/*
 * Keys the interface keeps for itself: digits, '*', '#' and '+' dial and
 * send DTMF, Escape closes and cancels. They cannot be bound.
 */
bool		 key_string_reserved(int key);
/* What a [keys] value may be, for error messages. */
const char	*key_string_expected(void);

#endif
