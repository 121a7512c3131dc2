/*
 * test-man.c: the man pages document exactly what the code has. Every
 * command of the command table is an ".It Cm" entry of the COMMANDS
 * section of tsphone(1), and every key of the config table is an ".It Cm"
 * entry of its section in tsphone.conf(5); nothing more, nothing less.
 * The same holds for the keys of the full-screen interface: every default
 * key of the command table is an ".It Ic KEY Pq Cm NAME" entry of the KEYS
 * section of tsphone(1), and every name a [keys] line may bind is listed,
 * with its default key, in the [keys] section of tsphone.conf(5).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "key-string.h"
#include "tap.h"

#define MAX_NAMES	256

struct names {
	char	*v[MAX_NAMES];
	int	 n;
};

static void
names_add(struct names *ns, const char *s, size_t len)
{
	if (ns->n < MAX_NAMES)
		ns->v[ns->n++] = strndup(s, len);
}

static int
names_has(const struct names *ns, const char *s)
{
	int	 i;

	for (i = 0; i < ns->n; i++) {
		if (strcmp(ns->v[i], s) == 0)
			return 1;
	}
	return 0;
}

static void
names_free(struct names *ns)
{
	while (ns->n > 0)
		free(ns->v[--ns->n]);
}

/*
 * Collect the ".It Cm NAME" entries that stand under a heading (".Sh" or
 * ".Ss") whose text contains WHERE, up to the next heading of any kind.
 */
static int
man_entries(const char *page, const char *where, struct names *out)
{
	char	 path[4096], *line = NULL;
	size_t	 cap = 0;
	FILE	*f;
	int	 inside = 0;

	snprintf(path, sizeof path, "%s/man/%s",
	    getenv("TOP_SRCDIR") != NULL ? getenv("TOP_SRCDIR") : ".", page);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, ".Sh ", 4) == 0 || strncmp(line, ".Ss ", 4) == 0) {
			inside = strstr(line + 4, where) != NULL;
			continue;
		}
		if (inside && strncmp(line, ".It Cm ", 7) == 0) {
			const char *name = line + 7;

			names_add(out, name, strcspn(name, " \t\n"));
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* Undo the mdoc escapes a key name needs: "\\&?" is "?", "C\\-l" is "C-l". */
static void
man_unescape(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == '&') {
			s++;
			continue;
		}
		if (s[0] == '\\' && s[1] == '-')
			s++;
		*o++ = *s;
	}
	*o = '\0';
}

static FILE *
man_open(const char *page)
{
	char	 path[4096];

	snprintf(path, sizeof path, "%s/man/%s",
	    getenv("TOP_SRCDIR") != NULL ? getenv("TOP_SRCDIR") : ".", page);
	return fopen(path, "r");
}

/*
 * The ".It Ic KEY Pq Cm NAME" entries of the KEYS section of tsphone(1),
 * as "KEY NAME" strings. Entries without "Pq Cm" are the fixed keys
 * (digits, Esc), which no table holds.
 */
static int
man_keys(struct names *out)
{
	char	*line = NULL, key[64], name[64], pq[8], cm[8], pair[160];
	size_t	 cap = 0;
	FILE	*f;
	int	 inside = 0;

	if ((f = man_open("tsphone.1")) == NULL)
		return -1;
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, ".Sh ", 4) == 0 || strncmp(line, ".Ss ", 4) == 0) {
			inside = strcmp(line, ".Sh KEYS\n") == 0;
			continue;
		}
		if (!inside || sscanf(line, ".It Ic %63s %7s %7s %63s", key, pq,
		    cm, name) != 4 || strcmp(pq, "Pq") != 0 ||
		    strcmp(cm, "Cm") != 0)
			continue;
		man_unescape(key);
		snprintf(pair, sizeof pair, "%s %s", key, name);
		names_add(out, pair, strlen(pair));
	}
	free(line);
	fclose(f);
	return 0;
}

