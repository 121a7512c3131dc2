/*
 * contacts.h: the address book. Contacts are read from the directory of
 * the configuration file: "contacts" (one "Name <sip:uri>" a line) and
 * every "*.vcf" file in "contacts.d/" (vCard 3.0 or 4.0, as address books
 * export them). The phone holds one set, read again when the files
 * change; commands look names up in it and calls take display names from
 * it. No SIP stack and no front end here: plain strings in and out.
 */
#ifndef TSP_CONTACTS_H
#define TSP_CONTACTS_H

#include <stdbool.h>

/* Bigger files are refused (an address book is not this big). */
#define CONTACTS_FILE_MAX	(4 * 1024 * 1024)

struct contact {
	char	*name;
	/*
	 * A sip:/sips: URI, or a number or tel: URI (a vCard TEL) that dial
	 * turns into sip:NUMBER@DOMAIN of the account it dials from.
	 */
	char	*uri;
	char	*params;	/* what follows <uri> (";presence=yes"), or "" */
};

struct contacts {
	struct contact	*v;		/* in file order */
	int		 n;
	char		**errors;	/* "FILE:LINE: what is wrong" */
	int		 nerrors;
};

struct contacts	*contacts_new(void);
void		 contacts_free(struct contacts *);

/*
 * Add the contacts of TEXT, the contents of FILE (named in errors): the
 * one-a-line format, or vCards. A line that is wrong is skipped with an
 * error naming FILE and its line; the rest is read. Return the number of
 * contacts added.
 */
int	 contacts_parse_list(struct contacts *, const char *file,
	    const char *text);
int	 contacts_parse_vcard(struct contacts *, const char *file,
	    const char *text);
/*
 * The directory of the contacts: that of the configuration file CONF_PATH
 * (so that -f gives a phone its own), or for the embedded default
 * $XDG_CONFIG_HOME/tsphone. NULL without a home. Caller frees.
 */
char	*contacts_dir_for(const char *conf_path);
/* DIR/contacts, then DIR/contacts.d/ *.vcf in name order. Missing files
 * are no error. Return the number of contacts added. */
int	 contacts_read_dir(struct contacts *, const char *dir);

/*
 * The contacts whose name contains TEXT, ignoring case ("" matches all):
 * up to MAX of them in OUT, in file order. Returns how many match (which
 * may be more than MAX).
 */
int	 contacts_match(const struct contacts *, const char *text,
	    const struct contact **out, int max);
/*
 * The contact NAME means: the one whose whole name it is (ignoring case),
 * else the only one whose name contains it. NULL when none does (*cause
 * untouched) or when several do (*cause: "ambiguous: Alice, Albert").
 */
const struct contact *contacts_resolve(const struct contacts *,
	    const char *name, char **cause);
/*
 * The contact REMOTE ("Name" <sip:user@host;...> or a bare URI) is: same
 * user and host (the host ignoring case), or, for a contact that is a
 * number, the same digits as REMOTE's user. NULL if none.
 */
const struct contact *contacts_find_remote(const struct contacts *,
	    const char *remote);

/*
 * The phone's set: read from DIR (NULL: nothing), logging how many were
 * read and every error, and read again when the files in DIR change
 * (inotify, through the loop). contacts_current() is never NULL.
 */
void	 contacts_start(const char *dir);
void	 contacts_stop(void);
void	 contacts_reload(void);
const struct contacts *contacts_current(void);
/* A "contact" event for each contact of the phone's set whose name
 * contains TEXT; returns how many. */
int	 contacts_emit(const char *text);

/*
 * Presence (issue 13): a contact written with ";presence=yes" after its
 * address is watched. The phone says how to find a watched address's
 * state (for the events' "presence" field; NULL: "unknown" for all), and
 * hears when the set was read again (the files changed).
 */
bool	 contacts_watched(const struct contact *);
struct contacts_hooks {
	/* The state name of the address URI, or NULL if not watched. */
	const char	*(*presence)(const char *uri, void *arg);
	void		 (*changed)(void *arg);
	void		*arg;
};
void	 contacts_set_hooks(const struct contacts_hooks *);

#endif
