/*
 * test-man.c: the man pages document exactly what the code has. Every
 * command of the command table is an ".It Cm" entry of the COMMANDS
 * section of tsphone(1), and every key of the config table is an ".It Cm"
 * entry of its section in tsphone.conf(5); nothing more, nothing less.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
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

int
main(void)
{
	const struct cmd_entry		*cmds;
	const struct conf_key_info	*keys;
	static const char *const sections[][2] = {
		{ "sip", "[sip]" },
		{ "audio", "[audio]" },
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
	return done_testing();
}