/*
 * The [keys] section of tsphone.conf(5): every "Cm NAME" of its ".It"
 * lines, as "NAME KEY" with the key from the ".Li KEY" line that follows
 * an entry of one name, or "NAME none" for the entry saying "No key.".
 */
static int
man_conf_keys(struct names *out)
{
	char	*line = NULL, *p, *tok, pair[160], key[64];
	size_t	 cap = 0;
	FILE	*f;
	int	 inside = 0, n, i, group = 0, first = 0;

	if ((f = man_open("tsphone.conf.5")) == NULL)
		return -1;
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, ".Sh ", 4) == 0 || strncmp(line, ".Ss ", 4) == 0) {
			inside = strstr(line, "[keys]") != NULL;
			continue;
		}
		if (!inside)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".It ", 4) == 0) {
			first = out->n;
			n = 0;
			for (p = line + 4; (tok = strtok(p, " ,")) != NULL; p = NULL) {
				if (strcmp(tok, "Cm") != 0)
					continue;
				if ((tok = strtok(NULL, " ,")) == NULL)
					break;
				snprintf(pair, sizeof pair, "%s ?", tok);
				names_add(out, pair, strlen(pair));
				n++;
			}
			group = n;
			continue;
		}
		if (group == 0)
			continue;
		/* The line after the entry: its default key, or no key. */
		key[0] = '\0';
		if (strncmp(line, ".Li ", 4) == 0 && group == 1)
			sscanf(line + 4, "%63s", key);
		else if (strcmp(line, "No key.") == 0)
			snprintf(key, sizeof key, "none");
		man_unescape(key);
		for (i = first; i < out->n && key[0] != '\0'; i++) {
			char	*sp = strchr(out->v[i], ' ');

			snprintf(pair, sizeof pair, "%.*s %s",
			    (int)(sp - out->v[i]), out->v[i], key);
			free(out->v[i]);
			out->v[i] = strdup(pair);
		}
		group = 0;
	}
	free(line);
	fclose(f);
	return 0;
}

/* Every bindable entry: "KEY NAME" for tsphone(1), "NAME KEY" for (5). */
static void
code_keys(struct names *by_key, struct names *by_name)
{
	const struct cmd_entry	*tables[2];
	char			 pair[160], k[KEY_STRING_MAX];
	int			 n[2], t, i, key;

	tables[0] = cmd_table(&n[0]);
	tables[1] = cmd_actions(&n[1]);
	for (t = 0; t < 2; t++) {
		for (i = 0; i < n[t]; i++) {
			const struct cmd_entry *ce = &tables[t][i];

			key = KEYC_NONE;
			if (ce->key != NULL)
				ok(key_string_parse(ce->key, &key) == 0 &&
				    key != KEYC_NONE && !key_string_reserved(key),
				    "the default key \"%s\" of %s is a key that "
				    "can be bound", ce->key, ce->name);
			key_string_name(key, k, sizeof k);
			if (key != KEYC_NONE) {
				snprintf(pair, sizeof pair, "%s %s", k, ce->name);
				names_add(by_key, pair, strlen(pair));
			}
			snprintf(pair, sizeof pair, "%s %s", ce->name, k);
			names_add(by_name, pair, strlen(pair));
		}
	}
}

/* No two entries of the command table share a default key. */
static void
check_key_clashes(const struct names *by_key)
{
	int	 i, j, clash = 0;
	size_t	 a, b;

	for (i = 0; i < by_key->n; i++) {
		a = strcspn(by_key->v[i], " ");
		for (j = i + 1; j < by_key->n; j++) {
			b = strcspn(by_key->v[j], " ");
			if (a == b && strncmp(by_key->v[i], by_key->v[j], a) == 0) {
				printf("# %s and %s\n", by_key->v[i], by_key->v[j]);
				clash++;
			}
		}
	}
	ok(clash == 0, "no two commands or actions share a default key");
}

static void
check_keys(void)
{
	struct names	 man = { { 0 }, 0 }, by_key = { { 0 }, 0 };
	struct names	 by_name = { { 0 }, 0 };
	int		 i;

	code_keys(&by_key, &by_name);
	ok(by_key.n > 0, "the command table has default keys");
	check_key_clashes(&by_key);

	is_int(man_keys(&man), 0, "read the KEYS section of tsphone.1");
	ok(man.n > 0, "tsphone.1 has a KEYS list");
	for (i = 0; i < by_key.n; i++)
		ok(names_has(&man, by_key.v[i]), "key and name \"%s\" are in "
		    "the KEYS section of tsphone(1)", by_key.v[i]);
	for (i = 0; i < man.n; i++)
		ok(names_has(&by_key, man.v[i]), "tsphone(1) key \"%s\" is a "
		    "default key of the command table", man.v[i]);
	names_free(&man);

	is_int(man_conf_keys(&man), 0, "read the [keys] section of "
	    "tsphone.conf.5");
	for (i = 0; i < by_name.n; i++)
		ok(names_has(&man, by_name.v[i]), "[keys] name and default "
		    "\"%s\" are in tsphone.conf(5)", by_name.v[i]);
	for (i = 0; i < man.n; i++)
		ok(names_has(&by_name, man.v[i]), "tsphone.conf(5) [keys] entry "
		    "\"%s\" is a command or action with that default", man.v[i]);
	names_free(&man);
	names_free(&by_key);
	names_free(&by_name);
}

int
main(void)
{
	const struct cmd_entry		*cmds;
	const struct conf_key_info	*keys;
	static const char *const sections[][2] = {
		{ "sip", "[sip]" },
		{ "audio", "[audio]" },
		{ "hooks", "[hooks]" },
		{ "account", "[account" },
	};
	struct names	 man = { { 0 }, 0 }, code = { { 0 }, 0 };
	int		 ncmds, nkeys, i, s;

	cmds = cmd_table(&ncmds);
	is_int(man_entries("tsphone.1", "COMMANDS", &man), 0, "read tsphone.1");
	ok(man.n > 0, "tsphone.1 has a COMMANDS list");
	for (i = 0; i < ncmds; i++) {
		ok(names_has(&man, cmds[i].name), "command %s is in tsphone(1)",
		    cmds[i].name);
		names_add(&code, cmds[i].name, strlen(cmds[i].name));
	}
	for (i = 0; i < man.n; i++)
		ok(names_has(&code, man.v[i]), "tsphone(1) command %s exists",
		    man.v[i]);
	names_free(&man);
	names_free(&code);

	keys = conf_keys(&nkeys);
	ok(nkeys > 0, "the config has keys");
	for (s = 0; s < (int)(sizeof sections / sizeof sections[0]); s++) {
		is_int(man_entries("tsphone.conf.5", sections[s][1], &man), 0,
		    "read the %s section of tsphone.conf.5", sections[s][1]);
		for (i = 0; i < nkeys; i++) {
			if (strcmp(keys[i].section, sections[s][0]) != 0)
				continue;
			ok(names_has(&man, keys[i].key),
			    "key %s of [%s] is in tsphone.conf(5)", keys[i].key,
			    sections[s][0]);
			names_add(&code, keys[i].key, strlen(keys[i].key));
		}
		for (i = 0; i < man.n; i++)
			ok(names_has(&code, man.v[i]),
			    "tsphone.conf(5) key %s of %s exists", man.v[i],
			    sections[s][1]);
		names_free(&man);
		names_free(&code);
	}
	for (i = 0; i < nkeys; i++) {
		int known = 0;

		for (s = 0; s < (int)(sizeof sections / sizeof sections[0]); s++)
			known |= strcmp(keys[i].section, sections[s][0]) == 0;
		ok(known, "key %s is in a documented section (%s)", keys[i].key,
		    keys[i].section);
	}
	check_keys();
	return done_testing();
}
